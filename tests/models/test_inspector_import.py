"""Inspector template import: good and bad files, .xlsx and .csv, both engines, all-or-nothing."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, insert, select

from models import Inspector, InspectorAffiliation, InspectorScheme, Institution
from models.imports.inspectors import (
    ImportRejected,
    add_inspector,
    commit_import,
    preview_import,
    province_code,
)
from models.imports.tabular import ImportFileError
from models.imports.template import header_labels, template_bytes
from models.reference_data import insert_reference_rows
from tests.support.actors import SUPERVISOR

TODAY = dt.date(2025, 6, 1)
CREDIT = "91110000100000008J"  # a valid GB 32100 code (check character J)
HEADER = header_labels()

GOOD_ROWS = [
    [
        "张伟",
        "11010020170001",
        "2031-12-31",
        "北京市市场监督管理局",
        "北京",
        "QMS；EMS",
        "是",
        "13812345678",
        CREDIT,
    ],
    [
        "李娜",
        "44010020170002",
        "2029-06-30",
        "广东省市场监督管理局",
        "440000",
        "EnMS;QMS",
        "否",
        "020-87654321",
        "",
    ],
    [
        "Wang Fang",
        "31010020170003",
        "2030/01/15",
        "上海市市场监督管理局",
        "Shanghai",
        "ISMS,ITSMS",
        "",
        "+86 139 1234 5678",
        "",
    ],
]

# one person as typed into the entry form
FORM = dict(
    name="王强",
    enforcement_id="11010020175555",
    id_valid_until="2027-01-01",
    agency="北京市市场监督管理局",
    province="110000",
    schemes="QMS;EMS",
    active="是",
    phone="13800001111",
)

# one row per kind of error; (row in file, field, column letter, kind)
BAD_ROWS = [
    ["", "11010020179001", "2027-12-31", "北京市市场监督管理局", "北京", "QMS", "是", "13812345678", ""],
    ["赵一", "AB#1", "2027-12-31", "北京市市场监督管理局", "北京", "QMS", "是", "13812345678", ""],
    ["钱二", "11010020179003", "2027-12-31", "北京市市场监督管理局", "火星", "QMS", "是", "13812345678", ""],
    [
        "孙三",
        "11010020179004",
        "2027-12-31",
        "北京市市场监督管理局",
        "北京",
        "QMS;XYZ",
        "是",
        "13812345678",
        "",
    ],
    ["李四", "11010020179003", "2027-12-31", "北京市市场监督管理局", "北京", "QMS", "是", "13812345678", ""],
    ["周五", "11010020179006", "2020-01-01", "北京市市场监督管理局", "北京", "QMS", "是", "13812345678", ""],
    ["吴六", "11010020179007", "2027-12-31", "北京市市场监督管理局", "北京", "QMS", "是", "12345", ""],
    ["郑七", "11010020179008", "31/31/2027", "北京市市场监督管理局", "北京", "QMS", "是", "13812345678", ""],
]
EXPECTED_PROBLEMS = [
    (2, "name", "A", "missing"),
    (3, "enforcement_id", "B", "bad_id_format"),
    (4, "province", "E", "unknown_province"),
    (5, "schemes", "F", "unknown_scheme"),
    (6, "enforcement_id", "B", "duplicate_in_file"),
    (7, "id_valid_until", "C", "expired_id"),
    (8, "phone", "H", "bad_phone"),
    (9, "id_valid_until", "C", "bad_date"),
]


def saved(workbook: Workbook) -> bytes:
    """The .xlsx bytes of ``workbook``."""
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_sheets(sheets: dict[str, list[list[str]]]) -> bytes:
    """A workbook with one sheet per entry, in order: the template header, then the rows."""
    workbook = Workbook()
    for index, (name, rows) in enumerate(sheets.items()):
        sheet = workbook.active if index == 0 else workbook.create_sheet(name)
        sheet.title = name
        sheet.append(HEADER)
        for row in rows:
            sheet.append(row)
    return saved(workbook)


def xlsx_file(rows: list[list[str]]) -> bytes:
    return xlsx_sheets({"Sheet": rows})


def csv_file(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


FORMATS = {"xlsx": xlsx_file, "csv": csv_file}


@pytest.fixture
def engine(migrated_engine):
    return with_institution(migrated_engine)


def with_institution(migrated_engine):
    """The reference rows and one approved institution whose credit code is ``CREDIT``."""
    with migrated_engine.begin() as connection:
        insert_reference_rows(connection)
        connection.execute(
            insert(Institution.__table__),
            [
                dict(
                    id=1,
                    name="测试认证机构",
                    credit_code=CREDIT,
                    approval_number="CNCA-R-2017-001",
                    region_code="110000",
                    status="approved",
                    approved_on=dt.date(2017, 5, 1),
                    risk_grade="B",
                )
            ],
        )
    return migrated_engine


def snapshot(engine) -> tuple:
    with engine.connect() as connection:
        people = connection.execute(select(Inspector.__table__).order_by("enforcement_id")).all()
        schemes = connection.execute(
            select(InspectorScheme.__table__).order_by("inspector_id", "scheme_code")
        ).all()
        ties = connection.execute(select(InspectorAffiliation.__table__)).all()
    return tuple(map(tuple, people)), tuple(map(tuple, schemes)), tuple(map(tuple, ties))


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_good_file_imports_and_reimport_changes_nothing(engine, fmt):
    data = FORMATS[fmt](GOOD_ROWS)
    preview = preview_import(engine, data, f"inspectors.{fmt}", today=TODAY)
    assert preview.problems == () and preview.ok and len(preview.records) == 3
    result = commit_import(engine, preview, actor=SUPERVISOR, today=TODAY)
    assert (result.inserted, result.updated, result.unchanged) == (3, 0, 0)
    after_first = snapshot(engine)
    people = {row[2]: row for row in after_first[0]}
    assert set(people) == {"11010020170001", "44010020170002", "31010020170003"}
    li = people["44010020170002"]
    assert li[1] == "李娜" and li[3] == dt.date(2029, 6, 30) and li[5] == "440000" and li[6] is False
    assert people["31010020170003"][7] == "13912345678"
    assert {(s[1]) for s in after_first[1] if s[0] == people["11010020170001"][0]} == {"QMS", "EMS"}
    assert len(after_first[2]) == 1  # the affiliation by credit code

    again = commit_import(
        engine, preview_import(engine, data, f"inspectors.{fmt}", today=TODAY), actor=SUPERVISOR, today=TODAY
    )
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 3)
    assert snapshot(engine) == after_first


def test_changed_row_is_updated(engine):
    commit_import(
        engine,
        preview_import(engine, xlsx_file(GOOD_ROWS), "a.xlsx", today=TODAY),
        actor=SUPERVISOR,
        today=TODAY,
    )
    changed = [row[:] for row in GOOD_ROWS]
    changed[1][5] = "EnMS"  # competences replaced
    changed[2][3] = "上海市市场监督管理局执法总队"
    result = commit_import(
        engine, preview_import(engine, csv_file(changed), "a.csv", today=TODAY), actor=SUPERVISOR, today=TODAY
    )
    assert (result.inserted, result.updated, result.unchanged) == (0, 2, 1)
    with engine.connect() as connection:
        schemes = connection.scalars(
            select(InspectorScheme.__table__.c.scheme_code)
            .join(Inspector.__table__)
            .where(Inspector.__table__.c.enforcement_id == "44010020170002")
        ).all()
    assert schemes == ["EnMS"]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_bad_file_lists_every_bad_row_and_writes_nothing(engine, fmt):
    before = snapshot(engine)
    preview = preview_import(engine, FORMATS[fmt](BAD_ROWS), f"bad.{fmt}", today=TODAY)
    got = [(p.row, p.field, p.column, p.kind) for p in preview.problems]
    assert got == EXPECTED_PROBLEMS
    assert preview.bad_rows == tuple(range(2, 10))
    duplicate = next(p for p in preview.problems if p.kind == "duplicate_in_file")
    assert duplicate.other_row == 4 and duplicate.cell == "B6"
    with pytest.raises(ImportRejected):
        commit_import(engine, preview, actor=SUPERVISOR, today=TODAY)
    assert snapshot(engine) == before


def test_mixed_file_is_all_or_nothing(engine):
    preview = preview_import(engine, xlsx_file([*GOOD_ROWS, BAD_ROWS[2]]), "mixed.xlsx", today=TODAY)
    assert preview.bad_rows == (5,) and len(preview.records) == 3 and not preview.ok
    with pytest.raises(ImportRejected):
        commit_import(engine, preview, actor=SUPERVISOR, today=TODAY)
    assert snapshot(engine)[0] == ()


def test_unknown_institution_and_whole_file_errors(engine):
    row = [*GOOD_ROWS[0][:8], "911100009999999982"]  # valid, but no institution has it
    preview = preview_import(engine, csv_file([row]), "x.csv", today=TODAY)
    assert [(p.row, p.column, p.kind) for p in preview.problems] == [(2, "I", "unknown_institution")]
    with pytest.raises(ImportFileError) as error:
        preview_import(engine, b"not a spreadsheet", "x.xlsx", today=TODAY)
    assert error.value.kind == "unreadable_xlsx"
    with pytest.raises(ImportFileError) as error:
        preview_import(engine, "姓名,手机\n张三,13812345678\n".encode(), "x.csv", today=TODAY)
    assert error.value.kind == "missing_columns"
    with pytest.raises(ImportFileError) as error:
        preview_import(engine, b"a,b\n1,2\n", "x.txt", today=TODAY)
    assert error.value.kind == "unsupported_type"


def test_template_round_trip_has_bilingual_header(engine):
    workbook = load_workbook(io.BytesIO(template_bytes()))
    header = [cell.value for cell in workbook.worksheets[0][1]]
    assert header[:3] == ["姓名 name", "执法证号 enforcement_id", "有效期至 id_valid_until"]
    assert len(workbook.worksheets) == 2
    empty = preview_import(engine, template_bytes(), "template.xlsx", today=TODAY)
    assert empty.rows == 0 and not empty.ok and empty.problems == ()


def test_form_entry_adds_one_and_refuses_a_registered_id(engine):
    values = FORM
    assert add_inspector(engine, values, actor=SUPERVISOR, today=TODAY) == []
    again = add_inspector(engine, values, actor=SUPERVISOR, today=TODAY)
    assert [p.kind for p in again] == ["already_registered"]
    bad = add_inspector(
        engine, {**values, "enforcement_id": "x", "phone": "1"}, actor=SUPERVISOR, today=TODAY
    )
    assert [p.kind for p in bad] == ["bad_id_format", "bad_phone"]
    with engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(Inspector.__table__)) == 1


def test_province_names_and_codes():
    assert province_code("广东省") == province_code("Guangdong") == province_code("440000") == "440000"
    assert province_code("新疆维吾尔自治区") == "650000"
    assert province_code("Atlantis") is None
