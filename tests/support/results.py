"""Results helpers for tests: approve a campaign's recorded outcomes so it can be published."""

from __future__ import annotations

from sqlalchemy import Engine, select

from models.campaigns import Draw, DrawTarget, InspectionOutcome
from models.results import review_outcome
from tests.support.actors import SUPERVISOR


def approve_all(engine: Engine, campaign_id: int) -> list[int]:
    """Approve (as ``SUPERVISOR``) every outcome of the campaign awaiting review; return their ids."""
    outcome, target, draw = InspectionOutcome.__table__, DrawTarget.__table__, Draw.__table__
    with engine.connect() as connection:
        ids = (
            connection.execute(
                select(outcome.c.id)
                .join(target, target.c.id == outcome.c.target_id)
                .join(draw, draw.c.id == target.c.draw_id)
                .where(draw.c.campaign_id == campaign_id, outcome.c.review_status == "pending")
                .order_by(outcome.c.id)
            )
            .scalars()
            .all()
        )
    for outcome_id in ids:
        review_outcome(engine, outcome_id, decision="approved", actor=SUPERVISOR)
    return list(ids)
