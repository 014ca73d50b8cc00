"""AppTest of the inspection-outcome page: both languages, filters drive the figures, figures equal SQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from streamlit.testing.v1 import AppTest

from models.db import make_engine
from models.migrate import upgrade
from tests.models.test_queries_outcomes import insert_outcome_world
from tests.support.actors import STAFF
from tests.support.apptest import sign_in

PAGE = str(Path(__file__).resolve().parents[2] / "dashboard" / "pages" / "outcomes.py")
COMMITTED = """
    FROM drawtarget t JOIN draw d ON d.id = t.draw_id JOIN campaign c ON c.id = d.campaign_id
    LEFT JOIN inspectionoutcome o ON o.target_id = t.id
    WHERE c.status <> 'planned'
"""


@pytest.fixture(scope="module")
def database_url(tmp_path_factory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('out-apptest') / 'regdash.db'}"
    engine = make_engine(url)
    upgrade(engine)
    with engine.begin() as connection:
        insert_outcome_world(connection)
    engine.dispose()
    return url


@pytest.fixture
def app(database_url, monkeypatch):
    monkeypatch.setenv("REGDASH_DATABASE_URL", database_url)

    def start(lang: str = "zh", **params: str) -> AppTest:
        at = sign_in(AppTest.from_file(PAGE, default_timeout=60), STAFF)
        at.query_params["lang"] = lang
        for key, value in params.items():
            at.query_params[key] = value
        at.run()
        assert not at.exception, at.exception
        return at

    return start


def sql(url: str, statement: str) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return int(connection.scalar(text(statement)))
    finally:
        engine.dispose()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_page_runs_and_figures_equal_sql(app, database_url, lang):
    at = app(lang, view="cases", years="2024-2025")
    drawn = sql(database_url, f"SELECT count(*) {COMMITTED}")
    inspected = sql(database_url, f"SELECT count(o.id) {COMMITTED}")
    violations = sql(database_url, f"SELECT count(*) {COMMITTED} AND o.outcome_code = 'violation'")
    values = [m.value for m in at.metric]
    assert values[:3] == [str(drawn), str(inspected), str(violations)]
    assert values[3] == f"{100 * violations / inspected:.1f}%"  # unweighted: 3/8
    assert values[4] == "48.2%"  # weighted: (30 * 1/2 + 80 * 2/4 + 4 * 0/2) / 114, worked by hand
    labels = [m.label for m in at.metric]
    assert labels[3] != labels[4]
    cases = at.dataframe[-1].value
    assert len(cases) == inspected
    assert cases.iloc[:, 7].str.contains(r"\*\*\*\*").all()  # inspector IDs masked


def test_filters_change_the_numbers(app, database_url):
    at = app("en", view="cases", years="2024-2025")
    at.multiselect(key="url_filter_schemes").set_value(["EMS"]).run()
    assert not at.exception
    ems = sql(database_url, f"SELECT count(o.id) {COMMITTED} AND t.scheme_code = 'EMS'")
    assert at.metric[1].value == str(ems) == "2"
    assert len(at.dataframe[-1].value) == ems


@pytest.mark.parametrize(
    ("view", "dimension", "tables", "charts"),
    [
        ("findings", None, 0, 2),
        ("provinces", "region_code", 1, 1),
        ("schemes", "scheme_code", 1, 1),
        ("institutions", "institution_id", 1, 0),
    ],
)
def test_every_tab_runs_alone(app, database_url, view, dimension, tables, charts):
    at = app("en", view=view, years="2024-2025")
    assert len(at.tabs) == 5
    assert len(at.dataframe) == tables and len(at.get("vega_lite_chart")) == charts
    if dimension:  # one row per province / scheme / institution with an inspection
        rows = sql(database_url, f"SELECT count(DISTINCT t.{dimension}) {COMMITTED} AND o.id IS NOT NULL")
        assert len(at.dataframe[0].value) == rows


def test_the_latest_year_is_the_default(app, database_url):
    at = app("en")
    assert at.slider(key="url_filter_years").value == (2025, 2025)
    assert "years" not in at.query_params  # the default stays out of the link
    drawn = sql(database_url, f"SELECT count(*) {COMMITTED} AND c.year = 2025")
    assert drawn < sql(database_url, f"SELECT count(*) {COMMITTED}")
    assert at.metric[0].value == str(drawn)
    at.slider(key="url_filter_years").set_value((2024, 2025)).run()
    assert at.metric[0].value == str(sql(database_url, f"SELECT count(*) {COMMITTED}"))
    assert at.query_params["years"] == "2024-2025"


def test_filters_from_the_url(app, database_url):
    at = app("en", years="2024-2024", provinces="440000")
    expected = sql(
        database_url, f"SELECT count(o.id) {COMMITTED} AND c.year = 2024 AND t.region_code = '440000'"
    )
    assert at.metric[1].value == str(expected) == "4"
    at = app("en", campaign="2")
    assert at.metric[0].value == "2"
