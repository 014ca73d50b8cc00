"""Estimate non-conformity rates from inspection outcomes: per stratum and weighted national."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from sampler.errors import SamplerError, check_choice, check_confidence

__all__ = [
    "INTERVALS",
    "WeightedEstimate",
    "clopper_pearson",
    "stratum_rates",
    "weighted_arrays",
    "weighted_estimate",
    "wilson",
]


def wilson(deviations, n, *, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Two-sided Wilson score interval for a binomial proportion (vectorised).

    Parameters
    ----------
    deviations, n : array_like
        Deviations x and trials n (broadcast together); x may be fractional (an effective count),
        0 <= x <= n, n >= 1.
    confidence : float
        Two-sided confidence in (0, 1).

    Returns
    -------
    low, high : numpy.ndarray
        The limits; exactly 0 when x = 0 and exactly 1 when x = n (the closed form would leave
        rounding noise such as 5.6e-17 or 0.9999999999999999 there).

    Raises
    ------
    SamplerError
        On n < 1, x outside [0, n] or a confidence outside (0, 1).
    """
    confidence = check_confidence(confidence)
    x, n = _counts(deviations, n)
    z = stats.norm.ppf(0.5 + confidence / 2)
    p = x / n
    denominator = 1 + z**2 / n
    centre = (p + z**2 / (2 * n)) / denominator
    half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denominator
    low = np.where(x == 0, 0.0, np.clip(centre - half, 0, 1))
    high = np.where(x == n, 1.0, np.clip(centre + half, 0, 1))
    return low[()], high[()]  # scalars stay scalars


