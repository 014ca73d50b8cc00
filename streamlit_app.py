"""regdash entry point: page config, language switch, the signed-in user and their page list."""

import streamlit as st

from dashboard.auth import account_panel
from dashboard.i18n import language_switch, t
from dashboard.navigation import build_pages

st.set_page_config(page_title="regdash", page_icon=":material/verified:", layout="wide")
language_switch()
st.sidebar.caption(t("app.title"))
st.navigation(build_pages(account_panel())).run()
