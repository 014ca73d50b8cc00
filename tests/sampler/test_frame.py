"""Frames: validation, strata, and an order-independent content hash."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sampler.errors import SamplerError
from sampler.frame import Frame, content_hash


@settings(derandomize=True, max_examples=40, deadline=None)
@given(permutation_seed=st.integers(0, 2**32 - 1), column_seed=st.integers(0, 10))
def test_hash_ignores_row_and_column_order(permutation_seed, column_seed):
    from tests.sampler.conftest import make_frame_table

    table = make_frame_table(200)
    shuffled = table.sample(frac=1.0, random_state=permutation_seed)
    columns = list(table.columns)
    columns = columns[column_seed % len(columns) :] + columns[: column_seed % len(columns)]
    assert Frame(shuffled[columns]).content_hash == Frame(table).content_hash


def test_hash_changes_with_any_value(frame_table):
    original = Frame(frame_table).content_hash
    changed = frame_table.copy()
    changed.loc[17, "region"] = "XZ"
    assert Frame(changed).content_hash != original
    fewer = frame_table.iloc[1:]
    assert Frame(fewer).content_hash != original
    renamed = frame_table.rename(columns={"risk_grade": "grade"})
    assert content_hash(renamed, key="unit_id") != original


def test_hash_is_stable_across_id_types_of_same_text():
    text_ids = pd.DataFrame({"unit_id": ["a", "b"], "region": ["BJ", "GD"], "scheme": ["QMS", "QMS"]})
    assert Frame(text_ids).content_hash == Frame(text_ids.iloc[::-1]).content_hash
    assert len(Frame(text_ids).content_hash) == 64


def test_strata_labels_sizes_and_canonical_order(frame_table):
    frame = Frame(frame_table)
    sizes = frame.stratum_sizes()
    expected = frame_table.groupby(["region", "scheme"]).size()
    expected.index = [f"{r}|{s}" for r, s in expected.index]
    assert sizes.sort_index().to_dict() == expected.sort_index().to_dict()
    assert list(frame.stratum_labels) == sorted(frame.stratum_labels)
    order = frame.canonical_order
    ordered = frame_table.iloc[order]
    labels = ordered["region"] + "|" + ordered["scheme"]
    assert list(labels) == sorted(labels)
    assert sorted(order.tolist()) == list(range(len(frame_table)))


def test_single_stratum_and_other_keys(frame_table):
    assert Frame(frame_table, strata=()).stratum_labels == ("all",)
    by_grade = Frame(frame_table, strata=["risk_grade"])
    assert set(by_grade.stratum_labels) == {"A", "B", "C"}


def test_stratum_mean_and_cells(frame_table):
    frame = Frame(frame_table)
    means = frame.stratum_mean("risk_grade", {"A": 1, "B": 2, "C": 4})
    label = frame.stratum_labels[0]
    region, scheme = label.split("|")
    subset = frame_table[(frame_table.region == region) & (frame_table.scheme == scheme)]
    assert means[label] == pytest.approx(subset.risk_grade.map({"A": 1, "B": 2, "C": 4}).mean())
    with pytest.raises(SamplerError, match="no weight given for risk_grade value"):
        frame.stratum_mean("risk_grade", {"A": 1})
    cells = frame.cell_counts("institution_id")
    assert cells["units"].sum() == len(frame_table)


@pytest.mark.parametrize(
    ("mutate", "field", "text"),
    [
        (lambda t: t.drop(columns="region"), "region", "missing column"),
        (lambda t: t.iloc[:0], "frame", "frame is empty"),
        (lambda t: t.assign(unit_id=1), "unit_id", "repeats the id"),
        (lambda t: t.assign(scheme=None), "scheme", "missing values"),
    ],
)
def test_bad_frames_name_the_field(frame_table, mutate, field, text):
    with pytest.raises(SamplerError) as info:
        Frame(mutate(frame_table))
    assert info.value.field == field
    assert text in str(info.value)


def test_small_and_large_hash_paths_agree(frame_table, monkeypatch):
    import sampler.frame as frame_module

    mixed = frame_table.assign(region=frame_table.region.astype(object), flag=frame_table.unit_id % 2 == 0)
    small = content_hash(mixed, key="unit_id")
    monkeypatch.setattr(frame_module, "_SMALL_TABLE", 0)
    assert content_hash(mixed, key="unit_id") == small


def test_hash_and_draw_survive_a_csv_round_trip(frame_table, tmp_path):
    from sampler.draw import draw_sample

    path = tmp_path / "frame.csv"
    frame_table.to_csv(path, index=False)
    reread = pd.read_csv(path)
    assert Frame(reread).content_hash == Frame(frame_table).content_hash
    sizes = {label: 2 for label in Frame(frame_table).stratum_labels}
    assert (
        draw_sample(Frame(reread), sizes, seed=5).unit_ids
        == draw_sample(Frame(frame_table), sizes, seed=5).unit_ids
    )


def _golden_tables() -> dict[str, pd.DataFrame]:
    import datetime as dt

    import numpy as np

    from tests.sampler.conftest import make_frame_table

    rng = np.random.default_rng(20261124)
    large = make_frame_table(60_000, seed=3, institutions=400)
    n = 30_000
    text_ids = pd.DataFrame(
        {
            "unit_id": [f"C-{i:06d}" for i in rng.permutation(n)],
            "region": rng.choice(["440000", "110000", "330000", "650000"], n),
            "scheme": rng.choice(["QMS", "EMS", "质量"], n),
            "score": np.where(rng.random(n) < 0.1, np.nan, rng.integers(0, 5, n).astype(float)),
            "flag": rng.random(n) < 0.5,
            "since": [dt.date(2020, 1, 1) + dt.timedelta(days=int(d)) for d in rng.integers(0, 2000, n)],
            "mixed": pd.Series([1, 1.0, "1", None, 2.5] * (n // 5), dtype=object),
        }
    )
    return {
        "small": make_frame_table(3000),
        "large": large,
        "shuffled": large.sample(frac=1.0, random_state=5),
        "text_ids": text_ids,
        "text_ids_small": text_ids.head(500),
    }


# content hash, canonical order and stratum codes (sha256 prefixes of their int64 bytes) and the number of
# strata, as computed by the implementation before the hash and order were made faster (issue 13):
# recorded draws must keep verifying.
GOLDEN = {
    "small": (
        "1b671094ac47286be4603e3a94ca124330f1b44beb67540081171e323304ece5",
        "96061f13acc381d2",
        "5c1a32b5e2299476",
        12,
    ),
    "large": (
        "be07b0fa9cb4a3324e52106d1f57c411e96f485e92107e42050aa0c0afe89a1e",
        "78b277b82b4e8833",
        "8b16a305e41397de",
        12,
    ),
    "shuffled": (
        "be07b0fa9cb4a3324e52106d1f57c411e96f485e92107e42050aa0c0afe89a1e",
        "6162aefca35f1010",
        "614e5890ceff5ecb",
        12,
    ),
    "text_ids": (
        "78d29b608bb66ce241e3c2b4e9855bd5095721397f3a37f73897145d9b3265a4",
        "4b0246915f2dd5b3",
        "e4d830078390edcc",
        12,
    ),
    "text_ids_small": (
        "6b77047f638e20c317bf936851ff771f884e5104827c5eb5fb6355f377e0294c",
        "15fd502a8a68c480",
        "694b81cf80107fce",
        12,
    ),
}


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_hash_and_order_are_those_of_earlier_versions(name):
    import hashlib

    import numpy as np

    frame = Frame(_golden_tables()[name])

    def digest(values):
        return hashlib.sha256(np.asarray(values, dtype="<i8").tobytes()).hexdigest()[:16]

    assert (
        frame.content_hash,
        digest(frame.canonical_order),
        digest(frame.stratum_codes),
        len(frame.stratum_labels),
    ) == GOLDEN[name]


def test_hash_and_id_order_are_computed_once_per_frame(frame_table, monkeypatch):
    import sampler.frame as module

    calls = {"id_order": 0, "hash": 0}
    id_order, digest = module._id_order, module._content_hash

    def counted_id_order(ids):
        calls["id_order"] += 1
        return id_order(ids)

    def counted_hash(*args):
        calls["hash"] += 1
        return digest(*args)

    monkeypatch.setattr(module, "_id_order", counted_id_order)
    monkeypatch.setattr(module, "_content_hash", counted_hash)
    frame = Frame(frame_table)
    for _ in range(3):
        assert frame.content_hash == content_hash(frame_table, key="unit_id")
        frame.canonical_order  # noqa: B018
    other = frame.with_strata(["risk_grade"])
    other.content_hash  # noqa: B018
    other.canonical_order  # noqa: B018
    # one each for the frame (shared with the restratified copy), one each for the free function
    assert calls == {"id_order": 4, "hash": 4}
