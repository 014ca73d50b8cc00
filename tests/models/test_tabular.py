"""The one tabular reader: encodings, workbooks (sheets, error values, bounds) and identifiers as text."""

from __future__ import annotations

import io
import re
import time
import zipfile

import pytest
from openpyxl import Workbook

from models.imports import tabular
from models.imports.inspectors import HEADER_ALIASES, IDENTIFIERS, REQUIRED
from models.imports.tabular import ImportFileError, decode_text, read_csv_frame, read_grid, read_table
from tests.models.test_inspector_import import GOOD_ROWS, HEADER, csv_file, saved

CHINESE_CSV = csv_file(GOOD_ROWS).decode("utf-8-sig")
TRADITIONAL = (
    "姓名,執法證號,有效期至,執法機構,省份,檢查領域,狀態,手機\n"
    "張偉,11010020170001,2031-12-31,北京市市場監督管理局,北京,QMS,是,13812345678\n"
    "陳美玲,44010020170002,2029-06-30,廣東省市場監督管理局,廣東,EMS,否,13912345678\n"
)


def table(data: bytes, filename: str, **options):
    return read_table(data, filename, HEADER_ALIASES, REQUIRED, identifiers=IDENTIFIERS, **options)


def workbook_bytes(build) -> bytes:
    workbook = Workbook()
    build(workbook)
    return saved(workbook)


def filled(sheet, rows=GOOD_ROWS) -> None:
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)


# ---- encodings -------------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk"])
def test_utf8_with_or_without_bom_and_gb18030_read_the_same(encoding):
    reference = table(CHINESE_CSV.encode("utf-8"), "a.csv")
    got = table(CHINESE_CSV.encode(encoding), "a.csv")
    assert [r.values for r in got.rows] == [r.values for r in reference.rows]
    assert got.rows[0].values["name"] == "张伟"


def test_gbk_with_rare_name_characters_is_not_taken_for_another_encoding():
    rows = [[*GOOD_ROWS[0][:1], *GOOD_ROWS[0][1:]] for _ in range(3)]
    for row, name in zip(rows, ("王喆", "李堃", "赵玥"), strict=True):
        row[0] = name
    got = table(csv_file(rows).decode("utf-8-sig").encode("gbk"), "rare.csv")
    assert [r.values["name"] for r in got.rows] == ["王喆", "李堃", "赵玥"]


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        (TRADITIONAL, "big5"),
        ("姓名\n張偉\n", "big5"),  # a short Big5 file too
        ("氏名,検査員番号,機関\n山田太郎,11010020170001,東京都産業労働局\n", "shift_jis"),
        ("name,agency\nSociété Générale,Zürich Prüfstelle\nFrançois Lefèvre,contrôle\n", "latin-1"),
        ("name,agency\nSociété Générale,Zürich Prüfstelle\n", "cp1252"),
        (CHINESE_CSV, "utf-16"),  # with a byte order mark
        (CHINESE_CSV, "utf-16-le"),  # without one
        (CHINESE_CSV, "utf-16-be"),
        (CHINESE_CSV, "utf-32"),
    ],
)
def test_other_encodings_are_refused_not_turned_into_mojibake(text, encoding):
    with pytest.raises(ImportFileError) as error:
        decode_text(text.encode(encoding))
    assert error.value.kind == "bad_encoding"
    with pytest.raises(ImportFileError) as error:
        table(text.encode(encoding), "x.csv")
    assert error.value.kind == "bad_encoding"


def test_binary_bytes_are_refused():
    with pytest.raises(ImportFileError) as error:
        decode_text(bytes(range(256)) * 4)
    assert error.value.kind == "bad_encoding"


# ---- cells -----------------------------------------------------------------------------------------


def test_full_width_cells_are_normalised_and_invisible_ones_named():
    rows = [row[:] for row in GOOD_ROWS]
    rows[0][1] = "１１０１００２０１７０００１"
    rows[0][5] = "ＱＭＳ；ＥＭＳ"
    rows[1][0] = "李\u200b娜"
    rows[2][7] = "139\x1b12345678"
    got = table(csv_file(rows), "a.csv")
    first, second, third = got.rows
    assert first.values["enforcement_id"] == "11010020170001" and first.values["schemes"] == "QMS;EMS"
    assert first.problems == {}
    assert second.problems == {"name": "invisible_character"} and second.values["name"] == "李\\u200b娜"
    assert third.problems == {"phone": "invisible_character"}


