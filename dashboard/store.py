"""The dashboard's one engine, from ``REGDASH_DATABASE_URL`` (or the embedded SQLite default)."""

from __future__ import annotations

import streamlit as st
from sqlalchemy import Engine

from models.db import database_url, make_engine


@st.cache_resource(show_spinner=False)
def _engine_for(url: str) -> Engine:
    return make_engine(url)


def get_engine() -> Engine:
    """The shared engine for the configured database URL."""
    return _engine_for(database_url())


def database_key() -> str:
    """The configured URL: pass it to cached queries so that caches never mix two databases."""
    return database_url()
