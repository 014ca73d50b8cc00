"""Inspector registry (执法检查人员名录库): browse, counts, expiring IDs, entry by form and by import."""

from __future__ import annotations

import datetime as dt

import altair as alt
import streamlit as st

from dashboard import charts
from dashboard.auth import require_page
from dashboard.cache import query
from dashboard.filters import url_multiselect, url_tabs
from dashboard.formats import format_int
from dashboard.i18n import province_name, scheme_name, t
from dashboard.inspector_entry import render_form, render_import
from dashboard.tables import labelled, province_column, show_table
from models.access import Permission
from models.queries import inspectors as q
from models.reference_data import PROVINCE_CODES, SCHEME_CODES

VIEWER = require_page(Permission.READ_STAFF)
ROLE = VIEWER.role
TABLE_LIMIT = 2000
COLUMNS = {
    "name": "insp.col.name",
    "enforcement_id": "insp.col.enforcement_id",
    "id_valid_until": "insp.col.id_valid_until",
    "validity": "insp.col.validity",
    "agency": "insp.col.agency",
    "region_code": "insp.col.province",
    "schemes": "insp.col.schemes",
    "active": "insp.col.active",
    "phone": "insp.col.phone",
}


def _validity_label(code: str) -> str:
    return t(f"insp.validity.{code}")


def _schemes_label(text: str) -> str:
    """Scheme codes (QMS, EMS ...) joined for a table cell: short in both languages."""
    return "；".join(code for code in text.split(";") if code)


def sidebar_filters(today: dt.date) -> q.InspectorFilters:
    """The registry filters, mirrored in the URL."""
    provinces = url_multiselect(
        t("filter.provinces"), PROVINCE_CODES, param="provinces", format_func=province_name
    )
    agency_options = query(q.agencies, provinces=tuple(provinces))
    chosen = st.session_state.get("url_filter_agencies")
    if chosen:  # agencies of provinces no longer selected drop out instead of breaking the widget
        st.session_state["url_filter_agencies"] = [a for a in chosen if a in set(agency_options)]
    agencies = url_multiselect(t("insp.filter.agencies"), agency_options, param="agencies")
    schemes = url_multiselect(t("filter.schemes"), SCHEME_CODES, param="schemes", format_func=scheme_name)
    validity = url_multiselect(
        t("insp.filter.validity"), q.VALIDITY_STATES, param="validity", format_func=_validity_label
    )
    active_choice = url_multiselect(
        t("insp.filter.active"),
        ("yes", "no"),
        param="active",
        format_func=lambda v: t(f"insp.active.{v}"),
    )
    active = None if len(active_choice) != 1 else active_choice[0] == "yes"
    return q.InspectorFilters(
        provinces=tuple(provinces),
        agencies=tuple(agencies),
        schemes=tuple(schemes),
        validity=tuple(validity),
        active=active,
        today=today,
    )


def render_kpis(filters: q.InspectorFilters) -> None:
    """Headline counts of the filtered registry."""
    summary = query(q.registry_summary, filters)
    columns = st.columns(5)
    for column, key in zip(columns, ("total", "active", "valid", "expiring", "expired"), strict=True):
        column.metric(t(f"insp.kpi.{key}"), format_int(summary[key]))


def _show_bar(frame, title: str, key: str) -> None:
    """A horizontal bar per ``label`` with every label shown in full."""
    chart = charts.bar(
        frame,
        x="label",
        y="inspectors",
        x_title=title,
        y_title=t("insp.chart.inspectors"),
        horizontal=True,
        sort="-x",
        height=160,
    )
    chart.encoding.y.axis = alt.Axis(labelLimit=260, labelOverlap=False)
    chart.encoding.x.axis = alt.Axis(format=",.0f", tickMinStep=1)
    chart = chart.properties(height=alt.Step(28))  # every bar gets room for its label
    charts.show(chart, key=key)


def render_charts(filters: q.InspectorFilters) -> None:
    """Counts by province and by scheme, side by side."""
    left, right = st.columns(2)
    by_province = query(q.counts_by_province, filters)
    by_scheme = query(q.counts_by_scheme, filters)
    with left:
        st.subheader(t("insp.chart.by_province"))
        if by_province.empty:
            st.caption(t("common.no_data"))
        else:
            frame = by_province.assign(label=province_column(by_province))
            _show_bar(frame, t("insp.chart.province"), "insp_by_province")
    with right:
        st.subheader(t("insp.chart.by_scheme"))
        if by_scheme.empty:
            st.caption(t("common.no_data"))
        else:
            frame = by_scheme.assign(label=by_scheme["scheme_code"].map(scheme_name))
            _show_bar(frame, t("insp.chart.scheme"), "insp_by_scheme")


def _labelled(frame):
    formatters = {
        "validity": lambda s: s.map(_validity_label),
        "region_code": lambda s: s.map(province_name),
        "schemes": lambda s: s.map(_schemes_label),
        "active": lambda s: s.map(lambda v: t("insp.active.yes") if v else t("insp.active.no")),
    }
    return labelled(frame, COLUMNS, formatters=formatters)


def render_expiring(filters: q.InspectorFilters) -> None:
    """Active inspectors whose ID expires within 90 days."""
    st.subheader(t("insp.expiring.title"))
    soon = query(q.expiring_soon, filters, role=ROLE)
    if soon.empty:
        st.caption(t("insp.expiring.none"))
        return
    shown = _labelled(soon)
    shown.insert(3, t("insp.col.days_left"), soon["days_left"].to_numpy())
    show_table(shown, name="inspectors_expiring", height=min(400, 38 + 35 * len(shown)))


def render_registry(filters: q.InspectorFilters) -> None:
    """The filtered registry table with downloads."""
    st.subheader(t("insp.table.title"))
    total = query(q.registry_summary, filters)["total"]
    table = query(q.inspector_table, filters, role=ROLE, limit=TABLE_LIMIT)
    show_table(_labelled(table), name="inspectors", height=min(420, 38 + 35 * len(table)), total_rows=total)


def main() -> None:
    """Draw the page: the registry's headline counts, then one tab at a time."""
    st.title(t("insp.title"))
    st.caption(t("insp.caption"))
    today = dt.date.today()
    filters = sidebar_filters(today)
    render_kpis(filters)
    sections = {  # name in the URL: (tab label, what to draw)
        "registry": (t("insp.tab.registry"), lambda: render_registry(filters)),
        "counts": (t("insp.tab.counts"), lambda: render_charts(filters)),
        "expiring": (t("insp.tab.expiring"), lambda: render_expiring(filters)),
    }
    if VIEWER.can(Permission.MANAGE_INSPECTORS):  # models refuse the write for other roles anyway
        sections["form"] = (t("insp.tab.form"), lambda: render_form(today, VIEWER))
        sections["import"] = (t("insp.tab.import"), lambda: render_import(today, VIEWER))
    section, container = url_tabs({name: label for name, (label, _draw) in sections.items()})
    with container:
        sections[section][1]()


main()
