"""The sampler's draw record of a committed live draw, rebuilt from the store for ``regdash verify``.

``dashboard.planner.commit_live_draw`` keeps, in the draw's ``params_json``, what the targets and team
tables do not hold (the plan, the frame's source, the assignment's targets hash, attempts, method and
team slots; key ``record``). `export_draw_record` joins it with the stored targets and teams into the
record `sampler.run.run_draw` writes, plus the fields that are recorded, not derivable (which draw
and campaign, when, by whom; `sampler.verify.RECORDED_NOT_DERIVABLE`).

Draws that cannot be verified say so (``reason``) instead of giving a record that would fail:
``"seeded"``: a seeded institution campaign (sampler version ``seed-1``), written directly by the
seeder from a frame it did not keep (the seeded certificate campaigns went through the lottery and
verify); ``"incomplete"``: a live draw committed before the store kept the whole record.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select

from models.access import Role
from models.campaigns import SEEDED_SAMPLER_VERSION, Assignment, Campaign, Draw, DrawTarget

__all__ = ["SEEDED_SAMPLER_VERSION", "DrawRecordExport", "export_draw_record", "stored_draw_record"]

#: sampler_version of the historical draws written by the seed (not made by a sampler run).

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
        targets = connection.execute(
            select(
                target.c.id,
                target.c.certificate_id,
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

    def stratum(values: Any) -> str:
        if not strata:
            return "all"
        return "|".join(str(getattr(values, _STRATUM_COLUMNS.get(key, key), "?")) for key in strata)

    # canonical order of a draw: stratum label, then unit id
    ordered = sorted(targets, key=lambda t: (stratum(t), t.certificate_id))
    units = [
        {
            "unit_id": int(t.certificate_id),
            "stratum": stratum(t),
            "inclusion_probability": float(t.inclusion_probability),
        }
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


def _teams(ordered: list, members: list, slots: dict[str, list]) -> list[dict[str, Any]]:
    """Team rows in the sampler's order: targets by unit id, then slot (lead first)."""
    by_target: dict[int, list] = {}
    for member in members:
        by_target.setdefault(member.target_id, []).append(member)
    rows = []
    for t in sorted(ordered, key=lambda t: t.certificate_id):
        recorded = [int(i) for i in slots.get(str(t.certificate_id), [])]

        def place(member, recorded=recorded) -> tuple[int, int, int]:
            known = recorded.index(member.inspector_id) if member.inspector_id in recorded else len(recorded)
            return (0 if member.role == "lead" else 1, known, int(member.inspector_id))

        for slot, member in enumerate(sorted(by_target.get(t.id, []), key=place), start=1):
            rows.append(
                {"unit_id": int(t.certificate_id), "slot": slot, "inspector_id": int(member.inspector_id)}
            )
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
