"""The fast document reader (alliance_desk.store.docread) gives exactly the documents of the canonical,
ORM-based `store.to_document` — values and key order — on both backends."""
from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from alliance_desk import demo, exchange, store
from alliance_desk.store import docread
from db import models as m
from strategies import storable_applications, stored_examples

pytestmark = pytest.mark.backends("sqlite", "postgresql")


def _canonical_docs(db, ids):
    with db.Session() as s:
        return {i: store.to_document(s.get(m.Application, i)) for i in ids}


def _same(fast: dict, slow: dict) -> None:
    assert fast == slow
    # key order too: the text written from either is the same
    assert json.dumps(fast, ensure_ascii=False) == json.dumps(slow, ensure_ascii=False)


def test_demo_database_documents_equal_canonical(db):
    store.import_documents(db, [("", d) for d in demo.demo_applications()])
    with db.Session() as s:
        ids = list(s.scalars(select(m.Application.id)))
        fast = docread.read_documents(s, ids)
        ordered = list(docread.iter_documents(s, ids[::-1], batch=7))  # batches smaller than the set
        everything = list(docread.iter_documents(s))
    slow = _canonical_docs(db, ids)
    assert set(fast) == set(slow) and len(ids) > 10
    for i in ids:
        _same(fast[i], slow[i])
    assert [d["id"] for d in ordered] == ids[::-1]
    assert [d["id"] for d in everything] == sorted(ids)
    assert everything == [slow[i] for i in sorted(ids)]


def test_unknown_ids_are_left_out(db):
    doc = demo.demo_applications()[0]
    store.import_documents(db, [("", doc)])
    with db.Session() as s:
        got = docread.read_documents(s, ["no-such-id", doc["id"]])
    assert list(got) == [doc["id"]]


def test_store_iter_documents_is_the_fast_reader(db):
    docs = demo.demo_applications()[:3]
    store.import_documents(db, [("", d) for d in docs])
    with db.Session() as s:
        got = list(store.iter_documents(s, [d["id"] for d in docs]))
    assert got == [exchange.canonical(store_doc) for store_doc in _canonical_docs(db, [d["id"] for d in docs]).values()]


@pytest.fixture
def shared_db(make_db):
    return make_db("docread")


@stored_examples(40)
@given(data=st.data())
def test_generated_documents_read_back_equal_canonical(shared_db, backend, data):
    docs = data.draw(st.lists(storable_applications(backend), min_size=1, max_size=3, unique_by=lambda d: d["id"]),
                     label="docs")
    # person objects with their keys shuffled, as another office's file may have them
    for d in docs:
        if isinstance(d.get("contact"), dict):
            d["contact"] = dict(reversed(list(d["contact"].items())))
    store.import_documents(shared_db, [("", d) for d in docs])
    ids = [d["id"] for d in docs]
    with shared_db.Session() as s:
        fast = docread.read_documents(s, ids)
    slow = _canonical_docs(shared_db, ids)
    for i in ids:
        _same(fast[i], slow[i])
