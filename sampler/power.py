"""Exact power of a stratified plan: detection, expected detections, tests, precision, coverage."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import numpy as np
import pandas as pd
from scipy import special, stats

from sampler._exact import BAND, decimal_text, hypergeom_sf, near
from sampler.allocate import Allocation, per_stratum
from sampler.errors import SamplerError, check_confidence, check_int, check_rate

__all__ = [
    "PlanPower",
    "bad_counts",
    "detection_probability",
    "estimate_half_width",
    "institution_coverage",
    "plan_power",
    "rate_test_power",
]


def _arrays(**named: object) -> list[np.ndarray]:
    arrays = [np.asarray(v, dtype=np.int64) for v in named.values()]
    return list(np.broadcast_arrays(*arrays))


def _check_counts(population: np.ndarray, bad: np.ndarray | None, n: np.ndarray) -> None:
    if np.any(population < 1):
        raise SamplerError(
            "every stratum needs a population N_h >= 1 (empty stratum)",
            field="population",
            code="population_empty",
        )
    if np.any(n < 0) or np.any(n > population):
        raise SamplerError("sample size n_h must lie in [0, N_h]", field="n", code="sample_out_of_range")
    if bad is not None and (np.any(bad < 0) or np.any(bad > population)):
        raise SamplerError("bad count K_h must lie in [0, N_h]", field="bad", code="bad_out_of_range")


def detection_probability(*, population, bad, n) -> np.ndarray:
    """Probability that a sample of n (without replacement) holds at least one of K bad units.

    ``1 - C(N - K, n) / C(N, n)``, evaluated as ``scipy.stats.hypergeom.sf(0, N, K, n)``.

    Parameters
    ----------
    population, bad, n : int or array_like
        N_h, K_h and n_h (broadcast together).

    Returns
    -------
    numpy.ndarray
        Detection probability per element.
    """
    N, K, n = _arrays(population=population, bad=bad, n=n)
    _check_counts(N, K, n)
    return stats.hypergeom.sf(0, N, K, n)


def rate_test_power(*, population, bad, n, tolerable: float, alpha: float = 0.05):
    """Power of the one-sided exact test that a stratum's rate exceeds the tolerable rate.

    H0: K <= K0 = floor(tolerable * N) (exact decimal arithmetic) against H1: K > K0. Reject when the
    deviations found X >= c, the smallest c with ``P(X >= c | N, K0, n) <= alpha``. The power is
    ``P(X >= c | N, K, n)`` at the assumed bad count K. A tail within a relative 1e-6 of alpha is
    recomputed as an exact fraction of binomial coefficients and compared with alpha read as its
    decimal text, so a tail equal to alpha rejects and one a hair above does not.

    Returns
    -------
    critical : numpy.ndarray
        c per stratum (n + 1 when no outcome can reject, in which case the power is 0).
    power : numpy.ndarray
    """
    alpha = check_confidence(alpha, "alpha")
    tolerable = check_rate(tolerable, "tolerable", allow_zero=False, allow_one=False)
    N, K, n = _arrays(population=population, bad=bad, n=n)
    _check_counts(N, K, n)
    # K0 = floor(tolerable * N) in exact decimal arithmetic (0.035 * 400 is 14, not 14.000000000000002)
    exact = decimal_text(tolerable)
    level = decimal_text(alpha)
    null = np.array([exact.numerator * int(v) // exact.denominator for v in N.ravel()], dtype=np.int64)
    null = null.reshape(N.shape)
    if N.size and int(n.max()) <= _TABLE_LIMIT:
        null_tail = _upper_tails(N, null, n)
        # smallest c with P(X >= c | K0) <= alpha (index n + 1 holds the empty tail, 0)
        rejects = null_tail <= alpha
        band = max(BAND, 64 * np.finfo(float).eps * float(special.gammaln(float(N.max()) + 1)))
        for *where, c in np.argwhere(np.abs(null_tail - alpha) <= band * alpha):
            where = tuple(where)
            rejects[(*where, c)] = (
                hypergeom_sf(int(c), int(N[where]), int(null[where]), int(n[where])) <= level
            )
        critical = np.argmax(rejects, axis=-1)
        alt_tail = _upper_tails(N, K, n)
        power = np.take_along_axis(alt_tail, critical[..., None], axis=-1)[..., 0]
    else:  # very large samples: scipy's quantile function instead of a table
        critical = stats.hypergeom.ppf(1 - alpha, N, null, n).astype(np.int64) + 1
        size = stats.hypergeom.sf(critical - 1, N, null, n)
        while np.any(bump := (size > alpha) & (critical <= n)):
            critical = critical + bump
            size = stats.hypergeom.sf(critical - 1, N, null, n)
        critical = np.minimum(critical, n + 1)
        for where in zip(*np.nonzero(critical <= n + 1), strict=True):  # settle ties exactly
            critical[where] = _exact_critical(
                int(critical[where]), int(N[where]), int(null[where]), int(n[where]), level
            )
        power = np.where(critical > n, 0.0, stats.hypergeom.sf(critical - 1, N, K, n))
    power = np.where(critical > n, 0.0, power)
    return critical, power


def _exact_critical(critical: int, N: int, null: int, n: int, level: Fraction) -> int:
    """Move a floating-point critical value to the exact smallest c with P(X >= c | N, K0, n) <= level."""

    def rejects(c: int) -> bool:
        if c > n:
            return True
        approx = float(stats.hypergeom.sf(c - 1, N, null, n))
        if not near(approx, float(level)):
            return approx <= float(level)
        return hypergeom_sf(c, N, null, n) <= level

    while critical > 0 and rejects(critical - 1):
        critical -= 1
    while not rejects(critical):
        critical += 1
    return critical


def estimate_half_width(*, population, n, rates, confidence: float = 0.95) -> float:
    """Half-width of the normal interval of the weighted (N_h/N) rate estimate, with FPC.

    ``z * sqrt(sum_h W_h^2 * (N_h - n_h) / (N_h - 1) * p_h (1 - p_h) / n_h)``: the exact variance of
    the stratified estimator under simple random sampling without replacement at assumed rates p_h.
    Strata with n_h = 0 make the estimate undefined and raise `SamplerError`.
    """
    confidence = check_confidence(confidence)
    N = np.asarray(population, dtype=float)
    n = np.asarray(n, dtype=float)
    p = np.asarray(rates, dtype=float)
    if np.any(n < 1):
        raise SamplerError(
            "the weighted estimate needs n_h >= 1 in every stratum", field="n", code="estimate_needs_n"
        )
    if np.any((p < 0) | (p > 1)):
        raise SamplerError("rates must lie in [0, 1]", field="rates", code="rates_out_of_range")
    weight = N / N.sum()
    fpc = np.where(N > 1, (N - n) / np.maximum(N - 1, 1), 0.0)
    variance = np.sum(weight**2 * fpc * p * (1 - p) / n)
    z = stats.norm.ppf(0.5 + confidence / 2)
    return float(z * np.sqrt(variance))


_TABLE_LIMIT = 5_000


def _upper_tails(N: np.ndarray, K: np.ndarray, n: np.ndarray) -> np.ndarray:
    """P(X >= c) for c = 0 .. max(n) + 1 per element (hypergeometric), from log-pmf via gammaln."""
    width = int(n.max()) + 2
    x = np.arange(width - 1, dtype=float)
    Nf, Kf, nf = (a.astype(float)[..., None] for a in (N, K, n))
    valid = (x >= np.maximum(0, nf - (Nf - Kf))) & (x <= np.minimum(Kf, nf))
    xs = np.where(valid, x, 0.0)
    log_pmf = _log_comb(Kf, xs) + _log_comb(Nf - Kf, np.where(valid, nf - xs, 0.0)) - _log_comb(Nf, nf)
    pmf = np.where(valid, np.exp(log_pmf), 0.0)
    tails = np.zeros((*pmf.shape[:-1], width))
    tails[..., :-1] = np.cumsum(pmf[..., ::-1], axis=-1)[..., ::-1]
    return np.clip(tails, 0.0, 1.0)


def _log_comb(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return special.gammaln(a + 1) - special.gammaln(b + 1) - special.gammaln(a - b + 1)


def _log_none_drawn(
    N: np.ndarray, m: np.ndarray, n: np.ndarray, base: np.ndarray | None = None
) -> np.ndarray:
    """log C(N - m, n) / C(N, n), the log probability that none of m marked units is drawn.

    ``base``, if given, is the precomputed ``gammaln(N + 1) - gammaln(N - n + 1)``.
    """
    N, m, n = (np.asarray(a, dtype=float) for a in (N, m, n))
    possible = N - m >= n
    safe_rest = np.where(possible, N - m - n, 0.0)
    if base is None:
        base = special.gammaln(N + 1) - special.gammaln(N - n + 1)
    value = special.gammaln(N - m + 1) - special.gammaln(safe_rest + 1) - base
    return np.where(possible, np.minimum(value, 0.0), -np.inf)


def _log_none_product(N: np.ndarray, K: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Same quantity as sum_{j<n} log1p(-K / (N - j)): accurate even for tiny probabilities."""
    N, K, n = (np.asarray(a, dtype=np.int64) for a in (N, K, n))
    total = int(n.sum())
    if total == 0:
        return np.zeros(N.shape)
    owner = np.repeat(np.arange(N.size), n.ravel())
    starts = np.concatenate([[0], np.cumsum(n.ravel())[:-1]])
    j = np.arange(total) - starts[owner]
    ratio = np.minimum(K.ravel()[owner] / (N.ravel()[owner] - j), 1.0)
    with np.errstate(divide="ignore"):
        terms = np.log1p(-ratio)
    sums = np.bincount(owner, weights=terms, minlength=N.size)
    return sums.reshape(N.shape)


