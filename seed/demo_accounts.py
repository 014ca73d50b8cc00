"""The demonstration accounts: one per signed-in role, plus a second provincial bureau.

These are *demo* identities only. ``regdash serve --demo`` (``make run``) hands them to a local
OpenID Connect provider (oidc-provider-mock) on loopback, where each appears as a one-click button;
the tests start the same provider with the same accounts. A real deployment gets its users from its
own identity provider and never sees these.

Each account carries the claims the app reads from the ID token: ``sub`` (stable identifier),
``email``, ``name`` (a Chinese display name marked 演示, "demo"), ``role`` (one of
:data:`ROLES`) and ``province`` (a GB/T 2260 six-digit code for bureau accounts, ``None`` for the rest;
a ``None`` province is left out of the claims). The public role has no account: it is anonymous.
"""

from __future__ import annotations

ROLES = ("staff", "planner", "bureau", "supervisor", "admin")

DEMO_ACCOUNTS: tuple[dict[str, str | None], ...] = (
    {
        "sub": "staff@demo.regdash",
        "email": "staff@demo.regdash",
        "name": "演示·工作人员",
        "role": "staff",
        "province": None,
    },
    {
        "sub": "planner@demo.regdash",
        "email": "planner@demo.regdash",
        "name": "演示·规划员",
        "role": "planner",
        "province": None,
    },
    {
        "sub": "bureau-gd@demo.regdash",
        "email": "bureau-gd@demo.regdash",
        "name": "演示·广东省局",
        "role": "bureau",
        "province": "440000",
    },
    {
        "sub": "bureau-zj@demo.regdash",
        "email": "bureau-zj@demo.regdash",
        "name": "演示·浙江省局",
        "role": "bureau",
        "province": "330000",
    },
    {
        "sub": "supervisor@demo.regdash",
        "email": "supervisor@demo.regdash",
        "name": "演示·监督员",
        "role": "supervisor",
        "province": None,
    },
    {
        "sub": "admin@demo.regdash",
        "email": "admin@demo.regdash",
        "name": "演示·管理员",
        "role": "admin",
        "province": None,
    },
)


def account_claims(account: dict[str, str | None]) -> dict[str, str]:
    """The account as ID-token claims: every key, except a ``None`` province, which is left out."""
    return {key: value for key, value in account.items() if value is not None}
