"""Run the real app with ``streamlit run`` on a loopback port, against a given database URL."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
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

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def start_streamlit(database_url: str, log_dir: Path, *, script: str = "streamlit_app.py") -> StreamlitServer:
    """Start the app headless on a free loopback port and wait until its health check answers."""
    port = free_port()
    log_path = log_dir / f"streamlit-{port}.log"
    env = {**os.environ, "REGDASH_DATABASE_URL": database_url}
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
    log = log_path.open("w")
    process = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    server = StreamlitServer(process=process, port=port, log_path=log_path)
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
