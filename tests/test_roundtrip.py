"""Property: any application the app accepts is stored and exported as a schema-valid document
that means the same, and export -> import -> export is byte-for-byte stable."""
from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alliance_desk import exchange, store
from strategies import applications, invalid_mutations, storable_applications, stored_examples


@pytest.fixture
def shared_db(make_db):
    """One database for all examples of a run (on each test backend): examples differ by id."""
    return make_db("roundtrip")


def _drop_optional_nulls(value, node):
    """What the store promises to keep: an optional key that is null means the same as absent."""
    node = exchange._resolve(node)
    if isinstance(value, dict):
        props, required = node.get("properties", {}), set(node.get("required", []))
        return {k: _drop_optional_nulls(v, props.get(k, {})) for k, v in value.items()
                if v is not None or k in required}
    if isinstance(value, list):
        return [_drop_optional_nulls(v, node.get("items", {})) for v in value]
    return value


@stored_examples(60)
@given(data=st.data())
def test_import_export_roundtrip(shared_db, backend, data):
    doc = data.draw(storable_applications(backend), label="doc")
    # the file as another office would send it
    parsed = exchange.parse_text(json.dumps(doc, ensure_ascii=False).encode("utf-8"))
    store.import_documents(shared_db, [("", parsed)])
    first = store.export_json(shared_db, doc["id"])
    assert exchange.validate_document(json.loads(first)) == []
    assert json.loads(first) == exchange.canonical(_drop_optional_nulls(doc, exchange.schema()))
    store.import_documents(shared_db, [("", exchange.parse_text(first))])
    assert store.export_json(shared_db, doc["id"]) == first


@settings(max_examples=80, deadline=None)
@given(case=invalid_mutations())
def test_every_schema_problem_is_refused_with_its_path(case):
    doc, path = case
    with pytest.raises(exchange.ApplicationFormatError) as exc:
        exchange.parse_text(json.dumps(doc, ensure_ascii=False))
    assert any(line.startswith(f"{path}: ") for line in exc.value.problems), (path, exc.value.problems)


@settings(max_examples=60, deadline=None)
@given(doc=applications())
def test_everything_the_schema_accepts_is_accepted(doc):
    assert exchange.parse_text(json.dumps(doc, ensure_ascii=False)) == doc
