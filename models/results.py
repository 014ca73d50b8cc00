"""Writes of a campaign's results: record, correct and review outcomes, and publish the campaign.

Each function takes the acting user (``actor``), refuses a role that may not do it
(``models.access.AccessDenied``), checks the record with ``models.outcome_entry.check_outcome`` (the
one validation the form, the grid and the import share), and is one transaction with its audit entry.
Bad input raises ``WorkflowError`` whose ``code`` the pages translate (``out.error.<code>``) and whose
``fields["problems"]`` lists every ``Problem`` found.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, case, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from models import clock
from models.access import Actor, Permission, require
from models.audit import append_audit, canonical_json
from models.audit_rows import ROW_SETS
from models.campaigns import (
    Campaign,
    Draw,
    DrawTarget,
    Finding,
    InspectionOutcome,
    OutcomeItem,
    OutcomeRevision,
)
from models.draw_records import WorkflowError
from models.outcome_entry import (
    EntryContext,
    OutcomeRecord,
    Problem,
    check_batch,
    check_outcome,
    load_context,
    recorded_targets,
)
from models.workdays import CHINA, PUBLICATION_WORKING_DAYS, Deadline, add_working_days

REVIEW_DECISIONS = ("approved", "returned")


def refuse(problems: Sequence[Problem]) -> WorkflowError:
    """The error for a record with ``problems``: the first one's code and values, and all of them."""
    first = problems[0]
    return WorkflowError(
        "; ".join(problem.message() for problem in problems),
        code=first.code,
        field=first.field,
        problems=tuple(problems),
        **first.values,
    )


def _outcome_values(record: OutcomeRecord) -> dict[str, object]:
    return dict(
        inspected_on=record.inspected_on,
        method=record.method,
        outcome_code=record.outcome_code,
        follow_up=record.follow_up,
        note=record.note,
        findings_text=record.findings_text,
        not_inspected_reason=record.not_inspected_reason,
        disposal_status=record.disposal_status,
        closed_on=record.closed_on,
        inspectors=record.inspectors,
    )


def _audit_values(record: OutcomeRecord) -> dict[str, object]:
    values = {key: value for key, value in _outcome_values(record).items()}
    values["findings"] = list(record.findings)
    values["items"] = [[i.item_code, i.result, i.score] for i in record.items]
    return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in values.items()}


def store_outcomes(
    connection: Connection,
    records: Sequence[OutcomeRecord],
    *,
    actor: Actor,
    submission_key: str | None = None,
) -> list[int]:
    """Inside the caller's transaction: insert checked records with their findings and item results.

    No checks and no audit entry here (the callers do both); returns the new outcome ids in order.
    """
    outcome = InspectionOutcome.__table__
    now = clock.now()
    who = dict(
        recorded_by=actor.subject,
        recorded_by_name=actor.name[:128],
        recorded_by_role=str(actor.role),
        recorded_at=now,
        submission_key=submission_key,
    )
    ids = [
        int(
            connection.execute(
                insert(outcome).values(target_id=record.target_id, **who, **_outcome_values(record))
            ).inserted_primary_key[0]
        )
        for record in records
    ]
    findings = [
        dict(outcome_id=outcome_id, category=category)
        for outcome_id, record in zip(ids, records, strict=True)
        for category in record.findings
    ]
    items = [
        dict(outcome_id=outcome_id, item_code=i.item_code, result=i.result, score=i.score)
        for outcome_id, record in zip(ids, records, strict=True)
        for i in record.items
    ]
    if findings:
        connection.execute(insert(Finding.__table__), findings)
    if items:
        connection.execute(insert(OutcomeItem.__table__), items)
    return ids


