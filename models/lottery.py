"""The live lottery: a draw is opened before anything is drawn, every attempt is logged, and only the
latest attempt's exact result can be committed.

Why (双随机一公开 stands or falls on trust in the lottery): a planner must not be able to draw, look at
the targets, and draw again until the result pleases. So:

1. **Open** (`open_draw`): the population is frozen (名单固化: the frame and the inspector pool are
   stored content-addressed, `models.frozen`), the system picks a secret random nonce and stores its
   commitment ``sha256("regdash-commit|" + nonce)`` with the frozen frame's hash. Both are shown
   (and written to the audit log) before anything is drawn. The draw's seed is
   ``seed_of(nonce)`` = the first 52 bits of ``sha256("regdash-seed|" + nonce)``: nobody chooses it,
   and the same plan on the same frame always gives the same targets.
2. **Attempt** (`record_attempt`): every preview is logged with who, when, its inputs (quotas, date,
   team rules), and a hash of its result. A second attempt with different inputs needs a written
   reason; every attempt appears in the campaign's audit trail, which the public sees once the
   results are published. Changing the plan to change the targets is possible, but never invisible.
3. **Commit** (`commit_attempt`): only the session's latest attempt, and only if the targets and teams
   handed in hash to what that attempt recorded (a stale preview cannot be committed), exactly once
   (a conditional update decides between two clicks or two processes). The record reveals the nonce,
   so anyone can check ``commitment == sha256("regdash-commit|" + nonce)`` and the seed.

Every preview and the commit draw from the session's frozen frame and pool (`session_population`), so a
later change to certificates or inspectors changes nothing in an open draw. One draw session per
campaign; opening another (e.g. to draw from a newer population) needs a reason and is logged, and the
earlier session's commitment stays on record.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import CheckConstraint, Connection, Engine, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, SQLModel

from models import clock
from models.access import Actor, Permission, require
from models.audit import append_audit, canonical_json
from models.campaigns import Campaign
from models.draw_records import (
    DrawRecord,
    WorkflowError,
    campaign_exists_error,
    check_draw,
    clean_campaign_name,
    normal_campaign_name,
    write_draw,
)
from models.frames import with_last_drawn
from models.frozen import freeze, load_frozen
from sampler.errors import SamplerError

SESSION_STATUSES = ("open", "committed", "superseded")
REASON_MAX = 256


class DrawSession(SQLModel, table=True):
    """An opened draw: the campaign, the commitment to a secret nonce, the frozen frame and pool."""

    __table_args__ = (
        CheckConstraint("status IN ('open', 'committed', 'superseded')", name="ck_drawsession_status"),
    )

    id: int = Field(primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    opened_at: dt.datetime
    opened_by: str = Field(max_length=255)
    opened_by_name: str = Field(max_length=128)
    nonce: str = Field(max_length=64)  # revealed in the draw record once committed
    commitment: str = Field(max_length=64)
    frame_hash: str = Field(max_length=64)  # the frozen frame (models.frozen), or only its hash before 0005
    pool_hash: str | None = Field(default=None, max_length=64)  # the frozen inspector pool (None before 0005)
    status: str = Field(max_length=10)
    reason: str = Field(default="", max_length=REASON_MAX)  # why a further session was opened


class DrawAttempt(SQLModel, table=True):
    """One preview drawn in a session: inputs, the seed, a hash of the result, and why."""

    id: int = Field(primary_key=True)
    session_id: int = Field(foreign_key="drawsession.id", index=True)
    attempted_at: dt.datetime
    attempted_by: str = Field(max_length=255)
    attempted_by_name: str = Field(max_length=128)
    inputs_json: str
    inputs_hash: str = Field(max_length=64)
    result_hash: str = Field(max_length=64)
    reason: str = Field(default="", max_length=REASON_MAX)


def commitment_of(nonce: str) -> str:
    """The published commitment to ``nonce`` (hex SHA-256, domain-separated from the seed)."""
    return hashlib.sha256(f"regdash-commit|{nonce}".encode()).hexdigest()


def seed_of(nonce: str) -> int:
    """The draw's seed: the first 52 bits of ``sha256("regdash-seed|" + nonce)`` (fits any integer column)."""
    return int(hashlib.sha256(f"regdash-seed|{nonce}".encode()).hexdigest()[:13], 16)


