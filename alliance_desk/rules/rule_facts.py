"""What a region pack's rules read, so the editor offers exactly those facts (no Qt here).

The editor asks `reads(pack, fact)`; a fact is a document path (`provincial_recognized`,
`organization.secretariat.address`) or a lead-unit fact (`lead.platforms`, `lead.enterprise_class`,
`lead.in_region`), or a member column (`members.integrity_ok`). Each kind declares its facts
(`RuleKind.facts`); rules inside `all_of` count too.
"""
from __future__ import annotations

from alliance_desk.rules.kinds import KINDS


def facts_read(pack) -> set[str]:
    """Every fact any rule of `pack` reads."""
    out: set[str] = set()
    for rule in pack.rules:
        out |= KINDS[rule.kind].facts(rule.params)
    return out


def reads(pack, fact: str) -> bool:
    return fact in facts_read(pack)
