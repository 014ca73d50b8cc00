"""AppTest of the Overview page on the seeded demo database: both languages, widgets, SQL-equal figures."""

from __future__ import annotations

import datetime as dt

import pytest

from models.queries.overview import stock_dates
from tests.dashboard.conftest import as_int, metric_values

# Valid on the day by the certificate's history (models/history.py): a valid span covers it.
STANDING = (
    "id IN (SELECT certificate_id FROM certificateevent WHERE status = 'valid' "
    "AND occurred_on <= :at AND holds_until > :at)"
)
VALID_AT = f"SELECT count(*) FROM certificate WHERE {STANDING} {{extra}}"
HOLDERS_AT = f"SELECT count(DISTINCT organisation_id) FROM certificate WHERE {STANDING} {{extra}}"
LABELS = {
    "zh": ("在册认证机构", "有效证书", "已完成检查", "本年批准事项", "不符合率（加权）", "获证组织"),
    "en": (
        "Active institutions",
        "Valid certificates",
        "Inspections done",
        "Approvals this year",
        "Non-conformity rate (weighted)",
        "Certified organisations",
    ),
}
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October")
MONTHS += ("November", "December")


def _month(day: dt.date, lang: str) -> str:
    return f"{day.year}年{day.month}月" if lang == "zh" else f"{MONTHS[day.month - 1]} {day.year}"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_overview_runs_and_kpis_equal_sql(open_page, sql, lang):
    at = open_page("overview", lang=lang)
    shown = metric_values(at)
    active, valid, inspections, approvals, rate, organisations = LABELS[lang]
    assert len(at.metric) == 6
    today = dt.date.today()
    year_start = dt.date(today.year, 1, 1)
    stock_end, previous_stock_end = stock_dates(today.year, today)
    assert as_int(shown[valid]) == sql(VALID_AT.format(extra=""), at=stock_end.isoformat())
    assert as_int(shown[organisations]) == sql(HOLDERS_AT.format(extra=""), at=stock_end.isoformat())
    assert as_int(shown[active]) == sql(
        "SELECT count(*) FROM institution WHERE status = 'approved' AND approved_on <= :at",
        at=today.isoformat(),
    )
    assert as_int(shown[inspections]) == sql(
        "SELECT count(*) FROM inspectionoutcome WHERE inspected_on >= :a AND inspected_on <= :b",
        a=year_start.isoformat(),
        b=today.isoformat(),
    )
    assert as_int(shown[approvals]) == sql(
        "SELECT count(*) FROM approvalapplication WHERE status = 'approved' AND decided_on >= :a "
        "AND decided_on <= :b",
        a=year_start.isoformat(),
        b=today.isoformat(),
    )
    assert shown[rate].endswith("%")
    assert len(at.get("vega_lite_chart")) == 1 and not at.dataframe  # the trend tab opens first
    month, previous_month = _month(stock_end, lang), _month(previous_stock_end, lang)
    caption = " ".join(c.value for c in at.caption)
    if lang == "en":
        assert f"as at end of {month}, against end of {previous_month}" in caption
    else:
        assert f"截至 {month}末" in caption and f"截至 {previous_month}末" in caption
    helps = {m.label: m.help for m in at.metric}
    assert month in helps[valid] and month in helps[organisations]


def test_filters_drive_the_kpis(open_page, sql):
    at = open_page("overview", lang="en")
    everywhere = as_int(metric_values(at)["Valid certificates"])
    at.multiselect(key="url_filter_provinces").set_value(["440000"]).run()
    assert not at.exception
    shown = metric_values(at)
    guangdong = as_int(shown["Valid certificates"])
    today = dt.date.today()
    stock_end = stock_dates(today.year, today)[0].isoformat()
    assert guangdong == sql(VALID_AT.format(extra="AND region_code = '440000'"), at=stock_end)
    assert as_int(shown["Certified organisations"]) == sql(
        HOLDERS_AT.format(extra="AND region_code = '440000'"), at=stock_end
    )
    assert 0 < guangdong < everywhere
    assert at.query_params["provinces"] == ["440000"] or at.query_params["provinces"] == "440000"


def test_two_schemes_count_each_organisation_once(open_page, sql):
    at = open_page("overview", lang="en", schemes="QMS,EMS", years="2019-2024")
    assert at.query_params["schemes"] in (["QMS,EMS"], "QMS,EMS", ["QMS", "EMS"])
    shown = metric_values(at)
    two = "AND scheme_code IN ('QMS', 'EMS')"
    holders = sql(HOLDERS_AT.format(extra=two), at="2024-12-31")
    earlier = sql(HOLDERS_AT.format(extra=two), at="2023-12-31")
    certificates = sql(VALID_AT.format(extra=two), at="2024-12-31")
    assert as_int(shown["Valid certificates"]) == certificates
    assert as_int(shown["Certified organisations"]) == holders
    assert holders < certificates  # organisations holding both schemes count once
    metric = next(m for m in at.metric if m.label == "Certified organisations")
    assert metric.delta.startswith(f"{holders - earlier:+,}")


def test_year_range_moves_the_kpi_period(open_page, sql):
    at = open_page("overview", lang="en", years="2019-2022")
    shown = metric_values(at)
    assert as_int(shown["Approvals this year"]) == sql(
        "SELECT count(*) FROM approvalapplication WHERE status = 'approved' "
        "AND decided_on >= '2022-01-01' AND decided_on <= '2022-12-31'"
    )
    assert as_int(shown["Valid certificates"]) == sql(VALID_AT.format(extra=""), at="2022-12-31")
    previous = sql(VALID_AT.format(extra=""), at="2021-12-31")
    assert at.metric[2].delta.startswith(f"{as_int(shown['Valid certificates']) - previous:+,}")
    assert "as at end of December 2022, against end of December 2021" in " ".join(c.value for c in at.caption)


def test_nonconformity_shows_the_unweighted_rate_of_sql(open_page, sql):
    at = open_page("overview", lang="en", years="2020-2025")
    metric = next(m for m in at.metric if m.label == "Non-conformity rate (weighted)")
    committed = """
        FROM inspectionoutcome o JOIN drawtarget t ON t.id = o.target_id JOIN draw d ON d.id = t.draw_id
        JOIN campaign c ON c.id = d.campaign_id WHERE c.status <> 'planned' AND c.year = 2025
    """
    violations = sql(f"SELECT count(*) {committed} AND o.outcome_code = 'violation'")
    inspected = sql(f"SELECT count(*) {committed}")
    assert f"unweighted rate {100 * violations / inspected:.1f}%" in metric.help
    assert metric.value.endswith("%")


def test_monthly_table_tab_adds_up_to_the_certificates_issued(open_page, sql):
    at = open_page("overview", lang="en", view="table", provinces="440000", years="2022-2024")
    assert not at.get("vega_lite_chart")
    table = at.dataframe[0].value
    assert table.iloc[0, 0] >= "2022-01" and table.iloc[-1, 0] <= "2024-12"
    assert int(table["Issued"].sum()) == sql(
        "SELECT count(*) FROM certificate WHERE region_code = '440000' "
        "AND issued_on >= '2022-01-01' AND issued_on <= '2024-12-31'"
    )
