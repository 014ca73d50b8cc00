"""Cached reads follow writes made by another process: the audit log's newest entry is in the key."""

from __future__ import annotations

import shutil

import pandas as pd

from dashboard import cache
from models.db import make_engine
from models.draw_records import DrawRecord, commit_draw
from models.queries.campaigns import campaign_list
from tests.support.actors import PLANNER, STAFF


def test_a_write_elsewhere_changes_the_cached_read_once_the_version_is_reread(
    demo_database_url, tmp_path, monkeypatch
):
    target = tmp_path / "cache.db"
    shutil.copyfile(demo_database_url.removeprefix("sqlite:///"), target)
    url = f"sqlite:///{target}"
    monkeypatch.setenv("REGDASH_DATABASE_URL", url)
    before = cache.query(campaign_list, viewer=STAFF)
    engine = make_engine(url)  # another process's engine: this process's caches are not cleared
    with engine.connect() as connection:
        certificate, institution, region = connection.exec_driver_sql(
            "SELECT id, institution_id, region_code FROM certificate WHERE scheme_code = 'QMS' LIMIT 1"
        ).one()
    record = DrawRecord(
        campaign_name="缓存测试", year=2027, seed=1, frame_hash="ab" * 32, params={}, sampler_version="t"
    )
    targets = pd.DataFrame(
        {
            "unit_id": [certificate],
            "institution_id": [institution],
            "region": [region],
            "scheme": ["QMS"],
            "inclusion_probability": [0.5],
        }
    )
    empty_teams = pd.DataFrame({"unit_id": [], "inspector_id": [], "role": []})
    commit_draw(engine, record, targets, empty_teams, actor=PLANNER)
    engine.dispose()
    cache._data_version.clear()  # what the 2-second TTL does
    after = cache.query(campaign_list, viewer=STAFF)
    assert len(after) == len(before) + 1 and "缓存测试" in set(after["name"])
