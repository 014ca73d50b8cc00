"""The workload cap across campaigns: teams per inspector in a campaign year, and the commit-time check.

Period. The cap counts an inspector's team places in **every campaign of the same campaign year**
(the 年度 of the annual spot-check plan, 1 January to 31 December), whatever their scheme or status:
a cap of 3 means nobody serves on more than three teams in all of 2026's campaigns together.

Draw and commit. A draw gets each inspector's teams so far in the year as the pool column
``prior_load`` (`models.frames.load_inspector_pool` with ``workload_year``); the sampler leaves
inspector i ``cap - prior_load[i]`` places, and the pool hash binds those loads, so ``verify``
re-derives the teams. Another campaign may commit between the draw and its commit, so the commit
re-checks inside its write transaction (`check_workload_cap`), serialised: PostgreSQL takes a
transaction-scoped advisory lock for the year before it counts; SQLite holds its database write lock
from the commit's first UPDATE. A commit that would push an inspector past the cap is refused
(``WorkflowError`` code ``cap_exceeded``) and writes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, func, select, text

from models.campaigns import Assignment, Campaign, Draw, DrawTarget

#: Key space of the PostgreSQL advisory lock serialising commits of one campaign year (+ year).
_PG_WORKLOAD_LOCK = 7_232_000_000


def workload_period(year: int) -> dict[str, Any]:
    """How a draw record names the cap's period: the campaign year and its first and last day."""
    return {"basis": "campaign year", "year": int(year), "from": f"{year}-01-01", "to": f"{year}-12-31"}


def inspector_load(
    connection: Connection, year: int, inspector_ids: Iterable[int] | None = None
) -> dict[int, int]:
    """Team places per inspector in all campaigns of ``year`` (inspectors with none are left out).

    ``inspector_ids`` limits the count to those inspectors (None: everyone).
    """
    a, t, d, c = Assignment.__table__, DrawTarget.__table__, Draw.__table__, Campaign.__table__
    query = (
        select(a.c.inspector_id, func.count())
        .select_from(a.join(t, t.c.id == a.c.target_id).join(d, d.c.id == t.c.draw_id))
        .join(c, c.c.id == d.c.campaign_id)
        .where(c.c.year == year)
        .group_by(a.c.inspector_id)
    )
    if inspector_ids is not None:
        wanted = sorted({int(i) for i in inspector_ids})
        if not wanted:
            return {}
        query = query.where(a.c.inspector_id.in_(wanted))
    return {int(i): int(n) for i, n in connection.execute(query).all()}


def serialise_year(connection: Connection, year: int) -> None:
    """Inside a write transaction: wait until no other commit of ``year`` is between count and write.

    PostgreSQL: ``pg_advisory_xact_lock`` (released at commit or rollback). SQLite: nothing to do, the
    caller has written already and holds the database's write lock until it ends.
    """
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_WORKLOAD_LOCK + int(year)})


def check_workload_cap(
    connection: Connection, *, year: int, cap: int | None, inspector_ids: Iterable[int]
) -> dict[int, int]:
    """Refuse teams that would push an inspector past ``cap`` in ``year``; return the earlier loads.

    ``inspector_ids`` holds one entry per new team place (an inspector on two new teams appears
    twice). Serialises with other commits of the year (`serialise_year`), counts the committed team
    places of the year and raises ``WorkflowError`` (code ``cap_exceeded``, naming the inspectors,
    the year, the cap and the count) when earlier + new places exceed ``cap``. Returns the earlier
    loads of the inspectors on the new teams (those with none left out), for the record.
    """
    from models.draw_records import WorkflowError

    places: dict[int, int] = {}
    for inspector in inspector_ids:
        places[int(inspector)] = places.get(int(inspector), 0) + 1
    serialise_year(connection, year)
    earlier = inspector_load(connection, year, places)
    if cap is None:
        return earlier
    over = sorted(i for i, n in places.items() if earlier.get(i, 0) + n > cap)
    if over:
        first = over[0]
        raise WorkflowError(
            f"{len(over)} inspector(s) would serve on more than {cap} team(s) in {year}'s campaigns "
            f"(inspector {first}: {earlier.get(first, 0)} already, {places[first]} in this draw): another "
            "draw was committed meanwhile; open this draw again",
            code="cap_exceeded",
            count=len(over),
            year=year,
            cap=cap,
            inspector=first,
        )
    return earlier
