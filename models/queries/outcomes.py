"""Inspection outcomes of committed draws: counts per stratum, rates, findings and the case list.

A *committed* draw is a recorded ``draw`` of a campaign that has left the ``planned`` status.
Every function aggregates in SQL and returns a small DataFrame.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd
from sqlalchemy import Engine, Select, and_, case, func, select

from models.access import Role, sees_personal_data
from models.campaigns import Assignment, Campaign, Draw, DrawTarget, Finding, InspectionOutcome
from models.certificates import Certificate
from models.inspectors import Inspector
from models.institutions import Institution
from models.queries.roles import mask_identifier
from models.queries.sqlhelpers import select_in_chunks

UNCOMMITTED_STATUSES = ("planned",)
STRATUM_COLUMNS = ["region_code", "scheme_code", "N_h", "n_h", "violations_h", "drawn_h"]


@dataclass(frozen=True)
class OutcomeFilters:
    """What the outcome views are narrowed to; ``None`` and empty tuples mean "all".

    ``published_only`` keeps campaigns whose results are published (what the public may see).
    """

    years: tuple[int, int] | None = None
    campaign_id: int | None = None
    provinces: tuple[str, ...] = ()
    schemes: tuple[str, ...] = ()
    published_only: bool = False

    def for_role(self, role: Role) -> OutcomeFilters:
        """These filters, narrowed to published campaigns for the public."""
        return replace(self, published_only=True) if role is Role.PUBLIC else self


def _committed_targets(query: Select, filters: OutcomeFilters) -> Select:
    """Join ``query`` (selecting from ``drawtarget``) to its draw and campaign and apply the filters."""
    target, draw, campaign = DrawTarget.__table__, Draw.__table__, Campaign.__table__
    query = (
        query.select_from(target)
        .join(draw, draw.c.id == target.c.draw_id)
        .join(campaign, campaign.c.id == draw.c.campaign_id)
        .where(campaign.c.status.not_in(UNCOMMITTED_STATUSES))
    )
    if filters.years is not None:
        query = query.where(campaign.c.year.between(*filters.years))
    if filters.campaign_id is not None:
        query = query.where(campaign.c.id == filters.campaign_id)
    if filters.provinces:
        query = query.where(target.c.region_code.in_(filters.provinces))
    if filters.schemes:
        query = query.where(target.c.scheme_code.in_(filters.schemes))
    if filters.published_only:
        query = query.where(campaign.c.status == "published")
    return query


def stratum_outcome_counts(
    engine: Engine,
    *,
    year: int | None = None,
    scheme: str | None = None,
    campaign_id: int | None = None,
    filters: OutcomeFilters | None = None,
) -> pd.DataFrame:
    """One row per stratum (region_code, scheme_code) of the committed draws.

    Columns:
    ``N_h`` population size of the stratum, ``sum(1 / inclusion_probability)`` over its drawn targets
    (= n_drawn / (n_drawn / N_h) when the stratum has one probability), rounded to an integer;
    ``n_h`` drawn targets that have an inspection outcome; ``violations_h`` of those with
    ``outcome_code == "violation"``; ``drawn_h`` drawn targets (with or without an outcome).

    With ``year=None`` the strata of several years are pooled (N_h, n_h and violations_h summed).
    ``filters`` narrows further (year range, provinces, schemes, published only); ``year``,
    ``scheme`` and ``campaign_id`` are applied on top of it.
    """
    base = filters or OutcomeFilters()
    if year is not None:
        base = replace(base, years=(year, year))
    if scheme is not None:
        base = replace(base, schemes=(scheme,))
    if campaign_id is not None:
        base = replace(base, campaign_id=campaign_id)
    target, outcome = DrawTarget.__table__, InspectionOutcome.__table__
    violation = case((outcome.c.outcome_code == "violation", 1), else_=0)
    query = select(
        target.c.region_code,
        target.c.scheme_code,
        func.sum(1.0 / target.c.inclusion_probability).label("N_h"),
        func.count(outcome.c.id).label("n_h"),
        func.coalesce(func.sum(violation), 0).label("violations_h"),
        func.count(target.c.id).label("drawn_h"),
    )
    query = _committed_targets(query, base)
    query = (
        query.outerjoin(outcome, and_(outcome.c.target_id == target.c.id))
        .group_by(target.c.region_code, target.c.scheme_code)
        .order_by(target.c.region_code, target.c.scheme_code)
    )
    with engine.connect() as connection:
        rows = connection.execute(query).all()
    frame = pd.DataFrame(rows, columns=STRATUM_COLUMNS)
    if frame.empty:
        return frame.astype({"N_h": "int64", "n_h": "int64", "violations_h": "int64", "drawn_h": "int64"})
    frame["N_h"] = frame["N_h"].astype(float).round().astype("int64")
    for column in ("n_h", "violations_h", "drawn_h"):
        frame[column] = frame[column].astype("int64")
    return frame


def outcome_years(engine: Engine) -> list[int]:
    """Years that have a committed campaign, ascending."""
    campaign = Campaign.__table__
    query = (
        select(campaign.c.year)
        .where(campaign.c.status.not_in(UNCOMMITTED_STATUSES))
        .distinct()
        .order_by(campaign.c.year)
    )
    with engine.connect() as connection:
        return [int(year) for year in connection.scalars(query)]


def campaign_options(engine: Engine, *, years: tuple[int, int] | None = None) -> pd.DataFrame:
    """Committed campaigns (id, year, name, scheme_code, status), newest first."""
    campaign = Campaign.__table__
    query = select(
        campaign.c.id, campaign.c.year, campaign.c.name, campaign.c.scheme_code, campaign.c.status
    ).where(campaign.c.status.not_in(UNCOMMITTED_STATUSES))
    if years is not None:
        query = query.where(campaign.c.year.between(*years))
    query = query.order_by(campaign.c.year.desc(), campaign.c.name)
    with engine.connect() as connection:
        return pd.DataFrame(
            connection.execute(query).all(), columns=["id", "year", "name", "scheme_code", "status"]
        )


def _inspected(query: Select, filters: OutcomeFilters) -> Select:
    """``_committed_targets`` restricted to targets with an outcome (inner join on the outcome)."""
    target, outcome = DrawTarget.__table__, InspectionOutcome.__table__
    return _committed_targets(query, filters).join(outcome, outcome.c.target_id == target.c.id)


def outcome_summary(engine: Engine, filters: OutcomeFilters) -> dict[str, int]:
    """Drawn targets, inspected targets (with an outcome) and violations under ``filters``."""
    target, outcome = DrawTarget.__table__, InspectionOutcome.__table__
    violation = case((outcome.c.outcome_code == "violation", 1), else_=0)
    query = _committed_targets(
        select(
            func.count(target.c.id).label("drawn"),
            func.count(outcome.c.id).label("inspected"),
            func.coalesce(func.sum(violation), 0).label("violations"),
        ),
        filters,
    ).outerjoin(outcome, outcome.c.target_id == target.c.id)
    with engine.connect() as connection:
        row = connection.execute(query).mappings().one()
    return {key: int(value) for key, value in row.items()}


def outcome_code_counts(engine: Engine, filters: OutcomeFilters) -> pd.DataFrame:
    """Inspected targets per outcome code: outcome_code, n."""
    outcome = InspectionOutcome.__table__
    query = _inspected(select(outcome.c.outcome_code, func.count().label("n")), filters).group_by(
        outcome.c.outcome_code
    )
    with engine.connect() as connection:
        frame = pd.DataFrame(connection.execute(query).all(), columns=["outcome_code", "n"])
    return frame.astype({"n": "int64"}).sort_values("n", ascending=False, ignore_index=True)


def finding_counts(engine: Engine, filters: OutcomeFilters) -> pd.DataFrame:
    """Findings per category, and the number of inspections with at least one: category, findings, cases."""
    outcome, finding = InspectionOutcome.__table__, Finding.__table__
    query = (
        _inspected(
            select(
                finding.c.category,
                func.count(finding.c.id).label("findings"),
                func.count(func.distinct(outcome.c.id)).label("cases"),
            ),
            filters,
        )
        .join(finding, finding.c.outcome_id == outcome.c.id)
        .group_by(finding.c.category)
    )
    with engine.connect() as connection:
        frame = pd.DataFrame(connection.execute(query).all(), columns=["category", "findings", "cases"])
    return frame.astype({"findings": "int64", "cases": "int64"}).sort_values(
        ["findings", "category"], ascending=[False, True], ignore_index=True
    )


RATE_DIMENSIONS = ("region_code", "scheme_code", "institution_id")


def rates_by(engine: Engine, dimension: str, filters: OutcomeFilters) -> pd.DataFrame:
    """Inspected targets and violations per ``dimension`` (one of ``RATE_DIMENSIONS``): key, n, violations.

    For ``institution_id`` the institution's name is added as ``institution``.
    """
    if dimension not in RATE_DIMENSIONS:
        raise ValueError(f"dimension must be one of {RATE_DIMENSIONS}, not {dimension!r}")
    target, outcome, inst = DrawTarget.__table__, InspectionOutcome.__table__, Institution.__table__
    violation = case((outcome.c.outcome_code == "violation", 1), else_=0)
    key = target.c[dimension]
    columns = [key, func.count().label("n"), func.coalesce(func.sum(violation), 0).label("violations")]
    names = [dimension, "n", "violations"]
    query = _inspected(select(*columns), filters)
    group = [key]
    if dimension == "institution_id":
        query = query.add_columns(inst.c.name).join(inst, inst.c.id == target.c.institution_id)
        group.append(inst.c.name)
        names.append("institution")
    query = query.group_by(*group)
    with engine.connect() as connection:
        frame = pd.DataFrame(connection.execute(query).all(), columns=names)
    frame = frame.astype({"n": "int64", "violations": "int64"})
    return frame.sort_values(["n", dimension], ascending=[False, True], ignore_index=True)


CASE_COLUMNS = [
    "target_id",
    "certificate",
    "year",
    "campaign",
    "institution",
    "region_code",
    "scheme_code",
    "inspectors",
    "inspected_on",
    "method",
    "outcome_code",
    "findings",
    "follow_up",
]


def case_count(engine: Engine, filters: OutcomeFilters) -> int:
    """How many inspected targets the case list has under ``filters``."""
    with engine.connect() as connection:
        return int(connection.scalar(_inspected(select(func.count()), filters)))


def _lookup_lists(engine: Engine, query_for, ids: list[int]) -> dict[int, list[tuple]]:
    found: dict[int, list[tuple]] = {}
    with engine.connect() as connection:
        for owner, *rest in select_in_chunks(connection, query_for, ids):
            found.setdefault(owner, []).append(tuple(rest))
    return found


def case_list(engine: Engine, filters: OutcomeFilters, *, role: Role, limit: int = 5000) -> pd.DataFrame:
    """The inspected targets, newest first, at most ``limit``; see ``CASE_COLUMNS``.

    ``certificate`` is the drawn certificate's number (empty for institution-unit campaigns);
    ``inspectors`` lists the team as ``name (enforcement ID)``, the ID masked unless ``role`` may see
    it; ``findings`` lists finding categories separated by ``;``. The public sees published campaigns only.
    """
    filters = filters.for_role(role)
    target, outcome, inst = DrawTarget.__table__, InspectionOutcome.__table__, Institution.__table__
    campaign, cert = Campaign.__table__, Certificate.__table__
    query = (
        _inspected(
            select(
                target.c.id,
                cert.c.number,
                campaign.c.year,
                campaign.c.name,
                inst.c.name,
                target.c.region_code,
                target.c.scheme_code,
                outcome.c.inspected_on,
                outcome.c.method,
                outcome.c.outcome_code,
                outcome.c.follow_up,
                outcome.c.id,
            ),
            filters,
        )
        .join(inst, inst.c.id == target.c.institution_id)
        .outerjoin(cert, cert.c.id == target.c.certificate_id)
        .order_by(outcome.c.inspected_on.desc(), target.c.id.desc())
        .limit(limit)
    )
    with engine.connect() as connection:
        rows = connection.execute(query).all()
    base = [c for c in CASE_COLUMNS if c not in ("inspectors", "findings")]
    frame = pd.DataFrame(rows, columns=[*base, "outcome_id"])
    insp, assign, finding = Inspector.__table__, Assignment.__table__, Finding.__table__
    teams = _lookup_lists(
        engine,
        lambda chunk: (
            select(assign.c.target_id, assign.c.role, insp.c.name, insp.c.enforcement_id)
            .join(insp, insp.c.id == assign.c.inspector_id)
            .where(assign.c.target_id.in_(chunk))
            .order_by(assign.c.target_id, assign.c.role, insp.c.name)
        ),
        [int(i) for i in frame["target_id"]],
    )
    show_id = (lambda value: value) if sees_personal_data(role) else mask_identifier
    frame["inspectors"] = [
        "; ".join(f"{name} ({show_id(eid)})" for _role, name, eid in teams.get(int(tid), []))
        for tid in frame["target_id"]
    ]
    found = _lookup_lists(
        engine,
        lambda chunk: (
            select(finding.c.outcome_id, finding.c.category)
            .where(finding.c.outcome_id.in_(chunk))
            .order_by(finding.c.outcome_id, finding.c.category)
        ),
        [int(i) for i in frame["outcome_id"]],
    )
    frame["findings"] = [";".join(c for (c,) in found.get(int(oid), [])) for oid in frame["outcome_id"]]
    frame["inspected_on"] = pd.to_datetime(frame["inspected_on"]).dt.date
    frame["certificate"] = frame["certificate"].fillna("")
    return frame[CASE_COLUMNS]
