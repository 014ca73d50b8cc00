"""Certificates (证书): scheme mix, issuing institution, issue/expiry dates and status as of AS_OF.

A row is the current cycle of one certification: recertification re-issues the row, so a valid
certificate was issued within the last three years, and an expired one is a cycle that was not renewed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

import numpy as np

from models.reference_data import PROVINCE_CODES, SCHEME_CODES
from models.vocabulary import CERTIFICATE_STATUSES
from seed import calibration as cal
from seed.dates import add_years, day
from seed.institutions import Institutions, certificate_windows
from seed.organisations import Organisations, assign_industries

SCHEME_INDEX = {code: i for i, code in enumerate(SCHEME_CODES)}
STATUS_INDEX = {code: i for i, code in enumerate(CERTIFICATE_STATUSES)}
SCHEME_LETTERS = {
    "QMS": "Q",
    "EMS": "E",
    "OHSMS": "S",
    "ISMS": "I",
    "ITSMS": "IT",
    "EnMS": "En",
    "MMS": "MS",
    "FOREST": "F",
    "SVC": "SV",
    "BANK": "BK",
    "SPCA": "SP",
}
IT_SCHEMES = ("ISMS", "ITSMS", "SPCA")
MAIN_INSTITUTION_SHARE = 0.7  # integrated certificates usually come from the same body


@dataclass
class Certificates:
    """Certificate rows as compact arrays, ordered by issue date (ids 1..n)."""

    institution: np.ndarray  # institution id
    organisation: np.ndarray  # organisation id
    scheme: np.ndarray  # index into SCHEME_CODES
    region: np.ndarray  # index into PROVINCE_CODES
    issued: np.ndarray  # datetime64[D]
    expires: np.ndarray
    status: np.ndarray  # index into CERTIFICATE_STATUSES
    cycle: np.ndarray  # recertification cycle shown in the number (R0..R5)

    def __len__(self) -> int:
        return len(self.scheme)

    def chunks(self, size: int) -> Iterator[dict[str, object]]:
        """Columns of the ``certificate`` table, ``size`` rows at a time."""
        schemes = np.array(SCHEME_CODES, dtype=object)
        provinces = np.array(PROVINCE_CODES, dtype=object)
        statuses = np.array(CERTIFICATE_STATUSES, dtype=object)
        for lo in range(0, len(self), size):
            hi = min(lo + size, len(self))
            sl = slice(lo, hi)
            ids = np.arange(lo + 1, hi + 1, dtype=np.int64)
            yield {
                "id": ids,
                "number": certificate_numbers(
                    ids, self.issued[sl], self.scheme[sl], self.institution[sl], self.cycle[sl]
                ),
                "institution_id": self.institution[sl],
                "organisation_id": self.organisation[sl],
                "scheme_code": schemes[self.scheme[sl]],
                "region_code": provinces[self.region[sl]],
                "issued_on": self.issued[sl],
                "expires_on": self.expires[sl],
                "status": statuses[self.status[sl]],
                "previous_id": np.full(hi - lo, None, dtype=object),
            }


def _digits(values: np.ndarray, width: int) -> np.ndarray:
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    return ((values.astype(np.int64)[:, None] // powers) % 10 + ord("0")).astype(np.uint8)


def _fixed_text(columns: list[np.ndarray]) -> np.ndarray:
    """Rows of ASCII byte columns joined into an object array of str."""
    matrix = np.ascontiguousarray(np.concatenate(columns, axis=1))
    width = matrix.shape[1]
    return matrix.view(f"S{width}").ravel().astype(f"U{width}").astype(object)


def certificate_numbers(ids, issued, scheme, institution, cycle) -> np.ndarray:
    """Numbers like ``2400123456Q0152R1M``: issue year, serial, scheme, issuing body, cycle R0-R5, size S/M/L.

    Year and serial lead, so numbers rise with ids and the unique index on them grows at its end.
    """
    years = (issued.astype("datetime64[Y]").astype(np.int64) + 1970) % 100
    head = _fixed_text([_digits(years, 2), _digits(ids, 8)])
    n = len(ids)
    tail = _fixed_text(
        [
            _digits(institution, 4),
            np.full((n, 1), ord("R"), dtype=np.uint8),
            _digits(cycle, 1),
            np.frombuffer(b"SML", dtype=np.uint8)[ids % 3][:, None],
        ]
    )
    letters = np.array([SCHEME_LETTERS[c] for c in SCHEME_CODES], dtype=object)
    return head + letters[scheme] + tail


@cache
def issue_day_cdf(scheme: str) -> tuple[np.datetime64, np.ndarray]:
    """First day and cumulative issue-date distribution over days up to AS_OF.

    Unexpired cycles (the last three years) get ``1 - EXPIRED_SHARE`` of the mass, growing a little;
    older cycles that were never renewed get the rest, fading out towards HISTORY_START.
    """
    as_of = day(cal.AS_OF)
    first = day(cal.HISTORY_START) if scheme != "BANK" else day("2013-06-01")
    days = np.arange(first, as_of + 1)
    recent_start = add_years(as_of, -cal.CERTIFICATE_VALIDITY_YEARS) + 1
    age = (as_of - days).astype(np.int64) / 365.25
    recent = days >= recent_start
    weights = np.where(recent, np.exp(-0.08 * age), np.exp(-0.45 * (age - cal.CERTIFICATE_VALIDITY_YEARS)))
    old_mass, new_mass = weights[~recent].sum(), weights[recent].sum()
    weights = np.where(
        recent, weights * (1 - cal.EXPIRED_SHARE) / new_mass, weights * cal.EXPIRED_SHARE / old_mass
    )
    cdf = np.concatenate([[0.0], np.cumsum(weights)])
    return first, cdf / cdf[-1]


def scheme_counts(rng: np.random.Generator, general: int) -> np.ndarray:
    """Multinomial split of ``general`` certificates over the non-bank schemes by the 2024 mix."""
    codes = list(cal.SCHEME_CERTIFICATES_2024)
    weights = np.array([cal.SCHEME_CERTIFICATES_2024[c] for c in codes], dtype=float)
    counts = rng.multinomial(general, weights / weights.sum())
    result = np.zeros(len(SCHEME_CODES), dtype=np.int64)
    for code, count in zip(codes, counts, strict=True):
        result[SCHEME_INDEX[code]] = count
    return result


def generate_certificates(
    rng: np.random.Generator, total: int, inst: Institutions
) -> tuple[Organisations, Certificates]:
    """``total`` certificates and the organisations that hold them."""
    from seed.organisations import generate_organisations

    bank = round(cal.BANK_CERTIFICATES_NATIONAL * total / cal.SCALES["national"].certificates)
    general = total - bank
    orgs = generate_organisations(rng, general, bank)
    org_of = np.repeat(np.arange(len(orgs), dtype=np.int64), orgs.certificates)
    is_bank_cert = np.repeat(orgs.is_bank, orgs.certificates)
    # Schemes: bank branches hold BANK; the others a random permutation of the 2024 mix.
    scheme = np.empty(total, dtype=np.int64)
    scheme[is_bank_cert] = SCHEME_INDEX["BANK"]
    counts = scheme_counts(rng, general)
    scheme[~is_bank_cert] = rng.permutation(np.repeat(np.arange(len(SCHEME_CODES)), counts))

    it = np.isin(scheme, [SCHEME_INDEX[c] for c in IT_SCHEMES])
    it_holder = np.zeros(len(orgs), dtype=bool)
    it_holder[org_of[it]] = True
    energy_holder = np.zeros(len(orgs), dtype=bool)
    energy_holder[org_of[scheme == SCHEME_INDEX["EnMS"]]] = True
    assign_industries(rng, orgs, it_holder, energy_holder)

    institution_index = _issuers(rng, inst, scheme, org_of)
    issued = np.empty(total, dtype="datetime64[D]")
    for j, code in enumerate(SCHEME_CODES):
        rows = np.flatnonzero(scheme == j)
        if len(rows) == 0:
            continue
        start, end = certificate_windows(inst, j)
        issued[rows] = _conditional_days(
            rng, code, start[institution_index[rows]], end[institution_index[rows]]
        )
    expires = add_years(issued, cal.CERTIFICATE_VALIDITY_YEARS) - 1
    status = _statuses(rng, inst, institution_index, expires)
    age_years = (day(cal.AS_OF) - issued).astype(np.int64) // 365
    cycle = np.minimum(5, rng.integers(0, 4, total) + (age_years < 3))

    order = np.lexsort((rng.random(total), issued))
    # Organisation ids follow the first certificate each one received.
    first_seen = np.unique(org_of[order], return_index=True)
    org_rank = np.empty(len(orgs), dtype=np.int64)
    org_rank[first_seen[0][np.argsort(first_seen[1])]] = np.arange(len(orgs))
    _reorder_organisations(orgs, org_rank)
    certificates = Certificates(
        institution=inst.id[institution_index[order]],
        organisation=org_rank[org_of[order]] + 1,
        scheme=scheme[order].astype(np.int8),
        region=orgs.region[org_rank[org_of[order]]].astype(np.int8),
        issued=issued[order],
        expires=expires[order],
        status=status[order].astype(np.int8),
        cycle=cycle[order].astype(np.int8),
    )
    return orgs, certificates


def _reorder_organisations(orgs: Organisations, rank: np.ndarray) -> None:
    """Permute organisation arrays so that organisation ``k`` moves to position ``rank[k]``."""
    inverse = np.empty_like(rank)
    inverse[rank] = np.arange(len(rank))
    for field in (
        "region",
        "is_bank",
        "certificates",
        "industry",
        "city",
        "district",
        "brand",
        "word",
        "suffix",
    ):
        setattr(orgs, field, getattr(orgs, field)[inverse])
    # Credit-code bodies stay in place: they are a permutation already.


def _issuers(
    rng: np.random.Generator, inst: Institutions, scheme: np.ndarray, org_of: np.ndarray
) -> np.ndarray:
    """Institution index per certificate: the organisation's main body when it can, else by market share."""
    n_inst = len(inst)
    approved = ~np.isnat(inst.scheme_approved_on)
    pools: list[tuple[np.ndarray, np.ndarray]] = []
    for j, code in enumerate(SCHEME_CODES):
        start, end = certificate_windows(inst, j)
        first, cdf = issue_day_cdf(code)
        start = np.maximum(start, first)
        open_days = np.where(approved[:, j], (end - start).astype(np.int64), 0)
        members = np.flatnonzero(open_days > 30)
        lo = (start[members] - first).astype(np.int64)
        hi = (end[members] - first).astype(np.int64)
        # Market share: size times the share of issue dates the body's window covers.
        weights = inst.size[members] * (cdf[hi + 1] - cdf[lo])
        pools.append((members, np.cumsum(weights) / weights.sum() if len(members) else weights))
    qms_members, qms_cdf = pools[SCHEME_INDEX["QMS"]]
    n_orgs = int(org_of.max()) + 1
    main = qms_members[
        np.searchsorted(qms_cdf, rng.random(n_orgs), side="right").clip(0, len(qms_members) - 1)
    ]
    result = main[org_of]
    use_main = rng.random(len(scheme)) < MAIN_INSTITUTION_SHARE
    member_of = np.zeros((n_inst, len(SCHEME_CODES)), dtype=bool)
    for j, (members, _) in enumerate(pools):
        member_of[members, j] = True
    keep = use_main & member_of[result, scheme]
    for j, (members, cdf) in enumerate(pools):
        rows = np.flatnonzero((scheme == j) & ~keep)
        if len(rows) == 0:
            continue
        if len(members) == 0:
            raise ValueError(f"no institution is approved for scheme {SCHEME_CODES[j]}")
        pick = np.searchsorted(cdf, rng.random(len(rows)), side="right").clip(0, len(members) - 1)
        result[rows] = members[pick]
    return result


