"""The per-campaign Excel template and the all-or-nothing import, one test per bad-input kind."""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd
import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from dashboard.strings import load_strings
from models import AuditEntry, Finding, InspectionOutcome, OutcomeItem
from models.audit import verify_rows
from models.checklist import pick_items
from models.draw_records import DrawRecord, commit_draw
from models.imports.outcomes import SHEET, import_outcomes, outcome_template
from tests.support.actors import BUREAU_GD, BUREAU_ZJ, PLANNER, STAFF, SUPERVISOR

TODAY = dt.date(2026, 11, 30)
STRINGS = load_strings()


def _zh(key: str) -> str:
    """The Chinese label of a string key, as the command line and the template show it."""
    return STRINGS[key]["zh"] if key in STRINGS else ""


LABELS = (_zh,)
COLUMNS = {  # header key -> column letter in the template (5 info columns, then entry, then items)
    "target_id": "A",
    "inspected_on": "F",
    "method": "G",
    "outcome_code": "H",
    "not_inspected_reason": "I",
    "findings": "J",
    "findings_text": "K",
    "follow_up": "L",
    "disposal_status": "M",
    "closed_on": "N",
    "inspectors": "O",
    "note": "P",
    "RZ-03_result": "Q",
    "RZ-03_score": "R",
    "RZ-02_result": "S",
    "RZ-02_score": "T",
}


def _draw(engine, name: str, units: list[int]) -> None:
    record = DrawRecord(
        campaign_name=name,
        year=2026,
        seed=3,
        frame_hash="cd" * 32,
        params={},
        sampler_version="t",
        drawn_at=dt.datetime(2026, 9, 1, 2, tzinfo=dt.UTC),
    )
    targets = pd.DataFrame(
        {
            "unit_id": units,
            "institution_id": [1] * len(units),
            "region": ["440000"] * len(units),
            "scheme": ["QMS"] * len(units),
            "inclusion_probability": [0.5] * len(units),
        }
    )
    teams = pd.DataFrame(columns=["unit_id", "inspector_id", "role"])
    commit_draw(engine, record, targets, teams, actor=PLANNER)


@pytest.fixture
def campaign(store):
    """Campaign 1 (targets 1, 2: certificates 1, 2) checking RZ-03 then RZ-02; campaign 2 (target 3)."""
    _draw(store, "QMS 导入", [1, 2])
    _draw(store, "另一任务", [3])
    pick_items(store, 1, ["RZ-03", "RZ-02"], actor=PLANNER)
    pick_items(store, 2, ["RZ-03"], actor=PLANNER)
    return store


def _book(engine, campaign_id: int = 1):
    template = outcome_template(engine, campaign_id, viewer=SUPERVISOR, label=_zh)
    return load_workbook(io.BytesIO(template))


def _fill(book, row: int, **values) -> None:
    sheet = book[SHEET]
    for key, value in values.items():
        sheet[f"{COLUMNS[key]}{row}"] = value


def _bytes(book) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


GOOD = dict(
    inspected_on=dt.date(2026, 10, 9),
    method="现场检查 onsite",
    outcome_code="violation",
    findings="audit_time_cut；records_falsified",
    findings_text="审核人日不足",
    follow_up="rectify",
    disposal_status="open",
    inspectors="检查员1；检查员2",
)
OK = dict(
    inspected_on="2026-10-10",
    method="documents",
    outcome_code="no_violation",
    **{"RZ-03_result": "conform", "RZ-03_score": 10, "RZ-02_result": "符合 conform"},
)


def _counts(engine) -> tuple[int, int, int]:
    with engine.connect() as connection:
        return tuple(
            connection.execute(select(func.count()).select_from(table)).scalar_one()
            for table in (InspectionOutcome.__table__, OutcomeItem.__table__, AuditEntry.__table__)
        )


def test_the_template_is_pre_filled_with_the_targets_and_items(campaign):
    book = _book(campaign)
    sheet = book[SHEET]
    header = [cell.value for cell in sheet[1]]
    assert header[0] == "对象编号 target_id" and header[16].startswith("RZ-03_result 审核时间")
    assert header[18].startswith("RZ-02_result") and len(header) == 20
    assert [sheet[f"A{row}"].value for row in (2, 3)] == [1, 2]
    assert sheet["B2"].value == "C-1" and sheet["E2"].value == "440000"
    assert book["meta"]["B1"].value == 1 and book["meta"]["B2"].value == "RZ-03,RZ-02"
    assert sheet.data_validations.dataValidation  # drop-downs for the vocabularies
    assert _book(campaign, 1)[SHEET].max_row == 3
    zhejiang = load_workbook(io.BytesIO(outcome_template(campaign, 1, viewer=BUREAU_ZJ)))[SHEET]
    assert zhejiang["A2"].value is None  # a bureau's template holds its own province's targets only


