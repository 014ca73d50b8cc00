"""The ``regdash`` console script: database, seeding and sampling commands."""

from __future__ import annotations

import typer

from cli import db

app = typer.Typer(
    help="regdash: certification-regulator dashboard and double-random sampling simulator.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(db.app, name="db")


def _register_optional() -> None:
    """Attach command groups whose modules are written by other parts of the product."""
    import importlib

    for module_name in ("cli.seeding", "cli.sampling"):
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name != module_name:
                raise
            continue
        module.register(app)


_register_optional()

if __name__ == "__main__":
    app()
