"""`regdash db upgrade` and `regdash db stats` through the real console entry point."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from models.outcome_entry import china_today
from tests.support.streamlit_server import free_port


def _date_bound(option: str, got: str) -> str:
    return (
        f"error: {option} must be a date YYYY-MM-DD from 1990-01-01 to {china_today().isoformat()} "
        f"(today in China), got {got!r}"
    )


def regdash(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "cli.main", *args], capture_output=True, text=True, cwd=cwd, timeout=120
    )


def test_upgrade_then_stats_json_reports_every_table_with_zero_rows(tmp_path):
    url = f"sqlite:///{tmp_path / 'nested' / 'store.db'}"
    upgraded = regdash("db", "upgrade", "--database-url", url)
    assert upgraded.returncode == 0, upgraded.stderr
    stats = regdash("db", "stats", "--json", "--database-url", url)
    assert stats.returncode == 0, stats.stderr
    report = json.loads(stats.stdout)
    assert set(report) == {"tables", "certificates_by_scheme", "certificates_by_province"}
    assert report["tables"]["certificate"] == 0
    assert "inspector" in report["tables"]
    assert report["certificates_by_scheme"] == {}


def test_stats_on_a_missing_sqlite_file_is_one_clear_line(tmp_path):
    missing = tmp_path / "absent.db"
    result = regdash("db", "stats", "--database-url", f"sqlite:///{missing}")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"error: --database-url: no database file at {missing}; "
        "run 'regdash db upgrade' (or 'regdash seed') first"
    ]
    assert not missing.exists()


def test_upgrade_on_an_unreachable_server_is_one_clear_line():
    url = f"postgresql://nobody@127.0.0.1:{free_port()}/nowhere"
    result = regdash("db", "upgrade", "--database-url", url)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(
        "error: cannot reach database postgresql+psycopg://nobody@"
    )
    assert "Traceback" not in result.stderr


def test_expire_rejects_a_bad_date_in_one_line(tmp_path):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    assert regdash("db", "upgrade", "--database-url", url).returncode == 0
    result = regdash("db", "expire", "--today", "24/11/2026", "--database-url", url)
    assert result.returncode == 2
    assert result.stderr.strip() == _date_bound("--today", "24/11/2026")
    done = regdash("db", "expire", "--today", "2026-11-24", "--database-url", url)
    assert done.returncode == 0 and done.stdout.strip() == "0 certificate(s) expired as of 2026-11-24"


def test_stats_as_of_a_past_date_counts_the_certificates_valid_then(tmp_path):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    seeded = regdash("seed", "--scale", "demo", "--fraction", "0.05", "--database-url", url)
    assert seeded.returncode == 0, seeded.stderr
    now = json.loads(regdash("db", "stats", "--json", "--database-url", url).stdout)
    past = regdash("db", "stats", "--json", "--as-of", "2019-03-31", "--database-url", url)
    assert past.returncode == 0, past.stderr
    report = json.loads(past.stdout)
    assert set(report) == set(now) and report["tables"] == now["tables"]
    assert 0 < sum(report["certificates_by_scheme"].values()) < sum(now["certificates_by_scheme"].values())
    assert sum(report["certificates_by_scheme"].values()) == sum(report["certificates_by_province"].values())
    text_report = regdash("db", "stats", "--as-of", "2019-03-31", "--database-url", url)
    assert "valid certificates on 2019-03-31 by scheme" in text_report.stdout


def test_stats_as_of_rejects_a_bad_date_in_one_line(tmp_path):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    result = regdash("db", "stats", "--as-of", "2019-13-01", "--database-url", url)
    assert result.returncode == 2
    assert result.stderr.strip() == _date_bound("--as-of", "2019-13-01")


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1989-12-31", "2099-01-01", "x" * 5000])
def test_stats_as_of_outside_1990_to_today_is_one_line(day, tmp_path):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    assert regdash("db", "upgrade", "--database-url", url).returncode == 0
    result = regdash("db", "stats", "--as-of", day, "--database-url", url)
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip() == _date_bound("--as-of", day[:32])


def test_expire_refuses_a_future_day_and_writes_nothing(tmp_path):
    """A --today after today in China would expire certificates still valid (and log it): refused."""
    url = f"sqlite:///{tmp_path / 'store.db'}"
    seeded = regdash("seed", "--scale", "demo", "--fraction", "0.01", "--database-url", url)
    assert seeded.returncode == 0, seeded.stderr
    before = (tmp_path / "store.db").read_bytes()
    result = regdash("db", "expire", "--today", "2027-12-31", "--database-url", url)
    assert result.returncode == 2
    assert result.stderr.strip() == _date_bound("--today", "2027-12-31")
    assert result.stdout == ""
    assert (tmp_path / "store.db").read_bytes() == before
