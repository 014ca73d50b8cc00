"""One way for every command to fail: a single clear line on stderr and a non-zero exit."""

from __future__ import annotations

from typing import Any, NoReturn

import typer
from typer.core import TyperGroup

# typer ships its own copy of click; its UsageError is the base of typer.BadParameter.
_UsageError = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "UsageError")
_NoArgsIsHelp = tuple(c for c in _UsageError.__subclasses__() if c.__name__ == "NoArgsIsHelpError")


def fail(message: str, *, code: int = 2) -> NoReturn:
    """Print ``error: message`` on one line to stderr and exit with ``code``."""
    one_line = " ".join(str(message).split())
    typer.echo(f"error: {one_line}", err=True)
    raise typer.Exit(code)


def _usage_failure(error: Exception) -> NoReturn:
    if isinstance(error, _NoArgsIsHelp):  # `regdash db` with nothing after it: the help, as click prints it
        raise error
    fail(error.format_message())


class OneLineGroup(TyperGroup):
    """The ``regdash`` group: every usage error below it (unknown command or option, a missing or
    unconvertible value of any sub-command's option) becomes one ``error:`` line naming the option, exit 2."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except _UsageError as error:
            _usage_failure(error)

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        try:
            return super().resolve_command(ctx, args)
        except _UsageError as error:
            _usage_failure(error)

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except _UsageError as error:
            _usage_failure(error)
