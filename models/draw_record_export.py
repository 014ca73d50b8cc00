"""The sampler's draw record of a committed live draw, rebuilt from the store for ``regdash verify``.

``dashboard.planner.commit_live_draw`` keeps, in the draw's ``params_json``, what the targets and team
tables do not hold (the plan, the frame's source, the assignment's targets hash, attempts, method and
team slots; key ``record``). `export_draw_record` joins it with the stored targets and teams into the
record `sampler.run.run_draw` writes, plus the fields that are recorded, not derivable (which draw
and campaign, when, by whom; `sampler.verify.RECORDED_NOT_DERIVABLE`).

Draws that cannot be verified say so (``reason``) instead of giving a record that would fail:
``"seeded"``: a draw written directly by the seeder (sampler version ``seed-1``) from a frame it did
not keep, as the institution campaigns of stores seeded before they went through the lottery (every
seeded campaign now does, `seed.history`, and verifies); ``"incomplete"``: a live draw committed
before the store kept the whole record.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Engine, func, select

from models.access import Role
from models.campaigns import SEEDED_SAMPLER_VERSION, Assignment, Campaign, Draw, DrawTarget
from models.draw_records import WorkflowError
from models.frozen import load_frozen

__all__ = ["SEEDED_SAMPLER_VERSION", "DrawRecordExport", "export_draw_record", "stored_draw_record"]

#: Columns of a stored target behind each stratum key a live draw's plan may use.
_STRATUM_COLUMNS = {"region": "region_code", "scheme": "scheme_code"}


@dataclass(frozen=True)
class DrawRecordExport:
    """A campaign's draw record for ``regdash verify``, or why there is none.

    Attributes
    ----------
    draw_id : int
    record : dict or None
        JSON-ready record (``None`` when the draw cannot be verified).
    reason : str or None
        ``"seeded"`` or ``"incomplete"`` when ``record`` is None.
    """

    draw_id: int
    record: dict[str, Any] | None
    reason: str | None = None

    def to_json(self) -> str:
        """The record as the JSON text of a downloadable file."""
        if self.record is None:
            raise ValueError(f"draw {self.draw_id} has no verifiable record ({self.reason})")
        return json.dumps(self.record, ensure_ascii=False, indent=2) + "\n"


def export_draw_record(engine: Engine, campaign_id: int, *, role: Role) -> DrawRecordExport | None:
    """The campaign's draw record (None without a draw; for the public, unless published)."""
    draw, campaign = Draw.__table__, Campaign.__table__
    query = select(draw.c.id).where(draw.c.campaign_id == campaign_id).order_by(draw.c.id).limit(1)
    if role is Role.PUBLIC:
        query = query.join(campaign, campaign.c.id == draw.c.campaign_id).where(
            campaign.c.status == "published"
        )
    with engine.connect() as connection:
        draw_id = connection.execute(query).scalar()
    return None if draw_id is None else stored_draw_record(engine, int(draw_id))


def stored_draw_record(engine: Engine, draw_id: int) -> DrawRecordExport | None:
    """The record of draw ``draw_id`` rebuilt from the store (None if there is no such draw).

    For staff and the command line: no publication check.
    """
    draw, campaign = Draw.__table__, Campaign.__table__
    target, team = DrawTarget.__table__, Assignment.__table__
    with engine.connect() as connection:
        row = connection.execute(
            select(
                draw.c.seed,
                draw.c.frame_hash,
                draw.c.params_json,
                draw.c.drawn_at,
                draw.c.drawn_by_name,
                draw.c.drawn_by_role,
                draw.c.sampler_version,
                campaign.c.id,
                campaign.c.name,
                campaign.c.year,
                campaign.c.scheme_code,
            )
            .join(campaign, campaign.c.id == draw.c.campaign_id)
            .where(draw.c.id == draw_id)
        ).first()
        if row is None:
            return None
        if row.sampler_version == SEEDED_SAMPLER_VERSION:
            return DrawRecordExport(draw_id, None, "seeded")
        params = json.loads(row.params_json)
        kept = params.get("record")
        if not isinstance(kept, dict):
            return DrawRecordExport(draw_id, None, "incomplete")
        rows = connection.execute(
            select(
                target.c.id,
                # the unit: a certificate, or an institution in an institution campaign
                func.coalesce(target.c.certificate_id, target.c.institution_id).label("unit_id"),
                target.c.region_code,
                target.c.scheme_code,
                target.c.inclusion_probability,
            ).where(target.c.draw_id == draw_id)
        ).all()
        members = connection.execute(
            select(team.c.target_id, team.c.inspector_id, team.c.role)
            .join(target, target.c.id == team.c.target_id)
            .where(target.c.draw_id == draw_id)
        ).all()
        plan = kept["plan"]
        strata = plan.get("strata") or []
        labels = _strata_labels(connection, rows, strata, row.frame_hash)
    targets = [
        _Target(int(t.id), int(t.unit_id), label, float(t.inclusion_probability))
        for t, label in zip(rows, labels, strict=True)
    ]
    # canonical order of a draw: stratum label, then unit id
    ordered = sorted(targets, key=lambda t: (t.stratum, t.unit_id))
    units = [
        {"unit_id": t.unit_id, "stratum": t.stratum, "inclusion_probability": t.inclusion_probability}
        for t in ordered
    ]
    record: dict[str, Any] = {
        "record_version": kept["record_version"],
        "plan": plan,
        "seed": int(row.seed),
        "frame_hash": row.frame_hash,
        "draw": {"params": params["draw"], "stream": params["draw_stream"], "units": units},
        "assignment": None,
    }
    if plan.get("assignment") is not None:
        record["assignment"] = {
            "rules": params["assignment"],
            "pool_hash": params["pool_hash"],
            "targets_hash": kept["targets_hash"],
            "stream": params["assignment_stream"],
            "attempts": kept["attempts"],
            "method_used": kept["method_used"],
            "teams": _teams(ordered, members, kept.get("team_slots") or {}),
        }
    drawn_at = (
        row.drawn_at if isinstance(row.drawn_at, dt.datetime) else dt.datetime.fromisoformat(row.drawn_at)
    )
    if drawn_at.tzinfo is None:  # stored in UTC; SQLite drops the zone
        drawn_at = drawn_at.replace(tzinfo=dt.UTC)
    record.update(
        {
            "draw_id": int(draw_id),
            "campaign": {
                "id": int(row.id),
                "name": row.name,
                "year": int(row.year),
                "scheme": row.scheme_code,
            },
            "drawn_at": drawn_at.isoformat(),
            "drawn_by": row.drawn_by_name,
            "drawn_by_role": row.drawn_by_role,
            "sampler_version": row.sampler_version,
        }
    )
    if kept.get("frame_source") is not None:
        record["frame_source"] = kept["frame_source"]
    if isinstance(params.get("lottery"), dict):  # the opened draw's commitment and the revealed nonce
        record["lottery"] = params["lottery"]
    if isinstance(params.get("workload"), dict):  # the cap's period and the load checked at commit
        record["workload"] = params["workload"]
    return DrawRecordExport(draw_id, record)


