"""Filters that live in the URL query string, so that a view can be shared as a link."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import streamlit as st

from dashboard.i18n import t

SEPARATOR = ","


def _read_list(param: str, options: Sequence[str]) -> list[str] | None:
    raw = st.query_params.get(param)
    if raw is None:
        return None
    allowed = set(options)
    return [value for value in raw.split(SEPARATOR) if value in allowed]


def _write(param: str, value: str | None) -> None:
    if value:
        if st.query_params.get(param) != value:
            st.query_params[param] = value
    elif param in st.query_params:
        del st.query_params[param]


def url_multiselect(
    label: str,
    options: Sequence[str],
    *,
    param: str,
    format_func: Callable[[str], str] = str,
    container=st.sidebar,
    placeholder: str | None = None,
) -> list[str]:
    """A multiselect whose selection is mirrored in ``?param=a,b``; empty means "all".

    ``placeholder`` (shown while nothing is chosen) defaults to the ``filter.all`` string.
    """
    key = f"url_filter_{param}"
    if key not in st.session_state:
        st.session_state[key] = _read_list(param, options) or []
    selected = container.multiselect(
        label,
        list(options),
        key=key,
        format_func=format_func,
        placeholder=placeholder if placeholder is not None else t("filter.all"),
    )
    _write(param, SEPARATOR.join(selected))
    return selected


def url_year_range(
    label: str, first: int, last: int, *, param: str = "years", container=st.sidebar
) -> tuple[int, int]:
    """A year-range slider mirrored in ``?years=2019-2025``."""
    key = f"url_filter_{param}"
    if key not in st.session_state:
        start, end = first, last
        raw = st.query_params.get(param)
        if raw and "-" in raw:
            try:
                start, end = (int(part) for part in raw.split("-", 1))
            except ValueError:
                start, end = first, last
        st.session_state[key] = (max(first, min(start, last)), min(last, max(end, first)))
    start, end = container.slider(label, first, last, key=key)
    _write(param, None if (start, end) == (first, last) else f"{start}-{end}")
    return start, end
