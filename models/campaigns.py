"""Double-random campaigns: draws, drawn targets, inspector assignments, outcomes and findings."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, CheckConstraint, Index, UniqueConstraint, false, text
from sqlmodel import Field, SQLModel

from models.vocabulary import (
    CAMPAIGN_STATUSES,
    DISPOSAL_STATUSES,
    FINDING_CATEGORIES,
    FOLLOW_UPS,
    INSPECTION_METHODS,
    ITEM_RESULTS,
    NOT_INSPECTED_REASONS,
    OUTCOME_CODES,
    REVIEW_STATUSES,
    TEAM_ROLES,
    UNIT_TYPES,
    check_in,
)

# Columns added to tables that already hold rows carry a server default, so a migration can add them.
_EMPTY = {"server_default": text("''")}

#: ``Draw.sampler_version`` of draws the seeder wrote directly, without the lottery: in stores seeded
#: before every seeded campaign was drawn through it (seed/history.py); read, never written any more.
SEEDED_SAMPLER_VERSION = "seed-1"
#: Longest campaign name (``Campaign.name``), counted after whitespace is collapsed; the planner's
#: text box allows the same.
CAMPAIGN_NAME_MAX = 64
#: Largest draw seed written (``Draw.seed``, a BIGINT): the largest integer a browser's number widget
#: holds exactly, and the sampler's own limit (``sampler.errors.MAX_SEED``; a test keeps them equal).
SEED_MAX = 2**53 - 1


class Campaign(SQLModel, table=True):
    """One inspection item (抽查事项) run as a campaign in a year."""

    __table_args__ = (
        CheckConstraint(check_in("status", CAMPAIGN_STATUSES), name="ck_campaign_status"),
        CheckConstraint(check_in("unit_type", UNIT_TYPES), name="ck_campaign_unit_type"),
        UniqueConstraint("year", "name", name="uq_campaign_year_name"),
    )

    id: int = Field(primary_key=True)
    year: int = Field(index=True)
    name: str = Field(max_length=CAMPAIGN_NAME_MAX)
    legal_basis: str = Field(max_length=128)
    unit_type: str = Field(max_length=12)
    scheme_code: str | None = Field(default=None, foreign_key="scheme.code", max_length=8)
    status: str = Field(max_length=10)
    publish_deadline: dt.date | None = None
    # the deadline was counted over a year the holiday calendar does not cover (an estimate)
    deadline_provisional: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    published_on: dt.date | None = None
    published_late: bool | None = None  # published after publish_deadline (None: not published)
    published_by: str | None = Field(default=None, max_length=255)  # the publishing actor's subject
    published_by_name: str | None = Field(default=None, max_length=128)


class Draw(SQLModel, table=True):
    """The recorded computer lottery of a campaign: who, when, seed, parameters and frame hash."""

    id: int = Field(primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    seed: int = Field(sa_type=BigInteger)  # up to SEED_MAX; the lottery's are below 2**52
    frame_hash: str = Field(max_length=64)
    params_json: str
    drawn_at: dt.datetime
    drawn_by: str = Field(max_length=255)  # the acting user's identity-provider subject
    drawn_by_name: str = Field(default="", max_length=128)
    drawn_by_role: str = Field(default="", max_length=16)
    sampler_version: str = Field(max_length=16)


class DrawTarget(SQLModel, table=True):
    """A unit drawn as an inspection target, with the stratum it came from."""

    __table_args__ = (
        UniqueConstraint("draw_id", "certificate_id", name="uq_target_draw_certificate"),
        CheckConstraint(
            "inclusion_probability > 0 AND inclusion_probability <= 1", name="ck_target_probability"
        ),
        Index("ix_target_draw_stratum", "draw_id", "region_code", "scheme_code"),
    )

    id: int = Field(primary_key=True)
    draw_id: int = Field(foreign_key="draw.id")
    certificate_id: int | None = Field(default=None, foreign_key="certificate.id")
    institution_id: int = Field(foreign_key="institution.id", index=True)
    region_code: str = Field(foreign_key="region.code", max_length=6)
    scheme_code: str = Field(foreign_key="scheme.code", max_length=8)
    inclusion_probability: float


class Assignment(SQLModel, table=True):
    """An inspector drawn onto a target's team (the second random)."""

    __table_args__ = (CheckConstraint(check_in("role", TEAM_ROLES), name="ck_assignment_role"),)

    target_id: int = Field(foreign_key="drawtarget.id", primary_key=True)
    inspector_id: int = Field(foreign_key="inspector.id", primary_key=True, index=True)
    role: str = Field(max_length=8)


