"""The append-only audit log: every write, with its actor, chained by hashes.

Each entry's hash is ``sha256(previous entry hash + "\\n" + canonical JSON of the event)``, where
the event is the entry's time, actor (subject, name, role, province), action, entity, entity id and
details, serialised with sorted keys and no spaces. The first entry chains to 64 zeros. Changing,
removing or reordering any entry breaks every hash after it; :func:`verify_chain` finds the first
broken one. ``prev_hash`` is unique, so two writers can never both extend the same head; on
PostgreSQL an advisory transaction lock makes concurrent writers queue instead of failing.

``append_audit`` is called inside the writing transaction, after the rows are written, so the entry
and the rows it describes commit or roll back together.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, func, select, text
from sqlmodel import Field, SQLModel

from models import clock
from models.access import Actor

GENESIS_HASH = "0" * 64
_PG_AUDIT_LOCK = 7_231_001  # pg_advisory_xact_lock key of the audit chain


class AuditEntry(SQLModel, table=True):
    """One write in the audit log."""

    id: int = Field(primary_key=True)
    recorded_at: dt.datetime
    actor_subject: str = Field(max_length=255)
    actor_name: str = Field(max_length=128)
    actor_role: str = Field(max_length=16)
    actor_province: str | None = Field(default=None, max_length=6)
    action: str = Field(max_length=32, index=True)
    entity: str = Field(max_length=32)
    entity_id: str = Field(max_length=255)  # a campaign id, a user's subject ...
    details_json: str
    prev_hash: str = Field(max_length=64, unique=True)
    entry_hash: str = Field(max_length=64, unique=True)


def canonical_json(value: Any) -> str:
    """Sorted keys, no spaces, UTF-8 text as is; dates and other objects as ``str``."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def _utc_text(moment: dt.datetime) -> str:
    """A moment as naive UTC ISO text, whether the engine hands it back aware or naive."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return moment.isoformat(timespec="microseconds")


def _event(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "recorded_at": _utc_text(row["recorded_at"]),
        "actor": {
            "subject": row["actor_subject"],
            "name": row["actor_name"],
            "role": row["actor_role"],
            "province": row["actor_province"],
        },
        "action": row["action"],
        "entity": row["entity"],
        "entity_id": row["entity_id"],
        "details": json.loads(row["details_json"]),
    }


def entry_hash(prev_hash: str, row: dict[str, Any]) -> str:
    """The hash of an entry given its predecessor's hash and its stored columns."""
    payload = f"{prev_hash}\n{canonical_json(_event(row))}".encode()
    return hashlib.sha256(payload).hexdigest()


def append_audit(
    connection: Connection,
    actor: Actor,
    action: str,
    entity: str,
    entity_id: object,
    details: dict[str, Any],
    *,
    rows: dict[str, Any] | None = None,
) -> str:
    """Append one entry inside the caller's transaction; return its hash.

    ``action`` is a dotted verb (``draw.commit``, ``outcome.record``, ``campaign.publish``,
    ``inspectors.import``, ``user.set``); ``details`` is any JSON-serialisable dict (the values
    written, counts, ids). ``rows`` names the row sets the write produced (``models.audit_rows``,
    e.g. ``{"draw_targets": 7}``): their hashes go into the entry as ``details["rows"]``.
    """
    if rows:
        from models.audit_rows import covered_rows

        details = {**details, "rows": covered_rows(connection, rows)}
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_AUDIT_LOCK})
    table = AuditEntry.__table__
    head = connection.execute(select(table.c.entry_hash).order_by(table.c.id.desc()).limit(1)).scalar()
    row = {
        "recorded_at": clock.now(),
        "actor_subject": actor.subject,
        "actor_name": actor.name[:128],
        "actor_role": str(actor.role),
        "actor_province": actor.province,
        "action": action,
        "entity": entity,
        "entity_id": str(entity_id),
        "details_json": canonical_json(details),
    }
    prev = head or GENESIS_HASH
    digest = entry_hash(prev, row)
    connection.execute(table.insert().values(**row, prev_hash=prev, entry_hash=digest))
    return digest


@dataclass(frozen=True)
class ChainCheck:
    """Result of :func:`verify_chain`: entries checked, the head hash, and the first broken entry."""

    entries: int
    head: str
    broken_entry: int | None = None
    reason: str | None = None

    @property
    def intact(self) -> bool:
        return self.broken_entry is None


