"""Rows that several store tests insert the same way."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from sqlalchemy import Connection, insert

from models import Certificate, Inspector, Institution, Organisation
from models.checklist import CheckItem
from models.reference_data import insert_reference_rows
from seed.checklist import checklist_rows

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


def insert_checklist(connection: Connection) -> None:
    """The seeded country's inspection item list (seed/checklist.py)."""
    connection.execute(insert(CheckItem.__table__), checklist_rows())


def insert_one_institution(connection: Connection) -> None:
    """The reference rows and one approved Beijing institution (id 1) for certificates to point at."""
    insert_reference_rows(connection)
    connection.execute(insert(Institution.__table__), [ONE_INSTITUTION])


def insert_guangdong_certificates(
    connection: Connection, ids: Sequence[int], *, scheme_of: Callable[[int], str] = lambda _i: "QMS"
) -> None:
    """Organisation 1 (乙公司, Guangdong) and its valid certificates ``C-<id>`` of institution 1."""
    connection.execute(
        insert(Organisation.__table__),
        [
            dict(
                id=1, name="乙公司", credit_code="91440300MA5XXXXXX1", region_code="440000", industry="制造业"
            )
        ],
    )
    connection.execute(
        insert(Certificate.__table__),
        [
            dict(
                id=i,
                number=f"C-{i}",
                institution_id=1,
                organisation_id=1,
                scheme_code=scheme_of(i),
                region_code="440000",
                issued_on=dt.date(2024, 1, 1),
                expires_on=dt.date(2027, 1, 1),
                status="valid",
            )
            for i in ids
        ],
    )


def insert_guangdong_inspectors(
    connection: Connection, ids: Sequence[int], *, active: Callable[[int], bool] = lambda _i: True
) -> None:
    """Inspectors ``检查员<id>`` of the Guangdong bureau in ``ids`` order."""
    connection.execute(
        insert(Inspector.__table__),
        [
            dict(
                id=i,
                name=f"检查员{i}",
                enforcement_id=f"GD-2024-{i:05d}",
                id_valid_until=dt.date(2028, 1, 1),
                agency="广东省市场监督管理局",
                region_code="440000",
                active=active(i),
                phone="13800000000",
            )
            for i in ids
        ],
    )
