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

    Returns
    -------
    low, high : numpy.ndarray
    """
    confidence = check_confidence(confidence)
    x, n = _counts(deviations, n)
    z = stats.norm.ppf(0.5 + confidence / 2)
    p = x / n
    denominator = 1 + z**2 / n
    centre = (p + z**2 / (2 * n)) / denominator
    half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denominator
    return np.clip(centre - half, 0, 1), np.clip(centre + half, 0, 1)


def clopper_pearson(deviations, n, *, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Two-sided exact (Clopper-Pearson) interval for a binomial proportion (vectorised)."""
    confidence = check_confidence(confidence)
    x, n = _counts(deviations, n)
    tail = (1 - confidence) / 2
    low = np.where(x > 0, stats.beta.ppf(tail, np.maximum(x, 1), n - x + 1), 0.0)
    high = np.where(x < n, stats.beta.ppf(1 - tail, x + 1, np.maximum(n - x, 1)), 1.0)
    return low, high


def _counts(deviations, n) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(deviations, dtype=float)
    n = np.asarray(n, dtype=float)
    if np.any(n < 1):
        raise SamplerError("every stratum needs at least one inspected unit (n_h >= 1)", field="n")
    if np.any(x < 0) or np.any(x > n):
        raise SamplerError("deviations must lie in [0, n_h]", field="deviations")
    return np.broadcast_arrays(x, n)


def _table(counts: pd.DataFrame, population: Mapping[str, int] | pd.Series | None) -> pd.DataFrame:
    for column in ("n", "deviations"):
        if column not in counts.columns:
            raise SamplerError(f"outcome counts need a column {column!r}", field=column)
    table = counts[["n", "deviations"]].copy()
    table.index = table.index.astype(str)
    if population is not None:
        N = pd.Series(population, dtype=float)
        N.index = N.index.astype(str)
        missing = sorted(set(table.index) - set(N.index))
        if missing:
            raise SamplerError(f"no population N_h for stratum {missing[0]!r}", field="population")
        table["N"] = N.reindex(table.index)
        if np.any(table["n"] > table["N"]):
            bad = table.index[table["n"] > table["N"]][0]
            raise SamplerError(f"stratum {bad!r}: n_h exceeds N_h", field="n")
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
        few deviations are expected; ``"clopper-pearson"``: the exact interval on the same n_eff
        (conservative); ``"wald"``: rate +/- z SE, clipped to [0, 1].
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

    Notes
    -----
    A stratum with n_h = 1 has no variance estimate; its term uses the conservative
    p(1 - p) <= 1/4 with divisor n_h: ``W_h^2 (1 - f_h) / 4``.
    """
    confidence = check_confidence(confidence)
    interval = check_choice(interval, "interval", INTERVALS)
    table = _table(counts, population)
    N = pd.Series(population, dtype=float)
    N.index = N.index.astype(str)
    uncovered = sorted(set(N.index) - set(table.index))
    if domain is None:
        if uncovered:
            raise SamplerError(f"stratum {uncovered[0]!r} has no inspected units", field="counts")
        return _estimate(table, confidence, interval)
    mapping = pd.Series(domain)
    mapping.index = mapping.index.astype(str)
    missing = sorted(set(N.index) - set(mapping.index))
    if missing:
        raise SamplerError(f"domain gives no domain for stratum {missing[0]!r}", field="domain")
    result = {}
    for name, strata in mapping.groupby(mapping).groups.items():
        labels = [s for s in strata if s in N.index]
        absent = [s for s in labels if s not in table.index]
        if absent:
            raise SamplerError(
                f"stratum {absent[0]!r} of domain {name!r} has no inspected units", field="counts"
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
        raise SamplerError("n_h exceeds N_h", field="n")
    W = N / N.sum()
    p = x / n
    term = np.where(n > 1, p * (1 - p) / np.maximum(n - 1, 1), 0.25)
    se = np.sqrt(np.sum(W**2 * (1 - n / N) * term, axis=-1))
    rate = np.sum(W * p, axis=-1)
    total = n.sum(axis=-1)
    if interval == "wald":
        z = stats.norm.ppf(0.5 + confidence / 2)
        low, high = np.clip(rate - z * se, 0, 1), np.clip(rate + z * se, 0, 1)
    else:
        # effective sample size (Korn & Graubard 1998), truncated at the units inspected; with no
        # observed variation the inspected total is used
        varies = (se > 0) & (rate > 0) & (rate < 1)
        n_eff = np.where(varies, rate * (1 - rate) / np.where(se > 0, se, 1) ** 2, total)
        n_eff = np.minimum(n_eff, total)
        method = wilson if interval == "wilson" else clopper_pearson
        low, high = method(np.clip(rate * n_eff, 0, n_eff), n_eff, confidence=confidence)
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
