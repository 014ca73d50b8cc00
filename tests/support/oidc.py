"""A real OpenID Connect provider for tests: oidc-provider-mock on a free loopback port, demo accounts.

Typical use (one provider per test session, one secrets file per app)::

    provider = start_oidc_provider(log_dir)
    port = free_port()
    secrets = write_auth_secrets(tmp / "secrets.toml", app_port=port, provider=provider)
    server = start_streamlit(url, log_dir, port=port, secrets_file=secrets, env={"REGDASH_DEMO_SIGNIN": "1"})
    ...
    server.stop(); provider.stop()

The provider requires client registration and a nonce, like ``regdash serve --demo``; every
``write_auth_secrets`` call registers a new client whose only redirect URI is that app's callback.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from cli.demo_auth import OidcProvider, start_provider, write_demo_secrets
from seed.demo_accounts import DEMO_ACCOUNTS
from tests.support.streamlit_server import free_port

__all__ = ["OidcProvider", "start_oidc_provider", "write_auth_secrets"]


def start_oidc_provider(
    log_dir: Path, *, accounts: Iterable[Mapping[str, str | None]] = DEMO_ACCOUNTS
) -> OidcProvider:
    """Start oidc-provider-mock on a free 127.0.0.1 port with ``accounts`` (default: DEMO_ACCOUNTS).

    Returns once its discovery document answers. The object has ``issuer``, ``metadata_url``, ``port``,
    ``log_path``, ``metadata()``, ``register_client(redirect_uri)`` and ``stop()``.
    """
    port = free_port()
    log_path = Path(log_dir) / f"oidc-provider-{port}.log"
    with log_path.open("w") as log:
        return start_provider(port, accounts=accounts, log=log, log_path=log_path)


def write_auth_secrets(path: Path, *, app_port: int, provider: OidcProvider) -> Path:
    """Write a Streamlit secrets file (mode 0600) whose ``[auth]`` signs in at ``provider``.

    The redirect URI is ``http://127.0.0.1:{app_port}/oauth2callback``: open the app at 127.0.0.1, not
    localhost. Returns ``path``.
    """
    return write_demo_secrets(Path(path), provider=provider, app_port=app_port, app_host="127.0.0.1")
