"""Issue 11 input kinds through the inspector import and the entry form: every bad input is a named
problem (row, column, kind) and leaves the store unchanged; what people type with Chinese input
methods is normalised; ids come from the database, so concurrent imports never collide."""

from __future__ import annotations

import datetime as dt
import threading
import unicodedata

import pytest
from sqlalchemy import func, select

from models import Inspector
from models.imports.inspectors import ImportRejected, add_inspector, commit_import, parse_date, preview_import
from models.imports.tabular import ImportFileError
from tests.models.test_inspector_import import (
    CREDIT,
    FORM,
    GOOD_ROWS,
    HEADER,
    TODAY,
    csv_file,
    snapshot,
    with_institution,
    xlsx_file,
    xlsx_sheets,
)
from tests.models.test_tabular import TRADITIONAL, workbook_bytes
from tests.support.actors import SUPERVISOR


@pytest.fixture
def engine(migrated_engine):
    return with_institution(migrated_engine)


def problems_of(preview) -> list[tuple[int, str, str]]:
    return [(p.row, p.cell, p.kind) for p in preview.problems]


def refused_and_unchanged(engine, preview) -> None:
    before = snapshot(engine)
    with pytest.raises(ImportRejected):
        commit_import(engine, preview, actor=SUPERVISOR, today=TODAY)
    assert snapshot(engine) == before


def count(engine) -> int:
    with engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(Inspector.__table__))


# ---- 1. identifiers that Excel turned into numbers --------------------------------------------------


def test_ids_excel_rounded_to_the_same_number_are_refused_not_merged(engine):
    """Two 18-digit IDs typed into General cells arrive as one double; neither may be upserted."""
    typed = [row[:] for row in GOOD_ROWS[:2]]
    typed[0][1], typed[1][1] = "440100201700012031", "440100201700012035"
    commit_import(engine, preview_import(engine, csv_file(typed), "text.csv", today=TODAY), actor=SUPERVISOR)
    assert count(engine) == 2

    def build(workbook):
        sheet = workbook.active
        sheet.append(HEADER)
        for row in typed:
            sheet.append(row)
        sheet["B2"] = float(typed[0][1])  # what Excel stores: 4.40100201700012E+17 for both
        sheet["B3"] = float(typed[1][1])
        sheet["H2"] = 13812345678  # an 11-digit phone as a number is exact: accepted

    preview = preview_import(engine, workbook_bytes(build), "general.xlsx", today=TODAY)
    assert problems_of(preview) == [(2, "B2", "numeric_identifier"), (3, "B3", "numeric_identifier")]
    assert [p.value for p in preview.problems] == ["4.40100201700012E+17"] * 2
    refused_and_unchanged(engine, preview)


@pytest.mark.parametrize("value", ["4.40100201700012E+17", "1.10100201700E+13", "11010020170001.0"])
def test_number_forms_of_an_id_in_a_csv_are_refused(engine, value):
    row = GOOD_ROWS[0][:]
    row[1] = value
    preview = preview_import(engine, csv_file([row]), "sci.csv", today=TODAY)
    assert problems_of(preview) == [(2, "B2", "numeric_identifier")]
    refused_and_unchanged(engine, preview)


def test_an_18_digit_credit_code_stored_as_a_number_is_refused(engine):
    def build(workbook):
        workbook.active.append(HEADER)
        workbook.active.append(GOOD_ROWS[0])
        workbook.active["I2"] = 911100009999999982

    preview = preview_import(engine, workbook_bytes(build), "code.xlsx", today=TODAY)
    assert problems_of(preview) == [(2, "I2", "numeric_identifier")]


# ---- 3. encodings -----------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["big5", "utf-16", "latin-1"])
def test_a_file_in_another_encoding_is_refused_whole(engine, encoding):
    text = TRADITIONAL if encoding != "latin-1" else "name,agency\nFrançois,Bureau de contrôle\n"
    before = snapshot(engine)
    with pytest.raises(ImportFileError) as error:
        preview_import(engine, text.encode(encoding), "x.csv", today=TODAY)
    assert error.value.kind == "bad_encoding"
    assert snapshot(engine) == before


def test_a_gbk_file_imports_like_utf8(engine):
    data = csv_file(GOOD_ROWS).decode("utf-8-sig").encode("gbk")
    preview = preview_import(engine, data, "gbk.csv", today=TODAY)
    assert preview.ok and [r.name for r in preview.records] == ["张伟", "李娜", "Wang Fang"]


# ---- 4. text as typed with Chinese input methods ----------------------------------------------------


