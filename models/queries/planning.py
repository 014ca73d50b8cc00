"""Read-side figures a planner needs before a draw: stratum sizes and the eligible inspector pool."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Engine, distinct, func, select

from models.inspectors import Inspector, InspectorScheme
from models.summaries import CertificateCountByRegion


def stratum_population(
    engine: Engine, *, schemes: tuple[str, ...] = (), status: str = "valid"
) -> pd.DataFrame:
    """Certificates of ``status`` per (region_code, scheme_code) stratum, column ``N``, from the summary."""
    table = CertificateCountByRegion.__table__
    query = (
        select(table.c.region_code, table.c.scheme_code, func.sum(table.c.n).label("N"))
        .where(table.c.status == status)
        .group_by(table.c.region_code, table.c.scheme_code)
        .order_by(table.c.region_code, table.c.scheme_code)
    )
    if schemes:
        query = query.where(table.c.scheme_code.in_(schemes))
    with engine.connect() as connection:
        frame = pd.read_sql(query, connection)
    frame["N"] = frame["N"].astype("int64")
    return frame


def eligible_inspectors_by_region(engine: Engine, *, scheme: str, on: dt.date) -> pd.DataFrame:
    """Active inspectors competent for ``scheme`` with an ID valid on ``on``, counted per region."""
    insp, comp = Inspector.__table__, InspectorScheme.__table__
    query = (
        select(insp.c.region_code, func.count(distinct(insp.c.id)).label("inspectors"))
        .join(comp, comp.c.inspector_id == insp.c.id)
        .where(insp.c.active.is_(True), insp.c.id_valid_until >= on, comp.c.scheme_code == scheme)
        .group_by(insp.c.region_code)
        .order_by(insp.c.region_code)
    )
    with engine.connect() as connection:
        return pd.read_sql(query, connection)
