"""The online approval system (行政审批, live from 2017-04-01): applications and their pipeline."""

from __future__ import annotations

import numpy as np

from models.reference_data import PROVINCE_CODES, SCHEME_CODES
from seed import calibration as cal
from seed.dates import day
from seed.institutions import Institutions
from seed.names import INSTITUTION_KINDS, PROVINCE_CITIES, brand_pool

SAMR_FORMED = day("2018-04-10")
OFFICES_CNCA = ("国家认监委认证监督管理部审批处", "认监委认证认可技术研究所技术审查组")
OFFICES_SAMR = (
    "市场监管总局认证监督管理司审批一处",
    "市场监管总局认证监督管理司审批二处",
    "认证认可技术研究所技术审查组",
)
# Days from acceptance to decision, by type (*assumed* ranges; establishment needs an expert review).
DECISION_DAYS = {
    "establish": (30, 90),
    "change": (5, 20),
    "extend": (20, 60),
    "renew": (15, 45),
    "cancel": (5, 15),
}
APPROVAL_SHARE = {"change": 0.96, "extend": 0.85, "renew": 0.97}


def generate_applications(rng: np.random.Generator, inst: Institutions) -> dict[str, object]:
    """Columns of ``approvalapplication``, ordered by submission date."""
    start, as_of = day(cal.ONLINE_APPROVAL_START), day(cal.AS_OF)
    rows: list[tuple] = []  # institution_id, name, region, type, decided, status(None = by pipeline)

    def add(inst_index: int | None, name: str, region: str, kind: str, decided, status: str | None) -> None:
        rows.append((inst_index, name, region, kind, decided, status))

    for i in range(len(inst)):
        iid, name, region = int(inst.id[i]), inst.name[i], inst.region_code[i]
        approved, cancelled = inst.approved_on[i], inst.cancelled_on[i]
        end = as_of if np.isnat(cancelled) else cancelled
        if approved >= start + 45:
            add(iid, name, region, "establish", approved, "approved")
        for j, _code in enumerate(SCHEME_CODES):
            when = inst.scheme_approved_on[i, j]
            if not np.isnat(when) and when > approved and when >= start + 30:
                add(iid, name, region, "extend", when, "approved")
        window_start = max(approved, start)
        years = float((end - window_start).astype(int)) / 365.25
        if years > 0:
            for kind, rate in (
                ("change", cal.CHANGE_APPLICATIONS_PER_INSTITUTION_YEAR),
                ("extend", cal.EXTEND_REJECTED_PER_INSTITUTION_YEAR),
            ):
                for _ in range(rng.poisson(rate * years)):
                    decided = window_start + int(rng.integers(0, int(years * 365.25) + 60))
                    if kind == "extend":
                        status = "rejected"
                    else:
                        status = "approved" if rng.random() < APPROVAL_SHARE[kind] else "rejected"
                    add(iid, name, region, kind, decided, status)
        for k in range(1, 6):
            anniversary = approved + round(k * cal.INSTITUTION_APPROVAL_RENEWAL_YEARS * 365.25)
            if anniversary - 30 > end:
                break
            if anniversary - 30 >= start + 60:
                status = "approved" if rng.random() < APPROVAL_SHARE["renew"] else "rejected"
                add(iid, name, region, "renew", anniversary - int(rng.integers(10, 40)), status)
        if not np.isnat(cancelled):
            add(iid, name, region, "cancel", cancelled, "approved")

    # Establishment applications that were turned down, or are still in the pipeline.
    establish_years: dict[int, int] = {}
    for row in rows:
        if row[3] == "establish":
            year = int(row[4].astype("datetime64[Y]").astype(int)) + 1970
            establish_years[year] = establish_years.get(year, 0) + 1
    brands = brand_pool()
    share = cal.ESTABLISH_REJECTION_SHARE
    for year, approved_count in sorted(establish_years.items()):
        rejected = rng.binomial(max(1, round(approved_count * share / (1 - share)) * 2), 0.5)
        for _ in range(rejected):
            region, name = _applicant(rng, brands)
            decided = day(f"{year}-01-01") + int(rng.integers(0, 365))
            add(None, name, region, "establish", min(decided, as_of + 60), "rejected")
    for _ in range(max(1, round(len(inst) * 0.006))):
        region = PROVINCE_CODES[int(rng.integers(0, len(PROVINCE_CODES)))]
        city = PROVINCE_CITIES[region][0][0]
        name = (
            f"{city}{brands[int(rng.integers(0, len(brands)))]}{INSTITUTION_KINDS[int(rng.integers(0, 7))]}"
        )
        add(None, name, region, "establish", as_of + int(rng.integers(1, 80)), None)
    return _pipeline(rng, rows, start, as_of)


def _applicant(rng: np.random.Generator, brands: np.ndarray) -> tuple[str, str]:
    """Region and name of a would-be institution that never got approved."""
    region = PROVINCE_CODES[int(rng.integers(0, len(PROVINCE_CODES)))]
    city = PROVINCE_CITIES[region][0][0]
    brand = brands[int(rng.integers(0, len(brands)))]
    return region, f"{city}{brand}{INSTITUTION_KINDS[int(rng.integers(0, len(INSTITUTION_KINDS)))]}"


def _pipeline(rng: np.random.Generator, rows: list[tuple], start, as_of) -> dict[str, object]:
    """Work back from the decision date to submission and acceptance; later ones are still open."""
    out: dict[str, list] = {
        k: []
        for k in (
            "institution_id",
            "applicant_name",
            "region_code",
            "type",
            "status",
            "submitted_on",
            "accepted_on",
            "decided_on",
            "reviewer_office",
        )
    }
    for inst_id, name, region, kind, decided, status in rows:
        low, high = DECISION_DAYS[kind]
        review = int(rng.integers(low, high + 1))
        accept = int(rng.integers(1, 6))
        submitted = decided - review - accept
        if submitted < start:
            continue
        accepted = submitted + accept
        if decided > as_of or status is None:
            if submitted > as_of:
                continue
            decided = None
            if accepted > as_of:
                status, accepted = "received", None
            elif as_of - accepted < 3:
                status = "accepted"
            else:
                status = "under_review"
        offices = OFFICES_CNCA if submitted < SAMR_FORMED else OFFICES_SAMR
        out["institution_id"].append(inst_id)
        out["applicant_name"].append(name)
        out["region_code"].append(region)
        out["type"].append(kind)
        out["status"].append(status)
        out["submitted_on"].append(submitted)
        out["accepted_on"].append(accepted)
        out["decided_on"].append(decided)
        out["reviewer_office"].append(offices[int(rng.integers(0, len(offices)))])
    submitted = np.array(out["submitted_on"], dtype="datetime64[D]")
    order = np.argsort(submitted, kind="stable")
    columns: dict[str, object] = {"id": np.arange(1, len(order) + 1, dtype=np.int64)}
    for key, values in out.items():
        if key in ("submitted_on", "accepted_on", "decided_on"):
            array = np.array(
                [v if v is not None else np.datetime64("NaT") for v in values], dtype="datetime64[D]"
            )
            columns[key] = array[order]
        else:
            array = np.empty(len(values), dtype=object)
            array[:] = values
            columns[key] = array[order]
    return columns
