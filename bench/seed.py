"""Benchmark the seeder at national scale against a raw-insert floor measured in the same run.

For each engine it runs, each in its own child process (so that peak memory is the seeder's own):

* ``seed``: ``seed.build.seed_database`` end to end (generation, load, index build, summary refresh);
* ``floor``: the very same rows, generated and converted beforehand (untimed), written with nothing but
  ``sqlite3.Cursor.executemany`` / psycopg ``COPY ... FROM STDIN`` into a freshly migrated schema.
  Two floors: ``live`` inserts with every index in place (the schema as migrated); ``rebuild`` drops the
  big tables' secondary indexes first and rebuilds them after, as the seeder itself does.

Usage: ``.venv/bin/python bench/seed.py [--fraction 1.0] [--engines sqlite,postgresql] [--seed N]``.
Not a test: it takes minutes and prints figures for bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

SEED_CHILD = """
import json, sys
from seed.build import seed_database
url, seed, fraction = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
import time
cpu = time.process_time()
report = seed_database(url, scale="national", seed=seed, fraction=fraction, force=True)
cpu = time.process_time() - cpu
print(json.dumps({"rows": sum(report.rows.values()), "seconds": report.seconds, "cpu_self": cpu,
                  "tables": report.rows}))
"""

FLOOR_CHILD = """
import json, sys, time
from sqlmodel import SQLModel
from models.db import make_engine
from models.migrate import upgrade
from models.reference_data import insert_reference_rows
from seed.build import BULK_TABLES, generate
from seed import load

kind, url, seed, fraction, mode = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
dataset = generate("national", seed, fraction=fraction)
engine = make_engine(url)
upgrade(engine)
with engine.begin() as connection:
    insert_reference_rows(connection)
engine.dispose()
tables = SQLModel.metadata.tables
timed, rows, cpu = 0.0, 0, 0.0
if kind == "sqlite":
    import sqlite3
    raw = sqlite3.connect(url.removeprefix("sqlite:///"))
    for pragma in load.SQLITE_LOAD_PRAGMAS:
        raw.execute(f"PRAGMA {pragma}")
    deferred = load.drop_sqlite_indexes(raw, BULK_TABLES) if mode == "rebuild" else []
    for name, chunks in dataset.tables():
        sql = load.insert_sql(tables[name])
        for chunk in chunks:
            batch = list(zip(*load.sqlite_columns(tables[name], chunk)))
            started, cpu_started = time.perf_counter(), time.process_time()
            raw.executemany(sql, batch)
            timed += time.perf_counter() - started
            cpu += time.process_time() - cpu_started
            rows += len(batch)
    started, cpu_started = time.perf_counter(), time.process_time()
    for sql in deferred:
        raw.execute(sql)
    raw.commit()
    timed += time.perf_counter() - started
    cpu += time.process_time() - cpu_started
    raw.close()
else:
    import psycopg
    from sqlalchemy.engine import make_url
    u = make_url(url)
    raw = psycopg.connect(host=u.host, port=u.port, user=u.username, dbname=u.database)
    deferred = load.drop_postgres_indexes(raw, BULK_TABLES) if mode == "rebuild" else []
    for name, chunks in dataset.tables():
        texts = [load.copy_text(tables[name], chunk) for chunk in chunks]
        started = time.perf_counter()
        with raw.cursor() as cursor, cursor.copy(load.copy_sql(tables[name])) as copy:
            for text in texts:
                copy.write(text)
        timed += time.perf_counter() - started
        rows += sum(text.count("\\n") for text in texts)
    started = time.perf_counter()
    for sql in deferred:
        raw.execute(sql)
    raw.commit()
    timed += time.perf_counter() - started
    raw.close()
print(json.dumps({"rows": rows, "seconds": timed, "cpu_self": cpu}))
"""


def run_child(code: str, *args: str) -> dict:
    """Run ``code`` in a child Python; return its JSON line plus wall time, CPU time and peak RSS."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-c", code, *args], cwd=REPO, stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    output = process.stdout.read()
    _pid, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"child failed ({process.returncode}): {' '.join(args)}")
    result = json.loads(output.strip().splitlines()[-1])
    result["wall"] = time.perf_counter() - started
    result["cpu"] = usage.ru_utime + usage.ru_stime
    result["maxrss_mb"] = usage.ru_maxrss / 1024  # kilobytes on Linux
    return result


def bench_engine(kind: str, make_url, seed: int, fraction: float) -> dict:
    """Seed once, then the two floors, each into its own fresh database."""
    print(f"[{kind}] seeding national x{fraction} ...", file=sys.stderr, flush=True)
    seeded = run_child(SEED_CHILD, make_url("seed"), str(seed), str(fraction))
    floors = {}
    for mode in ("live", "rebuild"):
        print(f"[{kind}] floor ({mode} indexes) ...", file=sys.stderr, flush=True)
        floors[mode] = run_child(FLOOR_CHILD, kind, make_url(f"floor_{mode}"), str(seed), str(fraction), mode)
    return {"seed": seeded, "floor": floors}


def report(kind: str, result: dict) -> list[str]:
    """Markdown rows: wall seconds and, for SQLite (all work in-process), CPU seconds too."""
    seeded, floors = result["seed"], result["floor"]
    rows = seeded["rows"]
    seconds = seeded["seconds"]
    in_process = kind == "sqlite"
    seed_cpu = f"{seeded['cpu_self']:.1f}" if in_process else f"{seeded['cpu_self']:.1f} (client)"
    lines = [
        f"| {kind} | seed (end to end) | {rows:,} | {seconds:.1f} | {rows / seconds:,.0f} | {seed_cpu} "
        f"| {seeded['maxrss_mb']:,.0f} | | |"
    ]
    for mode, floor in floors.items():
        wall_ratio = seconds / floor["seconds"]
        cpu_ratio = f"{seeded['cpu_self'] / floor['cpu_self']:.2f}" if in_process else "n/a"
        floor_cpu = f"{floor['cpu_self']:.1f}" if in_process else "(server side)"
        lines.append(
            f"| {kind} | floor, {mode} indexes | {floor['rows']:,} | {floor['seconds']:.1f} "
            f"| {floor['rows'] / floor['seconds']:,.0f} | {floor_cpu} | | {wall_ratio:.2f} | {cpu_ratio} |"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--fraction", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=20171201)
    parser.add_argument("--engines", default="sqlite,postgresql")
    args = parser.parse_args()
    sys.path.insert(0, str(REPO))
    engines = args.engines.split(",")
    results: dict[str, dict] = {}
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="regdash-bench-") as workdir:
        if "sqlite" in engines:
            results["sqlite"] = bench_engine(
                "sqlite", lambda name: f"sqlite:///{workdir}/{name}.db", args.seed, args.fraction
            )
        if "postgresql" in engines:
            from tests.support.postgres import start_server

            server = start_server()
            try:
                results["postgresql"] = bench_engine(
                    "postgresql",
                    lambda name: server.create_database(f"bench_{name}"),
                    args.seed,
                    args.fraction,
                )
            finally:
                server.stop()
    load_after = os.getloadavg()
    print(f"national x{args.fraction}, seed {args.seed}, {os.cpu_count()} CPUs, "
          f"load average {load_before[0]:.1f} before / {load_after[0]:.1f} after")  # fmt: skip
    print("| engine | run | rows | wall s | rows/s | CPU s | peak RSS MB | ratio (wall) | ratio (CPU) |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for kind, result in results.items():
        print("\n".join(report(kind, result)))
    print(json.dumps(results, indent=1), file=sys.stderr)


if __name__ == "__main__":
    main()
