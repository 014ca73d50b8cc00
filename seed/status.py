"""Cheap questions about a store before seeding it."""

from __future__ import annotations

from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from models.db import database_url, make_engine, sqlite_path


def has_certificates(url: str | None = None) -> bool:
    """True when the store exists and its ``certificate`` table has at least one row.

    Raises ``seed.build.SeedError`` when the database cannot be reached.
    """
    from seed.build import SeedError

    resolved = database_url(url)
    path = sqlite_path(resolved)
    if path is not None and not path.exists():
        return False
    engine = make_engine(resolved)
    try:
        with engine.connect() as connection:
            if not inspect(connection).has_table("certificate"):
                return False
            return bool(connection.execute(text("SELECT EXISTS (SELECT 1 FROM certificate)")).scalar_one())
    except OperationalError as error:
        shown = make_url(resolved).render_as_string(hide_password=True)
        detail = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
        raise SeedError(f"cannot reach database {shown}: {detail}") from None
    finally:
        engine.dispose()
