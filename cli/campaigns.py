"""``regdash campaign``: the campaigns in the store, for scripts and checks."""

from __future__ import annotations

import getpass
import json
from typing import Annotated

import typer
from sqlalchemy.exc import SQLAlchemyError

from cli.db import DatabaseUrlOption, describe_url
from cli.errors import fail
from cli.outcomes import publish_command
from cli.users import open_store
from models.access import operator
from models.queries.campaigns import campaign_list

app = typer.Typer(help="Campaigns: list and publish them.", no_args_is_help=True)


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
        fail(f"cannot read database {describe_url(url)}: {type(error).__name__}")
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


def register(root: typer.Typer) -> None:
    """Attach ``campaign`` to the ``regdash`` app."""
    root.add_typer(app, name="campaign")
