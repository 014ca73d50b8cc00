"""Database limits reached from the planning page (issue 11 item 10), on PostgreSQL, where a value too
long or too large for its column is a database error: the widgets allow what the columns and the
sampler hold, and a value past a limit is a translated message, never a traceback."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from dashboard.strings import load_strings
from models.campaigns import CAMPAIGN_NAME_MAX, SEED_MAX
from models.db import make_engine
from sampler.errors import MAX_SEED
from tests.dashboard.test_planning_page import _open


@pytest.mark.parametrize("code", ["name_invalid", "seed_invalid", "year_invalid", "reason_too_long"])
def test_every_limit_message_is_in_both_languages(code):
    entry = load_strings()[f"error.workflow.{code}"]
    fields = {"limit": CAMPAIGN_NAME_MAX, "maximum": SEED_MAX}
    for language in ("zh", "en"):
        shown = entry[language].format(**fields)
        assert shown and "{" not in shown
    if code in ("name_invalid", "seed_invalid"):
        assert str(fields["limit" if code == "name_invalid" else "maximum"]) in entry["zh"].format(**fields)


@pytest.fixture(scope="module")
def postgres_demo_url(postgres_server) -> str:
    """The demo country seeded into a PostgreSQL database (once for this module)."""
    from seed.build import seed_database

    url = postgres_server.create_database("regdash_limits_ui")
    seed_database(url, scale="demo", seed=20171201)
    return url


def _count(url: str, statement: str) -> int:
    engine = make_engine(url)
    with engine.connect() as connection:
        value = int(connection.execute(text(statement)).scalar_one())
    engine.dispose()
    return value


@pytest.mark.postgres
def test_a_huge_seed_and_a_long_name_are_messages_on_postgres(postgres_demo_url, monkeypatch):
    monkeypatch.setenv("REGDASH_DATABASE_URL", postgres_demo_url)
    at = _open("zh")
    seed = at.number_input(key="plan_seed")
    assert seed.max == MAX_SEED == SEED_MAX  # the widget, the sampler and the BIGINT column agree
    assert at.text_input(key="plan_campaign").max_chars == CAMPAIGN_NAME_MAX
    seed.set_value(3_000_000_000).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.number_input(key="plan_seed").value == 3_000_000_000

    campaigns = _count(postgres_demo_url, "SELECT count(*) FROM campaign")
    sessions = _count(postgres_demo_url, "SELECT count(*) FROM drawsession")
    at.text_input(key="plan_campaign").input("长" * 128).run()  # the box takes 64 characters at most
    assert len(at.text_input(key="plan_campaign").value) <= CAMPAIGN_NAME_MAX
    # 40 characters as typed, 160 once normalised (NFKC spells ㍿ out as 株式会社): the model refuses it
    at.text_input(key="plan_campaign").input("㍿" * 40).run()
    at.button(key="plan_open").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(f"1–{CAMPAIGN_NAME_MAX} 个字符" in e.value for e in at.error), [e.value for e in at.error]
    assert _count(postgres_demo_url, "SELECT count(*) FROM campaign") == campaigns
    assert _count(postgres_demo_url, "SELECT count(*) FROM drawsession") == sessions

    # a name of the limit as typed, with extra spaces and full-width letters, opens, draws and commits
    at.selectbox(key="plan_method").set_value("ratio").run()
    at.number_input(key="plan_ratio").set_value(0.01).run()
    name = " ＱＭＳ" + "抽" * (CAMPAIGN_NAME_MAX - 8) + "  查 "
    assert len(name) == CAMPAIGN_NAME_MAX
    at.text_input(key="plan_campaign").input(name).run()
    at.button(key="plan_open").click().run()
    assert not at.error, [e.value for e in at.error]
    at.button(key="plan_run").click().run()
    at.button(key="plan_commit").click().run()
    assert not at.exception, [e.value for e in at.exception]
    draw_id = at.session_state["plan_committed"]
    stored = _count(
        postgres_demo_url,
        "SELECT char_length(c.name) FROM campaign c JOIN draw d ON d.campaign_id = c.id "
        f"WHERE d.id = {draw_id}",
    )
    assert stored == CAMPAIGN_NAME_MAX - 3  # "QMS抽…抽 查": the spaces collapsed, the ends trimmed
