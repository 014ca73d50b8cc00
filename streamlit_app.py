"""regdash entry point: page config, language switch and the page list; nothing else."""

import streamlit as st

from dashboard.i18n import language_switch, t
from dashboard.navigation import build_pages

st.set_page_config(page_title="regdash", page_icon=":material/verified:", layout="wide")
language_switch()
st.sidebar.caption(t("app.title"))
st.navigation(build_pages()).run()
