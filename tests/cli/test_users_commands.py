"""`regdash users` and `regdash audit verify` through the real console entry point."""

from __future__ import annotations

import getpass
import json
import sqlite3

import pytest

from models.db import make_engine
from models.reference_data import insert_reference_rows
from tests.cli.test_db_commands import regdash


@pytest.fixture
def url(tmp_path) -> str:
    """A migrated store holding the reference tables (provinces), as after ``regdash seed``."""
    url = f"sqlite:///{tmp_path / 'store.db'}"
    assert regdash("db", "upgrade", "--database-url", url).returncode == 0
    engine = make_engine(url)
    with engine.begin() as connection:
        insert_reference_rows(connection)
    engine.dispose()
    return url


def test_set_then_list_names_the_operator_and_audit_verify_passes(url):
    made = regdash(
        "users",
        "set",
        "--subject",
        "li@agency",
        "--role",
        "bureau",
        "--province",
        "330000",
        "--name",
        "李 浙江局",
        "--database-url",
        url,
    )
    assert made.returncode == 0, made.stderr
    listed = json.loads(regdash("users", "list", "--json", "--database-url", url).stdout)
    assert [(u["subject"], u["role"], u["province"], u["display_name"]) for u in listed] == [
        ("li@agency", "bureau", "330000", "李 浙江局")
    ]
    assert listed[0]["updated_by"] == f"cli:{getpass.getuser()}"
    check = regdash("audit", "verify", "--json", "--database-url", url)
    assert check.returncode == 0 and json.loads(check.stdout)["entries"] == 1


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ("--subject", "x", "--role", "root"),
            "--role must be one of: staff, planner, bureau, supervisor, admin",
        ),
        (("--subject", "x", "--role", "bureau"), "--province is required for the bureau role"),
        (("--subject", "x", "--role", "staff", "--province", "4400"), "--province must be a GB/T 2260"),
        (("--subject", "  ", "--role", "staff"), "--subject must be 1 to 255 characters"),
    ],
)
def test_bad_values_are_one_line_and_write_nothing(url, args, message):
    result = regdash("users", "set", *args, "--database-url", url)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {message}")
    assert json.loads(regdash("users", "list", "--json", "--database-url", url).stdout) == []


def test_audit_verify_names_the_entry_changed_with_sqlite3(url, tmp_path):
    for subject in ("a", "b", "c"):
        assert (
            regdash("users", "set", "--subject", subject, "--role", "staff", "--database-url", url).returncode
            == 0
        )
    with sqlite3.connect(tmp_path / "store.db") as connection:
        connection.execute("UPDATE auditentry SET actor_subject = 'someone-else' WHERE id = 2")
    result = regdash("audit", "verify", "--database-url", url)
    assert result.returncode == 1
    assert result.stdout.strip().splitlines()[0] == "broken at entry 2: entry changed after it was written"


def test_users_on_a_missing_file_creates_nothing(tmp_path):
    missing = tmp_path / "absent.db"
    result = regdash("users", "list", "--database-url", f"sqlite:///{missing}")
    assert result.returncode == 2 and "no database file" in result.stderr
    assert not missing.exists()


@pytest.mark.parametrize("url", ["not a url", "mysql://alice:S3cretPW@db.example/regdash", "garbage://x"])
def test_an_unusable_database_url_is_one_line_without_the_password(url):
    for command in (("users", "list"), ("audit", "verify")):
        result = regdash(*command, "--database-url", url)
        assert result.returncode == 2
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: --database-url"), result.stderr
        assert "S3cretPW" not in result.stderr + result.stdout
