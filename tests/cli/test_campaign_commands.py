"""`regdash campaign list` through the real console entry point, against the seeded demo store."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from models.db import make_engine
from tests.cli.test_db_commands import regdash


@pytest.fixture(scope="module")
def seeded(tmp_path_factory) -> str:
    from seed.build import seed_database

    url = f"sqlite:///{tmp_path_factory.mktemp('campaign-cli') / 'regdash.db'}"
    seed_database(url, scale="demo", seed=20171201)
    return url


def test_list_json_has_every_campaign_with_its_keys_newest_first(seeded):
    result = regdash("campaign", "list", "--json", "--database-url", seeded)
    assert result.returncode == 0, result.stderr
    listed = json.loads(result.stdout)
    engine = make_engine(seeded)
    with engine.connect() as connection:
        stored = {
            row.id: (row.name, row.year, row.scheme_code, row.status)
            for row in connection.execute(text("SELECT id, name, year, scheme_code, status FROM campaign"))
        }
    engine.dispose()
    assert {c["id"]: (c["name"], c["year"], c["scheme"], c["status"]) for c in listed} == stored
    assert all(set(c) == {"id", "name", "year", "scheme", "status"} for c in listed)
    years = [c["year"] for c in listed]
    assert years == sorted(years, reverse=True)
    assert "planned" in {c["status"] for c in listed}


def test_list_on_a_missing_store_is_one_line_and_creates_nothing(tmp_path):
    missing = tmp_path / "absent.db"
    result = regdash("campaign", "list", "--database-url", f"sqlite:///{missing}")
    assert result.returncode == 2
    assert result.stderr.strip().startswith("error: --database-url: no database file")
    assert not missing.exists()
