"""Certificates: counts by scheme × province × status, a province map, issuance, concentration,
certificates expiring soon and the suspended/withdrawn share by institution."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from dashboard import charts
from dashboard.auth import require_page
from dashboard.cache import query, require_data
from dashboard.filters import url_multiselect, url_tabs, url_year_range
from dashboard.formats import d3_percent, format_int, format_pct
from dashboard.i18n import current_language, province_name, scheme_name, t, vocab
from dashboard.tables import (
    labelled,
    province_column,
    province_labels,
    scheme_column,
    scheme_labels,
    show_table,
    vocab_column,
)
from models.access import Permission
from models.queries import certificates as q
from models.queries.overview import data_years
from models.reference_data import PROVINCE_CODES, PROVINCES, SCHEME_CODES
from models.vocabulary import CERTIFICATE_STATUSES

EXPIRY_DAYS = 90
EXPIRING_ROWS = 1000
SHARE_MIN_CERTIFICATES = 10
SHARE_TOP = 15
TREND_YEARS = 5  # the issuance trend shows the last five years unless the URL or slider says otherwise

VIEWER = require_page(Permission.READ_STAFF)


@dataclass(frozen=True)
class View:
    """The filters of this run and the figures several sections share."""

    years: tuple[int, int]
    provinces: tuple[str, ...]
    schemes: tuple[str, ...]
    statuses: tuple[str, ...]
    today: dt.date
    ranking: pd.DataFrame
    expiring: int


def sidebar_filters() -> tuple[tuple[int, int], tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """Years, provinces, schemes and statuses, mirrored in the URL."""
    first, last = query(data_years) or (dt.date.today().year, dt.date.today().year)
    years = url_year_range(t("filter.years"), first, last, default=(max(first, last - TREND_YEARS + 1), last))
    provinces = tuple(
        url_multiselect(t("filter.provinces"), PROVINCE_CODES, param="provinces", format_func=province_name)
    )
    schemes = tuple(
        url_multiselect(t("filter.schemes"), SCHEME_CODES, param="schemes", format_func=scheme_name)
    )
    statuses = tuple(
        url_multiselect(
            t("filter.statuses"),
            CERTIFICATE_STATUSES,
            param="statuses",
            format_func=lambda code: vocab("certificate_status", code),
        )
    )
    return years, provinces, schemes, statuses


def render_kpis(
    provinces: tuple[str, ...], schemes: tuple[str, ...], statuses: tuple[str, ...], today: dt.date
) -> tuple[pd.DataFrame, int]:
    """The headline figures; returns the province ranking and the expiring count the sections reuse."""
    # --- headline figures -------------------------------------------------------------------------
    # one count per status serves the selection, the valid, the suspended/withdrawn and the overall figures
    by_status = query(q.certificate_counts, by=("status",), provinces=provinces, schemes=schemes)
    by_status = dict(zip(by_status["status"], by_status["n"], strict=True))
    selection = sum(by_status.get(status, 0) for status in statuses or CERTIFICATE_STATUSES)
    valid = by_status.get("valid", 0)
    everything = sum(by_status.values())
    struck = by_status.get("suspended", 0) + by_status.get("withdrawn", 0)
    ranking = query(q.province_ranking, provinces=provinces, schemes=schemes, statuses=statuses)
    expiring = query(q.expiring_count, today=today, days=EXPIRY_DAYS, provinces=provinces, schemes=schemes)

    columns = st.columns(5)
    columns[0].metric(t("certificates.kpi.selection"), format_int(selection))
    columns[1].metric(t("certificates.kpi.valid"), format_int(valid))
    columns[2].metric(
        t("certificates.kpi.top3"), format_pct(q.top_share(ranking, 3)), help=t("certificates.kpi.top3_help")
    )
    columns[3].metric(
        t("certificates.kpi.expiring"),
        format_int(expiring),
        help=t("certificates.kpi.expiring_help", today=today.isoformat()),
    )
    columns[4].metric(
        t("certificates.kpi.suspended_withdrawn"), format_pct(struck / everything if everything else 0.0)
    )
    return ranking, expiring


def _provinces(view: View) -> None:
    """The province map and the ten provinces with most certificates."""
    left, right = st.columns([3, 2])
    with left:
        st.subheader(t("certificates.map"))
        if current_language() == "zh":
            names = {code: zh for code, _abbr, zh, *_ in PROVINCES}
        else:
            names = {code: abbr for code, abbr, *_ in PROVINCES}
        charts.show(charts.tile_map(view.ranking, names=names, value_title=t("common.count")), key="cert_map")
    with right:
        st.subheader(t("certificates.top_provinces"))
        top_provinces = view.ranking.head(10).assign(province=lambda f: province_column(f))
        if top_provinces.empty:
            st.caption(t("common.no_data"))
        else:
            chart = charts.bar(
                top_provinces,
                x="province",
                y="n",
                x_title=t("common.province"),
                y_title=t("common.count"),
                horizontal=True,
                sort=top_provinces["province"].tolist(),
                height=380,
            )
            charts.show(chart, key="cert_top_provinces")


def _matrix(view: View) -> None:
    """Counts by scheme x province (heatmap) and by scheme x province x status (table)."""
    st.subheader(t("certificates.by_scheme_province"))
    counts = query(
        q.certificate_counts, provinces=view.provinces, schemes=view.schemes, statuses=view.statuses
    )
    if counts.empty:
        st.caption(t("common.no_data"))
    else:
        cells = query(
            q.certificate_counts,
            by=("region_code", "scheme_code"),
            provinces=view.provinces,
            schemes=view.schemes,
            statuses=view.statuses,
        )
        cells = cells.assign(province=province_column(cells), scheme=scheme_column(cells))
        province_order = [province_name(code) for code in view.ranking["region_code"]]
        chart = charts.heatmap(
            cells,
            x="scheme_code",  # short codes on the axis; the tooltip carries the full name
            tooltip_x="scheme",
            y="province",
            value="n",
            x_title=t("common.scheme"),
            y_title=t("common.province"),
            value_title=t("common.count"),
            x_sort=list(SCHEME_CODES),
            y_sort=province_order,
            height=max(220, 22 * len(province_order)),
        )
        charts.show(chart, key="cert_heatmap")
        table = labelled(
            counts,
            {
                "region_code": "common.province",
                "scheme_code": "common.scheme",
                "status": "common.status",
                "n": "common.count",
            },
            formatters={
                "region_code": province_labels,
                "scheme_code": scheme_labels,
                "status": vocab_column("certificate_status"),
            },
        )
        show_table(table, name="certificates_by_scheme_province_status", height=300)


def _issuance(view: View) -> None:
    """Certificates issued per month and scheme over the chosen years."""
    st.subheader(t("certificates.issuance"))
    months = (f"{view.years[0]}-01", f"{view.years[1]}-12")
    issuance = query(
        q.issuance_by_month, provinces=view.provinces, schemes=view.schemes, months=months, by_scheme=True
    )
    if issuance.empty:
        st.caption(t("common.no_data"))
    else:
        issuance = issuance.assign(scheme=scheme_column(issuance))
        chart = charts.trend(
            issuance,
            x="month",
            y="n",
            x_title=t("common.month"),
            y_title=t("certificates.issued"),
            color="scheme",
            color_title=t("common.scheme"),
            color_scale=charts.colour_scale("scheme", SCHEME_CODES, scheme_name),
            stacked_area=True,
        )
        charts.show(chart, key="cert_issuance")


def _concentration(view: View) -> None:
    """The top institutions and provinces and their shares."""
    st.subheader(t("certificates.concentration"))
    institutions = query(
        q.top_institutions, provinces=view.provinces, schemes=view.schemes, statuses=view.statuses, limit=10
    )
    st.caption(
        t(
            "certificates.top3_caption",
            share=format_pct(q.top_share(view.ranking, 3)),
            inst_share=format_pct(float(institutions["share"].sum()) if not institutions.empty else 0.0),
        )
    )
    left, right = st.columns(2)
    with left:
        st.markdown(f"**{t('certificates.top_institutions')}**")
        show_table(
            labelled(
                institutions,
                {
                    "rank": "common.rank",
                    "name": "common.institution",
                    "region_code": "common.province",
                    "n": "common.count",
                    "share": "common.share",
                },
                formatters={"region_code": province_labels},
            ),
            name="top_institutions",
            percent_columns=[t("common.share")],
        )
    with right:
        st.markdown(f"**{t('certificates.top_provinces')}**")
        show_table(
            labelled(
                view.ranking.head(10),
                {
                    "rank": "common.rank",
                    "region_code": "common.province",
                    "n": "common.count",
                    "share": "common.share",
                },
                formatters={"region_code": province_labels},
            ),
            name="top_provinces",
            percent_columns=[t("common.share")],
        )


def _expiring(view: View) -> None:
    """Valid certificates that expire within the next 90 days."""
    st.subheader(t("certificates.expiring"))
    soon = query(
        q.expiring_certificates,
        today=view.today,
        days=EXPIRY_DAYS,
        provinces=view.provinces,
        schemes=view.schemes,
        limit=EXPIRING_ROWS,
    )
    show_table(
        labelled(
            soon,
            {
                "number": "certificates.number",
                "organisation": "common.organisation",
                "institution": "common.institution",
                "scheme_code": "common.scheme",
                "region_code": "common.province",
                "issued_on": "certificates.issued_on",
                "expires_on": "certificates.expires_on",
            },
            formatters={
                "region_code": province_labels,
                "scheme_code": scheme_labels,
            },
        ),
        name="certificates_expiring_90_days",
        height=300,
        total_rows=view.expiring,
    )


def _status_share(view: View) -> None:
    """Suspended and withdrawn certificates as a share of each institution's certificates."""
    st.subheader(t("certificates.status_share"))
    shares = query(q.status_share_by_institution, provinces=view.provinces, schemes=view.schemes)
    large = shares[shares["total"] >= SHARE_MIN_CERTIFICATES].head(SHARE_TOP)
    st.caption(t("certificates.status_share_caption", top=SHARE_TOP, min=SHARE_MIN_CERTIFICATES))
    if not large.empty:
        chart = charts.bar(
            large,
            x="name",
            y="share",
            x_title=t("common.institution"),
            y_title=t("certificates.share_suspended_withdrawn"),
            horizontal=True,
            sort=large["name"].tolist(),
            value_format=d3_percent(),
            height=max(200, 24 * len(large)),
        )
        charts.show(chart, key="cert_status_share")
    show_table(
        labelled(
            shares,
            {
                "name": "common.institution",
                "region_code": "common.province",
                "risk_grade": "common.risk_grade",
                "total": "common.total",
                "suspended": "certificates.suspended",
                "withdrawn": "certificates.withdrawn",
                "share": "certificates.share_suspended_withdrawn",
            },
            formatters={"region_code": province_labels},
        ),
        name="suspended_withdrawn_by_institution",
        percent_columns=[t("certificates.share_suspended_withdrawn")],
        height=300,
    )


def sections() -> dict:
    """Name in the URL -> (tab label, what to draw)."""
    return {
        "provinces": (t("certificates.section.provinces"), _provinces),
        "matrix": (t("certificates.section.matrix"), _matrix),
        "issuance": (t("certificates.section.issuance"), _issuance),
        "concentration": (t("certificates.section.concentration"), _concentration),
        "expiring": (t("certificates.section.expiring"), _expiring),
        "status_share": (t("certificates.section.status_share"), _status_share),
    }


def main() -> None:
    st.title(t("nav.certificates"))
    require_data()
    years, provinces, schemes, statuses = sidebar_filters()
    st.caption(t("certificates.scope"))
    today = dt.date.today()
    ranking, expiring = render_kpis(provinces, schemes, statuses, today)
    view = View(years, provinces, schemes, statuses, today, ranking, expiring)
    drawn = sections()
    section, container = url_tabs({name: label for name, (label, _draw) in drawn.items()})
    with container:
        drawn[section][1](view)


main()
