"""``regdash serve``: run the dashboard with ``streamlit run``; ``--demo`` adds a local sign-in provider.

Without ``--demo`` this is plain ``streamlit run streamlit_app.py``: sign-in comes from the ``[auth]`` section
of ``.streamlit/secrets.toml`` as Streamlit documents it (none there: public pages only).

With ``--demo`` (what ``make run`` does) it starts oidc-provider-mock on loopback with one account per role
(``seed/demo_accounts.py``), registers the app with it, writes the demo ``[auth]`` secrets to
``data/demo-auth/<port>/secrets.toml`` (git-ignored, mode 0600, a fresh cookie secret every start), runs
Streamlit on those secrets with ``REGDASH_DEMO_SIGNIN=1`` in its environment, forwards Ctrl-C and
SIGTERM to it, and stops the provider when Streamlit exits.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Annotated

import typer

from cli.demo_auth import (
    DEMO_FLAG_ENV,
    DemoAuthError,
    OidcProvider,
    child_preexec,
    is_loopback,
    port_is_free,
    start_provider,
    url_host,
    write_demo_secrets,
)
from cli.errors import fail

SCRIPT = Path("streamlit_app.py")
DEMO_AUTH_DIR = Path("data/demo-auth")  # one folder per app port: two demo instances never share one
FORWARDED_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def streamlit_command(port: int, address: str, secrets_file: Path | None = None) -> list[str]:
    """``streamlit run`` for the dashboard, headless, on ``address:port``, optionally on one secrets file."""
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(SCRIPT),
        "--server.port",
        str(port),
        "--server.address",
        address,
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
    ]
    if secrets_file is not None:
        # replaces Streamlit's default list (~/.streamlit and ./.streamlit secrets.toml): demo secrets only
        command += ["--secrets.files", str(secrets_file)]
    return command


def _banner(provider: OidcProvider, secrets_file: Path, app_url: str) -> str:
    from seed.demo_accounts import DEMO_ACCOUNTS

    width = max(len(str(account["sub"])) for account in DEMO_ACCOUNTS)
    accounts = "\n".join(
        f"    {account['sub']:<{width}}  {account['role']}"
        + (f" (province {account['province']})" if account["province"] else "")
        for account in DEMO_ACCOUNTS
    )
    return (
        "regdash: DEMO SIGN-IN - demonstration accounts only, not for real use\n"
        f"  OpenID Connect provider (oidc-provider-mock, loopback only): {provider.issuer}"
        f" (log: {provider.log_path})\n"
        f"  demo secrets written to {secrets_file} (mode 0600, new on every start)\n"
        "  demo accounts - press 登录 / Sign in in the app, then the account's button on the provider page:\n"
        f"{accounts}\n"
        f"  open {app_url}  (exactly this address: sign-in returns to it, so not localhost)"
    )


def _run_until_exit(command: list[str], env: dict[str, str], interrupted: list[int]) -> int:
    """Run ``command``, forwarding SIGINT/SIGTERM/SIGHUP as SIGTERM (a second one kills); its exit code."""
    child: subprocess.Popen | None = None

    def forward(signum: int, _frame: object) -> None:
        interrupted.append(signum)
        if child is not None and child.poll() is None:
            child.send_signal(signal.SIGTERM if len(interrupted) == 1 else signal.SIGKILL)

    for signum in FORWARDED_SIGNALS:
        signal.signal(signum, forward)
    child = subprocess.Popen(command, env=env, start_new_session=True, preexec_fn=child_preexec())
    if interrupted:  # a signal arrived while the child was being started
        child.send_signal(signal.SIGTERM)
    code = child.wait()
    return 128 - code if code < 0 else code


def _interrupt(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt(signum)


def serve_command(
    demo: Annotated[
        bool,
        typer.Option(
            "--demo",
            help="Start a local OpenID Connect provider with one demo account per role (make run does).",
        ),
    ] = False,
    port: Annotated[
        int, typer.Option("--port", min=1, max=65535, help="Port the dashboard listens on.")
    ] = 8501,
    provider_port: Annotated[
        int,
        typer.Option(
            "--provider-port", min=1, max=65535, help="Port of the demo OpenID Connect provider (--demo)."
        ),
    ] = 9400,
    address: Annotated[
        str, typer.Option("--address", help="Address the dashboard binds (--demo: loopback only).")
    ] = "127.0.0.1",
    secrets_file: Annotated[
        Path | None,
        typer.Option(
            "--demo-secrets-file", hidden=True, help="Where --demo writes its secrets (default per port)."
        ),
    ] = None,
) -> None:
    """Serve the dashboard with streamlit run; --demo adds sign-in against a local demo provider."""
    if not SCRIPT.is_file():
        fail(f"no {SCRIPT} in {Path.cwd()}; run regdash serve from the repository root")
    env = {key: value for key, value in os.environ.items() if key != DEMO_FLAG_ENV}
    if not demo:
        os.execve(sys.executable, streamlit_command(port, address), env)
    if not is_loopback(address):
        fail(f"--demo serves one-click demo accounts and binds loopback only, not {address}")
    if not port_is_free(port, address):
        fail(f"port {port} on {address} is in use; choose another with --port")
    if not port_is_free(provider_port):
        fail(f"port {provider_port} for the demo provider is in use; choose another with --provider-port")
    secrets_file = secrets_file or DEMO_AUTH_DIR / str(port) / "secrets.toml"

    interrupted: list[int] = []
    previous = {signum: signal.signal(signum, _interrupt) for signum in FORWARDED_SIGNALS}
    provider: OidcProvider | None = None
    log_path = secrets_file.parent / "provider.log"
    code = 0
    try:
        log_path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        with log_path.open("w") as log:
            provider = start_provider(provider_port, log=log, log_path=log_path)
        write_demo_secrets(secrets_file, provider=provider, app_port=port, app_host=address)
        typer.echo(_banner(provider, secrets_file, f"http://{url_host(address)}:{port}"))
        demo_env = {**env, DEMO_FLAG_ENV: "1"}
        code = _run_until_exit(streamlit_command(port, address, secrets_file), demo_env, interrupted)
    except DemoAuthError as error:
        fail(str(error))
    except KeyboardInterrupt:
        code = 130
    finally:
        if provider is not None:
            provider.stop()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    if interrupted and code in (0, 128 + signal.SIGTERM):
        code = 0  # stopped on request: not a failure
    raise typer.Exit(code)


def register(app: typer.Typer) -> None:
    """Attach ``serve`` to the ``regdash`` app."""
    app.command("serve")(serve_command)
