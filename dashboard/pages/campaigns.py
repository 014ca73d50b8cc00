"""Campaigns & publication (抽查任务与公示): deadlines, audit record, results in a form, a grid or a
file, review, correction and publication."""

from __future__ import annotations

import datetime as dt
import uuid

import pandas as pd
import streamlit as st

from dashboard.audit_view import drawn_by_label, show_audit_trail
from dashboard.auth import denied_text, require_page
from dashboard.cache import query, require_data
from dashboard.i18n import scheme_name, strings, t
from dashboard.outcome_form import clear_fields, grid_record, outcome_fields
from dashboard.result_errors import problem_text, workflow_error_texts
from dashboard.store import get_engine
from dashboard.tables import (
    TARGET_FORMATTERS,
    TARGET_HEADERS,
    campaign_labels,
    labelled,
    map_unique,
    prefixed_column,
    show_table,
)
from models.access import AccessDenied, Actor, Permission
from models.checklist import pick_items
from models.draw_records import WorkflowError
from models.imports.outcomes import import_outcomes, outcome_template
from models.outcome_entry import Problem, china_today
from models.queries.campaigns import campaign_audit_trail, campaign_list, campaign_targets, draw_audit_record
from models.queries.checklist import campaign_items, checklist
from models.queries.results import campaign_completeness, campaign_results, stored_record
from models.results import (
    correct_outcome,
    publish_campaign,
    record_outcome,
    record_outcomes,
    review_outcome,
)
from models.vocabulary import DISPOSAL_STATUSES, FOLLOW_UPS, INSPECTION_METHODS, OUTCOME_CODES
from models.workdays import PUBLICATION_WORKING_DAYS

FORM = "camp_rec"  # widget-key prefix of the entry form
FIX = "camp_corr"  # ... of the correction form


def _show_errors(error: WorkflowError | AccessDenied) -> None:
    if isinstance(error, AccessDenied):
        st.error(denied_text(error))
        return
    for message in workflow_error_texts(error):
        st.error(message)


def _saved(changed: str) -> None:
    """After a write: fresh reads, a note for the next run, and a rerun (the status shows at once)."""
    st.cache_data.clear()
    st.session_state["camp_saved"] = changed
    st.rerun()


def campaign_table(campaigns: pd.DataFrame) -> None:
    """Every campaign with its progress and deadline (provisional, late, overdue, due soon)."""

    def due_text(row) -> str:
        if row.due_on is None:
            return "—"
        text = row.due_on.isoformat()
        return f"{text} ({t('camp.due.provisional_mark')})" if row.due_provisional else text

    shown = campaigns.assign(
        due_text=[due_text(row) for row in campaigns.itertuples()],
        published_text=[d.isoformat() if isinstance(d, dt.date) else "—" for d in campaigns["published_on"]],
    )
    show_table(
        labelled(
            shown,
            {
                "year": "camp.col.year",
                "name": "camp.col.name",
                "scheme_code": "camp.col.scheme",
                "status": "camp.col.status",
                "targets": "camp.col.targets",
                "outcomes": "camp.col.outcomes",
                "violations": "camp.col.violations",
                "due_text": "camp.col.deadline",
                "due_state": "camp.col.due_state",
                "published_text": "camp.col.published",
            },
            formatters={
                "scheme_code": lambda codes: map_unique(
                    codes, lambda c: scheme_name(c) if isinstance(c, str) else "—"
                ),
                "status": prefixed_column("camp.status"),
                "due_state": lambda states: states.map(lambda s: t(f"camp.due.{s}") if s else ""),
            },
        ),
        name="campaigns",
        height=240,
    )
    provisional = campaigns.loc[campaigns["due_provisional"].astype(bool), "due_on"]
    if not provisional.empty:
        years = sorted({day.year for day in provisional})
        st.caption(t("out.deadline.provisional", years="、".join(map(str, years))))


def audit_record(campaign_id: int, viewer: Actor) -> None:
    """The draw's audit record and the campaign's audit trail, folded."""
    audit = query(draw_audit_record, campaign_id, role=viewer.role)
    if audit is None:
        return
    with st.expander(t("camp.audit"), expanded=False):
        st.write(
            t(
                "camp.audit.line",
                id=audit["draw_id"],
                seed=audit["seed"],
                hash=audit["frame_hash"][:16],
                by=drawn_by_label(audit),
                at=audit["drawn_at"],
                version=audit["sampler_version"],
            )
        )
        st.json(audit["params"], expanded=False)
        show_audit_trail(
            query(campaign_audit_trail, campaign_id, viewer=viewer), name=f"campaign-{campaign_id}-audit"
        )


