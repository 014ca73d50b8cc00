"""Cached calls of read-side queries, and the guard that turns store errors into a plain message.

Pages call ``query(module.function, **filters)``: the call is cached by (function, database URL,
data version, arguments) with a TTL, lists are turned into tuples so that arguments stay hashable
scalars/tuples, and a missing or unmigrated database shows ``common.database_missing`` instead of a
traceback. The data version is the newest audit-log entry: every write through the app (in any app
process sharing the database) appends one, so cached reads are never older than a write by more than
``VERSION_TTL_SECONDS``.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from typing import Any, TypeVar

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from dashboard.i18n import t
from dashboard.store import database_key, get_engine

TTL_SECONDS = 600
VERSION_TTL_SECONDS = 2
LOG = logging.getLogger(__name__)
T = TypeVar("T")


def _hashable(value: Any) -> Any:
    if isinstance(value, list | set | frozenset):
        return tuple(value)
    return value


@st.cache_data(ttl=VERSION_TTL_SECONDS, show_spinner=False, max_entries=16)
def _data_version(database: str) -> int:
    """The newest audit entry's id, read at most every ``VERSION_TTL_SECONDS`` (0 without a log)."""
    from models.audit import latest_entry_id

    try:
        return latest_entry_id(get_engine())
    except SQLAlchemyError:  # a store not created or migrated yet
        return 0


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False, max_entries=1024)
def _cached_call(module: str, name: str, database: str, version: int, args: tuple, kwargs: tuple) -> Any:
    function = getattr(importlib.import_module(module), name)
    return function(get_engine(), *args, **dict(kwargs))


def stop_with_database_message(error: BaseException | None = None) -> None:
    """Show the "database missing" note (no traceback) and end this run of the page."""
    if error is not None:
        LOG.warning("dashboard query failed: %s", error)
    st.info(t("common.database_missing"), icon=":material/database:")
    st.stop()


def query(function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``function(engine, *args, **kwargs)``, cached for ``TTL_SECONDS`` per database and arguments."""
    key_args = tuple(_hashable(a) for a in args)
    key_kwargs = tuple(sorted((k, _hashable(v)) for k, v in kwargs.items()))
    try:
        database = database_key()
        version = _data_version(database)
        return _cached_call(function.__module__, function.__name__, database, version, key_args, key_kwargs)
    except SQLAlchemyError as error:
        stop_with_database_message(error)
        raise  # unreachable: st.stop() raises


def require_data() -> None:
    """Stop the page with the "database missing" note unless the store holds institutions."""
    from models.queries.overview import has_data

    if not query(has_data):
        stop_with_database_message()
