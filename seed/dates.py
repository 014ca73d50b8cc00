"""Date helpers on numpy ``datetime64[D]`` arrays."""

from __future__ import annotations

import datetime as dt

import numpy as np

NAT = np.datetime64("NaT", "D")
DAY = np.timedelta64(1, "D")


def day(value: dt.date | str) -> np.datetime64:
    """One ``datetime64[D]``."""
    return np.datetime64(value, "D")


def year_start(year: int) -> np.datetime64:
    """January 1st of ``year``."""
    return np.datetime64(f"{year}-01-01", "D")


def uniform_days(rng: np.random.Generator, start, end, n: int | None = None) -> np.ndarray:
    """Days drawn uniformly from ``[start, end]`` (both ``datetime64[D]``, scalars or arrays)."""
    start = np.asarray(start, dtype="datetime64[D]")
    end = np.asarray(end, dtype="datetime64[D]")
    span = (end - start).astype(np.int64) + 1
    size = n if n is not None else np.broadcast(start, end).shape
    offsets = np.floor(rng.random(size) * span).astype(np.int64)
    return start + offsets.astype("timedelta64[D]")


def add_years(days, years: int) -> np.ndarray:
    """The same calendar day ``years`` later; 29 February becomes 28 February in a common year."""
    dates = np.asarray(days, dtype="datetime64[D]")
    month = dates.astype("datetime64[M]")
    day_of_month = dates - month.astype("datetime64[D]")
    target = month + np.timedelta64(12 * years, "M")
    month_length = (target + 1).astype("datetime64[D]") - target.astype("datetime64[D]")
    return target.astype("datetime64[D]") + np.minimum(day_of_month, month_length - DAY)
