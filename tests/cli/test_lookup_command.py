"""`regdash lookup` through the real console entry point: JSON matches with status and history."""

from __future__ import annotations

import json

from models.db import make_engine
from tests.cli.test_db_commands import regdash
from tests.models.test_lookup import CODE, insert_lookup_world


def _store(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    assert regdash("db", "upgrade", "--database-url", url).returncode == 0
    engine = make_engine(url)
    with engine.begin() as connection:
        insert_lookup_world(connection)
    engine.dispose()
    return url


def test_lookup_by_credit_code_and_organisation_as_json(tmp_path):
    url = _store(tmp_path)
    result = regdash("lookup", "--credit-code", CODE.lower(), "--json", "--database-url", url)
    assert result.returncode == 0, result.stderr
    matches = json.loads(result.stdout)
    assert [m["number"] for m in matches] == ["Q-0001", "Q-0002", "E-0003"]
    assert matches[2]["status"] == "suspended"
    assert matches[2]["history"] == [
        {"date": "2022-05-10", "kind": "issue"},
        {"date": "2023-06-01", "kind": "suspension"},
    ]
    public = regdash("lookup", "--organisation", "西湖", "--json", "--public", "--database-url", url)
    (match,) = json.loads(public.stdout)
    assert match["number"] == "Q-0004" and "industry" not in match
    text = regdash("lookup", "--certificate", "Q-0004", "--database-url", url)
    assert "Q-0004" in text.stdout and "2023-01-01  issue" in text.stdout


def test_lookup_errors_are_one_line(tmp_path):
    url = _store(tmp_path)
    wrong = regdash("lookup", "--credit-code", CODE[:-1] + "N", "--database-url", url)
    assert wrong.returncode == 2
    assert wrong.stderr.strip().splitlines() == [
        f"error: --credit-code: credit code {CODE[:-1]}N fails its check character (GB 32100): "
        "a character is mistyped"
    ]
    both = regdash("lookup", "--certificate", "Q-1", "--organisation", "华强", "--database-url", url)
    assert both.returncode == 2 and both.stderr.startswith("error: give exactly one of")
