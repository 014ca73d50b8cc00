"""Campaigns & publication (抽查任务与公示): audit record, outcomes, publication within working days."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from dashboard.audit_view import drawn_by_label, show_audit_trail
from dashboard.auth import denied_text, require_page
from dashboard.cache import query, require_data
from dashboard.i18n import scheme_name, t
from dashboard.result_errors import workflow_error_texts
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
from models.access import AccessDenied, Permission
from models.draw_records import WorkflowError
from models.outcome_entry import OutcomeRecord
from models.queries.campaigns import campaign_audit_trail, campaign_list, campaign_targets, draw_audit_record
from models.results import publish_campaign, record_outcome
from models.vocabulary import FINDING_CATEGORIES, FOLLOW_UPS, INSPECTION_METHODS, OUTCOME_CODES

VIEWER = require_page(Permission.READ_STAFF)
ROLE = VIEWER.role

require_data()
st.title(t("nav.campaigns"))
st.caption(t("camp.caption"))

campaigns = query(campaign_list, viewer=VIEWER)
if campaigns.empty:
    st.info(t("camp.none"))
    st.stop()


def _due_text(row) -> str:
    """The deadline as shown: the date, marked provisional; empty before the first result."""
    if row.due_on is None:
        return "—"
    text = row.due_on.isoformat()
    return f"{text} ({t('camp.due.provisional_mark')})" if row.due_provisional else text


shown_campaigns = campaigns.assign(
    due_text=[_due_text(row) for row in campaigns.itertuples()],
    published_text=[d.isoformat() if isinstance(d, dt.date) else "—" for d in campaigns["published_on"]],
)
show_table(
    labelled(
        shown_campaigns,
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

labels = campaign_labels(campaigns)
campaign_id = st.selectbox(t("camp.pick"), list(labels), format_func=labels.get, key="camp_pick")
status = campaigns.loc[campaigns["id"] == campaign_id, "status"].iloc[0]

audit = query(draw_audit_record, campaign_id, role=ROLE)
if audit is not None:
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
            query(campaign_audit_trail, campaign_id, viewer=VIEWER), name=f"campaign-{campaign_id}-audit"
        )

targets = query(campaign_targets, campaign_id, viewer=VIEWER)
show_table(
    labelled(targets, {"target_id": "camp.col.target", **TARGET_HEADERS}, formatters=TARGET_FORMATTERS),
    name=f"campaign-{campaign_id}-targets",
    height=300,
)

open_targets = targets[targets["outcome_code"].isna()]
if status != "published" and not targets.empty:  # a planned campaign has nothing to record yet
    st.subheader(t("camp.record.header"))
    if not VIEWER.can(Permission.RECORD_OUTCOME):
        st.caption(t("camp.record.not_permitted"))
    elif open_targets.empty:
        st.caption(t("camp.record.all_done"))
    else:
        target_labels = {
            int(r.target_id): f"{r.target_id} · {r.certificate_number} · {r.organisation}"
            for r in open_targets.itertuples()
        }
        method_labels = {m: t(f"out.method.{m}") for m in INSPECTION_METHODS}
        outcome_labels = {c: t(f"out.code.{c}") for c in OUTCOME_CODES}
        follow_labels = {f: t(f"out.follow.{f}") for f in FOLLOW_UPS}
        finding_labels = {f: t(f"out.finding.{f}") for f in FINDING_CATEGORIES}
        with st.form("camp_record", clear_on_submit=True):
            # no default: if the chosen target is taken meanwhile (another user saved it), the choice
            # empties instead of silently moving to another target
            target_id = st.selectbox(
                t("camp.record.target"),
                list(target_labels),
                format_func=target_labels.get,
                index=None,
                placeholder=t("camp.record.target_placeholder"),
                key="camp_record_target",
            )
            cols = st.columns(3)
            inspected_on = cols[0].date_input(t("camp.record.date"), dt.date.today())
            method = cols[1].selectbox(
                t("camp.record.method"), INSPECTION_METHODS, format_func=method_labels.get
            )
            outcome = cols[2].selectbox(
                t("camp.record.outcome"), OUTCOME_CODES, format_func=outcome_labels.get
            )
            findings = st.multiselect(
                t("camp.record.findings"),
                FINDING_CATEGORIES,
                format_func=finding_labels.get,
                placeholder=t("camp.record.findings_placeholder"),
            )
            follow_up = st.selectbox(t("camp.record.follow_up"), FOLLOW_UPS, format_func=follow_labels.get)
            note = st.text_input(t("camp.record.note"), max_chars=256)
            submitted = st.form_submit_button(t("camp.record.save"), type="primary")
            if submitted and target_id is None:
                st.error(t("camp.record.no_target"))
            elif submitted:
                try:
                    record_outcome(
                        get_engine(),
                        OutcomeRecord(
                            target_id=target_id,
                            inspected_on=inspected_on,
                            method=method,
                            outcome_code=outcome,
                            follow_up=follow_up,
                            findings=tuple(findings),
                            note=note,
                        ),
                        actor=VIEWER,
                    )
                    st.cache_data.clear()
                    st.session_state["camp_saved"] = target_id
                    st.rerun()
                except AccessDenied as error:
                    st.error(denied_text(error))
                except WorkflowError as error:
                    for message in workflow_error_texts(error):
                        st.error(message)
    if "camp_saved" in st.session_state:
        st.success(t("camp.record.saved", target=st.session_state.pop("camp_saved")))

if status != "published" and not targets.empty and VIEWER.can(Permission.PUBLISH):
    st.subheader(t("camp.publish.header"))
    days = int(st.number_input(t("camp.publish.days"), 1, 60, 20, key="camp_days"))
    if not open_targets.empty:
        st.caption(t("camp.publish.waiting", n=len(open_targets)))
    if st.button(t("camp.publish.button"), disabled=not open_targets.empty, key="camp_publish"):
        try:
            deadline = publish_campaign(
                get_engine(), campaign_id, on=dt.date.today(), actor=VIEWER, within_working_days=days
            )
            st.cache_data.clear()
            st.success(t("camp.publish.done", deadline=deadline.due_on.isoformat()))
        except AccessDenied as error:
            st.error(denied_text(error))
        except WorkflowError as error:
            for message in workflow_error_texts(error):
                st.error(message)
