"""Debian's Chromium driven by Playwright (never a downloaded browser build)."""

from __future__ import annotations

import re
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
APP_IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'


def launch_chromium(playwright):
    """Launch headless system Chromium; a clear failure if Debian's package is missing."""
    if not CHROMIUM.exists():
        raise RuntimeError("Debian's chromium is not installed at /usr/bin/chromium (make test installs it)")
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)


def wait_for_app(page, *, timeout_ms: int = 60_000) -> None:
    """Wait until the Streamlit script has finished running and the page has settled."""
    from playwright.sync_api import expect

    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout_ms)
    expect(page.locator('[data-testid="stSkeleton"]')).to_have_count(0, timeout=timeout_ms)
    page.wait_for_selector(APP_IDLE, timeout=timeout_ms)
    page.wait_for_load_state("networkidle", timeout=timeout_ms)


SIGN_IN_BUTTON = re.compile("登录|Sign in")


def sign_in(page, base_url: str, subject: str, *, timeout_ms: int = 30_000) -> None:
    """Sign in as ``subject`` (a demo account's ``sub``) through the real OpenID Connect flow.

    ``page`` shows the app at ``base_url`` (it is opened there first if it shows something else; use the
    same host as the app's redirect URI, 127.0.0.1). Clicks the app's sign-in button (text matching
    登录 or Sign in), then on oidc-provider-mock's authorization page the predefined user's button for
    ``subject`` (or, for a subject it does not know, types it and presses Authorize), and returns once the
    browser is back on the app and the app has drawn. Streamlit returns to the app's root page after
    sign-in, whatever page the button was on.
    """
    from playwright.sync_api import expect

    base = base_url.rstrip("/")
    on_app = re.compile("^" + re.escape(base) + "(/|$|\\?)")
    if not on_app.match(page.url):
        page.goto(base)
    page.get_by_role("button", name=SIGN_IN_BUTTON).first.click(timeout=timeout_ms)
    expect(page).to_have_url(re.compile(r"/oauth2/authorize\?"), timeout=timeout_ms)
    page.wait_for_load_state("domcontentloaded", timeout=timeout_ms)  # the whole form, buttons included
    predefined = page.locator(f'button[name="sub"][value="{subject}"]')
    if predefined.count():
        predefined.click(timeout=timeout_ms)
    else:
        page.locator('input[name="sub"]').fill(subject, timeout=timeout_ms)
        page.get_by_role("button", name="Authorize").click(timeout=timeout_ms)
    expect(page).to_have_url(on_app, timeout=timeout_ms)
    expect(page.locator('[data-testid="stApp"]')).to_be_attached(timeout=timeout_ms)
    expect(page.locator(APP_IDLE)).to_be_attached(timeout=timeout_ms)
