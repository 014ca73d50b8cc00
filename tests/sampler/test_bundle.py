"""The public bundle, offline: written from a record, it verifies from its files alone; every kind
of tampering or unsafe zip is named (sampler.bundle)."""

from __future__ import annotations

import io
import json

import pytest

from sampler.assign import parse_pool
from sampler.bundle import (
    BundleFormatError,
    BundleLimits,
    _combine,
    pool_hash_of,
    verify_bundle,
    write_bundle,
)
from sampler.frame import _column_digest, content_hash
from sampler.plan_file import parse_plan
from sampler.run import plan_frame, run_draw
from tests.sampler.conftest import make_frame_table, make_pool
from tests.support.bundles import change_frame_row, members, rezip

PLAN = {
    "seed": 99,
    "n": 30,
    "allocation": {"minimum": 1},
    "assignment": {"inspection_date": "2026-12-01", "cap": 3, "cross_region": True},
}
RECORDED = {"draw_id": 7, "campaign": {"id": 3, "name": "2027 QMS 抽查", "year": 2027, "scheme": "QMS"}}


@pytest.fixture(scope="module")
def drawn():
    table, pool = make_frame_table(1500), make_pool(100)
    plan = parse_plan(PLAN)
    record = json.loads(json.dumps(run_draw(plan_frame(table, plan), plan, pool))) | RECORDED
    return table, pool, record


@pytest.fixture(scope="module")
def bundle(drawn):
    table, pool, record = drawn
    public = table[["unit_id"]].assign(certificate_number="CN-" + table["unit_id"].astype(str))
    return write_bundle(record, table, pool, public=public, salt=b"test-salt")


def test_the_pool_hash_recombines_from_column_digests(drawn):
    """_combine(column digests) is sampler.frame.content_hash; the pool hash from pool.csv's columns."""
    table, pool, _ = drawn
    digests = {name: _column_digest(table[name], None) for name in table.columns}
    assert _combine(digests) == content_hash(table, key="unit_id")
    hashed = parse_pool(pool).hashed
    assert content_hash(hashed, key="inspector_id") == parse_pool(pool).hash
    without = hashed.drop(columns=["inspector_id"])
    assert pool_hash_of(without, _column_digest(hashed["inspector_id"], None)) == parse_pool(pool).hash


def test_a_genuine_bundle_matches_offline(bundle, drawn):
    result = verify_bundle(bundle)
    assert result.match, result.differences
    assert result.checked == ("record_version", "plan", "seed", "frame_hash", "draw", "assignment")
    assert result.campaign == RECORDED["campaign"] and result.draw_id == 7
    files = members(bundle)
    assert set(files) == {"manifest.json", "README.md", "record.json", "plan.json", "frame.csv", "pool.csv"}
    record = json.loads(files["record.json"])
    _, pool, original = drawn
    assert record["frame_hash"] == original["frame_hash"]
    assert record["assignment"]["pool_hash"] == original["assignment"]["pool_hash"]
    ids = {str(i) for i in pool["inspector_id"]}
    keys = {m["inspector_id"] for m in record["assignment"]["teams"]}
    assert keys and not keys & ids  # teams name the pseudonymous keys, never an inspector id
    assert "inspector_id" not in files["pool.csv"].decode().splitlines()[0]
    assert "CN-" in files["frame.csv"].decode()
    assert "中文" in files["README.md"].decode() and "regdash verify --bundle" in files["README.md"].decode()


def test_keys_differ_between_bundles_of_the_same_draw(drawn):
    table, pool, record = drawn
    one, two = (json.loads(members(write_bundle(record, table, pool))["record.json"]) for _ in range(2))
    assert one["assignment"]["teams"][0]["inspector_id"] != two["assignment"]["teams"][0]["inspector_id"]


def test_a_changed_frame_row_names_the_unit_and_the_frame_hash(bundle):
    for careful in (False, True):
        files, unit = change_frame_row(members(bundle))
        result = verify_bundle(rezip(files, manifest_too=careful))
        assert not result.match
        lines = list(result.differences)
        if not careful:
            assert (
                lines.pop(0)
                == "frame.csv: its sha256 differs from the one manifest.json lists (the file was changed)"
            )
        assert (
            lines[0]
            == f"frame.csv: the row of unit {unit} does not match its row_check (a value in it was changed)"
        )
        assert lines[1].startswith('frame_hash: recorded "') and "the frame given has" in lines[1]


def test_a_missing_file_is_named(bundle):
    files = members(bundle)
    for name in ("pool.csv", "plan.json", "README.md"):
        result = verify_bundle(rezip({k: v for k, v in files.items() if k != name}))
        assert result.differences == (f"{name}: missing from the bundle",)


def test_an_altered_plan_is_named(bundle):
    files = members(bundle)
    plan = json.loads(files["plan.json"])
    plan["n"] = 31
    result = verify_bundle(rezip({**files, "plan.json": json.dumps(plan).encode()}, manifest_too=True))
    assert result.differences == ("plan.json: plan.n: recorded 31, record.json has 30",)
    # the record's plan altered too: re-derivation names the consequences
    record = json.loads(files["record.json"])
    record["plan"]["n"] = 31
    forged = {**files, "plan.json": json.dumps(plan).encode(), "record.json": json.dumps(record).encode()}
    result = verify_bundle(rezip(forged, manifest_too=True))
    assert result.differences[0].startswith("draw.params.sizes.")


