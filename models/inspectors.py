"""The inspector registry (执法检查人员名录库): people, competences and past affiliations."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Index
from sqlmodel import Field, SQLModel


class Inspector(SQLModel, table=True):
    """A law-enforcement inspector who may be drawn for a double-random inspection."""

    __table_args__ = (Index("ix_inspector_region_active", "region_code", "active"),)

    id: int = Field(primary_key=True)
    name: str = Field(max_length=32)
    enforcement_id: str = Field(max_length=24, unique=True)  # 执法证号
    id_valid_until: dt.date
    agency: str = Field(max_length=48)
    region_code: str = Field(foreign_key="region.code", max_length=6)
    active: bool = True
    phone: str = Field(max_length=16)


class InspectorScheme(SQLModel, table=True):
    """A scheme an inspector is competent to inspect."""

    inspector_id: int = Field(foreign_key="inspector.id", primary_key=True)
    scheme_code: str = Field(foreign_key="scheme.code", primary_key=True, max_length=8)


class InspectorAffiliation(SQLModel, table=True):
    """A past or present tie between an inspector and an institution: grounds for avoidance (回避)."""

    inspector_id: int = Field(foreign_key="inspector.id", primary_key=True)
    institution_id: int = Field(foreign_key="institution.id", primary_key=True, index=True)
    started_on: dt.date
    ended_on: dt.date | None = None
