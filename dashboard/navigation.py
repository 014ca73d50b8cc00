"""The page list, built in one place."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from dashboard.i18n import t

PAGES_DIR = Path(__file__).resolve().parent / "pages"

# (file, title key, icon, url path)
PAGE_SPECS: tuple[tuple[str, str, str, str], ...] = (
    ("overview.py", "nav.overview", ":material/dashboard:", "overview"),
    ("institutions.py", "nav.institutions", ":material/account_balance:", "institutions"),
    ("certificates.py", "nav.certificates", ":material/verified:", "certificates"),
    ("inspectors.py", "nav.inspectors", ":material/badge:", "inspectors"),
    ("outcomes.py", "nav.outcomes", ":material/fact_check:", "outcomes"),
    ("planning.py", "nav.planning", ":material/casino:", "planning"),
    ("campaigns.py", "nav.campaigns", ":material/campaign:", "campaigns"),
    ("public.py", "nav.public", ":material/public:", "public"),
)


def build_pages() -> list[st.Page]:
    """One ``st.Page`` per page file, titled in the current language; the overview is the default."""
    return [
        st.Page(PAGES_DIR / file, title=t(title_key), icon=icon, url_path=url_path, default=index == 0)
        for index, (file, title_key, icon, url_path) in enumerate(PAGE_SPECS)
    ]
