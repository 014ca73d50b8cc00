"""Inspection outcomes of committed draws: counts per stratum, rates, findings and the case list.

A *committed* draw is a recorded ``draw`` of a campaign that has left the ``planned`` status.
Every function aggregates in SQL and returns a small DataFrame.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, Select, and_, case, func, select

from models.campaigns import Campaign, Draw, DrawTarget, InspectionOutcome

UNCOMMITTED_STATUSES = ("planned",)
STRATUM_COLUMNS = ["region_code", "scheme_code", "N_h", "n_h", "violations_h", "drawn_h"]


def _committed_targets(
    query: Select,
    *,
    year: int | None = None,
    scheme: str | None = None,
    campaign_id: int | None = None,
) -> Select:
    """Join ``query`` (selecting from ``drawtarget``) to its draw and campaign and apply the filters."""
    target, draw, campaign = DrawTarget.__table__, Draw.__table__, Campaign.__table__
    query = (
        query.select_from(target)
        .join(draw, draw.c.id == target.c.draw_id)
        .join(campaign, campaign.c.id == draw.c.campaign_id)
        .where(campaign.c.status.not_in(UNCOMMITTED_STATUSES))
    )
    if year is not None:
        query = query.where(campaign.c.year == year)
    if scheme is not None:
        query = query.where(target.c.scheme_code == scheme)
    if campaign_id is not None:
        query = query.where(campaign.c.id == campaign_id)
    return query


def stratum_outcome_counts(
    engine: Engine,
    *,
    year: int | None = None,
    scheme: str | None = None,
    campaign_id: int | None = None,
) -> pd.DataFrame:
    """One row per stratum (region_code, scheme_code) of the committed draws.

    Columns:
    ``N_h`` population size of the stratum, ``sum(1 / inclusion_probability)`` over its drawn targets
    (= n_drawn / (n_drawn / N_h) when the stratum has one probability), rounded to an integer;
    ``n_h`` drawn targets that have an inspection outcome; ``violations_h`` of those with
    ``outcome_code == "violation"``; ``drawn_h`` drawn targets (with or without an outcome).

    With ``year=None`` the strata of several years are pooled (N_h, n_h and violations_h summed).
    """
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
    query = _committed_targets(query, year=year, scheme=scheme, campaign_id=campaign_id)
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
