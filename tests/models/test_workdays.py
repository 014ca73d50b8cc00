"""Working-day deadlines against the official arrangements 2024-2026, and beyond the calendar.

Each case counts to a State Council make-up working day (调休上班) on a weekend, across the Spring
Festival or National Day week: a Monday-Friday count would land elsewhere.
"""

import datetime as dt

import pytest

from models.workdays import FIXED_HOLIDAYS, add_working_days, is_workday

OFFICIAL = [
    # (start, working days, due, why)
    (dt.date(2024, 2, 8), 2, dt.date(2024, 2, 18), "2024 春节 Feb 10-17 off; Sun Feb 18 worked"),
    (
        dt.date(2024, 9, 27),
        7,
        dt.date(2024, 10, 12),
        "2024 国庆 Sun Sep 29 worked, Oct 1-7 off, Sat Oct 12 worked",
    ),
    (
        dt.date(2025, 1, 24),
        6,
        dt.date(2025, 2, 8),
        "2025 春节 Sun Jan 26 worked, Jan 28-Feb 4 off, Sat Feb 8",
    ),
    (
        dt.date(2025, 9, 26),
        6,
        dt.date(2025, 10, 11),
        "2025 国庆中秋 Sun Sep 28 worked, Oct 1-8 off, Sat Oct 11",
    ),
    (dt.date(2026, 2, 12), 7, dt.date(2026, 2, 28), "2026 春节 Sat Feb 14 worked, Feb 15-23 off, Sat Feb 28"),
    (
        dt.date(2026, 9, 18),
        11,
        dt.date(2026, 10, 10),
        "2026 Sun Sep 20 worked, 中秋 Sep 25, 国庆 Oct 1-7, Sat Oct 10",
    ),
]


@pytest.mark.parametrize(("start", "days", "due", "why"), OFFICIAL, ids=[case[3][:7] for case in OFFICIAL])
def test_holidays_are_skipped_and_make_up_days_count(start, days, due, why):
    deadline = add_working_days(start, days)
    assert deadline.due_on == due, why
    assert deadline.calendar_complete and not deadline.provisional


def test_twenty_working_days_across_national_day_2026():
    # results formed Wed 2026-09-30: Oct 1-7 off; Oct 8, 9, Sat 10 are 1-3, Oct 12-30 are 4-18,
    # Nov 2 and 3 are 19 and 20 (a Monday-Friday count would give Oct 28)
    assert add_working_days(dt.date(2026, 9, 30), 20).due_on == dt.date(2026, 11, 3)


def test_ordinary_week_counts_monday_to_friday():
    assert add_working_days(dt.date(2026, 11, 20), 5).due_on == dt.date(2026, 11, 27)


def test_into_an_uncovered_year_the_date_is_provisional_and_new_years_day_is_not_worked():
    # the case: 2026-12-04 + 20 working days; 2027-01-01 (a Friday) is New Year's Day
    deadline = add_working_days(dt.date(2026, 12, 4), 20)
    assert deadline.due_on == dt.date(2027, 1, 4)
    assert deadline.provisional and deadline.uncovered_years == (2027,)


def test_fixed_date_holidays_of_an_uncovered_year_are_rest_days_weekdays_otherwise():
    assert is_workday(dt.date(2027, 10, 1)) == (False, False)  # National Day, a Friday
    assert is_workday(dt.date(2027, 5, 3)) == (True, False)  # the usual May bridge is not guessed
    assert is_workday(dt.date(2027, 1, 2)) == (False, False)  # a Saturday
    assert {(1, 1), (5, 1), (5, 2), (10, 1), (10, 2), (10, 3)} == FIXED_HOLIDAYS
    assert add_working_days(dt.date(2027, 9, 30), 1).due_on == dt.date(2027, 10, 4)


def test_a_count_that_stays_inside_the_calendar_is_not_provisional():
    deadline = add_working_days(dt.date(2026, 12, 1), 3)
    assert deadline.due_on == dt.date(2026, 12, 4) and not deadline.provisional


def test_negative_count_is_rejected():
    with pytest.raises(ValueError, match="working_days"):
        add_working_days(dt.date(2026, 1, 1), -1)