@pytest.mark.parametrize("error_value", ["#N/A", "#REF!", "#VALUE!", "#DIV/0!", "#NAME?", "#NUM!", "#NULL!"])
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_excel_error_values_are_cell_problems(error_value, fmt):
    rows = [row[:] for row in GOOD_ROWS]
    rows[1][0] = error_value
    rows[2][3] = error_value
    data = workbook_bytes(lambda wb: filled(wb.active, rows)) if fmt == "xlsx" else csv_file(rows)
    got = table(data, f"a.{fmt}")
    assert got.rows[1].problems == {"name": "excel_error"}
    assert got.rows[2].problems == {"agency": "excel_error"}
    assert got.rows[1].values["name"] == error_value


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (4.40100201700012e17, "numeric_identifier"),  # an 18-digit ID typed into a General cell
        (440100201700012032, "numeric_identifier"),  # 18 significant digits stored as a number
        (1234567890123456, "numeric_identifier"),  # 16 digits: already beyond a double's 15
        (1000000000000000, "numeric_identifier"),  # 16 digits, whatever the trailing zeros
        (9.1110001e17, "numeric_identifier"),  # few significant digits, but 18 digits long
        (13812345678.5, "numeric_identifier"),  # not an integer
        (123456789012345, None),  # 15 digits: exactly the typed text
        (44010020170001, None),
        (13812345678, None),
    ],
)
def test_numbers_in_identifier_columns(value, problem):
    rows = [row[:] for row in GOOD_ROWS[:1]]

    def build(workbook):
        filled(workbook.active, rows)
        workbook.active["B2"] = value  # enforcement_id
        workbook.active["H2"] = value  # phone

    got = table(workbook_bytes(build), "a.xlsx")
    expected = {} if problem is None else {"enforcement_id": problem, "phone": problem}
    assert got.rows[0].problems == expected
    if problem is None:
        assert got.rows[0].values["enforcement_id"] == str(value)
    elif isinstance(value, float) and not value.is_integer():
        assert got.rows[0].values["phone"] == "13812345678.5"
    elif isinstance(value, float):  # shown as Excel shows it, e.g. 4.40100201700012E+17
        assert got.rows[0].values["enforcement_id"] == format(value, ".15g").upper()


@pytest.mark.parametrize(
    "text", ["4.40100201700012E+17", "4.40100201700012e+17", "1.38123E+10", "13812345678.0"]
)
def test_identifiers_in_number_form_in_a_csv_are_refused(text):
    rows = [row[:] for row in GOOD_ROWS[:1]]
    rows[0][1] = text
    assert table(csv_file(rows), "a.csv").rows[0].problems == {"enforcement_id": "numeric_identifier"}


def test_a_number_outside_identifier_columns_is_plain_text():
    def build(workbook):
        filled(workbook.active, GOOD_ROWS[:1])
        workbook.active["A2"] = 4.5

    got = table(workbook_bytes(build), "a.xlsx")
    assert got.rows[0].problems == {} and got.rows[0].values["name"] == "4.5"


# ---- workbooks -------------------------------------------------------------------------------------


def test_two_sheets_with_data_are_refused_naming_them_until_one_is_chosen():
    def build(workbook):
        filled(workbook.active, GOOD_ROWS[:2])
        workbook.active.title = "北京"
        filled(workbook.create_sheet("广东"), GOOD_ROWS[2:])
        workbook.create_sheet("空白")

    data = workbook_bytes(build)
    with pytest.raises(ImportFileError) as error:
        table(data, "two.xlsx")
    assert error.value.kind == "several_sheets" and error.value.detail["sheets"] == ["北京", "广东"]
    chosen = table(data, "two.xlsx", sheet="广东")
    assert chosen.sheet == "广东" and [r.values["name"] for r in chosen.rows] == ["Wang Fang"]
    with pytest.raises(ImportFileError) as error:
        table(data, "two.xlsx", sheet="上海")
    assert error.value.kind == "unknown_sheet" and error.value.detail["sheets"] == ["北京", "广东", "空白"]


def test_a_hidden_first_sheet_is_never_read():
    def build(workbook):
        workbook.active.title = "old"
        filled(workbook.active, [[*GOOD_ROWS[0][:1], "99990020170001", *GOOD_ROWS[0][2:]]])
        workbook.active.sheet_state = "hidden"
        filled(workbook.create_sheet("current"), GOOD_ROWS)
        workbook.active = 1

    got = table(workbook_bytes(build), "hidden.xlsx")
    assert got.sheet == "current" and len(got.rows) == 3
    assert "99990020170001" not in {r.values["enforcement_id"] for r in got.rows}
    with pytest.raises(ImportFileError) as error:
        table(workbook_bytes(build), "hidden.xlsx", sheet="old")  # not a choice either
    assert error.value.kind == "unknown_sheet"


