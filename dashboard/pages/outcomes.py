"""Inspection outcomes (检查结果) of committed draws: codes, findings, rates with intervals, case list."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from dashboard import charts
from dashboard.auth import require_page
from dashboard.cache import query
from dashboard.errors import error_text
from dashboard.filters import parse_choice, url_multiselect, url_param, url_tabs, url_year_range
from dashboard.formats import D3_INT, d3_percent, format_int, format_pct
from dashboard.i18n import province_name, scheme_name, t
from dashboard.outcome_stats import CONFIDENCE, interval_table, weighted_rate
from dashboard.tables import campaign_labels, labelled, show_table
from models.access import Permission
from models.queries import outcomes as q
from models.reference_data import PROVINCE_CODES, SCHEME_CODES

VIEWER = require_page(Permission.READ_STAFF)
ROLE = VIEWER.role
CASE_LIMIT = 5000
CAMPAIGN_PARAM = "campaign"
ALL = 0
LABEL_LIMIT = 260


def _campaign_filter(years: tuple[int, int] | None) -> int | None:
    """A campaign picker mirrored in ``?campaign=<id>``; ``ALL`` (0) means every campaign."""
    campaigns = query(q.campaign_options, years=years)
    ids = [int(i) for i in campaigns["id"]]
    names = campaign_labels(campaigns)
    key = "url_filter_campaign"
    if key not in st.session_state:
        st.session_state[key] = url_param(CAMPAIGN_PARAM, lambda raw: parse_choice(raw, ids)) or ALL
    if st.session_state[key] not in (ALL, *ids):
        st.session_state[key] = ALL
    chosen = st.sidebar.selectbox(
        t("out.filter.campaign"),
        [ALL, *ids],
        key=key,
        format_func=lambda i: t("out.filter.all_campaigns") if i == ALL else names.get(i, str(i)),
    )
    if chosen == ALL:
        if CAMPAIGN_PARAM in st.query_params:
            del st.query_params[CAMPAIGN_PARAM]
        return None
    if st.query_params.get(CAMPAIGN_PARAM) != str(chosen):
        st.query_params[CAMPAIGN_PARAM] = str(chosen)
    return chosen


def sidebar_filters() -> q.OutcomeFilters | None:
    """Year range, campaign, provinces and schemes (all in the URL); None when nothing is committed."""
    years_available = query(q.outcome_years)
    if not years_available:
        return None
    first, last = years_available[0], years_available[-1]
    # the latest year by default: each year's draw estimates that year's rate, so pooling years is a choice
    years = (
        url_year_range(t("filter.years"), first, last, default=(last, last)) if last > first else (last, last)
    )
    campaign_id = _campaign_filter(years)
    provinces = url_multiselect(
        t("filter.provinces"), PROVINCE_CODES, param="provinces", format_func=province_name
    )
    schemes = url_multiselect(t("filter.schemes"), SCHEME_CODES, param="schemes", format_func=scheme_name)
    return q.OutcomeFilters(
        years=years, campaign_id=campaign_id, provinces=tuple(provinces), schemes=tuple(schemes)
    )


def _interval(low: float, high: float) -> str:
    return t(
        "out.kpi.interval", confidence=format_pct(CONFIDENCE, 0), low=format_pct(low), high=format_pct(high)
    )


def render_kpis(filters: q.OutcomeFilters) -> None:
    """Counts, the unweighted sample rate and the weighted national estimate, side by side and labelled."""
    summary = query(q.outcome_summary, filters)
    weighted = weighted_rate(filters)
    cols = st.columns(3) + st.columns(2)  # counts on one row, the two rates (different figures) below
    cols[0].metric(t("out.kpi.drawn"), format_int(summary["drawn"]))
    cols[1].metric(t("out.kpi.inspected"), format_int(summary["inspected"]))
    cols[2].metric(t("out.kpi.violations"), format_int(summary["violations"]))
    unweighted = summary["violations"] / summary["inspected"] if summary["inspected"] else None
    cols[3].metric(t("out.kpi.unweighted"), format_pct(unweighted) if unweighted is not None else "—")
    if unweighted is not None:
        overall = interval_table(
            pd.DataFrame(
                {"all": ["all"], "n": [summary["inspected"]], "violations": [summary["violations"]]}
            ),
            "all",
        )
        cols[3].caption(_interval(overall.loc[0, "wilson_low"], overall.loc[0, "wilson_high"]) + " (Wilson)")
    estimate = weighted["estimate"]
    cols[4].metric(t("out.kpi.weighted"), format_pct(estimate["rate"]) if estimate else "—")
    if estimate:
        cols[4].caption(_interval(estimate["low"], estimate["high"]))
    with st.expander(t("out.estimate.title")):
        st.markdown(t("out.estimate.explain"))
        if filters.years and filters.years[0] != filters.years[1]:
            st.caption(t("out.estimate.pooled", first=filters.years[0], last=filters.years[1]))
        if weighted["pending_strata"]:
            st.caption(
                t(
                    "out.estimate.pending",
                    strata=weighted["pending_strata"],
                    population=format_int(weighted["pending_population"]),
                )
            )
        if weighted["error"]:
            st.warning(t("out.estimate.unavailable", reason=error_text(weighted["error"])))


def _bar(frame: pd.DataFrame, *, label: str, value: str, title: str, key: str) -> None:
    chart = charts.bar(
        frame,
        x=label,
        y=value,
        x_title=title,
        y_title=t("out.chart.count"),
        horizontal=True,
        sort="-x",
        height=160,
    )
    chart.encoding.y.axis = alt.Axis(labelLimit=LABEL_LIMIT, labelOverlap=False)
    chart.encoding.x.axis = alt.Axis(format=",.0f", tickMinStep=1)
    chart = chart.properties(height=alt.Step(28))  # every bar gets room for its label
    charts.show(chart, key=key)


def render_charts(filters: q.OutcomeFilters) -> None:
    """Outcome codes and finding categories as labelled bars."""
    left, right = st.columns(2)
    codes = query(q.outcome_code_counts, filters)
    findings = query(q.finding_counts, filters)
    with left:
        st.subheader(t("out.chart.codes"))
        if codes.empty:
            st.caption(t("common.no_data"))
        else:
            frame = codes.assign(label=codes["outcome_code"].map(lambda c: t(f"out.code.{c}")))
            _bar(frame, label="label", value="n", title=t("out.chart.code"), key="out_codes")
    with right:
        st.subheader(t("out.chart.findings"))
        if findings.empty:
            st.caption(t("out.chart.no_findings"))
        else:
            frame = findings.assign(label=findings["category"].map(lambda c: t(f"out.finding.{c}")))
            _bar(frame, label="label", value="findings", title=t("out.chart.category"), key="out_findings")


def _rate_chart(table: pd.DataFrame, label: str, title: str) -> alt.LayerChart:
    """Rates as points with Wilson intervals as rules, one row per group."""
    axis = alt.Axis(labelLimit=LABEL_LIMIT, labelOverlap=False)
    order = alt.EncodingSortField(field="rate", order="descending")
    base = alt.Chart(table).encode(y=alt.Y(f"{label}:N", title=title, sort=order, axis=axis))
    rules = base.mark_rule().encode(
        x=alt.X("wilson_low:Q", title=t("out.col.rate"), axis=alt.Axis(format="%")), x2="wilson_high:Q"
    )
    points = base.mark_point(filled=True, size=60).encode(
        x="rate:Q",
        tooltip=[
            alt.Tooltip(f"{label}:N", title=title),
            alt.Tooltip("n:Q", title=t("out.col.n"), format=D3_INT),
            alt.Tooltip("violations:Q", title=t("out.col.violations"), format=D3_INT),
            alt.Tooltip("rate:Q", title=t("out.col.rate"), format=d3_percent()),
        ],
    )
    return (rules + points).properties(height=alt.Step(26))


RATE_COLUMNS = {
    "n": "out.col.n",
    "violations": "out.col.violations",
    "rate": "out.col.rate",
    "wilson_low": "out.col.wilson_low",
    "wilson_high": "out.col.wilson_high",
    "cp_low": "out.col.cp_low",
    "cp_high": "out.col.cp_high",
}


def _rate_table(table: pd.DataFrame, label: str, label_key: str, name: str) -> None:
    shown = labelled(table, {label: label_key, **RATE_COLUMNS})
    percent = [t(RATE_COLUMNS[c]) for c in list(RATE_COLUMNS)[2:]]
    show_table(shown, name=name, height=min(420, 38 + 35 * len(shown)), percent_columns=percent)


RATE_DIMENSIONS = {  # dimension: (column label key, how to name a value; None: the institution column)
    "region_code": ("out.col.province", province_name),
    "scheme_code": ("out.col.scheme", scheme_name),
    "institution_id": ("out.col.institution", None),
}


def render_rates(filters: q.OutcomeFilters, dimension: str) -> None:
    """Violation rates with Wilson and Clopper-Pearson intervals by province, scheme or institution."""
    st.subheader(t("out.rates.title"))
    st.caption(t("out.rates.note"))
    label_key, namer = RATE_DIMENSIONS[dimension]
    table = interval_table(query(q.rates_by, dimension, filters), dimension)
    if table.empty:
        st.caption(t("common.no_data"))
        return
    table["label"] = table["institution"] if namer is None else table[dimension].map(namer)
    if namer is not None:
        charts.show(_rate_chart(table, "label", t(label_key)), key=f"out_rates_{dimension}")
    _rate_table(table, "label", label_key, f"violation_rates_{dimension}")


CASE_COLUMNS = {
    "target_id": "out.col.target",
    "certificate": "out.col.certificate",
    "year": "out.col.year",
    "campaign": "out.col.campaign",
    "institution": "out.col.institution",
    "region_code": "out.col.province",
    "scheme_code": "out.col.scheme",
    "inspectors": "out.col.inspectors",
    "inspected_on": "out.col.date",
    "method": "out.col.method",
    "outcome_code": "out.col.outcome",
    "findings": "out.col.findings",
    "follow_up": "out.col.follow_up",
}


def render_cases(filters: q.OutcomeFilters) -> None:
    """The case list (newest first), labelled, with CSV and Excel downloads."""
    st.subheader(t("out.cases.title"))
    total = query(q.case_count, filters)
    cases = query(q.case_list, filters, role=ROLE, limit=CASE_LIMIT)
    formatters = {
        "region_code": lambda s: s.map(province_name),
        "scheme_code": lambda s: s.map(scheme_name),
        "method": lambda s: s.map(lambda c: t(f"out.method.{c}")),
        "outcome_code": lambda s: s.map(lambda c: t(f"out.code.{c}")),
        "follow_up": lambda s: s.map(lambda c: t(f"out.follow.{c}")),
        "findings": lambda s: s.map(
            lambda text: "；".join(t(f"out.finding.{c}") for c in text.split(";") if c)
        ),
    }
    show_table(
        labelled(cases, CASE_COLUMNS, formatters=formatters),
        name="inspection_cases",
        height=min(420, 38 + 35 * len(cases)),
        total_rows=total,
    )


def main() -> None:
    """Draw the page: the headline figures, then one tab at a time."""
    st.title(t("out.title"))
    st.caption(t("out.caption"))
    filters = sidebar_filters()
    if filters is None:
        st.info(t("out.none"))
        return
    render_kpis(filters)
    sections = {  # name in the URL: (tab label, what to draw)
        "findings": (t("out.tab.findings"), lambda: render_charts(filters)),
        "provinces": (t("out.rates.province"), lambda: render_rates(filters, "region_code")),
        "schemes": (t("out.rates.scheme"), lambda: render_rates(filters, "scheme_code")),
        "institutions": (t("out.rates.institution"), lambda: render_rates(filters, "institution_id")),
        "cases": (t("out.cases.title"), lambda: render_cases(filters)),
    }
    section, container = url_tabs({name: label for name, (label, _draw) in sections.items()})
    with container:
        sections[section][1]()


main()
