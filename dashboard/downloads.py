"""CSV and Excel downloads of any table, with spreadsheet formulas neutralised."""

from __future__ import annotations

import io

import pandas as pd
import streamlit as st

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Prefix text cells that a spreadsheet would run as a formula with an apostrophe."""
    safe = frame.copy()
    for column in safe.columns:
        series = safe[column]
        if pd.api.types.is_object_dtype(series) or pd.api.types.is_string_dtype(series):
            text = series.astype("string")
            risky = text.str.startswith(FORMULA_PREFIXES).fillna(False)
            if risky.any():
                safe[column] = series.where(~risky, "'" + text)
    return safe


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 CSV with a byte-order mark, so that Excel shows Chinese correctly."""
    return neutralise_formulas(frame).to_csv(index=False).encode("utf-8-sig")


def excel_bytes(frame: pd.DataFrame, *, sheet_name: str = "data") -> bytes:
    """An .xlsx workbook holding ``frame`` on one sheet."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        neutralise_formulas(frame).to_excel(writer, index=False, sheet_name=sheet_name[:31])
    return buffer.getvalue()


def download_buttons(frame: pd.DataFrame, *, name: str, csv_label: str, excel_label: str) -> None:
    """Two buttons side by side: CSV and Excel of ``frame`` (files named ``name.csv``/``name.xlsx``).

    The files are made when a button is clicked, not on every run of the page (an Excel workbook of
    a large table takes a good part of a second to write).
    """
    left, right = st.columns(2)
    left.download_button(
        csv_label,
        lambda: csv_bytes(frame),
        file_name=f"{name}.csv",
        mime="text/csv",
        key=f"csv_{name}",
        on_click="ignore",
    )
    right.download_button(
        excel_label,
        lambda: excel_bytes(frame),
        file_name=f"{name}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"xlsx_{name}",
        on_click="ignore",
    )
