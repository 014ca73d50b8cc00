"""Benchmark freezing a national QMS frame (名单固化) against reading it from the store once.

Seeds a national store (``seed_database(scale="national", fraction=F)``) into a fresh SQLite file or
a throw-away PostgreSQL server (``--engine postgresql``), or works on a copy of the SQLite store
``--copy-of FILE`` (it writes frozen sets and a campaign), then times, in this order and in the same
process:

* ``floor``: ``load_certificate_frame(engine, schemes=("QMS",))``, reading the frame from the store
  once (what opening a draw has to do anyway);
* ``last drawn``: ``with_last_drawn`` (each unit's latest draw date, as of opening);
* ``freeze``: ``freeze(connection, "frame", frame)`` in a transaction (hash, compress, insert);
* ``freeze again``: the same content again (idempotent: hash and look-up only);
* ``load``: ``load_frozen(engine, hash)`` (read, decompress, to pandas) and, untimed, that its hash
  equals the key and the frame equals the one frozen;
* ``open_draw``: the whole opening with the frame and the pool (last drawn, both freezes, audit);
* the pool: freeze and load of ``load_inspector_pool``.

Storage: bytes stored per frozen frame and per row, against the frame's size in memory and as an
uncompressed Arrow stream. Usage::

    .venv/bin/python bench/frozen.py [--fraction 0.25] [--engine sqlite|postgresql] [--copy-of FILE]
                                     [--seed N] [--repeat 3]

Not a test: it prints a Markdown table for bench/RESULTS.md, with ``uptime`` before and after.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:] = [
    str(REPO),
    *(p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent),
]


def _timed(function, *args, repeat: int = 1, **kwargs):
    """(result of the last call, best wall seconds of ``repeat`` calls)."""
    best = float("inf")
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function(*args, **kwargs)
        best = min(best, time.perf_counter() - start)
    return result, best


def _uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fraction", type=float, default=0.25)
    parser.add_argument("--seed", type=int, default=20171201)
    parser.add_argument("--copy-of", default=None, help="a SQLite store to copy instead of seeding one")
    parser.add_argument(
        "--engine", choices=("sqlite", "postgresql"), default="sqlite", help="postgresql: a throw-away server"
    )
    parser.add_argument("--repeat", type=int, default=3, help="timed calls per figure (best is kept)")
    options = parser.parse_args()

    import pandas as pd
    import pyarrow as pa
    from sqlalchemy import delete

    from models.db import make_engine
    from models.frames import load_certificate_frame, load_inspector_pool, with_last_drawn
    from models.frozen import FrozenPopulation, _encode, freeze, load_frozen
    from models.lottery import open_draw
    from sampler.frame import frame_hash
    from tests.support.actors import PLANNER

    print("uptime before:", _uptime())
    scratch = tempfile.TemporaryDirectory(prefix="bench-frozen-")
    path = Path(scratch.name) / "national.db"
    url = f"sqlite:///{path}"
    server = None
    if options.engine == "postgresql":
        if options.copy_of is not None:
            parser.error("--copy-of is a SQLite file: not with --engine postgresql")
        import atexit

        from tests.support.postgres import start_server

        server = start_server()
        atexit.register(server.stop)  # also when a step fails
        url = server.create_database("bench_frozen")
    if options.copy_of is not None:
        import shutil

        shutil.copyfile(options.copy_of, path)
    else:
        from seed.build import seed_database

        _, seconds = _timed(
            seed_database, url, scale="national", seed=options.seed, fraction=options.fraction, force=True
        )
        print(
            f"seeded national x {options.fraction} into {options.engine} in {seconds:.1f} s (untimed below)"
        )
    engine = make_engine(url)
    table = FrozenPopulation.__table__

    def clear() -> None:
        with engine.begin() as connection:
            connection.execute(delete(table))

    frame, floor = _timed(load_certificate_frame, engine, schemes=("QMS",), repeat=options.repeat)
    with engine.connect() as connection:
        frozen_frame, last_drawn = _timed(with_last_drawn, connection, frame, repeat=options.repeat)
    rows = len(frozen_frame)
    _, hashing = _timed(frame_hash, frozen_frame, repeat=options.repeat)

    def freeze_once():
        with engine.begin() as connection:
            return freeze(connection, "frame", frozen_frame)

    freeze_times = []
    for _ in range(options.repeat):
        clear()
        digest, seconds = _timed(freeze_once)
        freeze_times.append(seconds)
    _, again = _timed(freeze_once, repeat=options.repeat)
    loaded, load = _timed(load_frozen, engine, digest, repeat=options.repeat)
    assert frame_hash(loaded) == digest, "the loaded frame does not hash to its key"
    pd.testing.assert_frame_equal(loaded, frozen_frame)
    stored = len(_encode(frozen_frame))
    arrow = pa.Table.from_pandas(frozen_frame, preserve_index=False)
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, arrow.schema) as writer:
        writer.write_table(arrow)
    uncompressed = len(sink.getvalue())
    in_memory = int(frozen_frame.memory_usage(deep=True).sum())

    pool = load_inspector_pool(engine)

    def freeze_pool():
        with engine.begin() as connection:
            return freeze(connection, "pool", pool)

    pool_digest, pool_freeze = _timed(freeze_pool)
    _, pool_load = _timed(load_frozen, engine, pool_digest, repeat=options.repeat)
    pool_bytes = len(_encode(pool))

    clear()
    session, opening = _timed(
        open_draw,
        engine,
        campaign_name="bench 名单固化",
        year=2099,
        scheme="QMS",
        frame=frame,
        pool=pool,
        actor=PLANNER,
    )
    assert session.frame_hash == digest
    engine.dispose()
    print("uptime after:", _uptime())

    def ratio(seconds: float) -> str:
        return f"{seconds / floor:.2f}"

    print()
    print(f"QMS frame: {rows:,} units, {len(frozen_frame.columns)} columns; pool: {len(pool):,} inspectors")
    print()
    print("| step | wall s | vs floor |")
    print("|---|---:|---:|")
    print(f"| floor: read the frame from the store once | {floor:.3f} | 1.00 |")
    print(f"| last drawn dates (with_last_drawn) | {last_drawn:.3f} | {ratio(last_drawn)} |")
    print(f"| frame hash alone | {hashing:.3f} | {ratio(hashing)} |")
    best = min(freeze_times)
    print(f"| freeze (hash + zstd Arrow + insert, committed) | {best:.3f} | {ratio(best)} |")
    print(f"| freeze again (already stored) | {again:.3f} | {ratio(again)} |")
    print(f"| load_frozen | {load:.3f} | {ratio(load)} |")
    print(f"| open_draw (last drawn, frame + pool frozen, audit) | {opening:.3f} | {ratio(opening)} |")
    print(f"| pool: freeze / load ({len(pool):,} rows) | {pool_freeze:.3f} / {pool_load:.3f} | |")
    print()
    print("| storage | bytes | bytes per row |")
    print("|---|---:|---:|")
    print(f"| frozen frame (zstd Arrow IPC, stored) | {stored:,} | {stored / rows:.2f} |")
    print(f"| same, uncompressed Arrow IPC | {uncompressed:,} | {uncompressed / rows:.2f} |")
    print(f"| same, pandas in memory (deep) | {in_memory:,} | {in_memory / rows:.2f} |")
    print(f"| frozen pool (stored) | {pool_bytes:,} | {pool_bytes / len(pool):.2f} |")
    scratch.cleanup()


if __name__ == "__main__":
    main()
