"""Labelled tables: translate codes and headers, show the table, offer it as CSV and Excel."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

import pandas as pd
import streamlit as st

from dashboard.downloads import download_buttons
from dashboard.formats import EMPTY, PERCENT_DIGITS, percent_column_format
from dashboard.i18n import province_name, scheme_name, strings, t, vocab


def map_unique(series: pd.Series, label: Callable[[object], str]) -> pd.Series:
    """``series.map(label)``, calling ``label`` once per distinct value (labels look up the language)."""
    labels = {value: label(value) for value in series.dropna().unique()}
    mapped = series.map(labels)
    return mapped.where(series.notna(), label(None)) if series.isna().any() else mapped


def province_labels(series: pd.Series) -> pd.Series:
    """Province names in the current language, from GB/T 2260 codes."""
    return map_unique(series, province_name)


def scheme_labels(series: pd.Series) -> pd.Series:
    """Scheme names in the current language, from scheme codes."""
    return map_unique(series, scheme_name)


def province_column(frame: pd.DataFrame, column: str = "region_code") -> pd.Series:
    """Province names in the current language."""
    return province_labels(frame[column])


def scheme_column(frame: pd.DataFrame, column: str = "scheme_code") -> pd.Series:
    """Scheme names in the current language."""
    return scheme_labels(frame[column])


def vocab_column(kind: str) -> Callable[[pd.Series], pd.Series]:
    """A formatter turning vocabulary codes of ``kind`` into labels."""
    return lambda series: map_unique(series, lambda code: vocab(kind, code))


def prefixed_column(prefix: str) -> Callable[[pd.Series], pd.Series]:
    """A formatter using the string ``<prefix>.<code>`` when it exists (e.g. ``out.code``), else the code."""

    def label(code: object) -> str:
        if code is None or code != code:  # None or NaN: not recorded yet
            return t("common.unknown")
        key = f"{prefix}.{code}"
        return t(key) if key in strings() else str(code)

    return lambda series: map_unique(series, label)


def labelled(
    frame: pd.DataFrame,
    columns: Mapping[str, str],
    *,
    formatters: Mapping[str, Callable[[pd.Series], pd.Series]] | None = None,
) -> pd.DataFrame:
    """Keep ``columns`` (source column -> string key of its header), format them, rename the headers."""
    shown = frame[list(columns)].copy()
    for column, formatter in (formatters or {}).items():
        shown[column] = formatter(shown[column])
    return shown.rename(columns={column: t(key) for column, key in columns.items()})


def _is_text(series: pd.Series) -> bool:
    dtype = series.dtype
    return (
        isinstance(dtype, pd.CategoricalDtype)
        or pd.api.types.is_object_dtype(dtype)
        or pd.api.types.is_string_dtype(dtype)
    )


def shown_frame(
    frame: pd.DataFrame, *, percent_columns: Iterable[str] = (), percent_digits: int = PERCENT_DIGITS
) -> tuple[pd.DataFrame, dict[str, object]]:
    """The frame as a table shows it, and the column formats to show it with.

    Empty text cells read `EMPTY` (never "None"); ``percent_columns`` (shares in [0, 1]) are shown
    times 100 with ``percent_digits`` decimals and a percent sign, one precision for the whole table.
    The frame itself (and so every export) keeps the numbers.
    """
    shown = frame.copy()
    config: dict[str, object] = {}
    for column in shown.columns:
        series = shown[column]
        if column in set(percent_columns):
            shown[column] = pd.to_numeric(series, errors="coerce") * 100
            config[column] = st.column_config.NumberColumn(format=percent_column_format(percent_digits))
        elif _is_text(series) and series.isna().any():
            shown[column] = series.astype(object).where(series.notna(), EMPTY)
    return shown, config


def show_table(
    frame: pd.DataFrame,
    *,
    name: str,
    height: int | None = None,
    total_rows: int | None = None,
    column_config: Mapping[str, object] | None = None,
    percent_columns: Iterable[str] = (),
    percent_digits: int = PERCENT_DIGITS,
) -> None:
    """Show a labelled table with its row count and CSV/Excel download buttons.

    ``percent_columns`` name (labelled) columns of shares in [0, 1]: shown as percentages with
    ``percent_digits`` decimals (`shown_frame`), exported as numbers (Excel: with a percent format).
    """
    if frame.empty:
        st.caption(t("common.no_data"))
        return
    percent = tuple(percent_columns)
    shown, config = shown_frame(frame, percent_columns=percent, percent_digits=percent_digits)
    st.dataframe(
        shown,
        hide_index=True,
        height=height if height is not None else "auto",
        column_config={**config, **dict(column_config or {})},
    )
    if total_rows is not None and total_rows > len(frame):
        st.caption(t("common.rows_limited", shown=f"{len(frame):,}", n=f"{total_rows:,}"))
    else:
        st.caption(t("common.rows", n=f"{len(frame):,}"))
    download_buttons(
        frame,
        name=name,
        csv_label=t("common.download_csv"),
        excel_label=t("common.download_excel"),
        percent_columns=percent,
        percent_digits=percent_digits,
    )


# The targets of a campaign, as the campaigns page and the public results page show them.
TARGET_HEADERS: dict[str, str] = {
    "certificate_number": "camp.col.certificate",
    "organisation": "camp.col.organisation",
    "institution": "camp.col.institution",
    "region_code": "camp.col.province",
    "scheme_code": "camp.col.scheme",
    "outcome_code": "camp.col.outcome",
    "inspected_on": "camp.col.date",
    "inspectors": "camp.col.team",
}
TARGET_FORMATTERS: dict[str, Callable[[pd.Series], pd.Series]] = {
    "region_code": province_labels,
    "scheme_code": scheme_labels,
    "outcome_code": prefixed_column("out.code"),
}


def campaign_labels(campaigns: pd.DataFrame) -> dict[int, str]:
    """Campaign id -> ``"2025 · name"``, for pickers over a frame with ``id``, ``year`` and ``name``."""
    return {int(row.id): f"{row.year} · {row.name}" for row in campaigns.itertuples()}
