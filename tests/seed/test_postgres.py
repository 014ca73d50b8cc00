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


def test_every_seeded_campaign_verifies_on_postgresql(postgres_server):
    """Certificate and institution campaigns alike: the record re-derives from the frozen population,
    the bundle checks, and the audit log (chain and rows) is intact."""
    from models.audit import verify_chain, verify_rows
    from models.bundle import build_bundle, check_bundle
    from models.draw_record_export import stored_draw_record
    from models.frozen import load_frozen
    from sampler.verify import verify_record
    from tests.support.actors import STAFF

    url = postgres_server.create_database("regdash_seed_verify")
    seed_database(url, scale="demo", seed=3)
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            draws = connection.execute(
                text(
                    "SELECT d.id, d.campaign_id, c.unit_type FROM draw d "
                    "JOIN campaign c ON c.id = d.campaign_id"
                )
            ).all()
        assert {kind for *_, kind in draws} == {"certificate", "institution"}
        for draw_id, campaign_id, _kind in draws:
            record = stored_draw_record(engine, draw_id).record
            frame = load_frozen(engine, record["frame_hash"], kind="frame")
            pool = load_frozen(engine, record["assignment"]["pool_hash"], kind="pool")
            result = verify_record(record, frame, pool)
            assert result.match, (draw_id, result.differences[:3])
            checked = check_bundle(build_bundle(engine, campaign_id, actor=STAFF, to_check=True).content)
            assert checked.match, (campaign_id, checked.differences[:3])
        assert verify_chain(engine).broken_entry is None
        assert verify_rows(engine).changed == ()
    finally:
        engine.dispose()