def test_full_width_input_is_normalised_before_validation(engine):
    row = [
        "张伟",
        "１１０１００２０１７０００１",
        "２０２８-０６-３０",
        "北京市市场监督管理局",
        "北京",
        "ＱＭＳ；ＥＭＳ",
        "是",
        "1381234567８",  # one full-width digit
        CREDIT.lower().replace("9", "９"),
    ]
    for data, name in ((csv_file([row]), "fw.csv"), (xlsx_file([row]), "fw.xlsx")):
        preview = preview_import(engine, data, name, today=TODAY)
        assert preview.problems == ()
        (record,) = preview.records
        assert (record.enforcement_id, record.id_valid_until.isoformat()) == ("11010020170001", "2028-06-30")
        assert (record.schemes, record.phone, record.affiliations) == (
            ("EMS", "QMS"),
            "13812345678",
            (CREDIT,),
        )


@pytest.mark.parametrize(
    ("column", "value"),
    [
        (0, "张\u200b伟"),  # zero-width space in the name
        (1, "1101002017\u200d0001"),  # zero-width joiner in the ID
        (3, "北京市\x00市场监督管理局"),  # NUL
        (3, "\x1b[31m北京市市场监督管理局"),  # ESC
        (0, "张伟\x07"),  # BEL
        (7, "\ufeff13812345678"),  # a byte order mark inside text
        (0, "\u202e伟张"),  # right-to-left override
        (4, "北京\u200e"),  # left-to-right mark
    ],
)
def test_invisible_characters_are_refused_with_the_cell(engine, column, value):
    row = GOOD_ROWS[0][:]
    row[column] = value
    letter = "ABCDEFGHI"[column]
    files = [(csv_file([row]), "z.csv")]
    if not any(unicodedata.category(ch) == "Cc" for ch in value):  # .xlsx cannot hold C0 controls
        files.append((xlsx_file([row]), "z.xlsx"))
    for data, name in files:
        preview = preview_import(engine, data, name, today=TODAY)
        assert problems_of(preview) == [(2, f"{letter}2", "invisible_character")]
        assert "\\u" in preview.problems[0].value or "\\x" in preview.problems[0].value  # shown, not hidden
        refused_and_unchanged(engine, preview)


def test_the_form_uses_the_same_normaliser(engine):
    full_width = {**FORM, "enforcement_id": "１１０１００２０１７５５５５", "phone": "１３８０００１１１１１"}
    assert add_inspector(engine, full_width, actor=SUPERVISOR, today=TODAY) == []
    with engine.connect() as connection:
        stored = connection.execute(
            select(Inspector.__table__.c.enforcement_id, Inspector.__table__.c.phone)
        ).one()
    assert tuple(stored) == ("11010020175555", "13800011111")
    # the same person typed full-width again is the same ID: refused as registered, not added twice
    again = add_inspector(engine, {**full_width, "name": "王强"}, actor=SUPERVISOR, today=TODAY)
    assert [p.kind for p in again] == ["already_registered"]
    hidden = add_inspector(
        engine,
        {**FORM, "enforcement_id": "11010020176666", "name": "王\u200b强"},
        actor=SUPERVISOR,
        today=TODAY,
    )
    assert [(p.field, p.kind) for p in hidden] == [("name", "invisible_character")]
    assert count(engine) == 1


# ---- 5. unified social credit codes -----------------------------------------------------------------


@pytest.mark.parametrize(
    "code",
    [
        CREDIT[:-1] + "K",  # wrong check character
        CREDIT.replace("0", "O", 1),  # look-alike letter O for 0
        "9111000010000000IJ".replace("I", "I"),  # look-alike I for 1
        CREDIT[:-1],  # 17 characters
        CREDIT + "1",  # 19
        "91110000100000008Z",  # Z is never used
    ],
)
def test_a_bad_credit_code_is_reported_as_invalid_not_as_unknown(engine, code):
    row = [*GOOD_ROWS[0][:8], code]
    preview = preview_import(engine, csv_file([row]), "c.csv", today=TODAY)
    assert problems_of(preview) == [(2, "I2", "bad_credit_code")]
    refused_and_unchanged(engine, preview)
    problems = add_inspector(engine, {**FORM, "affiliations": code}, actor=SUPERVISOR, today=TODAY)
    assert [(p.field, p.kind) for p in problems] == [("affiliations", "bad_credit_code")]
    assert count(engine) == 0


def test_a_valid_code_no_institution_has_is_unknown(engine):
    problems = add_inspector(
        engine, {**FORM, "affiliations": "911100009999999982"}, actor=SUPERVISOR, today=TODAY
    )
    assert [p.kind for p in problems] == ["unknown_institution"]
    assert add_inspector(engine, {**FORM, "affiliations": CREDIT}, actor=SUPERVISOR, today=TODAY) == []


# ---- 6. workbooks and dates -------------------------------------------------------------------------


def test_error_values_are_never_stored_as_a_name_or_agency(engine):
    rows = [row[:] for row in GOOD_ROWS]
    rows[0][0], rows[1][3], rows[2][4] = "#N/A", "#REF!", "#VALUE!"
    preview = preview_import(engine, xlsx_file(rows), "err.xlsx", today=TODAY)
    assert problems_of(preview) == [
        (2, "A2", "excel_error"),
        (3, "D3", "excel_error"),
        (4, "E4", "excel_error"),
    ]
    refused_and_unchanged(engine, preview)