def institution_coverage(
    cells: pd.DataFrame, sizes: pd.Series, population: pd.Series, *, institution: str = "institution_id"
) -> pd.Series:
    """Probability that each institution has at least one of its units drawn.

    Strata are drawn independently, so ``P = 1 - prod_h C(N_h - m_ih, n_h) / C(N_h, n_h)`` with
    m_ih the institution's units in stratum h (computed in logs with ``scipy.special.gammaln``).

    Parameters
    ----------
    cells : pandas.DataFrame
        Columns ``stratum``, ``institution`` and ``units`` (see `Frame.cell_counts`).
    sizes, population : pandas.Series
        n_h and N_h indexed by stratum label.
    institution : str
        Name of the institution column of ``cells``.

    Returns
    -------
    pandas.Series
        Coverage probability per institution.
    """
    for column in ("stratum", institution, "units"):
        if column not in cells.columns:
            raise SamplerError(
                f"institution cells need a column {column!r}",
                field=column,
                code="missing_column",
                column=column,
            )
    column = cells["stratum"]
    labels = population.index.astype(str)
    if isinstance(column.dtype, pd.CategoricalDtype) and column.cat.categories.astype(str).equals(labels):
        position = column.cat.codes.to_numpy()
    else:
        position = labels.get_indexer(column.astype(str))
    if np.any(position < 0):
        unknown = column[position < 0].iloc[0]
        raise SamplerError(
            f"institution cells name an unknown stratum {unknown!r}",
            field="stratum",
            code="unknown_strata",
            name="stratum",
            strata=[unknown],
        )
    N_h = population.to_numpy().astype(float)
    n_h = sizes.reindex(labels, fill_value=0).to_numpy().astype(float)
    base = special.gammaln(N_h + 1) - special.gammaln(N_h - n_h + 1)
    log_none = _log_none_drawn(N_h[position], cells["units"].to_numpy(), n_h[position], base[position])
    codes, names = pd.factorize(cells[institution], sort=True)
    total = np.bincount(codes, weights=log_none, minlength=len(names))
    return pd.Series(0.0 - np.expm1(total), index=pd.Index(names, name=institution), name="coverage")


