"""The rows an audit entry vouches for: named row sets, read back and hashed the same way every time.

An audited write names the row sets it wrote (``{"draw_targets": draw_id, "campaign": campaign_id}``);
``append_audit`` stores each set's SHA-256 in the entry, so the chain covers the rows too. Later,
``verify_rows`` reads every set again and compares it with the hash of the *latest* entry that covers
it (a later audited write, such as a publication, legitimately supersedes an earlier one). A row changed,
added or deleted behind the application's back (sqlite3, psql) changes its set's hash and is reported.

Row sets (name -> the rows, keyed by):

================  ==========================================================================
campaign          the campaign row (every column), by campaign id
draw              the draw row (every column), by draw id
draw_targets      every target of a draw, by draw id
draw_assignments  every inspector assignment of a draw's targets, by draw id
draw_outcomes     every outcome (with findings) of a draw's targets, by draw id
outcome           an outcome row, its findings and item results, by outcome id
campaign_items    the checklist items a campaign picked, by campaign id
appuser           a users-table row, by subject
frozen_frame      a frozen frame (models.frozen): its columns, the content by SHA-256, by hash
frozen_pool       a frozen inspector pool, the same way, by hash
================  ==========================================================================

Values are serialised canonically (dates ISO, moments as naive UTC, floats by ``repr``), so SQLite and
PostgreSQL give the same hash for the same rows.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, Select, select

from models.campaigns import (
    SEEDED_SAMPLER_VERSION,
    Assignment,
    Campaign,
    Draw,
    DrawTarget,
    Finding,
    InspectionOutcome,
    OutcomeItem,
)
from models.checklist import CampaignItem
from models.users import AppUser


def _value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value.isoformat(timespec="microseconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    return value


def _rows(connection: Connection, query: Select) -> list[dict[str, Any]]:
    return [{k: _value(v) for k, v in row.items()} for row in connection.execute(query).mappings()]


def _by(table, column: str, key: Any) -> Select:
    return select(table).where(table.c[column] == key).order_by(*table.primary_key.columns)


def _assignments(key: Any) -> Select:
    assign, target = Assignment.__table__, DrawTarget.__table__
    return (
        select(assign)
        .join(target, target.c.id == assign.c.target_id)
        .where(target.c.draw_id == key)
        .order_by(assign.c.target_id, assign.c.inspector_id)
    )


def _outcome(connection: Connection, key: Any) -> list[dict[str, Any]]:
    outcome = _rows(connection, _by(InspectionOutcome.__table__, "id", key))
    findings = _rows(connection, _by(Finding.__table__, "outcome_id", key))
    items = _rows(connection, _by(OutcomeItem.__table__, "outcome_id", key))
    return [{"outcome": outcome, "findings": findings, "items": items}]


def _draw_outcomes(connection: Connection, key: Any) -> list[dict[str, Any]]:
    """Every outcome of a draw as ``_outcome`` gives it, in outcome order: three queries in all."""
    outcome, target = InspectionOutcome.__table__, DrawTarget.__table__
    finding, item = Finding.__table__, OutcomeItem.__table__
    ids = select(outcome.c.id).join(target, target.c.id == outcome.c.target_id).where(target.c.draw_id == key)
    outcomes = _rows(connection, select(outcome).where(outcome.c.id.in_(ids)).order_by(outcome.c.id))
    children: dict[str, dict[Any, list[dict[str, Any]]]] = {"findings": {}, "items": {}}
    for name, table in (("findings", finding), ("items", item)):
        query = select(table).where(table.c.outcome_id.in_(ids)).order_by(*table.primary_key.columns)
        for row in _rows(connection, query):
            children[name].setdefault(row["outcome_id"], []).append(row)
    return [
        {
            "outcome": [row],
            "findings": children["findings"].get(row["id"], []),
            "items": children["items"].get(row["id"], []),
        }
        for row in outcomes
    ]


def _frozen(connection: Connection, key: Any) -> list[dict[str, Any]]:
    """A frozen set's row with its compressed content as a SHA-256 (not megabytes of JSON)."""
    from models.frozen import FrozenPopulation  # frozen -> draw_records -> audit -> this module

    table = FrozenPopulation.__table__
    rows = connection.execute(select(table).where(table.c.hash == key)).mappings().all()
    return [
        {
            **{k: _value(v) for k, v in row.items() if k != "data"},
            "data_sha256": hashlib.sha256(bytes(row["data"])).hexdigest(),
        }
        for row in rows
    ]


