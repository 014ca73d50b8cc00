"""Shared fixtures: a real SQLite file and a real PostgreSQL server, parametrised over both."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from models.db import make_engine
from models.migrate import upgrade
from tests.support.postgres import PostgresServer, PostgresUnavailable, start_server

_database_counter = itertools.count()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One PostgreSQL cluster for the whole run; fails plainly if the binaries are missing."""
    try:
        server = start_server()
    except PostgresUnavailable as error:
        pytest.fail(str(error), pytrace=False)
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_database_url(request, tmp_path) -> str:
    """URL of a new, empty database on SQLite (a file) or PostgreSQL (a new database)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'regdash.db'}"
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return server.create_database(f"regdash_test_{next(_database_counter)}")


@pytest.fixture
def migrated_engine(empty_database_url) -> Iterator[Engine]:
    """An engine on a fresh database with the schema at head."""
    engine = make_engine(empty_database_url)
    upgrade(engine)
    yield engine
    engine.dispose()
