"""Yearly double-random campaigns 2017-2026: draws, targets, inspector teams, outcomes and findings."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from models.access import SYSTEM_SEEDER
from models.reference_data import PROVINCES, SCHEME_CODES, SCHEMES
from models.vocabulary import FINDING_CATEGORIES
from models.workdays import add_working_days
from seed import calibration as cal
from seed.certificates import Certificates
from seed.dates import day
from seed.inspectors import Inspectors
from seed.institutions import Institutions
from seed.names import person_names
from seed.populations import institution_frame

SCHEME_NAMES = {code: zh for code, zh, *_ in SCHEMES}
LEGAL_BASIS_CERTIFICATE = "《中华人民共和国认证认可条例》；《认证证书和认证标志管理办法》；国办发〔2015〕58号"
LEGAL_BASIS_INSTITUTION = "《中华人民共和国认证认可条例》；《认证机构管理办法》；国办发〔2015〕58号"
METHODS = (("onsite", 0.55), ("documents", 0.30), ("other_department", 0.08), ("testing", 0.07))
VIOLATION_FOLLOW_UPS = (
    ("rectify", 0.45),
    ("suspend_certificate", 0.20),
    ("withdraw_certificate", 0.12),
    ("penalty", 0.15),
    ("referral", 0.08),
)
FINDING_WEIGHTS = {
    "site_not_visited": 12,
    "audit_time_cut": 20,
    "certificate_to_unqualified": 10,
    "certificate_selling": 5,
    "outside_approved_scope": 8,
    "auditor_unqualified": 10,
    "records_falsified": 12,
    "failed_to_suspend": 10,
    "surveillance_skipped": 13,
    "energy_baseline_wrong": 0,
}
BAD_ACTOR_FINDING_BOOST = {"certificate_selling": 4.0, "site_not_visited": 2.5, "records_falsified": 2.0}
FINDING_TEXT = {
    "site_not_visited": "审核记录显示的现场审核日期内审核员未到受审核方现场",
    "audit_time_cut": "审核人日少于认证规则规定的最低要求",
    "certificate_to_unqualified": "受审核方不满足认证要求仍被颁发认证证书",
    "certificate_selling": "认证机构以收费为条件出具认证证书，未实施实质审核",
    "outside_approved_scope": "认证业务超出认证机构批准的业务范围",
    "auditor_unqualified": "审核组成员不具备相应专业能力或存在挂名情况",
    "records_falsified": "审核记录、报告与实际情况不符",
    "failed_to_suspend": "获证组织不再满足要求，认证机构未按规定暂停或撤销证书",
    "surveillance_skipped": "认证机构未按期实施监督审核",
    "energy_baseline_wrong": "能源基准、能源绩效参数的确定不合理",
}
NOTES = {
    "no_violation": "未发现问题",
    "not_found": "通过登记的住所无法联系，查无下落",
    "refused": "检查对象拒绝接受检查",
    "violation": "发现问题，已依法处理",
}
DRAWING_OFFICE = "认证监督管理司"
SUPERVISION_OFFICE = "认证监督管理司 (演示)"
BUREAU_SUFFIX = "市场监管部门"
PROVINCE_NAMES_ZH = {code: zh for code, _abbr, zh, *_ in PROVINCES}


@dataclass(frozen=True)
class PlannedDraw:
    """A historical campaign to draw through the lottery (`seed.history`).

    Certificate campaigns draw ``n`` certificates of ``scheme`` in proportion to the provinces;
    institution campaigns (``scheme`` None) draw ``sizes`` institutions per risk grade.
    """

    year: int
    name: str
    scheme: str | None
    drawn_at: dt.datetime  # UTC, when the draw was opened and committed
    n: int  # targets
    team_size: int
    drawn_by: str  # the drawing officer's display name
    unit_type: str = "certificate"
    sizes: dict[str, int] | None = None  # institution campaigns: targets per risk grade


@dataclass
class CampaignTables:
    """The draws still to make and the campaign rows written directly, as column lists.

    Every drawn campaign (certificates and institutions) is in ``draws``, drawn through the real
    lottery after the registers are loaded (`seed.history`); only the planned FOREST campaign is a row.
    """

    draws: list[PlannedDraw] = field(default_factory=list)

    campaign: dict[str, list] = field(default_factory=dict)

    def add(self, table: str, **values: object) -> None:
        columns = getattr(self, table)
        for key, value in values.items():
            columns.setdefault(key, []).append(value)


def _pick(rng: np.random.Generator, options: tuple[tuple[str, float], ...]) -> str:
    total = sum(w for _, w in options)
    roll = rng.random() * total
    for name, weight in options:
        roll -= weight
        if roll < 0:
            return name
    return options[-1][0]


class _Builder:
    """State shared while generating one database's campaigns."""

    def __init__(self, rng, scale: cal.Scale, inst: Institutions, certs: Certificates, insp: Inspectors):
        self.rng, self.scale, self.inst, self.certs, self.insp = rng, scale, inst, certs, insp
        self.out = CampaignTables()
        self.as_of = day(cal.AS_OF)
        self.by_scheme = {j: np.flatnonzero(certs.scheme == j) for j in range(len(SCHEME_CODES))}
        self.staff = person_names(rng, 12)
        self.ids = {"campaign": 0}

    def next_id(self, key: str) -> int:
        self.ids[key] += 1
        return self.ids[key]

    def target_count(self, national: int) -> int:
        return max(self.scale.min_campaign_targets, round(national * self.scale.campaign_factor))

    def run(self) -> CampaignTables:
        for year in cal.CAMPAIGN_YEARS:
            for code, (national, first_year) in cal.CAMPAIGN_TARGETS_NATIONAL.items():
                if year >= first_year:
                    self.certificate_campaign(year, code, self.target_count(national))
            self.institution_campaign(year)
        self.campaign_row(
            cal.AS_OF.year,
            f"{cal.AS_OF.year}年森林认证结果双随机抽查",
            "certificate",
            "FOREST",
            "planned",
            None,
            None,
        )
        return self.out

    def campaign_row(self, year, name, unit_type, scheme, status, deadline, published) -> int:
        cid = self.next_id("campaign")
        legal = LEGAL_BASIS_CERTIFICATE if unit_type == "certificate" else LEGAL_BASIS_INSTITUTION
        self.out.add(
            "campaign",
            id=cid,
            year=year,
            name=name,
            legal_basis=legal,
            unit_type=unit_type,
            scheme_code=scheme,
            status=status,
            publish_deadline=deadline,
            published_on=published,
            published_late=None if published is None else bool(published > deadline),
            published_by=SYSTEM_SEEDER.subject if published is not None else None,
            published_by_name=SUPERVISION_OFFICE if published is not None else None,
        )
        return cid

    def draw_date(self, year: int, code: str) -> np.datetime64:
        if year == cal.AS_OF.year and code == "BANK":
            return self.as_of - 5  # just drawn: teams not yet assigned
        if year == cal.AS_OF.year and code == "INSTITUTION":
            return self.as_of - 45
        return day(f"{year}-04-10") + int(self.rng.integers(0, 75))

    def certificate_campaign(self, year: int, code: str, n: int) -> None:
        """Plan the year's campaign for scheme ``code``: drawn later from the certificates valid then."""
        drawn = self.draw_date(year, code)
        rows = self.by_scheme[SCHEME_CODES.index(code)]
        valid = int(((self.certs.issued[rows] <= drawn) & (self.certs.expires[rows] >= drawn)).sum())
        if valid == 0:
            return
        seconds = int(self.rng.integers(9 * 3600, 11 * 3600))
        self.out.draws.append(
            PlannedDraw(
                year=year,
                name=f"{year}年{SCHEME_NAMES[code]}认证结果双随机抽查",
                scheme=code,
                drawn_at=dt.datetime.combine(drawn.astype(dt.date), dt.time(), tzinfo=dt.UTC)
                + dt.timedelta(seconds=seconds),
                n=min(n, valid),
                team_size=3 if self.rng.random() < cal.TEAM_SIZE_THREE_SHARE else 2,
                drawn_by=f"{DRAWING_OFFICE} {self.staff[len(self.out.draws) % len(self.staff)]}",
            )
        )

    def institution_campaign(self, year: int) -> None:
        """Plan the year's campaign of institutions: each risk grade's share of the institutions in
        business that day (`calibration.INSTITUTION_SAMPLING_RATIO`), drawn later through the lottery."""
        drawn = self.draw_date(year, "INSTITUTION")
        population = institution_frame(self.inst, drawn)["risk_grade"].value_counts()
        sizes = {
            grade: min(int(population[grade]), max(1, round(ratio * int(population[grade]))))
            for grade, ratio in cal.INSTITUTION_SAMPLING_RATIO.items()
            if grade in population.index
        }
        seconds = int(self.rng.integers(9 * 3600, 11 * 3600))
        self.out.draws.append(
            PlannedDraw(
                year=year,
                name=f"{year}年认证机构双随机抽查",
                scheme=None,
                drawn_at=dt.datetime.combine(drawn.astype(dt.date), dt.time(), tzinfo=dt.UTC)
                + dt.timedelta(seconds=seconds),
                n=sum(sizes.values()),
                team_size=2,
                drawn_by=f"{DRAWING_OFFICE} {self.staff[len(self.out.draws) % len(self.staff)]}",
                unit_type="institution",
                sizes=sizes,
            )
        )


