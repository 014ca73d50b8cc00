"""Orchestration: generate the synthetic country and load it all-or-nothing.

SQLite: the database is built in a temporary file beside the target and moved into place with
``os.replace`` only when complete. PostgreSQL: everything (including, with ``force``, the removal of
the old rows) happens in one transaction.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import Engine, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlmodel import SQLModel

import models  # noqa: F401  (registers every table on SQLModel.metadata)
from models.db import database_url, make_engine, sqlite_path, sync_id_sequences
from models.migrate import upgrade
from models.reference_data import insert_reference_rows
from models.summaries import refresh_summaries
from seed import calibration as cal
from seed.applications import generate_applications
from seed.campaigns import CampaignTables, generate_campaigns
from seed.certificates import Certificates, generate_certificates
from seed.checklist import checklist_table
from seed.histories import Events, certificate_event_columns, certificate_events, institution_event_columns
from seed.history import History
from seed.inspectors import Inspectors, generate_inspectors
from seed.institutions import Institutions, generate_institutions
from seed.load import (
    SQLITE_LOAD_PRAGMAS,
    PostgresLoader,
    SqliteLoader,
    drop_postgres_indexes,
    drop_sqlite_indexes,
)
from seed.organisations import Organisations

Progress = Callable[[str, int], None]
CHUNK_ROWS = 100_000
# Big tables whose secondary indexes are dropped during the load and rebuilt (sorted) afterwards.
BULK_TABLES = ("organisation", "certificate", "certificateevent")
# Tables the seeder fills; a database with rows in any of them is "not empty".
SEEDED_TABLES = (
    "institution",
    "institutionscheme",
    "approvalapplication",
    "organisation",
    "certificate",
    "certificateevent",
    "institutionevent",
    "inspector",
    "inspectorscheme",
    "inspectoraffiliation",
    "checkitem",
    "campaign",
    "draw",
    "drawtarget",
    "assignment",
    "inspectionoutcome",
    "finding",
    "drawsession",
    "drawattempt",
    "frozenpopulation",
    "auditentry",
)
# Tables the seeded history (seed.history) writes through the workflow, counted after it ran.
HISTORY_TABLES = (
    "campaign",
    "draw",
    "drawtarget",
    "assignment",
    "inspectionoutcome",
    "finding",
    "auditentry",
)


class SeedError(Exception):
    """A seeding request that cannot be carried out; the message is one line for the user."""


@dataclass
class Dataset:
    """Everything generated for one (scale, seed, fraction), ready to load."""

    institutions: Institutions
    applications: dict[str, Any]
    organisations: Organisations
    certificates: Certificates
    inspectors: Inspectors
    campaigns: CampaignTables
    history_rng: np.random.Generator  # the seeded history's outcomes, schedules and lottery nonces
    certificate_events: Events
    institution_events: dict[str, Any]

    def tables(self) -> Iterator[tuple[str, Iterator[dict[str, Any]]]]:
        """(table name, chunks of columns) in foreign-key order."""
        c = self.campaigns
        yield "institution", iter([self.institutions.table()])
        yield "institutionscheme", iter([self.institutions.scheme_table()])
        yield "approvalapplication", iter([self.applications])
        yield "organisation", self.organisations.chunks(CHUNK_ROWS)
        yield "certificate", self.certificates.chunks(CHUNK_ROWS)
        yield (
            "certificateevent",
            certificate_event_columns(self.certificates, self.certificate_events, CHUNK_ROWS),
        )
        yield "institutionevent", iter([self.institution_events])
        yield "inspector", iter([self.inspectors.table()])
        yield "inspectorscheme", iter([self.inspectors.scheme_table()])
        yield "inspectoraffiliation", iter([self.inspectors.affiliation])
        yield "checkitem", iter([checklist_table()])
        yield "campaign", iter([c.campaign])


@dataclass
class SeedReport:
    """What a seed run wrote."""

    url: str
    scale: str
    seed: int
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def resolve_scale(scale: str) -> cal.Scale:
    """The named scale, or a SeedError naming the choices."""
    try:
        return cal.SCALES[scale]
    except KeyError:
        raise SeedError(f"unknown scale {scale!r}: choose one of {', '.join(cal.SCALES)}") from None


def generate(scale: str, seed: int, *, fraction: float = 1.0, progress: Progress | None = None) -> Dataset:
    """Generate every table in memory (compact numpy arrays for the big ones)."""
    spec = resolve_scale(scale)
    if not 0 < fraction <= 1:
        raise SeedError(f"fraction must be in (0, 1], got {fraction}")
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(7)]
    report = progress or (lambda _stage, _rows: None)
    institutions = generate_institutions(streams[0], spec.institution_factor)
    report("generated institutions", len(institutions))
    applications = generate_applications(streams[1], institutions)
    total = max(1_000, round(spec.certificates * fraction))
    organisations, certificates = generate_certificates(streams[2], total, institutions)
    report("generated certificates", len(certificates))
    inspectors = generate_inspectors(streams[3], spec.inspectors, institutions)
    report("generated inspectors", len(inspectors))
    campaigns = generate_campaigns(streams[4], spec, institutions, certificates, inspectors)
    report("planned campaigns", len(campaigns.draws) + len(campaigns.campaign.get("id", [])))
    events = certificate_events(streams[6], certificates)
    institution_events = institution_event_columns(streams[6], institutions)
    report("generated histories", len(events))
    return Dataset(
        institutions,
        applications,
        organisations,
        certificates,
        inspectors,
        campaigns,
        streams[5],
        events,
        institution_events,
    )


def draw_history(engine: Engine, dataset: Dataset, progress: Progress | None) -> dict[str, int]:
    """Draw the dataset's certificate campaigns through the lottery (`seed.history`); rows per table.

    Raises SeedError (one line) when a draw, an outcome or a publication is refused.
    """
    from models.draw_records import WorkflowError
    from sampler.errors import SamplerError

    history = History(
        engine, dataset.history_rng, dataset.institutions, dataset.certificates, dataset.inspectors, progress
    )
    try:
        history.run(dataset.campaigns.draws)
    except (WorkflowError, SamplerError, SQLAlchemyError) as error:
        first = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise SeedError(f"the seeded history could not be drawn: {first}") from error
    with engine.connect() as connection:
        return {
            name: int(connection.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one())
            for name in HISTORY_TABLES
        }


def _describe(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def seed_database(
    url: str | None = None,
    *,
    scale: str = "demo",
    seed: int = 20171201,
    force: bool = False,
    fraction: float = 1.0,
    progress: Progress | None = None,
) -> SeedReport:
    """Create the schema and fill it with a synthetic country; all-or-nothing.

    Raises SeedError (nothing written) for an unknown scale, an unreachable or unwritable database,
    or a database that already holds data while ``force`` is false.
    """
    started = time.perf_counter()
    resolved = database_url(url)
    resolve_scale(scale)
    path = sqlite_path(resolved)
    if resolved.startswith("sqlite") and path is None:
        raise SeedError("an in-memory SQLite database cannot be seeded: give a file path")
    report = SeedReport(url=_describe(resolved), scale=scale, seed=seed)
    if path is not None:
        _check_sqlite_target(path, force)
        dataset = generate(scale, seed, fraction=fraction, progress=progress)
        report.rows = _seed_sqlite(path, dataset, progress)
    else:
        engine = make_engine(resolved)
        try:
            _check_postgres_target(engine, resolved, force)
            dataset = generate(scale, seed, fraction=fraction, progress=progress)
            report.rows = _seed_postgres(engine, dataset, force, progress)
        finally:
            engine.dispose()
    report.seconds = time.perf_counter() - started
    return report


# --- SQLite ---------------------------------------------------------------------------------------


def _count_rows_sqlite(path: Path) -> int:
    """Rows in the seeded tables of an existing SQLite file (0 if it has no schema yet)."""
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
    except sqlite3.Error as error:
        raise SeedError(f"cannot open {path}: {error}") from None
    try:
        present = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        total = 0
        for table in SEEDED_TABLES:
            if table in present:
                total += connection.execute(f'SELECT EXISTS (SELECT 1 FROM "{table}")').fetchone()[0]
        return total
    except sqlite3.DatabaseError as error:
        raise SeedError(f"{path} is not a readable SQLite database: {error}") from None
    finally:
        connection.close()


def _check_sqlite_target(path: Path, force: bool) -> None:
    blocking = next((p for p in (path.parent, *path.parent.parents) if p.exists()), None)
    if blocking is not None and not blocking.is_dir():
        raise SeedError(f"cannot write database file {path}: {blocking} is not a directory")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise SeedError(f"cannot create directory {path.parent}: {error.strerror or error}") from None
    if path.is_dir():
        raise SeedError(f"{path} is a directory, not a database file")
    if not _can_create_beside(path) or (path.exists() and not os.access(path, os.W_OK)):
        raise SeedError(f"cannot write database file {path}: permission denied")
    if path.exists() and not force and _count_rows_sqlite(path):
        raise SeedError(f"{path} already holds data: use --force to replace it")
    _remove_stale_temporaries(path)


def _can_create_beside(path: Path) -> bool:
    """Create and remove a probe file next to ``path``: the only check that also holds for root."""
    probe = path.with_name(f".{path.name}.probe-{os.getpid()}")
    try:
        probe.touch(exist_ok=False)
    except OSError:
        return False
    probe.unlink()
    return True


def _temporary_path(path: Path) -> Path:
    return path.with_name(f".{path.name}.seeding-{os.getpid()}.tmp")


def _remove_stale_temporaries(path: Path) -> None:
    """Delete temporary files left by seed runs that were killed (their process is gone)."""
    for candidate in path.parent.glob(f".{path.name}.seeding-*.tmp*"):
        pid_text = candidate.name.split(".seeding-")[1].split(".")[0]
        with contextlib.suppress(ValueError, OSError):
            pid = int(pid_text)
            if pid != os.getpid() and not _process_alive(pid):
                candidate.unlink()


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove_with_sidecars(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        with contextlib.suppress(FileNotFoundError):
            Path(f"{path}{suffix}").unlink()


def _seed_sqlite(path: Path, dataset: Dataset, progress: Progress | None) -> dict[str, int]:
    temporary = _temporary_path(path)
    _remove_with_sidecars(temporary)
    try:
        try:
            engine = make_engine(f"sqlite:///{temporary}")
            upgrade(engine)
        except (OperationalError, OSError) as error:
            raise SeedError(f"cannot write database file {path}: {getattr(error, 'orig', error)}") from None
        try:
            rows = _load_sqlite(engine, dataset, progress)
        finally:
            engine.dispose()
        engine = make_engine(f"sqlite:///{temporary}")
        try:
            rows.update(draw_history(engine, dataset, progress))
            _finish_sqlite(engine, rows, progress)
        finally:
            engine.dispose()
        _retire_old_wal(path)
        os.replace(temporary, path)
        for suffix in ("-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                Path(f"{path}{suffix}").unlink()
        return rows
    finally:
        _remove_with_sidecars(temporary)


def _load_sqlite(engine: Engine, dataset: Dataset, progress: Progress | None) -> dict[str, int]:
    tables = SQLModel.metadata.tables
    rows: dict[str, int] = {}
    with engine.connect() as connection:
        raw = connection.connection.driver_connection
        for pragma in SQLITE_LOAD_PRAGMAS:
            raw.execute(f"PRAGMA {pragma}")
        insert_reference_rows(connection)
        loader = SqliteLoader(raw, progress)
        deferred = drop_sqlite_indexes(raw, BULK_TABLES)
        for name, chunks in dataset.tables():
            rows[name] = loader.load(tables[name], chunks)
        for sql in deferred:
            raw.execute(sql)
        _report(progress, "rebuilt indexes", len(deferred))
        connection.commit()
    return rows


def _finish_sqlite(engine: Engine, rows: dict[str, int], progress: Progress | None) -> None:
    """After the history: the summaries (the history changed certificate statuses), then one file."""
    with engine.connect() as connection:
        refresh_summaries(connection)
        _report(progress, "refreshed summaries", rows.get("certificate", 0))
        connection.commit()
        connection.exec_driver_sql("PRAGMA journal_mode=DELETE")


def _retire_old_wal(path: Path) -> None:
    """Fold an old WAL into its database before replacing it, so no stale WAL meets the new file."""
    if not Path(f"{path}-wal").exists():
        return
    with contextlib.suppress(sqlite3.Error):
        connection = sqlite3.connect(path, timeout=30)
        try:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            connection.close()


# --- PostgreSQL -----------------------------------------------------------------------------------


def _check_postgres_target(engine: Engine, url: str, force: bool) -> None:
    try:
        with engine.connect() as connection:
            present = set(inspect(connection).get_table_names())
            total = 0
            for table in SEEDED_TABLES:
                if table in present:
                    total += int(
                        connection.execute(text(f'SELECT EXISTS (SELECT 1 FROM "{table}")')).scalar_one()
                    )
    except OperationalError as error:
        detail = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
        raise SeedError(f"cannot reach database {_describe(url)}: {detail}") from None
    if total and not force:
        raise SeedError(f"database {_describe(url)} already holds data: use --force to replace it")


def _seed_postgres(
    engine: Engine, dataset: Dataset, force: bool, progress: Progress | None
) -> dict[str, int]:
    try:
        upgrade(engine)
    except SQLAlchemyError as error:
        raise SeedError(f"cannot create the schema: {getattr(error, 'orig', error)}") from None
    tables = SQLModel.metadata.tables
    rows: dict[str, int] = {}
    with engine.begin() as connection:
        if force:
            names = ", ".join(f'"{t}"' for t in SEEDED_TABLES)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        insert_reference_rows(connection)
        raw = connection.connection.driver_connection
        loader = PostgresLoader(raw, progress)
        deferred = drop_postgres_indexes(raw, BULK_TABLES)
        for name, chunks in dataset.tables():
            rows[name] = loader.load(tables[name], chunks)
        for sql in deferred:
            raw.execute(sql)
        _report(progress, "rebuilt indexes", len(deferred))
        sync_id_sequences(connection, [name for name in SEEDED_TABLES if "id" in tables[name].c])
    # the history writes through the workflow, one transaction per write: on failure, nothing stays
    try:
        rows.update(draw_history(engine, dataset, progress))
        with engine.begin() as connection:
            refresh_summaries(connection)
            _report(progress, "refreshed summaries", rows.get("certificate", 0))
    except BaseException:  # nothing half-seeded stays (the store was empty or --force emptied it)
        with engine.begin() as connection:
            names = ", ".join(f'"{t}"' for t in SEEDED_TABLES)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        raise
    return rows


def _report(progress: Progress | None, stage: str, rows: int) -> None:
    if progress:
        progress(stage, rows)
