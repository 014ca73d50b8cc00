"""Histories: every certificate's and institution's events, each row also the state it starts.

A ``CertificateEvent`` row is one event (issue, surveillance audit, suspension, ...) *and* the span
of the state it leaves the certificate in: ``status`` holds from ``occurred_on`` (inclusive) to
``holds_until`` (exclusive; NULL: for ever). ``holds_until`` is the next event's date, or for the last
event of a valid certificate the day after ``expires_on`` (validity lapses at expiry whether or not the
daily job has written the expiry event yet); a suspension holds until an event ends it, as the daily
job expires valid certificates only. So a certificate's status on a date
``d`` is the status of the one row with ``occurred_on <= d < holds_until``, and "valid on d" is a count
of rows; ``scheme_code``, ``region_code`` and ``institution_id`` repeat the certificate's so that the
counts need no join. Events of one certificate are ordered by ``seq`` (several can fall on one day).

Recertification starts a new cycle: a new ``certificate`` row whose ``previous_id`` is the old cycle
and whose first event is ``recertification`` rather than ``issue``.

``InstitutionEvent`` is the same for certification bodies (approval, suspension, reinstatement,
revocation, cancellation).

Rows written without a history (an older store, a hand-made row) get the history their current row
implies from ``backfill_histories``: issue on ``issued_on``; an expired certificate expires the day
after ``expires_on``; a suspended or withdrawn one, whose date is unknown, is taken to have been so
from its issue day (the rule the month-end stocks used before histories existed). Institutions alike:
approval on ``approved_on``; cancellation on the decision day of its approved cancellation
application when there is one, else (and for suspension and revocation) on ``approved_on``.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    CheckConstraint,
    Connection,
    Date,
    Index,
    UniqueConstraint,
    and_,
    case,
    exists,
    func,
    insert,
    literal,
    literal_column,
    select,
)
from sqlalchemy.exc import NoResultFound
from sqlmodel import Field, SQLModel

from models.vocabulary import (
    CERTIFICATE_EVENT_KINDS,
    CERTIFICATE_STATUSES,
    INSTITUTION_EVENT_KINDS,
    INSTITUTION_STATUSES,
    check_in,
)

# The status each event kind leaves a certificate in; None: unchanged (audits, scope changes).
CERTIFICATE_STATUS_AFTER: dict[str, str | None] = {
    "issue": "valid",
    "surveillance": None,
    "suspension": "suspended",
    "reinstatement": "valid",
    "scope_change": None,
    "withdrawal": "withdrawn",
    "expiry": "expired",
    "recertification": "valid",
}
INSTITUTION_STATUS_AFTER: dict[str, str] = {
    "approval": "approved",
    "suspension": "suspended",
    "reinstatement": "approved",
    "revocation": "revoked",
    "cancellation": "cancelled",
}
# The statuses a certificate must have for each kind of event; None: the event opens a cycle.
ALLOWED_BEFORE: dict[str, tuple[str, ...] | None] = {
    "issue": None,
    "recertification": None,
    "surveillance": ("valid",),
    "scope_change": ("valid", "suspended"),
    "suspension": ("valid",),
    "reinstatement": ("suspended",),
    "withdrawal": ("valid", "suspended"),
    "expiry": ("valid",),
}
# Statuses that end at the certificate's expiry when no later event ends them first.
LAPSING_STATUSES = ("valid",)
ISSUING_KINDS = ("issue", "recertification")


class CertificateEvent(SQLModel, table=True):
    """One event of a certificate and the status it holds from then until ``holds_until`` (exclusive)."""

    __table_args__ = (
        CheckConstraint(check_in("kind", CERTIFICATE_EVENT_KINDS), name="ck_certificateevent_kind"),
        CheckConstraint(check_in("status", CERTIFICATE_STATUSES), name="ck_certificateevent_status"),
        CheckConstraint("holds_until IS NULL OR holds_until >= occurred_on", name="ck_certificateevent_span"),
        UniqueConstraint("certificate_id", "seq", name="uq_certificateevent_certificate_seq"),
        # Stock on a date: spans of one status starting, or ending, in a range of dates. Both indexes
        # cover every column those counts read, so that SQLite takes the one whose range is narrow.
        Index(
            "ix_certificateevent_status_start",
            "status",
            "occurred_on",
            "scheme_code",
            "region_code",
            "kind",
            "holds_until",
        ),
        Index(
            "ix_certificateevent_status_end",
            "status",
            "holds_until",
            "occurred_on",
            "scheme_code",
            "region_code",
        ),
        Index("ix_certificateevent_institution", "institution_id", "status", "occurred_on"),
    )

    id: int = Field(primary_key=True)
    certificate_id: int = Field(foreign_key="certificate.id")
    seq: int
    kind: str = Field(max_length=16)
    occurred_on: dt.date
    status: str = Field(max_length=10)
    holds_until: dt.date | None = None
    scheme_code: str = Field(foreign_key="scheme.code", max_length=8)
    region_code: str = Field(foreign_key="region.code", max_length=6)
    institution_id: int = Field(foreign_key="institution.id")


class InstitutionEvent(SQLModel, table=True):
    """One event of a certification body and the status it holds from then until ``holds_until``."""

    __table_args__ = (
        CheckConstraint(check_in("kind", INSTITUTION_EVENT_KINDS), name="ck_institutionevent_kind"),
        CheckConstraint(check_in("status", INSTITUTION_STATUSES), name="ck_institutionevent_status"),
        CheckConstraint("holds_until IS NULL OR holds_until >= occurred_on", name="ck_institutionevent_span"),
        UniqueConstraint("institution_id", "seq", name="uq_institutionevent_institution_seq"),
        Index("ix_institutionevent_status_start", "status", "occurred_on"),
    )

    id: int = Field(primary_key=True)
    institution_id: int = Field(foreign_key="institution.id")
    seq: int
    kind: str = Field(max_length=16)
    occurred_on: dt.date
    status: str = Field(max_length=12)
    holds_until: dt.date | None = None
    region_code: str = Field(foreign_key="region.code", max_length=6)


def day_after(column, dialect_name: str):
    """The date one day after a date column, on SQLite (ISO text) and PostgreSQL."""
    if dialect_name == "sqlite":
        return func.date(column, "+1 day")
    return column + literal_column("1")


def null_date():
    """A typed NULL date for INSERT ... SELECT lists."""
    return literal(None, Date)


# Insert order of ``certificateevent`` rows written by INSERT ... SELECT.
CERTIFICATE_EVENT_INSERT_COLUMNS = (
    "certificate_id",
    "seq",
    "kind",
    "occurred_on",
    "status",
    "holds_until",
    "scheme_code",
    "region_code",
    "institution_id",
)


def backfill_certificate_events(connection: Connection) -> None:
    """Give every certificate without events the history its row implies (module docstring)."""
    from models.certificates import Certificate

    cert, event = Certificate.__table__, CertificateEvent.__table__
    dialect = connection.dialect.name
    lapse = day_after(cert.c.expires_on, dialect)
    no_events = ~exists().where(event.c.certificate_id == cert.c.id)
    columns = list(CERTIFICATE_EVENT_INSERT_COLUMNS)
    shared = (cert.c.scheme_code, cert.c.region_code, cert.c.institution_id)
    # The closing event first, while "no events yet" still tells the certificates apart.
    closing = select(
        cert.c.id,
        literal(2),
        case(
            (cert.c.status == "suspended", literal("suspension")),
            (cert.c.status == "withdrawn", literal("withdrawal")),
            else_=literal("expiry"),
        ),
        case((cert.c.status == "expired", lapse), else_=cert.c.issued_on),
        cert.c.status,
        null_date(),
        *shared,
    ).where(cert.c.status != "valid", no_events)
    connection.execute(insert(event).from_select(columns, closing))
    no_first = ~exists().where(and_(event.c.certificate_id == cert.c.id, event.c.seq == 1))
    opening = select(
        cert.c.id,
        literal(1),
        case((cert.c.previous_id.is_(None), literal("issue")), else_=literal("recertification")),
        cert.c.issued_on,
        literal("valid"),
        case((cert.c.status.in_(("valid", "expired")), lapse), else_=cert.c.issued_on),
        *shared,
    ).where(no_first)
    connection.execute(insert(event).from_select(columns, opening))


def backfill_institution_events(connection: Connection) -> None:
    """Give every institution without events the history its row implies (module docstring)."""
    from models.institutions import ApprovalApplication, Institution

    inst, event, app = Institution.__table__, InstitutionEvent.__table__, ApprovalApplication.__table__
    no_events = ~exists().where(event.c.institution_id == inst.c.id)
    cancelled_on = (
        select(func.max(app.c.decided_on))
        .where(
            app.c.institution_id == inst.c.id,
            app.c.type == "cancel",
            app.c.status == "approved",
        )
        .scalar_subquery()
    )
    closed_on = case(
        (inst.c.status == "cancelled", func.coalesce(cancelled_on, inst.c.approved_on)),
        else_=inst.c.approved_on,
    )
    columns = ["institution_id", "seq", "kind", "occurred_on", "status", "holds_until", "region_code"]
    closing = select(
        inst.c.id,
        literal(2),
        case(
            (inst.c.status == "suspended", literal("suspension")),
            (inst.c.status == "revoked", literal("revocation")),
            else_=literal("cancellation"),
        ),
        closed_on,
        inst.c.status,
        null_date(),
        inst.c.region_code,
    ).where(inst.c.status != "approved", no_events)
    connection.execute(insert(event).from_select(columns, closing))
    no_first = ~exists().where(and_(event.c.institution_id == inst.c.id, event.c.seq == 1))
    following = (
        select(event.c.occurred_on)
        .where(event.c.institution_id == inst.c.id, event.c.seq == 2)
        .scalar_subquery()
    )
    opening = select(
        inst.c.id,
        literal(1),
        literal("approval"),
        inst.c.approved_on,
        literal("approved"),
        following,
        inst.c.region_code,
    ).where(no_first)
    connection.execute(insert(event).from_select(columns, opening))


def backfill_histories(connection: Connection) -> None:
    """``backfill_certificate_events`` and ``backfill_institution_events``."""
    backfill_certificate_events(connection)
    backfill_institution_events(connection)


def _status_after(kind: str, current: str | None) -> str:
    status = CERTIFICATE_STATUS_AFTER[kind]
    if status is None:
        if current is None:
            raise ValueError(f"a certificate's history cannot start with {kind!r}")
        return current
    return status


def append_certificate_event(
    connection: Connection, certificate_id: int, kind: str, occurred_on: dt.date
) -> str:
    """Append one event to a certificate's history and set its current status; returns that status.

    The building block of the write functions (which check the actor and write the audit entry): the
    last span ends on ``occurred_on``, the new one holds until expiry (valid) or for ever, and
    ``certificate.status`` follows. Raises ValueError for an unknown kind, an event dated before the
    certificate's last one, or one its status does not allow (``ALLOWED_BEFORE``: no reinstatement of
    a valid certificate, nothing after a withdrawal).
    """
    from models.certificates import Certificate

    if kind not in CERTIFICATE_STATUS_AFTER:
        raise ValueError(f"unknown certificate event kind {kind!r}")
    cert, event = Certificate.__table__, CertificateEvent.__table__
    row = connection.execute(
        select(cert.c.scheme_code, cert.c.region_code, cert.c.institution_id, cert.c.expires_on).where(
            cert.c.id == certificate_id
        )
    ).one()
    last = connection.execute(
        select(event.c.id, event.c.seq, event.c.occurred_on, event.c.status)
        .where(event.c.certificate_id == certificate_id)
        .order_by(event.c.seq.desc())
        .limit(1)
    ).first()
    if last is not None and occurred_on < last.occurred_on:
        raise ValueError(
            f"certificate {certificate_id}: {kind} on {occurred_on} precedes its last event "
            f"({last.occurred_on})"
        )
    before = last.status if last else None
    allowed = ALLOWED_BEFORE[kind]
    if (allowed is None) != (before is None) or (allowed is not None and before not in allowed):
        after = "as its first event" if allowed is None else f"to a {' or '.join(allowed)} certificate"
        raise ValueError(
            f"certificate {certificate_id}: {kind} happens only {after}; it is {before or 'without history'}"
        )
    status = _status_after(kind, before)
    lapse = row.expires_on + dt.timedelta(days=1)
    if last is not None:
        connection.execute(event.update().where(event.c.id == last.id).values(holds_until=occurred_on))
    connection.execute(
        insert(event).values(
            certificate_id=certificate_id,
            seq=(last.seq if last else 0) + 1,
            kind=kind,
            occurred_on=occurred_on,
            status=status,
            holds_until=max(lapse, occurred_on) if status in LAPSING_STATUSES else None,
            scheme_code=row.scheme_code,
            region_code=row.region_code,
            institution_id=row.institution_id,
        )
    )
    connection.execute(cert.update().where(cert.c.id == certificate_id).values(status=status))
    return status


def record_certificate_event(
    engine, certificate_id: int, kind: str, occurred_on: dt.date, *, actor, note: str = ""
) -> str:
    """Record one event of a certificate (a suspension, a reinstatement, an audit...) for ``actor``.

    One transaction: the event (``append_certificate_event``), the summaries refreshed, an audit
    entry ``certificate.event``. Returns the certificate's status afterwards. Raises AccessDenied
    unless the actor may maintain the register, WorkflowError (code ``certificate_event``) for an
    unknown certificate or an event its history does not allow.
    """
    from models.access import Permission, require
    from models.audit import append_audit
    from models.draw_records import WorkflowError
    from models.summaries import refresh_summaries

    require(actor, Permission.MAINTAIN_REGISTER)
    with engine.begin() as connection:
        try:
            status = append_certificate_event(connection, certificate_id, kind, occurred_on)
        except ValueError as error:
            raise WorkflowError(str(error), code="certificate_event", certificate_id=certificate_id) from None
        except NoResultFound:
            raise WorkflowError(
                f"no certificate with id {certificate_id}",
                code="certificate_event",
                certificate_id=certificate_id,
            ) from None
        refresh_summaries(connection)
        append_audit(
            connection,
            actor,
            "certificate.event",
            "certificate",
            certificate_id,
            {"kind": kind, "occurred_on": occurred_on.isoformat(), "status": status, "note": note},
        )
    return status
