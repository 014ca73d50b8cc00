"""Certified organisations (获证组织): how many certificates each holds, where they are, their names."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from models.reference_data import PROVINCE_CODES
from seed import calibration as cal
from seed.codes import credit_codes, unique_bodies
from seed.names import (
    BANKS,
    COMPANY_SUFFIXES,
    DISTRICT_WORDS,
    ENERGY_INDUSTRY_INDICES,
    FINANCE_INDUSTRY,
    INDUSTRIES,
    IT_INDUSTRY_INDEX,
    PROVINCE_CITIES,
    brand_pool,
)

PROVINCE_ARRAY = np.array(PROVINCE_CODES, dtype=object)
# City tables flattened: for province p, cities CITY_OFFSET[p] .. CITY_OFFSET[p] + CITY_COUNT[p] - 1.
_CITY_NAMES = np.array([c for code in PROVINCE_CODES for c, _ in PROVINCE_CITIES[code]], dtype=object)
_CITY_PREFIX = np.array([int(p) for code in PROVINCE_CODES for _, p in PROVINCE_CITIES[code]], dtype=np.int64)
CITY_COUNT = np.array([len(PROVINCE_CITIES[code]) for code in PROVINCE_CODES], dtype=np.int64)
CITY_OFFSET = np.concatenate([[0], np.cumsum(CITY_COUNT)[:-1]])


def province_weights(table: dict[str, float], other: float = 0.0) -> np.ndarray:
    """Normalised weights over ``PROVINCE_CODES``."""
    weights = np.array([table.get(code, other) for code in PROVINCE_CODES], dtype=float)
    return weights / weights.sum()


@dataclass
class Organisations:
    """Organisations as arrays; names and credit codes are made chunk by chunk when loading."""

    region: np.ndarray  # province index
    is_bank: np.ndarray
    certificates: np.ndarray  # how many certificate rows each holds
    industry: np.ndarray  # index into INDUSTRIES, or -1 for bank branches (金融业)
    city: np.ndarray  # index into the flattened city table
    district: np.ndarray
    brand: np.ndarray
    word: np.ndarray
    suffix: np.ndarray
    body: np.ndarray  # organisation-code body, unique

    def __len__(self) -> int:
        return len(self.region)

    def chunks(self, size: int) -> Iterator[dict[str, object]]:
        """Columns of the ``organisation`` table, ``size`` rows at a time."""
        brands = brand_pool()
        words = [w for _, _, ws in INDUSTRIES for w in ws]
        word_count = np.array([len(ws) for _, _, ws in INDUSTRIES], dtype=np.int64)
        word_offset = np.concatenate([[0], np.cumsum(word_count)[:-1]])
        industry_names = np.array([name for name, _, _ in INDUSTRIES] + [FINANCE_INDUSTRY], dtype=object)
        words_arr = np.array(words, dtype=object)
        suffixes = np.array(COMPANY_SUFFIXES, dtype=object)
        banks = np.array(BANKS, dtype=object)
        districts = np.array(DISTRICT_WORDS, dtype=object)
        for lo in range(0, len(self), size):
            hi = min(lo + size, len(self))
            sl = slice(lo, hi)
            city = _CITY_NAMES[self.city[sl]]
            industry = self.industry[sl]
            bank = self.is_bank[sl]
            general = np.where(industry < len(INDUSTRIES), industry, 0)
            general_word = words_arr[word_offset[general] + self.word[sl] % word_count[general]]
            company = city + brands[self.brand[sl]] + general_word + suffixes[self.suffix[sl]]
            branch = (
                banks[self.brand[sl] % len(banks)] + city + districts[self.word[sl] % len(districts)] + "支行"
            )
            name = np.where(bank, branch, company)
            division = _CITY_PREFIX[self.city[sl]] * 100 + self.district[sl]
            yield {
                "id": np.arange(lo + 1, hi + 1, dtype=np.int64),
                "name": name,
                "credit_code": credit_codes(division, self.body[sl]),
                "region_code": PROVINCE_ARRAY[self.region[sl]],
                "industry": industry_names[industry],
            }


def generate_organisations(rng: np.random.Generator, general_certs: int, bank_certs: int) -> Organisations:
    """Organisations holding ``general_certs`` + ``bank_certs`` certificates in all."""
    extra_mean = cal.CERTIFICATES_PER_ORGANISATION - 1
    shape = 1.3
    estimate = int(general_certs / cal.CERTIFICATES_PER_ORGANISATION * 1.1) + 10
    counts = 1 + rng.negative_binomial(shape, shape / (shape + extra_mean), estimate)
    total = np.cumsum(counts)
    n_general = int(np.searchsorted(total, general_certs)) + 1
    counts = counts[:n_general].copy()
    counts[-1] -= int(total[n_general - 1] - general_certs)
    if counts[-1] <= 0:  # cannot happen with the +1, but keep the invariant explicit
        raise AssertionError("organisation certificate counts must be positive")

    n_bank = max(1, round(bank_certs / 1.15)) if bank_certs else 0
    bank_counts = np.ones(n_bank, dtype=np.int64)
    if n_bank:
        np.add.at(bank_counts, rng.integers(0, n_bank, bank_certs - n_bank), 1)

    general_region = rng.choice(
        len(PROVINCE_CODES), n_general, p=province_weights(cal.PROVINCE_CERTIFICATE_WEIGHTS)
    )
    bank_region = rng.choice(
        len(PROVINCE_CODES),
        n_bank,
        p=province_weights(cal.BANK_PROVINCE_WEIGHTS, cal.BANK_OTHER_PROVINCE_WEIGHT),
    )
    # Interleave bank branches among the others so ids do not reveal them.
    n = n_general + n_bank
    is_bank = np.zeros(n, dtype=bool)
    is_bank[rng.choice(n, n_bank, replace=False)] = True
    region = np.empty(n, dtype=np.int64)
    region[~is_bank] = general_region
    region[is_bank] = bank_region
    certificates = np.empty(n, dtype=np.int64)
    certificates[~is_bank] = counts
    certificates[is_bank] = bank_counts
    city = CITY_OFFSET[region] + rng.integers(0, 1 << 30, n) % CITY_COUNT[region]
    return Organisations(
        region=region,
        is_bank=is_bank,
        certificates=certificates,
        industry=np.full(n, -1, dtype=np.int64),  # set from the schemes held, see assign_industries
        city=city,
        district=rng.integers(1, 13, n),
        brand=rng.integers(0, len(brand_pool()), n),
        word=rng.integers(0, 1 << 20, n),
        suffix=rng.integers(0, len(COMPANY_SUFFIXES), n),
        body=unique_bodies(rng, n),
    )


def assign_industries(
    rng: np.random.Generator, orgs: Organisations, it_holder: np.ndarray, energy_holder: np.ndarray
) -> None:
    """Industry from the schemes held: ISMS/ITSMS/SPCA holders are mostly IT firms, EnMS holders industry."""
    weights = np.array([w for _, w, _ in INDUSTRIES], dtype=float)
    industry = rng.choice(len(INDUSTRIES), len(orgs), p=weights / weights.sum())
    energy_choice = np.array(ENERGY_INDUSTRY_INDICES)[
        rng.integers(0, len(ENERGY_INDUSTRY_INDICES), len(orgs))
    ]
    roll = rng.random(len(orgs))
    industry = np.where(energy_holder & (roll < 0.8), energy_choice, industry)
    industry = np.where(it_holder & (roll < 0.7), IT_INDUSTRY_INDEX, industry)
    industry = np.where(orgs.is_bank, len(INDUSTRIES), industry)
    orgs.industry = industry
