"""Placeholder overview until the dashboard pages land: real counts from the store."""

import streamlit as st

from models.db import make_engine
from models.stats import database_stats

st.set_page_config(page_title="regdash", layout="wide")
st.title("regdash · 认证监管")
stats = database_stats(make_engine())
st.json(stats["tables"])