def _frozen_keys(kind: str) -> Callable[[Connection], list[Any]]:
    def keys(connection: Connection) -> list[Any]:
        from models.frozen import FrozenPopulation

        table = FrozenPopulation.__table__
        return _keys(connection, select(table.c.hash).where(table.c.kind == kind).order_by(table.c.hash))

    return keys


ROW_SETS: dict[str, Callable[[Connection, Any], list[dict[str, Any]]]] = {
    "campaign": lambda c, key: _rows(c, _by(Campaign.__table__, "id", key)),
    "draw": lambda c, key: _rows(c, _by(Draw.__table__, "id", key)),
    "draw_targets": lambda c, key: _rows(c, _by(DrawTarget.__table__, "draw_id", key)),
    "draw_assignments": lambda c, key: _rows(c, _assignments(key)),
    "draw_outcomes": _draw_outcomes,
    "outcome": _outcome,
    "campaign_items": lambda c, key: _rows(c, _by(CampaignItem.__table__, "campaign_id", key)),
    "appuser": lambda c, key: _rows(c, _by(AppUser.__table__, "subject", key)),
    "frozen_frame": _frozen,
    "frozen_pool": _frozen,
}


def rowset_hash(connection: Connection, name: str, key: Any) -> str:
    """SHA-256 of row set ``name`` at ``key`` as the store holds it now (inside ``connection``)."""
    from models.audit import canonical_json  # audit imports this module

    rows = ROW_SETS[name](connection, key)
    return hashlib.sha256(canonical_json(rows).encode()).hexdigest()


def covered_rows(connection: Connection, sets: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """``{name: {"key": key, "sha256": hash}}`` for the row sets an entry vouches for.

    Raises ``KeyError`` for a row-set name that does not exist (a programming error).
    """
    return {name: {"key": key, "sha256": rowset_hash(connection, name, key)} for name, key in sets.items()}


def _keys(connection: Connection, query: Select) -> list[Any]:
    return list(connection.execute(query).scalars())


# Rows that exist only because the app wrote them must each be vouched for by some entry; a row of
# these kinds that no entry covers was written behind the app's back (or its entry was removed).
# Every seeded campaign goes through the workflow (seed/history.py) and is in the log. Stores seeded
# before the institution campaigns did hold draws written directly (sampler version seed-1) with their
# outcomes: not in the log, and still read as they were.
MUST_BE_COVERED: dict[str, Callable[[Connection], list[Any]]] = {
    "draw": lambda c: _keys(
        c, select(Draw.__table__.c.id).where(Draw.__table__.c.sampler_version != SEEDED_SAMPLER_VERSION)
    ),
    "outcome": lambda c: _keys(
        c,
        select(InspectionOutcome.__table__.c.id)
        .join(DrawTarget.__table__, DrawTarget.__table__.c.id == InspectionOutcome.__table__.c.target_id)
        .join(Draw.__table__, Draw.__table__.c.id == DrawTarget.__table__.c.draw_id)
        .where(Draw.__table__.c.sampler_version != SEEDED_SAMPLER_VERSION),
    ),
    "appuser": lambda c: _keys(c, select(AppUser.__table__.c.subject)),
    "frozen_frame": _frozen_keys("frame"),
    "frozen_pool": _frozen_keys("pool"),
    "campaign_items": lambda c: _keys(c, select(CampaignItem.__table__.c.campaign_id).distinct()),
}


def _outcome_draws(connection: Connection) -> dict[Any, Any]:
    outcome, target = InspectionOutcome.__table__, DrawTarget.__table__
    return dict(
        connection.execute(
            select(outcome.c.id, target.c.draw_id).join(target, target.c.id == outcome.c.target_id)
        ).all()
    )


# A row of these kinds is also covered by an entry vouching for the larger set it belongs to: an
# outcome by its draw's ``draw_outcomes`` (a bulk import writes one entry for all its outcomes).
# name -> (the larger row set, {key: key of the larger set})
COVERED_THROUGH: dict[str, tuple[str, Callable[[Connection], dict[Any, Any]]]] = {
    "outcome": ("draw_outcomes", _outcome_draws),
}
