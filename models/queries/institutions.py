"""Institutions (认证机构) and administrative approvals (行政审批) for the dashboard.

Applications number in the thousands even at national scale, so per-application processing days are
computed in SQL and summarised (medians, histogram) here; institution certificate counts come from
the ``certificatecountbyinstitution`` summary table.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from sqlalchemy import Engine, and_, case, func, or_, select

from models.campaigns import Campaign, Draw, DrawTarget, Finding, InspectionOutcome
from models.institutions import ApprovalApplication, Institution, InstitutionScheme
from models.queries.sqlhelpers import days_between, month_of, where_in, where_years
from models.summaries import CertificateCountByInstitution
from models.vocabulary import APPLICATION_STATUSES

# Pipeline stages in order; an application in a later status has passed every earlier stage.
PIPELINE_STAGES = ("received", "accepted", "under_review", "decided")
_STAGE_OF_STATUS = {"received": 0, "accepted": 1, "under_review": 2, "approved": 3, "rejected": 3}


def _read(engine: Engine, query, columns: Sequence[str]) -> pd.DataFrame:
    with engine.connect() as connection:
        rows = connection.execute(query).all()
    return pd.DataFrame(rows, columns=list(columns))


def _applications(query, *, years, provinces, types):
    app = ApprovalApplication.__table__
    query = where_years(query, app.c.submitted_on, years)
    query = where_in(query, app.c.region_code, provinces)
    return where_in(query, app.c.type, types)


def applications_by_status(
    engine: Engine,
    *,
    years: tuple[int, int] | None = None,
    provinces: Sequence[str] = (),
    types: Sequence[str] = (),
) -> pd.DataFrame:
    """Applications submitted in ``years`` by current status: status, n (every status, zeros kept)."""
    app = ApprovalApplication.__table__
    query = select(app.c.status, func.count()).group_by(app.c.status)
    query = _applications(query, years=years, provinces=provinces, types=types)
    with engine.connect() as connection:
        counts = dict(connection.execute(query).all())
    return pd.DataFrame(
        {"status": list(APPLICATION_STATUSES), "n": [int(counts.get(s, 0)) for s in APPLICATION_STATUSES]}
    )


def approval_pipeline(
    engine: Engine,
    *,
    years: tuple[int, int] | None = None,
    provinces: Sequence[str] = (),
    types: Sequence[str] = (),
) -> pd.DataFrame:
    """The funnel received → accepted → under review → decided (approved / rejected).

    Columns: stage, reached (applications that got at least this far), current (applications whose
    status is this stage now), approved and rejected (only on the ``decided`` row).
    """
    by_status = applications_by_status(engine, years=years, provinces=provinces, types=types)
    counts = dict(zip(by_status["status"], by_status["n"], strict=True))
    current = [0] * len(PIPELINE_STAGES)
    for status, n in counts.items():
        current[_STAGE_OF_STATUS[status]] += n
    reached = [sum(current[i:]) for i in range(len(PIPELINE_STAGES))]
    frame = pd.DataFrame({"stage": list(PIPELINE_STAGES), "reached": reached, "current": current})
    frame["approved"] = [0, 0, 0, counts.get("approved", 0)]
    frame["rejected"] = [0, 0, 0, counts.get("rejected", 0)]
    return frame


def applications_by_type_province(
    engine: Engine,
    *,
    years: tuple[int, int] | None = None,
    provinces: Sequence[str] = (),
    types: Sequence[str] = (),
) -> pd.DataFrame:
    """Applications submitted in ``years``: type, region_code, n."""
    app = ApprovalApplication.__table__
    query = select(app.c.type, app.c.region_code, func.count()).group_by(app.c.type, app.c.region_code)
    query = _applications(query, years=years, provinces=provinces, types=types)
    frame = _read(engine, query.order_by(app.c.type, app.c.region_code), ["type", "region_code", "n"])
    frame["n"] = frame["n"].astype("int64")
    return frame


def processing_days(
    engine: Engine,
    *,
    years: tuple[int, int] | None = None,
    provinces: Sequence[str] = (),
    types: Sequence[str] = (),
) -> pd.DataFrame:
    """Decided applications submitted in ``years``: id, type, status, month (decided), days taken."""
    app = ApprovalApplication.__table__
    query = select(
        app.c.id,
        app.c.type,
        app.c.status,
        month_of(app.c.decided_on, engine),
        days_between(app.c.decided_on, app.c.submitted_on, engine),
    ).where(app.c.decided_on.is_not(None))
    query = _applications(query, years=years, provinces=provinces, types=types).order_by(app.c.id)
    frame = _read(engine, query, ["id", "type", "status", "month", "days"])
    frame["days"] = frame["days"].astype("int64")
    return frame


def processing_median(days: pd.DataFrame, *, by: Sequence[str]) -> pd.DataFrame:
    """Median processing days and application count grouped by ``by`` (e.g. type, month)."""
    if days.empty:
        return pd.DataFrame(columns=[*by, "median_days", "n"])
    grouped = days.groupby(list(by))["days"]
    return grouped.agg(median_days="median", n="count").reset_index()


def median_days(days: pd.DataFrame) -> float | None:
    """Median processing days over all rows of ``processing_days``, or None when there are none."""
    return None if days.empty else float(days["days"].median())


def processing_histogram(days: pd.DataFrame, *, width: int = 5) -> pd.DataFrame:
    """Processing days binned by ``width`` days: bin_start, bin_end, n (empty bins between kept)."""
    if days.empty:
        return pd.DataFrame({"bin_start": [], "bin_end": [], "n": []}, dtype="int64")
    bins = (days["days"] // width) * width
    counts = bins.value_counts().sort_index()
    starts = range(int(counts.index.min()), int(counts.index.max()) + width, width)
    frame = pd.DataFrame({"bin_start": list(starts)})
    frame["bin_end"] = frame["bin_start"] + width
    frame["n"] = frame["bin_start"].map(counts).fillna(0).astype("int64")
    return frame


def institution_table(
    engine: Engine,
    *,
    search: str = "",
    provinces: Sequence[str] = (),
    schemes: Sequence[str] = (),
    statuses: Sequence[str] = (),
    risk_grades: Sequence[str] = (),
) -> pd.DataFrame:
    """Institutions with their approved schemes and certificate counts.

    Columns id, name, credit_code, approval_number, region_code, status, risk_grade, approved_on,
    schemes (``;``-separated codes), certificates (all ever issued), valid_certificates.
    ``search`` matches name, credit code or approval number (case-insensitive substring);
    ``schemes`` keeps institutions approved for at least one of them.
    """
    inst, approved = Institution.__table__, InstitutionScheme.__table__
    counts = CertificateCountByInstitution.__table__
    totals = (
        select(
            counts.c.institution_id,
            func.sum(counts.c.n).label("certificates"),
            func.sum(case((counts.c.status == "valid", counts.c.n), else_=0)).label("valid"),
        )
        .group_by(counts.c.institution_id)
        .subquery()
    )
    query = select(
        inst.c.id,
        inst.c.name,
        inst.c.credit_code,
        inst.c.approval_number,
        inst.c.region_code,
        inst.c.status,
        inst.c.risk_grade,
        inst.c.approved_on,
        func.coalesce(totals.c.certificates, 0),
        func.coalesce(totals.c.valid, 0),
    ).outerjoin(totals, totals.c.institution_id == inst.c.id)
    query = where_in(query, inst.c.region_code, provinces)
    query = where_in(query, inst.c.status, statuses)
    query = where_in(query, inst.c.risk_grade, risk_grades)
    if schemes:
        holders = select(approved.c.institution_id).where(approved.c.scheme_code.in_(list(schemes)))
        query = query.where(inst.c.id.in_(holders))
    text = search.strip()
    if text:
        pattern = f"%{text.lower()}%"
        query = query.where(
            or_(
                func.lower(inst.c.name).like(pattern),
                func.lower(inst.c.credit_code).like(pattern),
                func.lower(inst.c.approval_number).like(pattern),
            )
        )
    columns = [
        "id",
        "name",
        "credit_code",
        "approval_number",
        "region_code",
        "status",
        "risk_grade",
        "approved_on",
        "certificates",
        "valid_certificates",
    ]
    frame = _read(engine, query.order_by(inst.c.id), columns)
    frame["certificates"] = frame["certificates"].astype("int64")
    frame["valid_certificates"] = frame["valid_certificates"].astype("int64")
    scheme_rows = _read(
        engine,
        select(approved.c.institution_id, approved.c.scheme_code).order_by(
            approved.c.institution_id, approved.c.scheme_code
        ),
        ["institution_id", "scheme_code"],
    )
    joined = scheme_rows.groupby("institution_id")["scheme_code"].agg(";".join)
    frame.insert(8, "schemes", frame["id"].map(joined).fillna(""))
    return frame


def institution_certificates(engine: Engine, institution_id: int) -> pd.DataFrame:
    """One institution's certificates by scheme and status: scheme_code, status, n."""
    counts = CertificateCountByInstitution.__table__
    query = (
        select(counts.c.scheme_code, counts.c.status, counts.c.n)
        .where(counts.c.institution_id == institution_id)
        .order_by(counts.c.scheme_code, counts.c.status)
    )
    frame = _read(engine, query, ["scheme_code", "status", "n"])
    frame["n"] = frame["n"].astype("int64")
    return frame


