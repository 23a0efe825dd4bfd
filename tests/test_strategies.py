"""The generators in strategies.py agree with the exchange schema."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given, settings
from jsonschema import Draft202012Validator

try:
    from strategies import applications, format_path as _format, invalid_mutations
except ImportError:  # tests/ made a package
    from tests.strategies import applications, format_path as _format, invalid_mutations

SCHEMA_PATH = Path(__file__).resolve().parents[1] / "resources/schema/application.schema.json"
SCHEMA = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
Draft202012Validator.check_schema(SCHEMA)
VALIDATOR = Draft202012Validator(SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER)


def error_paths(error) -> list[str]:
    """JSON path(s) of one validation error; for required / additionalProperties
    errors the key named in the message is appended."""
    tokens = list(error.absolute_path)
    if error.validator == "required":
        missing = [k for k in error.validator_value if k not in error.instance]
        named = [k for k in missing if f"{k!r} is a required property" == error.message]
        assert len(named) == 1, error.message
        return [_format(tokens + named)]
    if error.validator == "additionalProperties":
        known = set(error.schema.get("properties", {}))
        extras = [k for k in error.instance if k not in known]
        assert extras and all(repr(k) in error.message for k in extras), error.message
        return [_format(tokens + [k]) for k in extras]
    return [_format(tokens)]


def all_paths(doc) -> set[str]:
    return {p for e in VALIDATOR.iter_errors(doc) for p in error_paths(e)}


@settings(max_examples=100, deadline=None)
@given(applications())
def test_applications_are_valid(doc):
    errors = [f"{_format(e.absolute_path)}: {e.message}" for e in VALIDATOR.iter_errors(doc)]
    assert errors == []
    # survives a JSON round trip unchanged (no lone surrogates, finite numbers)
    encoded = json.dumps(doc, ensure_ascii=False, allow_nan=False).encode("utf-8")
    assert json.loads(encoded.decode("utf-8")) == doc


@settings(max_examples=100, deadline=None)
@given(invalid_mutations())
def test_invalid_mutations_break_exactly_one_thing(pair):
    doc, expected = pair
    assert not VALIDATOR.is_valid(doc)
    assert all_paths(doc) == {expected}


def test_error_path_examples():
    base = {
        "format": "alliance-desk/application@1",
        "id": "0b0f6a3e-2c1a-4e5b-9a7e-0d6f1f2a3b4c",
        "region": "jinzhong",
        "name": "某某产业技术创新联盟",
        "industry": "新材料",
        "county": "榆次区",
        "submitted_at": "2023-09-30T18:00",
        "members": [
            {"name": "甲公司", "uscc": "x", "kind": "enterprise", "role": "member", "in_region": True},
            {"name": "乙大学", "uscc": "y", "kind": "university", "role": "lead", "in_region": True},
        ],
        "agreement": {"signed_on": "2023-01-01", "expires_on": None, "signed_by_legal_reps": True, "sealed": True},
        "organization": {"council": [], "expert_committee": [], "secretariat": None},
        "systems": {},
    }
    assert all_paths(base) == set()
    doc = json.loads(json.dumps(base))
    doc["systems"]["charterr"] = True
    assert all_paths(doc) == {"systems.charterr"}
    doc = json.loads(json.dumps(base))
    del doc["agreement"]["sealed"]
    assert all_paths(doc) == {"agreement.sealed"}
    doc = json.loads(json.dumps(base))
    doc["members"][0]["kind"] = "company"
    assert all_paths(doc) == {"members[0].kind"}
    doc = json.loads(json.dumps(base))
    doc["members"][0]["role"] = "lead"
    assert all_paths(doc) == {"members"}
    doc = json.loads(json.dumps(base))
    doc["agreement"]["expires_on"] = "2023-02-30"
    assert all_paths(doc) == {"agreement.expires_on"}
