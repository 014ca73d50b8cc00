"""Numeric command-line options: one parser per kind, each failing with one line that names the option.

Options are taken as text and parsed here rather than by click, so that every bad value, on every
command, reads the same: ``error: --seed must be a whole number from 0 to 9007199254740991, got '-1'``
(exit 2). Only the ASCII digits count (``"１２"`` and ``"²"`` are refused, though Python's ``int`` reads
the first), and a number is refused before it is converted when its text is longer than any value the
option allows, so a thousand-digit "number" costs nothing.
"""

from __future__ import annotations

import datetime as dt
import math
import re

from cli.errors import fail
from sampler.errors import MAX_COUNT, MAX_REPLICATIONS, MAX_SEED

__all__ = [
    "EARLIEST_DATE",
    "MAX_COUNT",
    "MAX_ID",
    "MAX_REPLICATIONS",
    "MAX_SEED",
    "past_date",
    "real_number",
    "record_id",
    "required",
    "whole_number",
]

#: Earliest date a date option takes: before the register's oldest certificate, so no question about an
#: earlier day has an answer (and far from the end of Python's calendar).
EARLIEST_DATE = dt.date(1990, 1, 1)
_LONGEST_DATE = 32  # characters: longer text is no date anyone typed

#: Largest row id (campaign, institution, ...): the top of a signed 64-bit database INTEGER.
MAX_ID = 2**63 - 1

_WHOLE = re.compile(r"[+-]?[0-9]+")
_REAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_LONGEST_REAL = 64  # characters: longer text is not a number anyone typed


def required(value: object, option: str, metavar: str) -> None:
    """Fail with ``missing option OPTION METAVAR`` when ``value`` is None."""
    if value is None:
        fail(f"missing option {option} {metavar}")


def whole_number(text: str | None, option: str, *, minimum: int = 0, maximum: int) -> int | None:
    """``text`` as an int in [minimum, maximum] (None stays None); else one ``error:`` line, exit 2."""
    if text is None:
        return None
    bound = f"a whole number from {minimum} to {maximum}"
    stripped = text.strip()
    if not _WHOLE.fullmatch(stripped):
        fail(f"{option} must be {bound}, got {text!r}")
    if len(stripped.lstrip("+-").lstrip("0")) > len(str(max(abs(minimum), abs(maximum)))):
        fail(f"{option} must be {bound}, got a number of {len(stripped.lstrip('+-'))} digits")
    value = int(stripped)
    if not minimum <= value <= maximum:
        fail(f"{option} must be {bound}, got {value}")
    return value


def record_id(text: str | None, option: str) -> int | None:
    """``text`` as a row id in [1, MAX_ID] (None stays None); else one ``error:`` line naming ``option``."""
    return whole_number(text, option, minimum=1, maximum=MAX_ID)


def past_date(text: str | None, option: str) -> dt.date | None:
    """``text`` (YYYY-MM-DD) as a date from `EARLIEST_DATE` to today in China (UTC+8), None stays None;
    else one ``error:`` line naming ``option``, exit 2 (a future day has no register to answer for)."""
    if text is None:
        return None
    from models.outcome_entry import china_today  # lazy: `regdash plan size` starts without pandas

    latest = china_today()
    bound = f"a date YYYY-MM-DD from {EARLIEST_DATE.isoformat()} to {latest.isoformat()} (today in China)"
    try:
        day = dt.date.fromisoformat(text.strip()) if len(text) <= _LONGEST_DATE else None
    except ValueError:
        day = None
    if day is None or not EARLIEST_DATE <= day <= latest:
        fail(f"{option} must be {bound}, got {text[:_LONGEST_DATE]!r}")
    return day


def real_number(
    text: str | None,
    option: str,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    exclusive: bool = False,
) -> float | None:
    """``text`` as a finite float, optionally within bounds (open with ``exclusive``); else one line, exit 2.

    Decimal and scientific notation (``0.95``, ``5e-2``) are accepted; ``nan``, ``inf``, hexadecimal and
    non-ASCII digits are not.
    """
    if text is None:
        return None
    stripped = text.strip()
    if len(stripped) > _LONGEST_REAL or not _REAL.fullmatch(stripped):
        fail(f"{option} must be a number, got {text[:_LONGEST_REAL]!r}")
    value = float(stripped)
    if not math.isfinite(value):
        fail(f"{option} must be a finite number, got {text!r}")
    low_bad = minimum is not None and (value < minimum or (exclusive and value == minimum))
    high_bad = maximum is not None and (value > maximum or (exclusive and value == maximum))
    if low_bad or high_bad:
        low = "(" if exclusive else "["
        high = ")" if exclusive else "]"
        fail(f"{option} must lie in {low}{minimum}, {maximum}{high}, got {text!r}")
    return value
