"""The public bundle (公示包) of a committed draw, built from the store; checking a bundle.

The format and the offline verifier are `sampler.bundle`. Here: which draw a campaign's bundle holds,
the population it was drawn from (`draw_population`: the frame and pool frozen when the draw was
opened, `models.frozen`; the live store for draws made before populations were frozen), the public
columns shown beside each unit, and who may have it: the public only a published campaign, staff
(and the command line's operator) any campaign with a committed draw.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Engine, select

from models.access import Actor, Role
from models.campaigns import Campaign, Draw
from models.certificates import Certificate, Organisation
from models.draw_record_export import stored_draw_record
from models.draw_records import WorkflowError
from models.frames import load_certificate_frame, load_inspector_pool
from models.frozen import frozen_info, load_frozen
from models.institutions import Institution
from models.lottery import reveal_differences
from models.reference import Region
from sampler.bundle import BundleLimits, BundleVerification, verify_bundle, write_bundle
from sampler.errors import SamplerError

__all__ = [
    "DrawBundle",
    "build_bundle",
    "check_bundle",
    "draw_population",
    "public_columns",
    "verify_campaign",
]


@dataclass(frozen=True)
class DrawBundle:
    """A campaign's bundle: the zip's bytes, which draw it holds and whether the campaign is published."""

    campaign_id: int
    draw_id: int
    status: str
    content: bytes

    @property
    def file_name(self) -> str:
        """``regdash-bundle-campaign-<id>-draw-<id>.zip``."""
        return f"regdash-bundle-campaign-{self.campaign_id}-draw-{self.draw_id}.zip"


def _frozen(engine: Engine, digest: Any, kind: str) -> pd.DataFrame | None:
    if not isinstance(digest, str):
        return None
    info = frozen_info(engine, digest)
    return None if info is None or info["kind"] != kind else load_frozen(engine, digest, kind=kind)


def draw_population(engine: Engine, record: dict) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """(frame, pool) a committed draw was made from, given its exported record.

    The sets frozen under the record's ``frame_hash`` and ``assignment.pool_hash`` when the store holds
    them; otherwise (draws committed before populations were frozen) the live certificates as the
    record's ``frame_source`` says and the live inspector registry. The pool is None without teams.
    """
    frame = _frozen(engine, record["frame_hash"], "frame")
    if frame is None:
        source = record.get("frame_source") or {}
        frame = load_certificate_frame(
            engine,
            status=source.get("status", "valid"),
            schemes=tuple(source.get("schemes", ())),
            provinces=tuple(source.get("provinces", ())),
        )
    assignment = record.get("assignment")
    if assignment is None:
        return frame, None
    pool = _frozen(engine, assignment.get("pool_hash"), "pool")
    return frame, load_inspector_pool(engine) if pool is None else pool


def public_columns(engine: Engine, frame: pd.DataFrame, *, unit_type: str = "certificate") -> pd.DataFrame:
    """unit_id, certificate_number, organisation, province (Chinese name), institution (name).

    What the public may see of each unit of ``frame`` beside the hashed columns
    (`sampler.bundle.PUBLIC_COLUMNS`): number and organisation from the certificates (of the frame's
    schemes, read in one pass), province and institution named from the frame's own ``region`` and
    ``institution_id`` (the unit as drawn). A unit no longer in the store has them empty. The units of
    an institution campaign (``unit_type`` ``"institution"``) are institutions: no certificate number
    nor organisation, the institution's name.
    """
    c, o, r, i = Certificate.__table__, Organisation.__table__, Region.__table__, Institution.__table__
    query = select(c.c.id, c.c.number, o.c.name).join(o, o.c.id == c.c.organisation_id)
    if "scheme" in frame.columns:
        query = query.where(c.c.scheme_code.in_(sorted(map(str, frame["scheme"].dropna().unique()))))
    with engine.connect() as connection:
        regions = dict(connection.execute(select(r.c.code, r.c.name_zh)).all())
        institutions = dict(connection.execute(select(i.c.id, i.c.name)).all())
        rows = [] if unit_type == "institution" else connection.execute(query).all()
    # column by column: building a frame from row objects costs a look-up per value
    ids, numbers, names = (list(column) for column in zip(*rows, strict=True)) if rows else ([], [], [])
    found = pd.DataFrame({"unit_id": ids, "certificate_number": numbers, "organisation": names})
    units = frame["unit_id"].reset_index(drop=True)
    # object columns even when nothing matched (an institution campaign): empty, not NaN floats
    out = pd.DataFrame({"unit_id": units}).merge(
        found.astype({"certificate_number": object, "organisation": object}), on="unit_id", how="left"
    )
    if "region" in frame.columns:
        out["province"] = frame["region"].map(regions).to_numpy()
    if unit_type == "institution":
        out["institution"] = frame["unit_id"].map(institutions).to_numpy()
    elif "institution_id" in frame.columns:
        out["institution"] = frame["institution_id"].map(institutions).to_numpy()
    return out


def build_bundle(
    engine: Engine, campaign_id: int, *, actor: Actor, salt: bytes | None = None, to_check: bool = False
) -> DrawBundle:
    """The bundle of campaign ``campaign_id``'s committed draw.

    ``to_check``: a bundle to be checked at once, not sent: without the public columns (never hashed
    nor checked) and not compressed; everything `check_bundle` reads is the same.

    Raises
    ------
    WorkflowError
        ``bundle_no_campaign`` (no such campaign); ``bundle_unpublished`` (the public asks for a
        campaign not published); ``bundle_no_draw`` (nothing committed yet); ``bundle_seeded`` /
        ``bundle_incomplete`` (a draw whose record cannot be re-derived, see
        `models.draw_record_export`); ``bundle_invalid`` (the stored record or population does not
        read as a draw record: changed behind the app's back).
    """
    campaign, draw = Campaign.__table__, Draw.__table__
    with engine.connect() as connection:
        status, unit_type = connection.execute(
            select(campaign.c.status, campaign.c.unit_type).where(campaign.c.id == campaign_id)
        ).first() or (None, None)
        draw_id = connection.execute(
            select(draw.c.id).where(draw.c.campaign_id == campaign_id).order_by(draw.c.id).limit(1)
        ).scalar()
    if status is None:
        raise WorkflowError(
            f"campaign {campaign_id} does not exist", code="bundle_no_campaign", id=campaign_id
        )
    if actor.role is Role.PUBLIC and status != "published":
        raise WorkflowError(
            f"campaign {campaign_id} is not published (status {status}): its bundle is not public yet",
            code="bundle_unpublished",
            id=campaign_id,
            status=status,
        )
    if draw_id is None:
        raise WorkflowError(
            f"campaign {campaign_id} has no committed draw (status {status})",
            code="bundle_no_draw",
            id=campaign_id,
            status=status,
        )
    export = stored_draw_record(engine, int(draw_id))
    if export is None or export.record is None:
        reason = export.reason if export is not None else "incomplete"
        raise WorkflowError(
            f"draw {draw_id} of campaign {campaign_id} has no verifiable record ({reason})",
            code=f"bundle_{reason}",
            id=campaign_id,
        )
    frame, pool = draw_population(engine, export.record)
    public = None if to_check else public_columns(engine, frame, unit_type=unit_type)
    try:
        content = write_bundle(export.record, frame, pool, public=public, salt=salt, compress=not to_check)
    except SamplerError as error:  # a stored record or population that no longer reads (tampered)
        raise WorkflowError(
            f"draw {draw_id} of campaign {campaign_id} cannot be bundled: {error}",
            code="bundle_invalid",
            id=campaign_id,
            detail=str(error),
        ) from error
    return DrawBundle(int(campaign_id), int(draw_id), str(status), content)


def check_bundle(source: bytes | str | Path, *, limits: BundleLimits | None = None) -> BundleVerification:
    """`sampler.bundle.verify_bundle` plus the check of the revealed nonce (`models.lottery`).

    Raises `sampler.bundle.BundleFormatError` for a file that is not a readable bundle.
    """
    result = verify_bundle(source, limits=limits)
    extra = reveal_differences(result.record) if result.record is not None else []
    if not extra:
        return result
    return dataclasses.replace(result, match=False, differences=(*result.differences, *extra))


def verify_campaign(engine: Engine, campaign_id: int, *, actor: Actor) -> BundleVerification:
    """Build campaign ``campaign_id``'s bundle from the store now and check it (验证本次抽取).

    Nothing is cached: a store changed behind the app's back (a draw target edited with sqlite3)
    shows as a difference. Raises `WorkflowError` as `build_bundle`.
    """
    return check_bundle(build_bundle(engine, campaign_id, actor=actor, to_check=True).content)
