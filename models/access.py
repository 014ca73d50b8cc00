"""Who may do what: roles, the acting user, and the one permission check every write makes.

Roles follow the people of 双随机一公开 (shared/DESIGN.md):

========== ==============================================================================
role       may
========== ==============================================================================
public     read published results (anonymous visitors)
staff      read the staff pages; personal data (phones, full enforcement-ID numbers) masked
planner    staff, plus plan and commit draws
bureau     staff, plus record outcomes for the targets of its own province only
supervisor staff with personal data unmasked, plus record outcomes anywhere (central team),
           publish campaigns, maintain the inspector registry
admin      staff, plus keep the users table (who has which role), the inspector registry and the
           register's daily jobs
========== ==============================================================================

The check is here, in ``models``, and every write function calls :func:`require`; pages hiding
a button is a convenience, not the control. No Streamlit here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    """A user's role; the value is what an identity-provider claim or the users table holds."""

    PUBLIC = "public"
    STAFF = "staff"
    PLANNER = "planner"
    BUREAU = "bureau"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


class Permission(StrEnum):
    """One thing a role may do."""

    READ_STAFF = "read_staff"  # the staff pages: registers, outcomes, campaigns, planning figures
    READ_PERSONAL = "read_personal"  # unmasked phone numbers and enforcement-ID numbers
    DRAW = "draw"  # commit a draw (targets and inspector teams) for a campaign
    RECORD_OUTCOME = "record_outcome"  # record inspection results (bureau: own province only)
    REVIEW_OUTCOME = "review_outcome"  # approve or return recorded results
    PUBLISH = "publish"  # publish a campaign's results (一公开)
    MANAGE_INSPECTORS = "manage_inspectors"  # add and import inspectors
    MANAGE_USERS = "manage_users"  # grant roles and provinces
    MAINTAIN_REGISTER = "maintain_register"  # the register's daily jobs (expiry)


_STAFF = frozenset({Permission.READ_STAFF})
ROLE_PERMISSIONS: Mapping[Role, frozenset[Permission]] = {
    Role.PUBLIC: frozenset(),
    Role.STAFF: _STAFF,
    Role.PLANNER: _STAFF | {Permission.DRAW},
    Role.BUREAU: _STAFF | {Permission.RECORD_OUTCOME},
    Role.SUPERVISOR: _STAFF
    | {
        Permission.READ_PERSONAL,
        Permission.RECORD_OUTCOME,
        Permission.REVIEW_OUTCOME,
        Permission.PUBLISH,
        Permission.MANAGE_INSPECTORS,
    },
    Role.ADMIN: _STAFF
    | {Permission.MANAGE_USERS, Permission.MANAGE_INSPECTORS, Permission.MAINTAIN_REGISTER},
}

# Roles whose writes are limited to one province.
PROVINCE_SCOPED_ROLES = frozenset({Role.BUREAU})


@dataclass(frozen=True)
class Actor:
    """The person acting: identity-provider subject, display name, role and (for bureaus) province.

    ``province`` is a GB/T 2260 code (``440000``); it is required for province-scoped roles and
    ignored for the others.
    """

    subject: str
    name: str
    role: Role
    province: str | None = None

    def can(self, permission: Permission) -> bool:
        """True when the actor's role carries ``permission``."""
        return permission in ROLE_PERMISSIONS[self.role]

    @property
    def scope_province(self) -> str | None:
        """The one province this actor's campaign targets and writes are limited to, or None for national.

        Aggregate pages (overview, registers, outcome rates) stay national for every staff role.
        """
        return self.province if self.role in PROVINCE_SCOPED_ROLES else None

    def as_record(self) -> dict[str, str | None]:
        """The actor as stored beside every write (subject, name, role, province)."""
        return {"subject": self.subject, "name": self.name, "role": str(self.role), "province": self.province}


PUBLIC_VISITOR = Actor(subject="anonymous", name="", role=Role.PUBLIC)
SYSTEM_SEEDER = Actor(subject="system:seed", name="演示数据生成 (seed)", role=Role.ADMIN)


def operator(user: str) -> Actor:
    """The person running ``regdash`` commands on the server: trusted with the admin role.

    ``user`` is the operating-system account (``getpass.getuser()``); the subject is ``cli:<user>``.
    """
    return Actor(subject=f"cli:{user}", name=f"{user} (command line)", role=Role.ADMIN)


class AccessDenied(PermissionError):
    """The actor may not do this. ``code`` names the reason for translation:

    ``permission`` (the role lacks it), ``province`` (a bureau acting outside its province),
    ``no_province`` (a province-scoped role without a province).
    """

    def __init__(self, code: str, actor: Actor, permission: Permission, province: str | None = None) -> None:
        self.code = code
        self.actor = actor
        self.permission = permission
        self.province = province
        detail = f" in province {province}" if province else ""
        super().__init__(f"role '{actor.role}' may not {permission}{detail} ({code})")


def require(actor: Actor, permission: Permission, *, province: str | None = None) -> None:
    """Raise :class:`AccessDenied` unless ``actor`` may use ``permission`` (in ``province``).

    ``province`` is the province of the thing being written (a target's region); a province-scoped
    actor may act only on its own.
    """
    if not isinstance(actor, Actor):
        raise TypeError(f"an Actor is required, not {type(actor).__name__}")
    if not actor.can(permission):
        raise AccessDenied("permission", actor, permission, province)
    if actor.role in PROVINCE_SCOPED_ROLES:
        if not actor.province:
            raise AccessDenied("no_province", actor, permission, province)
        if province is not None and province != actor.province:
            raise AccessDenied("province", actor, permission, province)


def sees_personal_data(role: Role) -> bool:
    """True only for roles cleared to see phone numbers and full ID numbers."""
    return Permission.READ_PERSONAL in ROLE_PERMISSIONS[role]
