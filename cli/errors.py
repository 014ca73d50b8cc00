"""One way for every command to fail: a single clear line on stderr and a non-zero exit."""

from __future__ import annotations

from typing import NoReturn

import typer


def fail(message: str, *, code: int = 2) -> NoReturn:
    """Print ``error: message`` on one line to stderr and exit with ``code``."""
    one_line = " ".join(str(message).split())
    typer.echo(f"error: {one_line}", err=True)
    raise typer.Exit(code)
