"""Bundles for the tests: unzip, re-zip as a forger would, and a small committed draw to bundle."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import zipfile

import pandas as pd
from sqlalchemy import Engine

#: One stratum (Guangdong): 2 of the 3 certificates of tests.support.rows, teams of one.
QUOTAS = pd.DataFrame({"region_code": ["440000"], "N": [3], "n": [2]})


def members(content: bytes) -> dict[str, bytes]:
    """Every member of a zip, by name."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def rezip(files: dict[str, bytes], *, manifest_too: bool = False) -> bytes:
    """A zip of ``files``; with ``manifest_too`` the manifest's sha256s are recomputed (a careful forger)."""
    if manifest_too:
        manifest = json.loads(files["manifest.json"])
        for name in manifest["files"]:
            if name in files:
                digest = hashlib.sha256(files[name]).hexdigest()
                manifest["files"][name] = {"sha256": digest, "bytes": len(files[name])}
        files = {**files, "manifest.json": json.dumps(manifest).encode()}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def change_frame_row(files: dict[str, bytes], column: str = "risk_grade") -> tuple[dict[str, bytes], str]:
    """``files`` with one frame.csv row's ``column`` changed; and that row's unit id."""
    lines = files["frame.csv"].decode().splitlines()
    header = lines[0].split(",")
    row = min(2, len(lines) - 1)
    cells = lines[row].split(",")
    at = header.index(column)
    cells[at] = "Z" if cells[at] != "Z" else "A"
    lines[row] = ",".join(cells)
    return {**files, "frame.csv": ("\n".join(lines) + "\n").encode()}, cells[0]


def small_store(url: str) -> Engine:
    """An engine on a new store at ``url`` (schema at head) holding tests.support.rows' institution,
    Guangdong QMS certificates 1-3 and inspectors 1-2."""
    from models.db import make_engine
    from models.migrate import upgrade
    from tests.support.rows import (
        insert_guangdong_certificates,
        insert_guangdong_inspectors,
        insert_one_institution,
    )

    engine = make_engine(url)
    upgrade(engine)
    with engine.begin() as connection:
        insert_one_institution(connection)
        insert_guangdong_certificates(connection, (1, 2, 3))
        insert_guangdong_inspectors(connection, (1, 2))
    return engine


def commit_small_draw(store: Engine, *, publish: bool, name: str = "公示包测试") -> int:
    """Open, preview and commit a QMS draw through the lottery on ``store`` (tests.support.rows'
    certificates 1-3 and inspectors 1-2, made QMS-competent here); returns the campaign id.

    ``publish`` marks the campaign published (as SQL: the outcomes workflow is not the point here).
    """
    from sqlalchemy import insert, text

    from dashboard import planner
    from models import InspectorScheme
    from models.frames import load_certificate_frame, load_inspector_pool
    from models.lottery import open_draw
    from tests.support.actors import PLANNER

    with store.begin() as connection:
        connection.execute(
            insert(InspectorScheme.__table__), [{"inspector_id": i, "scheme_code": "QMS"} for i in (1, 2)]
        )
    session = open_draw(
        store,
        campaign_name=name,
        year=2027,
        scheme="QMS",
        frame=load_certificate_frame(store, schemes=("QMS",)),
        pool=load_inspector_pool(store, workload_year=2027),
        actor=PLANNER,
    )
    inputs = planner.draw_inputs(
        scheme="QMS",
        year=2027,
        quotas=QUOTAS,
        inspection_date=dt.date(2026, 12, 1),
        team_size=1,
        cap=2,
        cross_region=False,
    )
    preview = planner.draw_preview(store, session.id, QUOTAS, inputs, actor=PLANNER)
    planner.commit_preview(store, preview, campaign_name=name, year=2027, scheme="QMS", actor=PLANNER)
    if publish:
        with store.begin() as connection:
            connection.execute(
                text("UPDATE campaign SET status = 'published', published_on = '2027-06-01' WHERE id = :c"),
                {"c": session.campaign_id},
            )
    return session.campaign_id
