"""Publication deadlines counted in Chinese working days (holidays and make-up working days count).

``chinese_calendar`` carries the State Council's holiday arrangements year by year; for a year it does
not know yet, the count falls back to Monday-Friday and says so, rather than guessing holidays.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import chinese_calendar


@dataclass(frozen=True)
class Deadline:
    """The deadline and whether every day on the way was covered by the official calendar."""

    due_on: dt.date
    calendar_complete: bool


def _is_workday(day: dt.date) -> tuple[bool, bool]:
    try:
        return chinese_calendar.is_workday(day), True
    except NotImplementedError:
        return day.weekday() < 5, False


def add_working_days(start: dt.date, working_days: int) -> Deadline:
    """The date ``working_days`` working days after ``start`` (``start`` itself not counted)."""
    if working_days < 0:
        raise ValueError(f"working_days must be >= 0, got {working_days}")
    day, remaining, complete = start, working_days, True
    while remaining:
        day += dt.timedelta(days=1)
        workday, known = _is_workday(day)
        complete = complete and known
        remaining -= workday
    return Deadline(due_on=day, calendar_complete=complete)
