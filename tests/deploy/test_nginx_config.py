"""The nginx config renderer: every placeholder filled, and Debian's nginx accepts what it writes."""

from __future__ import annotations

import subprocess

import pytest

from deploy.nginx_config import main, render_site, render_standalone
from tests.support.nginx import NGINX


def test_site_has_one_server_line_per_replica_and_no_placeholder_left():
    site = render_site(
        listen="443 ssl", upstreams=["10.0.0.11:8501", "10.0.0.12:8501"], server_name="r.example"
    )
    assert "@" not in site
    assert "    server 10.0.0.11:8501 max_fails=1 fail_timeout=10s;" in site
    assert "    server 10.0.0.12:8501 max_fails=1 fail_timeout=10s;" in site
    assert "listen 443 ssl;" in site and "server_name r.example;" in site
    assert "hash $regdash_route consistent;" in site
    assert "proxy_set_header Host $http_host;" in site


def test_a_site_needs_an_upstream():
    with pytest.raises(ValueError, match="upstream"):
        render_site(listen="80", upstreams=[])


def test_site_command_prints_the_file(capsys):
    assert main(["site", "--listen", "8080", "--upstream", "127.0.0.1:8501"]) == 0
    assert "server 127.0.0.1:8501 " in capsys.readouterr().out


def test_nginx_accepts_the_standalone_config(tmp_path):
    assert NGINX.exists(), "Debian's nginx is not installed at /usr/sbin/nginx (make test installs it)"
    conf = render_standalone(
        prefix=tmp_path, listen="127.0.0.1:8080", upstreams=["127.0.0.1:8501", "127.0.0.1:8502"]
    )
    checked = subprocess.run(
        [str(NGINX), "-t", "-q", "-p", str(tmp_path), "-c", str(conf)], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stderr
