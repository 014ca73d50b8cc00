"""Rows that several store tests insert the same way."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

import pandas as pd
from sqlalchemy import Connection, insert

from models import Certificate, Inspector, Institution, Organisation
from models.checklist import CheckItem
from models.db import sync_id_sequences
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
    sync_id_sequences(connection, ["inspector"])  # later imports get ids from the database


def guangdong_draw(units: Sequence[int] = (1, 2)) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(targets, teams) of a draw of the Guangdong QMS certificates ``units`` of institution 1 (two of
    three drawn), each led by the inspector of the same position (1, 2 ...)."""
    targets = pd.DataFrame(
        {
            "unit_id": list(units),
            "institution_id": [1] * len(units),
            "region": ["440000"] * len(units),
            "scheme": ["QMS"] * len(units),
            "inclusion_probability": [2 / 3] * len(units),
        }
    )
    teams = pd.DataFrame(
        {
            "unit_id": list(units),
            "inspector_id": list(range(1, len(units) + 1)),
            "role": ["lead"] * len(units),
        }
    )
    return targets, teams


def tiny_population() -> tuple[pd.DataFrame, pd.DataFrame]:
    """A three-unit Guangdong QMS frame and a two-inspector pool, as `models.lottery.open_draw` takes them."""
    frame = pd.DataFrame(
        {
            "unit_id": [1, 2, 3],
            "region": ["440000"] * 3,
            "scheme": ["QMS"] * 3,
            "institution_id": [1] * 3,
            "risk_grade": ["A"] * 3,
        }
    )
    pool = pd.DataFrame(
        {
            "inspector_id": [1, 2],
            "region": ["440000"] * 2,
            "agency": ["GD"] * 2,
            "active": [True, True],
            "id_valid_until": [dt.date(2030, 1, 1)] * 2,
            "schemes": ["QMS"] * 2,
            "affiliations": ["", ""],
        }
    )
    return frame, pool
