"""Allocation: integers that sum to n within bounds, for every method."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sampler.allocate import allocate
from sampler.errors import SamplerError

populations = st.dictionaries(
    st.text(alphabet="ABCDEFGH", min_size=1, max_size=3), st.integers(1, 5000), min_size=1, max_size=25
)


@settings(derandomize=True, max_examples=100, deadline=None)
@given(
    population=populations,
    data=st.data(),
    method=st.sampled_from(["proportional", "equal", "neyman", "risk"]),
)
def test_allocations_sum_to_n_and_respect_bounds(population, data, method):
    total = sum(population.values())
    minimum = data.draw(st.integers(0, 10))
    floor = sum(min(minimum, size) for size in population.values())
    n = data.draw(st.integers(max(1, floor), total))
    extra = {}
    if method == "neyman":
        extra["rates"] = {k: data.draw(st.floats(0.001, 0.5)) for k in population}
    if method == "risk":
        extra["weights"] = {k: data.draw(st.floats(0.1, 10)) for k in population}
    result = allocate(population, n, method=method, minimum=minimum, **extra)
    assert result.n == n
    for label, size in population.items():
        assert min(minimum, size) <= result.sizes[label] <= size


def test_proportional_is_exact_when_shares_are_whole():
    result = allocate({"a": 600, "b": 300, "c": 100}, 100)
    assert result.to_dict() == {"a": 60, "b": 30, "c": 10}


def test_largest_remainder_rounding():
    # shares 33.33.., 33.33.., 33.33.. -> ties broken by stratum order
    assert allocate({"a": 1, "b": 1, "c": 1}, 2, method="equal").to_dict() == {"a": 1, "b": 1, "c": 0}
    # proportional 7 over 10/20/70 -> 0.7, 1.4, 4.9 -> floors 0,1,4, remainders .7 .4 .9 -> c, a
    assert allocate({"a": 10, "b": 20, "c": 70}, 7).to_dict() == {"a": 1, "b": 1, "c": 5}


def test_minimum_and_capacity_are_respected_with_reallocation():
    result = allocate({"big": 10_000, "small": 3, "mid": 100}, 50, minimum=5)
    assert result.sizes["small"] == 3  # smaller than the minimum: taken whole
    assert result.sizes["mid"] >= 5
    assert result.n == 50
    equal = allocate({"a": 2, "b": 1000, "c": 1000}, 30, method="equal")
    assert equal.to_dict() == {"a": 2, "b": 14, "c": 14}


def test_neyman_follows_n_sqrt_pq():
    result = allocate({"a": 1000, "b": 3000}, 100, method="neyman", rates={"a": 0.5, "b": 0.2})
    share = 1000 * 0.5 / (1000 * 0.5 + 3000 * math.sqrt(0.2 * 0.8))
    assert abs(result.sizes["a"] - 100 * share) < 1
    assert result.n == 100


def test_risk_weights_scale_the_allocation():
    result = allocate({"a": 1000, "b": 1000}, 90, method="risk", weights={"a": 1, "b": 2})
    assert result.to_dict() == {"a": 30, "b": 60}


def test_ratio_allocation_uses_exact_ceilings():
    result = allocate(
        {"undirected": 400, "tiny": 10}, method="ratio", ratio={"undirected": 0.035, "tiny": 0.03}
    )
    assert result.sizes["undirected"] == 14  # 0.035 * 400 is 14.000000000000002 in floats
    assert result.sizes["tiny"] == 1
    with_min = allocate({"x": 1000}, method="ratio", ratio=0.03, minimum=50)
    assert with_min.sizes["x"] == 50
    assert allocate({"x": 1000, "y": 50}, method="ratio", ratio={"default": 0.1}).to_dict() == {
        "x": 100,
        "y": 5,
    }


@pytest.mark.parametrize(
    ("args", "kwargs", "field", "text"),
    [
        (({"a": 10},), {"n": 11}, "n", "exceeds the population"),
        (({"a": 10, "b": 0},), {"n": 5}, "population", "stratum 'b' is empty"),
        (({"a": 10},), {"n": 5, "method": "neymann"}, "allocation method", "did you mean 'neyman'"),
        (({"a": 10, "b": 10},), {"n": 5, "minimum": 3}, "minimum", "below the 6 units"),
        (({"a": 10},), {"n": 5, "method": "neyman"}, "rates", "needs assumed rates"),
        (({"a": 10},), {"n": 5, "method": "neyman", "rates": 1.2}, "rates['a']", "must lie in [0, 1]"),
        (({"a": 10},), {"method": "ratio"}, "ratio", "needs a ratio"),
        (({"a": 10},), {"n": 2, "method": "ratio", "ratio": 0.1}, "n", "sets n itself"),
        (({"a": 10, "b": 5},), {"n": 2, "method": "risk", "weights": {"a": 1}}, "weights", "stratum 'b'"),
        (({"a": 10},), {"method": "equal"}, "n", "needs a total sample size"),
    ],
)
def test_bad_allocation_inputs_name_the_field(args, kwargs, field, text):
    with pytest.raises(SamplerError) as info:
        allocate(*args, **kwargs)
    assert info.value.field == field
    assert text in str(info.value)
