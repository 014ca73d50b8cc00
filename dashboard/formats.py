"""The one place numbers, percentages, dates and empty cells are formatted, for tables, charts and exports.

Text for people (metrics, captions, messages) comes from the ``format_*`` functions; charts take the
matching d3 formats (`D3_INT`, `d3_percent`); tables keep numbers as numbers and are shown with
`percent_column_format` (see `dashboard.tables.show_table`), so that exports keep numbers too.
A view shows its percentages with one precision (`PERCENT_DIGITS` unless the view says otherwise).
An empty value (None, NaN, NaT) is shown as `EMPTY`, never as "None" or "nan".
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

EMPTY = "—"
PERCENT_DIGITS = 1  # the precision of percentages in every view that does not choose its own
D3_INT = ",.0f"  # counts on axes, legends and tooltips: 3,028, never 3,028.000000


def is_empty(value: object) -> bool:
    """True for None, NaN, NaT and pd.NA (pandas' missing values); False for anything else."""
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # a list or an array: not one missing value
        return False


def format_int(value: float | int | None) -> str:
    """A count with thousands separators (``3,028``); `EMPTY` for a missing value."""
    return EMPTY if is_empty(value) else f"{round(value):,}"


def format_number(value: float | None, digits: int = 1) -> str:
    """A number with ``digits`` decimals and thousands separators; `EMPTY` for a missing value."""
    return EMPTY if is_empty(value) else f"{value:,.{digits}f}"


def format_pct(value: float | None, digits: int = PERCENT_DIGITS) -> str:
    """A share in [0, 1] as a percentage with ``digits`` decimals (``0.2`` -> ``20.0%``)."""
    return EMPTY if is_empty(value) else f"{100 * value:.{digits}f}%"


def format_points(change: float, digits: int = PERCENT_DIGITS) -> str:
    """A change of a share in percentage points, signed (``0.012`` -> ``+1.2``)."""
    return f"{100 * change:+.{digits}f}"


def format_delta(current: float, previous: float, digits: int = PERCENT_DIGITS) -> str | None:
    """Signed change with its relative size (``+1,234 (+5.6%)``); None when there is nothing to compare."""
    change = current - previous
    if previous:
        return f"{round(change):+,} ({100 * change / previous:+.{digits}f}%)"
    return f"{round(change):+,}" if change else None


def format_date(day: dt.date | None) -> str:
    """An ISO date (``2026-06-30``), the same in both languages; `EMPTY` for a missing date."""
    return EMPTY if is_empty(day) else day.isoformat()


_MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September")
_MONTHS_EN += ("October", "November", "December")


def format_month(day: dt.date, language: str) -> str:
    """The month of ``day``: ``2025年6月`` in Chinese, ``June 2025`` in English."""
    if language == "zh":
        return f"{day.year}年{day.month}月"
    return f"{_MONTHS_EN[day.month - 1]} {day.year}"


def d3_percent(digits: int = PERCENT_DIGITS) -> str:
    """The d3 format of a share as a percentage with ``digits`` decimals (charts' axes and tooltips)."""
    return f".{digits}%"


def decimal_column_format(digits: int = 1) -> str:
    """The printf format of a table column of numbers with ``digits`` decimals: ``%.1f``."""
    return f"%.{digits}f"


def percent_column_format(digits: int = PERCENT_DIGITS) -> str:
    """The printf format of a table column holding percentages (shares times 100): ``%.1f%%``."""
    return f"%.{digits}f%%"
