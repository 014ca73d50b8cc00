"""The users table (subject -> role, province) and how a signed-in identity becomes an Actor.

Resolution, in order (see README "Sign-in"):

1. a row in ``appuser`` for the identity's ``sub``: its role and province win, and an inactive
   row refuses access — this is how an admin grants, changes or withdraws a role in the app;
2. otherwise the identity provider's claims: ``role`` and ``province`` (claim names configurable
   with ``REGDASH_ROLE_CLAIM`` / ``REGDASH_PROVINCE_CLAIM``; a dotted name such as
   ``realm_access.roles`` reads a nested claim, and a list claim takes its one regdash role);
3. otherwise the signed-in person has no role and sees only what the public sees.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import CheckConstraint, Engine, select
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Field, SQLModel

from models.access import Actor, Permission, Role, require
from models.audit import append_audit
from models.reference_data import PROVINCES
from models.text import normalise_or_none
from models.vocabulary import check_in

LOG = logging.getLogger(__name__)
SESSION_HOURS_ENV = "REGDASH_SESSION_HOURS"
DEFAULT_SESSION_HOURS = 12.0
ROLE_CLAIM_ENV = "REGDASH_ROLE_CLAIM"
PROVINCE_CLAIM_ENV = "REGDASH_PROVINCE_CLAIM"
PROVINCE_CODES = frozenset(code for code, *_ in PROVINCES)
# When a list claim carries several regdash roles, the one with most rights is taken.
_ROLE_ORDER = (Role.ADMIN, Role.SUPERVISOR, Role.PLANNER, Role.BUREAU, Role.STAFF, Role.PUBLIC)


class AppUser(SQLModel, table=True):
    """A person's role and province as kept by an admin, keyed by the identity provider's subject."""

    __table_args__ = (CheckConstraint(check_in("role", tuple(Role)), name="ck_appuser_role"),)

    subject: str = Field(primary_key=True, max_length=255)
    display_name: str = Field(default="", max_length=128)
    role: str = Field(max_length=16)
    province: str | None = Field(default=None, foreign_key="region.code", max_length=6)
    active: bool = True
    updated_at: dt.datetime
    updated_by: str = Field(max_length=255)


GRANTABLE_ROLES = tuple(str(role) for role in Role if role is not Role.PUBLIC)


class UserError(ValueError):
    """A user row that cannot be written as given; ``code`` and ``field`` name what is wrong."""

    def __init__(self, code: str, field: str, value: object) -> None:
        self.code, self.field, self.value = code, field, value
        super().__init__(f"{field}: {code} ({value!r})")


@dataclass(frozen=True)
class Resolution:
    """The outcome of signing in: the actor to act as, and why it has no role when it has none.

    ``problem`` is None, ``no_role`` (neither table nor claims give one), ``inactive`` (an admin
    withdrew access), ``no_province`` (a bureau without a known province) or ``expired`` (the sign-in
    is older than ``REGDASH_SESSION_HOURS``, default 12: Streamlit's sign-in cookie lives 30 days and
    signing out elsewhere does not revoke it, so a role is honoured only this long after the
    identity provider issued the ID token, its ``iat`` claim).
    """

    actor: Actor
    problem: str | None = None
    source: str = "claims"  # "table" or "claims"


def _claim(claims: Mapping[str, object], name: str) -> object:
    value: object = claims
    for part in name.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def _role_from_claim(value: object) -> Role | None:
    values = value if isinstance(value, list | tuple) else [value]
    found = {Role(v) for v in values if isinstance(v, str) and v in tuple(Role)}
    return next((role for role in _ROLE_ORDER if role in found), None)


def _province_from_claim(value: object) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text if text in PROVINCE_CODES else None


def session_hours() -> float:
    """How long a sign-in is honoured (``REGDASH_SESSION_HOURS``, default 12; unreadable: default)."""
    try:
        hours = float(os.environ.get(SESSION_HOURS_ENV) or DEFAULT_SESSION_HOURS)
    except ValueError:
        return DEFAULT_SESSION_HOURS
    return hours if hours > 0 else DEFAULT_SESSION_HOURS


def _expired(issued_at: object) -> bool:
    if not isinstance(issued_at, int | float) or isinstance(issued_at, bool):
        return False  # a provider that sends no iat: nothing to check against
    age = dt.datetime.now(dt.UTC).timestamp() - float(issued_at)
    return age > session_hours() * 3600


def resolve_actor(engine: Engine, claims: Mapping[str, object]) -> Resolution:
    """The Actor for a signed-in identity's ``claims`` (an ID token's claims: ``sub``, ``name`` ...)."""
    subject = str(claims.get("sub") or claims.get("email") or "")
    name = str(claims.get("name") or claims.get("email") or subject)
    nobody = Actor(subject=subject, name=name, role=Role.PUBLIC)
    if not subject:
        return Resolution(nobody, "no_role")
    if _expired(claims.get("iat")):
        return Resolution(nobody, "expired")
    table = AppUser.__table__
    try:
        with engine.connect() as connection:
            row = connection.execute(select(table).where(table.c.subject == subject)).mappings().first()
    except SQLAlchemyError as error:  # a store not created or migrated yet has no users table
        LOG.warning("users table unavailable, roles from claims only: %s", type(error).__name__)
        row = None
    if row is not None:
        if not row["active"]:
            return Resolution(nobody, "inactive", "table")
        role, province, source = Role(row["role"]), row["province"], "table"
        name = row["display_name"] or name
    else:
        role = _role_from_claim(_claim(claims, os.environ.get(ROLE_CLAIM_ENV) or "role"))
        province = _province_from_claim(_claim(claims, os.environ.get(PROVINCE_CLAIM_ENV) or "province"))
        source = "claims"
        if role is None:
            return Resolution(nobody, "no_role")
    actor = Actor(subject=subject, name=name, role=role, province=province)
    if role is Role.BUREAU and not province:
        return Resolution(Actor(subject=subject, name=name, role=Role.PUBLIC), "no_province", source)
    return Resolution(actor, None, source)


def set_user(
    engine: Engine,
    *,
    actor: Actor,
    subject: str,
    role: str,
    province: str | None = None,
    display_name: str | None = None,
    active: bool = True,
) -> None:
    """Grant or change a person's role (admins only); written with the actor into the audit log.

    ``display_name`` None keeps the name the row has (empty for a new row).

    Subject and name go through ``models.text.normalise`` (NFKC: full-width forms as typed with
    Chinese input methods become ASCII). Raises ``AccessDenied`` for a non-admin and ``UserError``
    for an empty subject or one with spaces, control or invisible characters, such a name, a role
    that is not grantable (the public role is no role), a bureau without a known province or a
    province that is not a GB/T 2260 code.
    """
    require(actor, Permission.MANAGE_USERS)
    typed_subject, subject = subject, normalise_or_none(subject) or ""
    if not subject or len(subject) > 255 or any(ch.isspace() for ch in subject):
        raise UserError("subject_invalid", "subject", typed_subject)
    if display_name is not None:
        typed_name, display_name = display_name, normalise_or_none(display_name)
        if display_name is None:
            raise UserError("name_invalid", "display_name", typed_name)
    if role not in GRANTABLE_ROLES:
        raise UserError("role_unknown", "role", role)
    if province is not None and province not in PROVINCE_CODES:
        raise UserError("province_unknown", "province", province)
    if role == Role.BUREAU and province is None:
        raise UserError("province_required", "province", province)
    if display_name is not None and len(display_name) > 128:
        raise UserError("too_long", "display_name", display_name[:20])
    values = dict(
        role=role,
        province=province,
        active=active,
        updated_at=dt.datetime.now(dt.UTC),
        updated_by=actor.subject,
    )
    table = AppUser.__table__
    with engine.begin() as connection:
        exists = connection.execute(select(table.c.display_name).where(table.c.subject == subject)).first()
        values["display_name"] = display_name if display_name is not None else (exists[0] if exists else "")
        if exists:
            connection.execute(table.update().where(table.c.subject == subject).values(**values))
        else:
            connection.execute(table.insert().values(subject=subject, **values))
        audit_values = {k: v for k, v in values.items() if k != "updated_at"}
        append_audit(
            connection,
            actor,
            "user.set",
            "appuser",
            subject,
            {**audit_values, "created": not exists},
            rows={"appuser": subject},
        )


def user_table(engine: Engine, *, actor: Actor) -> pd.DataFrame:
    """Every row of the users table (admins only): subject, display_name, role, province, active, ..."""
    require(actor, Permission.MANAGE_USERS)
    table = AppUser.__table__
    with engine.connect() as connection:
        rows = connection.execute(select(table).order_by(table.c.role, table.c.subject)).mappings().all()
    return pd.DataFrame(rows, columns=[c.name for c in table.columns])
