"""The registry of rule kinds, one `RuleKind` object per kind, grouped by theme: counting
(counts and member composition), units (lead unit, every member, USCC), timing (dates and
deadlines) and documents (stated facts, industry, materials, manual, all_of). Packs name kinds
by id and validate through `check_params`; the engine evaluates through `KINDS[id]`; the editor
asks `facts_read(pack)` which facts a region's rules read."""
from __future__ import annotations

from alliance_desk.rules.kinds import counting, documents, timing, units  # noqa: F401 - they register
from alliance_desk.rules.kinds.base import (REGISTRY, ParamCheck, RuleKind, application_fields,
                                            check_params, member_fields)
from alliance_desk.rules.kinds.counting import SELECTOR_FIELDS, SELECTORS

KINDS = REGISTRY

__all__ = ["KINDS", "REGISTRY", "ParamCheck", "RuleKind", "SELECTORS", "SELECTOR_FIELDS",
           "application_fields", "check_params", "member_fields"]
