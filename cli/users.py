"""``regdash users`` and ``regdash audit``: roles kept in the store, and the audit log's chain.

Both act as the server's operator (``models.access.operator``): whoever can run commands on the
server is trusted with the admin role, and their account name goes into the audit log.
"""

from __future__ import annotations

import getpass
import json
from typing import Annotated

import typer
from sqlalchemy.exc import SQLAlchemyError

from cli.db import DatabaseUrlOption
from cli.errors import fail
from cli.store import open_store, store_failure
from models.access import Role, operator
from models.audit import verify_chain, verify_rows
from models.users import UserError, set_user, user_table

users_app = typer.Typer(help="Who has which role (the users table).", no_args_is_help=True)
audit_app = typer.Typer(help="The hash-chained audit log.", no_args_is_help=True)
ROLE_NAMES = ", ".join(role for role in Role if role is not Role.PUBLIC)


@users_app.command("set")
def set_command(
    subject: Annotated[str, typer.Option("--subject", help="The identity provider's 'sub' of the person.")],
    role: Annotated[str, typer.Option("--role", help=f"One of: {ROLE_NAMES}.")],
    province: Annotated[
        str | None, typer.Option("--province", help="GB/T 2260 code, e.g. 440000 (bureaus need one).")
    ] = None,
    name: Annotated[
        str | None, typer.Option("--name", help="Display name (default: keep the current one).")
    ] = None,
    inactive: Annotated[bool, typer.Option("--inactive", help="Withdraw the person's access.")] = False,
    database_url_option: DatabaseUrlOption = None,
) -> None:
    """Grant, change or withdraw a person's role (e.g. the first admin of a new deployment)."""
    url, engine = open_store(database_url_option, "write")
    try:
        set_user(
            engine,
            actor=operator(getpass.getuser()),
            subject=subject,
            role=role,
            province=province,
            display_name=name,
            active=not inactive,
        )
    except UserError as error:
        option = {
            "subject": "--subject",
            "role": "--role",
            "province": "--province",
            "display_name": "--name",
        }
        reasons = {
            "subject_invalid": "must be 1 to 255 characters with no spaces, control or invisible characters",
            "name_invalid": "holds control or invisible characters",
            "role_unknown": f"must be one of: {ROLE_NAMES}",
            "province_unknown": "must be a GB/T 2260 province code such as 440000",
            "province_required": "is required for the bureau role",
            "too_long": "is longer than 128 characters",
        }
        fail(f"{option.get(error.field, error.field)} {reasons.get(error.code, error.code)}")
    except SQLAlchemyError as error:
        store_failure(url, error, "write")
    state = "inactive" if inactive else "active"
    typer.echo(f"{subject.strip()}: {role}{' ' + province if province else ''} ({state})")


@users_app.command("list")
def list_command(
    as_json: Annotated[bool, typer.Option("--json", help="A JSON list of objects.")] = False,
    database_url_option: DatabaseUrlOption = None,
) -> None:
    """Every row of the users table."""
    url, engine = open_store(database_url_option)
    try:
        table = user_table(engine, actor=operator(getpass.getuser()))
    except SQLAlchemyError as error:
        store_failure(url, error, "read")
    if as_json:
        typer.echo(table.to_json(orient="records", date_format="iso", force_ascii=False))
        return
    for row in table.itertuples():
        flag = "" if row.active else " (inactive)"
        province = row.province if isinstance(row.province, str) else "-"
        typer.echo(f"{row.subject}\t{row.role}\t{province}\t{row.display_name}{flag}")


@audit_app.command("verify")
def verify_command(
    as_json: Annotated[bool, typer.Option("--json", help="The result as a JSON object.")] = False,
    database_url_option: DatabaseUrlOption = None,
) -> None:
    """Recompute the audit log's hash chain and re-hash the rows it vouches for.

    Exit 0 when both hold; 1 naming the first broken entry and every changed row set.
    """
    url, engine = open_store(database_url_option)
    try:
        chain = verify_chain(engine)
        rows = verify_rows(engine)
    except SQLAlchemyError as error:
        store_failure(url, error, "read")
    intact = chain.intact and not rows.changed
    result = {
        "intact": intact,
        "entries": chain.entries,
        "head": chain.head,
        "broken_entry": chain.broken_entry,
        "reason": chain.reason,
        "rowsets_checked": rows.checked,
        "changed_rows": [
            {"rowset": p.rowset, "key": p.key, "entry": p.entry, "action": p.action} for p in rows.changed
        ],
    }
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False))
    else:
        if chain.intact:
            typer.echo(f"chain intact: {chain.entries} entries, head {chain.head}")
        else:
            typer.echo(f"broken at entry {chain.broken_entry}: {chain.reason}")
        for p in rows.changed:
            if p.entry is None:
                typer.echo(
                    f"not in the log: {p.rowset} {p.key} (written without an entry, or its entry was removed)"
                )
            else:
                typer.echo(f"row changed: {p.rowset} {p.key} (vouched for by entry {p.entry}, {p.action})")
        if not rows.changed:
            typer.echo(f"rows intact: {rows.checked} row sets re-hashed")
    raise typer.Exit(0 if intact else 1)


def register(app: typer.Typer) -> None:
    """Attach ``users`` and ``audit`` to the ``regdash`` app."""
    app.add_typer(users_app, name="users")
    app.add_typer(audit_app, name="audit")