#: A certificate's status after an inspection's follow-up (recent campaigns change the register).
STATUS_AFTER = {"suspend_certificate": "suspended", "withdraw_certificate": "withdrawn"}


def bureau_name(region: str) -> str:
    """The province's market-regulation bureau, as the recorder of its inspections' outcomes."""
    return f"{PROVINCE_NAMES_ZH[region]}{BUREAU_SUFFIX}"


@dataclass(frozen=True)
class OutcomeDraw:
    """What one seeded inspection found: outcome code, follow-up, method and finding categories."""

    code: str
    follow_up: str
    method: str
    findings: tuple[str, ...]


def draw_outcome(
    rng: np.random.Generator, inst: Institutions, institution: int, scheme: str, unit_type: str
) -> OutcomeDraw:
    """Draw an inspection's result from the calibrated rates (bad actors and risk grades)."""
    i = institution - 1
    bad = bool(inst.bad_actor[i])
    rate = cal.BAD_ACTOR_VIOLATION_RATE if bad else cal.VIOLATION_RATE_BY_GRADE[inst.risk_grade[i]]
    if unit_type == "institution":
        rate = min(0.9, rate * 1.3)
    roll = rng.random()
    not_found = cal.NOT_FOUND_RATE if unit_type == "certificate" else 0.0
    if roll < not_found:
        code, follow_up, method = "not_found", "withdraw_certificate", "onsite"
    elif roll < not_found + cal.REFUSED_RATE:
        code, method = "refused", "onsite"
        follow_up = "penalty" if rng.random() < 0.6 else "referral"
    elif roll < not_found + cal.REFUSED_RATE + rate:
        code, method = "violation", _pick(rng, METHODS)
        follow_up = _pick(rng, VIOLATION_FOLLOW_UPS)
    else:
        code, follow_up, method = "no_violation", "none", _pick(rng, METHODS)
    findings = _findings(rng, scheme, bad) if code == "violation" else ()
    return OutcomeDraw(code, follow_up, method, findings)


