"""The ``regdash`` console script: database, seeding, sampling and serving commands."""

from __future__ import annotations

import typer

from cli import campaigns, db, lookup, outcomes, sampling, seeding, serve, users
from cli.errors import OneLineGroup

app = typer.Typer(
    help="regdash: certification-regulator dashboard and double-random sampling simulator.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    cls=OneLineGroup,
)
app.add_typer(db.app, name="db")
seeding.register(app)
sampling.register(app)
serve.register(app)
users.register(app)
campaigns.register(app)
outcomes.register(app)
lookup.register(app)

if __name__ == "__main__":
    app()