def reveal_differences(record: dict[str, Any]) -> list[str]:
    """Check a record's revealed nonce: it must match the commitment and give the record's seed.

    Returns one line per difference (empty when the record has no ``lottery`` section or both hold).
    """
    lottery = record.get("lottery")
    if not isinstance(lottery, dict) or not isinstance(lottery.get("nonce"), str):
        return []
    nonce = lottery["nonce"]
    found = []
    if commitment_of(nonce) != lottery.get("commitment"):
        found.append(
            f"lottery.commitment: sha256('regdash-commit|' + nonce) is {commitment_of(nonce)}, "
            f"the record says {lottery.get('commitment')}"
        )
    if seed_of(nonce) != record.get("seed"):
        found.append(f"seed: the revealed nonce gives {seed_of(nonce)}, the record says {record.get('seed')}")
    return found


def inputs_hash(inputs: dict[str, Any]) -> str:
    """The hash binding a preview to its inputs (canonical JSON)."""
    return hashlib.sha256(canonical_json(inputs).encode()).hexdigest()


def result_hash(targets: pd.DataFrame, assignments: pd.DataFrame) -> str:
    """The hash of a draw's result: the targets' unit ids and probabilities and every team slot."""
    units = [
        [str(u), repr(float(p))]
        for u, p in zip(targets["unit_id"], targets["inclusion_probability"], strict=True)
    ]
    teams = sorted(
        [str(u), str(i), str(r)]
        for u, i, r in zip(
            assignments["unit_id"], assignments["inspector_id"], assignments["role"], strict=True
        )
    )
    return hashlib.sha256(canonical_json({"units": sorted(units), "teams": teams}).encode()).hexdigest()


@dataclass(frozen=True)
class SessionView:
    """What a planner sees of an opened draw (never the nonce while it is open)."""

    id: int
    campaign_id: int
    campaign_name: str
    year: int
    scheme: str | None  # the campaign's scheme (None: any)
    status: str
    commitment: str
    frame_hash: str
    pool_hash: str | None
    opened_at: dt.datetime
    opened_by_name: str
    attempts: int
    latest_attempt: int | None
    latest_inputs_hash: str | None


def _now() -> dt.datetime:
    return clock.now()


def _clean_reason(reason: str | None) -> str:
    text = " ".join((reason or "").split())
    if len(text) > REASON_MAX:
        raise WorkflowError(f"the reason is longer than {REASON_MAX} characters", code="reason_too_long")
    return text


def _view(connection: Connection, session_id: int) -> SessionView:
    s, c, a = DrawSession.__table__, Campaign.__table__, DrawAttempt.__table__
    row = (
        connection.execute(
            select(s, c.c.name, c.c.year, c.c.scheme_code)
            .join(c, c.c.id == s.c.campaign_id)
            .where(s.c.id == session_id)
        )
        .mappings()
        .one()
    )
    latest = connection.execute(
        select(a.c.id, a.c.inputs_hash).where(a.c.session_id == session_id).order_by(a.c.id.desc()).limit(1)
    ).first()
    count = connection.execute(
        select(func.count()).select_from(a).where(a.c.session_id == session_id)
    ).scalar_one()
    return SessionView(
        id=row["id"],
        campaign_id=row["campaign_id"],
        campaign_name=row["name"],
        year=row["year"],
        scheme=row["scheme_code"],
        status=row["status"],
        commitment=row["commitment"],
        frame_hash=row["frame_hash"],
        pool_hash=row["pool_hash"],
        opened_at=row["opened_at"],
        opened_by_name=row["opened_by_name"],
        attempts=int(count),
        latest_attempt=latest[0] if latest else None,
        latest_inputs_hash=latest[1] if latest else None,
    )


def session_view(engine: Engine, session_id: int) -> SessionView:
    """The session ``session_id`` as a planner sees it (``WorkflowError`` ``session_missing`` if none)."""
    s = DrawSession.__table__
    with engine.connect() as connection:
        if connection.execute(select(s.c.id).where(s.c.id == session_id)).first() is None:
            raise WorkflowError(f"draw session {session_id} does not exist", code="session_missing")
        return _view(connection, session_id)


