"""`regdash outcomes template|import` and `regdash campaign publish` through the console entry point."""

from __future__ import annotations

import datetime as dt
import io
import json

import pandas as pd
import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from models import Campaign, InspectionOutcome
from models.audit import AuditEntry
from models.checklist import pick_items
from models.db import make_engine
from models.draw_records import DrawRecord, commit_draw
from models.imports.outcomes import SHEET
from models.migrate import upgrade
from models.users import set_user
from tests.cli.test_db_commands import regdash
from tests.support.actors import ADMIN, PLANNER
from tests.support.results import approve_all
from tests.support.rows import insert_checklist, insert_guangdong_certificates, insert_one_institution


@pytest.fixture
def store(tmp_path) -> str:
    """Campaign 1 with two Guangdong targets checking RZ-03; a Guangdong bureau and a supervisor."""
    url = f"sqlite:///{tmp_path / 'regdash.db'}"
    engine = make_engine(url)
    upgrade(engine)
    with engine.begin() as connection:
        insert_one_institution(connection)
        insert_checklist(connection)
        insert_guangdong_certificates(connection, (1, 2))
    targets = pd.DataFrame(
        {
            "unit_id": [1, 2],
            "institution_id": [1, 1],
            "region": ["440000"] * 2,
            "scheme": ["QMS"] * 2,
            "inclusion_probability": [1.0] * 2,
        }
    )
    record = DrawRecord(
        campaign_name="命令行导入",
        year=2026,
        seed=1,
        frame_hash="ab" * 32,
        params={},
        sampler_version="t",
        drawn_at=dt.datetime(2026, 9, 1, tzinfo=dt.UTC),
    )
    commit_draw(
        engine, record, targets, pd.DataFrame(columns=["unit_id", "inspector_id", "role"]), actor=PLANNER
    )
    pick_items(engine, 1, ["RZ-03"], actor=PLANNER)
    set_user(
        engine, actor=ADMIN, subject="gd@bureau", role="bureau", province="440000", display_name="广东局"
    )
    set_user(engine, actor=ADMIN, subject="boss@cnca", role="supervisor", display_name="监管处")
    engine.dispose()
    return url


def _outcomes(url: str) -> int:
    engine = make_engine(url)
    with engine.connect() as connection:
        count = connection.execute(select(func.count()).select_from(InspectionOutcome.__table__)).scalar_one()
    engine.dispose()
    return count


def _publication(url: str) -> tuple:
    """The campaign's status and publication day, and how many audit entries the store holds."""
    engine = make_engine(url)
    table = Campaign.__table__
    with engine.connect() as connection:
        status, published_on = connection.execute(select(table.c.status, table.c.published_on)).one()
        entries = connection.execute(select(func.count()).select_from(AuditEntry.__table__)).scalar_one()
    engine.dispose()
    return status, published_on, entries


def _filled(path, rows: dict[int, dict[str, object]]) -> None:
    book = load_workbook(path)
    sheet = book[SHEET]
    letters = {"inspected_on": "F", "method": "G", "outcome_code": "H", "findings": "J", "RZ-03_result": "Q"}
    for row, values in rows.items():
        for key, value in values.items():
            sheet[f"{letters[key]}{row}"] = value
    book.save(path)


def test_template_then_import_then_publish(store, tmp_path):
    path = tmp_path / "results.xlsx"
    made = regdash("outcomes", "template", "--campaign", "1", "--output", str(path), "--database-url", store)
    assert made.returncode == 0, made.stderr
    sheet = load_workbook(io.BytesIO(path.read_bytes()))[SHEET]
    assert [sheet["A2"].value, sheet["A3"].value] == [1, 2]
    assert "现场检查 onsite" in [c.value for c in load_workbook(path)["lists"]["A"]]  # Chinese drop-downs
    refused = regdash("campaign", "publish", "--campaign", "1", "--as", "boss@cnca", "--database-url", store)
    assert refused.returncode == 1 and "2 missing" in refused.stderr
    ok = {"inspected_on": "2026-10-09", "method": "现场检查 onsite", "outcome_code": "no_violation"}
    _filled(path, {2: {**ok, "RZ-03_result": "conform"}, 3: ok})
    args = ("outcomes", "import", "--campaign", "1", str(path), "--as", "gd@bureau", "--database-url", store)
    imported = regdash(*args, "--json")
    assert imported.returncode == 0, imported.stderr
    assert json.loads(imported.stdout) == {"written": 2, "problems": []}
    refused = regdash("campaign", "publish", "--campaign", "1", "--as", "boss@cnca", "--database-url", store)
    assert refused.returncode == 1 and "2 pending" in refused.stderr and refused.stderr.startswith("error: ")
    approve_all(make_engine(store), 1)
    published = regdash(
        "campaign",
        "publish",
        "--campaign",
        "1",
        "--as",
        "boss@cnca",
        "--on",
        "2026-11-02",
        "--database-url",
        store,
    )
    assert published.returncode == 0, published.stderr
    assert "deadline 2026-11-05" in published.stdout and "late" not in published.stdout


