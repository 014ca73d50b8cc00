"""Bad input: one clear line on stderr, a non-zero exit, the database unchanged; interrupted seeds."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from models.db import make_engine
from seed.hashing import content_hash

REGDASH = [sys.executable, "-m", "cli.main"]
REPO = Path(__file__).resolve().parents[2]


def _run(*args: str):
    return CliRunner().invoke(app, ["seed", *args])


def _error_line(result) -> str:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


def _hash(path: Path) -> str:
    engine = make_engine(f"sqlite:///{path}")
    try:
        return content_hash(engine)
    finally:
        engine.dispose()


@pytest.fixture
def seeded_copy(demo_sqlite, tmp_path) -> Path:
    """A private copy of the demo database that a test may try to damage."""
    path = tmp_path / "regdash.db"
    shutil.copy(demo_sqlite, path)
    return path


def test_unknown_scale(tmp_path):
    result = _run("--scale", "galactic", "--database-url", f"sqlite:///{tmp_path / 'x.db'}")
    assert result.exit_code == 2
    assert _error_line(result) == "error: unknown scale 'galactic': choose one of demo, national"
    assert not (tmp_path / "x.db").exists()


def test_unreachable_database():
    result = _run("--database-url", "postgresql://nobody@127.0.0.1:1/regdash")
    assert result.exit_code == 2
    line = _error_line(result)
    assert line.startswith("error: cannot reach database postgresql+psycopg://nobody@127.0.0.1:1/regdash")


def test_unwritable_path(tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("I am a file")
    result = _run("--database-url", f"sqlite:///{blocker / 'regdash.db'}")
    assert result.exit_code == 2
    assert "is not a directory" in _error_line(result)
    assert blocker.read_text() == "I am a file"


def test_read_only_directory(tmp_path):
    """A directory nobody may write to; root ignores permission bits, so root gets sysfs, which refuses it."""
    locked = Path("/sys") if os.geteuid() == 0 else tmp_path / "locked"
    if locked != Path("/sys"):
        locked.mkdir()
        locked.chmod(0o500)
    try:
        result = _run("--database-url", f"sqlite:///{locked / 'regdash.db'}")
        assert result.exit_code == 2
        assert (
            _error_line(result)
            == f"error: cannot write database file {locked / 'regdash.db'}: permission denied"
        )
        assert not (locked / "regdash.db").exists()
    finally:
        if locked != Path("/sys"):
            locked.chmod(0o700)


def test_non_empty_database_without_force(seeded_copy):
    before = _hash(seeded_copy)
    result = _run("--database-url", f"sqlite:///{seeded_copy}", "--seed", "5")
    assert result.exit_code == 2
    assert _error_line(result) == f"error: {seeded_copy} already holds data: use --force to replace it"
    assert _hash(seeded_copy) == before


def test_if_empty_on_a_seeded_store_does_nothing(seeded_copy):
    before = _hash(seeded_copy)
    result = _run("--database-url", f"sqlite:///{seeded_copy}", "--if-empty")
    assert result.exit_code == 0
    assert result.stdout.strip() == "already seeded, nothing to do"
    assert _hash(seeded_copy) == before


def test_if_empty_seeds_a_migrated_empty_store(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    assert CliRunner().invoke(app, ["db", "upgrade", "--database-url", url]).exit_code == 0
    result = _run("--database-url", url, "--if-empty", "--seed", "3")
    assert result.exit_code == 0, result.stderr
    assert "40,000 certificates" in result.stdout
    assert "seed: certificate" in result.stderr  # progress lines


def test_force_replaces(seeded_copy):
    before = _hash(seeded_copy)
    result = _run("--database-url", f"sqlite:///{seeded_copy}", "--seed", "5", "--force")
    assert result.exit_code == 0, result.stderr
    assert _hash(seeded_copy) != before
    assert not list(seeded_copy.parent.glob(".*.tmp*"))


def _start_and_interrupt(url: str, stage: str, sig: int) -> subprocess.CompletedProcess:
    """Run 3 % of a national seed in a subprocess; send ``sig`` once ``stage`` shows in its progress."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [*REGDASH, "seed", "--scale", "national", "--fraction", "0.03", "--force", "--database-url", url],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 240
    seen = ""
    assert process.stderr is not None
    for line in process.stderr:
        seen += line
        if f"seed: {stage}" in line or time.monotonic() > deadline:
            break
    assert f"seed: {stage}" in seen, seen
    process.send_signal(sig)
    out, err = process.communicate(timeout=60)
    return subprocess.CompletedProcess(process.args, process.returncode, out, seen + err)


@pytest.mark.slow
def test_sigkill_mid_load_leaves_the_old_database(seeded_copy):
    before = _hash(seeded_copy)
    result = _start_and_interrupt(f"sqlite:///{seeded_copy}", "certificate", signal.SIGKILL)
    assert result.returncode == -signal.SIGKILL
    assert _hash(seeded_copy) == before
    # The half-built temporary file is not the database, and the next run clears it away.
    leftovers = list(seeded_copy.parent.glob(f".{seeded_copy.name}.seeding-*"))
    assert leftovers
    from seed.build import _remove_stale_temporaries

    _remove_stale_temporaries(seeded_copy)
    assert not list(seeded_copy.parent.glob(f".{seeded_copy.name}.seeding-*"))


@pytest.mark.slow
def test_sigint_mid_load_cleans_up(tmp_path):
    target = tmp_path / "never.db"
    result = _start_and_interrupt(f"sqlite:///{target}", "organisation", signal.SIGINT)
    assert result.returncode != 0
    assert not target.exists()
    assert not list(tmp_path.glob(".*seeding*"))


@pytest.mark.slow
@pytest.mark.postgres
def test_sigkill_mid_copy_leaves_postgres_unchanged(postgres_server):
    from seed.build import seed_database

    url = postgres_server.create_database("regdash_seed_killed")
    seed_database(url, scale="demo", seed=11)
    engine = make_engine(url)
    try:
        before = content_hash(engine)
        result = _start_and_interrupt(url, "certificate", signal.SIGKILL)
        assert result.returncode == -signal.SIGKILL
        assert content_hash(engine) == before
    finally:
        engine.dispose()


def test_a_refused_seeded_draw_is_one_line_and_leaves_no_database(tmp_path, monkeypatch):
    from models.draw_records import WorkflowError
    from seed import history

    def refuse(self, planned, simulation):
        raise WorkflowError(f"campaign '{planned.name}' refused for the test\nsecond line", code="test")

    monkeypatch.setattr(history.History, "campaign", refuse)
    target = tmp_path / "refused.db"
    result = _run("--database-url", f"sqlite:///{target}")
    assert result.exit_code != 0
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "the seeded history could not be drawn: campaign" in errors[0]
    assert "second line" not in result.stderr and "Traceback" not in result.stderr
    assert not target.exists() and not list(tmp_path.glob(".refused.db*"))