def find_session(engine: Engine, *, campaign_name: str, year: int) -> SessionView | None:
    """The newest draw session of the campaign named ``campaign_name`` (as `open_draw` stores it:
    `normal_campaign_name`) in ``year``, if any."""
    campaign_name = normal_campaign_name(campaign_name)
    s, c = DrawSession.__table__, Campaign.__table__
    with engine.connect() as connection:
        session_id = connection.execute(
            select(s.c.id)
            .join(c, c.c.id == s.c.campaign_id)
            .where(c.c.name == campaign_name, c.c.year == year)
            .order_by(s.c.id.desc())
            .limit(1)
        ).scalar()
        return None if session_id is None else _view(connection, session_id)


def open_draw(
    engine: Engine,
    *,
    campaign_name: str,
    year: int,
    scheme: str | None,
    frame: pd.DataFrame,
    pool: pd.DataFrame,
    actor: Actor,
    reason: str = "",
) -> SessionView:
    """Open the draw of a campaign: create it as planned (or take the planned one), fix the nonce,
    freeze the population.

    ``frame`` (certificate units, e.g. `models.frames.load_certificate_frame`; institution units,
    ``unit_id`` the institution id, for a campaign planned with ``unit_type`` ``"institution"``) and ``pool``
    (inspectors, `models.frames.load_inspector_pool`) are frozen in the same transaction
    (`models.frozen.freeze`); the frozen frame gains column `models.frames.LAST_DRAWN` (each unit's
    latest draw date as of now), so its hash is not the hash of ``frame``. The session keeps the frozen
    hashes (``frame_hash``, ``pool_hash``) and every preview and the commit draw from them
    (`session_population`), whatever changes in the store later.

    A frame or pool the sampler cannot take (a column missing, no rows ...) is refused
    (``population_invalid``). A campaign that is already drawn or published cannot be opened again
    (``campaign_exists``). A
    campaign with a session already open or superseded needs a ``reason`` to open another
    (``reason_required``); the earlier one is marked superseded, and both stay on record.
    """
    require(actor, Permission.DRAW)
    name = clean_campaign_name(campaign_name)
    reason = _clean_reason(reason)
    c, s = Campaign.__table__, DrawSession.__table__
    try:
        with engine.begin() as connection:
            campaign = connection.execute(
                select(c.c.id, c.c.status, c.c.scheme_code, c.c.unit_type).where(
                    c.c.year == year, c.c.name == name
                )
            ).first()
            if campaign is None:
                campaign_id = connection.execute(
                    insert(c).values(
                        year=year,
                        name=name,
                        legal_basis="《认证认可条例》; 国办发〔2015〕58号",
                        unit_type="certificate",
                        scheme_code=scheme,
                        status="planned",
                    )
                ).inserted_primary_key[0]
            elif campaign.status != "planned":
                raise campaign_exists_error(name, year)
            elif campaign.scheme_code not in (None, scheme):
                raise WorkflowError(
                    f"campaign '{name}' is planned for scheme {campaign.scheme_code}, not {scheme}",
                    code="scheme_mismatch",
                    name=name,
                    planned=campaign.scheme_code,
                    scheme=scheme,
                )
            else:
                campaign_id = campaign.id
            earlier = connection.execute(
                select(func.count()).select_from(s).where(s.c.campaign_id == campaign_id)
            ).scalar_one()
            if earlier and not reason:
                raise WorkflowError(
                    "this campaign's draw was opened before: say why it is opened again",
                    code="reason_required",
                )
            connection.execute(
                update(s)
                .where(s.c.campaign_id == campaign_id, s.c.status == "open")
                .values(status="superseded")
            )
            try:
                unit_type = campaign.unit_type if campaign is not None else "certificate"
                frame_hash = freeze(
                    connection, "frame", with_last_drawn(connection, frame, unit_type=unit_type)
                )
                pool_hash = freeze(connection, "pool", pool)
            except SamplerError as error:  # not a frame or not a pool (a column missing, empty ...)
                raise WorkflowError(
                    f"the population cannot be frozen: {error}", code="population_invalid", detail=str(error)
                ) from error
            nonce = clock.token_hex(32)
            session_id = connection.execute(
                insert(s).values(
                    campaign_id=campaign_id,
                    opened_at=_now(),
                    opened_by=actor.subject,
                    opened_by_name=actor.name[:128],
                    nonce=nonce,
                    commitment=commitment_of(nonce),
                    frame_hash=frame_hash,
                    pool_hash=pool_hash,
                    status="open",
                    reason=reason,
                )
            ).inserted_primary_key[0]
            append_audit(
                connection,
                actor,
                "draw.open",
                "campaign",
                campaign_id,
                {
                    "session_id": int(session_id),
                    "commitment": commitment_of(nonce),
                    "frame_hash": frame_hash,
                    "pool_hash": pool_hash,
                    "frame_rows": len(frame),
                    "pool_rows": len(pool),
                    "reason": reason,
                },
                rows={"frozen_frame": frame_hash, "frozen_pool": pool_hash},
            )
            return _view(connection, int(session_id))
    except IntegrityError as error:
        raise WorkflowError(f"the draw could not be opened: {error.orig}") from error


