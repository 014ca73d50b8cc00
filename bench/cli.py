"""Whole-process benchmark of the sampling commands reading their frame from the store.

Times, each as its own process with interpreter start included, reading the frame (and, for the
draw, the inspector pool) from the store given by ``--database-url``:

* ``regdash power --plan P --database-url URL``
* ``regdash draw --plan P --database-url URL --output FILE``  (targets + teams of 2)
* ``regdash simulate --plan P --database-url URL --replications 10000``

against a *floor* measured in the same run, interleaved with them: a process that starts Python,
imports the fastest well-kept reader we know (the ADBC driver with pyarrow), fetches the same columns
as Arrow tables (the valid certificates' id, region, scheme, institution and the institutions' risk
grade; for the draw's floor also the inspectors, their schemes and affiliations) and exits. Nothing
is converted, hashed or computed in the floor. Goals: each command <= 2x its floor; at national scale
power under 3 s and simulate under 5 s.

The same run also times the frame read alone in a fresh process, old (row by row through
``pd.read_sql``, kept in tests/support/rowwise_frames.py) against new (models.frames, columnar).

Without ``--database-url`` it seeds (once, kept under bench/out/cli/) a national-shaped SQLite store
of a fraction of the national scale (``regdash seed --scale national --fraction F``, default 0.25)
so that it runs in a few minutes; ``REGDASH_NATIONAL=1`` uses the full national scale (4 M
certificates). ``--engine postgresql`` seeds the same into a throw-away PostgreSQL server started
from the Debian binaries (tests/support/postgres.py).

Usage: ``.venv/bin/python bench/cli.py [--database-url URL | --engine sqlite|postgresql]
[--fraction F] [--repeats N] [--profile]``. Prints figures for bench/RESULTS.md; not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

SEED = 20171201
REPLICATIONS = 10_000
PLAN = """\
seed: 20261124
strata: [region, scheme]
n: 1000
allocation: {method: proportional, minimum: 1}
assumed: {rate: 0.02}
tolerable: 0.05
confidence: 0.95
institution_column: institution_id
simulation: {replications: 10000}
assignment: {team_size: 2, cap: 3, inspection_date: 2026-12-01, cross_region: true}
"""

# The floor: start Python, import the ADBC driver (and pyarrow), fetch the columns, exit.
FLOOR = """
import sys
backend, uri, with_pool = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
if backend == "sqlite":
    import adbc_driver_sqlite.dbapi as driver
    certificates = ("SELECT id, region_code, scheme_code, institution_id FROM certificate NOT INDEXED "
                    "WHERE status = 'valid'")
else:
    import adbc_driver_postgresql.dbapi as driver
    certificates = ("SELECT id, region_code, scheme_code, institution_id FROM certificate "
                    "WHERE status = 'valid'")
queries = [certificates, "SELECT id, risk_grade FROM institution"]
if with_pool:
    queries += ["SELECT id, region_code, agency, active, id_valid_until FROM inspector",
                "SELECT inspector_id, scheme_code FROM inspectorscheme",
                "SELECT inspector_id, institution_id FROM inspectoraffiliation"]
rows = []
with driver.connect(uri) as connection, connection.cursor() as cursor:
    for sql in queries:
        if backend == "sqlite":
            cursor.adbc_statement.set_options(**{"adbc.sqlite.query.batch_rows": str(1 << 20)})
        cursor.execute(sql)
        rows.append(cursor.fetch_arrow_table().num_rows)
print(rows[0])
"""

# One frame read in a fresh process, old or new reader; prints seconds and rows.
READ = """
import sys, time
from models.db import make_engine
if sys.argv[1] == "old":
    from tests.support.rowwise_frames import load_certificate_frame
else:
    from models.frames import load_certificate_frame
engine = make_engine(sys.argv[2])
started = time.perf_counter()
frame = load_certificate_frame(engine)
print(time.perf_counter() - started, len(frame))
"""


def national() -> bool:
    return os.environ.get("REGDASH_NATIONAL") == "1"


def regdash() -> list[str]:
    script = shutil.which("regdash", path=str(Path(sys.executable).parent))
    return [script] if script else [sys.executable, "-m", "cli.main"]


def run(argv: list[str], *, label: str, env: dict | None = None, cwd: Path = REPO) -> dict:
    """Run one process to the end; wall seconds, its CPU seconds, peak RSS and stdout."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(argv, stdout=out, stderr=err, cwd=cwd, env=env)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if process.returncode != 0:
        raise SystemExit(f"{label} failed ({process.returncode}):\n{stderr[-2000:]}")
    return {
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "rss_mb": usage.ru_maxrss / 1024,
        "stdout": stdout,
        "load": os.getloadavg()[0],
    }


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def seeded_sqlite(fraction: float) -> str:
    path = REPO / "bench" / "out" / "cli" / f"national-{fraction:g}.db"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{path}"
        print(f"seeding {url} (national, fraction {fraction:g}) ...", flush=True)
        started = time.perf_counter()
        subprocess.run(
            [*regdash(), "seed", "--scale", "national", "--fraction", str(fraction), "--database-url", url],
            check=True,
            cwd=REPO,
            stdout=subprocess.DEVNULL,
        )
        print(f"  seeded in {time.perf_counter() - started:.0f} s", flush=True)
    return f"sqlite:///{path}"