def test_data_only_on_a_hidden_sheet_is_explained():
    def build(workbook):
        workbook.active.title = "visible"
        hidden = workbook.create_sheet("名单")
        filled(hidden)
        hidden.sheet_state = "hidden"

    with pytest.raises(ImportFileError) as error:
        table(workbook_bytes(build), "h.xlsx")
    assert error.value.kind == "hidden_sheet" and error.value.detail["sheets"] == ["名单"]


def _with_sheet_xml(data: bytes, transform) -> bytes:
    """The workbook ``data`` with its first sheet's XML passed through ``transform``."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = transform(content.decode()).encode()
            target.writestr(item, content)
    return buffer.getvalue()


def test_a_stray_cell_at_the_last_row_does_not_hang():
    def build(workbook):
        filled(workbook.active)
        workbook.active["A1048576"] = "stray"
        workbook.active["XFD1"] = "far"

    started = time.perf_counter()
    got = table(workbook_bytes(build), "stray.xlsx")
    assert len(got.rows) == 3  # reading stopped after a run of empty rows
    assert time.perf_counter() - started < 30


def test_four_hundred_thousand_empty_rows_do_not_hang():
    empty_rows = "".join(f'<row r="{r}"><c r="A{r}" s="0"/></row>' for r in range(5, 400_005))

    def transform(xml: str) -> str:
        xml = re.sub(r'<dimension ref="[^"]*"/>', '<dimension ref="A1:XFD1048576"/>', xml)
        return xml.replace("</sheetData>", empty_rows + "</sheetData>")

    data = _with_sheet_xml(workbook_bytes(lambda wb: filled(wb.active)), transform)
    assert len(data) <= tabular.MAX_BYTES
    started = time.perf_counter()
    got = table(data, "empty.xlsx")
    assert len(got.rows) == 3
    assert time.perf_counter() - started < 30


def test_row_limit(monkeypatch):
    monkeypatch.setattr(tabular, "MAX_ROWS", 2)
    for fmt, data in (
        ("xlsx", workbook_bytes(lambda wb: filled(wb.active))),
        ("csv", CHINESE_CSV.encode()),
    ):
        with pytest.raises(ImportFileError) as error:
            table(data, f"many.{fmt}")
        assert error.value.kind == "too_many_rows" and error.value.detail == {"limit": 2}


def test_size_limit_comes_before_any_parsing():
    with pytest.raises(ImportFileError) as error:
        read_grid(b"x" * (tabular.MAX_BYTES + 1), "big.xlsx")
    assert error.value.kind == "too_large"


# ---- the command line's CSV reader -----------------------------------------------------------------


def test_csv_frame_keeps_identifiers_as_typed():
    text = "unit_id,region,institution_id,note\n000001,GD,0042,\n000010,ZJ,7,x\n\n"
    frame = read_csv_frame(text.encode("utf-8-sig"))
    assert frame["unit_id"].tolist() == ["000001", "000010"]
    assert frame["institution_id"].tolist() == ["0042", "7"]
    assert frame["note"].tolist() == [None, "x"]


def test_csv_frame_reads_gbk_and_normalises():
    text = "unit_id,region,scheme\n000001,广东,ＱＭＳ\n"
    frame = read_csv_frame(text.encode("gbk"))
    assert frame.loc[0, "scheme"] == "QMS" and frame.loc[0, "region"] == "广东"


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("unit_id,region\n000001,GD\n000002,G\u200bD\n", {"row": 3, "column": "region"}),
        ("unit_id,region\n000001,GD\n\x00\n", None),  # NUL as 4% of the bytes: a binary file
        ("unit_id,region\n" + "000001,GD\n" * 20 + "000002,G\x00D\n", {"row": 22, "column": "region"}),
        ("unit_id,region\n000001,#N/A\n", {"row": 2, "column": "region", "problem": "excel_error"}),
        ("unit_id,re\u202egion\n000001,GD\n", {"row": 1, "column": "B"}),
    ],
)
def test_csv_frame_names_the_bad_cell(text, detail):
    with pytest.raises(ImportFileError) as error:
        read_csv_frame(text.encode())
    if detail is None:
        assert error.value.kind == "bad_encoding"
    else:
        assert error.value.kind == "bad_cell"
        assert {key: error.value.detail[key] for key in detail} == detail


@pytest.mark.parametrize("text", ["", "unit_id,unit_id\n1,2\n", "unit_id,\n1,2\n"])
def test_csv_frame_needs_a_header_naming_each_column_once(text):
    with pytest.raises(ImportFileError) as error:
        read_csv_frame(text.encode())
    assert error.value.kind == "no_header"