def _write_children(connection: Connection, outcome_id: int, record: OutcomeRecord) -> None:
    """The record's findings and item results, replacing any stored for ``outcome_id``."""
    finding, item = Finding.__table__, OutcomeItem.__table__
    connection.execute(delete(finding).where(finding.c.outcome_id == outcome_id))
    connection.execute(delete(item).where(item.c.outcome_id == outcome_id))
    if record.findings:
        connection.execute(
            insert(finding), [dict(outcome_id=outcome_id, category=category) for category in record.findings]
        )
    if record.items:
        connection.execute(
            insert(item),
            [
                dict(outcome_id=outcome_id, item_code=i.item_code, result=i.result, score=i.score)
                for i in record.items
            ],
        )


def _campaign_of_target(connection: Connection, target_id: int) -> tuple[int, int, str]:
    """(campaign id, draw id, province) of a target; ``unknown_target`` if there is none."""
    target, draw = DrawTarget.__table__, Draw.__table__
    found = connection.execute(
        select(draw.c.campaign_id, draw.c.id, target.c.region_code)
        .join(draw, draw.c.id == target.c.draw_id)
        .where(target.c.id == target_id)
    ).first()
    if found is None:
        raise WorkflowError(f"target {target_id} does not exist", code="unknown_target", target=target_id)
    return int(found[0]), int(found[1]), str(found[2])


def refuse_if_published(connection: Connection, campaign_id: int) -> None:
    """``WorkflowError`` ``campaign_published`` once the campaign's results are public (fixed)."""
    campaign = Campaign.__table__
    status = connection.execute(select(campaign.c.status).where(campaign.c.id == campaign_id)).scalar_one()
    if status == "published":
        raise WorkflowError(f"campaign {campaign_id} is published", code="campaign_published")


def insert_outcome(
    connection: Connection,
    record: OutcomeRecord,
    context: EntryContext,
    *,
    actor: Actor,
    submission_key: str | None = None,
) -> int:
    """Inside the caller's transaction: check, store and audit one new outcome; return its id.

    The caller has checked ``actor``'s permission; here the target's province is checked against a
    province-scoped actor. Raises ``WorkflowError`` (``refuse``) for a record with problems and
    ``outcome_exists`` for a target that has an outcome already (correct it instead).
    """
    region = context.targets.get(record.target_id)
    if region is not None:
        require(actor, Permission.RECORD_OUTCOME, province=region)
    problems = check_outcome(record, context)
    if problems:
        raise refuse(problems)
    outcome = InspectionOutcome.__table__
    exists = connection.execute(select(outcome.c.id).where(outcome.c.target_id == record.target_id)).scalar()
    if exists is not None:
        raise WorkflowError(
            f"target {record.target_id} already has outcome {exists}",
            code="outcome_exists",
            target=record.target_id,
        )
    outcome_id = store_outcomes(connection, [record], actor=actor, submission_key=submission_key)[0]
    draw_id = _campaign_of_target(connection, record.target_id)[1]
    append_audit(
        connection,
        actor,
        "outcome.record",
        "campaign",
        context.campaign_id,
        {"outcome_id": outcome_id, "target_id": record.target_id, "region": region, **_audit_values(record)},
        rows={"outcome": outcome_id, "draw_outcomes": draw_id},
    )
    return outcome_id


def record_outcome(
    engine: Engine,
    record: OutcomeRecord,
    *,
    actor: Actor,
    submission_key: str | None = None,
    today: dt.date | None = None,
) -> int:
    """Store one inspection outcome with its findings and item results; return the outcome id.

    ``actor`` must be allowed to record outcomes (a local bureau only in its province). A repeated
    ``submission_key`` (the same form submitted twice) returns the first save's id and writes nothing.
    ``today`` (China's date by default) bounds the inspection date.
    """
    require(actor, Permission.RECORD_OUTCOME)
    if submission_key is not None:
        saved = _saved_under(engine, submission_key, record.target_id)
        if saved is not None:
            return saved
    try:
        with engine.begin() as connection:
            campaign_id = _campaign_of_target(connection, record.target_id)[0]
            refuse_if_published(connection, campaign_id)
            context = load_context(connection, campaign_id, today=today)
            return insert_outcome(connection, record, context, actor=actor, submission_key=submission_key)
    except IntegrityError as error:
        if submission_key is not None:  # a concurrent double submit won the race
            saved = _saved_under(engine, submission_key, record.target_id)
            if saved is not None:
                return saved
        raise WorkflowError(
            f"outcome for target {record.target_id} rejected: {error.orig}",
            code="outcome_exists",
            target=record.target_id,
        ) from error


