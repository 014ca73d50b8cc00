"""Seeded databases shared by the seeding tests (each built once per session)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from models.db import make_engine
from seed.build import Dataset, generate, seed_database

DEMO_SEED = 20171201


@pytest.fixture(scope="session")
def demo_dataset() -> Dataset:
    """The in-memory demo dataset (hidden traits such as bad actors included)."""
    return generate("demo", DEMO_SEED)


@pytest.fixture(scope="session")
def demo_sqlite(tmp_path_factory) -> Path:
    """A demo database file seeded with DEMO_SEED."""
    path = tmp_path_factory.mktemp("demo") / "regdash.db"
    seed_database(f"sqlite:///{path}", scale="demo", seed=DEMO_SEED)
    return path


@pytest.fixture
def demo_engine(demo_sqlite) -> Engine:
    engine = make_engine(f"sqlite:///{demo_sqlite}")
    yield engine
    engine.dispose()
