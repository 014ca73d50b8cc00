"""Demo sign-in: a local OpenID Connect provider on loopback and the Streamlit ``[auth]`` secrets for it.

The provider is oidc-provider-mock (a real OIDC server: discovery, authorization-code flow, RS256 ID tokens)
run as a child process with one predefined user per demo account. It is started with client registration
and nonces required, so the app authenticates with a registered client id and secret and a pinned
redirect URI, as it would against a production identity provider.

Used by ``regdash serve --demo`` and by the test helpers in ``tests/support/oidc.py``. Nothing here prints
a secret.
"""

from __future__ import annotations

import ipaddress
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from seed.demo_accounts import DEMO_ACCOUNTS, account_claims

PROVIDER_HOST = "127.0.0.1"
DISCOVERY_PATH = "/.well-known/openid-configuration"
DEMO_FLAG_ENV = "REGDASH_DEMO_SIGNIN"


class DemoAuthError(RuntimeError):
    """The demo provider could not be started or configured; the message is one plain sentence."""


def port_is_free(port: int, host: str = PROVIDER_HOST) -> bool:
    """Whether nothing listens on ``host:port`` (binding succeeds; connections of a stopped server
    still in TIME-WAIT do not count, as the server itself binds with SO_REUSEADDR)."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine only (``localhost``, 127.0.0.0/8, ``::1``)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def url_host(host: str) -> str:
    """``host`` as it appears in a URL (IPv6 literals in brackets)."""
    return f"[{host}]" if ":" in host else host


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Ask Linux to send the child SIGTERM when its parent dies, so a killed parent leaves no orphan."""
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGTERM)
    except OSError:
        pass


def child_preexec() -> Callable[[], None] | None:
    """``preexec_fn`` for children that must not outlive this process (Linux only; else None)."""
    return _die_with_parent if sys.platform.startswith("linux") else None


def provider_command(port: int, accounts: Iterable[Mapping[str, str | None]] = DEMO_ACCOUNTS) -> list[str]:
    """oidc-provider-mock command line: loopback, registration and nonce required, a user per account."""
    command = [
        sys.executable,
        "-m",
        "oidc_provider_mock",
        "--host",
        PROVIDER_HOST,
        "--port",
        str(port),
        "--require-registration",
        "true",
        "--require-nonce",
        "true",
    ]
    for account in accounts:
        command += ["--user-claims", json.dumps(account_claims(dict(account)), ensure_ascii=False)]
    return command


@dataclass
class OidcProvider:
    """A running oidc-provider-mock child process on loopback."""

    process: subprocess.Popen
    port: int
    log_path: Path | None = None
    accounts: tuple[Mapping[str, str | None], ...] = field(default=DEMO_ACCOUNTS)

    @property
    def issuer(self) -> str:
        return f"http://{PROVIDER_HOST}:{self.port}"

    @property
    def metadata_url(self) -> str:
        return f"{self.issuer}{DISCOVERY_PATH}"

    def metadata(self) -> dict:
        """The provider's discovery document."""
        with urllib.request.urlopen(self.metadata_url, timeout=5) as response:
            return json.load(response)

    def register_client(self, redirect_uri: str) -> tuple[str, str]:
        """Register an OIDC client allowed to return to ``redirect_uri``; ``(client_id, client_secret)``."""
        body = json.dumps({"redirect_uris": [redirect_uri]}).encode()
        request = urllib.request.Request(
            f"{self.issuer}/oauth2/clients",
            data=body,
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                registered = json.load(response)
        except (OSError, ValueError) as error:
            raise DemoAuthError(f"the demo OpenID provider refused client registration: {error}") from None
        return registered["client_id"], registered["client_secret"]

    def stop(self, timeout: float = 10) -> None:
        """Terminate the provider and wait for it (kill it if it does not go)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_provider(
    port: int,
    *,
    accounts: Iterable[Mapping[str, str | None]] = DEMO_ACCOUNTS,
    log: IO | None = None,
    log_path: Path | None = None,
    timeout: float = 30,
) -> OidcProvider:
    """Start oidc-provider-mock on ``127.0.0.1:port`` and return once its discovery document answers."""
    if not port_is_free(port):
        raise DemoAuthError(f"port {port} on {PROVIDER_HOST} is in use; choose another with --provider-port")
    accounts = tuple(accounts)
    env = {**os.environ, "NO_COLOR": "1"}
    process = subprocess.Popen(
        provider_command(port, accounts),
        stdin=subprocess.DEVNULL,
        stdout=log if log is not None else subprocess.DEVNULL,
        stderr=subprocess.STDOUT if log is not None else subprocess.DEVNULL,
        env=env,
        start_new_session=True,  # Ctrl-C in a terminal reaches the parent, which stops the provider last
        preexec_fn=child_preexec(),  # only sets the parent-death signal
    )
    provider = OidcProvider(process=process, port=port, log_path=log_path, accounts=accounts)
    try:
        _wait_for_discovery(provider, timeout)
    except BaseException:  # also Ctrl-C while waiting: never leave the provider behind
        provider.stop()
        raise
    return provider


def _wait_for_discovery(provider: OidcProvider, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if provider.process.poll() is not None:
            where = f"; see {provider.log_path}" if provider.log_path else ""
            code = provider.process.returncode
            raise DemoAuthError(f"the demo OpenID provider exited with code {code}{where}")
        try:
            if provider.metadata().get("issuer") == provider.issuer:
                return
        except (OSError, ValueError):
            pass
        time.sleep(0.2)
    raise DemoAuthError(
        f"the demo OpenID provider did not answer on {provider.metadata_url} in {timeout:g} s"
    )


def redirect_uri(app_host: str, app_port: int) -> str:
    """Where the provider sends the browser back: the app's ``/oauth2callback`` on the host the user opens."""
    return f"http://{url_host(app_host)}:{app_port}/oauth2callback"


def _toml_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def auth_secrets_toml(*, redirect: str, client_id: str, client_secret: str, metadata_url: str) -> str:
    """A Streamlit secrets file with a demo ``[auth]`` section and a fresh random cookie secret."""
    values = {
        "redirect_uri": redirect,
        "cookie_secret": secrets.token_urlsafe(48),
        "client_id": client_id,
        "client_secret": client_secret,
        "server_metadata_url": metadata_url,
    }
    lines = [
        "# DEMO sign-in, written by `regdash serve --demo` (or the tests) for a local oidc-provider-mock.",
        "# Regenerated on every start; never commit it and never use it for a real deployment.",
        "[auth]",
        *(f"{key} = {_toml_string(value)}" for key, value in values.items()),
    ]
    return "\n".join(lines) + "\n"


def write_private(path: Path, text: str) -> Path:
    """Write ``text`` to ``path`` readable by the owner only (0600), replacing it atomically."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return path


def write_demo_secrets(
    path: Path, *, provider: OidcProvider, app_port: int, app_host: str = "127.0.0.1"
) -> Path:
    """Register the app with ``provider`` and write its ``[auth]`` secrets to ``path`` (mode 0600)."""
    redirect = redirect_uri(app_host, app_port)
    client_id, client_secret = provider.register_client(redirect)
    text = auth_secrets_toml(
        redirect=redirect,
        client_id=client_id,
        client_secret=client_secret,
        metadata_url=provider.metadata_url,
    )
    return write_private(path, text)
