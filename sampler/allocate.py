"""Allocate a total sample size over strata (integers that sum exactly to n)."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, localcontext
from fractions import Fraction
from functools import cmp_to_key
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from sampler._exact import Surd, SurdField, decimal_text, surd_sum
from sampler.attribute import exact_ceil
from sampler.errors import SamplerError, check_choice, check_int, check_rate

__all__ = ["METHODS", "METHOD_REGISTRY", "Allocation", "AllocationMethod", "allocate", "per_stratum"]


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
        raise SamplerError("population has no strata", field="population", code="no_strata")
    values = []
    for label, size in series.items():
        values.append(check_int(size, f"population[{label!r}]"))
        if values[-1] == 0:
            raise SamplerError(
                f"stratum {label!r} is empty (N_h = 0)",
                field="population",
                code="empty_stratum",
                stratum=label,
            )
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
            raise SamplerError(
                f"{field} names unknown strata: {', '.join(unknown[:5])}",
                field=field,
                code="unknown_strata",
                name=field,
                strata=unknown[:5],
            )
        missing = [label for label in index if label not in mapping]
        if missing and default is None:
            raise SamplerError(
                f"{field} gives no value for stratum {missing[0]!r} (add it or a 'default')",
                field=field,
                code="stratum_value_missing",
                name=field,
                stratum=missing[0],
            )
        return pd.Series([mapping.get(label, default) for label in index], index=index, dtype=object)
    return pd.Series([value] * len(index), index=index, dtype=object)


#: ``function(sizes, n, lower, options) -> n_h`` of an allocation method.
Allocator = Callable[[pd.Series, "int | None", np.ndarray, dict[str, Any]], np.ndarray]


def _exact_bounded(
    weights: list[Surd], lower: list[int], upper: list[int], n: int, roots: SurdField
) -> list[int]:
    """Bounded allocation ``clip(lam * w_h, L_h, U_h)`` summing to n, rounded by largest remainder.

    Everything is exact: weights are `Surd` values (rationals, or rationals times square roots for
    Neyman), lam is found among the breakpoints ``L_h / w_h`` and ``U_h / w_h`` by exact comparisons,
    and remainders are compared exactly, so equal remainders are equal and go in stratum order.
    """
    size = len(weights)
    positive = [w.sign() > 0 for w in weights]
    reachable = sum(upper[h] if positive[h] else lower[h] for h in range(size))
    if reachable < n:
        held = sum(upper[h] for h in range(size) if positive[h])
        raise SamplerError(
            f"cannot allocate n = {n}: strata with positive weight hold only {held} "
            "units beyond the minimum of the others",
            field="n",
            code="cannot_allocate",
            n=n,
            held=held,
        )
    # breakpoints lam = L_h / w_h and U_h / w_h, ordered by lam^2 (w_h = c sqrt(s): lam^2 = L^2 / (c^2 s))
    square = {}
    for h in range(size):
        if positive[h]:
            ((s, c),) = weights[h].terms.items()
            square[h] = c * c * s
    keys = sorted({Fraction(0)} | {Fraction(b * b) / square[h] for h in square for b in (lower[h], upper[h])})
    position = {key: i for i, key in enumerate(keys)}
    first = {h: position[Fraction(lower[h] ** 2) / square[h]] for h in square}
    last = {h: position[Fraction(upper[h] ** 2) / square[h]] for h in square}

    def segment(i: int) -> tuple[int, list[int]]:
        """Fixed total and free strata for lam strictly between breakpoints i and i + 1."""
        fixed, free = 0, []
        for h in range(size):
            if not positive[h] or first[h] >= i + 1:
                fixed += lower[h]
            elif last[h] <= i:
                fixed += upper[h]
            else:
                free.append(h)
        return fixed, free

    def at_most_n(i: int) -> bool:  # f(keys[i]) <= n, with f(lam) = fixed + lam * W on segment i
        fixed, free = segment(i)
        if not free or fixed > n:
            return fixed <= n
        if keys[i] == 0:
            return True
        total = surd_sum(weights[h] for h in free)
        return total.compare(roots.surd(n - fixed, 1 / keys[i])) <= 0

    low, high = 0, len(keys) - 1
    while low < high:  # largest i with f(keys[i]) <= n (f is nondecreasing, f(0) = sum L <= n)
        middle = (low + high + 1) // 2
        if at_most_n(middle):
            low = middle
        else:
            high = middle - 1
    fixed, free = segment(low)
    result = [lower[h] if (not positive[h] or first[h] >= low + 1) else upper[h] for h in range(size)]
    if not free:
        return result
    # free strata: x_h = (n - fixed) w_h / W. Shares are first computed to 50 digits (error below
    # `slack`); a share that close to a whole number, or two remainders that close to each other, are
    # decided exactly on x_h W = (n - fixed) w_h
    total = surd_sum(weights[h] for h in free)
    spare = n - fixed
    precision = 50
    slack = Decimal(n) * (len(free) + 10) * Decimal(10) ** (1 - precision)
    approx_total = total.approx(precision)
    rest: dict[int, Decimal] = {}
    with localcontext() as context:
        context.prec = precision
        for h in free:
            share = spare * weights[h].approx(precision) / approx_total
            floor = int(share)
            if share - floor <= slack or floor + 1 - share <= slack:
                scaled = weights[h] * spare
                while (scaled - total * floor).sign() < 0:
                    floor -= 1
                while (scaled - total * (floor + 1)).sign() >= 0:
                    floor += 1
            result[h] = floor
            rest[h] = share - floor

    def larger_first(a: int, b: int) -> int:
        if abs(rest[a] - rest[b]) > 2 * slack:
            return -1 if rest[a] > rest[b] else 1
        exact = (weights[a] * spare - total * result[a]).compare(weights[b] * spare - total * result[b])
        return -exact or a - b  # equal remainders: stratum order

    short = n - sum(result)
    for h in sorted(free, key=cmp_to_key(larger_first))[:short]:
        result[h] += 1
    return result


def _weights_proportional(
    capacity: np.ndarray, index: pd.Index, options: dict[str, Any], roots: SurdField
) -> list[Surd]:
    return [roots.surd(int(N)) for N in capacity]


def _weights_equal(
    capacity: np.ndarray, index: pd.Index, options: dict[str, Any], roots: SurdField
) -> list[Surd]:
    return [roots.surd(1) for _ in capacity]


def _weights_neyman(
    capacity: np.ndarray, index: pd.Index, options: dict[str, Any], roots: SurdField
) -> list[Surd]:
    rates = options.get("rates")
    if rates is None:
        raise SamplerError(
            "allocation method 'neyman' needs assumed rates",
            field="rates",
            code="needs_option",
            option="rates",
        )
    p = [
        decimal_text(check_rate(r, f"rates[{label!r}]"))
        for label, r in per_stratum(rates, index, "rates").items()
    ]
    weights = [roots.surd(int(N), q * (1 - q)) for N, q in zip(capacity, p, strict=True)]
    if not any(w.sign() > 0 for w in weights):
        raise SamplerError(
            "neyman allocation needs at least one assumed rate strictly between 0 and 1",
            field="rates",
            code="neyman_rates_degenerate",
        )
    return weights


def _weights_risk(
    capacity: np.ndarray, index: pd.Index, options: dict[str, Any], roots: SurdField
) -> list[Surd]:
    weights = options.get("weights")
    if weights is None:
        raise SamplerError(
            "allocation method 'risk' needs risk weights",
            field="weights",
            code="needs_option",
            option="weights",
        )
    w = []
    for label, value in per_stratum(weights, index, "weights").items():
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
            or value < 0
        ):
            raise SamplerError(
                f"weights[{label!r}] must be a number >= 0, got {value!r}",
                field="weights",
                code="weight_invalid",
                stratum=label,
                value=value,
            )
        w.append(decimal_text(value))
    result = [roots.surd(int(N) * v) for N, v in zip(capacity, w, strict=True)]
    if not any(v > 0 for v in w):
        raise SamplerError(
            "risk allocation needs at least one positive weight", field="weights", code="weights_all_zero"
        )
    return result


def _weighted(weights_of: Callable[..., list[Surd]]) -> Allocator:
    def allocate_weighted(sizes: pd.Series, n: int | None, lower: np.ndarray, options: dict[str, Any]):
        capacity, roots = sizes.to_numpy(), SurdField()
        weights = weights_of(capacity, sizes.index, options, roots)
        result = _exact_bounded(weights, [int(v) for v in lower], [int(v) for v in capacity], int(n), roots)
        return np.array(result, dtype=np.int64)

    return allocate_weighted


def _allocate_ratio(
    sizes: pd.Series, n: int | None, lower: np.ndarray, options: dict[str, Any]
) -> np.ndarray:
    ratio = options.get("ratio")
    if ratio is None:
        raise SamplerError(
            "allocation method 'ratio' needs a ratio", field="ratio", code="needs_option", option="ratio"
        )
    if n is not None:
        raise SamplerError(
            "allocation method 'ratio' sets n itself; do not give n", field="n", code="ratio_sets_n"
        )
    capacity = sizes.to_numpy()
    ratios = per_stratum(ratio, sizes.index, "ratio")
    result = np.array(
        [
            exact_ceil(check_rate(r, f"ratio[{label!r}]"), int(N))
            for label, r, N in zip(sizes.index, ratios, capacity, strict=True)
        ],
        dtype=np.int64,
    )
    return np.minimum(np.maximum(result, lower), capacity)


@dataclass(frozen=True)
class AllocationMethod:
    """One entry of `METHOD_REGISTRY`.

    Attributes
    ----------
    name : str
        The method's name in `allocate`, plan files (``allocation.method``) and the planner.
    label_key : str
        Key of the method's label in the dashboard's string tables (``plan.method.<name>``).
    needs_n : bool
        Whether the method takes the total n (``ratio`` sets it).
    inputs : tuple of str
        Keyword inputs of `allocate` the method reads (``rates``, ``weights``, ``ratio``).
    function : callable
        ``function(sizes, n, lower, options) -> n_h`` (int64 array in the order of ``sizes``).
    """

    name: str
    label_key: str
    needs_n: bool
    inputs: tuple[str, ...]
    function: Allocator = field(repr=False)


def _method(name: str, function: Allocator, *, needs_n: bool = True, inputs: tuple[str, ...] = ()):
    return name, AllocationMethod(name, f"plan.method.{name}", needs_n, inputs, function)


#: The allocation methods, in display order: name -> `AllocationMethod`. `METHODS` lists the names.
METHOD_REGISTRY: Mapping[str, AllocationMethod] = MappingProxyType(
    dict(
        [
            _method("proportional", _weighted(_weights_proportional)),
            _method("equal", _weighted(_weights_equal)),
            _method("neyman", _weighted(_weights_neyman), inputs=("rates",)),
            _method("risk", _weighted(_weights_risk), inputs=("weights",)),
            _method("ratio", _allocate_ratio, needs_n=False, inputs=("ratio",)),
        ]
    )
)
METHODS: tuple[str, ...] = tuple(METHOD_REGISTRY)


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
        One of `METHOD_REGISTRY`. ``proportional``: n_h proportional to N_h. ``equal``: the same n_h
        everywhere. ``neyman``: proportional to N_h * sqrt(p_h (1 - p_h)) with assumed rates p_h
        (``rates``). ``risk``: proportional to N_h * w_h with a risk weight w_h per stratum
        (``weights``: e.g. the mean risk-grade weight from `Frame.stratum_mean`, or a past
        non-conformity rate). ``ratio``: n_h = ceil(r_h * N_h) for a sampling ratio r_h per stratum
        (``ratio``; e.g. 0.03 undirected, 0.10 directed), computed exactly on the decimal text of r_h.
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
    bounded proportional allocation); it is rounded by largest remainder within the bounds: each
    stratum gets the whole part of its share, and the units left over go one each to the strata with
    the largest remainders, equal remainders going to the stratum that comes first in the
    population's order. All of it is computed in exact arithmetic (rates and weights read as their
    decimal text; Neyman's square roots kept exact), so a tie is a tie: 5 over 10/30/50/10 gives
    shares 0.5/1.5/2.5/0.5 and [1, 2, 2, 0].

    Raises
    ------
    SamplerError
        Unknown method, missing inputs, empty strata, n > N, n below the sum of minimums, bad rates.
    """
    method = check_choice(method, "allocation method", METHODS)
    spec = METHOD_REGISTRY[method]
    sizes = _population(population)
    minimum = check_int(minimum, "minimum")
    capacity = sizes.to_numpy()
    lower = np.minimum(minimum, capacity)
    options = {"rates": rates, "weights": weights, "ratio": ratio}
    if spec.needs_n:
        if n is None:
            raise SamplerError(
                f"allocation method {method!r} needs a total sample size n",
                field="n",
                code="needs_n",
                method=method,
            )
        n = check_int(n, "n", minimum=1)
        total = int(capacity.sum())
        if n > total:
            raise SamplerError(
                f"n = {n} exceeds the population N = {total}",
                field="n",
                code="n_exceeds_population",
                n=n,
                population=total,
            )
        if n < lower.sum():
            raise SamplerError(
                f"n = {n} is below the {int(lower.sum())} units needed for minimum = {minimum} per stratum",
                field="minimum",
                code="n_below_minimum",
                n=n,
                needed=int(lower.sum()),
                minimum=minimum,
            )
    result = spec.function(sizes, n, lower, options)
    return Allocation(pd.Series(result, index=sizes.index, name="n"), sizes, method, minimum)
