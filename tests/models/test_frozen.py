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
