"""Labelled tables: translate codes and headers, show the table, offer it as CSV and Excel."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import pandas as pd
import streamlit as st

from dashboard.downloads import download_buttons
from dashboard.i18n import province_name, scheme_name, strings, t, vocab


def province_column(frame: pd.DataFrame, column: str = "region_code") -> pd.Series:
    """Province names in the current language."""
    return frame[column].map(province_name)


def scheme_column(frame: pd.DataFrame, column: str = "scheme_code") -> pd.Series:
    """Scheme names in the current language."""
    return frame[column].map(scheme_name)


def vocab_column(kind: str) -> Callable[[pd.Series], pd.Series]:
    """A formatter turning vocabulary codes of ``kind`` into labels."""
    return lambda series: series.map(lambda code: vocab(kind, code))


def prefixed_column(prefix: str) -> Callable[[pd.Series], pd.Series]:
    """A formatter using the string ``<prefix>.<code>`` when it exists (e.g. ``out.code``), else the code."""

    def label(code: object) -> str:
        if code is None or code != code:  # None or NaN: not recorded yet
            return t("common.unknown")
        key = f"{prefix}.{code}"
        return t(key) if key in strings() else str(code)

    return lambda series: series.map(label)


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


def show_table(
    frame: pd.DataFrame,
    *,
    name: str,
    height: int | None = None,
    total_rows: int | None = None,
    column_config: Mapping[str, object] | None = None,
) -> None:
    """Show a labelled table with its row count and CSV/Excel download buttons."""
    if frame.empty:
        st.caption(t("common.no_data"))
        return
    st.dataframe(
        frame,
        hide_index=True,
        height=height if height is not None else "auto",
        column_config=dict(column_config or {}),
    )
    if total_rows is not None and total_rows > len(frame):
        st.caption(t("common.rows_limited", shown=f"{len(frame):,}", n=f"{total_rows:,}"))
    else:
        st.caption(t("common.rows", n=f"{len(frame):,}"))
    download_buttons(
        frame, name=name, csv_label=t("common.download_csv"), excel_label=t("common.download_excel")
    )
