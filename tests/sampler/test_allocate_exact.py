"""Allocation ties follow the documented rule, not floating-point noise (issue 11, item 17).

Rule: the bounded share ``clip(lam * w_h, L_h, N_h)`` summing to n, whole parts first, then one unit
each to the largest remainders, equal remainders in stratum order (the order the population is
given in). The oracle below is written independently: plain Fractions (or 80-digit decimals for
Neyman's square roots, where ties are found symbolically), evaluating the piecewise-linear total at
every breakpoint.
"""

from __future__ import annotations

import itertools
import math
from decimal import Decimal, localcontext
from fractions import Fraction

import numpy as np
import pytest

from sampler.allocate import METHOD_REGISTRY, METHODS, allocate
from sampler.plan_file import parse_plan


def dec(value) -> Fraction:
    return Fraction(repr(float(value))) if not isinstance(value, int) else Fraction(value)


def oracle(weights, lower, upper, n, key=None):
    """Largest-remainder bounded allocation; weights exact (Fraction) or (Decimal, tie-key) pairs."""
    H = len(weights)
    exact = all(isinstance(w, Fraction) for w in weights)
    zero = Fraction(0) if exact else Decimal(0)

    def total(lam):
        return sum((min(max(lam * w, lo), up) for w, lo, up in zip(weights, lower, upper, strict=True)), zero)

    points = sorted(
        {zero} | {b / w for w, lo, up in zip(weights, lower, upper, strict=True) if w > 0 for b in (lo, up)}
    )
    # last breakpoint with total <= n, then solve the linear piece up to the next one
    i = max(j for j, lam in enumerate(points) if total(lam) <= n)
    if i + 1 == len(points):
        shares = [min(max(points[i] * w, lo), up) for w, lo, up in zip(weights, lower, upper, strict=True)]
    else:
        a, b = points[i], points[i + 1]
        fa, fb = total(a), total(b)
        lam = a + (b - a) * (n - fa) / (fb - fa) if fb != fa else a
        shares = [min(max(lam * w, lo), up) for w, lo, up in zip(weights, lower, upper, strict=True)]
    floors = [math.floor(x) for x in shares]
    rests = [x - f for x, f in zip(shares, floors, strict=True)]
    if not exact:  # 80 digits: differences below 1e-60 are ties (checked symbolically by the caller's key)
        rests = [Decimal(round(r, 60)) for r in rests]
        floors = [f + 1 if r >= 1 else f for f, r in zip(floors, rests, strict=True)]
        rests = [r - 1 if r >= 1 else r for r in rests]
    short = n - sum(floors)
    order = sorted(range(H), key=lambda h: (-rests[h], h))
    for h in order[:short]:
        floors[h] += 1
    return floors


def rational_weights(method, sizes, extra):
    if method == "proportional":
        return [Fraction(N) for N in sizes]
    if method == "equal":
        return [Fraction(1) for _ in sizes]
    return [N * dec(w) for N, w in zip(sizes, extra, strict=True)]


def check(population, n, method="proportional", minimum=0, extra=None):
    labels = list(population)
    sizes = [population[k] for k in labels]
    lower = [min(minimum, N) for N in sizes]
    kwargs = {}
    if method == "risk":
        kwargs["weights"] = dict(zip(labels, extra, strict=True))
    if method == "neyman":
        kwargs["rates"] = dict(zip(labels, extra, strict=True))
        with localcontext() as context:
            context.prec = 80
            weights = [
                N * (Decimal(repr(p)) * (1 - Decimal(repr(p)))).sqrt()
                for N, p in zip(sizes, extra, strict=True)
            ]
            want = oracle(weights, [Decimal(v) for v in lower], [Decimal(v) for v in sizes], n)
    else:
        want = oracle(rational_weights(method, sizes, extra), lower, sizes, n)
    got = allocate(population, n, method=method, minimum=minimum, **kwargs)
    assert list(got.sizes) == want, (population, n, method, minimum, extra)
    return want


def test_issue_example_equal_remainders_go_in_stratum_order():
    # shares 0.5, 1.5, 2.5, 0.5: floors 0, 1, 2, 0 and two units left for four equal remainders
    assert allocate({"a": 10, "b": 30, "c": 50, "d": 10}, 5).to_dict() == {"a": 1, "b": 2, "c": 2, "d": 0}
    assert allocate({"d": 10, "c": 50, "b": 30, "a": 10}, 5).to_dict() == {"d": 1, "c": 3, "b": 1, "a": 0}


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("method", ["proportional", "equal", "risk"])
def test_rational_methods_match_the_fraction_oracle_on_tie_prone_cases(method, seed):
    rng = np.random.default_rng(seed)
    for _ in range(60):
        H = int(rng.integers(1, 9))
        population = {f"s{h}": 10 * int(rng.integers(1, 12)) for h in range(H)}
        total = sum(population.values())
        minimum = int(rng.integers(0, 4))
        floor = sum(min(minimum, v) for v in population.values())
        n = int(rng.integers(max(1, floor), total + 1))
        extra = (
            [float(rng.choice([0.1, 0.2, 0.3, 0.5, 1.5, 0.7])) for _ in range(H)]
            if method == "risk"
            else None
        )
        check(population, n, method, minimum, extra)