def _conditional_days(
    rng: np.random.Generator, scheme: str, start: np.ndarray, end: np.ndarray
) -> np.ndarray:
    """Issue days from the scheme's distribution, restricted to each certificate's ``[start, end]``."""
    first, cdf = issue_day_cdf(scheme)
    n_days = len(cdf) - 1
    lo = np.clip((start - first).astype(np.int64), 0, n_days - 1)
    hi = np.clip((end - first).astype(np.int64), lo, n_days - 1)
    low, high = cdf[lo], cdf[hi + 1]
    u = low + rng.random(len(lo)) * (high - low)
    index = np.clip(np.searchsorted(cdf, u, side="right") - 1, lo, hi)
    return first + index.astype("timedelta64[D]")


def _statuses(
    rng: np.random.Generator, inst: Institutions, issuer: np.ndarray, expires: np.ndarray
) -> np.ndarray:
    """Expired past expiry; else mostly valid, some suspended or withdrawn (more for bad actors)."""
    n = len(issuer)
    bad = inst.bad_actor[issuer]
    factor = np.where(bad, cal.BAD_ACTOR_STATUS_FACTOR, 1.0)
    expired = expires < day(cal.AS_OF)
    roll = rng.random(n)
    status = np.full(n, STATUS_INDEX["valid"], dtype=np.int64)
    status[expired] = STATUS_INDEX["expired"]
    suspended = ~expired & (roll < cal.SUSPENDED_SHARE * factor)
    withdrawn = (roll >= 0.5) & (roll < 0.5 + cal.WITHDRAWN_SHARE * factor)
    status[suspended] = STATUS_INDEX["suspended"]
    status[withdrawn] = STATUS_INDEX["withdrawn"]
    revoked = inst.status[issuer] == "revoked"
    status[revoked & ~expired] = STATUS_INDEX["withdrawn"]
    return status
