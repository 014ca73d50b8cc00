"""The live workflow's draw writes: commit a draw with its teams (results: ``models.results``).

Each function takes the acting user (``actor``), refuses a role that may not do it
(``models.access.AccessDenied``), and is one transaction: it writes everything or nothing,
including its entry in the audit log, and bad input raises ``WorkflowError`` with a message that
names what is wrong.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import unicodedata
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import Connection, Engine, func, insert, select
from sqlalchemy.exc import IntegrityError

from models import clock
from models.access import Actor, Permission, require
from models.audit import append_audit
from models.campaigns import CAMPAIGN_NAME_MAX, SEED_MAX, Assignment, Campaign, Draw, DrawTarget
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


def normal_campaign_name(text: str) -> str:
    """A campaign name as stored and looked up: NFKC (full-width letters and digits, compatibility
    characters such as ㍿ spelled out), runs of whitespace made one space, ends trimmed."""
    return " ".join(unicodedata.normalize("NFKC", str(text)).split())


def clean_campaign_name(text: str) -> str:
    """`normal_campaign_name` of ``text``, checked against the column.

    Raises ``WorkflowError`` (code ``name_invalid``, field ``limit``) when nothing is left or it is
    longer than ``CAMPAIGN_NAME_MAX`` characters (counted after normalisation, which can lengthen a
    name), before anything is written: PostgreSQL would refuse the row with a database error.
    """
    name = normal_campaign_name(text)
    if not name or len(name) > CAMPAIGN_NAME_MAX:
        raise WorkflowError(
            f"the campaign name must be 1 to {CAMPAIGN_NAME_MAX} characters",
            code="name_invalid",
            limit=CAMPAIGN_NAME_MAX,
        )
    return name


def check_record(record: DrawRecord) -> None:
    """Refuse a record whose values the store cannot hold: the campaign name (``name_invalid``), a
    seed outside 0..``SEED_MAX`` (``seed_invalid``), a year outside 1..9999 (``year_invalid``)."""
    clean_campaign_name(record.campaign_name)
    seed = record.seed
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= SEED_MAX:
        raise WorkflowError(
            f"the seed must be a whole number from 0 to {SEED_MAX}, got {seed!r}",
            code="seed_invalid",
            maximum=SEED_MAX,
        )
    year = record.year
    if isinstance(year, bool) or not isinstance(year, int) or not 1 <= year <= 9999:
        raise WorkflowError(f"the year must be from 1 to 9999, got {year!r}", code="year_invalid")


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
    check_record(record)
    record = dataclasses.replace(record, campaign_name=clean_campaign_name(record.campaign_name))
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

    Raises ``WorkflowError`` (see `check_record`) before writing a value the store cannot hold.
    """
    check_record(record)
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
    target_ids = _insert_targets(connection, draw_id, targets, unit_type=record.unit_type)
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


def _insert_targets(connection, draw_id: int, targets: pd.DataFrame, *, unit_type: str) -> dict[int, int]:
    """Write the targets; {unit id: target id}. A unit is a certificate, or (``unit_type``
    ``"institution"``) an institution: ``certificate_id`` NULL, ``institution_id`` the unit."""
    by_institution = unit_type == "institution"
    rows = [
        dict(
            draw_id=draw_id,
            certificate_id=None if by_institution else int(row.unit_id),
            institution_id=int(row.unit_id if by_institution else row.institution_id),
            region_code=str(row.region),
            scheme_code=str(row.scheme),
            inclusion_probability=float(row.inclusion_probability),
        )
        for row in targets.itertuples(index=False)
    ]
    connection.execute(insert(DrawTarget.__table__), rows)
    table = DrawTarget.__table__
    unit = table.c.institution_id if by_institution else table.c.certificate_id
    return dict(connection.execute(select(unit, table.c.id).where(table.c.draw_id == draw_id)).all())
