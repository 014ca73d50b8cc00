"""Sampling frames for the sampler, read from the store as plain DataFrames."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, select

from models.certificates import Certificate
from models.inspectors import Inspector, InspectorAffiliation, InspectorScheme
from models.institutions import Institution


def certificate_frame_source(
    *,
    status: str = "valid",
    schemes: tuple[str, ...] | list[str] = (),
    provinces: tuple[str, ...] | list[str] = (),
) -> dict:
    """The keywords of `load_certificate_frame` as a JSON-ready description of the frame's source.

    Kept with a live draw (and in its exported record as ``frame_source``) so that
    ``regdash verify --database-url`` reads the frame the draw was made from.
    """
    return {
        "status": str(status),
        "schemes": sorted(map(str, schemes)),
        "provinces": sorted(map(str, provinces)),
    }


def load_certificate_frame(
    engine: Engine,
    *,
    status: str = "valid",
    schemes: tuple[str, ...] = (),
    provinces: tuple[str, ...] = (),
) -> pd.DataFrame:
    """Certificates of ``status`` as units: unit_id, region, scheme, institution_id, risk_grade.

    ``schemes`` and ``provinces`` (GB/T 2260 codes) narrow the frame; empty means all.
    """
    cert, inst = Certificate.__table__, Institution.__table__
    query = (
        select(
            cert.c.id.label("unit_id"),
            cert.c.region_code.label("region"),
            cert.c.scheme_code.label("scheme"),
            cert.c.institution_id,
            inst.c.risk_grade,
        )
        .join(inst, inst.c.id == cert.c.institution_id)
        .where(cert.c.status == status)
        .order_by(cert.c.id)
    )
    if schemes:
        query = query.where(cert.c.scheme_code.in_(schemes))
    if provinces:
        query = query.where(cert.c.region_code.in_(provinces))
    with engine.connect() as connection:
        return pd.read_sql(query, connection)


def load_inspector_pool(engine: Engine) -> pd.DataFrame:
    """Inspectors with competences and affiliations joined into ``;``-separated text columns.

    Columns: inspector_id, region, agency, schemes, active, id_valid_until, affiliations.
    """
    insp, comp, aff = Inspector.__table__, InspectorScheme.__table__, InspectorAffiliation.__table__
    with engine.connect() as connection:
        people = pd.read_sql(
            select(
                insp.c.id.label("inspector_id"),
                insp.c.region_code.label("region"),
                insp.c.agency,
                insp.c.active,
                insp.c.id_valid_until,
            ),
            connection,
        )
        schemes = pd.read_sql(select(comp.c.inspector_id, comp.c.scheme_code), connection)
        ties = pd.read_sql(select(aff.c.inspector_id, aff.c.institution_id), connection)
    scheme_text = schemes.groupby("inspector_id")["scheme_code"].agg(lambda s: ";".join(sorted(s)))
    tie_text = ties.groupby("inspector_id")["institution_id"].agg(
        lambda s: ";".join(str(v) for v in sorted(s))
    )
    people["schemes"] = people["inspector_id"].map(scheme_text).fillna("")
    people["affiliations"] = people["inspector_id"].map(tie_text).fillna("")
    people["active"] = people["active"].astype(bool)
    people["id_valid_until"] = pd.to_datetime(people["id_valid_until"]).dt.date
    return people
