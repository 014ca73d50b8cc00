"""Read-side figures a planner needs before a draw: stratum sizes and the eligible inspector pool."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Engine, distinct, func, select

from models.certificates import Certificate, Organisation
from models.inspectors import Inspector, InspectorScheme
from models.institutions import Institution
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


def preview_labels(
    engine: Engine, certificate_ids: tuple[int, ...], inspector_ids: tuple[int, ...]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """What a planner reads in a draw preview instead of internal ids.

    Returns (certificates: ``id, number, organisation, institution``; inspectors: ``id, name``).
    Inspector names only: enforcement-ID numbers and phones are not part of a preview.
    """
    cert, org, inst = Certificate.__table__, Organisation.__table__, Institution.__table__
    insp = Inspector.__table__
    certificates = (
        select(cert.c.id, cert.c.number, org.c.name.label("organisation"), inst.c.name.label("institution"))
        .join(org, org.c.id == cert.c.organisation_id)
        .join(inst, inst.c.id == cert.c.institution_id)
    )
    people = select(insp.c.id, insp.c.name)
    with engine.connect() as connection:  # a preview holds at most a sample's units: one IN list each
        found = connection.execute(certificates.where(cert.c.id.in_(list(certificate_ids)))).all()
        names = connection.execute(people.where(insp.c.id.in_(list(inspector_ids)))).all()
    return (
        pd.DataFrame(found, columns=["id", "number", "organisation", "institution"]),
        pd.DataFrame(names, columns=["id", "name"]),
    )
