"""``regdash lookup``: certificates by number, credit code, organisation or institution, with histories."""

from __future__ import annotations

import getpass
import json
from typing import Annotated

import typer
from sqlalchemy.exc import SQLAlchemyError

from cli.db import DatabaseUrlOption
from cli.errors import fail
from cli.options import MAX_COUNT, record_id, whole_number
from cli.store import open_store, store_failure
from models.access import PUBLIC_VISITOR, operator
from models.queries import lookup as q


def lookup_command(
    certificate: Annotated[str | None, typer.Option("--certificate", help="Certificate number.")] = None,
    credit_code: Annotated[
        str | None, typer.Option("--credit-code", help="Unified social credit code (18 characters).")
    ] = None,
    organisation: Annotated[
        str | None, typer.Option("--organisation", help="Organisation name or part of it (Chinese).")
    ] = None,
    institution: Annotated[
        str | None, typer.Option("--institution", metavar="ID", help="Institution id.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON list of matches.")] = False,
    public: Annotated[bool, typer.Option("--public", help="Show only what the public sees.")] = False,
    limit_text: Annotated[
        str | None,
        typer.Option(
            "--limit",
            metavar="N",
            help=f"Most matches to show (1 to {MAX_COUNT}; default {q.DEFAULT_LIMIT}).",
        ),
    ] = None,
    database_url_option: DatabaseUrlOption = None,
) -> None:
    """Look certificates up, each with its status now and its history (date, kind)."""
    institution_id = record_id(institution, "--institution")
    limit = whole_number(limit_text, "--limit", minimum=1, maximum=MAX_COUNT) or q.DEFAULT_LIMIT
    given = {
        "--certificate": certificate,
        "--credit-code": credit_code,
        "--organisation": organisation,
        "--institution": institution,
    }
    chosen = [name for name, value in given.items() if value is not None]
    if len(chosen) != 1:
        fail("give exactly one of --certificate, --credit-code, --organisation, --institution")
    url, engine = open_store(database_url_option)
    actor = PUBLIC_VISITOR if public else operator(getpass.getuser())
    try:
        if certificate is not None:
            result = q.by_certificate_number(engine, certificate, actor=actor, limit=limit)
        elif credit_code is not None:
            result = q.by_credit_code(engine, credit_code, actor=actor, limit=limit)
        elif organisation is not None:
            result = q.by_organisation_name(engine, organisation, actor=actor, limit=limit)
        else:
            result = q.by_institution(engine, institution_id, actor=actor, limit=limit)
    except q.LookupProblem as problem:
        fail(f"{chosen[0]}: {problem}")
    except SQLAlchemyError as error:
        store_failure(url, error, "read")
    finally:
        engine.dispose()
    if result.capped:
        typer.echo(f"showing the first {limit} matches; raise --limit to see more", err=True)
    if as_json:
        typer.echo(json.dumps(result.matches, ensure_ascii=False, indent=2))
        return
    if not result.matches:
        typer.echo("no certificate matches")
    for match in result.matches:
        typer.echo(
            f"{match['number']}  {match['organisation']}  {match['scheme_code']}  {match['status']}  "
            f"{match['issued_on']} - {match['expires_on']}  {match['institution']}"
        )
        for event in match["history"]:
            typer.echo(f"    {event['date']}  {event['kind']}")


def register(app: typer.Typer) -> None:
    """Add ``regdash lookup`` to the console script."""
    app.command("lookup")(lookup_command)
