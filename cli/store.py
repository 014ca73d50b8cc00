"""The one way a command turns ``--database-url`` into a store, checked before anything is opened.

Every command that takes ``--database-url`` calls `store_url` (or `open_store`) with what it will do:

* ``"read"``: the store must exist (a missing SQLite file is never created by reading it);
* ``"write"``: the same, and the file and its folder must be writable (SQLite writes a journal beside it);
* ``"create"``: the file may be missing, but then its folder must be creatable and writable.

A bad value gives one ``error:`` line naming the option (or ``$REGDASH_DATABASE_URL`` when the URL came
from there) and exit 2, before any file or connection is made. No message ever holds the URL's password:
an unparsable URL is not repeated at all, a parsed one only through `describe_url`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Literal, NoReturn

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError

from cli.errors import fail

if TYPE_CHECKING:
    from sqlalchemy import Engine

# models is imported inside the functions: importing it loads pandas, and `regdash plan size` (which
# imports this module through cli.sampling) should start without it.

__all__ = ["OPTION", "SUPPORTED", "Use", "describe_url", "open_store", "store_failure", "store_url"]

OPTION = "--database-url"
SUPPORTED = "sqlite:///FILE or postgresql://USER[:PASSWORD]@HOST[:PORT]/DB"
SQLITE_HEADER = b"SQLite format 3\x00"  # the first 16 bytes of every SQLite database file
Use = Literal["read", "write", "create"]


def describe_url(url: str) -> str:
    """``url`` as it may appear in a message: with its password hidden ("the given URL" if unparsable)."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return "the given URL"


def _source(option: str | None) -> str:
    """Where the URL came from, as a message names it."""
    from models.db import DATABASE_URL_ENV

    if option:
        return OPTION
    return f"${DATABASE_URL_ENV}" if os.environ.get(DATABASE_URL_ENV) else OPTION


def _nearest_existing(path: Path) -> Path:
    return next(p for p in (path, *path.parents) if p.exists())


def _check_sqlite_file(path: Path, use: Use, where: str, missing_hint: str) -> None:
    """Refuse a path that is not (or cannot become) a SQLite database for ``use``; one line, exit 2."""
    if not path.exists():
        if use != "create":
            fail(f"{where}: no database file at {path}; {missing_hint}")
        existing = _nearest_existing(path.parent)
        if not existing.is_dir():
            fail(f"{where}: cannot create {path}: {existing} is not a directory")
        if not os.access(existing, os.W_OK | os.X_OK):
            fail(f"{where}: cannot create {path}: {existing} is not writable")
        return
    if path.is_dir():
        fail(f"{where}: {path} is a directory, not a database file")
    try:
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except OSError as error:
        fail(f"{where}: cannot read {path}: {error.strerror or error}")
    if header and header != SQLITE_HEADER:
        fail(f"{where}: {path} is not a SQLite database")
    if use != "read" and not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK | os.X_OK)):
        fail(f"{where}: cannot write to {path}: permission denied")


MISSING_HINT = "run 'regdash db upgrade' (or 'regdash seed') first"


def store_url(option: str | None, use: Use = "read", *, missing_hint: str = MISSING_HINT) -> str:
    """The resolved URL of the store ``option`` (else ``$REGDASH_DATABASE_URL``, else the default).

    Checks, without opening anything: the URL parses; its database is SQLite or PostgreSQL (with a
    driver installed); a SQLite file is fit for ``use`` (see the module docstring). Otherwise prints one
    ``error:`` line naming the option and exits 2 (a missing file: with ``missing_hint``, what to do).
    """
    from models.db import database_url, sqlite_path

    where = _source(option)
    if option is not None and not option.strip():
        fail(f"{where} is empty; give {SUPPORTED}")
    try:
        url = database_url(option)
        parsed = make_url(url)
        backend = parsed.get_backend_name()
    except (ArgumentError, ValueError):
        fail(f"{where} is not a database URL; give {SUPPORTED}")
    if backend not in ("sqlite", "postgresql"):
        fail(f"{where}: {backend!r} databases are not supported; give {SUPPORTED}")
    try:
        parsed.get_dialect().import_dbapi()
    except (ImportError, ArgumentError):
        fail(f"{where}: the driver {parsed.drivername!r} is not installed; give {SUPPORTED}")
    path = sqlite_path(url)
    if path is not None:
        _check_sqlite_file(path, use, where, missing_hint)
    return url


def open_store(
    option: str | None, use: Use = "read", *, missing_hint: str = MISSING_HINT
) -> tuple[str, Engine]:
    """``(url, engine)`` for the store ``option`` after `store_url`'s checks."""
    from models.db import make_engine

    url = store_url(option, use, missing_hint=missing_hint)
    return url, make_engine(url)


def store_failure(url: str, error: SQLAlchemyError, doing: str = "read") -> NoReturn:
    """One ``error:`` line for a database error while a command ``doing`` ("read", "write") the store.

    A server that cannot be reached (``OperationalError``) is an input problem: exit 2, naming the URL with
    its password hidden and the driver's first line. Anything else: exit 1 with the error's kind only
    (a driver message may quote SQL parameters).
    """
    where = describe_url(url)
    if isinstance(error, OperationalError):
        first = str(getattr(error, "orig", None) or error).splitlines()[0]
        fail(f"{OPTION}: cannot reach database {where}: {first}")
    fail(f"cannot {doing} database {where}: {type(error).__name__}", code=1)
