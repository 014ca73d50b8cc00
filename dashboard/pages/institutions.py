"""Institutions & approvals: the approval pipeline, processing days, applications by type and
province, a searchable institution register and one institution's detail."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from dashboard import charts
from dashboard.auth import require_page
from dashboard.cache import query, require_data
from dashboard.filters import parse_choice, url_multiselect, url_param, url_tabs, url_year_range
from dashboard.formats import D3_INT, format_int
from dashboard.i18n import province_name, scheme_name, t, vocab
from dashboard.tables import (
    labelled,
    prefixed_column,
    province_labels,
    scheme_labels,
    show_table,
    vocab_column,
)
from models.access import Permission
from models.queries import institutions as q
from models.reference_data import PROVINCE_CODES, SCHEME_CODES
from models.vocabulary import APPLICATION_TYPES, CERTIFICATE_STATUSES, INSTITUTION_STATUSES

VIEWER = require_page(Permission.READ_STAFF)


@dataclass(frozen=True)
class View:
    """The filters of this run and the data several sections share."""

    provinces: tuple[str, ...]
    schemes: tuple[str, ...]
    statuses: tuple[str, ...]
    application_filters: dict
    pipeline: pd.DataFrame
    days: pd.DataFrame


def sidebar_filters() -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], dict]:
    """Years, provinces, application types, schemes and statuses, mirrored in the URL.

    Returns provinces, schemes, statuses and the application filters (years, provinces, types).
    """
    today = dt.date.today()
    first, last = query(q.application_years) or (today.year, today.year)
    years = url_year_range(t("filter.years"), first, last)
    provinces = tuple(
        url_multiselect(t("filter.provinces"), PROVINCE_CODES, param="provinces", format_func=province_name)
    )
    types = tuple(
        url_multiselect(
            t("institutions.filter.types"),
            APPLICATION_TYPES,
            param="types",
            format_func=lambda code: vocab("application_type", code),
        )
    )
    schemes = tuple(
        url_multiselect(t("filter.schemes"), SCHEME_CODES, param="schemes", format_func=scheme_name)
    )
    statuses = tuple(
        url_multiselect(
            t("filter.statuses"),
            INSTITUTION_STATUSES,
            param="statuses",
            format_func=lambda code: vocab("institution_status", code),
        )
    )
    return provinces, schemes, statuses, dict(years=years, provinces=provinces, types=types)


def render_kpis(application_filters: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The pipeline figures above the tabs; returns the pipeline and processing days the tabs reuse."""
    # --- pipeline figures (above the tabs) --------------------------------------------------------
    st.subheader(t("institutions.pipeline"))
    pipeline = query(q.approval_pipeline, **application_filters)
    days = query(q.processing_days, **application_filters)
    decided = pipeline.set_index("stage").loc["decided"]
    columns = st.columns(5)
    columns[0].metric(t("institutions.kpi.received"), format_int(pipeline["reached"].iloc[0]))
    columns[1].metric(t("institutions.kpi.pending"), format_int(pipeline["current"].iloc[:3].sum()))
    columns[2].metric(t("institutions.kpi.approved"), format_int(decided["approved"]))
    columns[3].metric(t("institutions.kpi.rejected"), format_int(decided["rejected"]))
    columns[4].metric(
        t("institutions.kpi.median_days"), format_int(None if days.empty else q.median_days(days))
    )
    return pipeline, days


def _funnel(view: View) -> None:
    """The approval pipeline as a funnel of the stages applications reached."""
    st.caption(t("institutions.pipeline_caption"))
    stages = view.pipeline.assign(label=view.pipeline["stage"].map(lambda s: t(f"institutions.stage.{s}")))
    charts.show(
        charts.funnel(
            stages,
            stage="label",
            value="reached",
            stage_title=t("institutions.stage"),
            value_title=t("institutions.reached"),
            order=stages["label"].tolist(),
        ),
        key="inst_funnel",
    )


