"""Overview: headline figures with their year-on-year change, and the monthly issuance trend."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from dashboard import charts
from dashboard.auth import require_page
from dashboard.cache import query, require_data
from dashboard.filters import url_multiselect, url_tabs, url_year_range
from dashboard.formats import format_delta, format_int, format_pct, format_points
from dashboard.i18n import month_name, province_name, scheme_name, t
from dashboard.outcome_stats import weighted_rate
from dashboard.tables import labelled, scheme_labels, show_table
from models.access import Permission
from models.queries.certificates import issuance_by_month
from models.queries.outcomes import OutcomeFilters
from models.queries.overview import KPI_NAMES, data_years, overview_kpis
from models.reference_data import PROVINCE_CODES, SCHEME_CODES

TREND_YEARS = 5  # the trend shows the last five years unless the URL or slider says otherwise

VIEWER = require_page(Permission.READ_STAFF)


def sidebar_filters(today: dt.date) -> tuple[tuple[int, int], tuple[str, ...], tuple[str, ...]]:
    """Years, provinces and schemes, mirrored in the URL."""
    first, last = query(data_years) or (today.year, today.year)
    last = min(last, today.year)
    first = min(first, last)
    years = url_year_range(t("filter.years"), first, last, default=(max(first, last - TREND_YEARS + 1), last))
    provinces = tuple(
        url_multiselect(t("filter.provinces"), PROVINCE_CODES, param="provinces", format_func=province_name)
    )
    schemes = tuple(
        url_multiselect(t("filter.schemes"), SCHEME_CODES, param="schemes", format_func=scheme_name)
    )
    return years, provinces, schemes


def render_kpis(year: int, today: dt.date, provinces: tuple[str, ...], schemes: tuple[str, ...]) -> None:
    """Headline figures of ``year`` with their change on the same period of the year before."""
    kpis = query(overview_kpis, year=year, today=today, provinces=provinces, schemes=schemes)
    end, previous_end = kpis["current_end"].iloc[0], kpis["previous_end"].iloc[0]
    stock_month = month_name(kpis["stock_end"].iloc[0])
    st.caption(
        t(
            "overview.period",
            start=dt.date(year, 1, 1).isoformat(),
            end=end.isoformat(),
            previous_end=previous_end.isoformat(),
            stock_month=stock_month,
            previous_stock_month=month_name(kpis["previous_stock_end"].iloc[0]),
        )
    )

    columns = [*st.columns(3), *st.columns(3)]
    for column, name in zip(columns, KPI_NAMES, strict=False):
        current, previous = int(kpis.loc[name, "current"]), int(kpis.loc[name, "previous"])
        column.metric(
            t(f"overview.kpi.{name}"),
            format_int(current),
            delta=format_delta(current, previous),
            help=t(f"overview.kpi.{name}_help", month=stock_month),
            border=True,
        )

    # The same weighted estimate as the Inspection outcomes page (outcome_stats -> sampler.estimate).
    estimate = weighted_rate(OutcomeFilters(years=(year, year), provinces=provinces, schemes=schemes))[
        "estimate"
    ]
    earlier = weighted_rate(OutcomeFilters(years=(year - 1, year - 1), provinces=provinces, schemes=schemes))[
        "estimate"
    ]
    if estimate is None:
        columns[-1].metric(
            t("overview.kpi.nonconformity"), "—", help=t("overview.kpi.nonconformity_none"), border=True
        )
    else:
        change = None
        if earlier is not None:
            change = t("overview.pp", value=format_points(estimate["rate"] - earlier["rate"]))
        columns[-1].metric(
            t("overview.kpi.nonconformity"),
            format_pct(estimate["rate"]),
            delta=change,
            delta_color="inverse",
            border=True,
            help=t(
                "overview.kpi.nonconformity_help",
                confidence=format_pct(estimate["confidence"], 0),
                low=format_pct(estimate["low"]),
                high=format_pct(estimate["high"]),
                unweighted=format_pct(estimate["unweighted_rate"]),
            ),
        )
        columns[-1].caption(
            t(
                "overview.nonconformity_interval",
                confidence=format_pct(estimate["confidence"], 0),
                low=format_pct(estimate["low"]),
                high=format_pct(estimate["high"]),
            )
        )
    st.caption(t("overview.note"))


def render_trend(years: tuple[int, int], provinces: tuple[str, ...], schemes: tuple[str, ...]) -> None:
    """Certificates issued per month and scheme over ``years``."""
    st.subheader(t("overview.trend"))
    st.caption(t("overview.trend_caption", first=years[0], last=years[1]))
    months = (f"{years[0]}-01", f"{years[1]}-12")
    trend = query(issuance_by_month, provinces=provinces, schemes=schemes, months=months, by_scheme=True)
    if trend.empty:
        st.caption(t("common.no_data"))
    else:
        view, container = url_tabs({"chart": t("overview.tab.chart"), "table": t("overview.tab.table")})
        with container:
            if view == "chart":
                trend = trend.assign(scheme=scheme_labels(trend["scheme_code"]))
                chart = charts.trend(
                    trend,
                    x="month",
                    y="n",
                    x_title=t("common.month"),
                    y_title=t("overview.issued"),
                    color="scheme",
                    color_title=t("common.scheme"),
                    color_scale=charts.colour_scale("scheme", SCHEME_CODES, scheme_name),
                    stacked_area=True,
                    height=360,
                )
                charts.show(chart, key="overview_trend")
            else:
                monthly = trend.groupby("month", as_index=False, sort=True)["n"].sum()
                show_table(
                    labelled(monthly, {"month": "common.month", "n": "overview.issued"}),
                    name="certificates_issued_per_month",
                    height=420,
                )


def main() -> None:
    st.title(t("nav.overview"))
    require_data()
    today = dt.date.today()
    years, provinces, schemes = sidebar_filters(today)
    render_kpis(years[1], today, provinces, schemes)
    render_trend(years, provinces, schemes)


main()