def seeded_postgres(fraction: float):
    from tests.support.postgres import start_server

    server = start_server()
    url = server.create_database("regdash_bench")
    print(f"seeding a throw-away PostgreSQL ({server.bin_dir.parent.name}) at fraction {fraction:g} ...")
    started = time.perf_counter()
    subprocess.run(
        [*regdash(), "seed", "--scale", "national", "--fraction", str(fraction), "--database-url", url],
        check=True,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
    )
    print(f"  seeded in {time.perf_counter() - started:.0f} s", flush=True)
    return server, url


def describe(url: str) -> tuple[str, str, dict]:
    """(backend, ADBC URI, counts) of the store."""
    from sqlalchemy import text

    from models.db import make_engine
    from models.frames import _source

    engine = make_engine(url)
    backend, uri = _source(engine.url)
    with engine.connect() as connection:
        counts = {
            "certificates": connection.execute(text("SELECT count(*) FROM certificate")).scalar_one(),
            "valid": connection.execute(
                text("SELECT count(*) FROM certificate WHERE status = 'valid'")
            ).scalar_one(),
            "institutions": connection.execute(text("SELECT count(*) FROM institution")).scalar_one(),
            "inspectors": connection.execute(text("SELECT count(*) FROM inspector")).scalar_one(),
        }
    engine.dispose()
    return backend, uri, counts


def median(values: list[float]) -> float:
    return statistics.median(values)


