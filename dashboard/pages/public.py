"""Published results (结果公示): what the public may see of campaigns, read with the PUBLIC role."""

from __future__ import annotations

import streamlit as st

from dashboard.audit_view import drawn_by_label, show_audit_trail
from dashboard.cache import query, require_data
from dashboard.i18n import format_int, t
from dashboard.tables import TARGET_FORMATTERS, TARGET_HEADERS, campaign_labels, labelled, show_table
from models.access import PUBLIC_VISITOR
from models.audit import chain_head
from models.draw_record_export import export_draw_record
from models.queries.campaigns import campaign_audit_trail, campaign_list, campaign_targets, draw_audit_record

# Everyone, signed in or not, sees this page exactly as the public does.
VIEWER = PUBLIC_VISITOR
ROLE = VIEWER.role
PUBLIC_HEADERS = {column: key for column, key in TARGET_HEADERS.items() if column != "inspectors"}

require_data()
st.title(t("nav.public"))
st.caption(t("pub.caption"))
entries, head = query(chain_head)
st.caption(t("pub.chain_head", n=format_int(entries), head=head))

campaigns = query(campaign_list, viewer=VIEWER)
if campaigns.empty:
    st.info(t("pub.none"))
    st.stop()

labels = campaign_labels(campaigns)
campaign_id = st.selectbox(t("camp.pick"), list(labels), format_func=labels.get, key="pub_pick")
chosen = campaigns.loc[campaigns["id"] == campaign_id].iloc[0]
cols = st.columns(3)
cols[0].metric(t("pub.targets"), format_int(chosen["targets"]))
cols[1].metric(t("pub.violations"), format_int(chosen["violations"]))
cols[2].metric(t("pub.published_on"), str(chosen["published_on"]))

targets = query(campaign_targets, campaign_id, viewer=VIEWER)
show_table(
    labelled(targets, PUBLIC_HEADERS, formatters=TARGET_FORMATTERS),
    name=f"published-{campaign_id}",
    height=360,
)

audit = query(draw_audit_record, campaign_id, role=ROLE)
if audit is not None:
    st.subheader(t("pub.audit"))
    st.write(
        t(
            "camp.audit.line",
            id=audit["draw_id"],
            seed=audit["seed"],
            hash=audit["frame_hash"],
            by=drawn_by_label(audit),
            at=audit["drawn_at"],
            version=audit["sampler_version"],
        )
    )
    export = query(export_draw_record, campaign_id, role=ROLE)
    if export is not None and export.record is not None:
        st.download_button(
            t("pub.audit.download"),
            export.to_json().encode("utf-8"),
            file_name=f"draw-record-{export.draw_id}.json",
            mime="application/json",
            on_click="ignore",
            key="pub_audit_download",
        )
        st.caption(t("pub.audit.verify"))
    elif export is not None:
        st.info(t(f"pub.audit.{export.reason}"))
    st.subheader(t("audit.trail"))
    show_audit_trail(
        query(campaign_audit_trail, campaign_id, viewer=VIEWER), name=f"published-{campaign_id}-audit"
    )
