"""PostgreSQL specifics: --force replaces in one transaction; without it a filled store is refused."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from models.db import make_engine
from seed.build import SeedError, seed_database
from seed.hashing import content_hash

pytestmark = pytest.mark.postgres


def test_force_replaces_and_refusal_leaves_data(postgres_server):
    url = postgres_server.create_database("regdash_seed_force")
    seed_database(url, scale="demo", seed=1)
    engine = make_engine(url)
    try:
        first = content_hash(engine)
        with pytest.raises(SeedError, match="already holds data: use --force"):
            seed_database(url, scale="demo", seed=2)
        assert content_hash(engine) == first
        report = seed_database(url, scale="demo", seed=2, force=True)
        assert report.rows["certificate"] == 40_000
        second = content_hash(engine)
        assert second != first
        # Seeding seed 1 again with --force restores exactly the first content.
        seed_database(url, scale="demo", seed=1, force=True)
        assert content_hash(engine) == first
        # COPY with explicit ids leaves the id sequences past the loaded rows.
        with engine.begin() as connection:
            top = connection.execute(text("SELECT max(id) FROM campaign")).scalar_one()
            new_id = connection.execute(
                text(
                    "INSERT INTO campaign (year, name, legal_basis, unit_type, status) "
                    "VALUES (2027, 'x', 'y', 'certificate', 'planned') RETURNING id"
                )
            ).scalar_one()
        assert new_id == top + 1
    finally:
        engine.dispose()
