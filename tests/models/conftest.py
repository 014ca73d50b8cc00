"""A small known store on both engines for the workflow and campaign tests."""

from __future__ import annotations

import pytest

from tests.support.rows import (
    insert_checklist,
    insert_guangdong_certificates,
    insert_guangdong_inspectors,
    insert_one_institution,
)


@pytest.fixture
def store(migrated_engine):
    """One institution, one organisation, three valid QMS certificates in Guangdong, two inspectors,
    and the inspection item list."""
    with migrated_engine.begin() as connection:
        insert_one_institution(connection)
        insert_checklist(connection)
        insert_guangdong_certificates(connection, (1, 2, 3))
        insert_guangdong_inspectors(connection, (1, 2))
    return migrated_engine
