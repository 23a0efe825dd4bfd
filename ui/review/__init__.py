"""The review screens. `officer` is the review office's round screen (`ReviewRoundWidget`: experts,
draw, assignment grid, scores, summary, with its tabs, file actions, grid model, chart and dialogs in
sibling modules); `expert` is the expert's own scoring window (`ReviewerWidget`), which opens a
review package and exports a signed score file. This `__init__` only re-exports the two screens.
"""
from __future__ import annotations

from ui.review.expert import ReviewerWidget  # noqa: F401
from ui.review.officer import ReviewRoundWidget  # noqa: F401
