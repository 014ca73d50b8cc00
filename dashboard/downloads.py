"""CSV and Excel downloads of any table, with spreadsheet formulas neutralised.

Every export path goes through `export_frame`: each text cell a spreadsheet could run as a formula
(`neutralise_cell`) gets an apostrophe in front, numbers stay numbers, and share columns are written
to Excel as numbers with a percent number format (``0.2`` shown as ``20.0%``), not as text.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Iterable

import pandas as pd
import streamlit as st
from openpyxl.utils import get_column_letter

# Characters that start a formula (or a DDE payload) in Excel, LibreOffice or Google Sheets.
FORMULA_STARTS = frozenset("=+-@")
# Characters a spreadsheet skips or that make it re-parse the cell: a formula may hide behind them.
FORMULA_LEADERS = frozenset("\t\r\n")
# Look-alikes that a spreadsheet or an input method may turn into a formula start: full-width
# ＝＋－＠ and small ﹦﹢﹣﹫ reach "=+-@" by NFKC; the minus sign U+2212 does not.
_EXTRA_STARTS = frozenset("\u2212")


def _starts_formula(character: str) -> bool:
    return (
        character in FORMULA_STARTS
        or character in _EXTRA_STARTS
        or (unicodedata.normalize("NFKC", character) in FORMULA_STARTS)
    )


def neutralise_cell(value: object) -> object:
    """``value`` with an apostrophe in front when a spreadsheet could run it as a formula.

    A text is risky when it starts with tab, CR or LF, or when its first character that is not
    white space (spaces, full-width spaces, newlines ...) is ``= + - @`` or a look-alike of one
    (full-width ``＝＋－＠``, small ``﹦﹢﹣﹫``, the minus sign ``−``). Anything that is not text
    (numbers, dates, None) comes back unchanged.
    """
    if not isinstance(value, str) or not value:
        return value
    if value[0] in FORMULA_LEADERS:
        return "'" + value
    stripped = value.lstrip()
    if stripped and _starts_formula(stripped[0]):
        return "'" + value
    return value


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell and header passed through `neutralise_cell`.

    Text may sit in object, string or categorical columns (a categorical becomes a plain object
    column here, so that a new value such as ``'=1`` can be written); other columns are unchanged.
    """
    safe = frame.copy()
    for column in safe.columns:
        series = safe[column]
        if isinstance(series.dtype, pd.CategoricalDtype):
            series = series.astype(object)
        elif not (pd.api.types.is_object_dtype(series) or pd.api.types.is_string_dtype(series)):
            continue
        safe[column] = series.astype(object).map(neutralise_cell)
    safe.columns = [neutralise_cell(column) for column in safe.columns]
    return safe


def export_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame as every download writes it: formulas neutralised, empty cells left empty."""
    return neutralise_formulas(frame)


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 CSV with a byte-order mark, so that Excel shows Chinese correctly; numbers as numbers.

    Rows end with CRLF (RFC 4180), so that a cell holding a CR or an LF is quoted, not split.
    """
    return export_frame(frame).to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def excel_bytes(
    frame: pd.DataFrame,
    *,
    sheet_name: str = "data",
    percent_columns: Iterable[str] = (),
    percent_digits: int = 1,
) -> bytes:
    """An .xlsx workbook holding ``frame`` on one sheet.

    ``percent_columns`` (headers of ``frame``) hold shares in [0, 1]: they are written as numbers with
    the number format ``0.0%`` (``percent_digits`` decimals), so Excel shows 20.0% and computes with 0.2.
    """
    safe = export_frame(frame)
    buffer = io.BytesIO()
    sheet = sheet_name[:31]
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        safe.to_excel(writer, index=False, sheet_name=sheet)
        number_format = "0%" if percent_digits <= 0 else "0." + "0" * percent_digits + "%"
        worksheet = writer.sheets[sheet]
        for position, column in enumerate(frame.columns, start=1):
            if column not in set(percent_columns):
                continue
            letter = get_column_letter(position)
            for (cell,) in worksheet[f"{letter}2:{letter}{len(frame) + 1}"] if len(frame) else ():
                cell.number_format = number_format
    return buffer.getvalue()


def download_buttons(
    frame: pd.DataFrame,
    *,
    name: str,
    csv_label: str,
    excel_label: str,
    percent_columns: Iterable[str] = (),
    percent_digits: int = 1,
) -> None:
    """Two buttons side by side: CSV and Excel of ``frame`` (files named ``name.csv``/``name.xlsx``).

    The files are made when a button is clicked, not on every run of the page (an Excel workbook of
    a large table takes a good part of a second to write). ``percent_columns``: see `excel_bytes`.
    """
    percent = tuple(percent_columns)
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
        lambda: excel_bytes(frame, percent_columns=percent, percent_digits=percent_digits),
        file_name=f"{name}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"xlsx_{name}",
        on_click="ignore",
    )