def record_outcomes(
    engine: Engine,
    campaign_id: int,
    records: Sequence[OutcomeRecord],
    *,
    actor: Actor,
    source: str,
    today: dt.date | None = None,
) -> list[int]:
    """Store many results of one campaign at once (the grid, an imported file): all or nothing.

    Every record is checked with ``check_batch`` inside the transaction; any problem raises
    ``WorkflowError`` with code ``rows_invalid`` and ``fields["problems"]``: (position, ``Problem``)
    pairs, and nothing is written. One ``outcomes.bulk`` audit entry per draw (``source`` names the
    grid or the file) covers the draw's outcomes. Returns the new outcome ids in ``records`` order.
    """
    require(actor, Permission.RECORD_OUTCOME)
    if not records:
        raise WorkflowError("nothing to record", code="no_rows")
    with engine.begin() as connection:
        refuse_if_published(connection, campaign_id)
        context = load_context(connection, campaign_id, today=today)
        problems = check_batch(
            records, context, recorded=recorded_targets(connection, context), province=actor.province
        )
        if problems:
            raise WorkflowError(
                "; ".join(f"#{index + 1} {problem.message()}" for index, problem in problems[:20]),
                code="rows_invalid",
                problems=tuple(problems),
                count=len(problems),
            )
        ids = store_outcomes(connection, records, actor=actor)
        target = DrawTarget.__table__
        draws = dict(
            connection.execute(
                select(target.c.id, target.c.draw_id).where(target.c.id.in_([r.target_id for r in records]))
            ).all()
        )
        for draw_id in sorted(set(draws.values())):
            written = [oid for oid, r in zip(ids, records, strict=True) if draws[r.target_id] == draw_id]
            append_audit(
                connection,
                actor,
                "outcomes.bulk",
                "campaign",
                campaign_id,
                {
                    "draw_id": int(draw_id),
                    "source": source[-128:],
                    "outcomes": len(written),
                    "outcome_ids": written,
                },
                rows={"draw_outcomes": int(draw_id)},
            )
    return ids


def _saved_under(engine: Engine, submission_key: str, target_id: int) -> int | None:
    outcome = InspectionOutcome.__table__
    with engine.connect() as connection:
        row = connection.execute(
            select(outcome.c.id, outcome.c.target_id).where(outcome.c.submission_key == submission_key)
        ).first()
    if row is None:
        return None
    if int(row.target_id) != target_id:
        raise WorkflowError(
            f"submission {submission_key} saved target {row.target_id}, not {target_id}",
            code="submission_reused",
            target=target_id,
        )
    return int(row.id)