def checklist_items(campaign_id: int, unit_type: str, items: pd.DataFrame, viewer: Actor) -> None:
    """The items the campaign checks; a planner picks them from the list (抽查事项清单)."""
    with st.expander(t("camp.items.header", n=len(items)), expanded=items.empty):
        if not items.empty:
            show_table(
                labelled(
                    items,
                    {
                        "code": "camp.items.code",
                        "title": "camp.items.title",
                        "check_content": "camp.items.content",
                        "standard": "camp.items.standard",
                        "score": "camp.items.score",
                        "legal_basis": "camp.items.basis",
                    },
                ),
                name=f"campaign-{campaign_id}-items",
            )
        if not viewer.can(Permission.DRAW):
            return
        available = query(checklist, target_type=unit_type)
        titles = {r.code: f"{r.code} {r.title}（{r.score}）" for r in available.itertuples()}
        picked = st.multiselect(
            t("camp.items.pick"),
            list(titles),
            default=[code for code in items["code"] if code in titles],
            format_func=titles.get,
            key="camp_items_pick",
        )
        if st.button(t("camp.items.save"), key="camp_items_save"):
            try:
                pick_items(get_engine(), campaign_id, picked, actor=viewer)
            except (WorkflowError, AccessDenied) as error:
                _show_errors(error)
                return
            _saved(t("camp.items.saved", n=len(picked)))


def record_form(open_targets: pd.DataFrame, items: pd.DataFrame, viewer: Actor) -> None:
    """One result at a time; a refused save keeps the input, a double submit saves once."""
    labels = {
        int(r.target_id): f"{r.target_id} · {r.certificate_number} · {r.organisation}"
        for r in open_targets.itertuples()
    }
    key = st.session_state.setdefault("camp_submission", uuid.uuid4().hex)
    with st.form("camp_record", clear_on_submit=False):
        # no default: if the chosen target is taken meanwhile (another user saved it), the choice
        # empties instead of silently moving to another target
        target_id = st.selectbox(
            t("camp.record.target"),
            list(labels),
            format_func=labels.get,
            index=None,
            placeholder=t("camp.record.target_placeholder"),
            key="camp_record_target",
        )
        record = outcome_fields(FORM, target_id or 0, items)
        submitted = st.form_submit_button(t("camp.record.save"), type="primary")
    if not submitted:
        return
    if target_id is None:
        st.error(t("camp.record.no_target"))
        return
    try:
        record_outcome(get_engine(), record, actor=viewer, submission_key=key)
    except (WorkflowError, AccessDenied) as error:
        _show_errors(error)
        return
    clear_fields(FORM)
    st.session_state.pop("camp_record_target", None)
    st.session_state["camp_submission"] = uuid.uuid4().hex
    _saved(t("camp.record.saved", target=target_id))


def record_grid(campaign_id: int, open_targets: pd.DataFrame, viewer: Actor) -> None:
    """Quick entry of many results in a table; saved all together or not at all."""
    st.caption(t("camp.grid.caption"))
    frame = open_targets[["target_id", "certificate_number", "organisation"]].assign(
        inspected_on=None,
        method=None,
        outcome_code=None,
        findings="",
        findings_text="",
        follow_up="none",
        disposal_status="not_required",
        inspectors="",
    )
    frame["inspected_on"] = pd.Series([None] * len(frame), dtype="object")
    config = {
        "target_id": st.column_config.NumberColumn(t("camp.col.target"), disabled=True),
        "certificate_number": st.column_config.TextColumn(t("camp.col.certificate"), disabled=True),
        "organisation": st.column_config.TextColumn(t("camp.col.organisation"), disabled=True),
        "inspected_on": st.column_config.DateColumn(t("out.field.inspected_on"), format="YYYY-MM-DD"),
        "findings": st.column_config.TextColumn(t("out.field.findings"), help=t("camp.grid.findings_help")),
        "findings_text": st.column_config.TextColumn(t("out.field.findings_text"), max_chars=2000),
        "inspectors": st.column_config.TextColumn(t("out.field.inspectors"), max_chars=256),
    }
    for column, options, prefix in (
        ("method", INSPECTION_METHODS, "out.method"),
        ("outcome_code", OUTCOME_CODES, "out.code"),
        ("follow_up", FOLLOW_UPS, "out.follow"),
        ("disposal_status", DISPOSAL_STATUSES, "out.disposal"),
    ):
        labels = {code: t(f"{prefix}.{code}") for code in options}
        config[column] = st.column_config.SelectboxColumn(
            t(f"out.field.{column}"), options=options, format_func=labels.get
        )
    edited = st.data_editor(
        frame,
        column_config=config,
        hide_index=True,
        num_rows="fixed",
        key="camp_grid",
        use_container_width=True,
    )
    if not st.button(t("camp.grid.save"), key="camp_grid_save"):
        return
    entered = edited[edited["outcome_code"].notna()]
    records = [grid_record(row) for row in entered.itertuples()]
    try:
        record_outcomes(get_engine(), campaign_id, records, actor=viewer, source="grid")
    except WorkflowError as error:
        if error.code != "rows_invalid":
            _show_errors(error)
            return
        st.error(t("error.workflow.rows_invalid", count=error.fields["count"]))
        for index, problem in error.fields["problems"]:
            st.error(t("camp.grid.problem", target=records[index].target_id, message=problem_text(problem)))
        return
    except AccessDenied as error:
        _show_errors(error)
        return
    st.session_state.pop("camp_grid", None)
    _saved(t("camp.grid.saved", n=len(records)))


