"""Keeping the register current: the daily job that a live certification register runs."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, exists, func, insert, literal, select, update

from models.access import Actor, Permission, require
from models.audit import append_audit
from models.certificates import Certificate
from models.history import CERTIFICATE_EVENT_INSERT_COLUMNS, CertificateEvent, day_after, null_date
from models.summaries import refresh_summaries


def expire_certificates(engine: Engine, *, today: dt.date, actor: Actor) -> int:
    """Mark valid certificates whose validity ended before ``today`` as expired; refresh the summaries.

    One transaction; returns how many certificates changed. Running it twice changes nothing more. Each
    gets an ``expiry`` event on the day after ``expires_on`` (its valid span already ended there, so the
    month-end stocks need no refresh). ``actor`` must be allowed to maintain the register; a run that
    changes something is written to the audit log.
    """
    require(actor, Permission.MAINTAIN_REGISTER)
    table = Certificate.__table__
    with engine.begin() as connection:
        _append_expiry_events(connection, today)
        changed = connection.execute(
            update(table)
            .where(table.c.status == "valid", table.c.expires_on < today)
            .values(status="expired")
        ).rowcount
        if changed:
            # Valid to expired does not change whether a certificate stood at a past month end.
            refresh_summaries(connection, stocks=False)
            append_audit(
                connection,
                actor,
                "certificates.expire",
                "certificate",
                "register",
                {"today": today.isoformat(), "expired": int(changed)},
            )
    return int(changed)


def _append_expiry_events(connection, today: dt.date) -> None:
    """Expiry events for the certificates ``expire_certificates`` is about to mark expired.

    Their last span is a valid one ending the day after ``expires_on``, which is where the expiry
    event goes, so no earlier row changes. Certificates without a history yet get theirs from
    ``backfill_histories`` (the summaries refresh), after the status change.
    """
    cert, event = Certificate.__table__, CertificateEvent.__table__
    older = event.alias("older")
    last_seq = select(func.max(older.c.seq)).where(older.c.certificate_id == cert.c.id).scalar_subquery()
    query = select(
        cert.c.id,
        last_seq + 1,
        literal("expiry"),
        day_after(cert.c.expires_on, connection.dialect.name),
        literal("expired"),
        null_date(),
        cert.c.scheme_code,
        cert.c.region_code,
        cert.c.institution_id,
    ).where(
        cert.c.status == "valid",
        cert.c.expires_on < today,
        exists().where(event.c.certificate_id == cert.c.id),
    )
    connection.execute(insert(event).from_select(list(CERTIFICATE_EVENT_INSERT_COLUMNS), query))
