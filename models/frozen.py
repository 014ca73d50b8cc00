"""Frozen populations (名单固化): frames and inspector pools stored content-addressed by their hash.

When a draw is opened (`models.lottery.open_draw`) its sampling frame and its inspector pool are frozen:
stored once, keyed by the sampler's hash of their content, so that every preview, the commit and every
later verification use exactly the population the draw was opened on, whatever happens to the
certificates and inspectors afterwards (``regdash db expire``, imports, edits).

Keys:

- a *frame* (certificate units, one row per unit; every column rides along and is hashed) is keyed by
  `sampler.frame.frame_hash` (the draw record's ``frame_hash``);
- an inspector *pool* (the columns the assignment reads) is keyed by `sampler.assign.pool_hash`
  (the record's ``assignment.pool_hash``).

The same content twice is stored once (`freeze` is idempotent, also when two transactions freeze the
same content at once). The content is a compressed columnar table: an Arrow IPC stream, zstd
compressed, written from the DataFrame with its pandas metadata, so `load_frozen` gives back the frame
exactly as frozen (columns, dtypes, row order), and its hash equals the key.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

import pandas as pd
from sqlalchemy import CheckConstraint, Column, Connection, Engine, LargeBinary, select
from sqlalchemy.exc import OperationalError
from sqlmodel import Field, SQLModel

from models import clock
from models.draw_records import WorkflowError
from sampler.assign import pool_hash
from sampler.errors import SamplerError
from sampler.frame import frame_hash

__all__ = ["KINDS", "FrozenPopulation", "freeze", "frozen_hash", "frozen_info", "load_frozen"]

Kind = Literal["frame", "pool"]
KINDS: tuple[str, ...] = ("frame", "pool")
COMPRESSION = "zstd"


class FrozenPopulation(SQLModel, table=True):
    """One frozen frame or pool: its hash (the key), kind, size, and the compressed table."""

    __tablename__ = "frozenpopulation"
    __table_args__ = (CheckConstraint("kind IN ('frame', 'pool')", name="ck_frozenpopulation_kind"),)

    hash: str = Field(primary_key=True, max_length=64)
    kind: str = Field(max_length=5)
    row_count: int
    byte_size: int  # length of ``data`` (compressed bytes)
    created_at: dt.datetime
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


def frozen_hash(kind: Kind, frame: pd.DataFrame) -> str:
    """The key of ``frame`` frozen as ``kind``: the sampler's frame hash or pool hash (64 hex)."""
    if kind == "frame":
        return frame_hash(frame)
    if kind == "pool":
        return pool_hash(frame)
    raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")


def _encode(frame: pd.DataFrame) -> bytes:
    """``frame`` as a zstd-compressed Arrow IPC stream (pandas metadata kept, index dropped)."""
    import pyarrow as pa

    table = pa.Table.from_pandas(frame.reset_index(drop=True), preserve_index=False)
    sink = pa.BufferOutputStream()
    options = pa.ipc.IpcWriteOptions(compression=COMPRESSION)
    with pa.ipc.new_stream(sink, table.schema, options=options) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


def _decode(data: bytes, digest: str) -> pd.DataFrame:
    """The frame stored as ``data``; ``WorkflowError`` ``frozen_damaged`` when the bytes do not decode
    to a valid Arrow table (fully validated before pandas touches its buffers)."""
    import pyarrow as pa

    try:
        table = pa.ipc.open_stream(pa.py_buffer(data)).read_all()
        table.validate(full=True)
        return table.to_pandas()
    except (pa.ArrowException, ValueError, TypeError, OSError) as error:
        raise _damaged(digest) from error


def _damaged(digest: str) -> WorkflowError:
    return WorkflowError(
        f"the frozen population {digest[:16]} in the store is damaged (its content no longer decodes or "
        "no longer hashes to its key): it was changed behind the app's back; run 'regdash audit verify'",
        code="frozen_damaged",
        hash=digest,
    )


def freeze(connection: Connection, kind: Kind, frame: pd.DataFrame) -> str:
    """Store ``frame`` as a frozen ``kind`` ("frame" or "pool") unless stored already; return its hash.

    Runs in the caller's transaction (the caller audits the write that needs the frozen set).
    Idempotent: the same content gives the same hash and one row, also when two transactions freeze
    it at the same moment (the insert does nothing on a conflicting key). Raises ``SamplerError``
    when ``frame`` is not a valid frame or pool (no ``unit_id`` / ``inspector_id`` column ...).
    """
    digest = frozen_hash(kind, frame)
    table = FrozenPopulation.__table__
    if connection.execute(select(table.c.hash).where(table.c.hash == digest)).first() is not None:
        return digest
    data = _encode(frame)
    values = {
        "hash": digest,
        "kind": kind,
        "row_count": len(frame),
        "byte_size": len(data),
        "created_at": clock.now(),
        "data": data,
    }
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    connection.execute(insert(table).values(**values).on_conflict_do_nothing(index_elements=["hash"]))
    return digest


def _read(connection: Connection, digest: str, kind: Kind | None) -> tuple[object, str] | None:
    """(stored content, kind) of the frozen set ``digest`` (None when there is none)."""
    table = FrozenPopulation.__table__
    query = select(table.c.data, table.c.kind).where(table.c.hash == digest)
    if kind is not None:
        query = query.where(table.c.kind == kind)
    row = connection.execute(query).first()
    return None if row is None else (row.data, row.kind)


def load_frozen(engine: Engine | Connection, digest: str, *, kind: Kind | None = None) -> pd.DataFrame:
    """The frame or pool frozen under ``digest``, exactly as it was frozen (dtypes, row order).

    ``kind`` ("frame" / "pool") narrows the look-up. Raises ``WorkflowError`` (code
    ``frozen_missing``) when the store holds no such frozen set, ``frozen_damaged`` when its stored
    content was changed (it does not decode, or no longer hashes to its key).
    """
    try:
        if isinstance(engine, Connection):
            found = _read(engine, digest, kind)
        else:
            with engine.connect() as connection:
                found = _read(connection, digest, kind)
    except (UnicodeDecodeError, OperationalError) as error:  # SQLite: bytes rewritten as broken TEXT
        if isinstance(error, OperationalError) and "decode" not in str(error):
            raise
        raise _damaged(digest) from error
    if found is None:
        raise WorkflowError(
            f"the store holds no frozen {kind or 'population'} {digest[:16]}",
            code="frozen_missing",
            hash=digest,
        )
    data, stored_kind = found
    if not isinstance(data, bytes | bytearray | memoryview):
        raise _damaged(digest)
    frame = _decode(bytes(data), digest)
    try:
        intact = frozen_hash(stored_kind, frame) == digest
    except (SamplerError, ValueError, TypeError):
        intact = False
    if not intact:
        raise _damaged(digest)
    return frame


def frozen_info(engine: Engine, digest: str) -> dict | None:
    """kind, row_count, byte_size and created_at of a frozen set (None when the store has none)."""
    table = FrozenPopulation.__table__
    with engine.connect() as connection:
        row = connection.execute(
            select(table.c.kind, table.c.row_count, table.c.byte_size, table.c.created_at).where(
                table.c.hash == digest
            )
        ).first()
    return None if row is None else dict(row._mapping)
