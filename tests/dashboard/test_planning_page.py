"""Plan & draw page: planning figures equal exact formulas, draws are reproducible, commits are whole."""

from __future__ import annotations

import math
import shutil
from fractions import Fraction

import pytest
from scipy import stats
from sqlalchemy import text
from streamlit.testing.v1 import AppTest

from models.db import make_engine
from tests.dashboard.conftest import APP, metric_values
from tests.support.actors import PLANNER
from tests.support.apptest import sign_in

RATIO = 0.03
ASSUMED = 0.005


@pytest.fixture
def planning_db(demo_database_url, tmp_path, monkeypatch) -> str:
    """A private copy of the demo database: these tests commit draws into it."""
    source = demo_database_url.removeprefix("sqlite:///")
    target = tmp_path / "planning.db"
    shutil.copyfile(source, target)
    url = f"sqlite:///{target}"
    monkeypatch.setenv("REGDASH_DATABASE_URL", url)
    return url


def _open(lang: str = "en") -> AppTest:
    at = sign_in(AppTest.from_file(APP, default_timeout=120), PLANNER)
    at.query_params["lang"] = lang
    at.run()
    at.switch_page("dashboard/pages/planning.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _select_ratio_plan(at: AppTest) -> AppTest:
    at.selectbox(key="plan_method").set_value("ratio").run()
    at.number_input(key="plan_ratio").set_value(RATIO).run()
    at.slider(key="plan_assumed").set_value(ASSUMED).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _scalar(url: str, statement: str, **params) -> int:
    engine = make_engine(url)
    with engine.connect() as connection:
        value = connection.execute(text(statement), params).scalar_one()
    engine.dispose()
    return int(value)


def _exact_plan(url: str) -> tuple[list[int], list[int], list[int]]:
    """N_h, n_h = max(ceil(r N_h), min(2, N_h)) and K_h = round-half-up(rate N_h), from raw SQL."""
    engine = make_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT region_code, count(*) FROM certificate WHERE status = 'valid' "
                "AND scheme_code = 'QMS' "
                "GROUP BY region_code ORDER BY region_code"
            )
        ).all()
    engine.dispose()
    populations = [int(count) for _, count in rows]
    ratio, assumed = Fraction(str(RATIO)), Fraction(str(ASSUMED))
    samples = [max(math.ceil(ratio * size), min(2, size)) for size in populations]
    bad = [math.floor(assumed * size + Fraction(1, 2)) for size in populations]
    return populations, samples, bad


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_page_runs_and_sample_size_matches_the_published_table(planning_db, lang):
    at = _open(lang)
    values = list(metric_values(at).values())
    # AICPA table, 95% confidence, 5% tolerable, 1% expected: n = 93 allowing 1 deviation.
    assert values[0] == "93" and values[1] == "1"


def test_power_figures_equal_the_exact_hypergeometric_formulas(planning_db):
    at = _select_ratio_plan(_open("en"))
    populations, samples, bad = _exact_plan(planning_db)
    p_none = math.prod(
        stats.hypergeom.pmf(0, N, K, n) for N, K, n in zip(populations, bad, samples, strict=True)
    )
    expected_found = sum(n * K / N for N, K, n in zip(populations, bad, samples, strict=True))
    shown = metric_values(at)
    assert shown["P(at least one found nationally)"] == f"{100 * (1 - p_none):.2f}%"
    assert shown["Expected non-conforming found"] == f"{expected_found:,.1f}"
    quota_caption = [c.value for c in at.caption if "targets in" in c.value]
    assert f"{sum(samples):,} targets in {len(samples)} provinces" in quota_caption[0]


def test_same_seed_same_targets_and_commit_writes_draw_and_eligible_teams(planning_db):
    at = _select_ratio_plan(_open("en"))
    at.button(key="plan_run").click().run()
    first = at.session_state["plan_live_draw"].draw.unit_ids
    again = _select_ratio_plan(_open("en"))
    again.button(key="plan_run").click().run()
    assert again.session_state["plan_live_draw"].draw.unit_ids == first
    _, samples, _ = _exact_plan(planning_db)
    assert len(first) == len(set(first)) == sum(samples)

    again.button(key="plan_commit").click().run()
    assert not again.exception
    draw_id = again.session_state["plan_committed"]
    assert _scalar(planning_db, "SELECT count(*) FROM drawtarget WHERE draw_id = :d", d=draw_id) == sum(
        samples
    )
    assert _scalar(
        planning_db,
        "SELECT count(*) FROM assignment a JOIN drawtarget t ON t.id = a.target_id WHERE t.draw_id = :d",
        d=draw_id,
    ) == 2 * sum(samples)
    broken = _scalar(
        planning_db,
        """SELECT count(*) FROM assignment a JOIN drawtarget t ON t.id = a.target_id
           JOIN inspector i ON i.id = a.inspector_id
           WHERE t.draw_id = :d AND (
             i.active = 0 OR i.id_valid_until < :inspected
             OR NOT EXISTS (SELECT 1 FROM inspectorscheme s
                            WHERE s.inspector_id = i.id AND s.scheme_code = 'QMS')
             OR EXISTS (SELECT 1 FROM inspectoraffiliation f
                        WHERE f.inspector_id = i.id AND f.institution_id = t.institution_id))""",
        d=draw_id,
        inspected=again.session_state["plan_live_draw"].inspection_date.isoformat(),
    )
    assert broken == 0


def test_an_infeasible_workload_cap_is_explained_and_nothing_is_written(planning_db):
    campaigns_before = _scalar(planning_db, "SELECT count(*) FROM campaign")
    at = _select_ratio_plan(_open("en"))
    at.number_input(key="plan_cap").set_value(1).run()
    at.number_input(key="plan_team").set_value(5).run()
    at.button(key="plan_run").click().run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert errors and errors[0].startswith("Cannot proceed:")
    assert "plan_live_draw" not in at.session_state
    assert _scalar(planning_db, "SELECT count(*) FROM campaign") == campaigns_before
