"""``regdash db``: migrate the schema and report what a database holds."""

from __future__ import annotations

import getpass
import json
from typing import Annotated

import typer
from alembic.util import CommandError
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from cli.errors import fail
from cli.options import past_date
from cli.store import describe_url, open_store, store_url
from models.access import operator
from models.db import make_engine, sqlite_path
from models.maintenance import expire_certificates
from models.migrate import NothingToGenerate, generate_revision, upgrade
from models.outcome_entry import china_today
from models.stats import database_stats

app = typer.Typer(help="Schema migrations and database statistics.", no_args_is_help=True)

DatabaseUrlOption = Annotated[
    str | None,
    typer.Option("--database-url", help="SQLAlchemy URL; default $REGDASH_DATABASE_URL or data/regdash.db"),
]


@app.command("upgrade")
def upgrade_command(database_url_option: DatabaseUrlOption = None) -> None:
    """Create or migrate the schema to the newest revision (Alembic)."""
    url = store_url(database_url_option, "create")
    path = sqlite_path(url)
    try:
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        fail(f"--database-url: cannot create the folder {path.parent}: {error.strerror or error}")
    try:
        upgrade(make_engine(url))
    except OperationalError as error:
        fail(f"cannot reach database {describe_url(url)}: {error.orig}")
    typer.echo(f"schema is up to date in {describe_url(url)}")


@app.command("revision")
def revision_command(
    message: Annotated[
        str | None, typer.Option("--message", "-m", help="What the migration does; names the file.")
    ] = None,
    database_url_option: Annotated[
        str | None,
        typer.Option(
            "--database-url",
            help="Compare against this database, brought to head first; default a scratch SQLite database",
        ),
    ] = None,
    empty: Annotated[
        bool, typer.Option("--empty", help="Write the revision even if the models match the schema.")
    ] = False,
) -> None:
    """Autogenerate the next migration (0003_..., 0004_...) from the models; prints the new file's path."""
    if message is None or not message.strip():
        fail("a revision needs a message: regdash db revision -m 'add audit log'")
    if not any(ch.isalnum() for ch in message):
        fail(f"the message must contain letters or digits to name the file, got {message!r}")
    engine = None
    where = "a scratch SQLite database"
    if database_url_option is not None:
        url, engine = open_store(  # brought to head first: it is written
            database_url_option,
            "write",
            missing_hint="omit --database-url to compare against a scratch database",
        )
        where = describe_url(url)
    try:
        generated = generate_revision(message.strip(), engine, allow_empty=empty)
    except NothingToGenerate as error:
        fail(str(error))
    except OperationalError as error:
        fail(f"cannot reach database {where}: {error.orig}")
    except SQLAlchemyError as error:
        fail(f"cannot compare with database {where}: {getattr(error, 'orig', error)}")
    except CommandError as error:
        fail(f"alembic: {error}")
    finally:
        if engine is not None:
            engine.dispose()
    if generated.upgraded and engine is not None:
        before = generated.upgraded_from or "an empty schema"
        typer.echo(f"brought {where} from {before} to head first", err=True)
    typer.echo(str(generated.path))


@app.command("stats")
def stats_command(
    database_url_option: DatabaseUrlOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")] = False,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="ISO date, 1990-01-01 to today in China: certificates valid then."),
    ] = None,
) -> None:
    """Row counts per table, valid certificates by scheme and by province (now, or on --as-of)."""
    on = past_date(as_of, "--as-of")
    url, engine = open_store(database_url_option, "read")
    try:
        stats = database_stats(engine, as_of=on)
    except SQLAlchemyError as error:
        fail(f"cannot read database {describe_url(url)}: {getattr(error, 'orig', error)}")
    if as_json:
        typer.echo(json.dumps(stats, ensure_ascii=False, indent=2))
        return
    typer.echo("rows per table")
    for name, count in stats["tables"].items():
        typer.echo(f"  {name:<32}{count:>12,}")
    when = f" on {on.isoformat()}" if on else ""
    typer.echo(f"valid certificates{when} by scheme")
    for code, count in stats["certificates_by_scheme"].items():
        typer.echo(f"  {code:<32}{count:>12,}")
    typer.echo(f"valid certificates{when} by province")
    for code, count in stats["certificates_by_province"].items():
        typer.echo(f"  {code:<32}{count:>12,}")


@app.command("expire")
def expire_command(
    database_url_option: DatabaseUrlOption = None,
    today: Annotated[
        str | None,
        typer.Option("--today", help="ISO date to expire against (default and latest: today in China)."),
    ] = None,
) -> None:
    """Mark valid certificates past their expiry date as expired (the register's daily job)."""
    on = past_date(today, "--today") or china_today()
    url, engine = open_store(database_url_option, "write")
    try:
        changed = expire_certificates(engine, today=on, actor=operator(getpass.getuser()))
    except SQLAlchemyError as error:
        fail(f"cannot update database {describe_url(url)}: {getattr(error, 'orig', error)}")
    typer.echo(f"{changed:,} certificate(s) expired as of {on.isoformat()}")
