"""Working days: the library calendar and the stored, editable one (spec README § Working days).

The 2025 National Day holiday is the reference: 2025-10-01..08 are off; Sunday 2025-09-28 and
Saturday 2025-10-11 are make-up working days (调休上班)."""
from __future__ import annotations

from datetime import date

import pytest

from alliance_desk.lifecycle import workdays as w


@pytest.fixture(scope="module")
def lib():
    return w.WorkCalendar.from_library()


def d(text: str) -> date:
    return date.fromisoformat(text)


@pytest.mark.parametrize("day,working", [
    ("2025-09-26", True), ("2025-09-27", False), ("2025-09-28", True), ("2025-09-30", True),
    ("2025-10-01", False), ("2025-10-04", False), ("2025-10-08", False), ("2025-10-09", True),
    ("2025-10-11", True), ("2025-10-12", False),
])
def test_national_day_2025_days(lib, day, working):
    assert lib.is_workday(d(day)) is working


@pytest.mark.parametrize("start,n,first,end", [
    ("2025-09-28", 5, "2025-09-28", "2025-10-10"),   # starts on the Sunday make-up day
    ("2025-09-30", 5, "2025-09-30", "2025-10-13"),   # Saturday 10-11 counts, Sunday 10-12 does not
    ("2025-09-27", 1, "2025-09-28", "2025-09-28"),   # a plain Saturday: the period starts on Sunday's make-up day
    ("2025-10-01", 1, "2025-10-09", "2025-10-09"),   # a holiday start moves to the first working day
    ("2025-10-03", 3, "2025-10-09", "2025-10-11"),
    ("2025-09-29", 2, "2025-09-29", "2025-09-30"),
])
def test_periods_across_national_day(lib, start, n, first, end):
    per = w.period(lib, d(start), n)
    assert (per.start, per.end) == (d(first), d(end))
    assert w.publicity_end(lib, d(start), n) == d(end)


def test_period_text(lib):
    assert w.period(lib, d("2025-09-30"), 5).text() == "2025年9月30日至2025年10月13日（5个工作日）"
    assert w.period(None, d("2025-09-30"), 5, w.UNIT_CALENDAR).text() == "2025年9月30日至2025年10月4日（5天）"


def test_years_without_data_are_refused(lib):
    last = max(w.library_years())          # 2026 with chinese-calendar 1.11
    missing = last + 1
    with pytest.raises(w.CalendarMissing) as exc:
        w.period(lib, date(last, 12, 28), 10)  # at most four working days are left in December
    assert exc.value.year == missing and str(missing) in str(exc.value)
    with pytest.raises(w.CalendarMissing) as exc:
        w.period(lib, date(missing, 3, 1), 1)
    assert exc.value.year == missing
    # a period ending inside the last covered year needs no later data
    end = w.period(lib, date(last, 12, 1), 3).end
    assert end.year == last


def test_bad_counts_are_refused(lib):
    for n in (0, -3):
        with pytest.raises(w.CalendarError):
            w.period(lib, d("2025-09-30"), n)
    with pytest.raises(w.CalendarError):
        w.period(lib, d("2025-09-30"), 3, "weeks")


def test_stored_calendar_is_seeded_and_answers_like_the_library(db, lib):
    cal = w.load_calendar(db)
    assert set(w.library_years()) <= cal.years
    for start, n in (("2025-09-28", 5), ("2025-09-30", 5), ("2024-04-30", 3), ("2024-02-08", 10)):
        assert w.period(cal, d(start), n) == w.period(lib, d(start), n)
    assert cal.describe(d("2025-10-11")) == "调休上班（国庆节）"
    assert cal.describe(d("2025-10-03")) == "国庆节"
    with db.Session() as s:
        info = {y.year: y for y in w.covered_years(s)}
    assert info[2025].source == w.SOURCE_LIBRARY and info[2025].workdays == 5
    assert w.ensure_seeded(db) == []  # seeding twice adds nothing


def test_office_enters_a_later_year(db):
    assert max(w.library_years()) == 2026, "the test's dates assume chinese-calendar 1.11 (2004–2026)"
    w.ensure_seeded(db)
    with pytest.raises(w.CalendarMissing):
        w.period(w.load_calendar(db), d("2026-12-28"), 5)
    hol = w.parse_days("2027-01-01..2027-01-03=元旦")
    work = w.parse_days("2027-01-09=元旦")   # a Saturday
    info = w.set_year(db, 2027, hol, work, note="国务院办公厅通知（测试）")
    assert (info.holidays, info.workdays) == (3, 1)
    cal = w.load_calendar(db)
    # 2026-12-28..31 are 4 working days; 2027-01-01..03 off; Monday 2027-01-04 is the 5th
    assert w.period(cal, d("2026-12-28"), 5).end == d("2027-01-04")
    assert cal.is_workday(d("2027-01-09"))
    # the office's year survives seeding; replacing it is one transaction
    w.ensure_seeded(db)
    with db.Session() as s:
        assert [e.day for e in w.year_entries(s, 2027)] == [d("2027-01-01"), d("2027-01-02"), d("2027-01-03"),
                                                             d("2027-01-09")]
    w.set_year(db, 2027, [(d("2027-01-01"), "元旦")], [])
    with db.Session() as s:
        assert len(w.year_entries(s, 2027)) == 1


def test_set_year_refuses_inconsistent_days(db):
    with pytest.raises(w.CalendarError, match="本来就是工作日"):
        w.set_year(db, 2027, [], [(d("2027-01-04"), "")])           # a Monday as a make-up day
    with pytest.raises(w.CalendarError, match="不在 2027 年内"):
        w.set_year(db, 2027, [(d("2028-01-01"), "元旦")], [])
    with pytest.raises(w.CalendarError, match="既是节假日又是调休上班日"):
        w.set_year(db, 2027, [(d("2027-01-09"), "")], [(d("2027-01-09"), "")])
    with db.Session() as s:
        assert 2027 not in {y.year for y in w.covered_years(s)}


def test_an_edited_library_year_is_used_and_removal_restores_it(db):
    w.ensure_seeded(db)
    # the office corrects 2025: no National Day holiday at all (a made-up case)
    w.set_year(db, 2025, [], [])
    assert w.load_calendar(db).is_workday(d("2025-10-02"))
    assert w.remove_year(db, 2025)
    assert not w.load_calendar(db).is_workday(d("2025-10-02"))  # seeded again from the library


def test_parse_days():
    assert w.parse_days("2027-10-01..2027-10-03=国庆节") == [(d("2027-10-01"), "国庆节"), (d("2027-10-02"), "国庆节"),
                                                           (d("2027-10-03"), "国庆节")]
    assert w.parse_days("2027-09-26") == [(d("2027-09-26"), "")]
    for bad in ("2027/10/01", "2027-10-05..2027-10-01", "2027-02-30", "2027-01-01..2027-03-01"):
        with pytest.raises(w.CalendarError):
            w.parse_days(bad)