def _processing(view: View) -> None:
    """Processing days: their distribution, the median by type and by month."""
    st.subheader(t("institutions.processing"))
    st.caption(t("institutions.processing_caption"))
    if view.days.empty:
        st.caption(t("common.no_data"))
    else:
        left, right = st.columns(2)
        with left:
            histogram = q.processing_histogram(view.days, width=5)
            histogram = histogram.assign(
                bin=histogram["bin_start"].astype(str) + "–" + histogram["bin_end"].astype(str)
            )
            charts.show(
                charts.bar(
                    histogram,
                    x="bin",
                    y="n",
                    x_title=t("institutions.days"),
                    y_title=t("institutions.applications"),
                    sort=histogram["bin"].tolist(),
                ),
                key="inst_days_histogram",
            )
        with right:
            by_type = q.processing_median(view.days, by=["type"])
            by_type = by_type.assign(label=by_type["type"].map(lambda c: vocab("application_type", c)))
            charts.show(
                charts.bar(
                    by_type,
                    x="label",
                    y="median_days",
                    x_title=t("institutions.type"),
                    y_title=t("institutions.median_days"),
                    value_format=D3_INT,
                ),
                key="inst_median_type",
            )
        monthly = q.processing_median(view.days, by=["month"])
        st.markdown(f"**{t('institutions.median_by_month')}**")
        charts.show(
            charts.trend(
                monthly,
                x="month",
                y="median_days",
                x_title=t("common.month"),
                y_title=t("institutions.median_days"),
                height=240,
            ),
            key="inst_median_month",
        )
        by_month = q.processing_median(view.days, by=["month", "type"])
        show_table(
            labelled(
                by_month,
                {
                    "month": "common.month",
                    "type": "institutions.type",
                    "median_days": "institutions.median_days",
                    "n": "institutions.applications",
                },
                formatters={"type": vocab_column("application_type")},
            ),
            name="processing_days_by_month_and_type",
            height=250,
        )


def _applications(view: View) -> None:
    """Applications by type and province."""
    st.subheader(t("institutions.by_type_province"))
    by_place = query(q.applications_by_type_province, **view.application_filters)
    if by_place.empty:
        st.caption(t("common.no_data"))
    else:
        by_place = by_place.assign(
            province=province_labels(by_place["region_code"]),
            label=by_place["type"].map(lambda c: vocab("application_type", c)),
        )
        charts.show(
            charts.bar(
                by_place,
                x="province",
                y="n",
                x_title=t("common.province"),
                y_title=t("institutions.applications"),
                color="label",
                color_title=t("institutions.type"),
                color_scale=charts.colour_scale(
                    "application_type", APPLICATION_TYPES, lambda c: vocab("application_type", c)
                ),
                sort="-y",
            ),
            key="inst_by_type_province",
        )
        show_table(
            labelled(
                by_place,
                {
                    "type": "institutions.type",
                    "region_code": "common.province",
                    "n": "institutions.applications",
                },
                formatters={
                    "type": vocab_column("application_type"),
                    "region_code": province_labels,
                },
            ),
            name="applications_by_type_and_province",
            height=250,
        )


def _register(view: View) -> None:
    """The searchable institution register."""
    st.subheader(t("institutions.table"))
    search = st.text_input(t("institutions.search"), key="institution_search")
    register = query(
        q.institution_table,
        search=search,
        provinces=view.provinces,
        schemes=view.schemes,
        statuses=view.statuses,
    )
    show_table(
        labelled(
            register,
            {
                "name": "institutions.name",
                "credit_code": "institutions.credit_code",
                "approval_number": "institutions.approval_number",
                "region_code": "common.province",
                "status": "common.status",
                "schemes": "institutions.schemes",
                "certificates": "institutions.certificates",
                "valid_certificates": "institutions.valid_certificates",
                "risk_grade": "common.risk_grade",
                "approved_on": "institutions.approved_on",
            },
            formatters={
                "region_code": province_labels,
                "status": vocab_column("institution_status"),
                "schemes": lambda s: s.str.replace(";", ", "),
            },
        ),
        name="institutions",
        height=360,
    )


