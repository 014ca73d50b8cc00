"""Debian's Chromium driven by Playwright (never a downloaded browser build)."""

from __future__ import annotations

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
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout_ms)
    page.wait_for_timeout(300)
    page.wait_for_selector(APP_IDLE, timeout=timeout_ms)
    page.wait_for_load_state("networkidle", timeout=timeout_ms)
