"""Working-day deadlines against the official 2026 National Day arrangement."""

import datetime as dt

import pytest

from models.workdays import add_working_days


def test_national_day_week_is_skipped_and_make_up_saturday_counts():
    # 2026: Oct 1-7 holidays; Saturday Oct 10 is a make-up working day; Sep 30 is a Wednesday.
    deadline = add_working_days(dt.date(2026, 9, 30), 3)
    assert deadline.due_on == dt.date(2026, 10, 10)
    assert deadline.calendar_complete


def test_ordinary_week_counts_monday_to_friday():
    assert add_working_days(dt.date(2026, 11, 20), 5).due_on == dt.date(2026, 11, 27)


def test_unknown_year_falls_back_to_weekdays_and_says_so():
    deadline = add_working_days(dt.date(2099, 1, 2), 1)  # a Friday
    assert deadline.due_on == dt.date(2099, 1, 5)
    assert not deadline.calendar_complete


def test_negative_count_is_rejected():
    with pytest.raises(ValueError, match="working_days"):
        add_working_days(dt.date(2026, 1, 1), -1)