def _findings(rng: np.random.Generator, scheme: str, bad: bool) -> tuple[str, ...]:
    weights = np.array(
        [
            FINDING_WEIGHTS[c] * (BAD_ACTOR_FINDING_BOOST.get(c, 1.0) if bad else 1.0)
            for c in FINDING_CATEGORIES
        ],
        dtype=float,
    )
    if scheme == "EnMS":
        weights[FINDING_CATEGORIES.index("energy_baseline_wrong")] = 30
    count = 1 + rng.binomial(2, 0.6 if bad else 0.35)
    chosen = rng.choice(len(FINDING_CATEGORIES), size=count, replace=False, p=weights / weights.sum())
    return tuple(FINDING_CATEGORIES[int(k)] for k in chosen)


def generate_campaigns(
    rng: np.random.Generator, scale: cal.Scale, inst: Institutions, certs: Certificates, insp: Inspectors
) -> CampaignTables:
    """Every campaign 2017-2026: the draws to make (`seed.history`) and the planned FOREST campaign."""
    return _Builder(rng, scale, inst, certs, insp).run()


PUBLISH_WITHIN_WORKING_DAYS = 20  # results published within 20 working days of being formed


def campaign_schedule(
    rng: np.random.Generator, drawn: np.datetime64, targets: int, as_of: np.datetime64
) -> tuple[np.ndarray, np.datetime64 | None]:
    """When each target is inspected (10-119 days after the draw) and when the results are published.

    Publication: 5-19 working days after the last inspection, 6% late (1-9 days past the 20 working
    days); None when an inspection or the publication is after ``as_of``.
    """
    inspected = drawn + rng.integers(10, 120, targets)
    completed = inspected.max() if targets else drawn
    deadline = _working_days_after(completed, PUBLISH_WITHIN_WORKING_DAYS)
    late = rng.random() < 0.06
    published = _working_days_after(completed, int(rng.integers(5, 20)))
    if late:
        published = deadline + int(rng.integers(1, 10))
    if (inspected > as_of).any() or published > as_of:
        return inspected, None
    return inspected, published


def _working_days_after(day_: np.datetime64, working_days: int) -> np.datetime64:
    """``day_`` plus Chinese working days (official holidays and make-up working days count)."""
    start = day_.astype("datetime64[D]").item()
    return np.datetime64(add_working_days(start, working_days).due_on, "D")