def _detail(view: View) -> None:
    """One institution (picked among those the filters select): its certificates and inspections."""
    st.subheader(t("institutions.detail"))
    register = query(
        q.institution_table, search="", provinces=view.provinces, schemes=view.schemes, statuses=view.statuses
    )
    if register.empty:
        st.caption(t("common.no_data"))
        return
    names = dict(zip(register["id"], register["name"] + " · " + register["approval_number"], strict=True))
    ids = list(names)
    wanted = url_param("institution", lambda raw: parse_choice(raw, ids))
    if wanted is not None:
        default = ids.index(wanted)
    else:  # without a link, the institution with most valid certificates rather than the first by number
        default = int(register["valid_certificates"].to_numpy().argmax())
    chosen = st.selectbox(
        t("institutions.pick"), ids, index=default, format_func=names.get, key="institution_pick"
    )
    if chosen is not None:
        st.query_params["institution"] = str(chosen)
        row = register.set_index("id").loc[chosen]
        history = query(q.institution_inspections, int(chosen))
        held = query(q.institution_certificates, int(chosen))
        columns = st.columns(4)
        columns[0].metric(t("institutions.certificates"), format_int(row["certificates"]))
        columns[1].metric(t("institutions.valid_certificates"), format_int(row["valid_certificates"]))
        columns[2].metric(t("institutions.inspections_count"), format_int(len(history)))
        columns[3].metric(
            t("institutions.violations_count"),
            format_int(int((history["outcome_code"] == "violation").sum())),
        )
        left, right = st.columns([2, 3])
        with left:
            st.markdown(f"**{t('institutions.detail_certificates')}**")
            if not held.empty:
                held = held.assign(
                    scheme=scheme_labels(held["scheme_code"]),
                    status_label=held["status"].map(lambda c: vocab("certificate_status", c)),
                )
                charts.show(
                    charts.bar(
                        held,
                        x="scheme",
                        y="n",
                        x_title=t("common.scheme"),
                        y_title=t("common.count"),
                        color="status_label",
                        color_title=t("common.status"),
                        color_scale=charts.colour_scale(
                            "certificate_status",
                            CERTIFICATE_STATUSES,
                            lambda c: vocab("certificate_status", c),
                        ),
                        horizontal=True,
                        height=max(120, 36 * held["scheme"].nunique()),
                    ),
                    key="inst_detail_certificates",
                )
            show_table(
                labelled(
                    held,
                    {"scheme_code": "common.scheme", "status": "common.status", "n": "common.count"},
                    formatters={
                        "scheme_code": scheme_labels,
                        "status": vocab_column("certificate_status"),
                    },
                ),
                name=f"institution_{chosen}_certificates",
            )
        with right:
            st.markdown(f"**{t('institutions.detail_inspections')}**")
            show_table(
                labelled(
                    history,
                    {
                        "year": "common.year",
                        "campaign": "institutions.campaign",
                        "region_code": "common.province",
                        "scheme_code": "common.scheme",
                        "inspected_on": "institutions.inspected_on",
                        "method": "institutions.method",
                        "outcome_code": "institutions.outcome",
                        "follow_up": "institutions.follow_up",
                        "findings": "institutions.findings",
                    },
                    formatters={
                        "region_code": province_labels,
                        "scheme_code": scheme_labels,
                        # labels of the outcome vocabularies live with the Inspection outcomes page
                        "method": prefixed_column("out.method"),
                        "outcome_code": prefixed_column("out.code"),
                        "follow_up": prefixed_column("out.follow"),
                    },
                ),
                name=f"institution_{chosen}_inspections",
                height=300,
            )


def sections() -> dict:
    """Name in the URL -> (tab label, what to draw)."""
    return {
        "pipeline": (t("institutions.section.pipeline"), _funnel),
        "processing": (t("institutions.section.processing"), _processing),
        "applications": (t("institutions.section.applications"), _applications),
        "register": (t("institutions.section.register"), _register),
        "detail": (t("institutions.detail"), _detail),
    }


def main() -> None:
    st.title(t("nav.institutions"))
    require_data()
    provinces, schemes, statuses, application_filters = sidebar_filters()
    st.caption(t("institutions.scope"))
    pipeline, days = render_kpis(application_filters)
    view = View(provinces, schemes, statuses, application_filters, pipeline, days)
    drawn = sections()
    section, container = url_tabs({name: label for name, (label, _draw) in drawn.items()})
    with container:
        drawn[section][1](view)


main()
