"""A small known store on both engines for the workflow and campaign tests."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import insert

from models import Certificate, Inspector, Organisation
from tests.support.rows import insert_one_institution


@pytest.fixture
def store(migrated_engine):
    """One institution, one organisation, three valid QMS certificates in Guangdong, two inspectors."""
    with migrated_engine.begin() as connection:
        insert_one_institution(connection)
        connection.execute(
            insert(Organisation.__table__),
            [
                dict(
                    id=1,
                    name="乙公司",
                    credit_code="91440300MA5XXXXXX1",
                    region_code="440000",
                    industry="制造业",
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
                    scheme_code="QMS",
                    region_code="440000",
                    issued_on=dt.date(2024, 1, 1),
                    expires_on=dt.date(2027, 1, 1),
                    status="valid",
                )
                for i in (1, 2, 3)
            ],
        )
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
                    active=True,
                    phone="13800000000",
                )
                for i in (1, 2)
            ],
        )
    return migrated_engine
