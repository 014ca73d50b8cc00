"""The results grid's rows as records: what st.data_editor hands back becomes what the models check."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from dashboard.outcome_form import grid_record
from models.outcome_entry import OutcomeRecord


def _rows(**columns) -> list:
    base = dict(
        target_id=[7],
        certificate_number=["C-7"],
        organisation=["甲公司"],
        inspected_on=[None],
        method=[None],
        outcome_code=["no_violation"],
        findings=[""],
        findings_text=[""],
        follow_up=["none"],
        disposal_status=["not_required"],
        inspectors=[""],
    )
    base.update(columns)
    return list(pd.DataFrame(base).itertuples())


def test_a_filled_row_becomes_the_record_it_shows():
    row = _rows(
        inspected_on=[pd.Timestamp("2026-10-09")],
        method=["onsite"],
        outcome_code=["violation"],
        findings=["audit_time_cut； records_falsified"],
        findings_text=["审核人日不足"],
        follow_up=["case_filed"],
        disposal_status=["open"],
        inspectors=["检查员甲"],
    )[0]
    assert grid_record(row) == OutcomeRecord(
        target_id=7,
        inspected_on=dt.date(2026, 10, 9),
        method="onsite",
        outcome_code="violation",
        follow_up="case_filed",
        findings=("audit_time_cut", "records_falsified"),
        findings_text="审核人日不足",
        disposal_status="open",
        inspectors="检查员甲",
    )


def test_empty_cells_become_missing_values_the_validation_names():
    record = grid_record(_rows(inspected_on=[pd.NaT], method=[None], follow_up=[None])[0])
    assert (record.inspected_on, record.method, record.follow_up, record.findings) == (None, "", "none", ())
    assert grid_record(_rows(inspected_on=[dt.date(2026, 10, 9)])[0]).inspected_on == dt.date(2026, 10, 9)
