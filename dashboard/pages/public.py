"""Published results (结果公示): what the public may see of campaigns, read with the PUBLIC role.

Per published campaign: results per target, the draw record, the public bundle (公示包) to download and
check offline, a "verify this draw" action that builds the bundle from the store now and checks it,
and the campaign's audit trail; above them the audit chain's current head.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from dashboard.audit_view import drawn_by_label, show_audit_trail
from dashboard.cache import query, require_data, stop_with_database_message
from dashboard.errors import error_text
from dashboard.i18n import format_int, t
from dashboard.store import get_engine
from dashboard.tables import TARGET_FORMATTERS, TARGET_HEADERS, campaign_labels, labelled, show_table
from models.access import PUBLIC_VISITOR
from models.audit import chain_head
from models.bundle import build_bundle, verify_campaign
from models.draw_record_export import DrawRecordExport, export_draw_record
from models.draw_records import WorkflowError
from models.queries.campaigns import campaign_audit_trail, campaign_list, campaign_targets, draw_audit_record

# Everyone, signed in or not, sees this page exactly as the public does.
VIEWER = PUBLIC_VISITOR
ROLE = VIEWER.role
PUBLIC_HEADERS = {column: key for column, key in TARGET_HEADERS.items() if column != "inspectors"}


def show_chain_head() -> None:
    """The audit chain's entry count and head hash, to note down and compare later."""
    entries, head = query(chain_head)
    st.caption(t("pub.chain_head", n=format_int(entries), head=head))


def pick_campaign(campaigns: pd.DataFrame) -> int:
    """The campaign chosen in the selector (published campaigns only)."""
    labels = campaign_labels(campaigns)
    return st.selectbox(t("camp.pick"), list(labels), format_func=labels.get, key="pub_pick")


def show_results(campaigns: pd.DataFrame, campaign_id: int) -> None:
    """Targets and violations of the campaign, its publication date, the targets table."""
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


def show_draw_record(audit: dict, export: DrawRecordExport | None) -> None:
    """Who drew, with which seed and frame hash; the record's download, or why there is none."""
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


def _bundle_bytes(campaign_id: int) -> bytes:
    """The campaign's bundle, built when the download is clicked (not on every run of the page)."""
    return build_bundle(get_engine(), campaign_id, actor=VIEWER).content


def show_bundle(campaign_id: int, draw_id: int) -> None:
    """The bundle's download and the "verify this draw" action with its outcome."""
    st.subheader(t("pub.bundle"))
    st.caption(t("pub.bundle.caption"))
    left, right = st.columns(2)
    left.download_button(
        t("pub.bundle.download"),
        lambda: _bundle_bytes(campaign_id),
        file_name=f"regdash-bundle-campaign-{campaign_id}-draw-{draw_id}.zip",
        mime="application/zip",
        on_click="ignore",
        key="pub_bundle_download",
        icon=":material/folder_zip:",
    )
    if not right.button(t("pub.verify"), key="pub_verify", icon=":material/verified:"):
        return
    try:
        with st.spinner(t("pub.verify.running")):
            result = verify_campaign(get_engine(), campaign_id, actor=VIEWER)
    except WorkflowError as error:
        st.error(error_text(error))
        return
    except SQLAlchemyError as error:
        stop_with_database_message(error)
        return
    if result.match:
        st.success(t("pub.verify.match", checked=", ".join(result.checked)), icon=":material/check_circle:")
    else:
        st.error(t("pub.verify.mismatch", n=format_int(len(result.differences))), icon=":material/error:")
        st.code("\n".join(result.differences), language=None, wrap_lines=True)


def show_audit(campaign_id: int) -> None:
    """The campaign's audit trail (every attempt, the commit, the publication)."""
    st.subheader(t("audit.trail"))
    show_audit_trail(
        query(campaign_audit_trail, campaign_id, viewer=VIEWER), name=f"published-{campaign_id}-audit"
    )


def main() -> None:
    """The page: chain head, campaign picker, results, draw record, bundle and verification, audit."""
    require_data()
    st.title(t("nav.public"))
    st.caption(t("pub.caption"))
    show_chain_head()
    campaigns = query(campaign_list, viewer=VIEWER)
    if campaigns.empty:
        st.info(t("pub.none"))
        return
    campaign_id = pick_campaign(campaigns)
    show_results(campaigns, campaign_id)
    audit = query(draw_audit_record, campaign_id, role=ROLE)
    if audit is None:
        return
    export = query(export_draw_record, campaign_id, role=ROLE)
    show_draw_record(audit, export)
    if export is not None and export.record is not None:
        show_bundle(campaign_id, export.draw_id)
    show_audit(campaign_id)


main()
