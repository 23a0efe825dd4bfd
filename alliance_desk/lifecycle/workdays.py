"""Working days: the holiday calendar with its 调休 make-up working days, and publicity periods.

A day is a working day when it is Monday–Friday and not a holiday, or when it is a make-up
working day (调休上班, usually a Saturday or Sunday next to a long holiday).

Two sources, one interface (`WorkCalendar`):
- `WorkCalendar.from_library()` reads the chinese-calendar package directly (it covers 2004–2026 in
  version 1.11 and raises NotImplementedError for later years);
- `load_calendar(db)` reads the calendar stored in the database (tables `calendar_years` and
  `calendar_days`), which is seeded from the library for every year the library covers and which
  the office extends for later years from the State Council's annual notice (`set_year`).

A period that reaches a year the calendar does not cover raises `CalendarMissing` naming that year:
it is never silently computed on weekends alone (spec README § Working days).

Publicity periods (公示期, e.g. Anshan 002 § 第九条4: 5 个工作日) start on START if it is a working day,
else on the first working day after it; the period ends on its N-th working day. Regions whose
pack says `unit = "calendar"` count N calendar days from START instead.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Iterable
from db.session import unit_of_work

SOURCE_LIBRARY = "chinese-calendar"
SOURCE_OFFICE = "office"
HOLIDAY, WORKDAY = "holiday", "workday"
UNIT_WORKING, UNIT_CALENDAR = "working", "calendar"
MAX_PERIOD_DAYS = 3660  # a publicity period is days or weeks; refuse nonsense, never loop for ever

# chinese-calendar names its holidays in English
HOLIDAY_NAMES_ZH = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


class CalendarError(ValueError):
    """A refused calendar operation; the message is Chinese."""


class CalendarMissing(CalendarError):
    """The calendar has no holiday data for `year`."""

    def __init__(self, year: int, source: str = ""):
        self.year = year
        where = "数据库中的节假日日历" if source == "database" else "节假日日历"
        hint = ("请先录入该年度的法定节假日和调休上班日（alliance-desk calendar set-year）"
                if source == "database" else "请使用 --db 指定数据库并录入该年度的节假日安排")
        super().__init__(f"{where}没有 {year} 年的节假日和调休数据，无法计算工作日；{hint}")


def zh_date(d: date) -> str:
    """2025年10月8日 (GB/T 9704-2012 § 7.3.5: Arabic numerals, no leading zeros)."""
    return f"{d.year}年{d.month}月{d.day}日"


@dataclass(frozen=True)
class Period:
    start: date   # the first day counted
    end: date     # the last day counted
    days: int
    unit: str

    @property
    def unit_text(self) -> str:
        return "个工作日" if self.unit == UNIT_WORKING else "天"

    def text(self) -> str:
        """2025年9月30日至2025年10月13日（5个工作日）"""
        return f"{zh_date(self.start)}至{zh_date(self.end)}（{self.days}{self.unit_text}）"


@dataclass(frozen=True)
class Entry:
    day: date
    kind: str      # HOLIDAY | WORKDAY
    name: str
    source: str


class WorkCalendar:
    """Holidays and make-up working days for a set of covered years (in memory)."""

    def __init__(self, years: Iterable[int], holidays: dict[date, str], workdays: dict[date, str],
                 source: str = "database"):
        self.years = frozenset(years)
        self.holidays = holidays
        self.workdays = workdays
        self.source = source

    @classmethod
    def from_library(cls) -> "WorkCalendar":
        from chinese_calendar import constants

        years = library_years()
        hol = {d: HOLIDAY_NAMES_ZH.get(str(n), str(n)) for d, n in constants.holidays.items()}
        work = {d: HOLIDAY_NAMES_ZH.get(str(n), str(n)) for d, n in constants.workdays.items()}
        return cls(years, hol, work, source="library")

    def covers(self, year: int) -> bool:
        return year in self.years

    def _need(self, d: date) -> None:
        if d.year not in self.years:
            raise CalendarMissing(d.year, self.source)

    def is_workday(self, d: date) -> bool:
        self._need(d)
        if d in self.workdays:
            return True
        return d.weekday() < 5 and d not in self.holidays

    def describe(self, d: date) -> str:
        """工作日 / 周末 / 国庆节 / 调休上班（国庆节）"""
        self._need(d)
        if d in self.workdays:
            return f"调休上班（{self.workdays[d]}）" if self.workdays[d] else "调休上班"
        if d in self.holidays:
            return self.holidays[d] or "节假日"
        return "工作日" if d.weekday() < 5 else "周末"

    def first_workday(self, d: date) -> date:
        """`d` if it is a working day, else the next one."""
        for _ in range(MAX_PERIOD_DAYS):
            if self.is_workday(d):
                return d
            d += timedelta(days=1)
        raise CalendarError(f"{zh_date(d)} 之后 {MAX_PERIOD_DAYS} 天内没有工作日，请检查节假日日历")


def period(calendar: WorkCalendar | None, start: date, days: int, unit: str = UNIT_WORKING) -> Period:
    """The period of `days` working (or calendar) days that starts on `start` (working days: on the
    first working day on or after `start`)."""
    if not isinstance(days, int) or isinstance(days, bool) or days < 1:
        raise CalendarError(f"天数应为正整数，实际为 {days!r}")
    if days > MAX_PERIOD_DAYS:
        raise CalendarError(f"天数 {days} 过大（至多 {MAX_PERIOD_DAYS}）")
    if unit == UNIT_CALENDAR:
        return Period(start, start + timedelta(days=days - 1), days, unit)
    if unit != UNIT_WORKING:
        raise CalendarError(f"期限单位应为 working（工作日）或 calendar（自然日），实际为「{unit}」")
    if calendar is None:
        raise CalendarError("按工作日计算需要节假日日历")
    first = calendar.first_workday(start)
    d, counted = first, 1
    while counted < days:
        d += timedelta(days=1)
        if calendar.is_workday(d):
            counted += 1
    return Period(first, d, days, unit)


def publicity_end(calendar: WorkCalendar, start: date, days: int) -> date:
    """Last day of a publicity period of `days` working days whose first day is `start` (or the first
    working day after it)."""
    return period(calendar, start, days, UNIT_WORKING).end


# ------------------------------------------------------------------ the library

def library_years() -> range:
    from chinese_calendar import constants

    return range(min(constants.holidays).year, max(constants.holidays).year + 1)


def library_entries(year: int) -> list[Entry]:
    from chinese_calendar import constants

    out = [Entry(d, HOLIDAY, HOLIDAY_NAMES_ZH.get(str(n), str(n)), SOURCE_LIBRARY)
           for d, n in constants.holidays.items() if d.year == year]
    out += [Entry(d, WORKDAY, HOLIDAY_NAMES_ZH.get(str(n), str(n)), SOURCE_LIBRARY)
            for d, n in constants.workdays.items() if d.year == year]
    return sorted(out, key=lambda e: e.day)


# ------------------------------------------------------------------ the stored calendar

def _now() -> datetime:
    return datetime.now().replace(microsecond=0)


def seed_from_library(db) -> list[int]:
    """Add every year the library covers and the database lacks (in its own transaction, or inside
    the caller's when `db` is a Session).
    Years already stored — from the library or entered by the office — are left alone."""
    from sqlalchemy import insert, select

    from db.models_documents import CalendarDay, CalendarYear

    with unit_of_work(db, write=True) as session:
        have = set(session.scalars(select(CalendarYear.year)))
        missing = [y for y in library_years() if y not in have]
        if not missing:
            return []
        from chinese_calendar import constants

        wanted = set(missing)
        rows = [{"day": d, "year": d.year, "kind": HOLIDAY, "name": HOLIDAY_NAMES_ZH.get(str(n), str(n)),
                 "source": SOURCE_LIBRARY} for d, n in constants.holidays.items() if d.year in wanted]
        rows += [{"day": d, "year": d.year, "kind": WORKDAY, "name": HOLIDAY_NAMES_ZH.get(str(n), str(n)),
                  "source": SOURCE_LIBRARY} for d, n in constants.workdays.items() if d.year in wanted]
        now = _now()
        session.execute(insert(CalendarYear), [{"year": y, "source": SOURCE_LIBRARY,
                                                "note": "由 chinese-calendar 预置", "updated_at": now}
                                               for y in missing])
        if rows:
            session.execute(insert(CalendarDay), rows)
        return missing


def ensure_seeded(db) -> list[int]:
    """Seed the stored calendar from the library (the name callers outside a transaction use)."""
    return seed_from_library(db)


def calendar_from_session(db) -> WorkCalendar:
    from sqlalchemy import select

    from db.models_documents import CalendarDay, CalendarYear

    with unit_of_work(db) as session:
        years = set(session.scalars(select(CalendarYear.year)))
        hol: dict[date, str] = {}
        work: dict[date, str] = {}
        for day, kind, name in session.execute(select(CalendarDay.day, CalendarDay.kind, CalendarDay.name)):
            (work if kind == WORKDAY else hol)[day] = name or ""
        return WorkCalendar(years, hol, work, source="database")


def load_calendar(db) -> WorkCalendar:
    """The stored calendar, seeded from the library first (years it covers and the DB lacks)."""
    ensure_seeded(db)
    with unit_of_work(db) as s:
        return calendar_from_session(s)


@dataclass(frozen=True)
class YearInfo:
    year: int
    source: str
    note: str
    holidays: int
    workdays: int


def covered_years(db) -> list[YearInfo]:
    from sqlalchemy import func, select

    from db.models_documents import CalendarDay, CalendarYear

    with unit_of_work(db) as session:
        counts: dict[tuple[int, str], int] = {}
        for year, kind, n in session.execute(select(CalendarDay.year, CalendarDay.kind, func.count())
                                             .group_by(CalendarDay.year, CalendarDay.kind)):
            counts[(year, kind)] = n
        return [YearInfo(y.year, y.source, y.note or "", counts.get((y.year, HOLIDAY), 0),
                         counts.get((y.year, WORKDAY), 0))
                for y in session.scalars(select(CalendarYear).order_by(CalendarYear.year))]


def year_entries(db, year: int) -> list[Entry]:
    from sqlalchemy import select

    from db.models_documents import CalendarDay

    with unit_of_work(db) as session:
        return [Entry(r.day, r.kind, r.name or "", r.source)
                for r in session.scalars(select(CalendarDay).where(CalendarDay.year == year)
                                         .order_by(CalendarDay.day))]


def set_year(db, year: int, holidays: Iterable[tuple[date, str]], workdays: Iterable[tuple[date, str]],
             note: str = "", source: str = SOURCE_OFFICE) -> YearInfo:
    """Store (or replace) one year's holidays and make-up working days, in one transaction.

    Checks: every date lies in `year`; a make-up working day is a Saturday or Sunday; no date is both."""
    from sqlalchemy import delete, insert

    from db.models_documents import CalendarDay, CalendarYear

    if not 1900 < year < 2200:
        raise CalendarError(f"年份 {year} 无效")
    hol = dict(holidays)
    work = dict(workdays)
    problems = []
    for d in sorted(set(hol) | set(work)):
        if d.year != year:
            problems.append(f"{d.isoformat()} 不在 {year} 年内")
    for d in sorted(work):
        if d.weekday() < 5:
            problems.append(f"{d.isoformat()} 是周{'一二三四五'[d.weekday()]}，本来就是工作日，不能登记为调休上班日")
        if d in hol:
            problems.append(f"{d.isoformat()} 不能既是节假日又是调休上班日")
    if problems:
        raise CalendarError("；".join(problems))
    from alliance_desk.store import audit

    with unit_of_work(db, write=True) as s:
        before = _year_payload(s, year)
        s.execute(delete(CalendarDay).where(CalendarDay.year == year))
        row = s.get(CalendarYear, year)
        if row is None:
            row = CalendarYear(year=year)
            s.add(row)
        row.source, row.note, row.updated_at = source, note, _now()
        rows = [{"day": d, "year": year, "kind": HOLIDAY, "name": n, "source": source} for d, n in hol.items()]
        rows += [{"day": d, "year": year, "kind": WORKDAY, "name": n, "source": source} for d, n in work.items()]
        if rows:
            s.execute(insert(CalendarDay), rows)
        # deadlines and publicity periods are counted on this calendar: who changed it is on record
        audit.record(s, None, "calendar_year", "calendar", year, before,
                     {"source": source, "note": note, "holidays": {d.isoformat(): n for d, n in sorted(hol.items())},
                      "workdays": {d.isoformat(): n for d, n in sorted(work.items())}})
    return YearInfo(year, source, note, len(hol), len(work))


def _year_payload(session, year: int) -> dict | None:
    from sqlalchemy import select

    from db.models_documents import CalendarDay, CalendarYear

    row = session.get(CalendarYear, year)
    if row is None:
        return None
    days = session.execute(select(CalendarDay.day, CalendarDay.kind, CalendarDay.name)
                           .where(CalendarDay.year == year).order_by(CalendarDay.day)).all()
    return {"source": row.source, "note": row.note,
            "holidays": {d.isoformat(): n or "" for d, k, n in days if k == HOLIDAY},
            "workdays": {d.isoformat(): n or "" for d, k, n in days if k == WORKDAY}}


def remove_year(db, year: int) -> bool:
    """Forget a year (a library year comes back from the library at the next seeding)."""
    from sqlalchemy import delete

    from db.models_documents import CalendarDay, CalendarYear

    from alliance_desk.store import audit

    with unit_of_work(db, write=True) as s:
        before = _year_payload(s, year)
        s.execute(delete(CalendarDay).where(CalendarDay.year == year))
        gone = s.execute(delete(CalendarYear).where(CalendarYear.year == year)).rowcount > 0
        if gone:
            audit.record(s, None, "calendar_remove", "calendar", year, before, None)
        return gone


_SPEC = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})\s*(?:\.\.\s*(\d{4}-\d{2}-\d{2}))?\s*(?:[=:：]\s*(.*?))?\s*$")


def parse_days(spec: str) -> list[tuple[date, str]]:
    """'2027-10-01..2027-10-07=国庆节' or '2027-09-26=国庆节' or '2027-01-01' -> [(date, name), …]."""
    m = _SPEC.match(spec or "")
    if not m:
        raise CalendarError(f"无法识别「{spec}」：应为 YYYY-MM-DD、YYYY-MM-DD..YYYY-MM-DD，可加 =名称")
    try:
        first = date.fromisoformat(m.group(1))
        last = date.fromisoformat(m.group(2)) if m.group(2) else first
    except ValueError:
        raise CalendarError(f"「{spec}」中的日期无效") from None
    if last < first:
        raise CalendarError(f"「{spec}」的结束日期早于开始日期")
    if (last - first).days > 31:
        raise CalendarError(f"「{spec}」跨度超过 31 天")
    name = m.group(3) or ""
    return [(first + timedelta(days=i), name) for i in range((last - first).days + 1)]
