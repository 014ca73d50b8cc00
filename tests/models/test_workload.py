"""The workload cap spans every campaign of the campaign year, also when commits race (both engines).

A store with six Guangdong QMS certificates and four QMS inspectors; draws go through the real
lottery path (open, preview with the pool loaded for the year, commit). Races use real concurrent
connections: threads and separate processes, released together by a barrier.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import threading
from collections import Counter
from collections.abc import Callable

import pandas as pd
import pytest
from sqlalchemy import insert, select

from dashboard import planner
from models import Draw
from models.audit import verify_chain
from models.db import make_engine
from models.draw_record_export import stored_draw_record
from models.draw_records import WorkflowError
from models.frames import load_certificate_frame, load_inspector_pool
from models.inspectors import InspectorScheme
from models.lottery import open_draw
from models.workload import inspector_load
from sampler.errors import InfeasibleAssignmentError
from tests.cli.test_verify_exported_record import _verify
from tests.support.actors import PLANNER
from tests.support.rows import (
    insert_guangdong_certificates,
    insert_guangdong_inspectors,
    insert_one_institution,
)

INSPECTORS = (1, 2, 3, 4)
DATE = dt.date(2026, 6, 1)


@pytest.fixture
def staffed(migrated_engine):
    """Six valid QMS certificates in Guangdong and four QMS inspectors there."""
    with migrated_engine.begin() as connection:
        insert_one_institution(connection)
        insert_guangdong_certificates(connection, range(1, 7))
        insert_guangdong_inspectors(connection, INSPECTORS)
        connection.execute(
            insert(InspectorScheme.__table__), [dict(inspector_id=i, scheme_code="QMS") for i in INSPECTORS]
        )
    return migrated_engine


def _preview(engine, name: str, *, year: int = 2026, targets: int, cap: int, reason: str = ""):
    """Open the campaign's draw and preview it with the pool loaded for the cap's year."""
    session = open_draw(
        engine,
        campaign_name=name,
        year=year,
        scheme="QMS",
        frame=load_certificate_frame(engine, schemes=("QMS",)),
        pool=load_inspector_pool(engine, workload_year=year),
        actor=PLANNER,
        reason=reason,
    )
    return _draw(engine, session.id, year=year, targets=targets, cap=cap)


def _draw(engine, session_id: int, *, year: int, targets: int, cap: int):
    """Preview an open draw from its frozen population (the same inputs again give the logged
    attempt back)."""
    quotas = pd.DataFrame({"region_code": ["440000"], "scheme_code": ["QMS"], "N": [6], "n": [targets]})
    inputs = planner.draw_inputs(
        scheme="QMS",
        year=year,
        quotas=quotas,
        inspection_date=DATE,
        team_size=1,
        cap=cap,
        cross_region=False,
    )
    return planner.draw_preview(engine, session_id, quotas, inputs, actor=PLANNER)


def _commit(engine, preview, name: str, year: int = 2026) -> int:
    return planner.commit_preview(engine, preview, campaign_name=name, year=year, scheme="QMS", actor=PLANNER)


def _team_members(preview) -> set[int]:
    return {int(i) for i in preview.live.assignment.teams["inspector_id"]}


def _loads(engine, year: int = 2026) -> dict[int, int]:
    with engine.connect() as connection:
        return inspector_load(connection, year)


def _draw_ids(engine) -> list[int]:
    with engine.connect() as connection:
        return connection.execute(select(Draw.__table__.c.id).order_by(Draw.__table__.c.id)).scalars().all()


def test_the_pool_carries_each_inspectors_teams_in_the_campaign_year(staffed):
    _commit(staffed, _preview(staffed, "甲", targets=3, cap=1), "甲")
    pool = load_inspector_pool(staffed, workload_year=2026).set_index("inspector_id")["prior_load"]
    assert pool.sum() == 3 and set(pool.unique()) == {0, 1}
    assert pool.to_dict() == {i: _loads(staffed).get(i, 0) for i in INSPECTORS}
    assert load_inspector_pool(staffed, workload_year=2027)["prior_load"].sum() == 0
    assert "prior_load" not in load_inspector_pool(staffed).columns


def test_a_second_campaign_with_cap_1_takes_only_inspectors_still_free_this_year(staffed):
    first = _preview(staffed, "甲", targets=3, cap=1)
    _commit(staffed, first, "甲")
    second = _preview(staffed, "乙", targets=1, cap=1)
    assert _team_members(second) == set(INSPECTORS) - _team_members(first)  # the only one left
    draw_id = _commit(staffed, second, "乙")
    assert max(_loads(staffed).values()) == 1
    record = stored_draw_record(staffed, draw_id).record
    assert record["workload"] == {
        "basis": "campaign year",
        "year": 2026,
        "from": "2026-01-01",
        "to": "2026-12-31",
        "cap": 1,
        "prior_load": {},
    }
    with pytest.raises(InfeasibleAssignmentError, match="already reached"):
        _preview(staffed, "丙", targets=1, cap=1)
    # another year starts afresh
    _commit(staffed, _preview(staffed, "丁", year=2027, targets=4, cap=1), "丁", year=2027)
    assert _loads(staffed, 2027) == {i: 1 for i in INSPECTORS}


def test_a_commit_is_refused_when_a_commit_meanwhile_used_the_places(staffed, tmp_path):
    first = _preview(staffed, "甲", targets=4, cap=1)  # every inspector once
    second = _preview(staffed, "乙", targets=1, cap=1)  # drawn before the first is committed
    _commit(staffed, first, "甲")
    entries = verify_chain(staffed).entries
    with pytest.raises(WorkflowError) as refused:
        _commit(staffed, second, "乙")
    assert refused.value.code == "cap_exceeded"
    assert refused.value.fields["cap"] == 1 and refused.value.fields["year"] == 2026
    assert "another draw was committed meanwhile" in str(refused.value)
    assert len(_draw_ids(staffed)) == 1 and verify_chain(staffed).entries == entries  # nothing written
    # opened again (with a reason) on the current loads and a higher cap, it commits within that cap
    again = _preview(staffed, "乙", targets=2, cap=2, reason="名额已被甲占用，重新开启")
    draw_id = _commit(staffed, again, "乙")
    assert max(_loads(staffed).values()) == 2
    record = stored_draw_record(staffed, draw_id).record
    assert record["workload"]["prior_load"] == {str(i): 1 for i in sorted(_team_members(again))}
    # the frozen pool holds the loads the draw used: the record re-derives from the store
    result = _verify(staffed.url.render_as_string(hide_password=False), record, tmp_path)
    assert result.exit_code == 0, result.output


def _race(commits: list[Callable[[], int]]) -> list[object]:
    """Run the commits on threads released together; each gives a draw id or a WorkflowError code."""
    barrier = threading.Barrier(len(commits))
    outcomes: list[object] = []

    def run(commit: Callable[[], int]) -> None:
        barrier.wait()
        try:
            outcomes.append(commit())
        except WorkflowError as error:
            outcomes.append(error.code)

    threads = [threading.Thread(target=run, args=(c,)) for c in commits]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.mark.parametrize("year", [2026, 2027, 2028])
def test_two_campaigns_committed_at_the_same_instant_never_pass_the_cap(staffed, year):
    first = _preview(staffed, f"甲{year}", year=year, targets=4, cap=1)
    second = _preview(staffed, f"乙{year}", year=year, targets=2, cap=1)
    outcomes = _race(
        [
            lambda: _commit(staffed, first, f"甲{year}", year),
            lambda: _commit(staffed, second, f"乙{year}", year),
        ]
    )
    assert Counter(type(o).__name__ for o in outcomes) == {"int": 1, "str": 1}
    assert [o for o in outcomes if isinstance(o, str)] == ["cap_exceeded"]
    assert max(_loads(staffed, year).values()) == 1
    assert verify_chain(staffed).broken_entry is None


# -- separate processes -------------------------------------------------------------------------------
def _commit_in_process(url: str, name: str, session_id: int, targets: int, barrier, results) -> None:
    """A process of its own: draw the open draw's preview again, wait for the others, commit it."""
    engine = make_engine(url)
    try:
        preview = _draw(engine, session_id, year=2026, targets=targets, cap=1)
        barrier.wait()
        try:
            results.put((name, _commit(engine, preview, name)))
        except WorkflowError as error:
            results.put((name, error.code))
    finally:
        engine.dispose()


