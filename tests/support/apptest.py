"""Signing an AppTest in: ``at.user`` seeded as ``st.user`` would be after a real OIDC sign-in."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from models.access import Actor, Role


def claims_of(actor: Actor) -> dict[str, object]:
    """The ID-token claims the demo identity provider would send for ``actor``."""
    claims: dict[str, object] = {"sub": actor.subject, "name": actor.name, "email": actor.subject}
    claims["role"] = str(actor.role)
    if actor.province:
        claims["province"] = actor.province
    return claims


def sign_in(at: AppTest, actor: Actor | dict | None) -> AppTest:
    """Seed ``at`` with ``actor``'s sign-in (None or the public role: signed out); returns ``at``.

    A dict is taken as the ID token's claims as they are (e.g. a sign-in that carries no role).
    """
    if isinstance(actor, dict):
        at.user = {"is_logged_in": True, **actor}
    elif actor is None or actor.role is Role.PUBLIC:
        at.user = {"is_logged_in": False}
    else:
        at.user = {"is_logged_in": True, **claims_of(actor)}
    return at