def test_a_filled_template_imports_every_entered_row_once_with_one_audit_entry(campaign):
    book = _book(campaign)
    _fill(book, 2, **GOOD, **{"RZ-03_result": "nonconform", "RZ-03_score": 3})
    _fill(book, 3, **OK)
    before = _counts(campaign)
    result = import_outcomes(campaign, 1, _bytes(book), "r.xlsx", actor=BUREAU_GD, today=TODAY, labels=LABELS)
    assert result.ok, [p.message() for p in result.problems]
    assert len(result.written) == 2
    assert _counts(campaign) == (before[0] + 2, before[1] + 3, before[2] + 1)
    with campaign.connect() as connection:
        row = (
            connection.execute(
                select(InspectionOutcome.__table__).where(InspectionOutcome.__table__.c.target_id == 1)
            )
            .mappings()
            .one()
        )
    assert (row["method"], row["outcome_code"], row["inspectors"]) == (
        "onsite",
        "violation",
        "检查员1;检查员2",  # typed full-width, stored NFKC-normalised,
    )
    assert verify_rows(campaign).changed == ()
    again = import_outcomes(campaign, 1, _bytes(book), "r.xlsx", actor=BUREAU_GD, today=TODAY, labels=LABELS)
    assert {p.code for p in again.problems} == {"outcome_exists"}  # a second import writes nothing


def test_rows_left_blank_are_not_imported(campaign):
    book = _book(campaign)
    _fill(book, 3, **OK)
    result = import_outcomes(campaign, 1, _bytes(book), "r.xlsx", actor=BUREAU_GD, today=TODAY, labels=LABELS)
    assert result.ok and len(result.written) == 1


BAD_ROWS = [
    ("date in the future", dict(OK, inspected_on="2026-12-01"), "F3", "date_in_future"),
    ("date of another year", dict(OK, inspected_on="2019-01-01"), "F3", "date_outside_window"),
    ("not a date", dict(OK, inspected_on="十月"), "F3", "bad_date"),
    ("unknown method", dict(OK, method="电话"), "G3", "not_in_vocabulary"),
    ("unknown finding", dict(GOOD, findings="bribery"), "J3", "not_in_vocabulary"),
    ("violation without findings", dict(GOOD, findings=""), "J3", "violation_needs_findings"),
    ("score above the item's points", dict(OK, **{"RZ-03_score": 12}), "R3", "score_out_of_range"),
    ("score not a number", dict(OK, **{"RZ-03_score": "ten"}), "R3", "bad_number"),
    ("unknown item result", dict(OK, **{"RZ-02_result": "ok"}), "S3", "not_in_vocabulary"),
    ("target id infinite", dict(OK, target_id="inf"), "A3", "not_an_id"),
    ("target id with a fraction", dict(OK, target_id=2.5), "A3", "not_an_id"),
    ("target id as fraction text", dict(OK, target_id="2.0"), "A3", "not_an_id"),
    ("target id in exponent form", dict(OK, target_id="2e0"), "A3", "not_an_id"),
    ("target id beyond 2**53", dict(OK, target_id=2.0**60), "A3", "not_an_id"),
    ("target id an excel error", dict(OK, target_id="#REF!"), "A3", "excel_error"),
    ("zero-width space in findings text", dict(OK, findings_text="无\u200b"), "K3", "invisible_character"),
    ("right-to-left override in inspectors", dict(OK, inspectors="张三\u202e"), "O3", "invisible_character"),
    ("excel error in note", dict(OK, note="#N/A"), "P3", "excel_error"),
    ("division error in findings text", dict(OK, findings_text="#DIV/0!"), "K3", "excel_error"),
    (
        "a finding twice",
        dict(GOOD, findings="certificate_selling；certificate_selling"),
        "J3",
        "duplicate_finding",
    ),
    (
        "no violation with a measure",
        dict(OK, follow_up="withdraw_certificate"),
        "L3",
        "follow_up_without_violation",
    ),
    ("no violation being disposed of", dict(OK, disposal_status="open"), "M3", "disposal_without_violation"),
    (
        "not inspected without reason",
        dict(OK, outcome_code="not_inspected"),
        "I3",
        "not_inspected_needs_reason",
    ),
]


@pytest.mark.parametrize(("why", "row", "cell", "code"), BAD_ROWS, ids=[case[0] for case in BAD_ROWS])
def test_each_bad_row_is_named_by_its_cell_and_nothing_is_written(campaign, why, row, cell, code):
    book = _book(campaign)
    _fill(book, 2, **OK)  # a good row: written only if the whole file is good
    _fill(book, 3, **row)
    before = _counts(campaign)
    result = import_outcomes(campaign, 1, _bytes(book), "r.xlsx", actor=BUREAU_GD, today=TODAY, labels=LABELS)
    assert [(p.cell, p.code) for p in result.problems] == [(cell, code)], why
    assert result.written == () and _counts(campaign) == before


def test_a_target_twice_in_the_file_is_named_on_the_second_row(campaign):
    book = _book(campaign)
    _fill(book, 2, **OK)
    _fill(book, 3, **OK, target_id=1)
    result = import_outcomes(campaign, 1, _bytes(book), "r.xlsx", actor=BUREAU_GD, today=TODAY, labels=LABELS)
    assert [(p.cell, p.code, p.values["first_row"]) for p in result.problems] == [
        ("A3", "duplicate_target", 2)
    ]