class InspectionOutcome(SQLModel, table=True):
    """The recorded result of inspecting one target (检查结果)."""

    __table_args__ = (
        CheckConstraint(check_in("method", INSPECTION_METHODS), name="ck_outcome_method"),
        CheckConstraint(check_in("outcome_code", OUTCOME_CODES), name="ck_outcome_code"),
        CheckConstraint(check_in("follow_up", FOLLOW_UPS), name="ck_outcome_follow_up"),
        CheckConstraint(check_in("disposal_status", DISPOSAL_STATUSES), name="ck_outcome_disposal"),
        CheckConstraint(check_in("review_status", REVIEW_STATUSES), name="ck_outcome_review"),
        CheckConstraint(
            "not_inspected_reason IS NULL OR " + check_in("not_inspected_reason", NOT_INSPECTED_REASONS),
            name="ck_outcome_not_inspected_reason",
        ),
        UniqueConstraint("submission_key", name="uq_outcome_submission_key"),
    )

    id: int = Field(primary_key=True)
    target_id: int = Field(foreign_key="drawtarget.id", unique=True)
    inspected_on: dt.date
    method: str = Field(max_length=16)
    outcome_code: str = Field(max_length=16)
    follow_up: str = Field(max_length=24)
    note: str = Field(default="", max_length=256)
    findings_text: str = Field(
        default="", max_length=2000, sa_column_kwargs=_EMPTY
    )  # 检查发现, what was found, in words
    not_inspected_reason: str | None = Field(default=None, max_length=24)
    disposal_status: str = Field(
        default="not_required", max_length=16, sa_column_kwargs={"server_default": "not_required"}
    )  # 处置状态
    closed_on: dt.date | None = None  # 办结日期
    inspectors: str = Field(
        default="", max_length=256, sa_column_kwargs=_EMPTY
    )  # who inspected, as written on the record
    submission_key: str | None = Field(default=None, max_length=64)  # one save per submit
    # 1 as first recorded; +1 per correction (old values in OutcomeRevision)
    revision: int = Field(default=1, sa_column_kwargs={"server_default": text("1")})
    review_status: str = Field(
        default="pending", max_length=10, sa_column_kwargs={"server_default": "pending"}
    )
    reviewed_by: str | None = Field(default=None, max_length=255)
    reviewed_by_name: str | None = Field(default=None, max_length=128)
    reviewed_at: dt.datetime | None = None
    review_note: str = Field(default="", max_length=256, sa_column_kwargs=_EMPTY)
    recorded_by: str | None = Field(default=None, max_length=255)  # subject of who entered it
    recorded_by_name: str | None = Field(default=None, max_length=128)
    recorded_by_role: str | None = Field(default=None, max_length=16)
    recorded_at: dt.datetime | None = None


class Finding(SQLModel, table=True):
    """One problem found in an inspection, in a fixed category."""

    __table_args__ = (CheckConstraint(check_in("category", FINDING_CATEGORIES), name="ck_finding_category"),)

    id: int = Field(primary_key=True)
    outcome_id: int = Field(foreign_key="inspectionoutcome.id", index=True)
    category: str = Field(max_length=32)
    description: str = Field(default="", max_length=256)


class OutcomeItem(SQLModel, table=True):
    """How a target fared on one checklist item of its campaign: conform or not, and the score."""

    __table_args__ = (
        CheckConstraint(check_in("result", ITEM_RESULTS), name="ck_outcomeitem_result"),
        CheckConstraint("score IS NULL OR score >= 0", name="ck_outcomeitem_score"),
    )

    outcome_id: int = Field(foreign_key="inspectionoutcome.id", primary_key=True)
    item_code: str = Field(foreign_key="checkitem.code", primary_key=True, max_length=16)
    result: str = Field(max_length=16)
    score: float | None = None  # points given, 0..CheckItem.score


class OutcomeRevision(SQLModel, table=True):
    """An outcome as it was before a correction, with why and by whom it was corrected."""

    id: int = Field(primary_key=True)
    outcome_id: int = Field(foreign_key="inspectionoutcome.id", index=True)
    revision: int  # the revision these values were (the outcome's ``revision`` before the change)
    values_json: str  # the outcome row, its findings and item results, canonical JSON
    reason: str = Field(max_length=256)
    changed_by: str = Field(max_length=255)
    changed_by_name: str = Field(default="", max_length=128)
    changed_at: dt.datetime
