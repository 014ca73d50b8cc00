"""The columnar frame and pool readers against the row-by-row readers they replaced, on both engines.

Same columns, dtypes, values and row order, hence the same frame hash, and a draw recorded from the
old reader verifies against the new one.
"""

from __future__ import annotations

import datetime as dt
import itertools
import subprocess
import sys

import pandas as pd
import pytest
from sqlalchemy import create_engine, insert
from sqlalchemy.pool import StaticPool
from sqlmodel import SQLModel

from models import InspectorAffiliation, InspectorScheme, Organisation
from models.db import make_engine
from models.frames import StoreReadError, load_certificate_frame, load_inspector_pool
from sampler.assign import parse_pool
from sampler.frame import Frame
from sampler.plan_file import parse_plan
from sampler.run import plan_frame, run_draw
from sampler.verify import verify_record
from tests.support import rowwise_frames
from tests.support.rows import (
    insert_guangdong_certificates,
    insert_guangdong_inspectors,
    insert_one_institution,
)

DEMO_SEED = 20171201
_databases = itertools.count()

FILTERS = [
    {},
    {"schemes": ("EnMS",)},
    {"schemes": ("QMS", "EMS"), "provinces": ("440000", "330000")},
    {"provinces": ("110000",)},
    {"status": "suspended"},
    {"status": "expired", "schemes": ("OHSMS",)},
]

PLAN = {
    "seed": 20261124,
    "strata": ["region", "scheme"],
    "n": 300,
    "allocation": {"method": "proportional", "minimum": 1},
    "assumed": {"rate": 0.02},
    "institution_column": "institution_id",
    "assignment": {"team_size": 2, "cap": 3, "inspection_date": "2026-12-01", "cross_region": True},
}


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def demo_store(request, tmp_path_factory):
    """The demo country seeded into SQLite or PostgreSQL: (engine name, engine)."""
    from seed.build import seed_database

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('frames') / 'regdash.db'}"
    else:
        url = request.getfixturevalue("postgres_server").create_database(f"frames_{next(_databases)}")
    seed_database(url, scale="demo", seed=DEMO_SEED)
    engine = make_engine(url)
    yield request.param, engine
    engine.dispose()


@pytest.mark.parametrize(
    "filters", FILTERS, ids=lambda f: ",".join(f"{k}={v}" for k, v in f.items()) or "all"
)
def test_frame_equals_the_rowwise_reader(demo_store, filters):
    _, engine = demo_store
    old = rowwise_frames.load_certificate_frame(engine, **filters)
    new = load_certificate_frame(engine, **filters)
    assert len(new) > 0
    pd.testing.assert_frame_equal(new, old, check_exact=True)  # columns, dtypes, values, row order
    assert Frame(new).content_hash == Frame(old).content_hash


def test_identifiers_stay_text(demo_store):
    _, engine = demo_store
    frame = load_certificate_frame(engine)
    assert list(frame.columns) == ["unit_id", "region", "scheme", "institution_id", "risk_grade"]
    assert frame["unit_id"].dtype == "int64" and frame["institution_id"].dtype == "int64"
    for column in ("region", "scheme", "risk_grade"):
        assert pd.api.types.is_string_dtype(frame[column].dtype), column
    assert frame["region"].str.fullmatch(r"\d{6}").all()  # GB/T 2260 codes, not numbers
    assert "440000" in set(frame["region"])
    assert frame["unit_id"].is_monotonic_increasing


def test_pool_equals_the_rowwise_reader(demo_store):
    engine_name, engine = demo_store
    old = rowwise_frames.load_inspector_pool(engine)
    new = load_inspector_pool(engine)
    assert new["inspector_id"].is_monotonic_increasing
    if engine_name == "postgresql":
        # the old query had no ORDER BY: PostgreSQL gave the rows in its physical order
        old = old.sort_values("inspector_id", kind="stable").reset_index(drop=True)
    pd.testing.assert_frame_equal(new, old, check_exact=True)
    assert parse_pool(new).hash == parse_pool(old).hash
    assert isinstance(new["id_valid_until"].iloc[0], dt.date)
    assert (new["affiliations"] != "").any() and (new["schemes"] != "").all()


def test_a_draw_recorded_from_the_rowwise_reader_verifies(demo_store):
    _, engine = demo_store
    plan = parse_plan(PLAN)
    record = run_draw(
        plan_frame(rowwise_frames.load_certificate_frame(engine), plan),
        plan,
        rowwise_frames.load_inspector_pool(engine),
    )
    result = verify_record(record, load_certificate_frame(engine), load_inspector_pool(engine))
    assert result.match, result.differences
    assert {"frame_hash", "draw", "assignment"} <= set(result.checked)


