"""The inspector registry (执法检查人员名录库): people, enforcement IDs, competences, past affiliations."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from models.reference_data import PROVINCE_CODES, SCHEME_CODES
from seed import calibration as cal
from seed.dates import NAT, day, uniform_days, year_start
from seed.institutions import Institutions
from seed.names import DISTRICT_WORDS, PROVINCE_CITIES, PROVINCE_FULL_NAMES, person_names, phone_numbers
from seed.organisations import province_weights

PROVINCE_SHORT = dict(
    zip(PROVINCE_CODES, "京津冀晋蒙辽吉黑沪苏浙皖闽赣鲁豫鄂湘粤桂琼渝川贵云藏陕甘青宁新", strict=True)
)
MUNICIPALITIES = ("110000", "120000", "310000", "500000")
NATIONAL_AGENCY = "国家市场监督管理总局认证监督管理司"


@dataclass
class Inspectors:
    """Inspector rows plus what the draws need (registration year, competences, ties)."""

    id: np.ndarray
    name: list[str]
    enforcement_id: list[str]
    id_valid_until: np.ndarray
    agency: list[str]
    region: np.ndarray  # province index
    active: np.ndarray
    phone: list[str]
    registered_year: np.ndarray
    competent: np.ndarray  # (n, len(SCHEME_CODES)) bool
    affiliation: dict[str, np.ndarray]  # columns of inspectoraffiliation

    def __len__(self) -> int:
        return len(self.id)

    def table(self) -> dict[str, object]:
        """Columns of the ``inspector`` table."""
        return {
            "id": self.id,
            "name": self.name,
            "enforcement_id": self.enforcement_id,
            "id_valid_until": self.id_valid_until,
            "agency": self.agency,
            "region_code": np.array(PROVINCE_CODES, dtype=object)[self.region],
            "active": self.active,
            "phone": self.phone,
        }

    def scheme_table(self) -> dict[str, object]:
        """Columns of the ``inspectorscheme`` table."""
        rows, cols = np.nonzero(self.competent)
        return {"inspector_id": self.id[rows], "scheme_code": np.array(SCHEME_CODES, dtype=object)[cols]}


def registration_years(n: int) -> np.ndarray:
    """Year each inspector first got an enforcement ID: 6,028 of 20,000 by 2017, then steady growth."""
    by_2017 = round(n * cal.INSPECTORS_BY_2017 / cal.INSPECTORS_NATIONAL)
    early = np.repeat(np.arange(2012, 2018), np.diff(np.linspace(0, by_2017, 7).round().astype(int)))
    later_years = np.arange(2018, cal.AS_OF.year + 1)
    weights = np.ones(len(later_years))
    weights[-1] = (cal.AS_OF.timetuple().tm_yday) / 365
    cuts = np.linspace(0, 1, len(later_years) + 1)
    cuts[1:] = np.cumsum(weights) / weights.sum()
    later = np.repeat(later_years, np.diff((cuts * (n - by_2017)).round().astype(int)))
    return np.concatenate([early, later])


def generate_inspectors(rng: np.random.Generator, n: int, inst: Institutions) -> Inspectors:
    """``n`` inspectors across the 31 provinces."""
    as_of = day(cal.AS_OF)
    years = registration_years(n)
    n = len(years)
    ids = np.arange(1, n + 1, dtype=np.int64)
    weights = np.sqrt(province_weights(cal.PROVINCE_CERTIFICATE_WEIGHTS)) + 0.05
    region = rng.choice(len(PROVINCE_CODES), n, p=weights / weights.sum())
    kind = rng.random(n)
    region[kind < 0.04] = PROVINCE_CODES.index("110000")  # the national office sits in Beijing
    active = rng.random(n) < cal.INSPECTOR_ACTIVE_SHARE
    roll = rng.random(n)
    expired = np.where(active, roll < 0.08, roll < 0.6)
    soon = active & (roll >= 0.08) & (roll < 0.15)
    valid_until = uniform_days(rng, as_of + 91, as_of + 5 * 365, n)
    valid_until = np.where(soon, uniform_days(rng, as_of, as_of + 90, n), valid_until)
    valid_until = np.where(expired, uniform_days(rng, as_of - 2 * 365, as_of - 1, n), valid_until)

    codes = np.array(PROVINCE_CODES)[region]
    serial = rng.permutation(n) + 1
    enforcement_id = [
        f"{PROVINCE_SHORT[c]}市监执{y}{s:06d}"
        for c, y, s in zip(codes.tolist(), years.tolist(), serial.tolist(), strict=True)
    ]
    agency = []
    pick = rng.integers(0, 1 << 20, n)
    for c, k, p in zip(codes.tolist(), kind.tolist(), pick.tolist(), strict=True):
        province = PROVINCE_FULL_NAMES[c]
        if k < 0.04:
            agency.append(NATIONAL_AGENCY)
        elif k < 0.3:
            agency.append(f"{province}市场监督管理局")
        elif c in MUNICIPALITIES:
            agency.append(f"{province}市场监督管理局{DISTRICT_WORDS[p % len(DISTRICT_WORDS)]}分局")
        else:
            cities = PROVINCE_CITIES[c]
            agency.append(f"{cities[p % len(cities)][0]}市市场监督管理局")

    competent = np.column_stack([rng.random(n) < cal.INSPECTOR_SCHEME_PROBABILITY[c] for c in SCHEME_CODES])
    competent[~competent.any(axis=1), SCHEME_CODES.index("QMS")] = True
    affiliation = _affiliations(rng, ids, region, years, inst)
    return Inspectors(
        id=ids,
        name=person_names(rng, n),
        enforcement_id=enforcement_id,
        id_valid_until=valid_until,
        agency=agency,
        region=region,
        active=active,
        phone=phone_numbers(rng, n),
        registered_year=years,
        competent=competent,
        affiliation=affiliation,
    )


def _affiliations(
    rng: np.random.Generator, ids: np.ndarray, region: np.ndarray, years: np.ndarray, inst: Institutions
) -> dict[str, np.ndarray]:
    """Former (and a few current) ties to institutions: about 15% of inspectors were auditors."""
    inst_region = np.searchsorted(np.array(PROVINCE_CODES), inst.region_code.astype(str))
    out: dict[str, list] = {"inspector_id": [], "institution_id": [], "started_on": [], "ended_on": []}
    for k in np.flatnonzero(rng.random(len(ids)) < cal.INSPECTOR_AFFILIATION_SHARE):
        joined = year_start(int(years[k]))
        older = np.flatnonzero(inst.approved_on < joined - 400)
        if len(older) == 0:
            continue
        local = older[inst_region[older] == region[k]]
        chosen: set[int] = set()
        for _ in range(1 if rng.random() < 0.8 else 2):
            pool = local if len(local) and rng.random() < 0.7 else older
            i = int(pool[rng.integers(0, len(pool))])
            if i in chosen:
                continue
            chosen.add(i)
            started = uniform_days(rng, inst.approved_on[i], joined - 365, 1)[0]
            ended = started + int(rng.integers(180, 6 * 365))
            current = rng.random() < 0.1
            out["inspector_id"].append(int(ids[k]))
            out["institution_id"].append(int(inst.id[i]))
            out["started_on"].append(started)
            out["ended_on"].append(NAT if current else min(ended, joined - 1))
    order = np.lexsort((out["institution_id"], out["inspector_id"]))
    return {
        "inspector_id": np.array(out["inspector_id"], dtype=np.int64)[order],
        "institution_id": np.array(out["institution_id"], dtype=np.int64)[order],
        "started_on": np.array(out["started_on"], dtype="datetime64[D]")[order],
        "ended_on": np.array(out["ended_on"], dtype="datetime64[D]")[order],
    }
