"""Try the shared-deployment recipe on this machine: N app replicas behind nginx, demo sign-in, loopback only.

    python -m deploy.run_local --replicas 2 --port 8080

Uses ``REGDASH_DATABASE_URL`` (PostgreSQL for the real thing; the SQLite default also works on one
machine), which must already be migrated and seeded (``regdash db upgrade``, ``regdash seed --if-empty``).
Starts the demo OpenID Connect provider (as ``regdash serve --demo`` does) with the proxy's callback as
redirect URI, one secrets file for every replica, ``streamlit run`` on ports 8501, 8502, ... and Debian's
nginx in the foreground with everything under ``data/proxy-local/``. Open http://127.0.0.1:8080 and watch
the ``X-Upstream`` response header; Ctrl-C stops it all. Demo accounts only: never expose it.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

from cli.demo_auth import DEMO_FLAG_ENV, child_preexec, start_provider, write_demo_secrets
from cli.serve import streamlit_command
from deploy.nginx_config import render_standalone

NGINX = "/usr/sbin/nginx"
STATE = Path("data/proxy-local")


def _wait_healthy(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{process.args[0]} exited with {process.returncode} before {url} answered")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"{url} did not answer in {timeout:g} s")


def _interrupt(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt(signum)


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.run_local", description=__doc__.split("\n")[0])
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--port", type=int, default=8080, help="the proxy's port on 127.0.0.1")
    parser.add_argument("--first-app-port", type=int, default=8501)
    parser.add_argument("--provider-port", type=int, default=9400)
    args = parser.parse_args()

    STATE.mkdir(mode=0o700, parents=True, exist_ok=True)
    signal.signal(signal.SIGTERM, _interrupt)  # `kill` as well as Ctrl-C stops everything
    children: list[subprocess.Popen] = []
    provider = None
    try:
        with (STATE / "provider.log").open("w") as log:
            provider = start_provider(args.provider_port, log=log, log_path=STATE / "provider.log")
        secrets_file = write_demo_secrets(STATE / "secrets.toml", provider=provider, app_port=args.port)
        env = {**os.environ, DEMO_FLAG_ENV: "1"}
        ports = [args.first_app_port + n for n in range(args.replicas)]
        for port in ports:
            log = (STATE / f"streamlit-{port}.log").open("w")
            command = [
                *streamlit_command(port, "127.0.0.1", secrets_file),
                "--server.fileWatcherType",
                "none",
            ]
            children.append(
                subprocess.Popen(
                    command, env=env, stdout=log, stderr=subprocess.STDOUT, preexec_fn=child_preexec()
                )
            )
        for port, child in zip(ports, children, strict=True):
            _wait_healthy(f"http://127.0.0.1:{port}/_stcore/health", child)
        prefix = (STATE / "nginx").resolve()
        conf = render_standalone(
            prefix=prefix, listen=f"127.0.0.1:{args.port}", upstreams=[f"127.0.0.1:{p}" for p in ports]
        )
        nginx = subprocess.Popen(
            [NGINX, "-p", str(prefix), "-c", str(conf), "-g", "daemon off;"], preexec_fn=child_preexec()
        )
        children.append(nginx)
        _wait_healthy(f"http://127.0.0.1:{args.port}/_stcore/health", nginx)
        print(
            f"regdash behind nginx: open http://127.0.0.1:{args.port} (replicas on {ports}, demo sign-in at "
            f"{provider.issuer}; logs in {STATE}/). Ctrl-C stops everything."
        )
        nginx.wait()
    except KeyboardInterrupt:
        pass
    finally:
        for child in reversed(children):
            if child.poll() is None:
                child.send_signal(signal.SIGQUIT if child.args[0] == NGINX else signal.SIGTERM)
        for child in children:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
        if provider is not None:
            provider.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
