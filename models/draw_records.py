"""The live workflow's writes: commit a draw with its teams, record outcomes, publish a campaign.

Each function takes the acting user (``actor``), refuses a role that may not do it
(``models.access.AccessDenied``), and is one transaction: it writes everything or nothing,
including its entry in the audit log, and bad input raises ``WorkflowError`` with a message that
names what is wrong.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import Connection, Engine, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from models import clock
from models.access import Actor, Permission, require
from models.audit import append_audit
from models.campaigns import Assignment, Campaign, Draw, DrawTarget, Finding, InspectionOutcome
from models.vocabulary import FINDING_CATEGORIES, FOLLOW_UPS, INSPECTION_METHODS, OUTCOME_CODES
from models.workdays import add_working_days
from models.workload import check_workload_cap, workload_period

TARGET_COLUMNS = ("unit_id", "institution_id", "region", "scheme", "inclusion_probability")
ASSIGNMENT_COLUMNS = ("unit_id", "inspector_id", "role")


class WorkflowError(ValueError):
    """A draw, outcome or publication that cannot be written as given.

    ``code`` (when set) names the kind of problem for translation and ``fields`` its values; the
    English message is for logs and the command line.
    """

    def __init__(self, message: str, *, code: str | None = None, **fields: object) -> None:
        super().__init__(message)
        self.code = code
        self.fields = fields


@dataclass(frozen=True)
class DrawRecord:
    """Who drew what, when, from which frame and with which seed: enough to audit the lottery."""

    campaign_name: str
    year: int
    seed: int
    frame_hash: str
    params: dict
    sampler_version: str
    legal_basis: str = "《认证认可条例》; 国办发〔2015〕58号"
    unit_type: str = "certificate"
    scheme_code: str | None = None
    drawn_at: dt.datetime = field(default_factory=clock.now)


def _require_columns(frame: pd.DataFrame, columns: tuple[str, ...], what: str) -> None:
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise WorkflowError(f"{what} lack column(s) {', '.join(missing)}")


def check_draw(targets: pd.DataFrame, assignments: pd.DataFrame) -> None:
    """Refuse targets and teams that cannot be written (``WorkflowError`` naming the problem)."""
    _require_columns(targets, TARGET_COLUMNS, "targets")
    _require_columns(assignments, ASSIGNMENT_COLUMNS, "assignments")
    if targets.empty:
        raise WorkflowError("a draw needs at least one target")
    if targets["unit_id"].duplicated().any():
        raise WorkflowError(
            f"unit {targets.loc[targets['unit_id'].duplicated(), 'unit_id'].iloc[0]} drawn twice"
        )
    unknown = set(assignments["unit_id"]) - set(targets["unit_id"])
    if unknown:
        raise WorkflowError(f"assignments name units that were not drawn: {sorted(unknown)[:5]}")


def campaign_exists_error(name: str, year: int) -> WorkflowError:
    """The error for a campaign name already used in a year (names are unique per year)."""
    return WorkflowError(
        f"campaign '{name}' already exists for {year}", code="campaign_exists", name=name, year=year
    )


def commit_draw(
    engine: Engine, record: DrawRecord, targets: pd.DataFrame, assignments: pd.DataFrame, *, actor: Actor
) -> int:
    """Write a campaign, its draw, the drawn targets and their inspector teams; return the draw id.

    ``actor`` must be allowed to draw (planner); it is stored as the draw's author and in the audit log.
    The live workflow goes through ``models.lottery`` (commitment, attempts); this direct form serves
    records drawn elsewhere (the command line) and tests.
    """
    require(actor, Permission.DRAW)
    check_draw(targets, assignments)
    campaign_table = Campaign.__table__
    try:
        with engine.begin() as connection:
            exists = connection.execute(
                select(func.count())
                .select_from(campaign_table)
                .where(campaign_table.c.year == record.year, campaign_table.c.name == record.campaign_name)
            ).scalar_one()
            if exists:
                raise campaign_exists_error(record.campaign_name, record.year)
            campaign_id = connection.execute(
                insert(campaign_table).values(
                    year=record.year,
                    name=record.campaign_name,
                    legal_basis=record.legal_basis,
                    unit_type=record.unit_type,
                    scheme_code=record.scheme_code,
                    status="assigned",
                )
            ).inserted_primary_key[0]
            draw_id = write_draw(connection, int(campaign_id), record, targets, assignments, actor=actor)
    except IntegrityError as error:
        raise WorkflowError(f"draw rejected by the store: {error.orig}") from error
    return draw_id


def write_draw(
    connection: Connection,
    campaign_id: int,
    record: DrawRecord,
    targets: pd.DataFrame,
    assignments: pd.DataFrame,
    *,
    actor: Actor,
    audit_details: dict | None = None,
) -> int:
    """Inside the caller's transaction: the draw row, its targets and teams, and the audit entry.

    The caller must have written already in this transaction (SQLite then holds the write lock).
    When the record's assignment rules set a ``cap``, the teams are checked against the team places
    of every campaign of ``record.year`` (``models.workload``; ``cap_exceeded``) and the record's
    params gain ``workload``: the period, the cap, and the earlier load of each inspector drawn.
    """
    params = record.params
    rules = params.get("assignment")
    cap = rules.get("cap") if isinstance(rules, dict) else None
    if cap is not None:
        earlier = check_workload_cap(
            connection, year=record.year, cap=int(cap), inspector_ids=assignments["inspector_id"]
        )
        params = {
            **params,
            "workload": {
                **workload_period(record.year),
                "cap": int(cap),
                "prior_load": {str(i): n for i, n in sorted(earlier.items())},
            },
        }
    draw_id = connection.execute(
        insert(Draw.__table__).values(
            campaign_id=campaign_id,
            seed=record.seed,
            frame_hash=record.frame_hash,
            params_json=json.dumps(params, sort_keys=True, ensure_ascii=False),
            drawn_at=record.drawn_at,
            drawn_by=actor.subject,
            drawn_by_name=actor.name[:128],
            drawn_by_role=str(actor.role),
            sampler_version=record.sampler_version,
        )
    ).inserted_primary_key[0]
    target_ids = _insert_targets(connection, draw_id, targets)
    team_rows = [
        dict(target_id=target_ids[int(row.unit_id)], inspector_id=int(row.inspector_id), role=str(row.role))
        for row in assignments.itertuples(index=False)
    ]
    if team_rows:
        connection.execute(insert(Assignment.__table__), team_rows)
    append_audit(
        connection,
        actor,
        "draw.commit",
        "campaign",
        campaign_id,
        {
            "draw_id": int(draw_id),
            "campaign_name": record.campaign_name,
            "year": record.year,
            "seed": record.seed,
            "frame_hash": record.frame_hash,
            "targets": len(target_ids),
            "assignments": len(team_rows),
            **(audit_details or {}),
        },
        rows={
            "campaign": int(campaign_id),
            "draw": int(draw_id),
            "draw_targets": int(draw_id),
            "draw_assignments": int(draw_id),
            "draw_outcomes": int(draw_id),
        },
    )
    return int(draw_id)


def _insert_targets(connection, draw_id: int, targets: pd.DataFrame) -> dict[int, int]:
    rows = [
        dict(
            draw_id=draw_id,
            certificate_id=int(row.unit_id),
            institution_id=int(row.institution_id),
            region_code=str(row.region),
            scheme_code=str(row.scheme),
            inclusion_probability=float(row.inclusion_probability),
        )
        for row in targets.itertuples(index=False)
    ]
    connection.execute(insert(DrawTarget.__table__), rows)
    table = DrawTarget.__table__
    return dict(
        connection.execute(select(table.c.certificate_id, table.c.id).where(table.c.draw_id == draw_id)).all()
    )


@dataclass(frozen=True)
class OutcomeRecord:
    """What an inspection of one target found (检查结果)."""

    target_id: int
    inspected_on: dt.date
    method: str
    outcome_code: str
    follow_up: str = "none"
    findings: tuple[str, ...] = ()
    note: str = ""


def _check_vocabulary(value: str, allowed: tuple[str, ...], name: str) -> None:
    if value not in allowed:
        raise WorkflowError(f"{name} '{value}' is not one of: {', '.join(allowed)}")


def record_outcome(engine: Engine, outcome: OutcomeRecord, *, actor: Actor) -> int:
    """Store one inspection outcome with its findings; return the outcome id.

    ``actor`` must be allowed to record outcomes; a local bureau only for targets of its province.
    The outcome stores who entered it and when; the audit log gets the values written.
    """
    return record_outcomes(engine, [outcome], actor=actor)[0]


def _check_outcome(outcome: OutcomeRecord) -> None:
    _check_vocabulary(outcome.method, INSPECTION_METHODS, "method")
    _check_vocabulary(outcome.outcome_code, OUTCOME_CODES, "outcome_code")
    _check_vocabulary(outcome.follow_up, FOLLOW_UPS, "follow_up")
    for category in outcome.findings:
        _check_vocabulary(category, FINDING_CATEGORIES, "finding category")
    if outcome.outcome_code == "violation" and not outcome.findings:
        raise WorkflowError("a violation needs at least one finding category")


def record_outcomes(engine: Engine, outcomes: Sequence[OutcomeRecord], *, actor: Actor) -> list[int]:
    """Store several outcomes in one transaction (all or nothing); return their ids in order.

    Each outcome is checked and audited as `record_outcome` does (one ``outcome.record`` entry with the
    values written, covering the outcome's rows); the last entry for each draw also covers the draw's
    outcomes as they stand after the batch. A batch saves the re-hashing of a draw's outcomes per
    outcome (the seeder records a day's inspections at once).
    """
    require(actor, Permission.RECORD_OUTCOME)
    for outcome in outcomes:
        _check_outcome(outcome)
    target, draw = DrawTarget.__table__, Draw.__table__
    ids: list[int] = []
    current: OutcomeRecord | None = None
    try:
        with engine.begin() as connection:
            written = []
            for outcome in outcomes:
                current = outcome
                found = connection.execute(
                    select(target.c.region_code, draw.c.campaign_id, draw.c.id)
                    .join(draw, draw.c.id == target.c.draw_id)
                    .where(target.c.id == outcome.target_id)
                ).first()
                if found is None:
                    raise WorkflowError(f"target {outcome.target_id} does not exist")
                require(actor, Permission.RECORD_OUTCOME, province=found.region_code)
                outcome_id = connection.execute(
                    insert(InspectionOutcome.__table__).values(
                        target_id=outcome.target_id,
                        inspected_on=outcome.inspected_on,
                        method=outcome.method,
                        outcome_code=outcome.outcome_code,
                        follow_up=outcome.follow_up,
                        note=outcome.note,
                        recorded_by=actor.subject,
                        recorded_by_name=actor.name[:128],
                        recorded_by_role=str(actor.role),
                        recorded_at=clock.now(),
                    )
                ).inserted_primary_key[0]
                if outcome.findings:
                    connection.execute(
                        insert(Finding.__table__),
                        [dict(outcome_id=outcome_id, category=category) for category in outcome.findings],
                    )
                ids.append(int(outcome_id))
                written.append((outcome, int(outcome_id), found))
            last_of_draw = {found.id: outcome_id for _, outcome_id, found in written}
            for outcome, outcome_id, found in written:
                rows: dict[str, int] = {"outcome": outcome_id}
                if last_of_draw[found.id] == outcome_id:
                    rows["draw_outcomes"] = int(found.id)
                append_audit(
                    connection,
                    actor,
                    "outcome.record",
                    "campaign",
                    found.campaign_id,
                    {
                        "outcome_id": outcome_id,
                        "target_id": outcome.target_id,
                        "region": found.region_code,
                        "inspected_on": outcome.inspected_on.isoformat(),
                        "method": outcome.method,
                        "outcome_code": outcome.outcome_code,
                        "follow_up": outcome.follow_up,
                        "findings": list(outcome.findings),
                        "note": outcome.note,
                    },
                    rows=rows,
                )
    except IntegrityError as error:
        target_id = current.target_id if current is not None else "?"
        raise WorkflowError(f"outcome for target {target_id} rejected: {error.orig}") from error
    return ids


def publish_campaign(
    engine: Engine, campaign_id: int, *, on: dt.date, actor: Actor, within_working_days: int = 20
) -> dt.date:
    """Mark a campaign published on ``on``; every target must have an outcome. Returns the deadline.

    The deadline counts ``within_working_days`` Chinese working days from the day the results were
    formed, i.e. the last inspection date of the campaign. ``actor`` must be allowed to publish
    (supervisor) and is stored as the publisher and in the audit log.
    """
    require(actor, Permission.PUBLISH)
    target, draw, outcome = DrawTarget.__table__, Draw.__table__, InspectionOutcome.__table__
    with engine.begin() as connection:
        targets, open_targets, formed_on = connection.execute(
            select(
                func.count(target.c.id),
                func.count(target.c.id) - func.count(outcome.c.id),
                func.max(outcome.c.inspected_on),
            )
            .select_from(target.join(draw, draw.c.id == target.c.draw_id))
            .outerjoin(outcome, outcome.c.target_id == target.c.id)
            .where(draw.c.campaign_id == campaign_id)
        ).one()
        if not targets:
            raise WorkflowError(f"campaign {campaign_id} has no drawn targets to publish")
        if open_targets:
            raise WorkflowError(
                f"campaign {campaign_id} still has {open_targets} target(s) without an outcome"
            )
        deadline = add_working_days(pd.Timestamp(formed_on).date(), within_working_days).due_on
        connection.execute(
            update(Campaign.__table__)
            .where(Campaign.__table__.c.id == campaign_id)
            .values(
                status="published",
                published_on=on,
                publish_deadline=deadline,
                published_by=actor.subject,
                published_by_name=actor.name[:128],
            )
        )
        append_audit(
            connection,
            actor,
            "campaign.publish",
            "campaign",
            campaign_id,
            {"published_on": on.isoformat(), "deadline": deadline.isoformat(), "targets": int(targets)},
            rows={"campaign": int(campaign_id)},
        )
    return deadline
