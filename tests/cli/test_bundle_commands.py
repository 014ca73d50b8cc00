"""`regdash campaign bundle` and `regdash verify --bundle` through the real console entry point: a
published campaign's bundle matches offline; every kind of bad bundle is one line and exit 1 or 2."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from tests.cli.test_db_commands import regdash
from tests.support.bundles import change_frame_row, commit_small_draw, members, rezip, small_store


@pytest.fixture(scope="module")
def store_url(tmp_path_factory) -> tuple[str, int, int]:
    """A SQLite store with a published campaign and a committed, unpublished one (their ids)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('bundle-cli') / 'regdash.db'}"
    engine = small_store(url)
    published = commit_small_draw(engine, publish=True)
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM inspectorscheme"))
    drawn = commit_small_draw(engine, publish=False, name="未公示")
    engine.dispose()
    return url, published, drawn


@pytest.fixture(scope="module")
def bundle_file(store_url, tmp_path_factory):
    url, published, _ = store_url
    path = tmp_path_factory.mktemp("bundle-file") / "bundle.zip"
    result = regdash(
        "campaign", "bundle", "--campaign", str(published), "--output", str(path), "--database-url", url
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"bundle of campaign {published}, draw ")
    return path


def test_a_published_bundle_verifies_offline(bundle_file, store_url):
    _, published, _ = store_url
    plain = regdash("verify", "--bundle", str(bundle_file))
    assert plain.returncode == 0, plain.stderr
    assert plain.stdout.startswith("match: the draw re-derives exactly (record_version, plan, seed")
    as_json = regdash("verify", "--bundle", str(bundle_file), "--json")
    payload = json.loads(as_json.stdout)
    assert payload["match"] is True and payload["differences"] == []
    assert payload["campaign"]["id"] == published and payload["campaign"]["name"] == "公示包测试"


def test_an_unpublished_campaign_is_bundled_by_the_operator_with_a_note(store_url, tmp_path):
    url, _, drawn = store_url
    path = tmp_path / "drawn.zip"
    result = regdash(
        "campaign", "bundle", "--campaign", str(drawn), "--output", str(path), "--database-url", url
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.startswith(f"note: campaign {drawn} is not published (status ")
    assert regdash("verify", "--bundle", str(path)).returncode == 0


@pytest.mark.parametrize(
    ("arguments", "code", "message"),
    [
        (["--campaign", "999"], 1, "error: campaign 999 does not exist"),
        (["--campaign", "x"], 2, "error: --campaign must be a whole number from 1"),
    ],
)
def test_bundle_bad_campaign_is_one_line(store_url, tmp_path, arguments, code, message):
    url, _, _ = store_url
    result = regdash(
        "campaign", "bundle", *arguments, "--output", str(tmp_path / "x.zip"), "--database-url", url
    )
    assert result.returncode == code
    assert result.stderr.startswith(message) and len(result.stderr.splitlines()) == 1
    assert not (tmp_path / "x.zip").exists()


def _forge(kind: str, files: dict[str, bytes]) -> bytes:
    if kind == "file missing":
        return rezip({k: v for k, v in files.items() if k != "pool.csv"})
    if kind == "frame row changed":
        return rezip(change_frame_row(files)[0], manifest_too=True)
    if kind == "plan altered":
        plan = json.loads(files["plan.json"])
        plan["seed"] = plan["seed"] + 1
        return rezip({**files, "plan.json": json.dumps(plan).encode()}, manifest_too=True)
    if kind == "record of another campaign":
        record = json.loads(files["record.json"])
        record["campaign"]["id"] += 1
        return rezip({**files, "record.json": json.dumps(record).encode()}, manifest_too=True)
    if kind == "not a zip":
        return b"just some text"
    if kind == "not a bundle":
        return rezip({"notes.txt": b"hello"})
    if kind == "path traversal":
        return rezip({**files, "../../etc/cron.d/x": b"* * * * * root true"})
    if kind == "zip bomb":
        return rezip({**files, "frame.csv": b"0" * (64 << 20)})
    raise AssertionError(kind)


@pytest.mark.parametrize(
    ("kind", "code", "first"),
    [
        ("file missing", 1, "  - pool.csv: missing from the bundle"),
        ("frame row changed", 1, "  - frame.csv: the row of unit "),
        ("plan altered", 1, "  - plan.json: plan.seed: recorded "),
        ("record of another campaign", 1, "  - record.json: campaign.id: recorded "),
        ("not a zip", 2, "error: "),
        ("not a bundle", 2, "error: "),
        ("path traversal", 2, "error: "),
        ("zip bomb", 2, "error: "),
    ],
)
def test_each_bad_bundle_is_named_with_its_exit_code(bundle_file, tmp_path, kind, code, first):
    forged = tmp_path / "forged.zip"
    forged.write_bytes(_forge(kind, members(bundle_file.read_bytes())))
    result = regdash("verify", "--bundle", str(forged))
    assert result.returncode == code, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    if code == 1:
        lines = result.stdout.splitlines()
        assert lines[0] == "MISMATCH:" and lines[1].startswith(first), lines
    else:
        assert len(result.stderr.splitlines()) == 1 and result.stderr.startswith(first)
        expected = {
            "not a zip": "is not a zip file",
            "not a bundle": "is not a regdash bundle: it has no manifest.json",
            "path traversal": "member '../../etc/cron.d/x' is not a plain file name",
            "zip bomb": "member frame.csv is compressed",
        }[kind]
        assert expected in result.stderr


def test_verify_bundle_options_are_checked(bundle_file, tmp_path):
    missing = regdash("verify", "--bundle", str(tmp_path / "absent.zip"))
    assert missing.returncode == 2 and missing.stderr.startswith("error: bundle file not found")
    mixed = regdash("verify", "--bundle", str(bundle_file), "--database-url", "sqlite:///x.db")
    assert mixed.returncode == 2
    assert mixed.stderr.strip() == "error: --bundle is checked on its own: drop --database-url"
