"""Filters that live in the URL query string, so that a view can be shared as a link.

Every URL filter is read by `url_param` with one of the parsers below: a value is ordered (a year range
given backwards), clamped to what exists, or dropped when it cannot be read, and the cleaned value is
written back into the URL, so the link shows what the page shows. Numbers count only when written in
ASCII digits: ``"²".isdigit()`` and ``"１２".isdigit()`` are true in Python, but neither is an id.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from numbers import Integral
from typing import TypeVar

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from dashboard.i18n import t

SEPARATOR = ","
RANGE_SEPARATOR = "-"
_ASCII_DIGITS = re.compile(r"[0-9]{1,18}")  # 18 digits: any id or year, and always an int64
_RANGE = re.compile(r"\s*([0-9]{1,18})\s*(?:-\s*([0-9]{1,18})\s*)?")

T = TypeVar("T")


# -- parsers: raw URL text -> a clean value, or None when nothing in it can be read ---------------------
def parse_whole(raw: str | None) -> int | None:
    """A whole number >= 0 in ASCII digits (``"12"``), else None (``"²"``, ``"１２"``, ``"-1"``)."""
    text = (raw or "").strip()
    return int(text) if _ASCII_DIGITS.fullmatch(text) else None


def parse_choice(raw: str | None, options: Iterable[T]) -> T | None:
    """The option named by ``raw``, else None; whole-number options (ids: ``?campaign=12``) are
    matched by `parse_whole`, others by their text."""
    if raw is None:
        return None
    wanted = raw.strip()
    number = parse_whole(wanted)
    for option in options:
        if isinstance(option, Integral) and not isinstance(option, bool):
            if number is not None and int(option) == number:
                return option
        elif str(option) == wanted:
            return option
    return None


def parse_list(raw: str | None, options: Sequence[str]) -> list[str] | None:
    """The known options in a ``a,b`` list, each once, in the order given; None when none is known."""
    if raw is None:
        return None
    allowed = set(options)
    chosen = list(dict.fromkeys(v.strip() for v in raw.split(SEPARATOR) if v.strip() in allowed))
    return chosen or None


def parse_range(raw: str | None, first: int, last: int) -> tuple[int, int] | None:
    """``"2019-2025"`` (or backwards, or one year ``"2020"``) as (start, end) with start <= end, clamped
    to [first, last]; None when it cannot be read."""
    match = _RANGE.fullmatch(raw or "")
    if match is None:
        return None
    low, high = sorted(int(part) for part in match.groups(default=match.group(1)))
    return max(first, min(low, last)), min(last, max(high, first))


def format_range(value: tuple[int, int]) -> str:
    """(2019, 2025) as ``"2019-2025"`` (the form `parse_range` reads)."""
    return f"{value[0]}{RANGE_SEPARATOR}{value[1]}"


def url_param(
    param: str, parse: Callable[[str | None], T | None], show: Callable[[T], str] = str
) -> T | None:
    """``?param=`` read by ``parse``; the URL is rewritten to the cleaned value (or loses the parameter
    when nothing could be read), so a link never keeps what the page ignored."""
    raw = st.query_params.get(param)
    if raw is None:
        return None
    value = parse(raw)
    _write(param, None if value is None else show(value))
    return value


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
        st.session_state[key] = url_param(param, lambda raw: parse_list(raw, options), SEPARATOR.join) or []
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
        read = url_param(param, lambda raw: parse_range(raw, first, last), format_range)
        st.session_state[key] = read or parse_range(format_range(default), first, last)
    start, end = container.slider(label, first, last, key=key)
    _write(param, None if (start, end) == default else format_range((start, end)))
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
        name = url_param(param, lambda raw: parse_choice(raw, names)) or names[0]
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
