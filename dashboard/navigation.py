"""The page list, built in one place, per user: only the pages the acting user may open are listed.

A page the user may not open keeps its URL but runs ``dashboard.auth.access_prompt`` instead of its
script (hidden from the menu): an anonymous visitor who follows a staff link sees the sign-in prompt,
and no query of that page runs, so none of its data reaches the browser.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

import streamlit as st

from dashboard.auth import access_prompt
from dashboard.i18n import t
from models.access import Actor, Permission

PAGES_DIR = Path(__file__).resolve().parent / "pages"

# (file, title key, icon, url path, permission needed to open it; None = everyone)
PAGE_SPECS: tuple[tuple[str, str, str, str, Permission | None], ...] = (
    ("overview.py", "nav.overview", ":material/dashboard:", "overview", Permission.READ_STAFF),
    (
        "institutions.py",
        "nav.institutions",
        ":material/account_balance:",
        "institutions",
        Permission.READ_STAFF,
    ),
    ("certificates.py", "nav.certificates", ":material/verified:", "certificates", Permission.READ_STAFF),
    ("inspectors.py", "nav.inspectors", ":material/badge:", "inspectors", Permission.READ_STAFF),
    ("outcomes.py", "nav.outcomes", ":material/fact_check:", "outcomes", Permission.READ_STAFF),
    ("planning.py", "nav.planning", ":material/casino:", "planning", Permission.READ_STAFF),
    ("campaigns.py", "nav.campaigns", ":material/campaign:", "campaigns", Permission.READ_STAFF),
    ("public.py", "nav.public", ":material/public:", "public", None),
    ("users.py", "nav.users", ":material/manage_accounts:", "users", Permission.MANAGE_USERS),
)


def build_pages(actor: Actor) -> list[st.Page]:
    """One ``st.Page`` per page file, titled in the current language.

    The first page ``actor`` may open is the default (the overview for staff, the published
    results for the public); pages it may not open run the access prompt, hidden from the menu.
    """
    allowed = [permission is None or actor.can(permission) for *_, permission in PAGE_SPECS]
    default = allowed.index(True)
    pages = []
    for index, (file, title_key, icon, url_path, permission) in enumerate(PAGE_SPECS):
        if allowed[index]:
            page = st.Page(
                PAGES_DIR / file, title=t(title_key), icon=icon, url_path=url_path, default=index == default
            )
        else:
            page = st.Page(
                partial(access_prompt, permission),
                title=t(title_key),
                icon=icon,
                url_path=url_path,
                visibility="hidden",
            )
        pages.append(page)
    return pages
