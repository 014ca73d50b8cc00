"""Yearly double-random campaigns 2017-2026: draws, targets, inspector teams, outcomes and findings."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field

import numpy as np

from models.access import SYSTEM_SEEDER, Role
from models.campaigns import SEEDED_SAMPLER_VERSION
from models.reference_data import PROVINCE_CODES, PROVINCES, SCHEME_CODES, SCHEMES
from models.vocabulary import FINDING_CATEGORIES
from models.workdays import add_working_days
from seed import calibration as cal
from seed.certificates import STATUS_INDEX, Certificates
from seed.dates import day
from seed.inspectors import Inspectors
from seed.institutions import Institutions
from seed.names import person_names

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


@dataclass
class CampaignTables:
    """Rows of the six campaign tables as column lists."""

    campaign: dict[str, list] = field(default_factory=dict)
    draw: dict[str, list] = field(default_factory=dict)
    drawtarget: dict[str, list] = field(default_factory=dict)
    assignment: dict[str, list] = field(default_factory=dict)
    inspectionoutcome: dict[str, list] = field(default_factory=dict)
    finding: dict[str, list] = field(default_factory=dict)

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


def _allocate(sizes: np.ndarray, n: int) -> np.ndarray:
    """Proportional allocation by largest remainder, never more than a stratum holds."""
    n = min(n, int(sizes.sum()))
    exact = sizes * n / sizes.sum()
    alloc = np.minimum(np.floor(exact).astype(np.int64), sizes)
    remainder = exact - alloc
    while alloc.sum() < n:
        room = alloc < sizes
        k = int(np.argmax(np.where(room, remainder, -1.0)))
        alloc[k] += 1
        remainder[k] = -1.0
    return alloc


def _hash_ids(ids: np.ndarray) -> str:
    return hashlib.sha256(np.sort(ids).astype("<i8").tobytes()).hexdigest()


class _Builder:
    """State shared while generating one database's campaigns."""

    def __init__(self, rng, scale: cal.Scale, inst: Institutions, certs: Certificates, insp: Inspectors):
        self.rng, self.scale, self.inst, self.certs, self.insp = rng, scale, inst, certs, insp
        self.out = CampaignTables()
        self.as_of = day(cal.AS_OF)
        self.ties = set(
            zip(
                insp.affiliation["inspector_id"].tolist(),
                insp.affiliation["institution_id"].tolist(),
                strict=True,
            )
        )
        self.by_scheme = {j: np.flatnonzero(certs.scheme == j) for j in range(len(SCHEME_CODES))}
        self.staff = person_names(rng, 12)
        self.status_changes: dict[int, int] = {}
        self.ids = {"campaign": 0, "target": 0, "outcome": 0, "finding": 0}
        self.pools: dict[int, np.ndarray] = {}

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
        j = SCHEME_CODES.index(code)
        drawn = self.draw_date(year, code)
        rows = self.by_scheme[j]
        certs = self.certs
        frame = rows[(certs.issued[rows] <= drawn) & (certs.expires[rows] >= drawn)]
        if len(frame) == 0:
            return
        region = certs.region[frame]
        sizes = np.bincount(region, minlength=len(PROVINCE_CODES))
        alloc = _allocate(sizes, n)
        chosen: list[np.ndarray] = []
        probability: list[np.ndarray] = []
        for h in np.flatnonzero(alloc):
            members = frame[region == h]
            chosen.append(np.sort(self.rng.choice(members, size=int(alloc[h]), replace=False)))
            probability.append(np.full(int(alloc[h]), alloc[h] / sizes[h]))
        picked = np.concatenate(chosen)
        targets = [
            (int(c) + 1, int(certs.institution[c]), PROVINCE_CODES[int(certs.region[c])], code, float(p))
            for c, p in zip(picked.tolist(), np.concatenate(probability).tolist(), strict=True)
        ]
        params = {
            "method": "stratified_random",
            "strata": ["region"],
            "allocation": "proportional",
            "n": int(alloc.sum()),
            "frame_size": len(frame),
            "scheme": code,
        }
        self.campaign(
            year,
            f"{year}年{SCHEME_NAMES[code]}认证结果双随机抽查",
            "certificate",
            code,
            drawn,
            frame + 1,
            params,
            targets,
        )

    def institution_campaign(self, year: int) -> None:
        inst = self.inst
        drawn = self.draw_date(year, "INSTITUTION")
        frame = np.flatnonzero(inst.active_at(drawn))
        targets = []
        grades = inst.risk_grade[frame]
        total = 0
        for grade, ratio in cal.INSTITUTION_SAMPLING_RATIO.items():
            members = frame[grades == grade]
            k = min(len(members), max(1, round(ratio * len(members)))) if len(members) else 0
            total += k
            for i in np.sort(self.rng.choice(members, size=k, replace=False)).tolist():
                targets.append((None, int(inst.id[i]), inst.region_code[i], "QMS", k / len(members)))
        params = {
            "method": "stratified_random",
            "strata": ["risk_grade"],
            "allocation": "by_risk_ratio",
            "ratios": cal.INSTITUTION_SAMPLING_RATIO,
            "n": total,
            "frame_size": len(frame),
        }
        self.campaign(
            year, f"{year}年认证机构双随机抽查", "institution", None, drawn, inst.id[frame], params, targets
        )

    def campaign(self, year, name, unit_type, scheme, drawn, frame_ids, params, targets) -> None:
        rng = self.rng
        inspected = drawn + rng.integers(10, 120, len(targets))
        assigned = not (year == cal.AS_OF.year and scheme == "BANK")
        done = inspected <= self.as_of
        completed = inspected.max() if len(targets) else drawn
        deadline = _working_days_after(completed, PUBLISH_WITHIN_WORKING_DAYS)
        late = rng.random() < 0.06
        published = _working_days_after(completed, int(rng.integers(5, 20)))
        if late:
            published = deadline + int(rng.integers(1, 10))
        if not assigned:
            status, deadline, published = "drawn", None, None
        elif not done.all():
            status, deadline, published = "assigned", None, None
        elif published > self.as_of:
            status, published = "completed", None
        else:
            status = "published"
        cid = self.campaign_row(year, name, unit_type, scheme, status, deadline, published)
        seconds = int(rng.integers(9 * 3600, 11 * 3600))
        drawn_at = dt.datetime.combine(drawn.astype(dt.date), dt.time()) + dt.timedelta(seconds=seconds)
        self.out.add(
            "draw",
            id=cid,
            campaign_id=cid,
            seed=int(rng.integers(0, 2**31 - 1)),
            frame_hash=_hash_ids(np.asarray(frame_ids)),
            params_json=json.dumps(params, sort_keys=True),
            drawn_at=drawn_at,
            drawn_by=SYSTEM_SEEDER.subject,
            drawn_by_name=f"{DRAWING_OFFICE} {self.staff[cid % len(self.staff)]}",
            drawn_by_role=str(Role.PLANNER),
            sampler_version=SEEDED_SAMPLER_VERSION,
        )
        eligible = self.eligible(year, scheme or "QMS", drawn) if assigned else None
        self.pools = {}
        for (certificate, institution, region, code, probability), when, ok in zip(
            targets, inspected.tolist(), done.tolist(), strict=True
        ):
            tid = self.next_id("target")
            self.out.add(
                "drawtarget",
                id=tid,
                draw_id=cid,
                certificate_id=certificate,
                institution_id=institution,
                region_code=region,
                scheme_code=code,
                inclusion_probability=probability,
            )
            if eligible is None:
                continue
            self.assign(tid, institution, PROVINCE_CODES.index(region), eligible)
            if ok:
                self.outcome(tid, year, certificate, institution, code, unit_type, when, region)

    def eligible(self, year: int, scheme: str, drawn) -> np.ndarray:
        """Inspectors who could be drawn: competent, registered, ID valid on the day (active if this year)."""
        insp = self.insp
        mask = insp.competent[:, SCHEME_CODES.index(scheme)] & (insp.registered_year <= year)
        mask &= insp.id_valid_until >= drawn
        if year == cal.AS_OF.year:
            mask &= insp.active
        return mask

    def assign(self, tid: int, institution: int, region: int, eligible: np.ndarray) -> None:
        rng, insp = self.rng, self.insp
        size = 3 if rng.random() < cal.TEAM_SIZE_THREE_SHARE else 2
        if region not in self.pools:
            self.pools[region] = np.flatnonzero(eligible & (insp.region == region))
        if -1 not in self.pools:
            self.pools[-1] = np.flatnonzero(eligible)
        local = self.pools[region]
        pool = local if len(local) >= size + 2 else self.pools[-1]
        picks = pool[rng.integers(0, len(pool), size + 12)] if len(pool) else pool
        team: list[int] = []
        for k in picks.tolist():
            inspector = int(insp.id[k])
            if inspector not in team and (inspector, institution) not in self.ties:
                team.append(inspector)
                if len(team) == size:
                    break
        for position, inspector in enumerate(team):
            self.out.add(
                "assignment",
                target_id=tid,
                inspector_id=inspector,
                role="lead" if position == 0 else "member",
            )

    def outcome(self, tid, year, certificate, institution, scheme, unit_type, when, region) -> None:
        rng, inst = self.rng, self.inst
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
        oid = self.next_id("outcome")
        self.out.add(
            "inspectionoutcome",
            id=oid,
            target_id=tid,
            inspected_on=when,
            method=method,
            outcome_code=code,
            follow_up=follow_up,
            note=NOTES[code],
            recorded_by=SYSTEM_SEEDER.subject,
            recorded_by_name=f"{PROVINCE_NAMES_ZH[region]}{BUREAU_SUFFIX}",
            recorded_by_role=str(Role.BUREAU),
            recorded_at=dt.datetime.combine(when, dt.time(17)),
            review_status="approved",  # the seeded history was reviewed before it was published
        )
        if code == "violation":
            self.findings(oid, scheme, bad)
        if certificate is not None and year >= cal.AS_OF.year - 1:
            new_status = {"suspend_certificate": "suspended", "withdraw_certificate": "withdrawn"}.get(
                follow_up
            )
            if new_status:
                self.status_changes[certificate] = STATUS_INDEX[new_status]

    def findings(self, oid: int, scheme: str, bad: bool) -> None:
        rng = self.rng
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
        for k in rng.choice(len(FINDING_CATEGORIES), size=count, replace=False, p=weights / weights.sum()):
            category = FINDING_CATEGORIES[int(k)]
            self.out.add(
                "finding",
                id=self.next_id("finding"),
                outcome_id=oid,
                category=category,
                description=FINDING_TEXT[category],
            )


def generate_campaigns(
    rng: np.random.Generator, scale: cal.Scale, inst: Institutions, certs: Certificates, insp: Inspectors
) -> CampaignTables:
    """Every campaign 2017-2026; recent suspensions and withdrawals are written back to ``certs.status``."""
    builder = _Builder(rng, scale, inst, certs, insp)
    tables = builder.run()
    for certificate, status in builder.status_changes.items():
        index = certificate - 1
        if certs.status[index] == STATUS_INDEX["valid"]:
            certs.status[index] = status
    return tables


PUBLISH_WITHIN_WORKING_DAYS = 20  # results published within 20 working days of being formed


def _working_days_after(day_: np.datetime64, working_days: int) -> np.datetime64:
    """``day_`` plus Chinese working days (official holidays and make-up working days count)."""
    start = day_.astype("datetime64[D]").item()
    return np.datetime64(add_working_days(start, working_days).due_on, "D")
