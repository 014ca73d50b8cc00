"""Schema constraints on both engines: uniqueness, foreign keys, closed vocabularies, migrations."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import insert, inspect, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel

from models import Certificate, Institution
from models.migrate import current_revision
from models.reference_data import PROVINCES, SCHEMES, insert_reference_rows


def _certificate(number: str, **overrides) -> dict:
    row = dict(
        number=number,
        institution_id=1,
        organisation_id=1,
        scheme_code="QMS",
        region_code="440000",
        issued_on=dt.date(2024, 1, 1),
        expires_on=dt.date(2027, 1, 1),
        status="valid",
    )
    row.update(overrides)
    return row


def test_migration_creates_every_table_of_the_models(migrated_engine):
    tables = set(inspect(migrated_engine).get_table_names())
    assert set(SQLModel.metadata.tables) <= tables
    assert current_revision(migrated_engine) is not None


def test_reference_rows_are_31_provinces_and_all_schemes(migrated_engine):
    with migrated_engine.begin() as connection:
        insert_reference_rows(connection)
        insert_reference_rows(connection)  # idempotent
        regions = connection.execute(select(SQLModel.metadata.tables["region"].c.code)).scalars().all()
        schemes = connection.execute(select(SQLModel.metadata.tables["scheme"].c.code)).scalars().all()
    assert len(regions) == len(PROVINCES) == 31
    assert sorted(schemes) == sorted(code for code, *_ in SCHEMES)


def test_duplicate_certificate_number_is_rejected(store):
    with store.begin() as connection:
        connection.execute(insert(Certificate.__table__), [_certificate("CN-QMS-0001", id=4)])
    with pytest.raises(IntegrityError), store.begin() as connection:
        connection.execute(insert(Certificate.__table__), [_certificate("CN-QMS-0001")])
    with store.connect() as connection:
        assert connection.execute(select(Certificate.__table__.c.id)).scalars().all() == [1, 2, 3, 4]


def test_foreign_key_to_unknown_institution_is_rejected(store):
    with pytest.raises(IntegrityError), store.begin() as connection:
        connection.execute(insert(Certificate.__table__), [_certificate("CN-QMS-0002", institution_id=999)])


def test_foreign_key_to_unknown_province_is_rejected(store):
    with pytest.raises(IntegrityError), store.begin() as connection:
        connection.execute(insert(Certificate.__table__), [_certificate("CN-QMS-0003", region_code="990000")])


@pytest.mark.parametrize(
    ("field", "value"),
    [("status", "lost"), ("expires_on", dt.date(2020, 1, 1))],
)
def test_certificate_check_constraints(store, field, value):
    with pytest.raises(IntegrityError), store.begin() as connection:
        connection.execute(insert(Certificate.__table__), [_certificate("CN-QMS-0004", **{field: value})])


def test_institution_risk_grade_outside_a_to_d_is_rejected(migrated_engine):
    with migrated_engine.begin() as connection:
        insert_reference_rows(connection)
    with pytest.raises(IntegrityError), migrated_engine.begin() as connection:
        connection.execute(
            insert(Institution.__table__),
            [
                dict(
                    id=2,
                    name="X",
                    credit_code="91110000100000001X",
                    approval_number="CNCA-R-2017-002",
                    region_code="110000",
                    status="approved",
                    approved_on=dt.date(2017, 5, 1),
                    risk_grade="E",
                )
            ],
        )