def test_a_target_of_another_campaign_is_refused(campaign):
    book = _book(campaign)
    _fill(book, 3, **OK, target_id=3)
    result = import_outcomes(campaign, 1, _bytes(book), "r.xlsx", actor=BUREAU_GD, today=TODAY, labels=LABELS)
    assert [(p.cell, p.code) for p in result.problems] == [("A3", "unknown_target")]


def test_the_template_of_another_campaign_is_refused_as_a_whole(campaign):
    book = _book(campaign, 2)
    _fill(book, 2, inspected_on="2026-10-10", method="onsite", outcome_code="no_violation")
    before = _counts(campaign)
    result = import_outcomes(campaign, 1, _bytes(book), "r.xlsx", actor=BUREAU_GD, today=TODAY, labels=LABELS)
    assert [(p.row, p.code) for p in result.problems] == [(0, "wrong_campaign")]
    assert _counts(campaign) == before


def test_a_template_whose_item_columns_were_changed_is_refused(campaign):
    book = _book(campaign)
    book[SHEET]["S1"] = "something else"
    _fill(book, 2, **OK)
    result = import_outcomes(campaign, 1, _bytes(book), "r.xlsx", actor=BUREAU_GD, today=TODAY, labels=LABELS)
    assert [(p.code, p.values) for p in result.problems] == [
        ("changed_template", {"columns": ["RZ-02_result"]})
    ]
    pick_items(campaign, 1, ["RZ-03"], actor=PLANNER)  # the campaign's items changed since the download
    result = import_outcomes(
        campaign, 1, _bytes(_book_with_items(campaign)), "r.xlsx", actor=BUREAU_GD, today=TODAY
    )
    assert [p.code for p in result.problems] == ["changed_template"]


def _book_with_items(engine):
    book = load_workbook(io.BytesIO(outcome_template(engine, 1, viewer=SUPERVISOR)))
    book["meta"]["B2"] = "RZ-03,RZ-02"  # as downloaded before the items changed
    _fill(book, 2, inspected_on="2026-10-10", method="onsite", outcome_code="no_violation")
    return book


def test_a_bureau_imports_only_its_own_province_and_staff_not_at_all(campaign):
    from models.access import AccessDenied

    book = _book(campaign)
    _fill(book, 2, **OK)
    with pytest.raises(AccessDenied):
        import_outcomes(campaign, 1, _bytes(book), "r.xlsx", actor=STAFF, today=TODAY, labels=LABELS)
    result = import_outcomes(campaign, 1, _bytes(book), "r.xlsx", actor=BUREAU_ZJ, today=TODAY, labels=LABELS)
    assert [(p.cell, p.code) for p in result.problems] == [("A2", "other_province")]


def test_a_target_id_of_many_digits_is_named_exactly(campaign):
    book = _book(campaign)
    _fill(book, 3, **OK, target_id="1234567890123456789012345")
    before = _counts(campaign)
    result = import_outcomes(campaign, 1, _bytes(book), "r.xlsx", actor=BUREAU_GD, today=TODAY, labels=LABELS)
    assert [(p.cell, p.code, p.values) for p in result.problems] == [
        ("A3", "unknown_target", {"target": 1234567890123456789012345})
    ]
    assert _counts(campaign) == before


def test_an_excel_error_cell_is_refused_naming_the_cell(campaign):
    book = _book(campaign)
    _fill(book, 3, **OK)
    book[SHEET]["P3"].value, book[SHEET]["P3"].data_type = "#N/A", "e"  # a real error cell, not text
    before = _counts(campaign)
    result = import_outcomes(campaign, 1, _bytes(book), "r.xlsx", actor=BUREAU_GD, today=TODAY, labels=LABELS)
    assert [(p.cell, p.code) for p in result.problems] == [("P3", "excel_error")]
    assert _counts(campaign) == before


def test_the_template_labels_full_and_chinese_alone_are_accepted(campaign):
    book = _book(campaign)
    options = [cell.value for cell in book["lists"]["D"] if cell.value]  # the findings list, as shown
    assert "买证卖证 certificate_selling" in options
    chosen = dict(
        GOOD,
        method="现场检查",
        follow_up="责令整改 rectify",
        disposal_status="处置中",
        findings="买证卖证 certificate_selling；审核记录不真实",
        **{"RZ-03_result": "不符合", "RZ-03_score": 3},
    )
    _fill(book, 2, **chosen)
    result = import_outcomes(campaign, 1, _bytes(book), "r.xlsx", actor=BUREAU_GD, today=TODAY, labels=LABELS)
    assert result.ok, [p.message() for p in result.problems]
    with campaign.connect() as connection:
        row = connection.execute(select(InspectionOutcome.__table__)).mappings().one()
        categories = connection.execute(select(Finding.__table__.c.category)).scalars().all()
        result = connection.execute(select(OutcomeItem.__table__.c.result)).scalars().all()
    assert (row["method"], row["follow_up"], row["disposal_status"]) == ("onsite", "rectify", "open")
    assert sorted(categories) == ["certificate_selling", "records_falsified"] and result == ["nonconform"]
