"""``regdash seed``: fill a database with the calibrated synthetic country."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Annotated

import typer

from cli.errors import fail
from cli.options import MAX_SEED, real_number, whole_number
from cli.store import store_url

DEFAULT_SEED = 20171201


def _progress_printer() -> Callable[[str, int], None]:
    """A progress callback printing ``seed: <stage> <rows> rows <elapsed> s`` lines on stderr."""
    started = time.perf_counter()

    def report(stage: str, rows: int) -> None:
        elapsed = time.perf_counter() - started
        print(f"seed: {stage:<28} {rows:>12,} rows  {elapsed:7.1f} s", file=sys.stderr, flush=True)

    return report


def seed_command(
    scale: Annotated[
        str, typer.Option("--scale", help="demo (~40k certificates) or national (~4M).")
    ] = "demo",
    seed: Annotated[
        str,
        typer.Option("--seed", help=f"Random seed, 0 to {MAX_SEED}: the same seed gives the same database."),
    ] = str(DEFAULT_SEED),
    database_url: Annotated[
        str | None,
        typer.Option(
            "--database-url", help="SQLAlchemy URL; default $REGDASH_DATABASE_URL or data/regdash.db"
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace a database that already holds data.")
    ] = False,
    fraction: Annotated[
        str,
        typer.Option("--fraction", hidden=True, help="Seed this share (0, 1] of the scale's certificates."),
    ] = "1",
    if_empty: Annotated[
        bool,
        typer.Option("--if-empty", help="Seed only if the store holds no certificates; else do nothing."),
    ] = False,
) -> None:
    """Create the schema and seed a synthetic country (all-or-nothing)."""
    from seed.build import SeedError, resolve_scale, seed_database
    from seed.status import has_certificates

    seed_value = whole_number(seed, "--seed", maximum=MAX_SEED)
    share = real_number(fraction, "--fraction", minimum=0.0, maximum=1.0)
    if share == 0:
        fail(f"--fraction must lie in (0, 1], got {fraction!r}")
    try:
        resolve_scale(scale)
        database_url = store_url(database_url, "create")
        if if_empty and has_certificates(database_url):
            typer.echo("already seeded, nothing to do")
            return
        report = _progress_printer()
        result = seed_database(
            database_url, scale=scale, seed=seed_value, force=force, fraction=share, progress=report
        )
    except SeedError as error:
        fail(str(error))
    certificates = result.rows.get("certificate", 0)
    organisations = result.rows.get("organisation", 0)
    typer.echo(
        f"seeded {result.scale} (seed {result.seed}) into {result.url}: {certificates:,} certificates, "
        f"{organisations:,} organisations, {result.rows.get('institution', 0):,} institutions, "
        f"{result.rows.get('inspector', 0):,} inspectors in {result.seconds:.1f} s"
    )


def register(app: typer.Typer) -> None:
    """Attach ``seed`` to the ``regdash`` app."""
    app.command("seed")(seed_command)
