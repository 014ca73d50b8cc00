"""Certification bodies: approvals growing 2017 -> 2025, cancellations, risk grades, bad actors, schemes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from models.reference_data import PROVINCE_CODES, SCHEME_CODES
from seed import calibration as cal
from seed.codes import credit_codes, unique_bodies
from seed.dates import NAT, add_years, day, uniform_days, year_start
from seed.names import INSTITUTION_KINDS, PROVINCE_CITIES, brand_pool

CORE_SCHEMES = ("QMS", "EMS", "OHSMS")


@dataclass
class Institutions:
    """Institution rows plus hidden traits the other generators use (size, bad actor, windows)."""

    id: np.ndarray
    name: list[str]
    credit_code: list[str]
    approval_number: list[str]
    region_code: np.ndarray
    status: np.ndarray
    approved_on: np.ndarray
    risk_grade: np.ndarray
    bad_actor: np.ndarray
    size: np.ndarray
    cancelled_on: np.ndarray  # NaT unless cancelled (注销)
    scheme_approved_on: np.ndarray  # (n, len(SCHEME_CODES)) datetime64, NaT where not approved

    def __len__(self) -> int:
        return len(self.id)

    def table(self) -> dict[str, object]:
        """Columns of the ``institution`` table."""
        return {
            "id": self.id,
            "name": self.name,
            "credit_code": self.credit_code,
            "approval_number": self.approval_number,
            "region_code": self.region_code,
            "status": self.status,
            "approved_on": self.approved_on,
            "risk_grade": self.risk_grade,
        }

    def scheme_table(self) -> dict[str, object]:
        """Columns of the ``institutionscheme`` table."""
        rows, cols = np.nonzero(~np.isnat(self.scheme_approved_on))
        return {
            "institution_id": self.id[rows],
            "scheme_code": np.array(SCHEME_CODES, dtype=object)[cols],
            "approved_on": self.scheme_approved_on[rows, cols],
        }

    def active_at(self, when: np.datetime64) -> np.ndarray:
        """Mask of institutions approved by ``when`` and not cancelled by then."""
        return (self.approved_on <= when) & ~(self.cancelled_on <= when)


def _scaled(count: float, factor: float, *, minimum: int = 0) -> int:
    return max(minimum, round(count * factor)) if count > 0 else 0


def yearly_plan(factor: float) -> tuple[dict[int, int], dict[int, int], int]:
    """New approvals and cancellations per year, and how many were in business before 2017."""
    net = cal.INSTITUTIONS_AT_YEAR_END
    before = _scaled(net[2016], factor, minimum=5)
    new: dict[int, int] = {}
    cancelled: dict[int, int] = {}
    running = before
    for year in range(2017, cal.AS_OF.year + 1):
        cancelled[year] = _scaled(cal.INSTITUTION_CANCELLATIONS.get(year, 0), factor)
        if year in net:
            target = _scaled(net[year], factor, minimum=running // 2)
            new[year] = max(1, target - running + cancelled[year])
        else:
            new[year] = _scaled(cal.INSTITUTIONS_NEW_2026, factor, minimum=1)
        running += new[year] - cancelled[year]
    return new, cancelled, before


def _weights(table: dict[str, float], other: float) -> np.ndarray:
    weights = np.array([table.get(code, other) for code in PROVINCE_CODES], dtype=float)
    return weights / weights.sum()


def generate_institutions(rng: np.random.Generator, factor: float) -> Institutions:
    """Every institution ever approved, ``factor`` times the national history."""
    new, cancellations, before = yearly_plan(factor)
    as_of = day(cal.AS_OF)
    # Approval dates: the early ones spread over 2002-2016 with growth, then the planned years.
    early_years = np.arange(cal.INSTITUTION_FIRST_APPROVAL.year, 2017)
    early_weights = 1.12 ** (early_years - early_years[0])
    early_year = rng.choice(early_years, size=before, p=early_weights / early_weights.sum())
    early_start = (early_year - 1970).astype("datetime64[Y]").astype("datetime64[D]")
    early_end = (early_year - 1969).astype("datetime64[Y]").astype("datetime64[D]") - 1
    parts = [uniform_days(rng, early_start, early_end)]
    for year, count in new.items():
        end = min(year_start(year + 1) - 1, as_of - 20)
        parts.append(uniform_days(rng, year_start(year), end, count))
    approved_on = np.sort(np.concatenate(parts))
    n = len(approved_on)
    ids = np.arange(1, n + 1, dtype=np.int64)

    bad_actor = rng.random(n) < cal.BAD_ACTOR_SHARE
    size = rng.lognormal(0.0, 1.2, n) * np.where(bad_actor, 1.6, 1.0)
    grades = np.array(list(cal.RISK_GRADE_SHARES), dtype=object)
    good_p = np.array([0.265, 0.47, 0.205, 0.06])
    bad_p = np.array([0.05, 0.15, 0.40, 0.40])
    u = rng.random(n)
    risk_grade = np.where(
        bad_actor,
        grades[np.searchsorted(np.cumsum(bad_p), u * bad_p.sum())],
        grades[np.searchsorted(np.cumsum(good_p), u * good_p.sum())],
    )

    # Cancellations: small bodies at least a year old, spread over each planned year.
    cancelled_on = np.full(n, NAT)
    for year, count in cancellations.items():
        if count == 0:
            continue
        start, end = year_start(year), min(year_start(year + 1) - 1, as_of - 10)
        eligible = np.flatnonzero((approved_on < start - 365) & np.isnat(cancelled_on))
        weights = 1.0 / size[eligible]
        chosen = rng.choice(
            eligible, size=min(count, len(eligible)), replace=False, p=weights / weights.sum()
        )
        cancelled_on[chosen] = uniform_days(rng, start, end, len(chosen))

    status = np.full(n, "approved", dtype=object)
    roll = rng.random(n)
    status[bad_actor & (roll < 0.12)] = "suspended"
    status[bad_actor & (roll >= 0.12) & (roll < 0.17)] = "revoked"
    status[~np.isnat(cancelled_on)] = "cancelled"

    region_idx = rng.choice(
        len(PROVINCE_CODES),
        size=n,
        p=_weights(cal.PROVINCE_INSTITUTION_WEIGHTS, cal.INSTITUTION_OTHER_PROVINCE_WEIGHT),
    )
    region_code = np.array(PROVINCE_CODES, dtype=object)[region_idx]

    scheme_approved_on = _scheme_approvals(rng, approved_on, cancelled_on, as_of)
    name, division = _names(rng, region_code)
    credit_code = credit_codes(division, unique_bodies(rng, n))
    years = approved_on.astype("datetime64[Y]").astype(int) + 1970
    serial = np.zeros(n, dtype=np.int64)
    for year in np.unique(years):
        mask = years == year
        serial[mask] = np.arange(1, mask.sum() + 1)
    approval_number = [f"CNCA-R-{y}-{s:03d}" for y, s in zip(years.tolist(), serial.tolist(), strict=True)]
    return Institutions(
        id=ids,
        name=name,
        credit_code=credit_code,
        approval_number=approval_number,
        region_code=region_code,
        status=status,
        approved_on=approved_on,
        risk_grade=risk_grade,
        bad_actor=bad_actor,
        size=size,
        cancelled_on=cancelled_on,
        scheme_approved_on=scheme_approved_on,
    )


def _scheme_approvals(
    rng: np.random.Generator, approved_on: np.ndarray, cancelled_on: np.ndarray, as_of: np.datetime64
) -> np.ndarray:
    """When each institution got each scheme: at approval, or later by a scope extension (扩项)."""
    n = len(approved_on)
    result = np.full((n, len(SCHEME_CODES)), NAT)
    end = np.where(np.isnat(cancelled_on), as_of, cancelled_on)
    for j, code in enumerate(SCHEME_CODES):
        if code == "SPCA":
            # The three pilot bodies: among the oldest institutions (software evaluation since 2002).
            pilots = np.argsort(approved_on)[: cal.SPCA_INSTITUTIONS]
            result[pilots, j] = approved_on[pilots]
            continue
        has = rng.random(n) < cal.INSTITUTION_SCHEME_PROBABILITY[code]
        if code == "BANK":
            # The bank-branch line (2013 on) went to a few established bodies.
            early = np.flatnonzero(approved_on < day("2013-01-01"))
            count = min(len(early), max(2, round(cal.INSTITUTION_SCHEME_PROBABILITY[code] * n)))
            has = np.zeros(n, dtype=bool)
            has[rng.choice(early, size=count, replace=False)] = True
        if code == "QMS":
            result[:, j] = approved_on
            continue
        at_approval = rng.random(n) < (0.8 if code in CORE_SCHEMES else 0.35)
        delay = np.ceil(rng.exponential(3.0 * 365, n)).astype("timedelta64[D]")
        when = np.where(at_approval, approved_on, approved_on + delay)
        if code == "BANK":
            when = np.maximum(when, day("2013-06-01"))
        ok = has & (when < end)
        result[ok, j] = when[ok]
    # Any institution without a scheme in force would be odd: QMS is always there.
    return result


def _names(rng: np.random.Generator, region_code: np.ndarray) -> tuple[list[str], np.ndarray]:
    """Unique institution names and the 6-digit division codes of their home cities."""
    brands = brand_pool()
    names: list[str] = []
    division = np.zeros(len(region_code), dtype=np.int64)
    seen: set[str] = set()
    for i, code in enumerate(region_code.tolist()):
        cities = PROVINCE_CITIES[code]
        city, prefix = cities[int(rng.integers(0, len(cities)))]
        division[i] = int(prefix) * 100 + int(rng.integers(1, 12))
        while True:
            brand = brands[int(rng.integers(0, len(brands)))]
            kind = INSTITUTION_KINDS[int(rng.integers(0, len(INSTITUTION_KINDS)))]
            candidate = f"{city}{brand}{kind}"
            if candidate not in seen:
                break
        seen.add(candidate)
        names.append(candidate)
    return names, division


def certificate_windows(inst: Institutions, scheme_index: int) -> tuple[np.ndarray, np.ndarray]:
    """First and last day each institution can have issued a still-listed certificate cycle."""
    as_of = day(cal.AS_OF)
    start = inst.scheme_approved_on[:, scheme_index]
    # A cancelled body wound down: its last cycles ran out by the cancellation.
    end = np.where(
        np.isnat(inst.cancelled_on), as_of, add_years(inst.cancelled_on, -cal.CERTIFICATE_VALIDITY_YEARS)
    )
    return start, end