def correct_outcome(
    engine: Engine,
    outcome_id: int,
    record: OutcomeRecord,
    *,
    reason: str,
    actor: Actor,
    today: dt.date | None = None,
) -> int:
    """Replace a stored outcome's values with ``record``, keeping the old ones; return the new revision.

    ``reason`` is required (``reason_required``). The old values (row, findings, item results) go to
    ``OutcomeRevision``; the outcome goes back to review (``pending``); the audit entry holds the
    reason, the old and the new values. Refused once the campaign is published.
    """
    require(actor, Permission.RECORD_OUTCOME)
    reason = reason.strip()
    if not reason:
        raise WorkflowError("a correction needs a reason", code="reason_required", field="reason")
    outcome = InspectionOutcome.__table__
    with engine.begin() as connection:
        stored = connection.execute(
            select(outcome.c.target_id, outcome.c.revision).where(outcome.c.id == outcome_id)
        ).first()
        if stored is None:
            raise WorkflowError(f"outcome {outcome_id} does not exist", code="unknown_outcome")
        if record.target_id != stored.target_id:
            raise WorkflowError(
                f"outcome {outcome_id} is of target {stored.target_id}",
                code="unknown_target",
                target=record.target_id,
            )
        campaign_id, draw_id, region = _campaign_of_target(connection, stored.target_id)
        require(actor, Permission.RECORD_OUTCOME, province=region)
        refuse_if_published(connection, campaign_id)
        problems = check_outcome(record, load_context(connection, campaign_id, today=today))
        if problems:
            raise refuse(problems)
        old = ROW_SETS["outcome"](connection, outcome_id)[0]
        revision = int(stored.revision)
        connection.execute(
            insert(OutcomeRevision.__table__).values(
                outcome_id=outcome_id,
                revision=revision,
                values_json=canonical_json(old),
                reason=reason[:256],
                changed_by=actor.subject,
                changed_by_name=actor.name[:128],
                changed_at=clock.now(),
            )
        )
        connection.execute(
            update(outcome)
            .where(outcome.c.id == outcome_id)
            .values(
                revision=revision + 1,
                review_status="pending",
                reviewed_by=None,
                reviewed_by_name=None,
                reviewed_at=None,
                review_note="",
                **_outcome_values(record),
            )
        )
        _write_children(connection, outcome_id, record)
        _refresh_status(connection, campaign_id)
        append_audit(
            connection,
            actor,
            "outcome.correct",
            "campaign",
            campaign_id,
            {
                "outcome_id": outcome_id,
                "target_id": record.target_id,
                "region": region,
                "reason": reason,
                "revision": revision + 1,
                "old": old["outcome"],
                "new": _audit_values(record),
            },
            rows={"outcome": outcome_id, "draw_outcomes": draw_id, "campaign": campaign_id},
        )
    return revision + 1


def review_outcome(engine: Engine, outcome_id: int, *, decision: str, actor: Actor, note: str = "") -> None:
    """A supervisor approves an outcome or returns it for correction (``note`` says why; required).

    Codes: ``not_in_vocabulary`` (decision), ``return_needs_note``, ``unknown_outcome``,
    ``campaign_published``. The campaign becomes ``completed`` once every target is approved or marked
    not inspected.
    """
    require(actor, Permission.REVIEW_OUTCOME)
    if decision not in REVIEW_DECISIONS:
        raise WorkflowError(
            f"decision '{decision}' is not one of: {', '.join(REVIEW_DECISIONS)}",
            code="not_in_vocabulary",
            field="decision",
            value=decision,
            allowed=", ".join(REVIEW_DECISIONS),
        )
    note = note.strip()
    if decision == "returned" and not note:
        raise WorkflowError(
            "returning an outcome needs a note saying why", code="return_needs_note", field="note"
        )
    outcome = InspectionOutcome.__table__
    with engine.begin() as connection:
        target_id = connection.execute(select(outcome.c.target_id).where(outcome.c.id == outcome_id)).scalar()
        if target_id is None:
            raise WorkflowError(f"outcome {outcome_id} does not exist", code="unknown_outcome")
        campaign_id, draw_id, region = _campaign_of_target(connection, int(target_id))
        refuse_if_published(connection, campaign_id)
        connection.execute(
            update(outcome)
            .where(outcome.c.id == outcome_id)
            .values(
                review_status=decision,
                reviewed_by=actor.subject,
                reviewed_by_name=actor.name[:128],
                reviewed_at=clock.now(),
                review_note=note[:256],
            )
        )
        _refresh_status(connection, campaign_id)
        append_audit(
            connection,
            actor,
            "outcome.review",
            "campaign",
            campaign_id,
            {
                "outcome_id": outcome_id,
                "target_id": int(target_id),
                "region": region,
                "decision": decision,
                "note": note,
            },
            rows={"outcome": outcome_id, "draw_outcomes": draw_id, "campaign": campaign_id},
        )


