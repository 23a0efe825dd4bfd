"""What a region pack's rules read, so the editor offers exactly those facts (no Qt here).

The editor asks `reads(pack, fact)`; a fact is a document path (`provincial_recognized`,
`organization.secretariat.address`) or a lead-unit fact (`lead.platforms`, `lead.enterprise_class`,
`lead.in_region`), or a member column (`members.integrity_ok`). Rules inside `all_of` count too.
"""
from __future__ import annotations

from alliance_desk.rules import SELECTOR_FIELDS

# rule kind -> facts it reads whatever its parameters
_KIND_FACTS = {
    "lead_in_region": ("lead.in_region",),
    "lead_platform_level": ("lead.platforms",),
    "lead_enterprise_class": ("lead.enterprise_class",),
    "has_kind": ("members.kind",),
    "uscc_valid": ("members.uscc",),
    "deadline": ("call", "submitted_at"),
    "industry_in_list": ("industry",),
    "agreement_years": ("agreement.expires_on", "submitted_at"),
    "materials": ("materials",),
}


def _facts_of(kind: str, params: dict) -> set[str]:
    out = set(_KIND_FACTS.get(kind, ()))
    if kind == "all_of":
        for sub in params.get("checks", []):
            out |= _facts_of(sub["kind"], sub)
    if kind == "flags_true":
        out |= set(params["fields"])
    if kind in ("exempt_if", "on_or_before_submission"):
        out.add(params["field"])
    if kind == "all_members":
        out.add(f"members.{params['field']}")
    if kind in ("min_count", "max_count", "range"):
        out.add(SELECTOR_FIELDS[params["of"]])
    return out


def facts_read(pack) -> set[str]:
    """Every fact any rule of `pack` reads."""
    out: set[str] = set()
    for rule in pack.rules:
        out |= _facts_of(rule.kind, rule.params)
    return out


def reads(pack, fact: str) -> bool:
    return fact in facts_read(pack)
