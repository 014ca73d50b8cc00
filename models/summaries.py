"""Summary tables that keep dashboard counts fast at national scale, and their refresh.

They are derived data: ``refresh_summaries`` rebuilds them from ``certificate`` inside the caller's
transaction, and the seeder and every certificate import call it.
"""

from __future__ import annotations

from sqlalchemy import Connection, delete, func, insert, select
from sqlmodel import Field, SQLModel

from models.certificates import Certificate


class CertificateCountByRegion(SQLModel, table=True):
    """Certificates per province, scheme and status."""

    region_code: str = Field(foreign_key="region.code", primary_key=True, max_length=6)
    scheme_code: str = Field(foreign_key="scheme.code", primary_key=True, max_length=8)
    status: str = Field(primary_key=True, max_length=10)
    n: int


class CertificateCountByInstitution(SQLModel, table=True):
    """Certificates per institution, scheme and status."""

    institution_id: int = Field(foreign_key="institution.id", primary_key=True)
    scheme_code: str = Field(foreign_key="scheme.code", primary_key=True, max_length=8)
    status: str = Field(primary_key=True, max_length=10)
    n: int


class CertificateIssuance(SQLModel, table=True):
    """Certificates issued per month (``YYYY-MM``), province and scheme."""

    month: str = Field(primary_key=True, max_length=7)
    region_code: str = Field(foreign_key="region.code", primary_key=True, max_length=6)
    scheme_code: str = Field(foreign_key="scheme.code", primary_key=True, max_length=8)
    n: int


def _month_of(column, dialect_name: str):
    if dialect_name == "sqlite":
        return func.strftime("%Y-%m", column)
    return func.to_char(column, "YYYY-MM")


def refresh_summaries(connection: Connection) -> None:
    """Rebuild every certificate summary table from ``certificate`` on ``connection``."""
    cert = Certificate.__table__
    by_region = CertificateCountByRegion.__table__
    by_institution = CertificateCountByInstitution.__table__
    issuance = CertificateIssuance.__table__
    for table in (by_region, by_institution, issuance):
        connection.execute(delete(table))

    region_cols = (cert.c.region_code, cert.c.scheme_code, cert.c.status)
    connection.execute(
        insert(by_region).from_select(
            ["region_code", "scheme_code", "status", "n"],
            select(*region_cols, func.count()).group_by(*region_cols),
        )
    )
    institution_cols = (cert.c.institution_id, cert.c.scheme_code, cert.c.status)
    connection.execute(
        insert(by_institution).from_select(
            ["institution_id", "scheme_code", "status", "n"],
            select(*institution_cols, func.count()).group_by(*institution_cols),
        )
    )
    month = _month_of(cert.c.issued_on, connection.dialect.name).label("month")
    connection.execute(
        insert(issuance).from_select(
            ["month", "region_code", "scheme_code", "n"],
            select(month, cert.c.region_code, cert.c.scheme_code, func.count()).group_by(
                month, cert.c.region_code, cert.c.scheme_code
            ),
        )
    )
