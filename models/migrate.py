"""Alembic migrations run from code: ``regdash db upgrade``, ``regdash db revision`` and the test fixtures.

Revisions are numbered ``0001``, ``0002``, ... and their files are named ``<id>_<slug of the message>.py``;
``next_revision_id`` gives the next number, and ``models/migrations/env.py`` applies it to every
generated revision, whether it comes from ``regdash db revision`` or from a plain
``alembic revision --autogenerate`` with the root ``alembic.ini``.
"""

from __future__ import annotations

import os
import tempfile
from argparse import Namespace
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, MetaData

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
VERSIONS_DIR = MIGRATIONS_DIR / "versions"

# How autogenerate and the schema-vs-models test compare a database with the models.
COMPARE_OPTIONS: dict[str, Any] = {"compare_type": True, "compare_server_default": True}


class NothingToGenerate(Exception):
    """Autogenerate found no difference between the models and the schema at head."""


def alembic_config(url: str, *, extra_versions: Sequence[Path] = ()) -> Config:
    """An Alembic config pointing at our migrations and at ``url``.

    ``extra_versions`` adds version directories next to ``models/migrations/versions`` (the tests
    generate throw-away revisions into a temporary directory this way).
    """
    config = Config(cmd_opts=Namespace(quiet=True))  # callers report what happened themselves
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    config.set_main_option("path_separator", "os")
    if extra_versions:
        locations = [VERSIONS_DIR, *extra_versions]
        config.set_main_option("version_locations", os.pathsep.join(str(p) for p in locations))
    return config


def _engine_url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def upgrade(engine: Engine, revision: str = "head", *, extra_versions: Sequence[Path] = ()) -> None:
    """Bring the schema behind ``engine`` up to ``revision``."""
    config = alembic_config(_engine_url(engine), extra_versions=extra_versions)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None if it has never been migrated."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def next_revision_id(script: ScriptDirectory) -> str:
    """The next number in the ``0001``, ``0002``, ... sequence of the revisions ``script`` holds."""
    numbers = [int(rev.revision) for rev in script.walk_revisions() if rev.revision.isdigit()]
    return f"{max(numbers, default=0) + 1:04d}"


@dataclass(frozen=True)
class GeneratedRevision:
    """A revision file written by ``generate_revision``."""

    path: Path
    revision: str
    down_revision: str | None
    upgraded: bool
    """Whether the database had to be brought to head first."""
    upgraded_from: str | None
    """The revision it was at before that (None: an empty database)."""


def generate_revision(
    message: str,
    engine: Engine | None = None,
    *,
    metadata: MetaData | None = None,
    versions_dir: Path | None = None,
    allow_empty: bool = False,
) -> GeneratedRevision:
    """Autogenerate the next revision from the models into ``versions_dir``.

    The database behind ``engine`` is brought to head first; without ``engine`` a scratch SQLite
    database is created, migrated to head and thrown away. ``metadata`` replaces ``SQLModel.metadata``
    (tests); ``versions_dir`` replaces ``models/migrations/versions`` as the place the file is written
    (the existing revisions are still read from there). Raises ``NothingToGenerate`` when the models
    and the schema at head already agree, unless ``allow_empty``.
    """
    if engine is None:
        from models.db import make_engine

        with tempfile.TemporaryDirectory(prefix="regdash-revision-") as scratch:
            scratch_engine = make_engine(f"sqlite:///{Path(scratch) / 'scratch.db'}")
            try:
                return _generate(message, scratch_engine, metadata, versions_dir, allow_empty)
            finally:
                scratch_engine.dispose()
    return _generate(message, engine, metadata, versions_dir, allow_empty)


def _generate(
    message: str,
    engine: Engine,
    metadata: MetaData | None,
    versions_dir: Path | None,
    allow_empty: bool,
) -> GeneratedRevision:
    extra = [versions_dir] if versions_dir is not None and versions_dir.resolve() != VERSIONS_DIR else []
    for directory in extra:
        directory.mkdir(parents=True, exist_ok=True)
    before = current_revision(engine)
    upgrade(engine, extra_versions=extra)
    head = current_revision(engine)

    def refuse_empty(_context, _revision, directives) -> None:
        if not allow_empty and directives[0].upgrade_ops.is_empty():
            raise NothingToGenerate(
                f"the models match the schema at revision {head}; nothing to generate"
                " (pass --empty for a hand-written migration)"
            )

    config = alembic_config(_engine_url(engine), extra_versions=extra)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        if metadata is not None:
            config.attributes["target_metadata"] = metadata
        script = command.revision(
            config,
            message=message,
            autogenerate=True,
            version_path=str(extra[0]) if extra else None,
            process_revision_directives=refuse_empty,
        )
    assert script is not None and not isinstance(script, list)
    down = script.down_revision
    return GeneratedRevision(
        path=Path(script.path),
        revision=script.revision,
        down_revision=down if isinstance(down, str) or down is None else ",".join(down),
        upgraded=before != head,
        upgraded_from=before,
    )
