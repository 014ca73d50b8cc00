"""Publication deadlines counted in Chinese working days (holidays and make-up working days count).

``chinese_calendar`` carries the State Council's holiday arrangements year by year. For a year it
does not know yet, the count is an estimate on the usual arrangement and is marked provisional: the
weekends and the fixed-date statutory holidays (元旦 1 January, 劳动节 1-2 May, 国庆节 1-3 October,
per 《全国年节及纪念日放假办法》) are rest days; the lunar holidays (春节, 清明, 端午, 中秋) and the
make-up working days are not known until the State Council publishes the year's arrangement.
Updating the ``chinesecalendar`` package (README: "Holiday calendar") replaces the estimate.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import chinese_calendar

CHINA = ZoneInfo("Asia/Shanghai")
PUBLICATION_WORKING_DAYS = 20  # 一公开: results public within 20 working days of being formed
# Statutory holidays on fixed Gregorian dates: (month, day)
FIXED_HOLIDAYS = frozenset({(1, 1), (5, 1), (5, 2), (10, 1), (10, 2), (10, 3)})


@dataclass(frozen=True)
class Deadline:
    """The deadline, and the years on the way the official calendar did not cover (estimated)."""

    due_on: dt.date
    uncovered_years: tuple[int, ...] = ()

    @property
    def calendar_complete(self) -> bool:
        """Every day counted was in the official holiday calendar."""
        return not self.uncovered_years

    @property
    def provisional(self) -> bool:
        """The date is an estimate (see ``uncovered_years``) and may move when the calendar is updated."""
        return bool(self.uncovered_years)


def is_workday(day: dt.date) -> tuple[bool, bool]:
    """(whether ``day`` is a working day, whether the official calendar covers it).

    Outside the calendar: Monday to Friday minus the fixed-date statutory holidays.
    """
    try:
        return chinese_calendar.is_workday(day), True
    except NotImplementedError:
        return day.weekday() < 5 and (day.month, day.day) not in FIXED_HOLIDAYS, False


def add_working_days(start: dt.date, working_days: int) -> Deadline:
    """The date ``working_days`` working days after ``start`` (``start`` itself not counted)."""
    if working_days < 0:
        raise ValueError(f"working_days must be >= 0, got {working_days}")
    day, remaining, uncovered = start, working_days, set()
    while remaining:
        day += dt.timedelta(days=1)
        workday, known = is_workday(day)
        if not known:
            uncovered.add(day.year)
        remaining -= workday
    return Deadline(due_on=day, uncovered_years=tuple(sorted(uncovered)))
