"""Campaigns as the planner follows them: progress, the draw's audit record and the targets to inspect."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
from sqlalchemy import Engine, and_, case, func, select

from models.access import Actor, Role, sees_personal_data
from models.audit import audit_trail, canonical_json
from models.campaigns import Assignment, Campaign, Draw, DrawTarget, InspectionOutcome
from models.certificates import Certificate, Organisation
from models.inspectors import Inspector
from models.institutions import Institution
from models.outcome_entry import china_today
from models.queries.roles import mask_identifier
from models.workdays import PUBLICATION_WORKING_DAYS, add_working_days

CAMPAIGN_COLUMNS = [
    "id",
    "year",
    "name",
    "scheme_code",
    "status",
    "targets",
    "outcomes",
    "violations",
    "publish_deadline",
    "published_on",
    "deadline_provisional",
    "published_late",
    "unit_type",
]
# Computed by ``campaign_list`` after the stored columns: the deadline that applies now.
DUE_COLUMNS = ["due_on", "due_provisional", "due_state"]
DUE_SOON_WORKING_DAYS = 5  # "due soon": the deadline is at most this many working days away
TARGET_COLUMNS = [
    "target_id",
    "certificate_number",
    "organisation",
    "institution",
    "region_code",
    "scheme_code",
    "inspectors",
    "outcome_code",
    "inspected_on",
]


def campaign_list(engine: Engine, *, viewer: Actor, today: dt.date | None = None) -> pd.DataFrame:
    """Every campaign with drawn targets, outcomes recorded and violations; newest first.

    Columns ``CAMPAIGN_COLUMNS`` then ``DUE_COLUMNS``: ``due_on`` is the stored deadline of a
    published campaign, else the deadline the results recorded so far give (``PUBLICATION_WORKING_DAYS``
    from the latest inspection date; None before the first result); ``due_provisional`` says it was
    counted over a year the holiday calendar does not cover; ``due_state`` is ``late`` (published after
    it), ``overdue`` (not published and past it), ``due_soon`` (within ``DUE_SOON_WORKING_DAYS``
    working days of ``today``, China's date by default) or ``""``.
    The public sees published campaigns only; a local bureau sees every campaign, with the counts of
    its own province's targets.
    """
    role = viewer.role
    campaign, draw, target, outcome = (
        Campaign.__table__,
        Draw.__table__,
        DrawTarget.__table__,
        InspectionOutcome.__table__,
    )
    violation = case((outcome.c.outcome_code == "violation", 1), else_=0)
    query = (
        select(
            campaign.c.id,
            campaign.c.year,
            campaign.c.name,
            campaign.c.scheme_code,
            campaign.c.status,
            func.count(target.c.id),
            func.count(outcome.c.id),
            func.coalesce(func.sum(violation), 0),
            campaign.c.publish_deadline,
            campaign.c.published_on,
            campaign.c.deadline_provisional,
            campaign.c.published_late,
            campaign.c.unit_type,
        )
        .select_from(campaign)
        .outerjoin(draw, draw.c.campaign_id == campaign.c.id)
        .outerjoin(target, and_(*_target_scope(target, draw, viewer)))
        .outerjoin(outcome, outcome.c.target_id == target.c.id)
        .group_by(campaign.c.id)
        .order_by(campaign.c.year.desc(), campaign.c.id.desc())
    )
    if role is Role.PUBLIC:
        query = query.where(campaign.c.status == "published")
    formed_query = (
        select(draw.c.campaign_id, func.max(outcome.c.inspected_on))
        .join(target, target.c.draw_id == draw.c.id)
        .join(outcome, outcome.c.target_id == target.c.id)
        .group_by(draw.c.campaign_id)
    )
    with engine.connect() as connection:
        rows = connection.execute(query).all()
        formed = dict(connection.execute(formed_query).all())
    frame = pd.DataFrame(rows, columns=CAMPAIGN_COLUMNS)
    for column in ("targets", "outcomes", "violations"):
        frame[column] = frame[column].astype("int64")
    due = [
        _due(row, formed.get(row.id), today or china_today())
        for row in frame[
            ["id", "status", "publish_deadline", "deadline_provisional", "published_late"]
        ].itertuples()
    ]
    return frame.join(pd.DataFrame(due, columns=DUE_COLUMNS, index=frame.index))


def _due(row, formed_on, today: dt.date) -> tuple[dt.date | None, bool, str]:
    """(due date, provisional, state) of one campaign row; see ``campaign_list``."""
    if row.status == "published":
        state = "late" if row.published_late else ""
        return _as_date(row.publish_deadline), bool(row.deadline_provisional), state
    if formed_on is None:
        return None, False, ""
    deadline = add_working_days(_as_date(formed_on), PUBLICATION_WORKING_DAYS)
    if today > deadline.due_on:
        state = "overdue"
    elif add_working_days(today, DUE_SOON_WORKING_DAYS).due_on >= deadline.due_on:
        state = "due_soon"
    else:
        state = ""
    return deadline.due_on, deadline.provisional, state


def _as_date(value) -> dt.date | None:
    if value is None or (not isinstance(value, str | dt.date) and pd.isna(value)):
        return None
    if isinstance(value, str):
        return dt.date.fromisoformat(value)
    return value.date() if isinstance(value, dt.datetime) else value


def _target_scope(target, draw, viewer: Actor) -> list:
    """Join conditions of a campaign's targets as ``viewer`` may count them."""
    conditions = [target.c.draw_id == draw.c.id]
    if viewer.scope_province:
        conditions.append(target.c.region_code == viewer.scope_province)
    return conditions


def _published(campaign_id: int):
    campaign = Campaign.__table__
    return select(campaign.c.id).where(campaign.c.id == campaign_id, campaign.c.status == "published")


def draw_audit_record(engine: Engine, campaign_id: int, *, role: Role) -> dict | None:
    """What was recorded of the campaign's lottery: seed, frame hash, parameters, who and when.

    Keys: draw_id, seed, frame_hash, params, drawn_at, drawn_by (the sign-in subject; the name for
    the public), drawn_by_name, drawn_by_role, sampler_version. The public sees the record of
    published campaigns only (None otherwise).
    """
    draw = Draw.__table__
    query = (
        select(
            draw.c.id,
            draw.c.seed,
            draw.c.frame_hash,
            draw.c.params_json,
            draw.c.drawn_at,
            draw.c.drawn_by,
            draw.c.drawn_by_name,
            draw.c.drawn_by_role,
            draw.c.sampler_version,
        )
        .where(draw.c.campaign_id == campaign_id)
        .order_by(draw.c.id)
        .limit(1)
    )
    if role is Role.PUBLIC:
        query = query.where(draw.c.campaign_id.in_(_published(campaign_id)))
    with engine.connect() as connection:
        row = connection.execute(query).first()
    if row is None:
        return None
    draw_id, seed, frame_hash, params_json, drawn_at, drawn_by, drawn_by_name, drawn_by_role, version = row
    if role is Role.PUBLIC:  # the public sees who drew by name and role, not by sign-in identity
        drawn_by = drawn_by_name
    return {
        "draw_id": draw_id,
        "seed": seed,
        "frame_hash": frame_hash,
        "params": json.loads(params_json),
        "drawn_at": drawn_at,
        "drawn_by": drawn_by,
        "drawn_by_name": drawn_by_name,
        "drawn_by_role": drawn_by_role,
        "sampler_version": version,
    }


def campaign_targets(engine: Engine, campaign_id: int, *, viewer: Actor) -> pd.DataFrame:
    """The campaign's targets with certificate, organisation, institution, team and outcome so far.

    Team members show as ``name (enforcement ID)`` with the ID masked unless ``viewer`` may see it.
    The public sees the targets of published campaigns only (an empty table otherwise) and no team
    (``inspectors`` empty); a local bureau sees the targets of its own province only.
    """
    role = viewer.role
    target, draw, outcome = DrawTarget.__table__, Draw.__table__, InspectionOutcome.__table__
    cert, org, inst = Certificate.__table__, Organisation.__table__, Institution.__table__
    query = (
        select(
            target.c.id,
            cert.c.number,
            org.c.name,
            inst.c.name,
            target.c.region_code,
            target.c.scheme_code,
            outcome.c.outcome_code,
            outcome.c.inspected_on,
        )
        .join(draw, draw.c.id == target.c.draw_id)
        .join(inst, inst.c.id == target.c.institution_id)
        .outerjoin(cert, cert.c.id == target.c.certificate_id)
        .outerjoin(org, org.c.id == cert.c.organisation_id)
        .outerjoin(outcome, outcome.c.target_id == target.c.id)
        .where(draw.c.campaign_id == campaign_id)
        .order_by(target.c.region_code, target.c.id)
    )
    if role is Role.PUBLIC:
        query = query.where(draw.c.campaign_id.in_(_published(campaign_id)))
    if viewer.scope_province:
        query = query.where(target.c.region_code == viewer.scope_province)
    insp, assign = Inspector.__table__, Assignment.__table__
    team_query = (
        select(assign.c.target_id, insp.c.name, insp.c.enforcement_id)
        .join(insp, insp.c.id == assign.c.inspector_id)
        .join(target, target.c.id == assign.c.target_id)
        .join(draw, draw.c.id == target.c.draw_id)
        .where(draw.c.campaign_id == campaign_id)
        .order_by(assign.c.target_id, assign.c.role, insp.c.name)
    )
    with engine.connect() as connection:
        rows = connection.execute(query).all()
        # the public sees who was inspected and what was found, not who inspected (personal data)
        members = [] if role is Role.PUBLIC else connection.execute(team_query).all()
    show_id = (lambda value: value) if sees_personal_data(role) else mask_identifier
    teams: dict[int, list[str]] = {}
    for target_id, name, enforcement_id in members:
        teams.setdefault(target_id, []).append(f"{name} ({show_id(enforcement_id)})")
    base = [c for c in TARGET_COLUMNS if c not in ("inspectors", "outcome_code", "inspected_on")]
    frame = pd.DataFrame(rows, columns=[*base, "outcome_code", "inspected_on"])
    frame["inspectors"] = ["; ".join(teams.get(int(t), [])) for t in frame["target_id"]]
    return frame[TARGET_COLUMNS]


AUDIT_COLUMNS = ["recorded_at", "actor_name", "actor_role", "action", "details", "entry_hash"]


# What the public sees of each audited action: the lottery in full (it is what they check), of an
# outcome only what the 公示 itself shows — never notes, which may hold personal data.
PUBLIC_DETAILS: dict[str, tuple[str, ...] | None] = {
    "draw.open": None,  # None: every detail
    "draw.attempt": None,
    "draw.commit": None,
    "campaign.publish": None,
    "outcome.record": ("target_id", "inspected_on", "method", "outcome_code", "findings"),
    "outcome.review": ("target_id", "decision"),  # not the note: it may name people
    "outcome.correct": ("target_id", "revision"),  # that a result changed; not the reason or values
    "outcomes.bulk": ("outcomes",),  # how many; the results themselves are in the 公示
}
# Actions whose actor the public sees by name (officials acting for the regulator); others by role.
PUBLIC_NAMED_ACTIONS = frozenset({"draw.open", "draw.attempt", "draw.commit", "campaign.publish"})


def campaign_audit_trail(engine: Engine, campaign_id: int, *, viewer: Actor) -> pd.DataFrame:
    """Every audit-log entry about the campaign (draw, attempts, outcomes, publication), oldest first.

    Columns ``AUDIT_COLUMNS``; ``details`` is the entry's JSON text. The public sees the trail of
    published campaigns only (an empty table otherwise), with outcome entries cut to the published
    fields (``PUBLIC_DETAILS``) and recorders by role only; a local bureau sees the outcome entries of
    its own province only.
    """
    role = viewer.role
    if role is Role.PUBLIC:
        with engine.connect() as connection:
            if connection.execute(_published(campaign_id)).first() is None:
                return pd.DataFrame(columns=AUDIT_COLUMNS)
    rows = []
    for entry in audit_trail(engine, entity="campaign", entity_id=campaign_id):
        details = json.loads(entry["details_json"])
        details.pop("rows", None)  # row hashes: for `audit verify`, not for reading
        region = details.get("region")
        if viewer.scope_province and region is not None and region != viewer.scope_province:
            continue
        name = entry["actor_name"]
        if role is Role.PUBLIC:
            if entry["action"] not in PUBLIC_DETAILS:
                continue
            shown = PUBLIC_DETAILS[entry["action"]]
            if shown is not None:
                details = {key: details[key] for key in shown if key in details}
            if entry["action"] not in PUBLIC_NAMED_ACTIONS:
                name = ""
        rows.append(
            {
                "recorded_at": entry["recorded_at"],
                "actor_name": name,
                "actor_role": entry["actor_role"],
                "action": entry["action"],
                "details": canonical_json(details),
                "entry_hash": entry["entry_hash"],
            }
        )
    return pd.DataFrame(rows, columns=AUDIT_COLUMNS)