def bad_counts(population: pd.Series, *, rates=None, bad=None) -> pd.Series:
    """Bad units K_h per stratum from counts or from rates (K_h = round(rate * N_h), half up).

    Either argument may be a scalar or a per-stratum mapping (with optional ``"default"``).
    """
    index = population.index
    if (rates is None) == (bad is None):
        raise SamplerError(
            "give exactly one of rates or bad (assumed non-conformity)", field="rates", code="rates_or_bad"
        )
    if isinstance(bad, pd.Series) and bad.index.equals(index) and pd.api.types.is_integer_dtype(bad.dtype):
        values = bad.to_numpy(dtype=np.int64)
        if np.any(values < 0):
            raise SamplerError("bad counts must be at least 0", field="bad", code="bad_out_of_range")
    elif bad is not None:
        values = [check_int(v, f"bad[{k!r}]") for k, v in per_stratum(bad, index, "bad").items()]
    else:
        values = []
        for (label, rate), size in zip(per_stratum(rates, index, "rates").items(), population, strict=True):
            check_rate(rate, f"rates[{label!r}]")
            exact = Decimal(repr(float(rate))) * int(size)
            values.append(int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP)))
    result = pd.Series(np.asarray(values, dtype=np.int64), index=index, name="bad")
    over = result[result > population]
    if len(over):
        raise SamplerError(
            f"bad count exceeds N_h in stratum {over.index[0]!r}",
            field="bad",
            code="bad_exceeds_population",
            stratum=over.index[0],
        )
    return result


