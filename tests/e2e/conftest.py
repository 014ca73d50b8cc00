"""Real-browser fixtures: a seeded demo database, a real OpenID Connect provider, ``streamlit run`` with
sign-in configured on loopback, and Debian's Chromium signed in through the provider's redirect flow.

A test gets a browser signed in as the staff demo account unless it says otherwise::

    @pytest.mark.user("supervisor@demo.regdash")  # another demo account (seed/demo_accounts.py)
    @pytest.mark.user(None)  # anonymous: nothing is signed in
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.browser import launch_chromium, sign_in
from tests.support.oidc import OidcProvider, start_oidc_provider, write_auth_secrets
from tests.support.streamlit_server import REPO_ROOT, StreamlitServer, free_port, start_streamlit

ARTIFACTS = REPO_ROOT / "tests" / "artifacts"
DEFAULT_USER = "staff@demo.regdash"
SUPERVISOR = "supervisor@demo.regdash"
ADMIN = "admin@demo.regdash"
DEMO_ENV = {"REGDASH_DEMO_SIGNIN": "1"}

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
def oidc_provider(tmp_path_factory) -> Iterator[OidcProvider]:
    """oidc-provider-mock on loopback with the demo accounts, one per test worker."""
    provider = start_oidc_provider(tmp_path_factory.mktemp("oidc-logs"))
    yield provider
    provider.stop()


def private_copy(database_url: str, directory: Path) -> str:
    """A copy of a SQLite database in ``directory`` (SQLite's backup API: the session app may hold the
    original open), for a module whose app writes."""
    import sqlite3

    target = directory / "regdash.db"
    source = sqlite3.connect(database_url.removeprefix("sqlite:///"))
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
    finally:
        source.close()
        copy.close()
    return f"sqlite:///{target}"


def start_app_with_sign_in(
    database_url: str, provider: OidcProvider, directory: Path, *, env: dict[str, str] | None = None
) -> StreamlitServer:
    """``streamlit run`` on a free port with its own secrets file: a client registered at ``provider``
    and a fresh random cookie secret (so two apps started here never accept each other's cookies)."""
    port = free_port()
    secrets = write_auth_secrets(directory / f"secrets-{port}.toml", app_port=port, provider=provider)
    return start_streamlit(
        database_url, directory, port=port, secrets_file=secrets, env={**DEMO_ENV, **(env or {})}
    )


@pytest.fixture(scope="session")
def streamlit_server(e2e_database_url, oidc_provider, tmp_path_factory) -> Iterator[StreamlitServer]:
    """The app served by ``streamlit run`` against the e2e database, sign-in configured (demo banner on)."""
    server = start_app_with_sign_in(e2e_database_url, oidc_provider, tmp_path_factory.mktemp("streamlit"))
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


def new_browser_page(chromium, locale: str = "zh-CN"):
    """A page in a fresh browser context (no cookies): 1400x1000, ``locale``, downloads accepted."""
    context = chromium.new_context(
        viewport={"width": 1400, "height": 1000}, locale=locale, accept_downloads=True
    )
    return context.new_page()


@pytest.fixture
def browser_page(chromium, request) -> Iterator[object]:
    """A fresh page signed in to ``streamlit_server`` through the real OIDC redirect flow.

    Chinese locale unless a ``locale(name)`` marker says otherwise; the staff demo account unless a
    ``user(subject)`` marker names another (``user(None)``: anonymous, and the session app is not
    started for it). After sign-in the page shows the app's default page.
    """
    marker = request.node.get_closest_marker("locale")
    locale = marker.args[0] if marker else "zh-CN"
    marker = request.node.get_closest_marker("user")
    subject = marker.args[0] if marker else DEFAULT_USER
    page = new_browser_page(chromium, locale)
    if subject is not None:
        server: StreamlitServer = request.getfixturevalue("streamlit_server")
        sign_in(page, server.base_url, subject)
    yield page
    page.context.close()


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """Where screenshots go (git-ignored) for people to look at."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
