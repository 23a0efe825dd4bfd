"""Rules: the fixed set of rule kinds a region pack chooses from (nothing is eval-ed).

Each kind is one `RuleKind` object in `alliance_desk.rules.kinds` (its parameters' validation,
its evaluation, its message and its editor hint); this package re-exports the names callers use:
the vocabularies (`labels`), the application view (`view`) and the registry `KINDS`.
`met is None` means "cannot be judged here" and reports `na` with the reason; `met == "warn"` is a
soft outcome of a rule that otherwise fails (Ganzhou's 其他产业: accepted, but the clerk checks it).
"""
from __future__ import annotations

from alliance_desk.rules.labels import (CLASS_LABELS, FIELD_LABELS, KIND_LABELS, LEVEL_LABELS,  # noqa: F401
                                        MEMBER_FIELD_LABELS, STATUSES, VALUE_LABELS)
from alliance_desk.rules.view import AppView, Context, Outcome  # noqa: F401
from alliance_desk.rules.kinds import KINDS, SELECTOR_FIELDS, SELECTORS, RuleKind  # noqa: F401
from alliance_desk.rules.kinds.counting import k_count, k_has_kind  # noqa: F401
from alliance_desk.rules.kinds.documents import (k_all_of, k_flags_true, k_industry_in_list,  # noqa: F401
                                                 k_manual, k_materials)
from alliance_desk.rules.kinds.timing import (k_agreement_years, k_deadline, k_exempt_if,  # noqa: F401
                                              k_on_or_before_submission)
from alliance_desk.rules.kinds.units import (k_all_members, k_lead_enterprise_class,  # noqa: F401
                                             k_lead_in_region, k_lead_platform_level, k_uscc_valid)

Kind = RuleKind