@dataclass(frozen=True)
class _Target:
    id: int  # the target row
    unit_id: int  # certificate id, or institution id in an institution campaign
    stratum: str
    inclusion_probability: float


def _strata_labels(connection, rows: list, strata: list[str], frame_hash: str) -> list[str]:
    """Each target's stratum label (``"all"`` without strata; keys joined by ``|``).

    Region and scheme come from the target row; any other key (an institution campaign's
    ``risk_grade``) from the frame frozen under ``frame_hash`` (``"?"`` when the store lacks it).
    """
    if not strata:
        return ["all"] * len(rows)
    columns: dict[str, list[str]] = {}
    frozen = None
    for key in strata:
        if key in _STRATUM_COLUMNS:
            columns[key] = [str(getattr(t, _STRATUM_COLUMNS[key])) for t in rows]
            continue
        if frozen is None:
            try:
                frozen = load_frozen(connection, frame_hash, kind="frame").set_index("unit_id")
            except WorkflowError:  # not frozen (an old store): the record will not verify
                frozen = pd.DataFrame()
        values = frozen[key] if key in frozen.columns else pd.Series(dtype=object)
        columns[key] = [str(values.get(t.unit_id, "?")) for t in rows]
    return ["|".join(parts) for parts in zip(*(columns[key] for key in strata), strict=True)]


def _teams(ordered: list, members: list, slots: dict[str, list]) -> list[dict[str, Any]]:
    """Team rows in the sampler's order: targets by unit id, then slot (lead first)."""
    by_target: dict[int, list] = {}
    for member in members:
        by_target.setdefault(member.target_id, []).append(member)
    rows = []
    for t in sorted(ordered, key=lambda t: t.unit_id):
        recorded = [int(i) for i in slots.get(str(t.unit_id), [])]

        def place(member, recorded=recorded) -> tuple[int, int, int]:
            known = recorded.index(member.inspector_id) if member.inspector_id in recorded else len(recorded)
            return (0 if member.role == "lead" else 1, known, int(member.inspector_id))

        for slot, member in enumerate(sorted(by_target.get(t.id, []), key=place), start=1):
            rows.append({"unit_id": t.unit_id, "slot": slot, "inspector_id": int(member.inspector_id)})
    return rows


def params_of_record(record: dict[str, Any], *, frame_source: dict | None = None) -> dict[str, Any]:
    """The draw's ``params_json`` for a sampler record (`sampler.run.run_draw`): the inverse of
    `stored_draw_record`, which rebuilds ``record`` from these params and the stored targets and teams.

    ``record`` must hold an assignment. ``frame_source`` names the store's units the frame came from
    (None: a frame built elsewhere, e.g. the seeder's historical frames; `regdash verify` then reads
    the frozen frame).
    """
    assignment = record["assignment"]
    slots: dict[str, list[int]] = {}
    for member in sorted(assignment["teams"], key=lambda m: (str(m["unit_id"]), m["slot"])):
        slots.setdefault(str(member["unit_id"]), []).append(int(member["inspector_id"]))
    return {
        "draw": record["draw"]["params"],
        "assignment": assignment["rules"],
        "pool_hash": assignment["pool_hash"],
        "draw_stream": record["draw"]["stream"],
        "assignment_stream": assignment["stream"],
        "inspection_date": assignment["rules"]["inspection_date"],
        "record": {
            "record_version": record["record_version"],
            "plan": record["plan"],
            "frame_source": frame_source,
            "targets_hash": assignment["targets_hash"],
            "attempts": int(assignment["attempts"]),
            "method_used": assignment["method_used"],
            "team_slots": slots,
        },
    }
