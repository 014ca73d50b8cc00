"""Downloads: no text cell of any export can run as a formula; numbers and shares stay numbers."""

from __future__ import annotations

import csv
import io

import openpyxl
import pandas as pd
import pytest

from dashboard.downloads import csv_bytes, excel_bytes, neutralise_cell

RISKY = [
    "=1+1",
    "+1",
    "-1",
    "@SUM(A1)",
    "\t=1",
    "\tplain",
    "\rplain",
    "\nplain",
    '＝HYPERLINK("x")',
    "＋1",
    "－1",
    "＠A1",
    " =1",
    "\n=cmd|' /C calc'!A0",
    "\u3000=1",
    "\u00a0+1",
    "  \n @A1",
    "﹦1",
    "−1",
]
SAFE = ["广东", "QMS", "a=1", "1-2", "", "名称 = 值", "x@y.cn"]


@pytest.mark.parametrize("text", RISKY)
def test_risky_text_gets_an_apostrophe(text):
    assert neutralise_cell(text) == "'" + text


@pytest.mark.parametrize("text", SAFE)
def test_safe_text_is_unchanged(text):
    assert neutralise_cell(text) == text


@pytest.mark.parametrize("value", [None, 3, -2.5, float("nan"), pd.Timestamp("2026-01-01")])
def test_non_text_is_unchanged(value):
    result = neutralise_cell(value)
    assert result is value


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "plain": pd.Series(RISKY, dtype=object),
            "string": pd.Series(RISKY, dtype="string"),
            "category": pd.Series(RISKY, dtype="category"),
            "number": range(len(RISKY)),
            "share": [0.2] * len(RISKY),
        }
    )


def test_csv_neutralises_every_text_column_including_categorical_and_keeps_numbers():
    text = csv_bytes(_frame()).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0] == ["plain", "string", "category", "number", "share"]
    for row, original in zip(rows[1:], RISKY, strict=True):
        assert row[:3] == ["'" + original] * 3
        assert row[4] == "0.2"


def test_excel_neutralises_every_text_column_and_writes_shares_as_percent_numbers():
    frame = _frame()
    frame["=header"] = "x"
    book = openpyxl.load_workbook(io.BytesIO(excel_bytes(frame, percent_columns=["share"])))
    sheet = book.active
    header = [cell.value for cell in sheet[1]]
    assert header[-1] == "'=header"
    for index, original in enumerate(RISKY, start=2):
        row = [cell for cell in sheet[index]]
        # XML keeps a CR as LF: what matters is the apostrophe in front
        assert [cell.value for cell in row[:3]] == ["'" + original.replace("\r", "\n")] * 3
        assert all(cell.data_type == "s" for cell in row[:3])  # text, never a formula
        assert row[3].value == index - 2
        assert row[4].value == 0.2 and row[4].number_format == "0.0%"


def test_excel_of_an_empty_frame_and_of_none_cells():
    frame = pd.DataFrame({"name": [None, "=x"], "share": [None, 0.5]})
    sheet = openpyxl.load_workbook(io.BytesIO(excel_bytes(frame, percent_columns=["share"]))).active
    assert sheet["A2"].value is None and sheet["A3"].value == "'=x"
    assert sheet["B3"].value == 0.5
    empty = openpyxl.load_workbook(io.BytesIO(excel_bytes(frame.iloc[:0]))).active
    assert [cell.value for cell in empty[1]] == ["name", "share"]