def _run_processes(url: str, jobs: list[tuple[str, int, int]]) -> dict[str, list[object]]:
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(len(jobs)), context.Queue()
    processes = [
        context.Process(target=_commit_in_process, args=(url, *job, barrier, results)) for job in jobs
    ]
    for process in processes:
        process.start()
    found: dict[str, list[object]] = {}
    for _ in jobs:
        name, outcome = results.get(timeout=120)
        found.setdefault(name, []).append(outcome)
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0
    return found


def test_processes_committing_at_once_commit_one_draw_once_and_keep_the_cap(staffed):
    url = staffed.url.render_as_string(hide_password=False)
    first = _preview(staffed, "甲", targets=4, cap=1)  # every inspector once
    rival = _preview(staffed, "乙", targets=2, cap=1)
    # 甲's draw committed by two processes at once, and a rival campaign's by a third
    found = _run_processes(
        url, [("甲", first.session_id, 4), ("甲", first.session_id, 4), ("乙", rival.session_id, 2)]
    )
    committed = [o for o in found["甲"] + found["乙"] if isinstance(o, int)]
    assert len(committed) == 1 and committed == _draw_ids(staffed)
    if isinstance(found["乙"][0], int):  # the rival won: both of 甲's commits are refused for the cap
        assert found["甲"] == ["cap_exceeded", "cap_exceeded"]
    else:
        assert "already_committed" in found["甲"] and found["乙"] == ["cap_exceeded"]
    assert max(_loads(staffed).values()) == 1
    assert verify_chain(staffed).broken_entry is None
