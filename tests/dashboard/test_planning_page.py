"""Plan & draw page: planning figures equal exact formulas, draws are reproducible, commits are whole."""

from __future__ import annotations

import json
import math
import shutil
from fractions import Fraction

import pytest
from scipy import stats
from sqlalchemy import text
from streamlit.testing.v1 import AppTest

from models.db import make_engine
from models.lottery import commitment_of, seed_of
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


def _text(url: str, statement: str, **params) -> str:
    engine = make_engine(url)
    with engine.connect() as connection:
        value = connection.execute(text(statement), params).scalar_one()
    engine.dispose()
    return str(value)


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


def test_power_figures_are_exact_expectations_over_binomial_bad_counts(planning_db):
    """Each certificate bad with probability p: K_h ~ Bin(N_h, p); P(none found) = E[hypergeom pmf(0)],
    computed here by summing over K_h (scipy), and it equals (1 - p)^n_h; nothing is rounded to 0."""
    at = _select_ratio_plan(_open("en"))
    populations, samples, _ = _exact_plan(planning_db)
    small = [(N, n) for N, n in zip(populations, samples, strict=True) if N <= 400][:3]
    for N, n in small:  # the exact expectation over the distribution of bad counts
        K = range(N + 1)
        expectation = sum(stats.binom.pmf(k, N, ASSUMED) * stats.hypergeom.pmf(0, N, k, n) for k in K)
        assert math.isclose(expectation, (1 - ASSUMED) ** n, rel_tol=1e-9)
    p_none = (1 - ASSUMED) ** sum(samples)
    expected_found = ASSUMED * sum(samples)
    (table,) = [d.value for d in at.dataframe if "P(at least one found)" in d.value.columns]
    detect = table["P(at least one found)"]
    assert (detect[table["Quota n"] > 0] > 0).all()  # no province with a quota reads 0%
    shown = metric_values(at)
    assert shown["P(at least one found nationally)"] == f"{100 * (1 - p_none):.2f}%"
    assert shown["Expected non-conforming found"] == f"{expected_found:,.1f}"
    quota_caption = [c.value for c in at.caption if "targets in" in c.value]
    assert f"{sum(samples):,} targets in {len(samples)} provinces" in quota_caption[0]


def _opened(lang: str = "en") -> AppTest:
    """The ratio plan with its draw opened (the commitment fixed)."""
    at = _select_ratio_plan(_open(lang))
    at.button(key="plan_open").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("commitment" in m.value or "承诺值" in m.value for m in at.markdown)
    return at


def test_open_draw_commit_writes_the_previewed_targets_with_the_revealed_nonce(planning_db):
    at = _opened()
    at.button(key="plan_run").click().run()
    first = at.session_state["plan_preview"].live.draw.unit_ids
    again = _select_ratio_plan(_open("en"))  # another visit: the same open draw, the same seed
    again.button(key="plan_run").click().run()
    assert again.session_state["plan_preview"].live.draw.unit_ids == first
    assert (
        _scalar(planning_db, "SELECT count(*) FROM drawattempt WHERE attempted_by <> 'system:seed'") == 1
    )  # the same inputs: one attempt
    _, samples, _ = _exact_plan(planning_db)
    assert len(first) == len(set(first)) == sum(samples)
    shown = again.dataframe[-1].value
    numbers = set(shown["Certificate"])
    assert len(numbers) == sum(samples) and all(isinstance(n, str) and n for n in numbers)
    assert _scalar(
        planning_db,
        f"SELECT count(*) FROM certificate WHERE number IN ({', '.join(repr(n) for n in numbers)})",
    ) == sum(samples)

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
    params = json.loads(_text(planning_db, "SELECT params_json FROM draw WHERE id = :d", d=draw_id))
    nonce = params["lottery"]["nonce"]
    assert commitment_of(nonce) == params["lottery"]["commitment"]
    assert seed_of(nonce) == _scalar(planning_db, "SELECT seed FROM draw WHERE id = :d", d=draw_id)
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
        inspected=params["inspection_date"],
    )
    assert broken == 0
    assert "plan_commit" not in [b.key for b in again.button]  # committed: nothing left to commit
    assert any(str(draw_id) in s.value for s in again.success)