@pytest.mark.parametrize(
    ("population", "n", "minimum"),
    [
        ({"a": 10, "b": 30, "c": 50, "d": 10}, 5, 0),
        ({"a": 10, "b": 10, "c": 10}, 2, 0),
        ({"a": 3, "b": 1, "c": 3, "d": 1}, 4, 0),  # shares 1.5, 0.5, 1.5, 0.5
        ({"a": 70, "b": 10, "c": 10, "d": 10}, 5, 1),  # minimum bound binds, ties among the rest
        ({"x": 1, "y": 2, "z": 3, "w": 6}, 6, 0),  # 0.5, 1, 1.5, 3
        ({"p": 15, "q": 25, "r": 35, "s": 25}, 10, 0),  # 1.5, 2.5, 3.5, 2.5
    ],
)
def test_known_tie_cases(population, n, minimum):
    check(population, n, "proportional", minimum)


def test_float_noise_cases_that_used_to_break_the_rule():
    # each of these had a remainder tie decided by floating-point noise before the fix
    check({"s00": 60, "s01": 40, "s02": 20}, 33)
    check({"s00": 10, "s01": 90, "s02": 30, "s03": 70}, 10)
    for n in range(1, 101):
        check({"a": 10, "b": 30, "c": 50, "d": 10}, n)
        check({"a": 7, "b": 21, "c": 7, "d": 35}, min(n, 70))


@pytest.mark.parametrize(
    ("rates", "n"),
    [
        ([0.2, 0.8, 0.5], 7),  # p(1 - p) equal for 0.2 and 0.8: equal weights, tie in stratum order
        ([0.8, 0.2, 0.1, 0.9], 5),
        ([0.1, 0.9, 0.3, 0.7], 9),
        ([0.03, 0.97, 0.05, 0.95, 0.5], 11),
        ([0.01, 0.02, 0.03], 10),  # irrational and unequal: no tie
    ],
)
def test_neyman_ties_between_equal_square_roots_follow_stratum_order(rates, n):
    population = {f"s{h}": 100 for h in range(len(rates))}
    want = check(population, n, "neyman", 0, rates)
    # mirrored rates give the same weights: the same sizes in the same positions
    mirrored = check(population, n, "neyman", 0, [round(1 - p, 12) for p in rates])
    assert want == mirrored


def test_neyman_equal_weights_with_float_noise():
    # sqrt(0.2 * 0.8) and sqrt(0.8 * 0.2) differ in the last bit in floats; exactly they are equal
    population = {"a": 1000, "b": 1000}
    assert allocate(population, 9, method="neyman", rates={"a": 0.8, "b": 0.2}).to_dict() == {"a": 5, "b": 4}
    assert allocate(population, 9, method="neyman", rates={"a": 0.2, "b": 0.8}).to_dict() == {"a": 5, "b": 4}


@pytest.mark.parametrize("seed", range(4))
def test_neyman_matches_the_high_precision_oracle(seed):
    rng = np.random.default_rng(100 + seed)
    for _ in range(25):
        H = int(rng.integers(2, 7))
        population = {f"s{h}": 10 * int(rng.integers(1, 8)) for h in range(H)}
        rates = [float(rng.choice([0.1, 0.9, 0.2, 0.8, 0.5, 0.03, 0.97])) for _ in range(H)]
        total = sum(population.values())
        minimum = int(rng.integers(0, 3))
        n = int(rng.integers(max(1, sum(min(minimum, v) for v in population.values())), total + 1))
        check(population, n, "neyman", minimum, rates)


def test_ratio_method_rounds_exactly():
    # 0.07 * 100 = 7.000000000000001 and 0.035 * 400 = 14.000000000000002 in floats
    assert allocate(
        {"a": 100, "b": 400, "c": 1000}, method="ratio", ratio={"a": 0.07, "b": 0.035, "c": 0.003}
    ).to_dict() == {
        "a": 7,
        "b": 14,
        "c": 3,
    }


def test_permuting_strata_without_ties_changes_nothing():
    # shares 1.43, 3.19, 4.51, 1.87: distinct remainders, so the order of the strata does not matter
    population = {"a": 13, "b": 29, "c": 41, "d": 17}
    base = allocate(population, 11).to_dict()
    for order in itertools.permutations(population):
        assert allocate({k: population[k] for k in order}, 11).to_dict() == base


def test_large_neyman_allocation_is_fast_and_exact():
    rng = np.random.default_rng(3)
    population = {f"s{h:03d}": int(rng.integers(50, 5000)) for h in range(300)}
    rates = {k: (int(rng.integers(1, 300)) + 1) / (int(rng.integers(400, 900)) + 2) for k in population}
    result = allocate(population, 3000, method="neyman", rates=rates, minimum=2)
    assert result.n == 3000
    weights = np.array([population[k] * math.sqrt(rates[k] * (1 - rates[k])) for k in population])
    assert np.max(np.abs(result.sizes.to_numpy() - 3000 * weights / weights.sum())) < 2


# ---------------------------------------------------------------- one registry


def test_one_registry_names_every_method_and_its_label_key():
    assert tuple(METHOD_REGISTRY) == METHODS == ("proportional", "equal", "neyman", "risk", "ratio")
    for name, spec in METHOD_REGISTRY.items():
        assert spec.name == name and spec.label_key == f"plan.method.{name}"
        assert spec.needs_n == (name != "ratio")
    assert METHOD_REGISTRY["neyman"].inputs == ("rates",)


def test_plan_files_and_the_planner_use_the_registry():
    from dashboard import planner
    from dashboard.strings.planning import STRINGS

    assert planner.ALLOCATION_METHODS is METHODS
    for spec in METHOD_REGISTRY.values():
        assert spec.label_key in STRINGS
    for name in METHODS:
        plan = (
            {"n": 10, "allocation": {"method": name}} if name != "ratio" else {"allocation": {"method": name}}
        )
        assert parse_plan(plan).allocation.method == name
