"""Benchmark the public bundle (公示包) of a national QMS draw: build it from the store, check it offline.

Seeds a national store (``seed_database(scale="national", fraction=F)``) into a fresh SQLite file (or
copies ``--copy-of FILE``), opens a QMS draw on it (frame and pool frozen), draws 2 targets per province
with teams of 2 and commits, marks the campaign published, then times in the same process:

* ``floor``: ``load_certificate_frame(engine, schemes=("QMS",))``, reading the frame from the store once;
* ``build``: ``models.bundle.build_bundle`` (record, frozen frame and pool, public columns, zip);
* ``verify``: ``sampler.bundle.verify_bundle`` of the zip in memory (no database);
* ``verify this draw``: ``models.bundle.verify_campaign`` (build and check, as the public page does);

and reports the zip's size per member. Usage::

    .venv/bin/python bench/bundle.py [--fraction 1.0] [--copy-of FILE] [--seed N]

Not a test: it prints a Markdown table for bench/RESULTS.md, with ``uptime`` before and after.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:] = [
    str(REPO),
    *(p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent),
]


def _timed(function, *args, **kwargs):
    start = time.perf_counter()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - start


def _uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fraction", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=20171201)
    parser.add_argument("--copy-of", default=None, help="a SQLite store to copy instead of seeding one")
    options = parser.parse_args()

    from sqlalchemy import text

    from dashboard import planner
    from models.access import PUBLIC_VISITOR
    from models.bundle import build_bundle, verify_campaign
    from models.db import make_engine
    from models.frames import load_certificate_frame, load_inspector_pool
    from models.lottery import open_draw
    from models.queries.planning import stratum_population
    from sampler.bundle import verify_bundle
    from tests.support.actors import PLANNER

    print(f"uptime before: {_uptime()}")
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "national.db"
        url = f"sqlite:///{path}"
        if options.copy_of is not None:
            shutil.copyfile(options.copy_of, path)
        else:
            from seed.build import seed_database

            _, seconds = _timed(
                seed_database, url, scale="national", seed=options.seed, fraction=options.fraction, force=True
            )
            print(f"seeded national x {options.fraction} in {seconds:.0f} s")
        engine = make_engine(url)
        frame, floor = _timed(load_certificate_frame, engine, schemes=("QMS",))
        session = open_draw(
            engine,
            campaign_name="bench bundle",
            year=2031,
            scheme="QMS",
            frame=frame,
            pool=load_inspector_pool(engine),
            actor=PLANNER,
        )
        quotas = stratum_population(engine, schemes=("QMS",)).assign(n=2)
        inputs = planner.draw_inputs(
            scheme="QMS",
            year=2031,
            quotas=quotas,
            inspection_date=dt.date(2026, 12, 1),
            team_size=2,
            cap=3,
            cross_region=False,
        )
        preview = planner.draw_preview(engine, session.id, quotas, inputs, actor=PLANNER)
        planner.commit_preview(
            engine, preview, campaign_name="bench bundle", year=2031, scheme="QMS", actor=PLANNER
        )
        with engine.begin() as connection:
            connection.execute(
                text("UPDATE campaign SET status = 'published' WHERE id = :c"), {"c": session.campaign_id}
            )
        bundle, build = _timed(build_bundle, engine, session.campaign_id, actor=PUBLIC_VISITOR)
        result, verify = _timed(verify_bundle, bundle.content)
        assert result.match, result.differences
        both, whole = _timed(verify_campaign, engine, session.campaign_id, actor=PUBLIC_VISITOR)
        assert both.match, both.differences
        engine.dispose()
    print(f"uptime after: {_uptime()}")
    units = len(frame)
    print(f"\nQMS frame: {units:,} units, {len(result.record['draw']['units']):,} targets drawn\n")
    print("| step | seconds | / floor |\n|---|---:|---:|")
    for name, seconds in [
        ("floor: load_certificate_frame (QMS), read once", floor),
        ("build_bundle (record, frozen frame and pool, public columns, zip)", build),
        ("verify_bundle (offline, zip in memory)", verify),
        ("verify_campaign (build + check: the public page's button)", whole),
    ]:
        print(f"| {name} | {seconds:.2f} | {seconds / floor:.1f} |")
    print("\n| member | bytes unpacked | bytes in the zip |\n|---|---:|---:|")
    with zipfile.ZipFile(io.BytesIO(bundle.content)) as archive:
        for info in archive.infolist():
            print(f"| {info.filename} | {info.file_size:,} | {info.compress_size:,} |")
    print(f"| **zip** | | **{len(bundle.content):,}** ({len(bundle.content) / units:.1f} B per unit) |")


if __name__ == "__main__":
    main()
