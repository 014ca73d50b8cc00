"""Certification bodies (认证机构), their approved schemes and administrative approvals (行政审批)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, Index
from sqlmodel import Field, SQLModel

from models.vocabulary import (
    APPLICATION_STATUSES,
    APPLICATION_TYPES,
    INSTITUTION_STATUSES,
    RISK_GRADES,
    check_in,
)


class Institution(SQLModel, table=True):
    """An approved certification body."""

    __table_args__ = (
        CheckConstraint(check_in("status", INSTITUTION_STATUSES), name="ck_institution_status"),
        CheckConstraint(check_in("risk_grade", RISK_GRADES), name="ck_institution_risk_grade"),
        CheckConstraint("length(credit_code) = 18", name="ck_institution_credit_code"),
        Index("ix_institution_region_status", "region_code", "status"),
    )

    id: int = Field(primary_key=True)
    name: str = Field(max_length=64, unique=True)
    credit_code: str = Field(max_length=18, unique=True)  # 统一社会信用代码
    approval_number: str = Field(max_length=24, unique=True)  # CNCA-R-YYYY-NNN
    region_code: str = Field(foreign_key="region.code", max_length=6)
    status: str = Field(max_length=12)
    approved_on: dt.date
    risk_grade: str = Field(max_length=1)


class InstitutionScheme(SQLModel, table=True):
    """A scheme an institution is approved to certify."""

    institution_id: int = Field(foreign_key="institution.id", primary_key=True)
    scheme_code: str = Field(foreign_key="scheme.code", primary_key=True, max_length=8)
    approved_on: dt.date


class ApprovalApplication(SQLModel, table=True):
    """An application handled by the online approval system (live since 2017-04-01)."""

    __table_args__ = (
        CheckConstraint(check_in("type", APPLICATION_TYPES), name="ck_application_type"),
        CheckConstraint(check_in("status", APPLICATION_STATUSES), name="ck_application_status"),
        CheckConstraint("decided_on IS NULL OR decided_on >= submitted_on", name="ck_application_dates"),
        Index("ix_application_submitted", "submitted_on"),
        Index("ix_application_type_status", "type", "status"),
    )

    id: int = Field(primary_key=True)
    institution_id: int | None = Field(default=None, foreign_key="institution.id", index=True)
    applicant_name: str = Field(max_length=64)
    region_code: str = Field(foreign_key="region.code", max_length=6)
    type: str = Field(max_length=12)
    status: str = Field(max_length=12)
    submitted_on: dt.date
    accepted_on: dt.date | None = None
    decided_on: dt.date | None = None
    reviewer_office: str = Field(max_length=32)
