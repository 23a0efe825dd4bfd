"""Calendar arithmetic in years: one reading of 29 February for rules, lifecycle, certificates,
demo and exports (working days live in `workdays`).

The reading (README, "Readings we chose"): a period of N years that starts on day D covers D up to
the day before D's N-th anniversary, both inclusive. The anniversary of 29 February in a common
year is 1 March, so a period counted from 29 February ends on 28 February — the same last day as
one counted from 28 February would end on the 27th, and one from 1 March on the last day of February.
"""
from __future__ import annotations

from datetime import date, timedelta


def add_years(d: date, years: int) -> date:
    """The same day `years` later (the anniversary); 29 February moves to 1 March in a common year."""
    try:
        return d.replace(year=d.year + years)
    except ValueError:
        return date(d.year + years, 3, 1)


def period_end(start: date, years: int) -> date:
    """The last day (inclusive) of a period of `years` years that starts on `start`."""
    return add_years(start, years) - timedelta(days=1)


def validity_end(start: date, years: int | None) -> date | None:
    """The last day of a validity of `years` years from `start`; None when the validity is unlimited (0)."""
    if not years:
        return None
    return period_end(start, years)


def covers_years(start: date, end: date, years: int) -> bool:
    """True when the span `start` … `end`, counted inclusively, is at least `years` full years
    (2023-09-08 … 2026-09-07 is exactly three)."""
    return end >= period_end(start, years)
