"""Demo sign-in with real processes: oidc-provider-mock, ``regdash serve --demo`` and plain ``streamlit run``.

No mocks: the provider is the real OpenID Connect server the demo uses, driven over HTTP through the
authorization-code flow, and the app is Streamlit on loopback.
"""

from __future__ import annotations

import base64
import json
import os
import signal
import socket
import stat
import subprocess
import sys
import time
import tomllib
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from seed.demo_accounts import DEMO_ACCOUNTS
from tests.support.oidc import start_oidc_provider
from tests.support.streamlit_server import REPO_ROOT, free_port, start_streamlit

pytestmark = pytest.mark.slow


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def _request(url: str, *, data: dict | None = None, headers: dict | None = None) -> tuple[int, dict, bytes]:
    """One HTTP request, redirects not followed: (status, headers, body)."""
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, headers=headers or {})
    try:
        with _opener.open(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def _provider_token(cookie_secret: str) -> str:
    """What ``st.login()`` puts in ``/auth/login?provider=``: an HS256 JWT signed with the cookie secret."""
    from joserfc import jwt
    from joserfc.jwk import OctKey

    payload = {"provider": "default", "exp": int(time.time()) + 120}
    return jwt.encode({"alg": "HS256"}, payload, OctKey.import_key(cookie_secret))


def _children(pid: int) -> list[int]:
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                children.append(int(entry.name))
    return children


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _environ(pid: int) -> dict[str, str]:
    raw = (Path("/proc") / str(pid) / "environ").read_bytes()
    return dict(item.split("=", 1) for item in raw.decode(errors="replace").split("\0") if "=" in item)


def _wait_until(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


@pytest.fixture(scope="module")
def seeded_url(tmp_path_factory) -> str:
    from seed.build import seed_database

    url = f"sqlite:///{tmp_path_factory.mktemp('serve-db') / 'regdash.db'}"
    seed_database(url, scale="demo", seed=20171201)
    return url


def test_provider_issues_an_id_token_with_role_and_province_through_the_code_flow(tmp_path):
    from joserfc import jwt
    from joserfc.jwk import KeySet

    provider = start_oidc_provider(tmp_path)
    try:
        metadata = provider.metadata()
        assert metadata["issuer"] == provider.issuer
        callback = "http://127.0.0.1:1/oauth2callback"
        client_id, client_secret = provider.register_client(callback)
        query = urllib.parse.urlencode(
            {
                "response_type": "code",
                "client_id": client_id,
                "redirect_uri": callback,
                "scope": "openid profile email",
                "state": "state-1",
                "nonce": "nonce-1",
            }
        )
        authorize = f"{metadata['authorization_endpoint']}?{query}"
        status, _, page = _request(authorize)
        assert status == 200
        assert all(f'value="{account["sub"]}"' in page.decode() for account in DEMO_ACCOUNTS)

        # the one-click button of a predefined user posts the form with sub=<subject>
        status, headers, _ = _request(authorize, data={"sub": "bureau-gd@demo.regdash"})
        assert status == 302
        location = urllib.parse.urlsplit(headers["Location"])
        assert location._replace(query="").geturl() == callback
        returned = urllib.parse.parse_qs(location.query)
        assert returned["state"] == ["state-1"]

        basic = base64.b64encode(f"{client_id}:{client_secret}".encode()).decode()
        grant = {"grant_type": "authorization_code", "code": returned["code"][0], "redirect_uri": callback}
        wrong = base64.b64encode(f"{client_id}:not-the-secret".encode()).decode()
        refused, _, _ = _request(
            metadata["token_endpoint"], data=grant, headers={"Authorization": f"Basic {wrong}"}
        )
        assert refused == 401  # the registered client's secret is checked
        status, _, body = _request(
            metadata["token_endpoint"], data=grant, headers={"Authorization": f"Basic {basic}"}
        )
        assert status == 200, body
        token = json.loads(body)

        with urllib.request.urlopen(metadata["jwks_uri"], timeout=5) as response:
            keys = KeySet.import_key_set(json.load(response))
        claims = jwt.decode(token["id_token"], keys).claims  # verifies the RS256 signature
        assert claims["iss"] == provider.issuer
        assert claims["aud"] in (client_id, [client_id])
        assert claims["nonce"] == "nonce-1"
        assert claims["sub"] == "bureau-gd@demo.regdash"
        assert (claims["role"], claims["province"]) == ("bureau", "440000")
        assert claims["name"] == "演示·广东省局" and claims["email"] == "bureau-gd@demo.regdash"
    finally:
        provider.stop()
    assert provider.process.poll() is not None


def test_the_provider_refuses_a_redirect_uri_the_client_did_not_register(tmp_path):
    provider = start_oidc_provider(tmp_path)
    try:
        client_id, _ = provider.register_client("http://127.0.0.1:1/oauth2callback")
        query = urllib.parse.urlencode(
            {
                "response_type": "code",
                "client_id": client_id,
                "redirect_uri": "http://evil.example/oauth2callback",
                "scope": "openid",
                "nonce": "n",
            }
        )
        status, _, _ = _request(f"{provider.issuer}/oauth2/authorize?{query}")
        assert status == 400
    finally:
        provider.stop()


def test_serve_demo_starts_provider_and_app_and_sigterm_leaves_no_process(tmp_path, seeded_url):
    port, provider_port = free_port(), free_port()
    secrets_file = tmp_path / "demo-auth" / "secrets.toml"
    out = (tmp_path / "serve.log").open("w")
    env = {**os.environ, "REGDASH_DATABASE_URL": seeded_url}
    env.pop("REGDASH_DEMO_SIGNIN", None)
    command = [sys.executable, "-m", "cli.main", "serve", "--demo", "--port", str(port)]
    command += ["--provider-port", str(provider_port), "--demo-secrets-file", str(secrets_file)]
    serve = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    app = f"http://127.0.0.1:{port}"
    issuer = f"http://127.0.0.1:{provider_port}"
    try:
        _wait_until(
            lambda: serve.poll() is not None or _answers(f"{app}/_stcore/health"),
            90,
            "the app's health check",
        )
        assert serve.poll() is None, (tmp_path / "serve.log").read_text()
        assert _answers(f"{issuer}/.well-known/openid-configuration")

        assert stat.S_IMODE(secrets_file.stat().st_mode) == 0o600
        auth = tomllib.loads(secrets_file.read_text())["auth"]
        assert auth["redirect_uri"] == f"{app}/oauth2callback"
        assert auth["server_metadata_url"] == f"{issuer}/.well-known/openid-configuration"
        assert len(auth["cookie_secret"]) >= 32

        printed = (tmp_path / "serve.log").read_text()
        assert f"open {app}" in printed and "DEMO" in printed
        assert auth["cookie_secret"] not in printed and auth["client_secret"] not in printed

        children = _children(serve.pid)
        assert len(children) == 2
        environs = {pid: _environ(pid) for pid in children}
        commands = {pid: (Path("/proc") / str(pid) / "cmdline").read_bytes() for pid in children}
        streamlit_pids = [pid for pid in children if b"streamlit" in commands[pid]]
        assert len(streamlit_pids) == 1
        assert environs[streamlit_pids[0]].get("REGDASH_DEMO_SIGNIN") == "1"

        status, headers, _ = _request(f"{app}/auth/login?provider={_provider_token(auth['cookie_secret'])}")
        assert status in (302, 307)
        location = headers.get("Location") or headers.get("location")
        assert location.startswith(f"{issuer}/oauth2/authorize?")
        sent = urllib.parse.parse_qs(urllib.parse.urlsplit(location).query)
        assert sent["client_id"] == [auth["client_id"]]
        assert sent["redirect_uri"] == [f"{app}/oauth2callback"]
    finally:
        serve.send_signal(signal.SIGTERM)
        try:
            code = serve.wait(timeout=30)
        finally:
            if serve.poll() is None:
                serve.kill()
            out.close()
    assert code == 0, (tmp_path / "serve.log").read_text()
    _wait_until(lambda: not any(_alive(pid) for pid in children), 10, "the provider and Streamlit to exit")
    assert not _answers(f"{issuer}/.well-known/openid-configuration")


def test_serve_demo_refuses_a_non_loopback_address(tmp_path):
    command = [sys.executable, "-m", "cli.main", "serve", "--demo", "--address", "0.0.0.0"]
    command += ["--demo-secrets-file", str(tmp_path / "secrets.toml")]
    result = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "error: --demo serves one-click demo accounts and binds loopback only, not 0.0.0.0"
    ]
    assert not (tmp_path / "secrets.toml").exists()


def test_plain_streamlit_run_has_no_sign_in_provider_and_writes_no_secrets(tmp_path, seeded_url):
    if (REPO_ROOT / ".streamlit" / "secrets.toml").exists():
        pytest.skip(".streamlit/secrets.toml exists in this checkout: not a run without [auth] configuration")
    demo_dir = REPO_ROOT / "data" / "demo-auth"

    def demo_secrets() -> list[tuple[str, int]]:
        return sorted((str(path), path.stat().st_mtime_ns) for path in demo_dir.rglob("secrets.toml"))

    before = demo_secrets()
    home = tmp_path / "home"
    home.mkdir()
    server = start_streamlit(seeded_url, tmp_path, env={"REGDASH_DEMO_SIGNIN": None, "HOME": str(home)})
    try:
        assert "REGDASH_DEMO_SIGNIN" not in _environ(server.process.pid)
        for query in ("", f"?provider={_provider_token('a-secret-the-app-does-not-have-0123456789')}"):
            status, headers, _ = _request(f"{server.base_url}/auth/login{query}")
            location = headers.get("location") or headers.get("Location") or ""
            if status in (301, 302, 303, 307, 308):
                target = urllib.parse.urljoin(f"{server.base_url}/auth/login", location)
                assert target.startswith(f"{server.base_url}/"), location
                assert "authorize" not in target
        assert _answers(f"{server.base_url}/_stcore/health")
    finally:
        server.stop()
    assert demo_secrets() == before
    assert not list(home.rglob("secrets.toml"))


def test_a_busy_provider_port_is_refused_before_anything_is_written(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        taken = busy.getsockname()[1]
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "cli.main",
                "serve",
                "--demo",
                "--port",
                str(free_port()),
                "--provider-port",
                str(taken),
                "--demo-secrets-file",
                str(tmp_path / "s" / "secrets.toml"),
            ],
            capture_output=True,
            text=True,
            cwd=REPO_ROOT,
            timeout=60,
        )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"error: port {taken} for the demo provider is in use; choose another with --provider-port"
    ]
    assert not (tmp_path / "s").exists()


@pytest.mark.parametrize("option", ["--port", "--provider-port"])
def test_a_port_out_of_range_is_one_clear_line(option):
    result = subprocess.run(
        [sys.executable, "-m", "cli.main", "serve", "--demo", option, "99999"],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=60,
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "65535" in result.stderr  # typer's range message: the port must be at most 65535
