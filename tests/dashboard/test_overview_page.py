"""AppTest of the Overview page on the seeded demo database: both languages, widgets, SQL-equal figures."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.dashboard.conftest import as_int, metric_values

VALID_AT = """
    SELECT count(*) FROM certificate
    WHERE status IN ('valid', 'expired') AND issued_on <= :at AND expires_on >= :at {extra}
"""
LABELS = {
    "zh": ("在册认证机构", "有效证书", "已完成检查", "本年批准事项", "不符合率（加权）"),
    "en": (
        "Active institutions",
        "Valid certificates",
        "Inspections done",
        "Approvals this year",
        "Non-conformity rate (weighted)",
    ),
}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_overview_runs_and_kpis_equal_sql(open_page, sql, lang):
    at = open_page("overview", lang=lang)
    shown = metric_values(at)
    active, valid, inspections, approvals, rate = LABELS[lang]
    assert len(at.metric) == 6
    today = dt.date.today()
    year_start = dt.date(today.year, 1, 1)
    assert as_int(shown[valid]) == sql(VALID_AT.format(extra=""), at=today.isoformat())
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
    assert at.get("vega_lite_chart") or at.get("arrow_vega_lite_chart")


def test_filters_drive_the_kpis(open_page, sql):
    at = open_page("overview", lang="en")
    everywhere = as_int(metric_values(at)["Valid certificates"])
    at.multiselect(key="url_filter_provinces").set_value(["440000"]).run()
    assert not at.exception
    guangdong = as_int(metric_values(at)["Valid certificates"])
    today = dt.date.today().isoformat()
    assert guangdong == sql(VALID_AT.format(extra="AND region_code = '440000'"), at=today)
    assert 0 < guangdong < everywhere
    assert at.query_params["provinces"] == ["440000"] or at.query_params["provinces"] == "440000"


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