@dataclass(frozen=True, eq=False)
class PlanPower:
    """Exact operating characteristics of a stratified plan.

    Attributes
    ----------
    strata : pandas.DataFrame
        Per stratum: ``N``, ``n``, ``bad``, ``p_detect`` (at least one bad unit drawn),
        ``expected_detections`` (n K / N), and when a tolerable rate is given ``critical`` and
        ``test_power`` (one-sided exact test that the rate exceeds the tolerable rate).
    p_detect_any : float
        Probability that at least one bad unit is drawn anywhere (strata are independent).
    expected_detections : float
        Expected number of bad units drawn in total.
    half_width : float or None
        Half-width of the interval of the weighted national rate at ``confidence`` (None when some
        stratum has n_h = 0).
    confidence : float
    institution_coverage : pandas.Series or None
        P(at least one unit drawn) per institution, when institution cells were given.
    expected_institutions_covered : float or None
        Sum of the coverage probabilities.
    """

    strata: pd.DataFrame
    p_detect_any: float
    expected_detections: float
    half_width: float | None
    confidence: float
    institution_coverage: pd.Series | None = None
    expected_institutions_covered: float | None = None


def plan_power(
    allocation: Allocation | pd.Series | Mapping[str, int],
    population: pd.Series | Mapping[str, int] | None = None,
    *,
    rates=None,
    bad=None,
    tolerable: float | None = None,
    alpha: float = 0.05,
    confidence: float = 0.95,
    institution_cells: pd.DataFrame | None = None,
    institution: str = "institution_id",
) -> PlanPower:
    """Exact power of a plan for assumed bad counts or rates per stratum.

    Parameters
    ----------
    allocation : Allocation or mapping
        n_h per stratum (an `Allocation` also carries N_h).
    population : mapping, optional
        N_h per stratum; required unless ``allocation`` is an `Allocation`.
    rates, bad : float or mapping
        Assumed non-conformity per stratum: rates (K_h = round(rate N_h)) or counts; exactly one.
    tolerable : float, optional
        Tolerable rate for the per-stratum one-sided test at level ``alpha``.
    alpha : float
        Test level (default 0.05).
    confidence : float
        Confidence of the national interval (default 0.95).
    institution_cells : pandas.DataFrame, optional
        Units per (stratum, institution) for coverage (see `Frame.cell_counts`).
    institution : str
        Institution column in ``institution_cells``.

    Returns
    -------
    PlanPower
    """
    if isinstance(allocation, Allocation):
        sizes, population_series = allocation.sizes, allocation.population
    else:
        if population is None:
            raise SamplerError(
                "plan_power needs the population N_h per stratum", field="population", code="needs_population"
            )
        population_series = pd.Series(population, dtype=np.int64)
        population_series.index = population_series.index.astype(str)
        sizes = pd.Series(allocation, dtype=np.int64)
        sizes.index = sizes.index.astype(str)
        extra = set(sizes.index) - set(population_series.index)
        if extra:
            raise SamplerError(
                f"sample sizes name unknown strata: {sorted(extra)[:3]}",
                field="allocation",
                code="unknown_strata",
                name="allocation",
                strata=sorted(extra)[:3],
            )
        sizes = sizes.reindex(population_series.index, fill_value=0)
    confidence = check_confidence(confidence)
    K = bad_counts(population_series, rates=rates, bad=bad)
    N, n = population_series.to_numpy(), sizes.to_numpy()
    table = pd.DataFrame({"N": N, "n": n, "bad": K.to_numpy()}, index=population_series.index)
    _check_counts(N, K.to_numpy(), n)
    log_miss = _log_none_product(N, K.to_numpy(), n)
    table["p_detect"] = 0.0 - np.expm1(log_miss)  # 0.0 - keeps "no chance" at +0.0, not -0.0
    table["expected_detections"] = n * K.to_numpy() / N
    if tolerable is not None:
        critical, power = rate_test_power(
            population=N, bad=K.to_numpy(), n=n, tolerable=tolerable, alpha=alpha
        )
        table["critical"] = critical
        table["test_power"] = power
    p_any = float(0.0 - np.expm1(np.sum(log_miss)))
    half = None
    if np.all(n >= 1):
        half = estimate_half_width(population=N, n=n, rates=K.to_numpy() / N, confidence=confidence)
    coverage = expected_covered = None
    if institution_cells is not None:
        coverage = institution_coverage(institution_cells, sizes, population_series, institution=institution)
        expected_covered = float(coverage.sum())
    return PlanPower(
        strata=table,
        p_detect_any=p_any,
        expected_detections=float(table["expected_detections"].sum()),
        half_width=half,
        confidence=confidence,
        institution_coverage=coverage,
        expected_institutions_covered=expected_covered,
    )