def approve_pending(engine: Engine, campaign_id: int, *, actor: Actor) -> int:
    """A supervisor approves every outcome of campaign ``campaign_id`` still awaiting review, at once.

    One transaction; one ``outcomes.approve`` audit entry per draw covering the draw's outcomes.
    Returns how many were approved (0: none pending). Codes: ``campaign_published``.
    """
    require(actor, Permission.REVIEW_OUTCOME)
    outcome, target, draw = InspectionOutcome.__table__, DrawTarget.__table__, Draw.__table__
    with engine.begin() as connection:
        refuse_if_published(connection, campaign_id)
        pending = connection.execute(
            select(outcome.c.id, target.c.draw_id)
            .join(target, target.c.id == outcome.c.target_id)
            .join(draw, draw.c.id == target.c.draw_id)
            .where(draw.c.campaign_id == campaign_id, outcome.c.review_status == "pending")
            .order_by(outcome.c.id)
        ).all()
        if not pending:
            return 0
        ids = [int(row.id) for row in pending]
        for lo in range(0, len(ids), 500):
            connection.execute(
                update(outcome)
                .where(outcome.c.id.in_(ids[lo : lo + 500]))
                .values(
                    review_status="approved",
                    reviewed_by=actor.subject,
                    reviewed_by_name=actor.name[:128],
                    reviewed_at=clock.now(),
                    review_note="",
                )
            )
        _refresh_status(connection, campaign_id)
        for draw_id in sorted({int(row.draw_id) for row in pending}):
            approved = [int(row.id) for row in pending if row.draw_id == draw_id]
            append_audit(
                connection,
                actor,
                "outcomes.approve",
                "campaign",
                campaign_id,
                {"draw_id": draw_id, "outcomes": len(approved), "outcome_ids": approved},
                rows={"draw_outcomes": draw_id, "campaign": campaign_id},
            )
    return len(ids)


@dataclass(frozen=True)
class Completeness:
    """How far a campaign's results are from publication: counts of targets by state."""

    targets: int
    missing: int  # no outcome yet
    pending: int  # recorded, not reviewed
    returned: int  # returned by the reviewer for correction
    formed_on: dt.date | None  # the last inspection date so far: the day the results were formed

    @property
    def complete(self) -> bool:
        """Every target approved or marked not inspected (and there is at least one)."""
        return self.targets > 0 and not (self.missing or self.pending or self.returned)

    def reasons(self) -> list[tuple[str, int]]:
        """Why it is not complete: ``[(code, count)]`` with codes ``no_targets``, ``missing``,
        ``pending``, ``returned``; empty when complete."""
        if not self.targets:
            return [("no_targets", 0)]
        return [
            (code, n)
            for code, n in (("missing", self.missing), ("pending", self.pending), ("returned", self.returned))
            if n
        ]


def completeness(connection: Connection, campaign_id: int) -> Completeness:
    """Count the campaign's targets without an outcome, awaiting review and returned."""
    target, draw, outcome = DrawTarget.__table__, Draw.__table__, InspectionOutcome.__table__
    reviewed = outcome.c.outcome_code == "not_inspected"

    def counted(status: str):
        return func.coalesce(func.sum(case((outcome.c.review_status == status, 1), else_=0)), 0)

    pending = func.coalesce(
        func.sum(case(((outcome.c.review_status == "pending") & ~reviewed, 1), else_=0)), 0
    )
    targets, missing, waiting, returned, formed = connection.execute(
        select(
            func.count(target.c.id),
            func.count(target.c.id) - func.count(outcome.c.id),
            pending,
            counted("returned"),
            func.max(outcome.c.inspected_on),
        )
        .select_from(target.join(draw, draw.c.id == target.c.draw_id))
        .outerjoin(outcome, outcome.c.target_id == target.c.id)
        .where(draw.c.campaign_id == campaign_id)
    ).one()
    if isinstance(formed, str):  # SQLite hands back MAX(date) as text
        formed = dt.date.fromisoformat(formed)
    return Completeness(int(targets), int(missing), int(waiting), int(returned), formed)