def session_population(engine: Engine, session_id: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(frame, pool) frozen when the session was opened, exactly as frozen.

    Raises ``WorkflowError``: ``session_missing``; ``frozen_missing`` for a session opened before
    populations were frozen (it must be opened again).
    """
    s = DrawSession.__table__
    with engine.connect() as connection:
        row = connection.execute(select(s.c.frame_hash, s.c.pool_hash).where(s.c.id == session_id)).first()
        if row is None:
            raise WorkflowError(f"draw session {session_id} does not exist", code="session_missing")
        if row.pool_hash is None:
            raise WorkflowError(
                "this draw was opened before populations were frozen: open it again with a reason",
                code="frozen_missing",
                hash=row.frame_hash,
            )
        return (
            load_frozen(connection, row.frame_hash, kind="frame"),
            load_frozen(connection, row.pool_hash, kind="pool"),
        )


def session_seed(engine: Engine, session_id: int, *, actor: Actor) -> int:
    """The seed of an open session, for drawing a preview (the nonce itself stays in the store)."""
    require(actor, Permission.DRAW)
    s = DrawSession.__table__
    with engine.connect() as connection:
        row = connection.execute(select(s.c.nonce, s.c.status).where(s.c.id == session_id)).first()
    if row is None:
        raise WorkflowError(f"draw session {session_id} does not exist", code="session_missing")
    if row.status != "open":
        raise WorkflowError("this draw is no longer open", code="session_closed", status=row.status)
    return seed_of(row.nonce)


def record_attempt(
    engine: Engine,
    session_id: int,
    *,
    inputs: dict[str, Any],
    frame_hash: str,
    targets: pd.DataFrame,
    assignments: pd.DataFrame,
    actor: Actor,
    reason: str = "",
) -> int:
    """Log a preview; return its attempt id.

    The frame must be the one the session was opened on (``frame_changed``). An attempt after the
    first needs a ``reason`` (``reason_required``) unless its inputs equal the latest attempt's, in
    which case the latest attempt's id is returned and nothing new is logged (the same inputs give
    the same result).
    """
    require(actor, Permission.DRAW)
    reason = _clean_reason(reason)
    digest = inputs_hash(inputs)
    s, a = DrawSession.__table__, DrawAttempt.__table__
    with engine.begin() as connection:
        session = connection.execute(select(s).where(s.c.id == session_id)).mappings().first()
        if session is None or session["status"] != "open":
            raise WorkflowError("this draw is no longer open", code="session_closed")
        if session["frame_hash"] != frame_hash:
            raise WorkflowError(
                "the population changed since the draw was opened; open it again with a reason",
                code="frame_changed",
            )
        latest = connection.execute(
            select(a.c.id, a.c.inputs_hash)
            .where(a.c.session_id == session_id)
            .order_by(a.c.id.desc())
            .limit(1)
        ).first()
        if latest is not None and latest.inputs_hash == digest:
            return int(latest.id)
        if latest is not None and not reason:
            raise WorkflowError("a further draw needs a reason", code="reason_required")
        outcome = result_hash(targets, assignments)
        attempt_id = connection.execute(
            insert(a).values(
                session_id=session_id,
                attempted_at=_now(),
                attempted_by=actor.subject,
                attempted_by_name=actor.name[:128],
                inputs_json=canonical_json(inputs),
                inputs_hash=digest,
                result_hash=outcome,
                reason=reason,
            )
        ).inserted_primary_key[0]
        append_audit(
            connection,
            actor,
            "draw.attempt",
            "campaign",
            session["campaign_id"],
            {
                "session_id": session_id,
                "attempt_id": int(attempt_id),
                "inputs": inputs,
                "inputs_hash": digest,
                "result_hash": outcome,
                "targets": len(targets),
                "reason": reason,
            },
        )
        return int(attempt_id)


def commit_attempt(
    engine: Engine,
    session_id: int,
    attempt_id: int,
    *,
    record: DrawRecord,
    targets: pd.DataFrame,
    assignments: pd.DataFrame,
    actor: Actor,
) -> int:
    """Commit the session's latest attempt into its campaign, exactly once; return the draw id.

    Refused (``WorkflowError`` with a code) when the attempt is not the session's latest
    (``stale_preview``), the targets and teams do not hash to what the attempt logged
    (``stale_preview``), or the session was committed already (``already_committed``) — by a double
    click or another process. The record's params gain the revealed nonce, the commitment and the
    attempt count.
    """
    require(actor, Permission.DRAW)
    check_draw(targets, assignments)
    s, a, c = DrawSession.__table__, DrawAttempt.__table__, Campaign.__table__
    with engine.begin() as connection:
        closed = connection.execute(
            update(s).where(s.c.id == session_id, s.c.status == "open").values(status="committed")
        ).rowcount
        if closed != 1:
            raise WorkflowError("this draw has been committed already", code="already_committed")
        session = connection.execute(select(s).where(s.c.id == session_id)).mappings().one()
        attempts = connection.execute(
            select(a.c.id, a.c.result_hash).where(a.c.session_id == session_id).order_by(a.c.id)
        ).all()
        if not attempts or attempts[-1].id != attempt_id:
            raise WorkflowError("the preview is not the latest draw: draw again", code="stale_preview")
        if attempts[-1].result_hash != result_hash(targets, assignments):
            raise WorkflowError("the targets differ from the preview that was drawn", code="stale_preview")
        if record.seed != seed_of(session["nonce"]) or record.frame_hash != session["frame_hash"]:
            raise WorkflowError("the record does not match the opened draw", code="stale_preview")
        if session["pool_hash"] is not None and record.params.get("pool_hash") != session["pool_hash"]:
            raise WorkflowError("the teams were not drawn from the frozen pool", code="stale_preview")
        campaign = connection.execute(select(c).where(c.c.id == session["campaign_id"])).mappings().one()
        params = {
            **record.params,
            "lottery": {
                "session_id": session_id,
                "nonce": session["nonce"],
                "commitment": session["commitment"],
                "attempt_id": attempt_id,
                "attempts": len(attempts),
            },
        }
        committed = DrawRecord(
            campaign_name=campaign["name"],
            year=campaign["year"],
            seed=record.seed,
            frame_hash=record.frame_hash,
            params=params,
            sampler_version=record.sampler_version,
            unit_type=campaign["unit_type"],
            scheme_code=campaign["scheme_code"],
            drawn_at=record.drawn_at,
        )
        connection.execute(update(c).where(c.c.id == campaign["id"]).values(status="assigned"))
        return write_draw(
            connection,
            int(campaign["id"]),
            committed,
            targets,
            assignments,
            actor=actor,
            audit_details={
                "session_id": session_id,
                "attempt_id": attempt_id,
                "attempts": len(attempts),
                "nonce": session["nonce"],
            },
        )


def attempts_table(engine: Engine, session_id: int) -> pd.DataFrame:
    """Every attempt of a session, oldest first: id, attempted_at, attempted_by_name, reason, result_hash."""
    a = DrawAttempt.__table__
    with engine.connect() as connection:
        rows = connection.execute(
            select(
                a.c.id, a.c.attempted_at, a.c.attempted_by_name, a.c.reason, a.c.result_hash, a.c.inputs_json
            )
            .where(a.c.session_id == session_id)
            .order_by(a.c.id)
        ).all()
    frame = pd.DataFrame(
        rows, columns=["id", "attempted_at", "attempted_by_name", "reason", "result_hash", "inputs"]
    )
    frame["inputs"] = frame["inputs"].map(json.loads)
    return frame
