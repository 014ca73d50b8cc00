"""Sign-in with Streamlit's own ``st.login`` / ``st.user`` (OpenID Connect), and the acting user.

The identity comes from the provider's ID token (``st.user``); its role and province come from the
users table or the token's claims (``models.users.resolve_actor``). A visitor who is not signed in
acts as the public. Without an ``[auth]`` section in the secrets there is no sign-in at all, and
only the public pages open. Every page and every write asks this module for the actor; the write
functions in ``models`` check the actor's rights again, so hiding a button is never the control.
"""

from __future__ import annotations

import logging
import os

import streamlit as st

from dashboard.i18n import plain, province_name, t
from dashboard.store import get_engine
from models.access import PUBLIC_VISITOR, AccessDenied, Actor, Permission
from models.users import Resolution, resolve_actor

DEMO_FLAG_ENV = "REGDASH_DEMO_SIGNIN"
LOG = logging.getLogger(__name__)


def auth_configured() -> bool:
    """True when the secrets carry an ``[auth]`` section, i.e. sign-in is possible."""
    try:
        return "auth" in st.secrets
    except (FileNotFoundError, OSError, ValueError):  # no secrets file, or an unreadable one
        return False


def demo_sign_in() -> bool:
    """True when ``make run`` started the demo identity provider (``REGDASH_DEMO_SIGNIN=1``)."""
    return os.environ.get(DEMO_FLAG_ENV) == "1"


def _claims() -> dict | None:
    user = st.user
    if user.get("is_logged_in") is not True:
        return None
    return user.to_dict()


def resolution() -> Resolution | None:
    """How the signed-in identity resolves now (None when nobody is signed in).

    Read from the users table on every call (one primary-key lookup), so a role an admin changes or
    withdraws applies at the user's next click.
    """
    claims = _claims()
    return None if claims is None else resolve_actor(get_engine(), claims)


def current_actor() -> Actor:
    """The person this run acts for: the signed-in user with their role, else the public."""
    found = resolution()
    return found.actor if found is not None else PUBLIC_VISITOR


def role_label(actor: Actor) -> str:
    """``规划员`` / ``Planner``, with the province for province-scoped roles."""
    label = t(f"auth.role.{actor.role}")
    return f"{label} · {province_name(actor.province)}" if actor.scope_province else label


def account_panel() -> Actor:
    """Sidebar: the demo marker, who is signed in and as what, and the sign-in or sign-out button.

    Returns the actor it showed, so the entry point builds the page list without resolving again.
    """
    if demo_sign_in():
        st.sidebar.warning(t("auth.demo_banner"), icon=":material/science:")
    found = resolution()
    if found is None:
        if auth_configured():
            if st.sidebar.button(t("auth.sign_in"), icon=":material/login:", key="auth_sign_in"):
                st.login()
        else:
            st.sidebar.caption(t("auth.not_configured"))
        return PUBLIC_VISITOR
    actor = found.actor
    st.sidebar.markdown(f"**{plain(actor.name)}**  \n{plain(role_label(actor))}")
    if found.problem:
        st.sidebar.warning(t(f"auth.problem.{found.problem}"))
    if st.sidebar.button(t("auth.sign_out"), icon=":material/logout:", key="auth_sign_out"):
        st.logout()
    return actor


def access_prompt(permission: Permission) -> None:
    """The body of a page the actor may not open: the sign-in prompt, or "not permitted"; no data."""
    found = resolution()
    st.title(t("auth.restricted.title" if found is None else "auth.restricted.title_signed_in"))
    if found is None:
        if auth_configured():
            st.info(t("auth.restricted.sign_in"), icon=":material/lock:")
            if st.button(t("auth.sign_in"), icon=":material/login:", type="primary", key="auth_prompt"):
                st.login()
        else:
            st.warning(t("auth.restricted.no_sign_in"), icon=":material/lock:")
    else:
        st.warning(
            t(
                "auth.restricted.not_permitted",
                role=role_label(found.actor),
                permission=t(f"auth.perm.{permission}"),
            ),
            icon=":material/block:",
        )
    st.stop()


def require_page(permission: Permission) -> Actor:
    """Call first on every staff page: stop with the prompt unless the actor may ``permission``."""
    actor = current_actor()
    if not actor.can(permission):
        access_prompt(permission)
    return actor


def denied_text(error: AccessDenied) -> str:
    """A refused write in the user's language, saying which right or province was missing."""
    return t(
        f"auth.denied.{error.code}",
        permission=t(f"auth.perm.{error.permission}"),
        province=province_name(error.province) if error.province else "",
    )
