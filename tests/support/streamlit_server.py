"""Run the real app with ``streamlit run`` on a loopback port, against a given database URL."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class StreamlitServer:
    """A running ``streamlit run`` process; ``base_url`` is where a browser finds it."""

    process: subprocess.Popen
    port: int
    log_path: Path
    secrets_file: Path | None = None  # the secrets file it was started with (``[auth]`` for sign-in)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def start_streamlit(
    database_url: str,
    log_dir: Path,
    *,
    script: str = "streamlit_app.py",
    port: int | None = None,
    secrets_file: Path | None = None,
    env: Mapping[str, str | None] | None = None,
) -> StreamlitServer:
    """Start the app headless on a loopback port and wait until its health check answers.

    ``port``: default a free one (pass one when a secrets file must name it in its redirect URI).
    ``secrets_file``: the only secrets file Streamlit reads (``--secrets.files``); default Streamlit's own
    search (``~/.streamlit`` and ``.streamlit`` secrets.toml). ``env``: variables set over this process's
    environment; a ``None`` value removes the variable.
    """
    port = free_port() if port is None else port
    log_path = log_dir / f"streamlit-{port}.log"
    child_env = {**os.environ, "REGDASH_DATABASE_URL": database_url}
    for name, value in (env or {}).items():
        if value is None:
            child_env.pop(name, None)
        else:
            child_env[name] = value
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        script,
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
    ]
    if secrets_file is not None:
        command += ["--secrets.files", str(secrets_file)]
    log = log_path.open("w")
    process = subprocess.Popen(command, cwd=REPO_ROOT, env=child_env, stdout=log, stderr=subprocess.STDOUT)
    server = StreamlitServer(process=process, port=port, log_path=log_path, secrets_file=secrets_file)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited early: {log_path.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"{server.base_url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return server
        except OSError:
            time.sleep(0.3)
    server.stop()
    raise RuntimeError(f"streamlit did not become healthy in 60 s: {log_path.read_text()[-2000:]}")
