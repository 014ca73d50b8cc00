"""Real-browser fixtures: a seeded demo database, ``streamlit run`` on loopback, Debian's Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.browser import launch_chromium
from tests.support.streamlit_server import REPO_ROOT, StreamlitServer, start_streamlit

ARTIFACTS = REPO_ROOT / "tests" / "artifacts"

pytestmark = pytest.mark.browser


@pytest.fixture(scope="session")
def e2e_database_url(tmp_path_factory) -> str:
    """A demo-scale database seeded once per test worker."""
    from seed.build import seed_database

    path = tmp_path_factory.mktemp("e2e-db") / "regdash.db"
    url = f"sqlite:///{path}"
    seed_database(url, scale="demo", seed=20171201)
    return url


@pytest.fixture(scope="session")
def streamlit_server(e2e_database_url, tmp_path_factory) -> Iterator[StreamlitServer]:
    """The app served by ``streamlit run`` against the e2e database."""
    server = start_streamlit(e2e_database_url, tmp_path_factory.mktemp("streamlit-logs"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    """One headless Chromium per worker."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()


@pytest.fixture
def browser_page(chromium, request) -> Iterator[object]:
    """A fresh page (1400x1000, Chinese locale unless the test asks otherwise via ``locale`` marker)."""
    marker = request.node.get_closest_marker("locale")
    locale = marker.args[0] if marker else "zh-CN"
    context = chromium.new_context(
        viewport={"width": 1400, "height": 1000}, locale=locale, accept_downloads=True
    )
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """Where screenshots go (git-ignored) for people to look at."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
