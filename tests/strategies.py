"""Hypothesis strategies for the application exchange format.

``applications()`` generates dicts that are valid against
``resources/schema/application.schema.json`` and spread over its whole space:
every optional key present or absent at every level, nullable fields null or
not, every enum value, empty and non-empty arrays, exactly one lead member at a
random position, awkward strings (Chinese, quotes, backslashes, newlines,
emoji; never lone surrogates), numbers at 0 and large, integral floats for
``number`` fields, real ISO dates and local date-times.

``invalid_mutations()`` generates ``(doc, expected_path)`` pairs: a valid
application with exactly one thing broken, and the JSON path of the problem
(``members[3].kind``, ``agreement.expires_on``, ``systems.charterr`` for an
unknown key, ``agreement.sealed`` for a missing required key, ``members`` for a
lead-count problem).  Each breakage is chosen so that the schema reports it at
that one path and nowhere else.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from alliance_desk import exchange

SCHEMA_PATH = Path(__file__).resolve().parents[1] / "resources/schema/application.schema.json"
SCHEMA: dict = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
_DEFS = SCHEMA["$defs"]
_PROPS = SCHEMA["properties"]

FORMAT = "alliance-desk/application@1"
REGIONS = _PROPS["region"]["enum"]
TIERS = _PROPS["tier_requested"]["enum"]  # includes None
MEMBER_KINDS = _DEFS["member"]["properties"]["kind"]["enum"]
ENTERPRISE_CLASSES = _DEFS["member"]["properties"]["enterprise_class"]["items"]["enum"]
TALENT_LEVELS = _DEFS["member"]["properties"]["high_level_talent"]["enum"]  # includes None
PLATFORM_LEVELS = _DEFS["platform"]["properties"]["level"]["enum"]
OFFICE_ROLES = _DEFS["office_holder"]["properties"]["role"]["enum"]
SYSTEM_KEYS = list(_PROPS["systems"]["properties"])

MAX_LIST = 4
MAX_MEMBERS = 8
MAX_TEXT = 16

# --------------------------------------------------------------------------
# primitives

_SPECIAL_CHARS = list(
    "联盟晋中甘肃鞍山赣州重庆产业链技术创新研究院有限公司万元专精特新（）、，。"
    "\"'\\\n\r\t /<>&{}[]:;#%$0123456789"
) + ["😀", "🏭", "👩", "\u200d", "🔬", "\u200b", "\u00e9", "\x00", "\x7f", "\ufeff"]

_ANY_CHAR = st.characters(exclude_categories=("Cs",))
_SPECIAL_CHAR = st.sampled_from(_SPECIAL_CHARS)


def text(min_size: int = 0, max_size: int = MAX_TEXT) -> st.SearchStrategy[str]:
    """Arbitrary text (no lone surrogates) of ``min_size``..``max_size`` code points.

    Mixes fully arbitrary Unicode, strings of awkward characters (Chinese,
    quotes, backslashes, newlines, emoji, NUL, BOM...) and concatenations of
    both.  Built from single-alphabet ``st.text`` pieces, which Hypothesis draws
    natively (much faster than a per-character ``one_of``).
    """
    side = max(0, min(4, (max_size - min_size) // 2))
    mixed = st.tuples(
        st.text(_ANY_CHAR, max_size=side),
        st.text(_SPECIAL_CHAR, min_size=min_size, max_size=max_size - 2 * side),
        st.text(_ANY_CHAR, max_size=side),
    ).map("".join)
    return st.one_of(
        st.text(_ANY_CHAR, min_size=min_size, max_size=max_size),
        st.text(_SPECIAL_CHAR, min_size=min_size, max_size=max_size),
        mixed,
    )


booleans = st.booleans()

counts = st.one_of(
    st.just(0),
    st.integers(min_value=0, max_value=500),
    st.integers(min_value=0, max_value=2**53),
)


def _numbers(min_value: float | None) -> st.SearchStrategy[float | int]:
    lo_int = None if min_value is None else int(min_value)
    bound = 1e15
    return st.one_of(
        st.just(0),
        st.just(0.0),
        st.integers(min_value=lo_int if lo_int is not None else -(10**15), max_value=10**15),
        # integral floats such as 5.0
        st.integers(min_value=lo_int if lo_int is not None else -(10**12), max_value=10**12).map(float),
        st.floats(
            min_value=min_value if min_value is not None else -bound,
            max_value=bound,
            allow_nan=False,
            allow_infinity=False,
        ),
    )


amounts = _numbers(0)  # number, minimum 0
signed_amounts = _numbers(None)  # number, no minimum (revenue_wan)

dates = st.one_of(
    st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 12, 31)),
    st.dates(),
).map(lambda d: d.isoformat())

submitted_ats = st.datetimes(
    min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2100, 12, 31, 23, 59)
).map(lambda d: d.strftime("%Y-%m-%dT%H:%M"))

uuids = st.uuids().map(str)


def lists(elements: st.SearchStrategy, max_size: int = MAX_LIST) -> st.SearchStrategy[list]:
    return st.lists(elements, min_size=0, max_size=max_size)


def nullable(strategy: st.SearchStrategy) -> st.SearchStrategy:
    return st.one_of(st.none(), strategy)


# --------------------------------------------------------------------------
# objects

def persons() -> st.SearchStrategy[dict]:
    return st.fixed_dictionaries(
        {},
        optional={k: text() for k in ("name", "phone", "mobile", "email", "title")},
    )


def office_holders() -> st.SearchStrategy[dict]:
    return st.fixed_dictionaries(
        {
            "name": text(min_size=1),
            "unit": text(min_size=1),
            "role": st.sampled_from(OFFICE_ROLES),
        },
        optional={"title": text(), "phone": text(), "email": text()},
    )


def platforms() -> st.SearchStrategy[dict]:
    return st.fixed_dictionaries(
        {"name": text(), "level": st.sampled_from(PLATFORM_LEVELS)},
        optional={
            "kind": text(),
            "approved_by": text(),
            "approved_on": nullable(dates),
        },
    )


_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def _with_uscc_check_digit(body: str) -> str:
    total = sum(_USCC_ALPHABET.index(c) * w for c, w in zip(body, _USCC_WEIGHTS))
    return body + _USCC_ALPHABET[(31 - total % 31) % 31]


# GB 32100-2015: registration authority + kind (2 digits), administrative division code (6 digits),
# organization code (9 characters), check character
_uscc_bodies = st.tuples(
    st.text("0123456789", min_size=8, max_size=8),
    st.text(_USCC_ALPHABET, min_size=9, max_size=9),
).map("".join)
# the schema only asks for a string: checksum-valid codes, 18-character garbage, anything
usccs = st.one_of(
    _uscc_bodies.map(_with_uscc_check_digit),
    st.text(_USCC_ALPHABET, min_size=18, max_size=18),
    text(max_size=30),
)


def members(role: st.SearchStrategy[str]) -> st.SearchStrategy[dict]:
    return st.fixed_dictionaries(
        {
            "name": text(min_size=2),
            "uscc": usccs,
            "kind": st.sampled_from(MEMBER_KINDS),
            "role": role,
            "in_region": booleans,
        },
        optional={
            "legal_rep": text(),
            "address": text(),
            "chain_segment": text(),
            "research_direction": text(),
            "employees": nullable(counts),
            "rd_staff": nullable(counts),
            "senior_titles": nullable(counts),
            "revenue_wan": nullable(signed_amounts),
            "rd_spend_wan": nullable(amounts),
            "enterprise_class": lists(st.sampled_from(ENTERPRISE_CLASSES)),
            "platforms": lists(platforms(), max_size=3),
            "projects_municipal_or_above": nullable(counts),
            "high_level_talent": st.sampled_from(TALENT_LEVELS),
            "integrity_ok": booleans,
            "contact": persons(),
        },
    )


@st.composite
def member_lists(draw) -> list[dict]:
    # size and lead position are drawn first: Hypothesis biases choices made
    # after a large draw towards their simplest value
    size = draw(st.integers(min_value=1, max_value=MAX_MEMBERS))
    position = draw(st.integers(min_value=0, max_value=size - 1))
    others = draw(
        st.lists(members(st.sampled_from(["core", "member"])), min_size=size - 1, max_size=size - 1)
    )
    others.insert(position, draw(members(st.just("lead"))))
    return others


def secretariats() -> st.SearchStrategy[dict | None]:
    return nullable(
        st.fixed_dictionaries(
            {},
            optional={
                "address": text(),
                "in_lead_unit": booleans,
                "full_time_staff": counts,
                "office_area_m2": nullable(amounts),
            },
        )
    )


def organizations() -> st.SearchStrategy[dict]:
    return st.fixed_dictionaries(
        {
            "council": lists(office_holders()),
            "expert_committee": lists(office_holders()),
            "secretariat": secretariats(),
        },
        optional={"external_liability_body": booleans, "legal_entity_registered": booleans},
    )


def agreements() -> st.SearchStrategy[dict]:
    return st.fixed_dictionaries(
        {
            "signed_on": nullable(dates),
            "expires_on": nullable(dates),
            "signed_by_legal_reps": booleans,
            "sealed": booleans,
        },
        optional={
            "effective_on": nullable(dates),
            "innovation_goals": booleans,
            "task_division": booleans,
            "ip_terms": booleans,
            "breach_terms": booleans,
        },
    )


def systems() -> st.SearchStrategy[dict]:
    return st.fixed_dictionaries({}, optional={k: booleans for k in SYSTEM_KEYS})


def materials() -> st.SearchStrategy[dict]:
    return st.fixed_dictionaries(
        {"code": text(max_size=12), "received": booleans},
        optional={"copies": counts, "note": text()},
    )


def recommendations() -> st.SearchStrategy[dict | None]:
    return nullable(
        st.fixed_dictionaries(
            {},
            optional={
                "recommended": booleans,
                "opinion": text(),
                "by": text(),
                "on": dates,
            },
        )
    )


def applications() -> st.SearchStrategy[dict]:
    """Dicts valid against application.schema.json."""
    return st.fixed_dictionaries(
        {
            "format": st.just(FORMAT),
            "id": uuids,
            "region": st.sampled_from(REGIONS),
            "name": text(min_size=4, max_size=100),
            "industry": text(min_size=1),
            "county": text(min_size=1),
            "submitted_at": submitted_ats,
            "members": member_lists(),
            "agreement": agreements(),
            "organization": organizations(),
            "systems": systems(),
        },
        optional={
            "call": text(),
            "tier_requested": st.sampled_from(TIERS),
            "previously_pilot": booleans,
            "provincial_recognized": booleans,
            "provincial_recognized_on": nullable(dates),
            "materials_sealed_by_all": booleans,
            "established_on": nullable(dates),
            "goals": text(),
            "research_directions": lists(text()),
            "investment_wan": nullable(amounts),
            "tech_staff_total": nullable(counts),
            "cooperation_results": text(),
            "contact": persons(),
            "materials": lists(materials()),
            "recommendation": recommendations(),
        },
    )


# --------------------------------------------------------------------------
# invalid mutations

Token = str | int


format_path = exchange.dotted_path  # ``["members", 3, "kind"]`` -> ``"members[3].kind"``


def _resolve(schema: dict) -> dict:
    while "$ref" in schema:
        ref = schema["$ref"]
        assert ref.startswith("#/$defs/"), ref
        schema = _DEFS[ref[len("#/$defs/"):]]
    return schema


def _walk(value: Any, schema: dict, tokens: tuple[Token, ...], out: list) -> None:
    """Collect ``(tokens, value, schema)`` for every node of the document."""
    schema = _resolve(schema)
    out.append((tokens, value, schema))
    if isinstance(value, dict):
        for key, sub in schema.get("properties", {}).items():
            if key in value:
                _walk(value[key], sub, tokens + (key,), out)
    elif isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            _walk(item, schema["items"], tokens + (i,), out)


def _get(doc: Any, tokens: tuple[Token, ...]) -> Any:
    for token in tokens:
        doc = doc[token]
    return doc


def _types(schema: dict) -> list[str]:
    types = schema.get("type") or []
    return [types] if isinstance(types, str) else list(types)


def _json_type(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return "integer"
    name = exchange.json_type(value)
    if name not in _JSON_TYPES:
        raise TypeError(value)
    return name


_JSON_TYPES = {"null", "boolean", "integer", "number", "string", "array", "object"}


# Near misses first: "5" for an integer, 1 for a boolean, "true" for a boolean...
_WRONG_CANDIDATES: list[Any] = ["5", "true", "", "2023-01-01", 0, 1, 7, 2.5, -1.5, True, False, None, [], ["x"], {}, {"a": 1}]


def _is_wrong(value: Any, schema: dict) -> bool:
    """True if ``value`` violates ``schema`` by type (or enum/const) alone."""
    if "const" in schema:
        return _json_type(value) != _json_type(schema["const"]) or value != schema["const"]
    if "enum" in schema:
        # compare with JSON semantics: True is not 1
        return not any(_json_type(value) == _json_type(e) and value == e for e in schema["enum"])
    types = _types(schema)
    if not types:
        return False
    t = _json_type(value)
    return not (t in types or (t == "integer" and "number" in types))


_BAD_DATES = [
    "2023-02-30",
    "2023/01/01",
    "2023-13-01",
    "2023-00-10",
    "2023-1-5",
    "20230105",
    "2023-01-01T00:00",
    "01-05-2023",
    "2023年1月5日",
    "",
    "yesterday",
    "2021-02-29",
]
_BAD_SUBMITTED_AT = [
    "2023-09-30 18:00",
    "2023-09-30T18:00:00",
    "2023-9-30T18:00",
    "2023/09/30T18:00",
    "2023-09-30",
    "2023-09-30T1800",
    "T18:00",
    "",
    " 2023-09-30T18:00",
    "2023-09-30t18:00",
]
_BAD_UUIDS = ["not-a-uuid", "", "12345678-1234-1234-1234-1234567890", "{0}"]
_BAD_ENUM_STRINGS = ["company", "boss", "other ", "LEAD", "Lead", "national_level", "", "企业", "none ", "unicorn"]
_BAD_FORMATS = ["alliance-desk/application@2", "alliance-desk/application", "Alliance-Desk/application@1", "", "alliance-desk/application@1 "]


def _lead_index(doc: dict) -> int:
    leads = [i for i, m in enumerate(doc["members"]) if m.get("role") == "lead"]
    assert len(leads) == 1
    return leads[0]


MUTATION_KINDS = (
    "unknown_key",
    "missing_required",
    "wrong_type",
    "wrong_item_type",
    "bad_enum",
    "bad_enum_item",
    "negative",
    "bad_date",
    "bad_submitted_at",
    "bad_uuid",
    "bad_format",
    "bad_length",
    "bad_leads",
)


def _unknown_key_names(known: set[str]) -> st.SearchStrategy[str]:
    typos = st.sampled_from(sorted(known)).map(lambda k: k + k[-1]) if known else st.nothing()
    return st.one_of(
        typos,
        st.sampled_from(["extra", "note", "Name", "备注", "comment", "x_custom", "id_", "_id"]),
        st.from_regex(r"[a-z][a-z_]{0,11}", fullmatch=True),
    ).filter(lambda k: k not in known)


@st.composite
def invalid_mutations(draw, kinds: tuple[str, ...] = MUTATION_KINDS) -> tuple[dict, str]:
    """``(doc, expected_path)``: a valid application with exactly one thing broken.

    ``kinds`` restricts the kinds of breakage (see ``MUTATION_KINDS``).  The
    kind and a random source for picking the place are drawn *before* the
    document: Hypothesis biases choices made after a large draw towards their
    first option, which would concentrate the mutations on a few places.
    """
    kind = draw(st.sampled_from(kinds))
    rnd = draw(st.randoms(use_true_random=True))
    doc = copy.deepcopy(draw(applications()))
    lead = _lead_index(doc)
    lead_tokens: tuple[Token, ...] = ("members", lead)

    nodes: list = []
    _walk(doc, SCHEMA, (), nodes)
    objects = [(t, v, s) for t, v, s in nodes if isinstance(v, dict) and "properties" in s]

    def allowed(tokens, key):
        # Touching the lead's role would also break the exactly-one-lead rule.
        return not (tokens == lead_tokens and key == "role")

    # (object tokens, object, key, property schema): every property, present or absent
    props = [
        (t, obj, key, _resolve(sub))
        for t, obj, s in objects
        for key, sub in s.get("properties", {}).items()
        if allowed(t, key)
    ]
    # (item tokens, item schema): array items, never the lead member itself
    items = [(t, s) for t, _v, s in nodes if t and isinstance(t[-1], int) and t != lead_tokens]

    def wrong_values(schema):
        return [c for c in _WRONG_CANDIDATES if _is_wrong(c, schema)]

    def bad_enum_values(schema):
        return [v for v in _BAD_ENUM_STRINGS if v not in schema["enum"]]

    available: dict[str, list] = {
        "unknown_key": objects,
        "missing_required": [
            (t, obj, key)
            for t, obj, s in objects
            for key in s.get("required", [])
            if key in obj and allowed(t, key)
        ],
        "wrong_type": [(t, obj, key, sub) for t, obj, key, sub in props if wrong_values(sub)],
        "wrong_item_type": [(t, sub) for t, sub in items if wrong_values(sub)],
        "bad_enum": [(t, obj, key, sub) for t, obj, key, sub in props if "enum" in sub],
        "bad_enum_item": [(t, sub) for t, sub in items if "enum" in sub],
        "negative": [(t, obj, key, sub) for t, obj, key, sub in props if sub.get("minimum") == 0],
        "bad_date": [(t, obj, key, sub) for t, obj, key, sub in props if sub.get("format") == "date"],
        "bad_submitted_at": [((), doc, "submitted_at", None)],
        "bad_uuid": [((), doc, "id", None)],
        "bad_format": [((), doc, "format", None)],
        "bad_length": [(t, obj, key, sub) for t, obj, key, sub in props if "minLength" in sub],
        "bad_leads": [None],
    }
    if not available[kind]:
        kind = rnd.choice(sorted(k for k in kinds if available[k]))
    site = rnd.choice(available[kind])

    def set_item(tokens, value):
        _get(doc, tokens[:-1])[tokens[-1]] = value
        return tokens

    def set_prop(value):
        tokens, obj, key, _sub = site
        obj[key] = value
        return tokens + (key,)

    if kind == "unknown_key":
        tokens, obj, schema = site
        key = draw(_unknown_key_names(set(schema["properties"])))
        obj[key] = draw(st.one_of(st.none(), booleans, text(max_size=5), st.integers()))
        path = tokens + (key,)
    elif kind == "missing_required":
        tokens, obj, key = site
        del obj[key]
        path = tokens + (key,)
    elif kind == "wrong_type":
        # near misses such as "5" for an integer, 1 or "true" for a boolean
        path = set_prop(copy.deepcopy(rnd.choice(wrong_values(site[3]))))
    elif kind == "wrong_item_type":
        path = set_item(site[0], copy.deepcopy(rnd.choice(wrong_values(site[1]))))
    elif kind == "bad_enum":
        path = set_prop(rnd.choice(bad_enum_values(site[3])))
    elif kind == "bad_enum_item":
        path = set_item(site[0], rnd.choice(bad_enum_values(site[1])))
    elif kind == "negative":
        if "integer" in _types(site[3]):
            value = draw(st.integers(min_value=-(2**53), max_value=-1))
        else:
            value = draw(
                st.one_of(
                    st.integers(min_value=-(10**9), max_value=-1),
                    st.floats(min_value=-1e15, max_value=-1e-9, allow_nan=False, allow_infinity=False),
                )
            )
        path = set_prop(value)
    elif kind == "bad_date":
        path = set_prop(rnd.choice(_BAD_DATES))
    elif kind == "bad_submitted_at":
        path = set_prop(rnd.choice(_BAD_SUBMITTED_AT))
    elif kind == "bad_uuid":
        path = set_prop(rnd.choice(_BAD_UUIDS + [draw(st.uuids()).hex]))
    elif kind == "bad_format":
        path = set_prop(rnd.choice(_BAD_FORMATS))
    elif kind == "bad_length":
        lo, hi = site[3]["minLength"], site[3].get("maxLength")
        if hi is not None and rnd.random() < 0.3:
            value = draw(text(min_size=hi + 1, max_size=hi + 20))
        else:
            value = draw(text(min_size=0, max_size=lo - 1))
        path = set_prop(value)
    elif kind == "bad_leads":
        members_list = doc["members"]
        choice = rnd.choice(["zero", "two", "two", "empty"])
        if choice == "zero":
            members_list[lead]["role"] = rnd.choice(["core", "member"])
        elif choice == "two" and len(members_list) > 1:
            other = rnd.choice([i for i in range(len(members_list)) if i != lead])
            members_list[other]["role"] = "lead"
        elif choice == "two":
            members_list.insert(rnd.randint(0, len(members_list)), draw(members(st.just("lead"))))
        else:
            members_list.clear()
        path = ("members",)
    else:  # pragma: no cover
        raise AssertionError(kind)
    return doc, format_path(path)


# --------------------------------------------------------------------------
# stored on a test backend


def _without_nul(value):
    """PostgreSQL text cannot hold U+0000 (the store refuses it there: test_postgres.py); the same
    documents with it replaced."""
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, dict):
        return {_without_nul(k): _without_nul(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_nul(v) for v in value]
    return value


def storable_applications(backend: str):
    """``applications()`` that `backend` can store (on PostgreSQL: no NUL, and still valid after that)."""
    strategy = applications()
    if backend == "postgresql":
        strategy = strategy.map(_without_nul).filter(lambda d: exchange.validate_document(d) == [])
    return strategy


def stored_examples(max_examples: int):
    """Settings for properties over one shared database fixture, on any backend."""
    return settings(max_examples=max_examples, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                           HealthCheck.filter_too_much])
