"""Migrations against the models on both engines: no drift at head, and a new table's migration generated.

The drift test is the point: a model changed without a migration (or a migration that does not build
what the models say) fails it with Alembic's list of differences.
"""

from __future__ import annotations

import os
import pprint
import subprocess
import sys
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import CheckConstraint, Column, Date, ForeignKey, Index, Integer, MetaData, Table, inspect
from sqlmodel import SQLModel
from sqlmodel.sql.sqltypes import AutoString

from models.db import make_engine
from models.migrate import (
    COMPARE_OPTIONS,
    VERSIONS_DIR,
    alembic_config,
    current_revision,
    generate_revision,
    next_revision_id,
    upgrade,
)
from tests.support.streamlit_server import free_port

REPO_ROOT = Path(__file__).resolve().parents[2]


def _drift(connection, metadata: MetaData) -> list:
    return compare_metadata(MigrationContext.configure(connection, opts=COMPARE_OPTIONS), metadata)


def test_schema_at_head_matches_the_models(migrated_engine):
    with migrated_engine.connect() as connection:
        diff = _drift(connection, SQLModel.metadata)
    assert diff == [], "schema at head differs from the models:\n" + pprint.pformat(diff)


def _models_plus_a_new_table() -> MetaData:
    """A copy of the models' metadata with one more table, as a developer adding a model would have."""
    metadata = MetaData()
    for table in SQLModel.metadata.sorted_tables:
        table.to_metadata(metadata)
    Table(
        "inspectionnote",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("outcome_id", Integer, ForeignKey("inspectionoutcome.id"), nullable=False, index=True),
        Column("region_code", AutoString(6), ForeignKey("region.code"), nullable=False),
        Column("written_on", Date, nullable=False),
        Column("body", AutoString(256), nullable=False),
        CheckConstraint("length(body) > 0", name="ck_inspectionnote_body"),
        Index("ix_inspectionnote_region_written", "region_code", "written_on"),
    )
    return metadata


def test_a_new_table_gets_a_generated_migration_that_upgrade_applies(empty_database_url, tmp_path):
    versions = tmp_path / "versions"
    real_versions_before = sorted(VERSIONS_DIR.iterdir())
    expected_id = next_revision_id(ScriptDirectory.from_config(alembic_config(empty_database_url)))
    metadata = _models_plus_a_new_table()
    engine = make_engine(empty_database_url)
    try:
        generated = generate_revision(
            "add inspection notes", engine, metadata=metadata, versions_dir=versions
        )
        head = current_revision(engine)

        assert generated.path == versions / f"{expected_id}_add_inspection_notes.py"
        assert (generated.revision, generated.down_revision) == (expected_id, head)
        assert generated.upgraded and generated.upgraded_from is None
        assert sorted(VERSIONS_DIR.iterdir()) == real_versions_before
        text = generated.path.read_text(encoding="utf-8")
        assert f"revision: str = '{expected_id}'" in text
        assert "op.create_table('inspectionnote'" in text
        assert "sqlmodel.sql.sqltypes.AutoString(length=256)" in text
        assert "name='ck_inspectionnote_body'" in text
        assert "batch_op.create_index('ix_inspectionnote_region_written'" in text
        assert text.count("op.create_table(") == 1
        assert "drop_table" not in text.split("def downgrade")[0]

        upgrade(engine, extra_versions=[versions])
        assert current_revision(engine) == expected_id
        assert {c["name"] for c in inspect(engine).get_columns("inspectionnote")} == {
            "id",
            "outcome_id",
            "region_code",
            "written_on",
            "body",
        }
        with engine.connect() as connection:
            diff = _drift(connection, metadata)
        assert diff == [], pprint.pformat(diff)

        config = alembic_config(empty_database_url, extra_versions=[versions])
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, head)
        assert "inspectionnote" not in inspect(engine).get_table_names()
    finally:
        engine.dispose()


def regdash(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "cli.main", *args],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env=env,
        timeout=120,
    )


def test_revision_when_the_models_match_writes_nothing_and_says_so_in_one_line():
    before = sorted(VERSIONS_DIR.iterdir())
    result = regdash("db", "revision", "-m", "nothing new")
    for stray in set(VERSIONS_DIR.iterdir()) - set(before):  # a failing run must not leave a migration
        stray.unlink()
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"error: the models match the schema at revision {_head()}; nothing to generate"
        " (pass --empty for a hand-written migration)"
    ]
    assert result.stdout == ""
    assert sorted(VERSIONS_DIR.iterdir()) == before


def _head() -> str:
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


@pytest.mark.parametrize("message_args", [(), ("-m", ""), ("-m", "   ")])
def test_revision_without_a_message_is_one_clear_line(message_args):
    result = regdash("db", "revision", *message_args)
    assert result.returncode == 2
    assert (
        result.stderr.strip() == "error: a revision needs a message: regdash db revision -m 'add audit log'"
    )


def test_revision_on_an_unreachable_server_is_one_clear_line():
    before = sorted(VERSIONS_DIR.iterdir())
    url = f"postgresql://nobody@127.0.0.1:{free_port()}/nowhere"
    result = regdash("db", "revision", "-m", "add audit log", "--database-url", url)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(
        "error: cannot reach database postgresql+psycopg://nobody@"
    ), result.stderr
    assert "Traceback" not in result.stderr
    assert sorted(VERSIONS_DIR.iterdir()) == before


def test_revision_on_a_missing_sqlite_file_is_one_clear_line(tmp_path):
    missing = tmp_path / "absent.db"
    result = regdash("db", "revision", "-m", "x", "--database-url", f"sqlite:///{missing}")
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"error: --database-url: no database file at {missing}; "
        "omit --database-url to compare against a scratch database"
    )
    assert not missing.exists()


def test_plain_alembic_with_the_root_ini_reads_regdash_database_url(tmp_path):
    """`alembic upgrade head` and `alembic check` (autogenerate, writes no file) on $REGDASH_DATABASE_URL."""
    url = f"sqlite:///{tmp_path / 'nested' / 'store.db'}"
    env = {**os.environ, "REGDASH_DATABASE_URL": url}
    alembic = [sys.executable, "-m", "alembic", "-c", str(REPO_ROOT / "alembic.ini")]
    for args in (["upgrade", "head"], ["check"], ["current"]):
        result = subprocess.run(
            [*alembic, *args], capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120
        )
        assert result.returncode == 0, result.stderr
    assert f"{_head()} (head)" in result.stdout
    assert current_revision(make_engine(url)) == _head()
