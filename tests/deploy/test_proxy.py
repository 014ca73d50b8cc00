"""The shared-deployment recipe (deploy/README.md) on loopback: PostgreSQL, two app replicas, nginx.

Real everything: PostgreSQL from Debian's binaries, oidc-provider-mock, two ``streamlit run`` processes on
the same secrets (one cookie secret, redirect URI at the proxy), Debian's nginx with the config from
deploy/nginx/regdash.conf.template, and Debian's Chromium. A browser signs in through the proxy, an admin
grants a role on the replica its sticky cookie chose, and a second browser pinned to the other replica
signs in there and sees the new user.
"""

from __future__ import annotations

import re
import secrets
from contextlib import ExitStack

import pytest

from tests.support.browser import launch_chromium, sign_in
from tests.support.nginx import ROUTE_COOKIE, start_nginx
from tests.support.oidc import start_oidc_provider, write_auth_secrets
from tests.support.streamlit_server import free_port, start_streamlit

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.slow]

ADMIN = "admin@demo.regdash"
TIMEOUT_MS = 30_000


def _free_ports(count: int) -> list[int]:
    ports: list[int] = []
    while len(ports) < count:
        port = free_port()
        if port not in ports:
            ports.append(port)
    return ports


def _record_upstreams(page, seen: list[str]) -> None:
    """Collect the X-Upstream header of every response the page gets from the proxy."""

    def on_response(response) -> None:
        upstream = response.headers.get("x-upstream")
        if upstream:
            seen.append(upstream)

    page.on("response", on_response)


def _new_context(browser):
    return browser.new_context(
        viewport={"width": 1400, "height": 1000}, locale="en-US", accept_downloads=True
    )


def _route_cookie(context) -> str:
    values = [cookie["value"] for cookie in context.cookies() if cookie["name"] == ROUTE_COOKIE]
    assert len(values) == 1, f"nginx set no single {ROUTE_COOKIE} cookie: {context.cookies()}"
    return values[0]


def test_sign_in_through_nginx_and_a_write_on_one_replica_shows_on_the_other(postgres_server, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    from seed.build import seed_database

    url = postgres_server.create_database("regdash_proxy")
    seed_database(url, scale="demo", seed=20171201)

    with ExitStack() as cleanup:
        provider = start_oidc_provider(tmp_path)
        cleanup.callback(provider.stop)
        proxy_port, *app_ports = _free_ports(3)
        # one secrets file for every replica: the same cookie secret, and the proxy's callback
        shared_secrets = write_auth_secrets(tmp_path / "secrets.toml", app_port=proxy_port, provider=provider)
        replicas = []
        for port in app_ports:
            replica = start_streamlit(url, tmp_path, port=port, secrets_file=shared_secrets)
            cleanup.callback(replica.stop)
            replicas.append(replica)
        upstreams = [f"127.0.0.1:{replica.port}" for replica in replicas]
        proxy = start_nginx(tmp_path / "nginx", port=proxy_port, upstreams=upstreams)
        cleanup.callback(proxy.stop)

        playwright = cleanup.enter_context(sync_playwright())
        browser = launch_chromium(playwright)
        cleanup.callback(browser.close)

        # 1. A fresh browser: nginx picks a replica on its first request and pins it with the cookie.
        first = _new_context(browser)
        first_seen: list[str] = []
        page = first.new_page()
        _record_upstreams(page, first_seen)
        page.goto(proxy.base_url)
        route = _route_cookie(first)
        home = proxy.upstream_for(route)
        assert home in upstreams
        other = next(upstream for upstream in upstreams if upstream != home)

        sign_in(page, proxy.base_url, ADMIN, timeout_ms=TIMEOUT_MS)
        page.goto(f"{proxy.base_url}/users")
        subject = f"proxy-{secrets.token_hex(4)}@example.org"
        page.get_by_label("Subject (sub)").fill(subject)
        page.get_by_label("Display name").fill("Proxy probe")
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_text(f"Saved {subject}.")).to_be_visible(timeout=TIMEOUT_MS)
        assert _route_cookie(first) == route, "the sticky cookie changed during sign-in"
        assert set(first_seen) == {home}, f"the first browser was not kept on one replica: {first_seen}"

        # 2. A second browser whose sticky cookie maps to the other replica, through the same proxy.
        second = _new_context(browser)
        second.add_cookies([{"name": ROUTE_COOKIE, "value": proxy.route_to(other), "url": proxy.base_url}])
        second_seen: list[str] = []
        page_two = second.new_page()
        _record_upstreams(page_two, second_seen)
        page_two.goto(proxy.base_url)
        sign_in(page_two, proxy.base_url, ADMIN, timeout_ms=TIMEOUT_MS)
        page_two.goto(f"{proxy.base_url}/users")
        expect(page_two.get_by_text("1 rows")).to_be_visible(timeout=TIMEOUT_MS)
        # the table as the page offers it: a file the replica keeps in its own memory (/media/...),
        # which only a request that sticks to that replica can fetch
        with page_two.expect_download(timeout=TIMEOUT_MS) as download:
            page_two.get_by_role("button", name="Download CSV").click()
        table = download.value.path().read_text(encoding="utf-8-sig")
        assert subject in table and "Proxy probe" in table, table
        assert set(second_seen) == {other}, (
            f"the second browser was not kept on the other replica: {second_seen}"
        )

        first.close()
        second.close()
        proxy.stop()  # graceful: the websockets' log lines are written when they close

        log = proxy.access_log.read_text()
        for upstream in upstreams:
            streams = re.findall(rf'"GET /_stcore/stream [^"]*" 101 .*upstream={re.escape(upstream)} ', log)
            assert streams, f"no websocket went through nginx to {upstream}:\n{log}"
        callbacks = re.findall(r'"GET /oauth2callback\?[^"]*" 302 .*upstream=(\S+)', log)
        assert sorted(set(callbacks)) == sorted(upstreams), f"sign-in callbacks: {callbacks}"