def _cell_text(problem) -> str:
    """An import problem: the cell (or the file) and what is wrong, in the reader's language."""
    if problem.row == 0:  # the file as a whole
        values = {
            k: ", ".join(map(str, v)) if isinstance(v, list) else str(v) for k, v in problem.values.items()
        }
        for key in (f"error.workflow.{problem.code}", f"insp.file.{problem.code}"):
            if key in strings():
                return t(key, **values)
        return problem.code
    where = (
        t("out.import.cell", cell=problem.cell) if problem.column else t("out.import.row", row=problem.row)
    )
    return f"{where} · {problem_text(Problem(problem.field, problem.code, problem.values))}"


def record_import(campaign_id: int, viewer: Actor) -> None:
    """The campaign's Excel template, and its import: every row or none, problems by cell."""
    label = lambda key: t(key) if key in strings() else ""  # noqa: E731
    st.download_button(
        t("camp.import.template"),
        outcome_template(get_engine(), campaign_id, viewer=viewer, label=label),
        file_name=f"campaign-{campaign_id}-results.xlsx",
        key="camp_template",
    )
    upload = st.file_uploader(t("camp.import.file"), type=["xlsx", "csv"], key="camp_upload")
    if upload is None or not st.button(t("camp.import.button"), key="camp_import"):
        return
    try:
        chinese = lambda key: strings()[key]["zh"] if key in strings() else ""  # noqa: E731
        labels = (label, chinese)  # the labels of the template as shown, and the Chinese ones alone
        result = import_outcomes(
            get_engine(), campaign_id, upload.getvalue(), upload.name, actor=viewer, labels=labels
        )
    except (WorkflowError, AccessDenied) as error:
        _show_errors(error)
        return
    if not result.ok:
        st.error(t("camp.import.refused", n=len(result.problems)))
        for problem in result.problems:
            st.error(_cell_text(problem))
        return
    _saved(t("camp.import.done", n=len(result.written)))


def review(campaign_id: int, viewer: Actor) -> None:
    """A supervisor approves a result or returns it with a note."""
    results = query(campaign_results, campaign_id, viewer=viewer)
    waiting = results[results["review_status"] != "approved"]
    if waiting.empty:
        st.caption(t("camp.review.none"))
        return
    labels = {
        int(r.outcome_id): f"{r.target_id} · {r.certificate_number} · {t(f'out.code.{r.outcome_code}')}"
        f" · {t(f'out.review.{r.review_status}')}"
        for r in waiting.itertuples()
    }
    outcome_id = st.selectbox(
        t("camp.review.pick"), list(labels), format_func=labels.get, key="camp_review_pick"
    )
    note = st.text_input(t("camp.review.note"), max_chars=256, key="camp_review_note")
    cols = st.columns(2)
    decision = None
    if cols[0].button(t("camp.review.approve"), key="camp_approve", type="primary"):
        decision = "approved"
    if cols[1].button(t("camp.review.return"), key="camp_return"):
        decision = "returned"
    if decision is None:
        return
    try:
        review_outcome(get_engine(), outcome_id, decision=decision, actor=viewer, note=note)
    except (WorkflowError, AccessDenied) as error:
        _show_errors(error)
        return
    st.session_state.pop("camp_review_note", None)
    _saved(t(f"camp.review.done_{decision}", target=labels[outcome_id].split(" · ")[0]))