def institution_inspections(engine: Engine, institution_id: int) -> pd.DataFrame:
    """One institution's inspection history: every drawn target of it, newest campaign first.

    Columns year, campaign, region_code, scheme_code, inspected_on, method, outcome_code, follow_up,
    findings (number of findings recorded); outcome columns are empty while not yet inspected.
    """
    target, draw, campaign = DrawTarget.__table__, Draw.__table__, Campaign.__table__
    outcome, finding = InspectionOutcome.__table__, Finding.__table__
    finding_counts = (
        select(finding.c.outcome_id, func.count().label("findings")).group_by(finding.c.outcome_id).subquery()
    )
    query = (
        select(
            campaign.c.year,
            campaign.c.name,
            target.c.region_code,
            target.c.scheme_code,
            outcome.c.inspected_on,
            outcome.c.method,
            outcome.c.outcome_code,
            outcome.c.follow_up,
            func.coalesce(finding_counts.c.findings, 0),
        )
        .select_from(target)
        .join(draw, draw.c.id == target.c.draw_id)
        .join(campaign, campaign.c.id == draw.c.campaign_id)
        .outerjoin(outcome, outcome.c.target_id == target.c.id)
        .outerjoin(finding_counts, and_(finding_counts.c.outcome_id == outcome.c.id))
        .where(target.c.institution_id == institution_id)
        .order_by(campaign.c.year.desc(), outcome.c.inspected_on.desc().nulls_last(), target.c.id)
    )
    columns = [
        "year",
        "campaign",
        "region_code",
        "scheme_code",
        "inspected_on",
        "method",
        "outcome_code",
        "follow_up",
        "findings",
    ]
    frame = _read(engine, query, columns)
    frame["findings"] = frame["findings"].astype("int64")
    return frame


def application_years(engine: Engine) -> tuple[int, int] | None:
    """First and last year with a submitted application, or None when there are none."""
    app = ApprovalApplication.__table__
    with engine.connect() as connection:
        first, last = connection.execute(
            select(func.min(app.c.submitted_on), func.max(app.c.submitted_on))
        ).one()
    if first is None:
        return None
    return pd.Timestamp(first).year, pd.Timestamp(last).year
