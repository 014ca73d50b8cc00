"""Users & roles (用户与角色): the admin keeps who has which role and province."""

from __future__ import annotations

import streamlit as st

from dashboard.auth import denied_text, require_page
from dashboard.cache import require_data
from dashboard.i18n import plain, province_name, t
from dashboard.store import get_engine
from dashboard.tables import labelled, prefixed_column, show_table
from models.access import AccessDenied, Permission, Role
from models.reference_data import PROVINCE_CODES
from models.users import UserError, set_user, user_table

VIEWER = require_page(Permission.MANAGE_USERS)


def render_table() -> None:
    """Every row of the users table (read fresh: role changes must show at once)."""
    users = user_table(get_engine(), actor=VIEWER)
    if users.empty:
        st.caption(t("users.empty"))
        return
    show_table(
        labelled(
            users,
            {
                "subject": "users.subject",
                "display_name": "users.display_name",
                "role": "users.role",
                "province": "users.province",
                "active": "users.active",
                "updated_at": "users.updated_at",
                "updated_by": "users.updated_by",
            },
            formatters={
                "role": prefixed_column("auth.role"),
                "province": lambda codes: codes.map(
                    lambda c: province_name(c) if c else t("users.province_none")
                ),
            },
        ),
        name="users",
        height=300,
    )


def render_form() -> None:
    """Grant or change one person's role; the models check the admin right and the values."""
    roles = [role for role in Role if role is not Role.PUBLIC]
    with st.form("users_form", clear_on_submit=True):
        st.markdown(f"**{t('users.form')}**")
        cols = st.columns(2)
        subject = cols[0].text_input(t("users.subject"), max_chars=255)
        display_name = cols[1].text_input(t("users.display_name"), max_chars=128)
        cols = st.columns(3)
        role = cols[0].selectbox(t("users.role"), roles, format_func=lambda r: t(f"auth.role.{r}"))
        province = cols[1].selectbox(
            t("users.province"),
            [None, *PROVINCE_CODES],
            format_func=lambda c: province_name(c) if c else t("users.province_none"),
        )
        active = cols[2].checkbox(t("users.active"), value=True)
        if not st.form_submit_button(t("users.save"), type="primary"):
            return
    try:
        set_user(
            get_engine(),
            actor=VIEWER,
            subject=subject,
            role=str(role),
            province=province,
            display_name=display_name.strip(),
            active=active,
        )
    except AccessDenied as error:
        st.error(denied_text(error))
        return
    except UserError as error:
        st.error(t(f"users.error.{error.code}"))
        return
    st.success(t("users.saved", subject=plain(subject.strip())))


def main() -> None:
    """The form above, the table below."""
    require_data()
    st.title(t("nav.users"))
    st.caption(t("users.caption"))
    render_form()
    render_table()


main()