def correction(campaign_id: int, items: pd.DataFrame, viewer: Actor) -> None:
    """Correct a saved result with a reason; the old values are kept and the change is audited."""
    results = query(campaign_results, campaign_id, viewer=viewer)
    if results.empty:
        st.caption(t("camp.correct.none"))
        return
    labels = {
        int(r.outcome_id): f"{r.target_id} · {r.certificate_number} · {t(f'out.code.{r.outcome_code}')}"
        for r in results.itertuples()
    }
    outcome_id = st.selectbox(
        t("camp.correct.pick"), list(labels), format_func=labels.get, key="camp_fix_pick"
    )
    stored = stored_record(get_engine(), outcome_id)
    if stored is None:
        return
    if st.session_state.get("camp_fix_loaded") != outcome_id:  # another result: start from its values
        clear_fields(FIX)
        st.session_state["camp_fix_loaded"] = outcome_id
    with st.form("camp_fix_form", clear_on_submit=False):
        record = outcome_fields(FIX, stored.target_id, items, stored)
        reason = st.text_input(t("out.field.reason"), max_chars=256, key="camp_fix_reason")
        submitted = st.form_submit_button(t("camp.correct.save"))
    if not submitted:
        return
    try:
        correct_outcome(get_engine(), outcome_id, record, reason=reason, actor=viewer)
    except (WorkflowError, AccessDenied) as error:
        _show_errors(error)
        return
    clear_fields(FIX)
    st.session_state.pop("camp_fix_loaded", None)
    _saved(t("camp.correct.done", target=stored.target_id))


def publication(campaign_id: int, viewer: Actor) -> None:
    """Publish once every target is approved or marked not inspected; otherwise say what is missing."""
    st.subheader(t("camp.publish.header"))
    state = campaign_completeness(get_engine(), campaign_id)
    days = int(st.number_input(t("camp.publish.days"), 1, 60, PUBLICATION_WORKING_DAYS, key="camp_days"))
    if not state.complete:
        st.caption(
            t(
                "error.workflow.campaign_incomplete",
                missing=state.missing,
                pending=state.pending,
                returned=state.returned,
            )
        )
    if not st.button(t("camp.publish.button"), disabled=not state.complete, key="camp_publish"):
        return
    try:
        deadline = publish_campaign(
            get_engine(), campaign_id, on=china_today(), actor=viewer, within_working_days=days
        )
    except (WorkflowError, AccessDenied) as error:
        _show_errors(error)
        return
    done = t("camp.publish.done", deadline=deadline.due_on.isoformat())
    if deadline.provisional:
        done += " " + t("out.deadline.provisional", years="、".join(map(str, deadline.uncovered_years)))
    _saved(done)


def main() -> None:
    """The page: campaigns, then the chosen campaign's record, targets, results and publication."""
    viewer = require_page(Permission.READ_STAFF)
    require_data()
    st.title(t("nav.campaigns"))
    st.caption(t("camp.caption"))
    if "camp_saved" in st.session_state:
        st.success(st.session_state.pop("camp_saved"))
    campaigns = query(campaign_list, viewer=viewer)
    if campaigns.empty:
        st.info(t("camp.none"))
        st.stop()
    campaign_table(campaigns)
    labels = campaign_labels(campaigns)
    campaign_id = st.selectbox(t("camp.pick"), list(labels), format_func=labels.get, key="camp_pick")
    status = campaigns.loc[campaigns["id"] == campaign_id, "status"].iloc[0]
    audit_record(campaign_id, viewer)
    targets = query(campaign_targets, campaign_id, viewer=viewer)
    show_table(
        labelled(targets, {"target_id": "camp.col.target", **TARGET_HEADERS}, formatters=TARGET_FORMATTERS),
        name=f"campaign-{campaign_id}-targets",
        height=300,
    )
    if status == "published" or targets.empty:  # a planned campaign has nothing to record yet
        return
    items = query(campaign_items, campaign_id)
    unit_type = campaigns.loc[campaigns["id"] == campaign_id, "unit_type"].iloc[0]
    checklist_items(campaign_id, unit_type, items, viewer)
    open_targets = targets[targets["outcome_code"].isna()]
    st.subheader(t("camp.record.header"))
    tabs = st.tabs(
        [
            t("camp.tab.form"),
            t("camp.tab.grid"),
            t("camp.tab.import"),
            t("camp.tab.review"),
            t("camp.tab.correct"),
        ]
    )
    with tabs[0]:
        if not viewer.can(Permission.RECORD_OUTCOME):
            st.caption(t("camp.record.not_permitted"))
        elif open_targets.empty:
            st.caption(t("camp.record.all_done"))
        else:
            record_form(open_targets, items, viewer)
    with tabs[1]:
        if viewer.can(Permission.RECORD_OUTCOME) and not open_targets.empty:
            record_grid(campaign_id, open_targets, viewer)
    with tabs[2]:
        if viewer.can(Permission.RECORD_OUTCOME):
            record_import(campaign_id, viewer)
    with tabs[3]:
        if viewer.can(Permission.REVIEW_OUTCOME):
            review(campaign_id, viewer)
        else:
            st.caption(t("camp.review.not_permitted"))
    with tabs[4]:
        if viewer.can(Permission.RECORD_OUTCOME):
            correction(campaign_id, items, viewer)
    if viewer.can(Permission.PUBLISH):
        publication(campaign_id, viewer)


main()
