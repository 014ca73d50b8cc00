"""AppTest of the Certificates page on the seeded demo database."""

from __future__ import annotations

import datetime as dt

import pytest
from streamlit.testing.v1 import AppTest

from tests.dashboard.conftest import APP, as_int, metric_values
from tests.support.actors import STAFF
from tests.support.apptest import sign_in

# (tab name in the URL, tables, charts it draws on the demo database)
SECTIONS = [
    ("provinces", 0, 2),
    ("matrix", 1, 1),
    ("issuance", 0, 1),
    ("concentration", 2, 0),
    ("expiring", 1, 0),
    ("status_share", 1, 1),
]
EXPIRING = """
    SELECT count(*) FROM certificate
    WHERE status = 'valid' AND expires_on >= :a AND expires_on <= :b {extra}
"""


@pytest.mark.parametrize(
    ("lang", "selection", "expiring"),
    [
        ("zh", "证书数（所选范围）", "90 天内到期"),
        ("en", "Certificates (selection)", "Expiring within 90 days"),
    ],
)
def test_certificates_runs_and_counts_equal_sql(open_page, sql, lang, selection, expiring):
    at = open_page("certificates", lang=lang)
    shown = metric_values(at)
    assert as_int(shown[selection]) == sql("SELECT count(*) FROM certificate")
    today = dt.date.today()
    soon = sql(EXPIRING.format(extra=""), a=today.isoformat(), b=(today + dt.timedelta(days=90)).isoformat())
    assert as_int(shown[expiring]) == soon
    assert len(at.tabs) == len(SECTIONS)
    assert len(at.get("vega_lite_chart")) == 2  # the default tab: the map and the top provinces


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize(("view", "tables", "charts"), SECTIONS)
def test_every_tab_runs_alone(open_page, lang, view, tables, charts):
    at = open_page("certificates", lang=lang, view=view)
    assert len(at.dataframe) == tables
    assert len(at.get("vega_lite_chart")) == charts
    if tables:
        assert at.get("download_button")


def test_picking_a_tab_runs_it_and_puts_it_in_the_url(open_page, sql):
    at = open_page("certificates", lang="en", provinces="330000")
    assert not at.dataframe
    at.session_state["url_filter_view"] = "Expiring soon"
    at.run()
    assert not at.exception
    assert at.query_params["view"] == "expiring"
    today = dt.date.today()
    soon = sql(
        EXPIRING.format(extra="AND region_code = '330000'"),
        a=today.isoformat(),
        b=(today + dt.timedelta(days=90)).isoformat(),
    )
    assert len(at.dataframe) == 1 and len(at.dataframe[0].value) == soon
    at.session_state["url_filter_view"] = "By province"  # the default tab leaves the URL
    at.run()
    assert "view" not in at.query_params


def test_the_open_tab_survives_a_language_switch(open_page):
    at = open_page("certificates", lang="en", view="matrix")
    at.segmented_control(key="language_switch").set_value("zh").run()
    assert not at.exception
    assert at.tabs[1].label == "领域 × 省份"
    assert at.query_params["view"] == "matrix"
    assert at.subheader[0].value == "认证领域 × 省份 × 状态"


def test_matrix_table_adds_up_to_the_certificate_count(open_page, sql):
    at = open_page("certificates", lang="en", view="matrix", schemes="QMS")
    table = at.dataframe[0].value
    assert int(table.iloc[:, -1].sum()) == sql("SELECT count(*) FROM certificate WHERE scheme_code = 'QMS'")


def test_url_and_widget_filters_drive_the_counts(open_page, sql):
    at = open_page("certificates", lang="en", provinces="440000", statuses="valid")
    shown = metric_values(at)
    expected = sql("SELECT count(*) FROM certificate WHERE region_code = '440000' AND status = 'valid'")
    assert as_int(shown["Certificates (selection)"]) == expected
    at.multiselect(key="url_filter_schemes").set_value(["EMS", "OHSMS"]).run()
    assert not at.exception
    expected = sql(
        "SELECT count(*) FROM certificate WHERE region_code = '440000' AND status = 'valid' "
        "AND scheme_code IN ('EMS', 'OHSMS')"
    )
    assert as_int(metric_values(at)["Certificates (selection)"]) == expected
    assert as_int(metric_values(at)["Valid certificates"]) == expected


def test_top_three_share_equals_sql(open_page, sql):
    at = open_page("certificates", lang="en")
    top3 = sql(
        "SELECT sum(n) FROM "
        "(SELECT count(*) AS n FROM certificate GROUP BY region_code ORDER BY n DESC LIMIT 3)"
    )
    total = sql("SELECT count(*) FROM certificate")
    assert metric_values(at)["Top-3 provinces' share"] == f"{100 * top3 / total:.1f}%"


def test_empty_database_shows_a_message_not_a_traceback(tmp_path, monkeypatch):
    monkeypatch.setenv("REGDASH_DATABASE_URL", f"sqlite:///{tmp_path / 'nothing.db'}")
    for page in ("overview", "institutions", "certificates"):
        at = sign_in(AppTest.from_file(APP, default_timeout=60), STAFF)
        at.query_params["lang"] = "en"
        at.run()
        at.switch_page(f"dashboard/pages/{page}.py").run()
        assert not at.exception
        assert any("database is empty" in info.value for info in at.info), page


def test_an_unknown_tab_in_the_link_opens_the_first_and_leaves_the_url(open_page):
    at = open_page("certificates", lang="en", view="no-such-tab")
    assert not at.exception
    assert at.subheader[0].value == "Certificates by province"  # the first tab's content
    assert "view" not in at.query_params
