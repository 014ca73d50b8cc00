"""Frozen populations on both engines: content-addressed, stored once, loaded back exactly."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import func, select

from models.draw_records import WorkflowError
from models.frames import load_certificate_frame, load_inspector_pool
from models.frozen import FrozenPopulation, freeze, frozen_info, load_frozen
from sampler.assign import pool_hash
from sampler.frame import Frame, frame_hash


def _rows(store) -> int:
    with store.connect() as connection:
        return connection.execute(select(func.count()).select_from(FrozenPopulation.__table__)).scalar_one()


def test_the_same_frame_frozen_twice_is_stored_once_and_loads_back_identical(store):
    frame = load_certificate_frame(store)
    with store.begin() as connection:
        first = freeze(connection, "frame", frame)
    with store.begin() as connection:
        again = freeze(connection, "frame", frame.iloc[::-1])  # same content, another row order
    assert first == again == frame_hash(frame) == Frame(frame).content_hash
    assert _rows(store) == 1
    loaded = load_frozen(store, first)
    pd.testing.assert_frame_equal(loaded, frame)  # columns, dtypes, row order, values
    assert frame_hash(loaded) == first
    info = frozen_info(store, first)
    assert info["kind"] == "frame" and info["row_count"] == len(frame) == 3
    assert info["byte_size"] > 0


def test_a_pool_is_keyed_by_the_assignment_pool_hash_and_loads_back_identical(store):
    pool = load_inspector_pool(store)
    with store.begin() as connection:
        digest = freeze(connection, "pool", pool)
        freeze(connection, "pool", pool)
    assert digest == pool_hash(pool)
    loaded = load_frozen(store, digest, kind="pool")
    pd.testing.assert_frame_equal(loaded, pool)
    assert pool_hash(loaded) == digest
    assert _rows(store) == 1
    with pytest.raises(WorkflowError) as wrong_kind:
        load_frozen(store, digest, kind="frame")
    assert wrong_kind.value.code == "frozen_missing"


def test_a_missing_frozen_set_is_named(store):
    with pytest.raises(WorkflowError) as missing:
        load_frozen(store, "ab" * 32)
    assert missing.value.code == "frozen_missing" and "abababab" in str(missing.value)
    assert frozen_info(store, "ab" * 32) is None


def test_the_audit_log_vouches_for_the_frozen_sets_a_draw_was_opened_on(store):
    from sqlalchemy import update

    from models.audit import verify_rows
    from models.lottery import open_draw
    from tests.support.actors import PLANNER

    session = open_draw(
        store,
        campaign_name="固化审计",
        year=2027,
        scheme="QMS",
        frame=load_certificate_frame(store),
        pool=load_inspector_pool(store),
        actor=PLANNER,
    )
    assert verify_rows(store).changed == ()
    table = FrozenPopulation.__table__
    other = load_frozen(store, session.frame_hash).iloc[:2]
    with store.begin() as connection:  # behind the app's back: another frame's bytes under the same key
        forged = freeze(connection, "frame", other)
        data = connection.execute(select(table.c.data).where(table.c.hash == forged)).scalar_one()
        connection.execute(table.delete().where(table.c.hash == forged))
        connection.execute(update(table).where(table.c.hash == session.frame_hash).values(data=data))
    problems = verify_rows(store).changed
    assert [(p.rowset, p.key) for p in problems] == [("frozen_frame", session.frame_hash)]
    with pytest.raises(WorkflowError) as caught:  # and the draw refuses the forged content
        load_frozen(store, session.frame_hash)
    assert caught.value.code == "frozen_damaged"


def test_two_transactions_freezing_the_same_frame_at_once_store_it_once(store):
    import threading

    frame = load_certificate_frame(store)
    barrier = threading.Barrier(2)
    digests: list[str] = []
    failures: list[BaseException] = []

    def worker() -> None:
        try:
            with store.begin() as connection:
                barrier.wait(timeout=30)
                digests.append(freeze(connection, "frame", frame))
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == [] and digests == [frame_hash(frame)] * 2
    assert _rows(store) == 1


def _rewrite(store, digest: str, data) -> None:
    table = FrozenPopulation.__table__
    with store.begin() as connection:
        connection.execute(table.update().where(table.c.hash == digest).values(data=data))


@pytest.mark.parametrize("damage", ["flipped byte", "truncated", "another set's content", "empty"])
def test_a_frozen_set_changed_behind_the_apps_back_is_refused_by_name(store, damage):
    frame = load_certificate_frame(store)
    other = frame.assign(institution_id=frame["institution_id"] + 1)  # a valid frame, other content
    with store.begin() as connection:
        digest = freeze(connection, "frame", frame)
        foreign = freeze(connection, "frame", other)
    with store.connect() as connection:
        table = FrozenPopulation.__table__
        stored = dict(connection.execute(select(table.c.hash, table.c.data)).all())
    data = bytes(stored[digest])
    middle = len(data) // 2
    replaced = {
        "flipped byte": data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1 :],
        "truncated": data[: len(data) - 40],
        "another set's content": bytes(stored[foreign]),
        "empty": b"",
    }[damage]
    _rewrite(store, digest, replaced)
    with pytest.raises(WorkflowError) as caught:
        load_frozen(store, digest)
    assert caught.value.code == "frozen_damaged" and caught.value.fields == {"hash": digest}
