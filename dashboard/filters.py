"""Filters that live in the URL query string, so that a view can be shared as a link."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from dashboard.i18n import t

SEPARATOR = ","


def _read_list(param: str, options: Sequence[str]) -> list[str] | None:
    raw = st.query_params.get(param)
    if raw is None:
        return None
    allowed = set(options)
    return [value for value in raw.split(SEPARATOR) if value in allowed]


def _page_id() -> str:
    """An identity for the page being run (its script hash), "" outside a script run."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    return getattr(ctx, "page_script_hash", "") if ctx else ""


def _needs_url_value(key: str) -> bool:
    """True on a widget's first run on this page: then the URL, not old widget state, is the truth.

    Widgets with the same key on another page are different widgets to Streamlit, so a value left in
    ``st.session_state`` by the previous page must not be reused.
    """
    owners = st.session_state.setdefault("_url_filter_pages", {})
    page = _page_id()
    fresh = key not in st.session_state or owners.get(key) != page
    owners[key] = page
    return fresh


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
    if _needs_url_value(key):
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
    label: str,
    first: int,
    last: int,
    *,
    param: str = "years",
    container=st.sidebar,
    default: tuple[int, int] | None = None,
) -> tuple[int, int]:
    """A year-range slider mirrored in ``?years=2019-2025``; ``default`` (else all years) when absent."""
    key = f"url_filter_{param}"
    default = default or (first, last)
    if _needs_url_value(key):
        start, end = default
        raw = st.query_params.get(param)
        if raw and "-" in raw:
            try:
                start, end = (int(part) for part in raw.split("-", 1))
            except ValueError:
                start, end = default
        st.session_state[key] = (max(first, min(start, last)), min(last, max(end, first)))
    start, end = container.slider(label, first, last, key=key)
    _write(param, None if (start, end) == default else f"{start}-{end}")
    return start, end


def url_tabs(sections: Mapping[str, str], *, param: str = "view") -> tuple[str, DeltaGenerator]:
    """Tabs whose open tab is mirrored in ``?view=name``; returns the open tab's name and container.

    ``sections`` maps names (stable, used in the URL) to labels (in the current language). The tabs are
    lazy: only the open tab's content should be drawn, into the returned container, so that a filter
    change redraws one section rather than the whole page. The first tab is the default and is kept out
    of the URL; switching the language keeps the open tab.
    """
    names = list(sections)
    name_of = {label: name for name, label in sections.items()}
    key = f"url_filter_{param}"
    remembered = f"_url_tab_{param}"
    if _needs_url_value(key):
        raw = st.query_params.get(param)
        name = raw if raw in sections else names[0]
    elif st.session_state.get(key) in name_of:
        name = name_of[st.session_state[key]]
    else:  # the labels changed with the language
        name = st.session_state.get(remembered)
        name = name if name in sections else names[0]
    st.session_state[key] = sections[name]
    st.session_state[remembered] = name
    containers = st.tabs(list(sections.values()), key=key, on_change="rerun")
    _write(param, None if name == names[0] else name)
    return name, containers[names.index(name)]