def test_a_changed_input_makes_the_preview_stale_and_a_redraw_needs_a_reason(planning_db):
    at = _opened()
    at.button(key="plan_run").click().run()
    at.number_input(key="plan_cap").set_value(4).run()
    assert any("can no longer be committed" in w.value for w in at.warning)
    assert "plan_commit" not in [b.key for b in at.button]
    assert at.button(key="plan_run").disabled  # a reason first
    at.text_input(key="plan_reason").input("工作量上限按地方局意见调整").run()
    at.button(key="plan_run").click().run()
    assert not at.exception
    assert "plan_commit" in [b.key for b in at.button]
    assert _scalar(planning_db, "SELECT count(*) FROM drawattempt WHERE attempted_by <> 'system:seed'") == 2
    assert (
        _text(planning_db, "SELECT reason FROM drawattempt ORDER BY id DESC LIMIT 1")
        == "工作量上限按地方局意见调整"
    )


def test_an_infeasible_workload_cap_is_explained_and_no_attempt_is_written(planning_db):
    at = _opened()
    campaigns_before = _scalar(planning_db, "SELECT count(*) FROM campaign")
    at.number_input(key="plan_cap").set_value(1).run()
    at.number_input(key="plan_team").set_value(5).run()
    at.button(key="plan_run").click().run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert errors and errors[0].startswith("No inspector teams can be formed under these rules")
    assert "plan_preview" not in at.session_state
    assert _scalar(planning_db, "SELECT count(*) FROM campaign") == campaigns_before
    assert _scalar(planning_db, "SELECT count(*) FROM drawattempt WHERE attempted_by <> 'system:seed'") == 0
    assert (
        _scalar(
            planning_db,
            "SELECT count(*) FROM draw d JOIN campaign c ON c.id = d.campaign_id WHERE c.status = 'planned'",
        )
        == 0
    )


def test_a_drawn_campaign_name_is_refused_in_the_users_language(planning_db):
    at = _select_ratio_plan(_open("zh"))
    existing = _text(
        planning_db, "SELECT name FROM campaign WHERE status = 'published' AND year = 2025 LIMIT 1"
    )
    at.number_input(key="plan_year").set_value(2025).run()
    at.text_input(key="plan_campaign").input(existing).run()
    assert not at.exception
    # the seeded campaign was drawn through the lottery: the page says so and offers nothing to open
    assert any("已完成抽取并提交" in i.value and existing in i.value for i in at.info)
    assert "plan_open" not in [b.key for b in at.button]


def test_switching_the_scheme_of_an_open_draw_says_so_and_offers_nothing_to_commit_or_reopen(planning_db):
    at = _opened()
    at.button(key="plan_run").click().run()
    at.selectbox(key="plan_scheme").set_value("FOREST").run()
    assert not at.exception, [e.value for e in at.exception]
    warnings = [w.value for w in at.warning]
    assert any("opened for QMS, not FOREST" in w for w in warnings), warnings
    assert not any("before populations were frozen" in w for w in warnings)  # the draw is frozen
    keys = [b.key for b in at.button]
    assert "plan_commit" not in keys and "plan_run" not in keys and "plan_open" not in keys
    at.selectbox(key="plan_scheme").set_value("QMS").run()  # back: the same inputs, the same preview
    assert "plan_commit" in [b.key for b in at.button]
    assert _scalar(planning_db, "SELECT count(*) FROM drawsession WHERE opened_by <> 'system:seed'") == 1


