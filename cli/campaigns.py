"""``regdash campaign``: the campaigns in the store, for scripts and checks, and their public bundles."""

from __future__ import annotations

import getpass
import json
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.exc import SQLAlchemyError

from cli.db import DatabaseUrlOption
from cli.errors import fail
from cli.options import record_id
from cli.outcomes import publish_command
from cli.store import open_store, store_failure
from models.access import operator
from models.draw_records import WorkflowError
from models.queries.campaigns import campaign_list

app = typer.Typer(help="Campaigns: list, publish and bundle them.", no_args_is_help=True)


@app.command("list")
def list_command(
    as_json: Annotated[
        bool, typer.Option("--json", help="A JSON list of objects: id, name, year, scheme, status.")
    ] = False,
    database_url_option: DatabaseUrlOption = None,
) -> None:
    """Every campaign, newest first: id, name, year, scheme, status (planned, drawn, assigned, ...)."""
    url, engine = open_store(database_url_option)
    try:
        campaigns = campaign_list(engine, viewer=operator(getpass.getuser()))
    except SQLAlchemyError as error:
        store_failure(url, error, "read")
    rows = [
        {
            "id": int(row.id),
            "name": row.name,
            "year": int(row.year),
            "scheme": row.scheme_code if isinstance(row.scheme_code, str) else None,
            "status": row.status,
        }
        for row in campaigns.itertuples()
    ]
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False))
        return
    for row in rows:
        typer.echo(f"{row['id']}\t{row['year']}\t{row['scheme'] or '-'}\t{row['status']}\t{row['name']}")


app.command("publish")(publish_command)


@app.command("bundle")
def bundle_command(
    campaign: Annotated[
        str, typer.Option("--campaign", metavar="ID", help="Campaign id (as `regdash campaign list`).")
    ],
    output: Annotated[str, typer.Option("--output", metavar="FILE", help="Where to write the zip.")],
    database_url_option: DatabaseUrlOption = None,
) -> None:
    """Write a campaign's public bundle (zip): record, plan, frozen frame, pseudonymous pool, README.

    Check it with ``regdash verify --bundle FILE``. The public page offers bundles of published
    campaigns only; this command acts as the operator and also bundles a committed, unpublished one
    (it says so).
    """
    campaign_id = record_id(campaign, "--campaign")
    from models.bundle import build_bundle  # lazy: the sampler (scipy) loads only for this command

    url, engine = open_store(database_url_option)
    try:
        bundle = build_bundle(engine, campaign_id, actor=operator(getpass.getuser()))
    except WorkflowError as error:
        fail(str(error), code=1)
    except SQLAlchemyError as error:
        store_failure(url, error, "read")
    try:
        Path(output).write_bytes(bundle.content)
    except OSError as error:
        fail(f"cannot write the bundle to {output}: {error.strerror or error}")
    if bundle.status != "published":
        typer.echo(
            f"note: campaign {campaign_id} is not published (status {bundle.status}): bundled as the "
            "operator; the public page offers it only once published",
            err=True,
        )
    typer.echo(
        f"bundle of campaign {campaign_id}, draw {bundle.draw_id} written to {output} "
        f"({len(bundle.content):,} bytes)"
    )


def register(root: typer.Typer) -> None:
    """Attach ``campaign`` to the ``regdash`` app."""
    root.add_typer(app, name="campaign")