def _refresh_status(connection: Connection, campaign_id: int) -> None:
    """``completed`` when every result is in and reviewed, back to ``assigned`` when it no longer is."""
    campaign = Campaign.__table__
    status = connection.execute(select(campaign.c.status).where(campaign.c.id == campaign_id)).scalar_one()
    if status not in ("assigned", "completed"):
        return
    wanted = "completed" if completeness(connection, campaign_id).complete else "assigned"
    if wanted != status:
        connection.execute(update(campaign).where(campaign.c.id == campaign_id).values(status=wanted))


def publish_campaign(
    engine: Engine,
    campaign_id: int,
    *,
    on: dt.date,
    actor: Actor,
    within_working_days: int = PUBLICATION_WORKING_DAYS,
    today: dt.date | None = None,
) -> Deadline:
    """Publish campaign ``campaign_id`` on ``on``; return its deadline.

    ``on`` may not lie after ``today`` (China's date by the store's clock, `models.clock`, by default):
    ``WorkflowError`` code ``publication_in_future``; nor before the day the results were formed:
    code ``publication_before_results`` (fields ``on``, ``formed_on``). Nothing is written then.

    Every target must be approved or marked not inspected, else ``WorkflowError`` with code
    ``campaign_incomplete`` and ``fields["reasons"]`` (``Completeness.reasons``). The deadline counts
    ``within_working_days`` Chinese working days from the day the results were formed (the last
    inspection date); it is stored with whether it is provisional (a year the holiday calendar does
    not cover) and whether the publication is late. ``actor`` must be allowed to publish.
    """
    require(actor, Permission.PUBLISH)
    today = today or clock.now().astimezone(CHINA).date()
    if on > today:
        raise WorkflowError(
            f"the publication date {on.isoformat()} is after today in China ({today.isoformat()})",
            code="publication_in_future",
            on=on.isoformat(),
            today=today.isoformat(),
        )
    with engine.begin() as connection:
        refuse_if_published(connection, campaign_id)
        state = completeness(connection, campaign_id)
        if state.formed_on is not None and on < state.formed_on:
            raise WorkflowError(
                f"the publication date {on.isoformat()} is before the results were formed "
                f"({state.formed_on.isoformat()}, the last inspection)",
                code="publication_before_results",
                on=on.isoformat(),
                formed_on=state.formed_on.isoformat(),
            )
        if not state.complete:
            reasons = state.reasons()
            text = ", ".join(f"{n} {code}" if n else code for code, n in reasons)
            raise WorkflowError(
                f"campaign {campaign_id} cannot be published yet: {text}",
                code="campaign_incomplete",
                reasons=tuple(reasons),
                missing=state.missing,
                pending=state.pending,
                returned=state.returned,
            )
        deadline = add_working_days(state.formed_on, within_working_days)
        late = on > deadline.due_on
        connection.execute(
            update(Campaign.__table__)
            .where(Campaign.__table__.c.id == campaign_id)
            .values(
                status="published",
                published_on=on,
                publish_deadline=deadline.due_on,
                deadline_provisional=deadline.provisional,
                published_late=late,
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
            {
                "published_on": on.isoformat(),
                "deadline": deadline.due_on.isoformat(),
                "deadline_provisional": deadline.provisional,
                "uncovered_years": list(deadline.uncovered_years),
                "late": late,
                "targets": state.targets,
            },
            rows={"campaign": int(campaign_id)},
        )
    return deadline
