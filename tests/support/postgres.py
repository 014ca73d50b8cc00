"""Start a real PostgreSQL server from the Debian binaries on a temporary directory and loopback.

PostgreSQL refuses to run as root, so when the tests run as root the cluster is created and
started as the ``postgres`` system user (created by Debian's postgresql package).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path


class PostgresUnavailable(RuntimeError):
    """The PostgreSQL server binaries are not installed here."""


def find_bin_dir() -> Path:
    """The directory holding ``initdb`` and ``pg_ctl`` (Debian keeps them under /usr/lib/postgresql)."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    for directory in candidates:
        if Path(directory, "initdb").exists() and Path(directory, "pg_ctl").exists():
            return Path(directory)
    on_path = shutil.which("initdb")
    if on_path and shutil.which("pg_ctl"):
        return Path(on_path).resolve().parent
    raise PostgresUnavailable(
        "PostgreSQL server binaries (initdb, pg_ctl) not found: install Debian's 'postgresql' package "
        "(make test does this) to run the PostgreSQL half of the store tests"
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class PostgresServer:
    """A running throw-away cluster; ``url(dbname)`` gives a SQLAlchemy URL for one database."""

    bin_dir: Path
    data_dir: Path
    port: int
    user: str
    _as_user: list[str]

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql+psycopg://{self.user}@127.0.0.1:{self.port}/{dbname}"

    def create_database(self, name: str) -> str:
        """Create an empty database and return its URL."""
        import psycopg

        with psycopg.connect(
            host="127.0.0.1", port=self.port, user=self.user, dbname="postgres", autocommit=True
        ) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        subprocess.run(
            [
                *self._as_user,
                str(self.bin_dir / "pg_ctl"),
                "-D",
                str(self.data_dir),
                "-m",
                "immediate",
                "stop",
            ],
            check=False,
            capture_output=True,
        )
        shutil.rmtree(self.data_dir.parent, ignore_errors=True)


def start_server() -> PostgresServer:
    """initdb + pg_ctl start on a temporary directory, listening on a free loopback port."""
    bin_dir = find_bin_dir()
    root = Path(tempfile.mkdtemp(prefix="regdash-pg-"))
    data_dir = root / "data"
    as_user: list[str] = []
    user = pwd.getpwuid(os.getuid()).pw_name
    if os.geteuid() == 0:
        try:
            entry = pwd.getpwnam("postgres")
        except KeyError as error:
            raise PostgresUnavailable(
                "running as root and there is no 'postgres' user to run the server"
            ) from error
        os.chown(root, entry.pw_uid, entry.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]
        user = "postgres"
    subprocess.run(
        [
            *as_user,
            str(bin_dir / "initdb"),
            "-D",
            str(data_dir),
            "-U",
            user,
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        ],
        check=True,
        capture_output=True,
    )
    port = _free_port()
    options = f"-c listen_addresses=127.0.0.1 -p {port} -k {root} -c fsync=off -c full_page_writes=off"
    subprocess.run(
        [
            *as_user,
            str(bin_dir / "pg_ctl"),
            "-D",
            str(data_dir),
            "-o",
            options,
            "-l",
            str(root / "log"),
            "-w",
            "start",
        ],
        check=True,
        capture_output=True,
    )
    server = PostgresServer(bin_dir=bin_dir, data_dir=data_dir, port=port, user=user, _as_user=as_user)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            import psycopg

            psycopg.connect(host="127.0.0.1", port=port, user=user, dbname="postgres").close()
            return server
        except Exception:
            time.sleep(0.2)
    server.stop()
    raise RuntimeError("PostgreSQL did not accept connections within 20 s")
