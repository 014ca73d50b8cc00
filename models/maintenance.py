"""Keeping the register current: the daily job that a live certification register runs."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, update

from models.access import Actor, Permission, require
from models.audit import append_audit
from models.certificates import Certificate
from models.summaries import refresh_summaries


def expire_certificates(engine: Engine, *, today: dt.date, actor: Actor) -> int:
    """Mark valid certificates whose validity ended before ``today`` as expired; refresh the summaries.

    One transaction; returns how many certificates changed. Running it twice changes nothing more. The
    month-end stocks need no refresh: they count valid and expired certificates alike. ``actor`` must
    be allowed to maintain the register; a run that changes something is written to the audit log.
    """
    require(actor, Permission.MAINTAIN_REGISTER)
    table = Certificate.__table__
    with engine.begin() as connection:
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
