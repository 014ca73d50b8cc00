"""The register's daily expiry job on both engines."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, text, update

from models import Certificate, CertificateCountByRegion
from models.access import AccessDenied
from models.maintenance import expire_certificates
from models.summaries import refresh_summaries
from tests.support.actors import ADMIN, STAFF


def _statuses(engine) -> dict[int, str]:
    table = Certificate.__table__
    with engine.connect() as connection:
        return dict(connection.execute(select(table.c.id, table.c.status)).all())


def test_expires_only_valid_certificates_past_their_date_and_refreshes_summaries(store):
    table = Certificate.__table__
    with store.begin() as connection:
        connection.execute(update(table).where(table.c.id == 1).values(expires_on=dt.date(2026, 11, 1)))
        connection.execute(
            update(table).where(table.c.id == 2).values(expires_on=dt.date(2026, 11, 2), status="suspended")
        )
        refresh_summaries(connection)
    assert expire_certificates(store, today=dt.date(2026, 11, 24), actor=ADMIN) == 1
    assert _statuses(store) == {1: "expired", 2: "suspended", 3: "valid"}
    summary = CertificateCountByRegion.__table__
    with store.connect() as connection:
        counts = dict(connection.execute(select(summary.c.status, summary.c.n)).all())
    assert counts == {"expired": 1, "suspended": 1, "valid": 1}
    assert expire_certificates(store, today=dt.date(2026, 11, 24), actor=ADMIN) == 0


def test_expiry_is_an_admin_job_and_its_run_is_audited(store):
    table = Certificate.__table__
    with store.begin() as connection:
        connection.execute(update(table).where(table.c.id == 1).values(expires_on=dt.date(2026, 11, 1)))
    with pytest.raises(AccessDenied):
        expire_certificates(store, today=dt.date(2026, 11, 24), actor=STAFF)
    assert expire_certificates(store, today=dt.date(2026, 11, 24), actor=ADMIN) == 1
    with store.connect() as connection:
        entry = connection.execute(text("SELECT action, actor_subject, details_json FROM auditentry")).one()
    assert entry[:2] == ("certificates.expire", ADMIN.subject)
    assert '"expired":1' in entry[2]
