"""``regdash outcomes`` and ``regdash campaign publish``: results in bulk, and publication.

Results are recorded and published by a person with the role for it: ``--as SUBJECT`` names a user
in the users table (``regdash users set``), whose role, province and name go into the store and the
audit log. The template can be written by the operator (every target) or for a user (their targets).
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import Engine, select
from sqlalchemy.exc import SQLAlchemyError

from cli.db import DatabaseUrlOption
from cli.errors import fail
from cli.options import record_id
from cli.store import open_store, store_failure
from dashboard.strings import load_strings
from models.access import AccessDenied, Actor, operator
from models.campaigns import Campaign
from models.draw_records import WorkflowError
from models.imports.outcomes import import_outcomes, outcome_template
from models.outcome_entry import china_today
from models.results import publish_campaign
from models.users import resolve_actor
from models.workdays import PUBLICATION_WORKING_DAYS

app = typer.Typer(help="Inspection results: the Excel template and its import.", no_args_is_help=True)
CampaignOption = Annotated[
    str, typer.Option("--campaign", metavar="ID", help="Campaign id, as `regdash campaign list` shows.")
]
AsOption = Annotated[
    str, typer.Option("--as", help="Subject of the user acting (a bureau or supervisor in the users table).")
]


def _acting(engine: Engine, subject: str) -> Actor:
    resolution = resolve_actor(engine, {"sub": subject})
    if resolution.problem:
        fail(f"--as {subject}: no active user with a role in the users table ({resolution.problem})")
    return resolution.actor


def _campaign(engine: Engine, campaign_id: int) -> None:
    """Fail (exit 2) unless the campaign exists."""
    table = Campaign.__table__
    with engine.connect() as connection:
        if connection.execute(select(table.c.id).where(table.c.id == campaign_id)).first() is None:
            fail(f"--campaign {campaign_id}: no such campaign (see `regdash campaign list`)")


def _label(key: str) -> str:
    texts = load_strings().get(key)
    return texts["zh"] if texts else ""


@app.command("template")
def template_command(
    campaign: CampaignOption,
    output: Annotated[Path, typer.Option("--output", help="The .xlsx file to write.")],
    subject: Annotated[
        str | None, typer.Option("--as", help="Write the template of this user's targets (default: all).")
    ] = None,
    database_url_option: DatabaseUrlOption = None,
) -> None:
    """Write the campaign's Excel template: one row per target, two columns per checklist item."""
    campaign_id = record_id(campaign, "--campaign")
    if output.suffix.lower() != ".xlsx":
        fail(f"--output {output}: the template is an .xlsx file")
    url, engine = open_store(database_url_option)
    try:
        _campaign(engine, campaign_id)
        viewer = _acting(engine, subject) if subject else operator(getpass.getuser())
        data = outcome_template(engine, campaign_id, viewer=viewer, label=_label)
    except SQLAlchemyError as error:
        store_failure(url, error, "read")
    try:
        output.write_bytes(data)
    except OSError as error:
        fail(f"--output {output}: cannot write ({error.strerror})")
    typer.echo(f"wrote {output}")


@app.command("import")
def import_command(
    campaign: CampaignOption,
    file: Annotated[Path, typer.Argument(help="The filled-in template (.xlsx or .csv).")],
    subject: AsOption,
    as_json: Annotated[
        bool,
        typer.Option("--json", help="JSON: {written, problems: [{row, column, cell, field, code, values}]}."),
    ] = False,
    database_url_option: DatabaseUrlOption = None,
) -> None:
    """Import every filled-in row, or nothing: exit 1 listing each problem by cell."""
    campaign_id = record_id(campaign, "--campaign")
    try:
        data = file.read_bytes()
    except OSError as error:
        fail(f"{file}: cannot read ({error.strerror})")
    url, engine = open_store(database_url_option, "write")
    try:
        _campaign(engine, campaign_id)
        actor = _acting(engine, subject)
        result = import_outcomes(engine, campaign_id, data, file.name, actor=actor, labels=(_label,))
    except AccessDenied as error:
        fail(f"--as {subject}: a {error.actor.role} may not record results ({error.code})")
    except WorkflowError as error:
        fail(str(error), code=1)
    except SQLAlchemyError as error:
        store_failure(url, error, "write")
    if as_json:
        typer.echo(
            json.dumps(
                {"written": len(result.written), "problems": [p.as_dict() for p in result.problems]},
                ensure_ascii=False,
            )
        )
    else:
        for problem in result.problems:
            typer.echo(f"{file.name}: {problem.message()}", err=True)
        if result.ok:
            typer.echo(f"imported {len(result.written)} result(s) into campaign {campaign_id}")
        else:
            typer.echo(f"error: {len(result.problems)} problem(s); nothing was imported", err=True)
    if not result.ok:
        raise typer.Exit(1)


def publish_command(
    campaign: CampaignOption,
    subject: AsOption,
    on: Annotated[
        str | None, typer.Option("--on", help="Publication date YYYY-MM-DD (default: today in China).")
    ] = None,
    working_days: Annotated[
        int, typer.Option("--working-days", min=1, max=60, help="Deadline in working days after the results.")
    ] = PUBLICATION_WORKING_DAYS,
    database_url_option: DatabaseUrlOption = None,
) -> None:
    """Publish a campaign's results; refused, with the reasons, until every target is reviewed."""
    campaign_id = record_id(campaign, "--campaign")
    try:
        day = dt.date.fromisoformat(on) if on else china_today()
    except ValueError:
        fail(f"--on {on}: not a date YYYY-MM-DD")
    url, engine = open_store(database_url_option, "write")
    try:
        _campaign(engine, campaign_id)
        actor = _acting(engine, subject)
        deadline = publish_campaign(
            engine, campaign_id, on=day, actor=actor, within_working_days=working_days
        )
    except AccessDenied as error:
        fail(f"--as {subject}: a {error.actor.role} may not publish ({error.code})")
    except WorkflowError as error:
        fail(str(error), code=1)
    except SQLAlchemyError as error:
        store_failure(url, error, "write")
    note = f" (provisional: {', '.join(map(str, deadline.uncovered_years))} not in the holiday calendar)"
    late = " — published late" if day > deadline.due_on else ""
    typer.echo(
        f"published campaign {campaign_id} on {day}; deadline {deadline.due_on}"
        f"{note if deadline.provisional else ''}{late}"
    )


def register(root: typer.Typer) -> None:
    """Attach ``outcomes`` to the ``regdash`` app."""
    root.add_typer(app, name="outcomes")
