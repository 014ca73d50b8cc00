"""Chromium, anonymous, on the published results page: the bundle downloads and verifies offline,
"验证本次抽取" shows the match, and after a draw target is changed with sqlite3 behind the app's back
the same button shows the mismatch naming the unit (screenshots in tests/artifacts/public-verify-*.png)."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from models.bundle import check_bundle
from tests.e2e.test_pages import full_screenshot
from tests.e2e.test_sign_in import zh
from tests.support.bundles import commit_small_draw, small_store
from tests.support.streamlit_server import StreamlitServer, start_streamlit

pytestmark = [pytest.mark.browser, pytest.mark.user(None)]

WAIT = 60_000  # ms: building and re-deriving the bundle on two shared cores
EXCEPTION = '[data-testid="stException"]'


@pytest.fixture(scope="module")
def public_store(tmp_path_factory) -> tuple[str, int]:
    """A small SQLite store with one campaign drawn through the lottery and published."""
    url = f"sqlite:///{tmp_path_factory.mktemp('public-verify') / 'regdash.db'}"
    engine = small_store(url)
    campaign_id = commit_small_draw(engine, publish=True)
    engine.dispose()
    return url, campaign_id


@pytest.fixture(scope="module")
def public_app(public_store, tmp_path_factory) -> Iterator[StreamlitServer]:
    """The app without sign-in configured: the public pages only, as any visitor sees them."""
    server = start_streamlit(
        public_store[0], tmp_path_factory.mktemp("public-app"), env={"REGDASH_DEMO_SIGNIN": None}
    )
    yield server
    server.stop()


def test_the_public_verifies_the_draw_then_sees_a_tampered_store(
    public_app, public_store, browser_page, artifacts_dir, tmp_path
):
    url, campaign_id = public_store
    page = browser_page
    page.goto(f"{public_app.base_url}/?lang=zh")  # without sign-in the public page is the main page
    verify = page.get_by_role("button", name=zh("pub.verify"))
    expect(verify).to_be_visible(timeout=WAIT)
    expect(page.get_by_text(re.compile("链头哈希"))).to_be_visible()

    with page.expect_download(timeout=WAIT) as download:
        page.get_by_role("button", name=zh("pub.bundle.download")).click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name == f"regdash-bundle-campaign-{campaign_id}-draw-1.zip"
    offline = check_bundle(saved)
    assert offline.match, offline.differences

    verify.click()
    success = page.locator('[data-testid="stAlertContentSuccess"]')
    expect(success).to_contain_text("一致：", timeout=WAIT)
    expect(page.locator(EXCEPTION)).to_have_count(0)
    full_screenshot(page, artifacts_dir / "public-verify-match-zh.png")

    connection = sqlite3.connect(url.removeprefix("sqlite:///"))
    try:
        with connection:
            unit = connection.execute("SELECT min(certificate_id) FROM drawtarget").fetchone()[0]
            connection.execute(
                "UPDATE drawtarget SET inclusion_probability = 0.25 WHERE certificate_id = ?", (unit,)
            )
    finally:
        connection.close()
    verify.click()
    error = page.locator('[data-testid="stAlertContentError"]')
    expect(error).to_contain_text("不一致：发现 1 处差异", timeout=WAIT)
    expect(page.locator('[data-testid="stCode"]')).to_contain_text("recorded 0.25")
    expect(page.locator('[data-testid="stCode"]')).to_contain_text(f"(unit {unit})")
    expect(success).to_have_count(0)
    full_screenshot(page, artifacts_dir / "public-verify-mismatch-zh.png")