def clopper_pearson(deviations, n, *, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Two-sided exact (Clopper-Pearson) interval for a binomial proportion (vectorised).

    ``low = beta.ppf(alpha/2, x, n - x + 1)`` (0 when x = 0) and
    ``high = beta.ppf(1 - alpha/2, x + 1, n - x)`` (1 when x = n). A fractional (effective) count x
    is used as the beta shape as it is: 0.2 of 100 gives ``beta.ppf(0.025, 0.2, 100.8)`` = 6.3e-11.

    Parameters
    ----------
    deviations, n : array_like
        Deviations x (possibly fractional) and trials n >= 1, broadcast together, 0 <= x <= n.
    confidence : float
        Two-sided confidence in (0, 1).

    Returns
    -------
    low, high : numpy.ndarray

    Raises
    ------
    SamplerError
        On n < 1, x outside [0, n] or a confidence outside (0, 1).
    """
    confidence = check_confidence(confidence)
    x, n = _counts(deviations, n)
    tail = (1 - confidence) / 2
    some, short = x > 0, x < n
    low = np.where(some, stats.beta.ppf(tail, np.where(some, x, 1), n - x + 1), 0.0)
    high = np.where(short, stats.beta.ppf(1 - tail, x + 1, np.where(short, n - x, 1)), 1.0)
    return low, high


def _counts(deviations, n) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(deviations, dtype=float)
    n = np.asarray(n, dtype=float)
    if np.any(n < 1):
        raise SamplerError(
            "every stratum needs at least one inspected unit (n_h >= 1)", field="n", code="estimate_needs_n"
        )
    if np.any(x < 0) or np.any(x > n):
        raise SamplerError(
            "deviations must lie in [0, n_h]", field="deviations", code="deviations_out_of_range"
        )
    return np.broadcast_arrays(x, n)


def _table(counts: pd.DataFrame, population: Mapping[str, int] | pd.Series | None) -> pd.DataFrame:
    for column in ("n", "deviations"):
        if column not in counts.columns:
            raise SamplerError(
                f"outcome counts need a column {column!r}", field=column, code="missing_column", column=column
            )
    table = counts[["n", "deviations"]].copy()
    table.index = table.index.astype(str)
    if population is not None:
        N = pd.Series(population, dtype=float)
        N.index = N.index.astype(str)
        missing = sorted(set(table.index) - set(N.index))
        if missing:
            raise SamplerError(
                f"no population N_h for stratum {missing[0]!r}",
                field="population",
                code="stratum_value_missing",
                name="population",
                stratum=missing[0],
            )
        table["N"] = N.reindex(table.index)
        if np.any(table["n"] > table["N"]):
            bad = table.index[table["n"] > table["N"]][0]
            raise SamplerError(
                f"stratum {bad!r}: n_h exceeds N_h",
                field="n",
                code="stratum_n_exceeds_population",
                stratum=bad,
            )
    return table


def stratum_rates(counts: pd.DataFrame, *, confidence: float = 0.95) -> pd.DataFrame:
    """Per-stratum deviation rates with Wilson and Clopper-Pearson intervals.

    Parameters
    ----------
    counts : pandas.DataFrame
        Indexed by stratum, columns ``n`` (units inspected) and ``deviations``.
    confidence : float
        Two-sided confidence (default 0.95).

    Returns
    -------
    pandas.DataFrame
        ``n``, ``deviations``, ``rate``, ``wilson_low``, ``wilson_high``, ``cp_low``, ``cp_high``.
    """
    table = _table(counts, None)
    x, n = table["deviations"].to_numpy(), table["n"].to_numpy()
    table["rate"] = x / np.where(n > 0, n, np.nan)
    table["wilson_low"], table["wilson_high"] = wilson(x, n, confidence=confidence)
    table["cp_low"], table["cp_high"] = clopper_pearson(x, n, confidence=confidence)
    return table


@dataclass(frozen=True)
class WeightedEstimate:
    """Stratified (N_h/N-weighted) estimate of a rate, with its interval.

    Attributes
    ----------
    rate : float
        sum_h W_h p_h with W_h = N_h / N.
    standard_error : float
        sqrt(sum_h W_h^2 (1 - n_h/N_h) p_h (1 - p_h) / (n_h - 1)) (finite-population corrected).
    low, high : float
        Interval at ``confidence`` (see ``interval``).
    confidence : float
    interval : str
        ``"wilson"`` (default): a Wilson score interval on the effective sample size
        n_eff = min(rate (1 - rate) / SE^2, n) (Korn-Graubard style), which keeps its coverage when
        few deviations are expected; ``"clopper-pearson"``: the exact interval on the same n_eff,
        with the fractional effective count rate * n_eff as the beta shape (conservative);
        ``"wald"``: rate +/- z SE, clipped to [0, 1]. Census strata (n_h = N_h) are known exactly:
        Wilson and Clopper-Pearson are built for the rate of the sampled strata alone (their share S
        of N, their units inspected) and mapped back as ``known + S * [low, high]``; with every
        stratum a census, ``low = high = rate``.
    unweighted_rate : float
        Total deviations / total inspected: a different figure, labelled as such; it is biased for
        the population rate whenever the allocation is not proportional.
    n, deviations : int
        Totals over the strata used.
    population : int
        N, the population the estimate refers to.
    """

    rate: float
    standard_error: float
    low: float
    high: float
    confidence: float
    interval: str
    unweighted_rate: float
    n: int
    deviations: int
    population: int


def weighted_estimate(
    counts: pd.DataFrame,
    population: Mapping[str, int] | pd.Series,
    *,
    confidence: float = 0.95,
    domain: Mapping[str, str] | pd.Series | None = None,
    interval: str = "wilson",
) -> WeightedEstimate | dict[str, WeightedEstimate]:
    """Weighted national (or per-domain) rate with finite-population correction.

    Parameters
    ----------
    counts : pandas.DataFrame
        Indexed by stratum, columns ``n`` and ``deviations``. Every stratum of the population (or of
        the domain) must have been inspected; otherwise the estimate would silently drop it.
    population : mapping or pandas.Series
        N_h per stratum.
    confidence : float
        Two-sided confidence (default 0.95).
    domain : mapping, optional
        Stratum -> domain (e.g. region); then one estimate per domain is returned (domains made of
        whole strata).
    interval : {"wilson", "clopper-pearson", "wald"}
        Interval construction (see `WeightedEstimate`).

    Returns
    -------
    WeightedEstimate or dict of WeightedEstimate

    Raises
    ------
    SamplerError
        Naming the field: a stratum without inspected units (``counts``), n_h > N_h (``n``),
        deviations outside [0, n_h] (``deviations``), a stratum without N_h (``population``) or
        domain (``domain``), an unknown ``interval`` or a bad ``confidence``.

    Notes
    -----
    A stratum with n_h = 1 has no variance estimate; its term uses the conservative
    p(1 - p) <= 1/4 with divisor n_h: ``W_h^2 (1 - f_h) / 4``. A stratum inspected in full
    (n_h = N_h) has no sampling error: it adds nothing to the variance nor to the width of the
    interval; an estimate made only of such strata has ``low = rate = high``. A rate of exactly 0 or 1
    has a limit of exactly 0 or 1.
    """
    confidence = check_confidence(confidence)
    interval = check_choice(interval, "interval", INTERVALS)
    table = _table(counts, population)
    N = pd.Series(population, dtype=float)
    N.index = N.index.astype(str)
    uncovered = sorted(set(N.index) - set(table.index))
    if domain is None:
        if uncovered:
            raise SamplerError(
                f"stratum {uncovered[0]!r} has no inspected units",
                field="counts",
                code="stratum_not_inspected",
                stratum=uncovered[0],
            )
        return _estimate(table, confidence, interval)
    mapping = pd.Series(domain)
    mapping.index = mapping.index.astype(str)
    missing = sorted(set(N.index) - set(mapping.index))
    if missing:
        raise SamplerError(
            f"domain gives no domain for stratum {missing[0]!r}",
            field="domain",
            code="stratum_value_missing",
            name="domain",
            stratum=missing[0],
        )
    result = {}
    for name, strata in mapping.groupby(mapping).groups.items():
        labels = [s for s in strata if s in N.index]
        absent = [s for s in labels if s not in table.index]
        if absent:
            raise SamplerError(
                f"stratum {absent[0]!r} of domain {name!r} has no inspected units",
                field="counts",
                code="stratum_not_inspected",
                stratum=absent[0],
            )
        result[str(name)] = _estimate(table.loc[labels], confidence, interval)
    return result


INTERVALS: tuple[str, ...] = ("wilson", "clopper-pearson", "wald")


def weighted_arrays(
    n, deviations, population, *, confidence: float = 0.95, interval: str = "wilson"
) -> dict[str, np.ndarray]:
    """Vectorised core of `weighted_estimate`: rows are replications, columns strata.

    Parameters
    ----------
    n, deviations : array_like, shape (..., H)
        Inspected units and deviations per stratum (leading axes are replications).
    population : array_like, shape (H,)
        N_h.
    confidence : float
    interval : {"wilson", "clopper-pearson", "wald"}

    Returns
    -------
    dict of numpy.ndarray
        ``rate``, ``standard_error``, ``low``, ``high``, ``unweighted_rate`` with the leading shape.
    """
    confidence = check_confidence(confidence)
    interval = check_choice(interval, "interval", INTERVALS)
    n = np.asarray(n, dtype=float)
    x = np.asarray(deviations, dtype=float)
    N = np.asarray(population, dtype=float)
    n, x = np.broadcast_arrays(n, x)
    _counts(x, n)
    if np.any(n > N):
        raise SamplerError("n_h exceeds N_h", field="n", code="sample_out_of_range")
    W = N / N.sum()
    p = x / n
    census = n == N  # drawn in full: known exactly, no sampling error
    term = np.where(n > 1, p * (1 - p) / np.maximum(n - 1, 1), 0.25)
    se = np.sqrt(np.sum(W**2 * (1 - n / N) * term, axis=-1))
    rate = np.where(np.all(x == n, axis=-1), 1.0, np.sum(W * p, axis=-1))
    total = n.sum(axis=-1)
    if interval == "wald":
        z = stats.norm.ppf(0.5 + confidence / 2)
        low, high = np.clip(rate - z * se, 0, 1), np.clip(rate + z * se, 0, 1)
    else:
        # census strata contribute their exact part; the interval is built for the rate of the
        # sampled strata (share S of the population) and mapped back: known + S * [low_s, high_s]
        sampled = ~census
        share = np.sum(np.where(sampled, N, 0.0), axis=-1) / N.sum()
        known = np.sum(np.where(census, W * p, 0.0), axis=-1)
        some = share > 0
        safe_share = np.where(some, share, 1.0)
        part = np.sum(np.where(sampled, W * p, 0.0), axis=-1) / safe_share
        part = np.where(np.all(np.where(sampled, x == n, True), axis=-1), 1.0, np.minimum(part, 1.0))
        part_se = se / safe_share
        inspected = np.where(some, np.sum(np.where(sampled, n, 0.0), axis=-1), 1.0)
        # effective sample size (Korn & Graubard 1998), truncated at the units inspected in the sampled
        # strata; with no observed variation that inspected total is used
        varies = (part_se > 0) & (part > 0) & (part < 1)
        n_eff = np.where(varies, part * (1 - part) / np.where(part_se > 0, part_se, 1) ** 2, inspected)
        n_eff = np.minimum(n_eff, inspected)
        method = wilson if interval == "wilson" else clopper_pearson
        part_low, part_high = method(np.clip(part * n_eff, 0, n_eff), n_eff, confidence=confidence)
        low = np.where(some, known + share * part_low, rate)
        high = np.where(some, known + share * part_high, rate)
        low, high = np.clip(low, 0, rate), np.clip(high, rate, 1)
    return {
        "rate": rate,
        "standard_error": se,
        "low": np.asarray(low, dtype=float),
        "high": np.asarray(high, dtype=float),
        "unweighted_rate": x.sum(axis=-1) / total,
    }


def _estimate(table: pd.DataFrame, confidence: float, interval: str) -> WeightedEstimate:
    n = table["n"].to_numpy(dtype=float)
    x = table["deviations"].to_numpy(dtype=float)
    N = table["N"].to_numpy(dtype=float)
    values = weighted_arrays(n, x, N, confidence=confidence, interval=interval)
    return WeightedEstimate(
        rate=float(values["rate"]),
        standard_error=float(values["standard_error"]),
        low=float(values["low"]),
        high=float(values["high"]),
        confidence=confidence,
        interval=interval,
        unweighted_rate=float(values["unweighted_rate"]),
        n=int(n.sum()),
        deviations=int(x.sum()),
        population=int(N.sum()),
    )