def verify_chain(engine: Engine) -> ChainCheck:
    """Recompute every entry's hash in id order; report the first entry that does not chain."""
    table = AuditEntry.__table__
    prev, count = GENESIS_HASH, 0
    with engine.connect() as connection:
        for row in connection.execute(select(table).order_by(table.c.id)).mappings():
            count += 1
            if row["prev_hash"] != prev:
                return ChainCheck(count, prev, row["id"], "prev_hash does not name the entry before it")
            if entry_hash(prev, dict(row)) != row["entry_hash"]:
                return ChainCheck(count, prev, row["id"], "entry changed after it was written")
            prev = row["entry_hash"]
    return ChainCheck(count, prev)


@dataclass(frozen=True)
class RowProblem:
    """A row set that no longer hashes as the latest entry covering it says, or app-written rows that
    no entry covers (``entry`` None, ``action`` "uncovered")."""

    entry: int | None  # the audit entry that vouches for the rows
    rowset: str  # e.g. "draw_targets"
    key: Any  # e.g. a draw id
    action: str


@dataclass(frozen=True)
class RowCheck:
    """Result of :func:`verify_rows`: how many row sets were re-hashed, and those that changed."""

    checked: int
    changed: tuple[RowProblem, ...]


def verify_rows(engine: Engine) -> RowCheck:
    """Re-hash every row set the log vouches for, against the latest entry covering it, and list the
    app-written rows (``models.audit_rows.MUST_BE_COVERED``) that no entry covers."""
    from models.audit_rows import COVERED_THROUGH, MUST_BE_COVERED, rowset_hash

    table = AuditEntry.__table__
    latest: dict[tuple[str, str], tuple[int, str, Any, str]] = {}
    with engine.connect() as connection:
        for entry_id, action, details_json in connection.execute(
            select(table.c.id, table.c.action, table.c.details_json).order_by(table.c.id)
        ):
            for name, covered in json.loads(details_json).get("rows", {}).items():
                key = covered["key"]
                latest[(name, canonical_json(key))] = (entry_id, covered["sha256"], key, action)
        ordered = sorted(latest.items(), key=lambda item: item[1][0])
        problems = [
            RowProblem(entry_id, name, key, action)
            for (name, _), (entry_id, digest, key, action) in ordered
            if rowset_hash(connection, name, key) != digest
        ]
        # a row is covered by its own entry, or through an unchanged larger set (COVERED_THROUGH)
        intact = set(latest) - {(p.rowset, canonical_json(p.key)) for p in problems}
        for name, keys in MUST_BE_COVERED.items():
            larger, parents = COVERED_THROUGH.get(name, ("", lambda _c: {}))
            parent_of = parents(connection)
            problems += [
                RowProblem(None, name, key, "uncovered")
                for key in keys(connection)
                if (name, canonical_json(key)) not in latest
                and (key not in parent_of or (larger, canonical_json(parent_of[key])) not in intact)
            ]
    return RowCheck(len(ordered), tuple(problems))


def latest_entry_id(engine: Engine) -> int:
    """The id of the newest audit entry (0 for none): it grows with every write through the app."""
    table = AuditEntry.__table__
    with engine.connect() as connection:
        return int(connection.execute(select(func.max(table.c.id))).scalar() or 0)


def chain_head(engine: Engine) -> tuple[int, str]:
    """(number of entries, hash of the newest entry) — published so that a truncated log shows."""
    table = AuditEntry.__table__
    with engine.connect() as connection:
        count = connection.execute(select(func.count()).select_from(table)).scalar_one()
        head = connection.execute(select(table.c.entry_hash).order_by(table.c.id.desc()).limit(1)).scalar()
    return int(count), head or GENESIS_HASH


def audit_trail(engine: Engine, *, entity: str, entity_id: object) -> list[dict[str, Any]]:
    """The entries about one thing (e.g. ``campaign``, ``42``), oldest first, as plain dicts."""
    table = AuditEntry.__table__
    query = (
        select(table)
        .where(table.c.entity == entity, table.c.entity_id == str(entity_id))
        .order_by(table.c.id)
    )
    with engine.connect() as connection:
        return [dict(row) for row in connection.execute(query).mappings()]