def test_a_record_from_another_campaign_is_named(drawn):
    table, pool, record = drawn
    mine = members(write_bundle(record, table, pool))
    other = members(write_bundle(record | {"campaign": {**RECORDED["campaign"], "id": 4}}, table, pool))
    result = verify_bundle(rezip({**mine, "record.json": other["record.json"]}, manifest_too=True))
    assert not result.match
    assert "record.json: campaign.id: recorded 4, manifest.json has 3" in result.differences


def test_an_edited_pool_or_team_is_named(bundle):
    files = members(bundle)
    lines = files["pool.csv"].decode().splitlines()
    lines[3] = lines[3].replace("true", "false") if "true" in lines[3] else lines[3].replace("false", "true")
    result = verify_bundle(
        rezip({**files, "pool.csv": ("\n".join(lines) + "\n").encode()}, manifest_too=True)
    )
    assert any(
        d.startswith("assignment.pool_hash:") and "the pool given has" in d for d in result.differences
    )
    record = json.loads(files["record.json"])
    first = record["assignment"]["teams"][0]
    stranger = next(
        line.split(",")[0]
        for line in files["pool.csv"].decode().splitlines()[1:]
        if line.split(",")[0] != first["inspector_id"]
    )
    first["inspector_id"] = stranger
    result = verify_bundle(rezip({**files, "record.json": json.dumps(record).encode()}, manifest_too=True))
    assert len(result.differences) == 1
    assert result.differences[0].startswith(f'assignment.teams[0].inspector_id: recorded "{stranger}"')
    assert result.differences[0].endswith(f"(unit {first['unit_id']}, slot 1)")


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda b: b"PK not really a zip", "is not a zip file"),
        (lambda b: rezip({"hello.txt": b"hi"}), "is not a regdash bundle: it has no manifest.json"),
        (
            lambda b: rezip({**members(b), "../evil.sh": b"rm -rf /"}),
            "member '../evil.sh' is not a plain file name",
        ),
        (
            lambda b: rezip({**members(b), "/etc/passwd": b"x"}),
            "member '/etc/passwd' is not a plain file name",
        ),
        (lambda b: rezip({**members(b), "sub/x.csv": b"x"}), "member 'sub/x.csv' is not a plain file name"),
        (lambda b: rezip({**members(b), "bomb.csv": b"0" * (50 << 20)}), "is compressed"),
        (lambda b: rezip({**members(b), "manifest.json": b"{"}), "manifest.json is not valid JSON"),
        (
            lambda b: rezip({**members(b), "record.json": b"[]"}, manifest_too=True),
            "record.json: a draw record must be a JSON object",
        ),
    ],
)
def test_bad_zips_raise_one_clear_error(bundle, make, message):
    with pytest.raises(BundleFormatError, match=message.replace("(", r"\(")):
        verify_bundle(make(bundle))


def test_a_member_larger_than_the_limit_is_refused_before_reading(bundle):
    with pytest.raises(BundleFormatError, match=r"unpacks to [\d,]+ bytes, more than the 1,000"):
        verify_bundle(bundle, limits=BundleLimits(member_bytes=1000))


def test_missing_values_and_typed_columns_round_trip():
    """A missing text value (∅ in the CSV), an extra integer and a date-like text column hash the same."""
    table, pool = make_frame_table(400), make_pool(60)
    table = table.assign(
        visits=range(len(table)),
        last_drawn_on=[None if i % 3 else "2025-03-01" for i in range(len(table))],
    )
    pool = pool.assign(agency=[None if i % 2 else "某局" for i in range(len(pool))])
    plan = parse_plan(PLAN)
    record = json.loads(json.dumps(run_draw(plan_frame(table, plan), plan, pool)))
    content = write_bundle(record, table, pool)
    manifest = json.loads(members(content)["manifest.json"])
    assert manifest["frame"]["hashed_columns"]["visits"] == "int"
    assert manifest["frame"]["hashed_columns"]["last_drawn_on"] == "text"
    assert "∅" in members(content)["pool.csv"].decode()
    result = verify_bundle(content)
    assert result.match, result.differences


def test_an_uncompressed_bundle_without_public_columns_checks_the_same(drawn):
    """What the public page's button builds: members stored, no public columns; same verdict."""
    import zipfile

    table, pool, record = drawn
    content = write_bundle(record, table, pool, compress=False)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert {info.compress_type for info in archive.infolist()} == {zipfile.ZIP_STORED}
    assert "certificate_number" not in members(content)["frame.csv"].decode().splitlines()[0]
    assert verify_bundle(content).match
    forged = json.loads(members(content)["record.json"])
    forged["seed"] += 1
    assert not verify_bundle(rezip({**members(content), "record.json": json.dumps(forged).encode()})).match