def test_a_workbook_with_two_data_sheets_needs_a_choice(engine):
    data = xlsx_sheets({"第一批": GOOD_ROWS[:2], "第二批": GOOD_ROWS[2:]})
    with pytest.raises(ImportFileError) as error:
        preview_import(engine, data, "two.xlsx", today=TODAY)
    assert error.value.detail["sheets"] == ["第一批", "第二批"]
    preview = preview_import(engine, data, "two.xlsx", today=TODAY, sheet="第二批")
    assert preview.sheet == "第二批" and [r.name for r in preview.records] == ["Wang Fang"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2028-06-30", "2028-06-30"),
        ("2028/6/3", "2028-06-03"),
        ("2028.06.30", "2028-06-30"),
        ("20280630", "2028-06-30"),
        ("2028年6月30日", "2028-06-30"),
        ("2024131", None),  # 2024-1-31 or 2024-13-1: refused, not guessed
        ("202816", None),
        ("2028-0630", None),  # mixed separators
        ("2028/06-30", None),
        ("2028-02-30", None),
        ("30/06/2028", None),
        ("46203", None),  # an Excel serial number in a General cell
    ],
)
def test_dates_are_read_only_when_unambiguous(text, expected):
    got = parse_date(text, text)
    assert (got.isoformat() if got else None) == expected


def test_an_ambiguous_date_cell_is_a_problem(engine):
    for value in ("2024131", 2024131):

        def build(workbook, value=value):
            workbook.active.append(HEADER)
            workbook.active.append(GOOD_ROWS[0])
            workbook.active["C2"] = value

        preview = preview_import(engine, workbook_bytes(build), "d.xlsx", today=TODAY)
        assert problems_of(preview) == [(2, "C2", "bad_date")]


# ---- structure: ids from the database ---------------------------------------------------------------


def _people(prefix: str, n: int) -> list[list[str]]:
    return [
        [
            f"人员{prefix}{i}",
            f"{prefix}0020170{i:03d}",
            "2030-01-01",
            "广东省市场监督管理局",
            "广东",
            "QMS",
            "是",
            "13812345678",
            "",
        ]
        for i in range(n)
    ]


def test_ids_come_from_the_database(engine):
    """After rows written with explicit ids, the next import still gets fresh ones (no max(id)+1)."""
    commit_import(
        engine, preview_import(engine, csv_file(_people("44", 3)), "a.csv", today=TODAY), actor=SUPERVISOR
    )
    commit_import(
        engine, preview_import(engine, csv_file(_people("33", 2)), "b.csv", today=TODAY), actor=SUPERVISOR
    )
    with engine.connect() as connection:
        ids = connection.scalars(select(Inspector.__table__.c.id).order_by(Inspector.__table__.c.id)).all()
    assert len(ids) == len(set(ids)) == 5


@pytest.mark.postgres
def test_two_concurrent_imports_on_postgresql_do_not_collide(postgres_server):
    from models.db import make_engine
    from models.migrate import upgrade
    from models.reference_data import insert_reference_rows

    url = postgres_server.create_database("regdash_concurrent_imports")
    store = make_engine(url)
    try:
        upgrade(store)
        with store.begin() as connection:
            insert_reference_rows(connection)
        previews = [
            preview_import(store, csv_file(_people(prefix, 40)), f"{prefix}.csv", today=TODAY)
            for prefix in ("44", "33")
        ]
        assert all(p.ok for p in previews)
        start = threading.Barrier(2)
        results, failures = [], []

        def run(preview):
            start.wait()
            try:
                results.append(commit_import(store, preview, actor=SUPERVISOR, today=TODAY))
            except Exception as error:  # reported by the assertion below
                failures.append(error)

        threads = [threading.Thread(target=run, args=(p,)) for p in previews]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert failures == []
        assert sorted(r.inserted for r in results) == [40, 40]
        assert count(store) == 80
    finally:
        store.dispose()


def test_an_excel_date_cell_and_a_text_date_read_the_same(engine):
    def build(workbook):
        workbook.active.append(HEADER)
        workbook.active.append(GOOD_ROWS[0])
        workbook.active.append(GOOD_ROWS[1])
        workbook.active["C2"] = dt.date(2028, 6, 30)
        workbook.active["C2"].number_format = "yyyy-mm-dd"
        workbook.active["C3"] = "２０２８年６月３０日"

    preview = preview_import(engine, workbook_bytes(build), "dates.xlsx", today=TODAY)
    assert preview.problems == ()
    assert [r.id_valid_until for r in preview.records] == [dt.date(2028, 6, 30)] * 2
