"""Debian's nginx as an unprivileged foreground process on a loopback port, in front of the app's replicas.

The config comes from deploy/nginx/regdash.conf.template (``deploy.nginx_config.render_standalone``): the
same upstream, sticky-cookie and websocket settings an operator installs, with the pid file, logs and
temporary files all under one directory of the test's own.
"""

from __future__ import annotations

import http.client
import signal
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from deploy.nginx_config import render_standalone

NGINX = Path("/usr/sbin/nginx")
ROUTE_COOKIE = "regdash_route"


class NginxUnavailable(RuntimeError):
    """Debian's nginx is not installed here."""


@dataclass
class NginxProxy:
    """A running nginx; ``base_url`` is the proxy origin (the origin of the apps' redirect URI)."""

    process: subprocess.Popen
    prefix: Path
    port: int

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def access_log(self) -> Path:
        return self.prefix / "logs" / "access.log"

    @property
    def error_log(self) -> Path:
        return self.prefix / "logs" / "error.log"

    def upstream_for(self, route: str | None, path: str = "/_stcore/health") -> str:
        """The replica (``host:port``) nginx sends a request with this ``regdash_route`` cookie to."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            headers = {"Cookie": f"{ROUTE_COOKIE}={route}"} if route else {}
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
            return response.getheader("X-Upstream", "")
        finally:
            connection.close()

    def route_to(self, upstream: str, *, tries: int = 200) -> str:
        """A ``regdash_route`` cookie value that nginx's consistent hash maps to ``upstream``."""
        for number in range(tries):
            route = f"pinned-{number}"
            if self.upstream_for(route) == upstream:
                return route
        raise AssertionError(f"none of {tries} route values maps to {upstream}")

    def stop(self) -> None:
        """Graceful stop (SIGQUIT: finish the open requests, write their log lines), kill after 10 s."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_nginx(prefix: Path, *, port: int, upstreams: Sequence[str], timeout: float = 20) -> NginxProxy:
    """Render the standalone config under ``prefix``, check it, run nginx and wait until it proxies."""
    if not NGINX.exists():
        raise NginxUnavailable("Debian's nginx is not installed at /usr/sbin/nginx (make test installs it)")
    conf = render_standalone(prefix=prefix, listen=f"127.0.0.1:{port}", upstreams=upstreams)
    base = [str(NGINX), "-p", str(prefix), "-c", str(conf)]
    checked = subprocess.run([*base, "-t", "-q"], capture_output=True, text=True)
    if checked.returncode != 0:
        raise RuntimeError(f"nginx -t rejected {conf}: {checked.stderr}")
    log = (prefix / "logs" / "nginx.out").open("w")
    process = subprocess.Popen(
        [*base, "-g", "daemon off;"], stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT
    )
    proxy = NginxProxy(process=process, prefix=Path(prefix), port=port)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"nginx exited with {process.returncode}: {proxy.error_log.read_text()[-2000:]}"
            )
        try:
            if proxy.upstream_for(None):
                return proxy
        except OSError:
            pass
        time.sleep(0.2)
    proxy.stop()
    raise RuntimeError(f"nginx did not proxy within {timeout:g} s: {proxy.error_log.read_text()[-2000:]}")
