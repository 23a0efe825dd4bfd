"""The lifecycle's vocabulary: decision outcomes, results, states and statuses with their Chinese
names, the one refusal (LifecycleError) and the strict date parsing every lifecycle entry point uses."""
from __future__ import annotations

import calendar
import re
from datetime import date

from alliance_desk.store import StoreError

# ------------------------------------------------------------------ vocabulary

#: decision outcomes (the CLI's --outcome values) and their Chinese names
OUTCOMES = {"recognized": "认定", "demonstration": "示范", "pilot": "试点", "approved": "批复成立",
            "filed": "备案", "rejected": "不予认定"}
POSITIVE = ("recognized", "demonstration", "pilot", "approved", "filed")
#: the state a positive outcome gives the alliance
OUTCOME_STATE = {"recognized": "已认定", "demonstration": "示范创新联盟", "pilot": "试点创新联盟",
                 "approved": "已批复成立", "filed": "已备案"}
#: the refusal is named after the region's scheme (pack.scheme)
REJECTED_BY_SCHEME = {"认定": "不予认定", "组建": "不予批复", "备案": "不予备案"}
#: what "has a positive decision" is called in each scheme
POSITIVE_BY_SCHEME = {"认定": "认定", "组建": "批复成立", "备案": "备案"}

RESULTS = {"excellent": "优秀", "good": "良好", "pass": "合格", "poor": "较差", "fail": "不合格"}
RESULT_ALIASES = {"通过": "pass", "未通过": "fail", "不通过": "fail", "达标": "pass", "不达标": "fail"}

STATUS_LABELS = {"upcoming": "未到期", "due": "即将到期", "overdue": "已逾期", "done": "已完成",
                 "late": "逾期完成", "failed": "未通过"}
OPEN_STATUSES = ("upcoming", "due", "overdue")

STATE_LABELS = {"pending": "未作决定", "rejected": "不予认定", "active": "有效", "warned": "已告诫·限期整改",
                "at_risk": "有取消资格风险", "revocable": "已满足取消资格条件", "revoked": "已取消资格",
                "expired": "已届满"}

REVOCATION = "revocation"
RECTIFICATION = "rectification"
DIRECTIONS = {"start": "开始", "forward": "推进", "back": "退回", "decision": "决定"}

SCHEDULES = {"yearly", "every_n_years", "validity_year", "on_event"}
DEFAULT_WITHIN_DAYS = 30


class LifecycleError(StoreError):
    """A refused lifecycle operation; `problems` holds one Chinese line per problem."""

    def __init__(self, problems: str | list[str]):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("；".join(self.problems))


# ------------------------------------------------------------------ dates

def month_day(year: int, spec: str) -> date:
    """`"12-31"` or `"02-last"` in `year` (a day past the month's end is clamped to its last day)."""
    mm, dd = spec.split("-")
    month = int(mm)
    last = calendar.monthrange(year, month)[1]
    day = last if dd == "last" else min(int(dd), last)
    return date(year, month, day)


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_date(text: str | date, what: str = "日期") -> date:
    """A YYYY-MM-DD date (strict: Python 3.11 would also take 20250101 or 2025-W01-1)."""
    if isinstance(text, date):
        return text
    t = str(text).strip()
    try:
        if not _ISO_DATE.match(t):
            raise ValueError
        return date.fromisoformat(t)
    except ValueError:
        raise LifecycleError(f"{what}「{text}」不是有效日期（应为 YYYY-MM-DD）") from None


def _d(v) -> date:
    return v if isinstance(v, date) else date.fromisoformat(v)