def test_a_bad_file_writes_nothing_and_lists_each_cell(store, tmp_path):
    path = tmp_path / "results.xlsx"
    regdash("outcomes", "template", "--campaign", "1", "--output", str(path), "--database-url", store)
    _filled(
        path,
        {
            2: {"inspected_on": "2030-01-01", "method": "onsite", "outcome_code": "no_violation"},
            3: {"inspected_on": "2026-10-09", "method": "onsite", "outcome_code": "violation"},
        },
    )
    args = ("outcomes", "import", "--campaign", "1", str(path), "--as", "gd@bureau", "--database-url", store)
    result = regdash(*args)
    assert result.returncode == 1
    assert "cell F2 (inspected_on): date_in_future" in result.stderr
    assert "cell J3 (findings): violation_needs_findings" in result.stderr
    assert "nothing was imported" in result.stderr and "Traceback" not in result.stderr
    as_json = json.loads(regdash(*args, "--json").stdout)
    assert [(p["cell"], p["code"]) for p in as_json["problems"]] == [
        ("F2", "date_in_future"),
        ("J3", "violation_needs_findings"),
    ]
    assert _outcomes(store) == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("outcomes", "template", "--campaign", "9", "--output", "x.xlsx"), "--campaign 9: no such campaign"),
        (("outcomes", "template", "--campaign", "1", "--output", "x.csv"), "is an .xlsx file"),
        (
            ("outcomes", "import", "--campaign", "1", "/nonexistent/r.xlsx", "--as", "gd@bureau"),
            "cannot read",
        ),
        (("campaign", "publish", "--campaign", "1", "--as", "nobody"), "--as nobody: no active user"),
        (("campaign", "publish", "--campaign", "1", "--as", "gd@bureau"), "may not publish"),
        (("campaign", "publish", "--campaign", "1", "--as", "boss@cnca", "--on", "soon"), "--on soon"),
    ],
)
def test_bad_arguments_fail_with_one_line(store, args, message):
    result = regdash(*args, "--database-url", store)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("on", "says"),
    [
        ("2030-01-01", "error: the publication date 2030-01-01 is after today in China"),
        (
            "2026-10-01",
            "error: the publication date 2026-10-01 is before the results were formed (2026-10-09",
        ),
        (
            "2026-08-01",
            "error: the publication date 2026-08-01 is before the results were formed (2026-10-09",
        ),
    ],
)
def test_publish_on_a_future_day_or_before_the_results_is_one_line_and_writes_nothing(
    store, tmp_path, on, says
):
    path = tmp_path / "results.xlsx"
    regdash("outcomes", "template", "--campaign", "1", "--output", str(path), "--database-url", store)
    ok = {"inspected_on": "2026-10-09", "method": "现场检查 onsite", "outcome_code": "no_violation"}
    _filled(path, {2: {**ok, "RZ-03_result": "conform"}, 3: ok})
    args = ("outcomes", "import", "--campaign", "1", str(path), "--as", "gd@bureau", "--database-url", store)
    assert regdash(*args).returncode == 0
    approve_all(make_engine(store), 1)
    before = _publication(store)
    publish = ("campaign", "publish", "--campaign", "1", "--as", "boss@cnca", "--database-url", store)
    refused = regdash(*publish, "--on", on)
    assert refused.returncode == 1, refused.stderr
    lines = refused.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(says), refused.stderr
    assert _publication(store) == before and before[:2] == ("completed", None)
