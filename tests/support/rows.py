"""Rows that several store tests insert the same way."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, insert

from models import Institution
from models.reference_data import insert_reference_rows

ONE_INSTITUTION = dict(
    id=1,
    name="甲认证",
    credit_code="91110000100000000X",
    approval_number="CNCA-R-2017-001",
    region_code="110000",
    status="approved",
    approved_on=dt.date(2017, 5, 1),
    risk_grade="B",
)


def insert_one_institution(connection: Connection) -> None:
    """The reference rows and one approved Beijing institution (id 1) for certificates to point at."""
    insert_reference_rows(connection)
    connection.execute(insert(Institution.__table__), [ONE_INSTITUTION])