def test_excluding_recent_draws_leaves_them_out_and_says_how_many(planning_db):
    at = _opened()
    at.number_input(key="plan_exclude").set_value(120).run()
    at.button(key="plan_run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    live = at.session_state["plan_preview"].live
    exclusion = live.draw.params["exclusion"]
    assert exclusion["months"] == 120
    # independently: valid QMS certificates (as frozen at opening) with a draw on or after the cut-off
    recent = {
        int(row)
        for row in _column(
            planning_db,
            "SELECT DISTINCT t.certificate_id FROM drawtarget t JOIN draw d ON d.id = t.draw_id "
            "JOIN certificate c ON c.id = t.certificate_id "
            "WHERE c.status = 'valid' AND c.scheme_code = 'QMS' AND substr(d.drawn_at, 1, 10) >= :cutoff",
            cutoff=exclusion["cutoff"],
        )
    }
    assert recent and exclusion["excluded"] == len(recent)
    assert not recent & set(live.draw.unit_ids)
    shown = [i.value for i in at.info]
    assert any(f"{len(recent):,} certificate(s) drawn on or after {exclusion['cutoff']}" in s for s in shown)


def _column(url: str, statement: str, **params) -> list:
    engine = make_engine(url)
    with engine.connect() as connection:
        values = connection.execute(text(statement), params).scalars().all()
    engine.dispose()
    return values


def test_certificates_expiring_after_opening_change_nothing_and_force_no_reopening(planning_db):
    at = _opened()
    at.button(key="plan_run").click().run()
    first = at.session_state["plan_preview"].live.draw.unit_ids
    engine = make_engine(planning_db)
    with engine.begin() as connection:  # the daily expiry takes some of the drawn certificates
        connection.execute(
            text(f"UPDATE certificate SET status = 'expired' WHERE id IN ({', '.join(map(str, first[:5]))})")
        )
    engine.dispose()
    again = _select_ratio_plan(_open("en"))
    assert not again.exception, [e.value for e in again.exception]
    assert not again.warning  # nothing to re-open
    again.button(key="plan_run").click().run()
    assert again.session_state["plan_preview"].live.draw.unit_ids == first
    again.button(key="plan_commit").click().run()
    assert not again.exception and again.session_state["plan_committed"]
    assert _scalar(planning_db, "SELECT count(*) FROM drawsession WHERE opened_by <> 'system:seed'") == 1


def test_a_draw_opened_before_populations_were_frozen_is_opened_again_with_a_reason(planning_db):
    _opened()
    engine = make_engine(planning_db)
    with engine.begin() as connection:  # as a session opened before migration 0005 looks
        connection.execute(text("UPDATE drawsession SET pool_hash = NULL WHERE opened_by <> 'system:seed'"))
    engine.dispose()
    at = _select_ratio_plan(_open("en"))
    assert any("before populations were frozen" in w.value for w in at.warning)
    keys = [b.key for b in at.button]
    assert "plan_run" not in keys and at.button(key="plan_open").disabled
    at.text_input(key="plan_reopen_reason").input("名单固化上线后重新开启").run()
    at.button(key="plan_open").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.warning and "plan_run" in [b.key for b in at.button]
    mine = "FROM drawsession WHERE opened_by <> 'system:seed'"  # the seeded history has its own sessions
    assert _text(planning_db, f"SELECT status {mine} ORDER BY id LIMIT 1") == "superseded"
    assert _scalar(planning_db, f"SELECT count(*) {mine} AND pool_hash IS NOT NULL") == 1


def test_step_one_sample_size_flows_into_the_quota_total(planning_db):
    """The total of step 2 defaults to step 1's sample size in every province (at most its N), and
    follows it when step 1 changes."""
    at = _open("en")
    populations, _, _ = _exact_plan(planning_db)
    for tolerable in (0.05, 0.1):
        (field,) = [w for w in at.number_input if w.label == "Tolerable non-conformity rate"]
        field.set_value(tolerable).run()
        assert not at.exception, [e.value for e in at.exception]
        n = int(metric_values(at)["Sample size per stratum"].replace(",", ""))
        (total,) = [w for w in at.number_input if w.label == "Total targets"]
        assert total.value == sum(min(n, size) for size in populations)
    assert n < 93  # the second tolerable rate needs a smaller sample: the total moved with it
