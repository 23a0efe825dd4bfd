"""The compiled fast path (jsonschema-rs) never accepts what jsonschema refuses.

`exchange.fast_valid` only ever short-cuts the "valid" answer; these tests hold it to jsonschema's
verdict on generated valid documents, on every kind of single breakage, and on hand-picked cases
where two validators are known to differ (integral floats, booleans as numbers, calendar-impossible
dates, UUID spellings, Unicode digits, trailing newlines, lone surrogates, huge integers)."""
from __future__ import annotations

import copy
import json

import pytest
from hypothesis import HealthCheck, given, settings

from alliance_desk import demo, exchange

from .strategies import applications, invalid_mutations

pytestmark = pytest.mark.skipif(exchange._fast_validator() is None, reason="jsonschema-rs not installed")


def _slow(doc) -> list[str]:
    return exchange.validate_document(doc, vouched=False)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(applications())
def test_generated_valid_documents_take_the_fast_path(doc):
    assert _slow(doc) == []
    assert exchange.fast_valid(doc)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(invalid_mutations())
def test_fast_path_refuses_every_single_breakage(case):
    doc, path = case
    assert list(exchange._validator().iter_errors(doc)), path
    assert not exchange.fast_valid(doc), path
    # and the messages come out the same as without the fast path
    assert exchange.validate_document(doc) == _slow(doc)


def _base() -> dict:
    return copy.deepcopy(demo.demo_applications()[0])


def _set(doc: dict, path: tuple, value) -> dict:
    node = doc
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return doc


EDGE = [
    (("members", 0, "name"), 1.0),
    (("members", 0, "employees"), True),
    (("members", 0, "employees"), 3.0),
    (("members", 0, "employees"), 2 ** 70),
    (("members", 0, "employees"), -(2 ** 70)),
    (("established_on",), "2024-02-30"),
    (("established_on",), "2023-02-29"),
    (("established_on",), "２０２４-01-01"),
    (("established_on",), "2024-01-01\n"),
    (("established_on",), "2024-1-01"),
    (("established_on",), "20240101"),
    (("established_on",), "2024-W01-1"),
    (("id",), "0123456789abcdef0123456789abcdef"),
    (("id",), "{01234567-89ab-cdef-0123-456789abcdef}"),
    (("id",), "urn:uuid:01234567-89ab-cdef-0123-456789abcdef"),
    (("id",), "01234567-89AB-CDEF-0123-456789ABCDEF"),
    (("id",), "01234567-89ab-cdef-0123-456789abcdef\n"),
    (("submitted_at",), "２０２４-01-01T10:00"),
    (("submitted_at",), "2024-01-01T10:00\n"),
    (("submitted_at",), "2024-13-01T10:00"),
    (("name",), "联盟\ud800"),
    (("name",), ""),
    (("name",), None),
    (("members",), []),
    (("agreement", "years"), 0.5),
]


@pytest.mark.parametrize("path,value", EDGE, ids=[f"{'.'.join(map(str, p))}={v!r}"[:60] for p, v in EDGE])
def test_edge_cases_agree(path, value):
    doc = _set(_base(), path, value)
    schema_errors = [e.message for e in exchange._validator().iter_errors(doc)]
    if exchange.fast_valid(doc):
        assert schema_errors == [], f"fast path accepted what jsonschema refuses: {schema_errors}"
    assert exchange.validate_document(doc) == _slow(doc)


def test_parse_text_gives_the_same_answer_with_and_without_the_fast_path(monkeypatch):
    texts = []
    for doc in demo.demo_applications()[:6]:
        texts.append(exchange.dumps(doc))
        texts.append(exchange.dumps(_set(copy.deepcopy(doc), ("established_on",), "2024-02-30")))
        texts.append(json.dumps(dict(doc, name="联盟\ud800")))  # escaped lone surrogate
        nested: list = []
        for _ in range(80):  # deeper than safety.MAX_DEPTH
            nested = [nested]
        deep = dict(doc, extra=nested)
        texts.append(json.dumps(deep, ensure_ascii=False))

    def outcome(text):
        try:
            return exchange.parse_text(text, "x.json")
        except exchange.ApplicationFormatError as exc:
            return exc.problems

    fast = [outcome(t) for t in texts]
    monkeypatch.setattr(exchange, "fast_valid", lambda doc: False)
    slow = [outcome(t) for t in texts]
    assert fast == slow
    assert sum(isinstance(f, dict) for f in fast) == 6  # the untouched ones parse