def test_an_empty_frame_keeps_its_columns_and_types(demo_store):
    _, engine = demo_store
    frame = load_certificate_frame(engine, schemes=("no-such-scheme",))
    assert frame.empty
    assert list(frame.columns) == ["unit_id", "region", "scheme", "institution_id", "risk_grade"]
    assert frame["unit_id"].dtype == "int64"
    assert pd.api.types.is_string_dtype(frame["region"].dtype)


def test_a_missing_sqlite_file_is_reported_and_not_created(tmp_path):
    path = tmp_path / "absent.db"
    engine = make_engine(f"sqlite:///{path}")
    with pytest.raises(StoreReadError, match="no SQLite store"):
        load_certificate_frame(engine)
    assert not path.exists()


def test_the_password_never_shows(tmp_path):
    secret = "s3cr3t-p@ss/word"
    from urllib.parse import quote

    url = f"postgresql://regdash:{quote(secret, safe='')}@127.0.0.1:1/regdash"  # nothing listens on port 1
    with pytest.raises(StoreReadError) as caught:
        load_certificate_frame(make_engine(url))
    message = str(caught.value)
    assert secret not in message and quote(secret, safe="") not in message
    assert "***" in message and "127.0.0.1" in message

    plan = tmp_path / "plan.json"
    plan.write_text('{"seed": 1, "strata": ["region"], "n": 5, "assumed": {"rate": 0.02}}')
    completed = subprocess.run(
        [sys.executable, "-m", "cli.main", "power", "--plan", str(plan), "--database-url", url],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 2
    output = completed.stdout + completed.stderr
    assert "error:" in output
    assert secret not in output and quote(secret, safe="") not in output


@pytest.mark.postgres
def test_the_password_never_shows_in_a_server_error(postgres_server):
    secret = "an0ther-secret"
    url = postgres_server.url("no_such_database").replace("postgres@", f"postgres:{secret}@")
    with pytest.raises(StoreReadError) as caught:
        load_inspector_pool(make_engine(url))
    assert "no_such_database" in str(caught.value)
    assert secret not in str(caught.value)


def test_an_in_memory_store_is_read_through_the_engine():
    engine = create_engine("sqlite://", poolclass=StaticPool)
    SQLModel.metadata.create_all(engine)
    with engine.begin() as connection:
        insert_one_institution(connection)
        insert_guangdong_certificates(connection, (3, 1, 2), scheme_of=lambda i: "QMS" if i % 2 else "EMS")
        insert_guangdong_inspectors(connection, (2, 1), active=lambda i: i == 1)
        connection.execute(
            insert(InspectorScheme.__table__),
            [dict(inspector_id=1, scheme_code="QMS"), dict(inspector_id=1, scheme_code="EMS")],
        )
        connection.execute(
            insert(InspectorAffiliation.__table__),
            [dict(inspector_id=2, institution_id=1, started_on=dt.date(2020, 1, 1))],
        )
    pd.testing.assert_frame_equal(
        load_certificate_frame(engine), rowwise_frames.load_certificate_frame(engine), check_exact=True
    )
    pd.testing.assert_frame_equal(
        load_inspector_pool(engine),
        rowwise_frames.load_inspector_pool(engine).sort_values("inspector_id").reset_index(drop=True),
        check_exact=True,
    )


def _count_elsewhere(path, table: str) -> int:
    """The rows of ``table`` as another process sees them (it opens, reads and closes the database)."""
    code = (
        f"import sqlite3; c = sqlite3.connect({str(path)!r}); "
        f"print(c.execute('SELECT count(*) FROM {table}').fetchone()[0]); c.close()"
    )
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return int(completed.stdout)


def test_commits_after_a_frame_read_stay_visible_to_other_processes(tmp_path):
    """Reading a frame must not break this process's SQLite locks (a second SQLite library did).

    The app keeps its connections open, reads frames and commits draws; the CLI, a backup or another
    app process opens and closes the same file in between. Every commit must reach them.
    """
    path = tmp_path / "regdash.db"
    engine = make_engine(f"sqlite:///{path}")
    SQLModel.metadata.create_all(engine)
    with engine.begin() as connection:
        insert_one_institution(connection)
    with engine.connect() as held:  # a connection the app holds on to
        load_certificate_frame(engine)
        load_inspector_pool(engine)
        assert _count_elsewhere(path, "organisation") == 0
        for number in (1, 2):
            organisation = dict(
                name=f"公司{number}",
                credit_code=f"91440300MA5XXXXX{number:02d}",
                region_code="440000",
                industry="制造业",
            )
            with engine.begin() as connection:
                connection.execute(insert(Organisation.__table__), [organisation])
            assert _count_elsewhere(path, "organisation") == number
        held.exec_driver_sql("SELECT 1")
    engine.dispose()
