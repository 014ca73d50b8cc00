"""Real browser: the planner's live draw on Plan & draw (section 4), from opening it to the audit trail.

* a preview made stale by switching the scheme or changing the team size offers nothing to commit;
  drawing again with changed inputs needs a reason; the commit writes exactly the latest preview's
  targets and teams, once;
* a double click (or two quick clicks) on the commit button commits once;
* the preview reads in Chinese: certificate numbers, organisations, inspectors by name, no internal
  ids (a whole-page screenshot goes to tests/artifacts/lottery-preview-zh.png);
* the campaign's audit trail on 抽查任务与公示 lists the opening, every attempt with its reason and
  the commit, by their labels.

The planner commits draws, so this module's app serves its own copy of the e2e database (the session
app the other e2e tests read stays as seeded), and each test names a campaign of its own.

The tables are drawn on a canvas, so what they show is read through their CSV download buttons.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import sqlite3
import uuid
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect
from sqlalchemy import text

from models.db import make_engine
from models.lottery import commitment_of, seed_of
from tests.e2e.conftest import start_app_with_sign_in
from tests.e2e.test_pages import full_screenshot
from tests.e2e.test_sign_in import PLANNER, actor_of, zh
from tests.support.streamlit_server import StreamlitServer

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.user(PLANNER)]

WAIT = 90_000  # ms: a draw of some 400 targets with teams, on two shared cores
MAIN = '[data-testid="stMain"]'
EXCEPTION = '[data-testid="stException"]'
CSV_BUTTONS = '[data-testid="stDownloadButton"]'
HAN = re.compile(r"[\u4e00-\u9fff]")
SCHEME = "QMS"
OTHER_SCHEME = "FOREST"
REASON = "按地方局意见，每组增加一名检查人员"


# -- an app of this module's own, on a private copy of the e2e database -----------------------------


@pytest.fixture(scope="module")
def lottery_database_url(e2e_database_url, tmp_path_factory) -> str:
    """A copy of the e2e database (SQLite's backup API: the session app may hold it open in WAL mode)."""
    target = tmp_path_factory.mktemp("lottery-db") / "regdash.db"
    source = sqlite3.connect(e2e_database_url.removeprefix("sqlite:///"))
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
    finally:
        source.close()
        copy.close()
    return f"sqlite:///{target}"


@pytest.fixture(scope="module")
def streamlit_server(lottery_database_url, oidc_provider, tmp_path_factory) -> Iterator[StreamlitServer]:
    """This module's app, on the private copy; ``browser_page`` signs in to it (it overrides the session
    app of tests/e2e/conftest.py here)."""
    server = start_app_with_sign_in(lottery_database_url, oidc_provider, tmp_path_factory.mktemp("lottery"))
    yield server
    server.stop()


@pytest.fixture
def campaign(request) -> str:
    """A campaign name no other test uses (the page allows 64 characters)."""
    return f"E2E 抽取 {request.node.name.removeprefix('test_')[:36]} {uuid.uuid4().hex[:6]}"


def rows(url: str, statement: str, **params) -> list:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(text(statement), params).all()
    finally:
        engine.dispose()


def draws_of(url: str, campaign: str) -> list:
    """(id, seed, params_json) of every draw recorded for the campaign."""
    return rows(
        url,
        "SELECT d.id, d.seed, d.params_json FROM draw d JOIN campaign c ON c.id = d.campaign_id"
        " WHERE c.name = :name",
        name=campaign,
    )


def committed_teams(url: str, campaign: str) -> dict[str, list[str]]:
    """Certificate number -> the names of its inspectors (sorted), as the committed draw recorded them."""
    teams: dict[str, list[str]] = {}
    for number, name in rows(
        url,
        "SELECT ce.number, i.name FROM draw d JOIN campaign c ON c.id = d.campaign_id"
        " JOIN drawtarget t ON t.draw_id = d.id JOIN certificate ce ON ce.id = t.certificate_id"
        " JOIN assignment a ON a.target_id = t.id JOIN inspector i ON i.id = a.inspector_id"
        " WHERE c.name = :name",
        name=campaign,
    ):
        teams.setdefault(number, []).append(name)
    return {number: sorted(names) for number, names in teams.items()}


# -- the page ----------------------------------------------------------------------------------------


def button(page, key: str):
    return page.get_by_role("button", name=zh(key), exact=True)


def opened_line(page):
    """The paragraph that shows the open draw's commitment, frame hash, who opened it and the attempts."""
    return page.locator(MAIN).locator("p").filter(has_text=zh("plan.lottery.opened").split("：")[0])


def open_the_draw(page, base_url: str, campaign: str) -> str:
    """Plan & draw, the campaign named, its draw opened: returns the commitment the page shows."""
    page.goto(f"{base_url}/planning")
    # a tolerable rate of 20 % needs 22 certificates a province: some 680 targets, within the teams'
    # capacity (the total follows step 1's sample size per province)
    tolerable = page.get_by_label(zh("plan.size.tolerable"))
    tolerable.fill("0.2")
    tolerable.press("Enter")
    expect(tolerable).to_have_value("0.200", timeout=WAIT)
    expect(page.locator('[data-testid="stMetricValue"]').first).to_have_text("22", timeout=WAIT)
    name = page.get_by_label(zh("plan.draw.campaign"))
    name.fill(campaign, timeout=WAIT)
    name.press("Enter")
    button(page, "plan.lottery.open").click(timeout=WAIT)
    expect(opened_line(page)).to_contain_text("已抽取 0 次", timeout=WAIT)
    commitment = opened_line(page).locator("code").first.inner_text()
    assert re.fullmatch("[0-9a-f]{64}", commitment), commitment
    return commitment


def draw(page, attempts: int) -> None:
    """Press the run button; wait for the preview (the ``attempts``-th attempt) and its commit button."""
    button(page, "plan.draw.run").click()
    # counts of a thousand or more print with thousands separators
    expect(page.get_by_text(re.compile(r"^已抽取 [\d,]+ 个检查对象，[\d,]+ 名检查人员参与"))).to_be_visible(
        timeout=WAIT
    )
    expect(opened_line(page)).to_contain_text(f"已抽取 {attempts} 次", timeout=WAIT)
    expect(button(page, "plan.draw.commit")).to_be_visible(timeout=WAIT)


def choose_scheme(page, code: str) -> None:
    picker = page.get_by_role("combobox", name=zh("plan.scheme"))
    picker.click()
    page.keyboard.type(code)  # the list is virtualised: filter it to the scheme
    page.get_by_role("option", name=re.compile(f"^{code} ")).click()
    expect(picker).to_have_value(re.compile(f"^{code} "))


def set_number(page, label_key: str, value: int) -> None:
    field = page.get_by_role("spinbutton", name=zh(label_key))  # not the help button beside it
    field.fill(str(value))
    field.press("Enter")
    expect(field).to_have_value(str(value))


def download_csv(scope, expected_name: str) -> list[dict[str, str]]:
    """Click the last CSV download button in ``scope``; the file's rows (header -> value)."""
    page = scope.page if hasattr(scope, "page") else scope
    with page.expect_download(timeout=WAIT) as download_info:
        scope.locator(CSV_BUTTONS).filter(has_text=zh("common.download_csv")).last.click()
    download = download_info.value
    assert download.suggested_filename == expected_name
    return list(csv.DictReader(io.StringIO(download.path().read_bytes().decode("utf-8-sig"))))


def preview_teams(page) -> dict[str, list[str]]:
    """The preview table, downloaded: certificate number -> its inspectors' names (sorted)."""
    shown = download_csv(page, f"draw-{SCHEME}-{dt.date.today().year}.csv")
    number, team = zh("plan.col.certificate"), zh("plan.col.team")
    teams = {row[number]: sorted(row[team].split("、")) for row in shown}
    assert len(teams) == len(shown), "a certificate is shown twice"
    return teams


def assert_no_exception(page) -> None:
    expect(page.locator(EXCEPTION)).to_have_count(0)


def assert_committed_once(page, url: str, campaign: str) -> int:
    """The page says the draw was saved, under the one draw id the database has for the campaign."""
    saved = page.get_by_text(re.compile(r"^已保存：抽取记录编号 \d+$"))
    expect(saved).to_be_visible(timeout=WAIT)
    recorded = draws_of(url, campaign)
    assert len(recorded) == 1, recorded
    draw_id = recorded[0][0]
    expect(saved).to_have_text(zh("plan.draw.committed", id=draw_id))
    expect(button(page, "plan.draw.commit")).to_have_count(0)
    already = zh("plan.lottery.committed_already", name=campaign, year=dt.date.today().year)
    expect(page.get_by_text(already)).to_be_visible()
    assert_no_exception(page)
    return draw_id


# -- 1. a stale preview cannot be committed; the latest one is, exactly ------------------------------


def test_a_stale_preview_cannot_be_committed_and_the_latest_one_is(
    streamlit_server, lottery_database_url, browser_page, campaign
):
    page, url = browser_page, lottery_database_url
    commitment = open_the_draw(page, streamlit_server.base_url, campaign)
    draw(page, attempts=1)
    first = preview_teams(page)
    assert {len(names) for names in first.values()} == {2}  # the default team size

    # another scheme: the open draw is QMS's, its preview is nowhere to be committed or redrawn
    choose_scheme(page, OTHER_SCHEME)
    expect(page.get_by_text(re.compile(f"的抽取是按 {SCHEME} .*当前选择的是 {OTHER_SCHEME} "))).to_be_visible(
        timeout=WAIT
    )
    expect(button(page, "plan.draw.commit")).to_have_count(0)
    expect(button(page, "plan.draw.run")).to_have_count(0)
    expect(button(page, "plan.lottery.open")).to_have_count(0)
    expect(page.get_by_text(zh("plan.lottery.not_frozen"))).to_have_count(0)  # the frozen draw stays open

    # back on QMS, one more inspector per team: the preview is stale, and a new draw needs a reason
    choose_scheme(page, SCHEME)
    expect(opened_line(page)).to_contain_text(commitment, timeout=WAIT)
    set_number(page, "plan.draw.team", 3)
    expect(page.get_by_text(zh("plan.lottery.stale"))).to_be_visible(timeout=WAIT)
    expect(button(page, "plan.draw.commit")).to_have_count(0)
    run = button(page, "plan.draw.run")
    expect(run).to_be_disabled()
    sessions = "SELECT s.status FROM drawsession s JOIN campaign c ON c.id = s.campaign_id WHERE c.name = :n"
    assert [status for (status,) in rows(url, sessions, n=campaign)] == ["open"]  # nothing reopened
    assert draws_of(url, campaign) == []  # nothing committed
    reason = page.get_by_label(zh("plan.lottery.reason"))
    reason.fill(REASON)
    reason.press("Enter")
    expect(run).to_be_enabled(timeout=WAIT)
    draw(page, attempts=2)
    expect(page.get_by_text(zh("plan.lottery.stale"))).to_have_count(0)
    latest = preview_teams(page)
    assert {len(names) for names in latest.values()} == {3}
    assert set(latest) == set(first)  # the same seed and quotas give the same targets; the teams differ

    button(page, "plan.draw.commit").click()
    assert_committed_once(page, url, campaign)
    assert committed_teams(url, campaign) == latest  # exactly the latest preview: targets and teams
    [(_, seed, params_json)] = draws_of(url, campaign)
    lottery = json.loads(params_json)["lottery"]
    assert lottery["commitment"] == commitment == commitment_of(lottery["nonce"])
    assert seed == seed_of(lottery["nonce"]) and lottery["attempts"] == 2
    attempts = rows(
        url, "SELECT id, reason FROM drawattempt WHERE session_id = :s ORDER BY id", s=lottery["session_id"]
    )
    assert [r for _, r in attempts] == ["", REASON] and lottery["attempt_id"] == attempts[-1][0]


# -- 2. a double click commits once ------------------------------------------------------------------


def click_twice_quickly(page, locator) -> None:
    """Two separate clicks at the button's place, the second before the page has redrawn."""
    box = locator.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.click(x, y)
    page.mouse.click(x, y)


@pytest.mark.parametrize("how", ["dblclick", "two-clicks"])
def test_a_double_click_on_commit_commits_once(
    streamlit_server, lottery_database_url, browser_page, campaign, how
):
    page = browser_page
    open_the_draw(page, streamlit_server.base_url, campaign)
    draw(page, attempts=1)
    shown = preview_teams(page)
    commit = button(page, "plan.draw.commit")
    if how == "dblclick":
        commit.dblclick()
    else:
        commit.scroll_into_view_if_needed()
        click_twice_quickly(page, commit)
    assert_committed_once(page, lottery_database_url, campaign)
    assert committed_teams(lottery_database_url, campaign) == shown
    expect(page.locator('[data-testid="stAlertContentError"]')).to_have_count(0)


# -- 3. the preview reads in Chinese -----------------------------------------------------------------


def test_the_preview_shows_certificates_organisations_and_inspectors_by_name(
    streamlit_server, lottery_database_url, browser_page, campaign, artifacts_dir
):
    page = browser_page
    commitment = open_the_draw(page, streamlit_server.base_url, campaign)
    draw(page, attempts=1)
    assert_no_exception(page)
    line = opened_line(page)
    expect(line).to_contain_text(f"承诺值 {commitment}")
    expect(line).to_contain_text(actor_of(PLANNER).name)
    (stored,) = rows(
        lottery_database_url,
        "SELECT s.commitment FROM drawsession s JOIN campaign c ON c.id = s.campaign_id WHERE c.name = :n",
        n=campaign,
    )
    assert stored[0] == commitment

    shown = download_csv(page, f"draw-{SCHEME}-{dt.date.today().year}.csv")
    headers = ["certificate", "organisation", "institution", "province", "probability", "team"]
    assert list(shown[0]) == [zh(f"plan.col.{h}") for h in headers]
    numbers = [row[zh("plan.col.certificate")] for row in shown]
    known = {
        number
        for (number,) in rows(
            lottery_database_url, "SELECT number FROM certificate WHERE scheme_code = :s", s=SCHEME
        )
    }
    assert numbers and set(numbers) <= known  # certificate numbers, not row ids
    for row in shown:
        for header in ("organisation", "institution", "province"):
            assert HAN.search(row[zh(f"plan.col.{header}")]), row
        team = row[zh("plan.col.team")].split("、")
        assert len(team) == 2 and all(HAN.search(name) and not re.search(r"\d", name) for name in team), row
        assert not re.fullmatch(r"\d+", row[zh("plan.col.organisation")]), row
    full_screenshot(page, artifacts_dir / "lottery-preview-zh.png")


# -- 4. the campaign's audit trail -------------------------------------------------------------------


def pick_campaign(page, name: str) -> None:
    picker = page.get_by_role("combobox", name=zh("camp.pick"))
    picker.click(timeout=WAIT)
    page.keyboard.type(name)
    page.get_by_role("option", name=re.compile(re.escape(name))).click()
    expect(picker).to_have_value(re.compile(re.escape(name)))


def test_the_audit_trail_lists_the_opening_each_attempt_with_its_reason_and_the_commit(
    streamlit_server, lottery_database_url, browser_page, campaign
):
    page = browser_page
    commitment = open_the_draw(page, streamlit_server.base_url, campaign)
    draw(page, attempts=1)
    set_number(page, "plan.draw.cap", 4)
    expect(page.get_by_text(zh("plan.lottery.stale"))).to_be_visible(timeout=WAIT)
    reason = page.get_by_label(zh("plan.lottery.reason"))
    reason.fill(REASON)
    reason.press("Enter")
    expect(button(page, "plan.draw.run")).to_be_enabled(timeout=WAIT)
    draw(page, attempts=2)
    button(page, "plan.draw.commit").click()
    draw_id = assert_committed_once(page, lottery_database_url, campaign)

    page.goto(f"{streamlit_server.base_url}/campaigns")
    pick_campaign(page, campaign)
    record = page.locator('[data-testid="stExpander"]').filter(has_text=zh("camp.audit"))
    record.get_by_text(zh("camp.audit")).click(timeout=WAIT)
    expect(record.get_by_text(re.compile(f"^抽取编号 {draw_id} "))).to_be_visible(timeout=WAIT)
    ((campaign_id,),) = rows(lottery_database_url, "SELECT id FROM campaign WHERE name = :n", n=campaign)
    trail = download_csv(record, f"campaign-{campaign_id}-audit.csv")
    action = zh("audit.col.action")
    assert [row[action] for row in trail] == [
        zh("vocab.audit_action.draw.open"),
        zh("vocab.audit_action.draw.attempt"),
        zh("vocab.audit_action.draw.attempt"),
        zh("vocab.audit_action.draw.commit"),
    ]
    details = [json.loads(row[zh("audit.col.details")]) for row in trail]
    assert details[0]["commitment"] == commitment
    assert [d["reason"] for d in details[1:3]] == ["", REASON]
    assert details[3]["attempts"] == 2 and commitment_of(details[3]["nonce"]) == commitment
    planner = actor_of(PLANNER).name
    assert all(row[zh("audit.col.actor")].startswith(planner) for row in trail)
    assert_no_exception(page)
