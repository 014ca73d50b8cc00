"""The exact-arithmetic helpers behind the tie rules (sampler._exact)."""

from __future__ import annotations

import math
from decimal import Decimal, localcontext
from fractions import Fraction

import pytest
from scipy import stats

from sampler._exact import (
    SurdField,
    binom_cdf_at_most,
    decimal_text,
    hypergeom_cdf,
    hypergeom_sf,
    poisson_cdf_at_most,
    surd_sum,
)


def test_decimal_text_reads_the_shortest_decimal():
    assert decimal_text(0.9) == Fraction(9, 10)
    assert 1 - decimal_text(0.9) == Fraction(1, 10)
    assert decimal_text(0.035) * 400 == 14
    assert decimal_text(3) == 3


@pytest.mark.parametrize(("N", "K", "n"), [(20, 1, 18), (50, 7, 13), (200, 30, 40), (12, 12, 5), (9, 0, 4)])
def test_hypergeometric_fractions_match_the_textbook_sum_and_scipy(N, K, n):
    for k in range(-1, n + 2):
        want = Fraction(
            sum(math.comb(K, x) * math.comb(N - K, n - x) for x in range(0, min(k, n) + 1)), math.comb(N, n)
        )
        assert hypergeom_cdf(k, N, K, n) == want
        assert hypergeom_sf(k + 1, N, K, n) == 1 - want
        assert float(want) == pytest.approx(stats.hypergeom.cdf(k, N, K, n), abs=1e-12)


def test_binomial_and_poisson_decisions():
    # P(X = 0 | 5, 0.2) = 0.32768 exactly
    assert binom_cdf_at_most(0, 5, Fraction(1, 5), Fraction("0.32768"))
    assert not binom_cdf_at_most(0, 5, Fraction(1, 5), Fraction("0.32767999999999"))
    assert binom_cdf_at_most(5, 5, Fraction(1, 5), Fraction(1))
    # P(X = 0 | lam = 2) = e^-2 = 0.1353352832366126918939994949...
    assert poisson_cdf_at_most(0, Fraction(2), Fraction("0.13533528323661269190"))
    assert not poisson_cdf_at_most(0, Fraction(2), Fraction("0.13533528323661269189"))
    with localcontext() as context:
        context.prec = 60
        value = (Decimal(3) ** 2 / 2 + 3 + 1) * Decimal(-3).exp()  # P(X <= 2 | 3)
        above = Fraction(str(value + Decimal("1e-55")))
        below = Fraction(str(value - Decimal("1e-55")))
    assert poisson_cdf_at_most(2, Fraction(3), above) and not poisson_cdf_at_most(2, Fraction(3), below)


def test_surds_detect_ties_exactly_and_order_the_rest():
    roots = SurdField()
    # sqrt(8) = 2 sqrt(2), sqrt(0.16) = 0.4, sqrt(0.0291) * 100 = sqrt(291)
    assert (roots.surd(1, 8) - roots.surd(2, 2)).sign() == 0
    assert roots.surd(1, Fraction("0.16")).compare(Fraction(2, 5)) == 0
    assert roots.surd(100, Fraction("0.0291")).compare(roots.surd(1, 291)) == 0
    # sqrt(2) + sqrt(3) vs sqrt(10): 3.1462... > 3.1622...? no: 3.146 < 3.162
    assert surd_sum([roots.surd(1, 2), roots.surd(1, 3)]).compare(roots.surd(1, 10)) == -1
    # a near miss: (sqrt(10001) - 100) - 1/200 is about -1.2e-8
    assert (roots.surd(1, 10001) - 100 - Fraction(1, 200)).sign() == -1
    # 1e-30 apart: decided by raising the precision
    close = roots.surd(1, 2) - Fraction("1.414213562373095048801688724209698")
    assert close.sign() == 1
