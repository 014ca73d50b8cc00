"""Certified organisations (获证组织) and their certificates (证书)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, Column, ForeignKey, Index, Integer
from sqlmodel import Field, SQLModel

from models.vocabulary import CERTIFICATE_STATUSES, check_in


class Organisation(SQLModel, table=True):
    """An organisation holding one or more certificates."""

    __table_args__ = (Index("ix_organisation_region", "region_code"),)

    id: int = Field(primary_key=True)
    name: str = Field(max_length=64)
    credit_code: str = Field(max_length=18, unique=True)
    region_code: str = Field(foreign_key="region.code", max_length=6)
    industry: str = Field(max_length=32)


class Certificate(SQLModel, table=True):
    """One cycle of a certificate issued by an institution to an organisation under one scheme.

    Its history is in ``models.history.CertificateEvent``; ``status`` is the status now.

    ``region_code`` repeats the organisation's province so that counts by province need no join
    over millions of rows.
    """

    __table_args__ = (
        CheckConstraint(check_in("status", CERTIFICATE_STATUSES), name="ck_certificate_status"),
        CheckConstraint("expires_on > issued_on", name="ck_certificate_dates"),
        Index("ix_certificate_scheme_region_status", "scheme_code", "region_code", "status"),
        Index("ix_certificate_institution_status", "institution_id", "status"),
        Index("ix_certificate_status_expires", "status", "expires_on"),
        Index("ix_certificate_organisation", "organisation_id"),
        Index("ix_certificate_previous", "previous_id"),
    )

    id: int = Field(primary_key=True)
    number: str = Field(max_length=32, unique=True)
    institution_id: int = Field(foreign_key="institution.id")
    organisation_id: int = Field(foreign_key="organisation.id")
    scheme_code: str = Field(foreign_key="scheme.code", max_length=8)
    region_code: str = Field(foreign_key="region.code", max_length=6)
    issued_on: dt.date
    expires_on: dt.date
    status: str = Field(max_length=10)
    # The cycle this one renews (再认证); NULL for a first certification.
    previous_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer, ForeignKey("certificate.id", name="fk_certificate_previous_id"), nullable=True
        ),
    )
