"""Allocate a total sample size over strata (integers that sum exactly to n)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sampler.attribute import exact_ceil
from sampler.errors import SamplerError, check_choice, check_int, check_rate

__all__ = ["METHODS", "Allocation", "allocate", "per_stratum"]

METHODS: tuple[str, ...] = ("proportional", "equal", "neyman", "risk", "ratio")


@dataclass(frozen=True, eq=False)
class Allocation:
    """Sample sizes per stratum.

    Attributes
    ----------
    sizes : pandas.Series
        n_h (int), indexed by stratum label in the order of the population given.
    population : pandas.Series
        N_h, same index.
    method : str
        Allocation method used.
    minimum : int
        Requested minimum per stratum (a stratum smaller than it is taken whole).
    """

    sizes: pd.Series
    population: pd.Series
    method: str
    minimum: int

    @property
    def n(self) -> int:
        """Total sample size."""
        return int(self.sizes.sum())

    @property
    def fractions(self) -> pd.Series:
        """Sampling fractions n_h / N_h (the inclusion probability of each unit)."""
        return self.sizes / self.population

    def to_dict(self) -> dict[str, int]:
        """``{stratum: n_h}`` with plain ints."""
        return {str(k): int(v) for k, v in self.sizes.items()}


def _population(population: Mapping[str, int] | pd.Series) -> pd.Series:
    series = pd.Series(population, dtype="object") if not isinstance(population, pd.Series) else population
    if series.empty:
        raise SamplerError("population has no strata", field="population")
    values = []
    for label, size in series.items():
        values.append(check_int(size, f"population[{label!r}]"))
        if values[-1] == 0:
            raise SamplerError(f"stratum {label!r} is empty (N_h = 0)", field="population")
    return pd.Series(values, index=series.index.astype(str), name="N", dtype=np.int64)


def per_stratum(value: object, index: pd.Index, field: str) -> pd.Series:
    """Broadcast a scalar, or look up a mapping, for every stratum of ``index``.

    A mapping may give a ``"default"`` entry for strata it does not name; any other stratum it
    does not name, or a name that is not a stratum, raises `SamplerError`.
    """
    if isinstance(value, Mapping | pd.Series):
        mapping = {str(k): v for k, v in dict(value).items()}
        default = mapping.pop("default", None)
        unknown = sorted(set(mapping) - set(index))
        if unknown:
            raise SamplerError(f"{field} names unknown strata: {', '.join(unknown[:5])}", field=field)
        missing = [label for label in index if label not in mapping]
        if missing and default is None:
            raise SamplerError(
                f"{field} gives no value for stratum {missing[0]!r} (add it or a 'default')", field=field
            )
        return pd.Series([mapping.get(label, default) for label in index], index=index, dtype=object)
    return pd.Series([value] * len(index), index=index, dtype=object)


def _round_bounded(real: np.ndarray, lower: np.ndarray, upper: np.ndarray, n: int) -> np.ndarray:
    """Largest-remainder rounding within [lower, upper] to an exact total n (ties: stratum order)."""
    base = np.clip(np.floor(real + 1e-9), lower, upper).astype(np.int64)
    remainder = real - base
    short = n - int(base.sum())
    while short != 0:
        if short > 0:
            room = np.flatnonzero(base < upper)
            order = room[np.argsort(-remainder[room], kind="stable")]
            take = order[:short]
            base[take] += 1
        else:
            room = np.flatnonzero(base > lower)
            order = room[np.argsort(remainder[room], kind="stable")]
            take = order[:-short]
            base[take] -= 1
        if take.size == 0:  # pragma: no cover - bounds were checked before
            raise SamplerError("allocation could not be rounded within the bounds", field="n")
        remainder[take] = 0.0
        short = n - int(base.sum())
    return base


def _water_fill(weights: np.ndarray, lower: np.ndarray, upper: np.ndarray, n: int) -> np.ndarray:
    """Real allocation x_h = clip(lam * w_h, L_h, U_h) with sum x_h = n (bisection on lam)."""
    positive = weights > 0
    reachable = upper[positive].sum() + lower[~positive].sum()
    if reachable < n:
        raise SamplerError(
            f"cannot allocate n = {n}: strata with positive weight hold only {int(upper[positive].sum())} "
            "units beyond the minimum of the others",
            field="n",
        )
    low, high = 0.0, float(np.max(upper[positive] / weights[positive]))
    for _ in range(200):
        middle = (low + high) / 2
        if np.clip(middle * weights, lower, upper).sum() < n:
            low = middle
        else:
            high = middle
    return np.clip(high * weights, lower, upper)


def allocate(
    population: Mapping[str, int] | pd.Series,
    n: int | None = None,
    *,
    method: str = "proportional",
    minimum: int = 0,
    rates: float | Mapping[str, float] | None = None,
    weights: float | Mapping[str, float] | None = None,
    ratio: float | Mapping[str, float] | None = None,
) -> Allocation:
    """Allocate ``n`` over strata.

    Parameters
    ----------
    population : mapping or pandas.Series
        N_h per stratum label (every stratum must hold at least one unit).
    n : int, optional
        Total sample size; required by every method except ``"ratio"`` (which sets it).
    method : {"proportional", "equal", "neyman", "risk", "ratio"}
        ``proportional``: n_h proportional to N_h. ``equal``: the same n_h everywhere.
        ``neyman``: proportional to N_h * sqrt(p_h (1 - p_h)) with assumed rates p_h (``rates``).
        ``risk``: proportional to N_h * w_h with a risk weight w_h per stratum (``weights``: e.g. the
        mean risk-grade weight from `Frame.stratum_mean`, or a past non-conformity rate).
        ``ratio``: n_h = ceil(r_h * N_h) for a sampling ratio r_h per stratum (``ratio``; e.g. 0.03
        undirected, 0.10 directed), computed exactly on the decimal text of r_h.
    minimum : int, optional
        Minimum n_h per stratum (default 0). A stratum with fewer units than ``minimum`` is taken whole.
    rates, weights, ratio : float or mapping, optional
        Per-stratum inputs of the methods above; a scalar applies to every stratum, a mapping may
        carry a ``"default"``.

    Returns
    -------
    Allocation
        Integer n_h with ``min(minimum, N_h) <= n_h <= N_h`` and ``sum(n_h) == n``.

    Notes
    -----
    The real allocation is ``clip(lam * w_h, L_h, N_h)`` with lam chosen so that it sums to n (the
    bounded proportional allocation); it is rounded by largest remainder within the bounds, ties
    going to the stratum that comes first in the population's order.

    Raises
    ------
    SamplerError
        Unknown method, missing inputs, empty strata, n > N, n below the sum of minimums, bad rates.
    """
    method = check_choice(method, "allocation method", METHODS)
    sizes = _population(population)
    minimum = check_int(minimum, "minimum")
    capacity = sizes.to_numpy()
    lower = np.minimum(minimum, capacity)
    index = sizes.index

    if method == "ratio":
        if ratio is None:
            raise SamplerError("allocation method 'ratio' needs a ratio", field="ratio")
        if n is not None:
            raise SamplerError("allocation method 'ratio' sets n itself; do not give n", field="n")
        ratios = per_stratum(ratio, index, "ratio")
        result = np.array(
            [
                exact_ceil(check_rate(r, f"ratio[{label!r}]"), int(N))
                for label, r, N in zip(index, ratios, capacity, strict=True)
            ],
            dtype=np.int64,
        )
        result = np.minimum(np.maximum(result, lower), capacity)
        return Allocation(pd.Series(result, index=index, name="n"), sizes, method, minimum)

    if n is None:
        raise SamplerError(f"allocation method {method!r} needs a total sample size n", field="n")
    n = check_int(n, "n", minimum=1)
    total = int(capacity.sum())
    if n > total:
        raise SamplerError(f"n = {n} exceeds the population N = {total}", field="n")
    if n < lower.sum():
        raise SamplerError(
            f"n = {n} is below the {int(lower.sum())} units needed for minimum = {minimum} per stratum",
            field="minimum",
        )

    if method == "proportional":
        weight = capacity.astype(float)
    elif method == "equal":
        weight = np.ones(len(capacity))
    elif method == "neyman":
        if rates is None:
            raise SamplerError("allocation method 'neyman' needs assumed rates", field="rates")
        p = np.array(
            [check_rate(r, f"rates[{label!r}]") for label, r in per_stratum(rates, index, "rates").items()]
        )
        weight = capacity * np.sqrt(p * (1 - p))
        if not np.any(weight > 0):
            raise SamplerError(
                "neyman allocation needs at least one assumed rate strictly between 0 and 1", field="rates"
            )
    else:  # risk
        if weights is None:
            raise SamplerError("allocation method 'risk' needs risk weights", field="weights")
        w = []
        for label, value in per_stratum(weights, index, "weights").items():
            if (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or not math.isfinite(value)
                or value < 0
            ):
                raise SamplerError(
                    f"weights[{label!r}] must be a number >= 0, got {value!r}", field="weights"
                )
            w.append(float(value))
        weight = capacity * np.array(w)
        if not np.any(weight > 0):
            raise SamplerError("risk allocation needs at least one positive weight", field="weights")

    real = _water_fill(weight, lower.astype(float), capacity.astype(float), n)
    result = _round_bounded(real, lower, capacity, n)
    return Allocation(pd.Series(result, index=index, name="n"), sizes, method, minimum)
