"""One calendar of years (alliance_desk/dates.py): the README's reading of 29 February holds in the
rules, the lifecycle, the certificates and the dashboard alike."""
from __future__ import annotations

import calendar
import uuid
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alliance_desk import dates, lifecycle, store
from alliance_desk.exports.certificates import issue_certificates
from alliance_desk.rules.packs import get_pack
from db.session import open_database
from factory import eligible

LEAP_YEARS = [y for y in range(2004, 2097) if calendar.isleap(y)]


def test_add_years_moves_29_february_to_1_march():
    assert dates.add_years(date(2024, 2, 29), 1) == date(2025, 3, 1)
    assert dates.add_years(date(2024, 2, 29), 4) == date(2028, 2, 29)
    assert dates.add_years(date(2023, 9, 8), 3) == date(2026, 9, 8)


@pytest.mark.parametrize("start,years,end", [
    (date(2023, 9, 8), 3, date(2026, 9, 7)),    # the agreement term reading: inclusive
    (date(2024, 2, 29), 3, date(2027, 2, 28)),  # from 29 February: 28 February
    (date(2024, 2, 28), 3, date(2027, 2, 27)),
    (date(2024, 3, 1), 3, date(2027, 2, 28)),
    (date(2023, 3, 1), 1, date(2024, 2, 29)),   # into a leap year: its 29 February
])
def test_period_end(start, years, end):
    assert dates.period_end(start, years) == end
    assert dates.covers_years(start, end, years) and not dates.covers_years(start, end - timedelta(days=1), years)


def test_validity_end_none_when_unlimited():
    assert dates.validity_end(date(2024, 2, 29), 0) is None
    assert dates.validity_end(date(2024, 2, 29), None) is None


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    db = open_database(tmp_path_factory.mktemp("dates") / "office.sqlite")
    yield db
    db.dispose()


OUTCOME = {"anshan": "recognized", "jinzhong": "recognized", "chongqing": "pilot"}


@settings(max_examples=24, deadline=None)
@given(year=st.sampled_from(LEAP_YEARS), day=st.sampled_from([(2, 28), (2, 29), (3, 1)]),
       region=st.sampled_from(sorted(OUTCOME)))
def test_certificate_lifecycle_and_dashboard_agree_around_29_february(office, year, day, region):
    decided = date(year, *day)
    years = int(get_pack(region).validity["years"])
    doc = eligible(region)
    doc["id"] = str(uuid.uuid4())
    store.import_documents(office, [("", doc)])
    lifecycle.decide(office, doc["id"], OUTCOME[region], decided)

    with office.Session() as s:
        expires = lifecycle.alliance_status(s, doc["id"], decided).expires_on
        board = lifecycle.dashboard(s, date(expires.year, 1, 1))
    (cert,) = issue_certificates(office, [doc], region, decided)
    shown = {a.application_id: a.expires_on for a in board.expiring}

    assert cert.valid_until == expires == shown[doc["id"]] == dates.validity_end(decided, years)
    # the reading itself: from 29 February (and from 1 March) the last day of February, from 28 February the 27th
    last_feb = calendar.monthrange(year + years, 2)[1]
    want = date(year + years, 2, 27) if day == (2, 28) else date(year + years, 2, last_feb)
    assert expires == want
