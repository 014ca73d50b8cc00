"""The inspection item list (抽查事项清单): what is checked, against which standard, for how many points.

A ``CheckItem`` is one line of the list (legal basis, target type, check content, standard, score); a
campaign picks its items (``CampaignItem``, in the order they are checked); an outcome scores each
picked item (``models.campaigns.OutcomeItem``).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import CheckConstraint, Engine, delete, insert, select
from sqlmodel import Field, SQLModel

from models.access import Actor, Permission, require
from models.audit import append_audit
from models.campaigns import Campaign
from models.vocabulary import FINDING_CATEGORIES, UNIT_TYPES, check_in


class CheckItem(SQLModel, table=True):
    """One item of the inspection list: 检查内容, 检查标准 and 分值, with its legal basis."""

    __table_args__ = (
        CheckConstraint(check_in("target_type", UNIT_TYPES), name="ck_checkitem_target_type"),
        CheckConstraint("score > 0", name="ck_checkitem_score"),
        CheckConstraint(
            "finding_category IS NULL OR " + check_in("finding_category", FINDING_CATEGORIES),
            name="ck_checkitem_finding_category",
        ),
    )

    code: str = Field(primary_key=True, max_length=16)  # e.g. "RZ-03"
    title: str = Field(max_length=64)  # 抽查事项, e.g. 超范围认证
    legal_basis: str = Field(max_length=256)  # 检查依据
    target_type: str = Field(max_length=12)  # certificate | institution
    check_content: str = Field(max_length=512)  # 检查内容
    standard: str = Field(max_length=512)  # 检查标准
    score: int  # 分值, points
    finding_category: str | None = Field(default=None, max_length=32)  # the finding a failure means
    active: bool = True


class CampaignItem(SQLModel, table=True):
    """An item a campaign checks, in the campaign's order."""

    campaign_id: int = Field(foreign_key="campaign.id", primary_key=True)
    item_code: str = Field(foreign_key="checkitem.code", primary_key=True, max_length=16)
    position: int


def pick_items(engine: Engine, campaign_id: int, codes: Sequence[str], *, actor: Actor) -> None:
    """Set the items campaign ``campaign_id`` checks, in the order of ``codes``.

    ``actor`` must be allowed to plan draws. Raises ``WorkflowError`` with ``code``
    ``no_items`` (empty ``codes``), ``duplicate_item``, ``unknown_item`` (not in the list or
    inactive), ``item_target_type`` (an item for institutions in a certificate campaign, or the
    reverse), ``unknown_campaign`` or ``campaign_published``. Replaces the previous pick, audited.
    """
    from models.draw_records import WorkflowError  # draw_records -> outcome_entry -> this module

    require(actor, Permission.DRAW)
    codes = [str(code).strip() for code in codes]
    if not codes:
        raise WorkflowError("a campaign needs at least one checklist item", code="no_items")
    repeated = sorted({code for code in codes if codes.count(code) > 1})
    if repeated:
        raise WorkflowError(f"item {repeated[0]} picked twice", code="duplicate_item", item=repeated[0])
    campaign, item, picked = Campaign.__table__, CheckItem.__table__, CampaignItem.__table__
    with engine.begin() as connection:
        found = connection.execute(
            select(campaign.c.unit_type, campaign.c.status).where(campaign.c.id == campaign_id)
        ).first()
        if found is None:
            raise WorkflowError(
                f"campaign {campaign_id} does not exist", code="unknown_campaign", id=campaign_id
            )
        unit_type, status = found
        if status == "published":
            raise WorkflowError(
                f"campaign {campaign_id} is published; its items are fixed", code="campaign_published"
            )
        known = dict(
            connection.execute(
                select(item.c.code, item.c.target_type).where(item.c.code.in_(codes), item.c.active)
            ).all()
        )
        for code in codes:
            if code not in known:
                raise WorkflowError(f"checklist item {code} does not exist", code="unknown_item", item=code)
            if known[code] != unit_type:
                raise WorkflowError(
                    f"item {code} checks {known[code]}s, the campaign draws {unit_type}s",
                    code="item_target_type",
                    item=code,
                )
        connection.execute(delete(picked).where(picked.c.campaign_id == campaign_id))
        connection.execute(
            insert(picked),
            [dict(campaign_id=campaign_id, item_code=code, position=i) for i, code in enumerate(codes, 1)],
        )
        append_audit(
            connection,
            actor,
            "campaign.items",
            "campaign",
            campaign_id,
            {"items": codes},
            rows={"campaign_items": int(campaign_id)},
        )
