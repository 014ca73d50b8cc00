"""One exception type for every bad input or impossible request, and the checks that raise it."""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable
from numbers import Integral, Real

__all__ = [
    "MAX_COUNT",
    "MAX_REPLICATIONS",
    "MAX_SEED",
    "InfeasibleAssignmentError",
    "RecordFormatError",
    "SamplerError",
    "check_choice",
    "check_confidence",
    "check_int",
    "check_rate",
]

#: Largest seed of any random act: the largest integer a browser's number widget holds exactly
#: (2**53 - 1), and so what the planner's seed widget, plan files, the command line and the store's
#: BIGINT seed columns all accept.
MAX_SEED = 2**53 - 1
#: Largest population, sample size, count or team size that plan files and the command line take: far
#: above any register (a national one holds some 10**7 certificates), low enough that the exact tail
#: sums stay quick and every value fits a C long and a database INTEGER.
MAX_COUNT = 10**9
#: Most Monte Carlo replications a plan file or the command line may ask for: a replication keeps one
#: count per stratum, so 10**6 replications of 31 provinces already hold a quarter of a gigabyte.
MAX_REPLICATIONS = 10**6


class SamplerError(ValueError):
    """A sampler input is invalid or a request has no solution.

    Parameters
    ----------
    message : str
        One line that names the offending field and says what is wrong.
    field : str, optional
        Name of the offending field (a function argument or a plan-file key).
    code : str, optional
        The kind of problem, for translation (``tolerable_not_above_expected`` ...); the class
        default when not given. A user interface shows the text of the code with ``fields``,
        the English ``message`` is for logs and the command line.
    **fields
        The values the translated text names (``tolerable=0.05, expected=0.2``).
    """

    code: str | None = None

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None, **fields: object):
        super().__init__(message)
        self.field = field
        if code is not None:
            self.code = code
        self.fields = fields


class InfeasibleAssignmentError(SamplerError):
    """No team assignment satisfies every eligibility rule and the workload cap."""

    code = "assignment_infeasible"


class RecordFormatError(SamplerError):
    """A draw record is not shaped as `sampler.run.run_draw` writes it (missing key, wrong JSON type).

    ``field`` holds the JSON path of the offending value (``draw.units[3].stratum``).
    """

    code = "record_format"


def check_rate(value: object, field: str, *, allow_zero: bool = True, allow_one: bool = True) -> float:
    """Return ``value`` as a float in [0, 1] (ends excluded on request) or raise `SamplerError`."""
    if isinstance(value, bool) or not isinstance(value, Real) or math.isnan(float(value)):
        raise SamplerError(
            f"{field} must be a number between 0 and 1, got {value!r}",
            field=field,
            code="not_a_rate",
            name=field,
            value=value,
        )
    number = float(value)
    low_ok = number > 0 or (allow_zero and number == 0)
    high_ok = number < 1 or (allow_one and number == 1)
    if not (low_ok and high_ok):
        low = "[0" if allow_zero else "(0"
        high = "1]" if allow_one else "1)"
        raise SamplerError(
            f"{field} must lie in {low}, {high}, got {value!r}",
            field=field,
            code="rate_out_of_range",
            name=field,
            low=low,
            high=high,
            value=value,
        )
    return number


def check_confidence(value: object, field: str = "confidence") -> float:
    """Return a confidence level (or a test level alpha) strictly inside (0, 1)."""
    return check_rate(value, field, allow_zero=False, allow_one=False)


def check_int(value: object, field: str, *, minimum: int = 0, maximum: int | None = None) -> int:
    """Return ``value`` as an int in [``minimum``, ``maximum``] or raise `SamplerError`."""

    def not_whole() -> SamplerError:
        message = f"{field} must be a whole number, got {value!r}"
        return SamplerError(message, field=field, code="not_whole", name=field, value=value)

    if isinstance(value, bool):
        raise not_whole()
    if isinstance(value, Real) and not isinstance(value, Integral):
        if not float(value).is_integer():
            raise not_whole()
        value = int(value)
    if not isinstance(value, Integral):
        raise not_whole()
    if value < minimum:
        raise SamplerError(
            f"{field} must be at least {minimum}, got {value}",
            field=field,
            code="too_small",
            name=field,
            minimum=minimum,
            value=value,
        )
    if maximum is not None and value > maximum:
        raise SamplerError(
            f"{field} must be at most {maximum}, got {value}",
            field=field,
            code="too_large",
            name=field,
            maximum=maximum,
            value=value,
        )
    return int(value)


def check_choice(value: object, field: str, choices: Iterable[str]) -> str:
    """Return ``value`` if it is one of ``choices``; otherwise raise with a close-match suggestion."""
    options = list(choices)
    if isinstance(value, str) and value in options:
        return value
    hint = ""
    if isinstance(value, str):
        close = difflib.get_close_matches(value, options, n=1)
        if close:
            hint = f" (did you mean {close[0]!r}?)"
    raise SamplerError(
        f"unknown {field} {value!r}{hint}; choose one of: {', '.join(options)}",
        field=field,
        code="unknown_choice",
        name=field,
        value=value,
        choices=options,
    )
