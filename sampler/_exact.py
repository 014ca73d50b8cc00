"""Exact decisions at the edges: comparisons that floating point would get wrong at a tie.

Every comparison of a probability with a bound (``P(X <= k) <= 1 - confidence``, ``P(X >= c) <= alpha``)
is first made in floating point; when the two sides are within a relative `BAND` of each other the
decision is taken again in exact arithmetic:

* inputs given as floats (rates, confidence levels, weights) are read as the shortest decimal text
  that prints as them (``0.9`` is 9/10, not 0.90000000000000002220...), see `decimal_text`;
* hypergeometric and binomial probabilities are rational numbers and are compared as
  `fractions.Fraction` built from integer binomial coefficients (`math.comb`): a tie is a tie;
* a Poisson probability ``exp(-lam) * sum(lam**i / i!)`` with rational ``lam > 0`` is irrational
  (Lindemann), so it never equals a rational bound; the decision is taken with `decimal` arithmetic
  (correctly rounded ``exp``) at a precision raised until the error bound separates the two sides;
* weights with square roots (Neyman allocation) are handled by `Surd`, exact linear combinations of
  square roots: a sum of square roots of rationals from distinct square classes is zero only when
  every coefficient is zero, so ties are detected exactly and other signs found numerically.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from decimal import MAX_EMAX, MIN_EMIN, Decimal, localcontext
from fractions import Fraction
from functools import lru_cache
from numbers import Integral

__all__ = [
    "BAND",
    "Surd",
    "SurdField",
    "binom_cdf_at_most",
    "decimal_text",
    "hypergeom_cdf",
    "hypergeom_cdf_at_most",
    "hypergeom_sf",
    "near",
    "poisson_cdf_at_most",
]

#: Relative distance within which a floating-point comparison is re-done exactly.
BAND = 1e-6


def decimal_text(value: float | int | Fraction) -> Fraction:
    """The shortest decimal that prints as ``value``, as an exact fraction (0.9 -> 9/10)."""
    if isinstance(value, Fraction):
        return value
    if isinstance(value, Integral):
        return Fraction(int(value))
    return Fraction(repr(float(value)))


def near(approx: float, bound: float, band: float = BAND) -> bool:
    """Whether a floating-point value is too close to ``bound`` to be compared in floats."""
    return abs(approx - bound) <= band * abs(bound)


def _hypergeom_terms(N: int, K: int, n: int, low: int, high: int) -> int:
    """sum_{x=low}^{high} C(K, x) C(N - K, n - x) (exact integer; empty sum 0)."""
    low, high = max(low, 0, n - (N - K)), min(high, K, n)
    if high < low:
        return 0
    term = math.comb(K, low) * math.comb(N - K, n - low)
    total = term
    for x in range(low, high):
        term = term * (K - x) * (n - x) // ((x + 1) * (N - K - n + x + 1))
        total += term
    return total


def hypergeom_cdf(k: int, N: int, K: int, n: int) -> Fraction:
    """P(X <= k) for X ~ Hypergeometric(N units, K marked, n drawn), exactly."""
    k, N, K, n = int(k), int(N), int(K), int(n)
    lowest, highest = max(0, n - (N - K)), min(K, n)
    if k < lowest:
        return Fraction(0)
    if k >= highest:
        return Fraction(1)
    total = math.comb(N, n)
    if k - lowest <= highest - k:
        return Fraction(_hypergeom_terms(N, K, n, lowest, k), total)
    return 1 - Fraction(_hypergeom_terms(N, K, n, k + 1, highest), total)


def hypergeom_sf(c: int, N: int, K: int, n: int) -> Fraction:
    """P(X >= c) for X ~ Hypergeometric(N, K, n), exactly."""
    return 1 - hypergeom_cdf(int(c) - 1, N, K, n)


def hypergeom_cdf_at_most(
    k: int, N: int, K: int, n: int, bound: Fraction, approx: float | None = None
) -> bool:
    """``P(X <= k | N, K, n) <= bound``, decided exactly (``approx`` spares the work away from ties)."""
    if approx is not None and not near(approx, float(bound)):
        return approx <= float(bound)
    return hypergeom_cdf(k, N, K, n) <= bound


def binom_cdf_at_most(k: int, n: int, p: Fraction, bound: Fraction, approx: float | None = None) -> bool:
    """``P(X <= k | n, p) <= bound`` for X ~ Binomial(n, p) with rational p, decided exactly."""
    if approx is not None and not near(approx, float(bound)):
        return approx <= float(bound)
    k, n = int(k), int(n)
    if k >= n:
        return bound >= 1
    if k < 0:
        return bound >= 0
    a, b = p.numerator, p.denominator
    rest = b - a
    # sum_i C(n, i) a^i rest^(n - i) / b^n = rest^(n - k) * sum_i C(n, i) a^i rest^(k - i) / b^n
    inner = sum(math.comb(n, i) * a**i * rest ** (k - i) for i in range(k + 1))
    return inner * rest ** (n - k) * bound.denominator <= bound.numerator * b**n


def poisson_cdf_at_most(k: int, lam: Fraction, bound: Fraction, approx: float | None = None) -> bool:
    """``P(X <= k) <= bound`` for X ~ Poisson(lam) with rational lam, decided exactly.

    For lam > 0 the probability is irrational and cannot equal the rational bound; the precision of
    the `decimal` evaluation is doubled until the error bound separates the two sides.
    """
    if approx is not None and not near(approx, float(bound)):
        return approx <= float(bound)
    k = int(k)
    if k < 0:
        return bound >= 0
    if lam == 0:
        return bound >= 1
    series, term = Fraction(0), Fraction(1)
    for i in range(k + 1):
        series += term
        term = term * lam / (i + 1)
    precision = 50
    while True:
        with localcontext() as context:
            context.prec, context.Emax, context.Emin = precision, MAX_EMAX, MIN_EMIN
            value = (-(Decimal(lam.numerator) / Decimal(lam.denominator))).exp()
        # two correctly rounded operations: relative error below (lam + 2) * 10^(2 - precision)
        error = (lam + 2) * Fraction(1, 10 ** (precision - 2))
        centre = series * Fraction(value)
        if bound < centre * (1 - error):
            return False
        if bound > centre * (1 + error):
            return True
        precision *= 2


@lru_cache(maxsize=65536)
def _sqrt(radicand: int, precision: int) -> Decimal:
    with localcontext() as context:
        context.prec = precision
        return Decimal(radicand).sqrt()


class SurdField:
    """Square classes of the radicands used by one computation (so that `Surd` terms combine).

    ``root(r)`` returns ``(c, s)`` with ``sqrt(r) = c * sqrt(s)``, ``c`` rational and ``s`` the
    representative of the square class of ``r`` (two radicands share a class when their product is a
    perfect square). Square roots from distinct classes are linearly independent over the rationals.
    """

    def __init__(self) -> None:
        self._classes: list[int] = []
        self._known: dict[int, tuple[Fraction, int]] = {}

    def root(self, radicand: Fraction) -> tuple[Fraction, int]:
        radicand = Fraction(radicand)
        if radicand < 0:
            raise ValueError("negative radicand")
        if radicand == 0:
            return Fraction(0), 1
        # sqrt(a / b) = sqrt(a b) / b
        whole = radicand.numerator * radicand.denominator
        scale = Fraction(1, radicand.denominator)
        if whole in self._known:
            c, s = self._known[whole]
            return c * scale, s
        square = math.isqrt(whole)
        if square * square == whole:
            found = (Fraction(square), 1)
        else:
            found = None
            for s in self._classes:
                product = whole * s
                root = math.isqrt(product)
                if root * root == product:  # sqrt(whole) = sqrt(whole s) / s * sqrt(s)
                    found = (Fraction(root, s), s)
                    break
            if found is None:
                self._classes.append(whole)
                found = (Fraction(1), whole)
        self._known[whole] = found
        return found[0] * scale, found[1]

    def surd(self, coefficient: Fraction | int, radicand: Fraction | int = 1) -> Surd:
        """``coefficient * sqrt(radicand)`` as a `Surd` of this field."""
        c, s = self.root(Fraction(radicand))
        return Surd({s: Fraction(coefficient) * c})


class Surd:
    """An exact real number ``sum_s q_s * sqrt(s)`` (rational q_s, square-class representatives s).

    Supports +, -, multiplication by a rational, `sign` and comparison with another `Surd` of the
    same `SurdField`.
    """

    __slots__ = ("terms",)

    def __init__(self, terms: Mapping[int, Fraction] | None = None) -> None:
        self.terms = {s: q for s, q in (terms or {}).items() if q != 0}

    @classmethod
    def of(cls, value: Fraction | int) -> Surd:
        return cls({1: Fraction(value)})

    def __add__(self, other: Surd | Fraction | int) -> Surd:
        other = other if isinstance(other, Surd) else Surd.of(other)
        terms = dict(self.terms)
        for s, q in other.terms.items():
            terms[s] = terms.get(s, Fraction(0)) + q
        return Surd(terms)

    __radd__ = __add__

    def __neg__(self) -> Surd:
        return Surd({s: -q for s, q in self.terms.items()})

    def __sub__(self, other: Surd | Fraction | int) -> Surd:
        other = other if isinstance(other, Surd) else Surd.of(other)
        return self + (-other)

    def __rsub__(self, other: Fraction | int) -> Surd:
        return Surd.of(other) - self

    def __mul__(self, factor: Fraction | int) -> Surd:
        if isinstance(factor, Surd):
            raise TypeError("Surd * Surd is not supported")
        factor = Fraction(factor)
        return Surd({s: q * factor for s, q in self.terms.items()})

    __rmul__ = __mul__

    def approx(self, precision: int = 40) -> Decimal:
        """Decimal value, relative error per term below 10^(3 - precision)."""
        with localcontext() as context:
            context.prec = precision
            return sum(
                (
                    Decimal(q.numerator) / Decimal(q.denominator) * _sqrt(s, precision)
                    for s, q in self.terms.items()
                ),
                Decimal(0),
            )

    def __float__(self) -> float:
        return float(self.approx(20))

    def sign(self) -> int:
        """-1, 0 or 1, exactly."""
        if not self.terms:
            return 0
        signs = {q > 0 for q in self.terms.values()}
        if len(signs) == 1:
            return 1 if signs.pop() else -1
        precision = 40
        scale = sum((abs(q) * math.isqrt(s) + abs(q) for s, q in self.terms.items()), Fraction(0))
        while True:
            value = self.approx(precision)
            error = Decimal(float(scale)) * 2 * Decimal(10) ** (3 - precision) * len(self.terms)
            if abs(value) > error:
                return 1 if value > 0 else -1
            precision *= 2

    def compare(self, other: Surd | Fraction | int) -> int:
        """Sign of ``self - other``."""
        return (self - other).sign()


def surd_sum(values: Iterable[Surd]) -> Surd:
    """Sum of `Surd` values (linear time)."""
    terms: dict[int, Fraction] = {}
    for value in values:
        for s, q in value.terms.items():
            terms[s] = terms.get(s, Fraction(0)) + q
    return Surd(terms)
