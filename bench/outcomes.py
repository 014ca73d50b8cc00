"""Benchmark: importing 1,000 inspection results from the campaign's Excel template.

Times ``models.imports.outcomes.import_outcomes`` (read the .xlsx, check every row with the shared
validation, write outcomes, item results and findings in one transaction with the audit entry) on a
campaign of 1,000 targets in a national-shaped store, against a *floor* measured in the same run on
the same file and a copy of the same store: ``openpyxl.load_workbook`` plus reading every cell, then a
bare ``sqlite3`` ``executemany`` of the same outcome and item rows in one transaction. Nothing is
checked or audited in the floor. Each timed run starts from a fresh copy of the store (untimed).

Without ``--database-url`` it seeds (once, kept under bench/out/outcomes/) a national-shaped SQLite
store at ``--fraction`` (default 0.05) of the national scale.

Usage: ``.venv/bin/python bench/outcomes.py [--fraction F] [--repeats N]``. Prints figures for
bench/RESULTS.md; not a test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import pandas as pd  # noqa: E402
from openpyxl import load_workbook  # noqa: E402
from sqlalchemy import text  # noqa: E402

from models.access import Actor, Role  # noqa: E402
from models.checklist import pick_items  # noqa: E402
from models.db import make_engine  # noqa: E402
from models.draw_records import DrawRecord, commit_draw  # noqa: E402
from models.imports.outcomes import SHEET, import_outcomes, outcome_template  # noqa: E402

TARGETS = 1_000
ITEMS = ["RZ-02", "RZ-03", "RZ-04", "RZ-05", "RZ-06"]
TODAY = dt.date(2026, 11, 30)
PLANNER = Actor(subject="bench-planner", name="bench", role=Role.PLANNER)
SUPERVISOR = Actor(subject="bench-supervisor", name="bench", role=Role.SUPERVISOR)


def seeded(fraction: float) -> Path:
    path = REPO / "bench" / "out" / "outcomes" / f"national-{fraction:g}.db"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        print(f"seeding {path} (national, fraction {fraction:g}) ...", flush=True)
        subprocess.run(
            [
                sys.executable,
                "-m",
                "cli.main",
                "seed",
                "--scale",
                "national",
                "--fraction",
                str(fraction),
                "--database-url",
                f"sqlite:///{path}",
            ],
            check=True,
            cwd=REPO,
        )
    return path


def prepare(source: Path, work: Path) -> tuple[Path, bytes]:
    """A copy of the store with a campaign of 1,000 targets, and its filled-in template."""
    shutil.copyfile(source, work)
    engine = make_engine(f"sqlite:///{work}")
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT id, institution_id, region_code, scheme_code FROM certificate "
                "WHERE status = 'valid' ORDER BY id LIMIT :n"
            ),
            {"n": TARGETS},
        ).all()
    targets = pd.DataFrame(rows, columns=["unit_id", "institution_id", "region", "scheme"]).assign(
        inclusion_probability=0.01
    )
    record = DrawRecord(
        campaign_name="bench 1000 results",
        year=2026,
        seed=1,
        frame_hash="ab" * 32,
        params={},
        sampler_version="bench",
        drawn_at=dt.datetime(2026, 9, 1, tzinfo=dt.UTC),
    )
    commit_draw(
        engine, record, targets, pd.DataFrame(columns=["unit_id", "inspector_id", "role"]), actor=PLANNER
    )
    with engine.connect() as connection:
        campaign_id = connection.execute(text("SELECT max(id) FROM campaign")).scalar_one()
    pick_items(engine, campaign_id, ITEMS, actor=PLANNER)
    book = load_workbook(io.BytesIO(outcome_template(engine, campaign_id, viewer=SUPERVISOR)))
    engine.dispose()
    sheet = book[SHEET]
    for row in range(2, TARGETS + 2):
        violation = row % 10 == 0
        sheet[f"F{row}"] = dt.date(2026, 10, 9)
        sheet[f"G{row}"] = "现场检查 onsite"
        sheet[f"H{row}"] = "violation" if violation else "no_violation"
        if violation:
            sheet[f"J{row}"] = "audit_time_cut；records_falsified"
            sheet[f"K{row}"] = "审核人日不足，记录与现场不符"
            sheet[f"L{row}"] = "rectify"
            sheet[f"M{row}"] = "open"
        sheet[f"O{row}"] = "检查员甲；检查员乙"
        for index in range(len(ITEMS)):
            column = 17 + 2 * index
            sheet.cell(row=row, column=column, value="nonconform" if violation and index == 1 else "conform")
            sheet.cell(row=row, column=column + 1, value=3 if violation and index == 1 else 10)
    buffer = io.BytesIO()
    book.save(buffer)
    return work, buffer.getvalue()


def timed_import(store: Path, data: bytes, campaign_id: int) -> float:
    engine = make_engine(f"sqlite:///{store}")
    actor = Actor(subject="bench-supervisor", name="bench", role=Role.SUPERVISOR)
    start = time.perf_counter()
    result = import_outcomes(engine, campaign_id, data, "results.xlsx", actor=actor, today=TODAY)
    elapsed = time.perf_counter() - start
    engine.dispose()
    assert result.ok and len(result.written) == TARGETS, result.problems[:3]
    return elapsed


def timed_floor(store: Path, data: bytes, _campaign_id: int) -> float:
    start = time.perf_counter()
    sheet = load_workbook(io.BytesIO(data), data_only=True).worksheets[0]
    cells = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    connection = sqlite3.connect(store)
    now = dt.datetime.now(dt.UTC).isoformat()
    with connection:
        connection.executemany(
            "INSERT INTO inspectionoutcome (target_id, inspected_on, method, outcome_code, follow_up, note,"
            " findings_text, disposal_status, inspectors, revision, review_status, review_note, recorded_at)"
            " VALUES (?, ?, 'onsite', ?, 'none', '', '', 'not_required', ?, 1, 'pending', '', ?)",
            [(row[0], "2026-10-09", "no_violation", row[14] or "", now) for row in cells],
        )
        query = "SELECT target_id, id FROM inspectionoutcome WHERE recorded_at = ?"
        ids = dict(connection.execute(query, (now,)).fetchall())
        connection.executemany(
            "INSERT INTO outcomeitem (outcome_id, item_code, result, score) VALUES (?, ?, ?, ?)",
            [
                (ids[row[0]], code, row[16 + 2 * i], row[17 + 2 * i])
                for row in cells
                for i, code in enumerate(ITEMS)
            ],
        )
    connection.close()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fraction", type=float, default=0.05)
    parser.add_argument("--repeats", type=int, default=3)
    arguments = parser.parse_args()
    source = seeded(arguments.fraction)
    out = REPO / "bench" / "out" / "outcomes"
    prepared, data = prepare(source, out / "prepared.db")
    with sqlite3.connect(prepared) as connection:
        campaign_id = connection.execute("SELECT max(id) FROM campaign").fetchone()[0]
        certificates = connection.execute("SELECT count(*) FROM certificate").fetchone()[0]
    work = out / "work.db"
    runs: dict[str, list[float]] = {"import": [], "floor": []}
    for _ in range(arguments.repeats):
        for name, timed in (("import", timed_import), ("floor", timed_floor)):
            shutil.copyfile(prepared, work)
            runs[name].append(timed(work, data, campaign_id))
    work.unlink()
    imported, floor = statistics.median(runs["import"]), statistics.median(runs["floor"])
    print(
        f"store: {certificates:,} certificates (national fraction {arguments.fraction:g}); "
        f"file: {len(data) / 1024:.0f} KiB, {TARGETS} rows x {len(ITEMS)} items; "
        f"load {os.getloadavg()[0]:.1f}"
    )
    print("| run | median s | runs s |")
    print("|---|---:|---|")
    for name in ("import", "floor"):
        print(
            f"| {name} | {statistics.median(runs[name]):.2f} | {', '.join(f'{v:.2f}' for v in runs[name])} |"
        )
    print(f"ratio import / floor: {imported / floor:.2f}")


if __name__ == "__main__":
    main()