def profile(arguments: list[str], where: Path) -> str:
    """cProfile one command (``regdash`` arguments); the top of its cumulative profile."""
    import io
    import pstats

    target = where / "profile.out"
    subprocess.run(
        [sys.executable, "-m", "cProfile", "-o", str(target), "-m", "cli.main", *arguments],
        check=True,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
    )
    buffer = io.StringIO()
    pstats.Stats(str(target), stream=buffer).sort_stats("cumulative").print_stats(30)
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="a seeded store (default: seed one under bench/out/cli)")
    parser.add_argument("--engine", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--fraction", type=float, default=None, help="share of national scale (0.25)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--old-repeats", type=int, default=2, help="runs of the old row-by-row read")
    parser.add_argument("--profile", action="store_true", help="also cProfile each command once")
    parser.add_argument(
        "--before",
        metavar="DIR",
        help="also time the commands as the code in DIR has them (e.g. `git archive main | tar -x -C DIR`), "
        "with this environment",
    )
    args = parser.parse_args()
    fraction = 1.0 if national() else (args.fraction if args.fraction is not None else 0.25)

    server = None
    load_before = uptime()
    if args.database_url:
        url = args.database_url
    elif args.engine == "postgresql":
        server, url = seeded_postgres(fraction)
    else:
        url = seeded_sqlite(fraction)
    try:
        report(url, args, load_before)
    finally:
        if server is not None:
            server.stop()


def report(url: str, args, load_before: str) -> None:
    from sqlalchemy.engine import make_url

    backend, uri, counts = describe(url)
    shown = make_url(url).render_as_string(hide_password=True)
    full = counts["certificates"] >= 3_900_000
    print(f"store: {shown}\n  {backend}, {counts}; {'national scale' if full else 'reduced scale'}")
    print(f"load before: {load_before}")

    work = Path(tempfile.mkdtemp(prefix="regdash-bench-cli-"))
    plan = work / "plan.yaml"
    plan.write_text(PLAN, encoding="utf-8")
    arguments = {
        "power": ["power", "--plan", str(plan), "--database-url", url],
        "draw": ["draw", "--plan", str(plan), "--database-url", url, "--output", str(work / "r.json")],
        "simulate": [
            "simulate",
            "--plan",
            str(plan),
            "--database-url",
            url,
            "--replications",
            str(REPLICATIONS),
        ],
    }
    commands = {name: [*regdash(), *argv] for name, argv in arguments.items()}
    floors = {
        "floor": [sys.executable, "-c", FLOOR, backend, uri, "0"],
        "floor+pool": [sys.executable, "-c", FLOOR, backend, uri, "1"],
    }
    floor_of = {"power": "floor", "simulate": "floor", "draw": "floor+pool"}

    # the commands read the frame the floor reads: same number of units
    checked = json.loads(run([*commands["power"], "--json"], label="power --json")["stdout"])
    units = sum(row["N"] for row in checked["strata"])
    floor_rows = int(run(floors["floor"], label="floor")["stdout"].strip())
    assert units == floor_rows == counts["valid"], (units, floor_rows, counts["valid"])
    print(f"frame: {units:,} units, hash {checked['frame_hash'][:16]}; the floor fetched {floor_rows:,} rows")

    order = ["floor", "power", "simulate", "floor+pool", "draw"]
    every = {**floors, **commands}
    places: dict[str, dict] = {name: {} for name in order}
    if args.before:
        # `python -c` puts the working directory first on sys.path: run in DIR so that its code is imported
        before = Path(args.before).resolve()
        environment = {**os.environ, "PYTHONPATH": str(before), "PYTHONDONTWRITEBYTECODE": "1"}
        place = {"cwd": before, "env": environment}
        probe = [sys.executable, "-c", "import models.frames as m; print(m.__file__)"]
        where = run(probe, label="where", **place)["stdout"].strip()
        assert where.startswith(str(before)), where
        for name, argv in arguments.items():
            every[f"{name} (before)"] = [sys.executable, "-c", "from cli.main import app; app()", *argv]
            places[f"{name} (before)"] = place
            order.append(f"{name} (before)")
    runs: dict[str, list[dict]] = {name: [] for name in order}
    for name in order:  # warm-up round (page cache, .pyc), not counted
        run(every[name], label=name, **places[name])
    for repeat in range(args.repeats):
        for name in order:
            runs[name].append(run(every[name], label=name, **places[name]))
        print(
            f"  round {repeat + 1}: "
            + ", ".join(f"{n} {runs[n][-1]['wall']:.2f}s" for n in order)
            + f" (load {os.getloadavg()[0]:.1f})",
            flush=True,
        )

    reads = {"old": [], "new": []}
    for repeat in range(max(args.repeats, args.old_repeats)):
        for kind in ("old", "new"):
            if kind == "old" and repeat >= args.old_repeats:
                continue
            out = run([sys.executable, "-c", READ, kind, url], label=f"{kind} read")["stdout"].split()
            reads[kind].append(float(out[0]))
    load_after = uptime()
    loads = [r["load"] for rs in runs.values() for r in rs]

    def m(name: str, key: str = "wall") -> float:
        return median([r[key] for r in runs[name]])

    print()
    print(
        f"load after: {load_after}; 1-minute load sampled after each run: {min(loads):.1f}-{max(loads):.1f}"
    )
    print(
        f"frame read alone (in a fresh process, median): old row-by-row {median(reads['old']):.2f} s "
        f"({len(reads['old'])} runs), new columnar {median(reads['new']):.2f} s ({len(reads['new'])} runs) "
        f"-> {median(reads['old']) / median(reads['new']):.1f}x"
    )
    print()
    print(
        "| process | wall s (median) | CPU s | peak RSS MB | floor | ratio wall (goal <= 2) "
        "| ratio CPU | absolute goal | verdict |"
    )
    print("|---|---:|---:|---:|---|---:|---:|---|---|")
    for name in ("floor", "floor+pool"):
        print(f"| {name} | {m(name):.2f} | {m(name, 'cpu'):.2f} | {m(name, 'rss_mb'):.0f} | | | | | |")
    goals = {"power": 3.0, "simulate": 5.0}
    for name in [n for n in order if n not in floors]:
        floor = floor_of[name.split()[0]]
        ratio, ratio_cpu = m(name) / m(floor), m(name, "cpu") / m(floor, "cpu")
        verdicts = ["ratio met" if ratio <= 2 else "ratio missed"]
        if name.split()[0] in goals:
            limit = goals[name.split()[0]]
            goal = f"< {limit:g} s at national scale"
            if full:
                verdicts.append("time met" if m(name) < limit else "time missed")
            else:
                verdicts.append("time n/a (reduced scale)")
        else:
            goal = "-"
        command, _, before = name.partition(" ")
        label = (
            f"regdash {command}"
            + (f" --replications {REPLICATIONS}" if command == "simulate" else "")
            + (f" {before}" if before else "")
        )
        print(
            f"| {label} | {m(name):.2f} | {m(name, 'cpu'):.2f} | {m(name, 'rss_mb'):.0f} | {floor} | "
            f"{ratio:.2f} | {ratio_cpu:.2f} | {goal} | {', '.join(verdicts)} |"
        )
    if args.profile:
        for name in ("power", "draw", "simulate"):
            print(f"\n-- cProfile of {name} --")
            print(profile(arguments[name], work))
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
