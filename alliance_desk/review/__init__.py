"""Expert review services: expert pool, review rounds, conflicts of interest, assignment (manual,
balanced automatic, random draw), review packages out and signed score files back, reviewer-mode
drafts, score recording, progress, aggregation and ranking.

No Qt. Every function takes a `db.session.Database` (or an open Session) first. Refusals raise
`ReviewError` whose `problems` are Chinese lines saying what and where. This package `__init__` only
re-exports the public names of its seam modules so callers keep `from alliance_desk import review;
review.auto_assign(...)`; the modules themselves import each other directly: `common` (labels, the
error, plain records) <- `experts` <- `rounds` <- `conflicts_of_interest` <- `assignment`, `random_draw`, `scores` <-
`files` (review packages, drafts, score files), `results` (progress, aggregated summary). Pure scoring
arithmetic is in `scoring`, Excel sheets in `score_sheets`.
"""
from __future__ import annotations

from alliance_desk.exchange import adpkg as pkgmod  # noqa: F401  (review packages use the one container)
from alliance_desk.review import scoring  # noqa: F401
from alliance_desk.review.common import (  # noqa: F401
    REVIEW_FORMAT, SCORES_FORMAT, ROLE_PRIMARY, ROLE_RESERVE, ROLE_LABELS, CONFLICT_LABELS, SOURCE_LABELS,
    DEFAULT_THRESHOLD_RANGE, MAX_SEED, ReviewError, ExpertInfo, AppRef, RoundExpert, RoundInfo, ConflictInfo,
    _clean, _now,
)
from alliance_desk.review.experts import (  # noqa: F401
    add_expert, update_expert, list_experts,
)
from alliance_desk.review.rounds import (  # noqa: F401
    create_round, update_round, get_round, list_rounds, set_round_applications, add_round_experts,
    set_expert_role, remove_round_expert,
)
from alliance_desk.review.conflicts_of_interest import (  # noqa: F401
    HOLDER_ROLES, HOLDER_BODIES, detect_conflicts, conflicts, declare_conflict, _detect_round,
)
from alliance_desk.review.assignment import (  # noqa: F401
    assign, unassign, AssignResult, balanced_assignment, auto_assign, Cell, Grid, assignment_grid,
    assignments_of,
)
from alliance_desk.review.random_draw import (  # noqa: F401
    DrawInfo, draw_order, draw_experts, get_draw, draws, verify_draw,
)
from alliance_desk.review.scores import (  # noqa: F401
    ScoreEntry, ImportResult, apply_scores, record_score, delete_score, office_fingerprint,
)
from alliance_desk.review.files import (  # noqa: F401
    export_review_package, ReviewPackage, open_review_package, Draft, load_drafts, save_draft, draft_problems,
    export_score_file, OlderScoreFile, import_score_file, import_file,
)
from alliance_desk.review.results import (  # noqa: F401
    ScoreProgress, progress, ScoreDetail, Summary, summary,
)
