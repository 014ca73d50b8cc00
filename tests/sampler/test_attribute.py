"""Attribute sample sizes against the published AICPA tables, and the upper-limit inverse."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from sampler.attribute import (
    allowed_deviations,
    exact_ceil,
    sample_size,
    solve_attribute,
    upper_limit,
)
from sampler.errors import SamplerError

TOLERABLE = (0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.09, 0.10, 0.15, 0.20)

# AICPA Audit Sampling guide, "Statistical Sample Sizes for Tests of Controls", 5 % risk of
# overreliance (95 % confidence): expected population deviation rate -> n (expected deviations)
# per tolerable rate; None where the guide prints "*" (too large to be cost-effective).
AICPA_95 = {
    0.0000: "149(0) 99(0) 74(0) 59(0) 49(0) 42(0) 36(0) 32(0) 29(0) 19(0) 14(0)",
    0.0025: "236(1) 157(1) 117(1) 93(1) 78(1) 66(1) 58(1) 51(1) 46(1) 30(1) 22(1)",
    0.0050: "* 157(1) 117(1) 93(1) 78(1) 66(1) 58(1) 51(1) 46(1) 30(1) 22(1)",
    0.0075: "* 208(2) 117(1) 93(1) 78(1) 66(1) 58(1) 51(1) 46(1) 30(1) 22(1)",
    0.0100: "* * 156(2) 93(1) 78(1) 66(1) 58(1) 51(1) 46(1) 30(1) 22(1)",
    0.0125: "* * 156(2) 124(2) 78(1) 66(1) 58(1) 51(1) 46(1) 30(1) 22(1)",
    0.0150: "* * 192(3) 124(2) 103(2) 66(1) 58(1) 51(1) 46(1) 30(1) 22(1)",
    0.0175: "* * 227(4) 153(3) 103(2) 88(2) 77(2) 51(1) 46(1) 30(1) 22(1)",
    0.0200: "* * * 181(4) 127(3) 88(2) 77(2) 68(2) 46(1) 30(1) 22(1)",
    0.0225: "* * * 208(5) 127(3) 88(2) 77(2) 68(2) 61(2) 30(1) 22(1)",
    0.0250: "* * * * 150(4) 109(3) 77(2) 68(2) 61(2) 30(1) 22(1)",
    0.0275: "* * * * 173(5) 109(3) 95(3) 68(2) 61(2) 30(1) 22(1)",
    0.0300: "* * * * 195(6) 129(4) 95(3) 84(3) 61(2) 30(1) 22(1)",
    0.0325: "* * * * * 148(5) 112(4) 84(3) 61(2) 30(1) 22(1)",
    0.0350: "* * * * * 167(6) 112(4) 84(3) 76(3) 40(2) 22(1)",
    0.0375: "* * * * * 185(7) 129(5) 100(4) 76(3) 40(2) 22(1)",
    0.0400: "* * * * * * 146(6) 100(4) 89(4) 40(2) 22(1)",
    0.0500: "* * * * * * * 158(8) 116(6) 40(2) 30(2)",
    0.0600: "* * * * * * * * 179(11) 50(3) 30(2)",
    0.0700: "* * * * * * * * * 68(5) 37(3)",
}

# Same guide, 10 % risk of overreliance (90 % confidence).
AICPA_90 = {
    0.0000: "114(0) 76(0) 57(0) 45(0) 38(0) 32(0) 28(0) 25(0) 22(0) 15(0) 11(0)",
    0.0025: "194(1) 129(1) 96(1) 77(1) 64(1) 55(1) 48(1) 42(1) 38(1) 25(1) 18(1)",
    0.0050: "194(1) 129(1) 96(1) 77(1) 64(1) 55(1) 48(1) 42(1) 38(1) 25(1) 18(1)",
    0.0075: "265(2) 129(1) 96(1) 77(1) 64(1) 55(1) 48(1) 42(1) 38(1) 25(1) 18(1)",
    0.0100: "* 176(2) 96(1) 77(1) 64(1) 55(1) 48(1) 42(1) 38(1) 25(1) 18(1)",
    0.0125: "* 221(3) 132(2) 77(1) 64(1) 55(1) 48(1) 42(1) 38(1) 25(1) 18(1)",
    0.0150: "* * 132(2) 105(2) 64(1) 55(1) 48(1) 42(1) 38(1) 25(1) 18(1)",
    0.0175: "* * 166(3) 105(2) 88(2) 55(1) 48(1) 42(1) 38(1) 25(1) 18(1)",
    0.0200: "* * 198(4) 132(3) 88(2) 75(2) 48(1) 42(1) 38(1) 25(1) 18(1)",
    0.0225: "* * * 132(3) 88(2) 75(2) 65(2) 42(1) 38(1) 25(1) 18(1)",
    0.0250: "* * * 158(4) 110(3) 75(2) 65(2) 58(2) 38(1) 25(1) 18(1)",
    0.0275: "* * * 209(6) 132(4) 94(3) 65(2) 58(2) 52(2) 25(1) 18(1)",
    0.0300: "* * * * 132(4) 94(3) 65(2) 58(2) 52(2) 25(1) 18(1)",
    0.0325: "* * * * 153(5) 113(4) 82(3) 58(2) 52(2) 25(1) 18(1)",
    0.0350: "* * * * 194(7) 113(4) 82(3) 73(3) 52(2) 25(1) 18(1)",
    0.0375: "* * * * * 131(5) 98(4) 73(3) 52(2) 25(1) 18(1)",
    0.0400: "* * * * * 149(6) 98(4) 73(3) 65(3) 25(1) 18(1)",
    0.0500: "* * * * * * 160(8) 115(6) 78(4) 34(2) 18(1)",
    0.0600: "* * * * * * * 182(11) 116(7) 43(3) 25(2)",
    0.0700: "* * * * * * * * 199(14) 52(4) 25(2)",
}


def _cells(table: dict[float, str], confidence: float):
    for expected, row in table.items():
        for tolerable, cell in zip(TOLERABLE, row.split(), strict=True):
            if cell != "*":
                n, k = cell.rstrip(")").split("(")
                yield pytest.param(
                    confidence, expected, tolerable, int(n), int(k), id=f"{confidence}-{expected}-{tolerable}"
                )


@pytest.mark.parametrize(
    ("confidence", "expected", "tolerable", "n", "k"),
    [*_cells(AICPA_95, 0.95), *_cells(AICPA_90, 0.90)],
)
def test_binomial_sizes_reproduce_published_aicpa_tables(confidence, expected, tolerable, n, k):
    result = sample_size(confidence=confidence, tolerable=tolerable, expected=expected)
    assert (result.n, result.allowed_deviations) == (n, k)
    assert result.risk <= 1 - confidence
    assert result.upper_limit <= tolerable


def test_table_has_many_cells():
    assert len(list(_cells(AICPA_95, 0.95))) + len(list(_cells(AICPA_90, 0.90))) > 300


def test_headline_examples_from_the_issue():
    assert sample_size(confidence=0.95, tolerable=0.05).n == 59
    result = sample_size(confidence=0.95, tolerable=0.05, expected=0.0125)
    assert (result.n, result.allowed_deviations) == (124, 2)


@pytest.mark.parametrize(("population", "n"), [(100, 45), (200, 51), (600, 56)])
def test_hypergeometric_sizes_match_textbook(population, n):
    # Principles of Auditing (Illustration 10.A.1): 95 %, 5 % tolerable, no deviations.
    result = sample_size(confidence=0.95, tolerable=0.05, population=population, model="hypergeometric")
    assert result.n == n


def test_poisson_zero_deviation_size_is_the_rule_of_three():
    # P(0) = exp(-n t) <= 0.05  <=>  n >= -ln(0.05)/0.05 = 59.9
    assert sample_size(confidence=0.95, tolerable=0.05, model="poisson").n == math.ceil(
        -math.log(0.05) / 0.05
    )


def test_expected_deviations_are_an_exact_decimal_ceiling():
    assert 0.035 * 400 != 14  # the trap
    assert exact_ceil(0.035, 400) == 14
    assert allowed_deviations(0.035, 400) == 14
    assert allowed_deviations(0.0125, 124) == 2
    assert allowed_deviations(0.0, 500) == 0


@settings(derandomize=True, max_examples=60, deadline=None)
@given(
    confidence=st.sampled_from([0.8, 0.9, 0.95, 0.99]),
    tolerable=st.sampled_from([0.02, 0.05, 0.1, 0.2]),
    expected_share=st.sampled_from([0.0, 0.1, 0.25, 0.5]),
    model=st.sampled_from(["binomial", "poisson"]),
)
def test_sample_size_is_the_smallest_that_works(confidence, tolerable, expected_share, model):
    expected = round(tolerable * expected_share, 6)
    result = sample_size(confidence=confidence, tolerable=tolerable, expected=expected, model=model)
    dist = stats.binom if model == "binomial" else stats.poisson

    def accept(n):
        k = exact_ceil(expected, n)
        args = (n, tolerable) if model == "binomial" else (n * tolerable,)
        return dist.cdf(k, *args) <= 1 - confidence

    assert accept(result.n)
    assert not any(accept(m) for m in range(1, result.n))


@settings(derandomize=True, max_examples=40, deadline=None)
@given(n=st.integers(1, 400), data=st.data(), confidence=st.sampled_from([0.9, 0.95, 0.99]))
def test_binomial_upper_limit_inverts_the_tail(n, data, confidence):
    k = data.draw(st.integers(0, n))
    upper = upper_limit(n=n, deviations=k, confidence=confidence).upper
    if k == n:
        assert upper == 1.0
    else:
        assert stats.binom.cdf(k, n, upper) == pytest.approx(1 - confidence, abs=1e-9)


def test_hypergeometric_upper_limit_is_the_largest_count_not_rejected():
    N, n, k = 600, 100, 2
    upper = upper_limit(n=n, deviations=k, confidence=0.95, population=N, model="hypergeometric").upper
    K = round(upper * N)
    assert stats.hypergeom.cdf(k, N, K, n) > 0.05
    assert stats.hypergeom.cdf(k, N, K + 1, n) <= 0.05


def test_solve_gives_each_missing_quantity():
    by_n = solve_attribute(tolerable=0.05, confidence=0.95, expected=0.0125)
    assert (by_n.n, by_n.allowed_deviations, by_n.solved_for) == (124, 2, "n")
    by_tol = solve_attribute(n=59, confidence=0.95)
    assert by_tol.tolerable == pytest.approx(1 - 0.05 ** (1 / 59))
    by_conf = solve_attribute(n=59, tolerable=0.05)
    assert by_conf.confidence == pytest.approx(1 - 0.95**59)
    hyper = solve_attribute(n=45, tolerable=0.05, population=100, model="hypergeometric")
    assert hyper.confidence == pytest.approx(1 - stats.hypergeom.pmf(0, 100, 5, 45))


@pytest.mark.parametrize(
    ("kwargs", "field", "text"),
    [
        ({"confidence": 1.0, "tolerable": 0.05}, "confidence", "confidence must lie in (0, 1)"),
        ({"confidence": 0.0, "tolerable": 0.05}, "confidence", "confidence"),
        ({"confidence": 0.95, "tolerable": 1.5}, "tolerable", "tolerable must lie in (0, 1]"),
        ({"confidence": 0.95, "tolerable": 0.05, "expected": -0.1}, "expected", "expected must lie"),
        ({"confidence": 0.95, "tolerable": 0.05, "expected": 0.05}, "tolerable", "must exceed the expected"),
        ({"confidence": 0.95, "tolerable": 0.05, "model": "binomal"}, "model", "did you mean 'binomial'"),
        ({"confidence": 0.95, "tolerable": 0.05, "model": "hypergeometric"}, "population", "population"),
        ({"confidence": 0.95, "tolerable": 0.05, "population": 100}, "population", "only used by"),
    ],
)
def test_bad_inputs_name_the_field(kwargs, field, text):
    with pytest.raises(SamplerError, match=None) as info:
        sample_size(**kwargs)
    assert info.value.field == field
    assert text in str(info.value)


def test_impossible_sizes_raise_instead_of_returning_nonsense():
    with pytest.raises(SamplerError, match="no sample size up to the population"):
        sample_size(confidence=0.95, tolerable=0.02, expected=0.019, population=50, model="hypergeometric")
    with pytest.raises(SamplerError, match="deviations"):
        upper_limit(n=10, deviations=11, confidence=0.95)
    with pytest.raises(SamplerError, match="exactly two"):
        solve_attribute(n=10)
