"""Render deploy/nginx/regdash.conf.template: the site file for /etc/nginx, or a whole try-out nginx.conf.

``site`` prints the http-context file an operator installs as /etc/nginx/conf.d/regdash.conf::

    python -m deploy.nginx_config site --listen 80 --server-name regdash.example.org \\
        --upstream 10.0.0.11:8501 --upstream 10.0.0.12:8501 > /etc/nginx/conf.d/regdash.conf

``standalone`` writes a complete nginx.conf under a directory of its own (pid file, logs and temporary
files all inside it) that an unprivileged user runs in the foreground, as the loopback test and
deploy/run-local.sh do::

    python -m deploy.nginx_config standalone --prefix /tmp/regdash-nginx --listen 127.0.0.1:8080 \\
        --upstream 127.0.0.1:8501 --upstream 127.0.0.1:8502
    nginx -p /tmp/regdash-nginx -c nginx.conf -g 'daemon off;'
"""

from __future__ import annotations

import argparse
import os
import pwd
import sys
from collections.abc import Sequence
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parent / "nginx" / "regdash.conf.template"
DEFAULT_ACCESS_LOG = "/var/log/nginx/regdash.access.log"
TEMP_DIRS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")


def render_site(
    *,
    listen: str,
    upstreams: Sequence[str],
    server_name: str = "_",
    access_log: str = DEFAULT_ACCESS_LOG,
) -> str:
    """The template with its placeholders filled: one ``server host:port;`` line per replica."""
    if not upstreams:
        raise ValueError("at least one upstream (host:port of a Streamlit replica) is needed")
    servers = "\n".join(f"    server {upstream} max_fails=1 fail_timeout=10s;" for upstream in upstreams)
    text = TEMPLATE.read_text(encoding="utf-8")
    for name, value in {
        "@UPSTREAM_SERVERS@": servers,
        "@LISTEN@": listen,
        "@SERVER_NAME@": server_name,
        "@ACCESS_LOG@": access_log,
    }.items():
        text = text.replace(name, value)
    return text


def render_standalone(*, prefix: Path, listen: str, upstreams: Sequence[str]) -> Path:
    """Write ``prefix/nginx.conf`` (and ``prefix/regdash.conf``) for ``nginx -p prefix -c nginx.conf``.

    Everything nginx writes stays under ``prefix``: pid, error and access logs, temporary files. When
    run as root, the workers run as root too (``user``), so they can use files under ``prefix``, which
    may sit in a directory only root can enter; run as any other user, nginx keeps that user.
    """
    prefix = Path(prefix).resolve()
    (prefix / "logs").mkdir(parents=True, exist_ok=True)
    for name in TEMP_DIRS:
        (prefix / "temp" / name).mkdir(parents=True, exist_ok=True)
    site = render_site(
        listen=listen, upstreams=upstreams, server_name="_", access_log=str(prefix / "logs" / "access.log")
    )
    (prefix / "regdash.conf").write_text(site, encoding="utf-8")
    user = f"user {pwd.getpwuid(os.geteuid()).pw_name};\n" if os.geteuid() == 0 else ""
    temp_paths = "\n".join(
        f"    {name}_temp_path {prefix / 'temp' / name};" for name in TEMP_DIRS if name != "client_body"
    )
    conf = (
        "# Written by deploy/nginx_config.py standalone: a foreground nginx whose files all live here.\n"
        f"{user}"
        "worker_processes 1;\n"
        f"pid {prefix / 'nginx.pid'};\n"
        f"error_log {prefix / 'logs' / 'error.log'} info;\n"
        "events {\n    worker_connections 256;\n}\n"
        "http {\n"
        "    include /etc/nginx/mime.types;\n"
        "    default_type application/octet-stream;\n"
        f"    client_body_temp_path {prefix / 'temp' / 'client_body'};\n"
        f"{temp_paths}\n"
        f"    include {prefix / 'regdash.conf'};\n"
        "}\n"
    )
    path = prefix / "nginx.conf"
    path.write_text(conf, encoding="utf-8")
    return path


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.nginx_config", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="mode", required=True)
    for mode in ("site", "standalone"):
        command = sub.add_parser(mode)
        command.add_argument("--listen", required=True, help="nginx listen value: 80, 127.0.0.1:8080, ...")
        command.add_argument(
            "--upstream", action="append", required=True, help="host:port of one replica (repeat it)"
        )
        if mode == "site":
            command.add_argument("--server-name", default="_")
            command.add_argument("--access-log", default=DEFAULT_ACCESS_LOG)
        else:
            command.add_argument("--prefix", required=True, type=Path)
    args = parser.parse_args(argv)
    if args.mode == "site":
        sys.stdout.write(
            render_site(
                listen=args.listen,
                upstreams=args.upstream,
                server_name=args.server_name,
                access_log=args.access_log,
            )
        )
    else:
        print(render_standalone(prefix=args.prefix, listen=args.listen, upstreams=args.upstream))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
