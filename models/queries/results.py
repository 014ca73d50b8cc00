"""A campaign's recorded results as the review and correction screens read them."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, select

from models.access import Actor
from models.campaigns import Draw, DrawTarget, Finding, InspectionOutcome, OutcomeItem
from models.certificates import Certificate, Organisation
from models.outcome_entry import ItemResult, OutcomeRecord
from models.results import Completeness, completeness

RESULT_COLUMNS = [
    "outcome_id",
    "target_id",
    "certificate_number",
    "organisation",
    "region_code",
    "inspected_on",
    "method",
    "outcome_code",
    "findings",
    "follow_up",
    "disposal_status",
    "review_status",
    "revision",
    "review_note",
    "recorded_by_name",
]


def campaign_results(engine: Engine, campaign_id: int, *, viewer: Actor) -> pd.DataFrame:
    """Every recorded result of the campaign (``RESULT_COLUMNS``; ``findings`` as ``a; b``), by target.

    A local bureau sees its own province's results only.
    """
    outcome, target, draw = InspectionOutcome.__table__, DrawTarget.__table__, Draw.__table__
    cert, org, finding = Certificate.__table__, Organisation.__table__, Finding.__table__
    query = (
        select(
            outcome.c.id,
            target.c.id,
            cert.c.number,
            org.c.name,
            target.c.region_code,
            outcome.c.inspected_on,
            outcome.c.method,
            outcome.c.outcome_code,
            outcome.c.follow_up,
            outcome.c.disposal_status,
            outcome.c.review_status,
            outcome.c.revision,
            outcome.c.review_note,
            outcome.c.recorded_by_name,
        )
        .join(target, target.c.id == outcome.c.target_id)
        .join(draw, draw.c.id == target.c.draw_id)
        .outerjoin(cert, cert.c.id == target.c.certificate_id)
        .outerjoin(org, org.c.id == cert.c.organisation_id)
        .where(draw.c.campaign_id == campaign_id)
        .order_by(target.c.region_code, target.c.id)
    )
    if viewer.scope_province:
        query = query.where(target.c.region_code == viewer.scope_province)
    findings_query = (
        select(finding.c.outcome_id, finding.c.category)
        .join(outcome, outcome.c.id == finding.c.outcome_id)
        .join(target, target.c.id == outcome.c.target_id)
        .join(draw, draw.c.id == target.c.draw_id)
        .where(draw.c.campaign_id == campaign_id)
        .order_by(finding.c.id)
    )
    with engine.connect() as connection:
        rows = connection.execute(query).all()
        categories: dict[int, list[str]] = {}
        for outcome_id, category in connection.execute(findings_query):
            categories.setdefault(outcome_id, []).append(category)
    columns = [c for c in RESULT_COLUMNS if c != "findings"]
    frame = pd.DataFrame(rows, columns=columns)
    frame["findings"] = ["; ".join(categories.get(int(i), [])) for i in frame["outcome_id"]]
    return frame[RESULT_COLUMNS]


def stored_record(engine: Engine, outcome_id: int) -> OutcomeRecord | None:
    """A stored result as the record that would write it (to correct it); None if there is none."""
    outcome, finding, item = InspectionOutcome.__table__, Finding.__table__, OutcomeItem.__table__
    with engine.connect() as connection:
        row = connection.execute(select(outcome).where(outcome.c.id == outcome_id)).mappings().first()
        if row is None:
            return None
        categories = connection.execute(
            select(finding.c.category).where(finding.c.outcome_id == outcome_id).order_by(finding.c.id)
        ).scalars()
        items = connection.execute(
            select(item.c.item_code, item.c.result, item.c.score).where(item.c.outcome_id == outcome_id)
        ).all()
        return OutcomeRecord(
            target_id=row["target_id"],
            inspected_on=row["inspected_on"],
            method=row["method"],
            outcome_code=row["outcome_code"],
            follow_up=row["follow_up"],
            findings=tuple(categories),
            note=row["note"],
            findings_text=row["findings_text"],
            not_inspected_reason=row["not_inspected_reason"],
            disposal_status=row["disposal_status"],
            closed_on=row["closed_on"],
            inspectors=row["inspectors"],
            items=tuple(ItemResult(code, result, score) for code, result, score in items),
        )


def campaign_completeness(engine: Engine, campaign_id: int) -> Completeness:
    """How far the campaign is from publication (``models.results.Completeness``)."""
    with engine.connect() as connection:
        return completeness(connection, campaign_id)
