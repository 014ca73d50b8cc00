"""Language choice and lookups: every label and province name comes from here (numbers: dashboard.formats)."""

from __future__ import annotations

import datetime as dt
import re
from functools import cache

import streamlit as st

from dashboard.formats import (
    format_int,  # noqa: F401 -- re-exported for pages that import it from here
    format_month,
)
from dashboard.strings import LANGUAGES, load_strings
from models.reference_data import PROVINCES, SCHEMES

LANGUAGE_PARAM = "lang"
_PROVINCE_NAMES = {code: {"zh": zh, "en": en} for code, _abbr, zh, en, *_ in PROVINCES}
_SCHEME_NAMES = {code: {"zh": zh, "en": en} for code, zh, en, *_ in SCHEMES}


@cache
def strings() -> dict[str, dict[str, str]]:
    """The merged string table (loaded once per process)."""
    return load_strings()


def language_for_locale(locale: str | None) -> str:
    """Chinese when the browser asks for it (``zh``, ``zh-CN``, ``zh-Hans``...), else English."""
    return "zh" if locale and locale.lower().startswith("zh") else "en"


def current_language() -> str:
    """The language of this run: the ``lang`` query parameter if valid, else the browser's locale."""
    chosen = st.query_params.get(LANGUAGE_PARAM)
    if chosen in LANGUAGES:
        return chosen
    return language_for_locale(st.context.locale)


def t(key: str, **values: object) -> str:
    """The text of ``key`` in the current language, formatted with ``values``."""
    text = strings()[key][current_language()]
    return text.format(**values) if values else text


def province_name(code: str) -> str:
    """A province's name in the current language, from its GB/T 2260 code."""
    names = _PROVINCE_NAMES.get(code)
    return names[current_language()] if names else code


def scheme_name(code: str) -> str:
    """A scheme's name in the current language; the code itself in English (QMS, EMS ...)."""
    names = _SCHEME_NAMES.get(code)
    if names is None:
        return code
    return f"{code} {names['zh']}" if current_language() == "zh" else code


def language_switch() -> str:
    """Sidebar zh/en switch kept in the URL (``?lang=zh``); returns the chosen language."""
    language = current_language()
    labels = {"zh": "中文", "en": "English"}
    choice = st.sidebar.segmented_control(
        t("app.language"), LANGUAGES, default=language, format_func=labels.get, key="language_switch"
    )
    if choice and choice != st.query_params.get(LANGUAGE_PARAM):
        st.query_params[LANGUAGE_PARAM] = choice
        if choice != language:
            st.rerun()
    return choice or language


def vocab(kind: str, code: str | None) -> str:
    """The label of a closed-vocabulary code (``vocab.<kind>.<code>``), or the code if it has none."""
    if code is None or code != code:  # None or NaN
        return t("common.unknown")
    key = f"vocab.{kind}.{code}"
    return t(key) if key in strings() else str(code)


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def plain(text: object) -> str:
    """``text`` with every Markdown character escaped, for names and other typed text shown in
    Markdown (a display name must not become a link or a remote image)."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(text))


def month_name(day: dt.date) -> str:
    """The month of ``day`` in the current language (`dashboard.formats.format_month`)."""
    return format_month(day, current_language())
