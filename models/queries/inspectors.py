"""The inspector registry (执法检查人员名录库): filtered counts and tables, masked by role."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine, Select, and_, case, exists, func, literal, select

from models.access import Role
from models.inspectors import Inspector, InspectorScheme
from models.queries.roles import mask_columns
from models.queries.sqlhelpers import select_in_chunks

VALIDITY_STATES = ("valid", "expiring", "expired")
EXPIRING_DAYS = 90
TABLE_COLUMNS = [
    "name",
    "enforcement_id",
    "id_valid_until",
    "validity",
    "agency",
    "region_code",
    "schemes",
    "active",
    "phone",
]


@dataclass(frozen=True)
class InspectorFilters:
    """What the registry view is narrowed to; empty tuples mean "all".

    ``validity`` holds states of ``VALIDITY_STATES``: *expired* (valid-until date before ``today``),
    *expiring* (within ``EXPIRING_DAYS`` days from ``today``) and *valid* (later than that).
    """

    provinces: tuple[str, ...] = ()
    agencies: tuple[str, ...] = ()
    schemes: tuple[str, ...] = ()
    validity: tuple[str, ...] = ()
    active: bool | None = None
    today: dt.date | None = None

    @property
    def as_of(self) -> dt.date:
        """The date validity is judged on."""
        return self.today or dt.date.today()


def _validity(filters: InspectorFilters):
    valid_until = Inspector.__table__.c.id_valid_until
    soon = filters.as_of + dt.timedelta(days=EXPIRING_DAYS)
    return case(
        (valid_until < filters.as_of, literal("expired")),
        (valid_until <= soon, literal("expiring")),
        else_=literal("valid"),
    )


def _where(query: Select, filters: InspectorFilters) -> Select:
    insp, comp = Inspector.__table__, InspectorScheme.__table__.alias("competence")
    if filters.provinces:
        query = query.where(insp.c.region_code.in_(filters.provinces))
    if filters.agencies:
        query = query.where(insp.c.agency.in_(filters.agencies))
    if filters.schemes:
        query = query.where(
            exists().where(and_(comp.c.inspector_id == insp.c.id, comp.c.scheme_code.in_(filters.schemes)))
        )
    if filters.validity:
        query = query.where(_validity(filters).in_(filters.validity))
    if filters.active is not None:
        query = query.where(insp.c.active == filters.active)
    return query


def agencies(engine: Engine, *, provinces: tuple[str, ...] = ()) -> list[str]:
    """Distinct agencies (optionally of some provinces), sorted."""
    insp = Inspector.__table__
    query = select(insp.c.agency).distinct().order_by(insp.c.agency)
    if provinces:
        query = query.where(insp.c.region_code.in_(provinces))
    with engine.connect() as connection:
        return list(connection.scalars(query))


def registry_summary(engine: Engine, filters: InspectorFilters) -> dict[str, int]:
    """Counts of the filtered registry: total, active, valid, expiring, expired."""
    insp = Inspector.__table__
    state = _validity(filters)

    def count_if(condition):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    query = _where(
        select(
            func.count().label("total"),
            count_if(insp.c.active.is_(True)).label("active"),
            *(count_if(state == name).label(name) for name in VALIDITY_STATES),
        ).select_from(insp),
        filters,
    )
    with engine.connect() as connection:
        row = connection.execute(query).mappings().one()
    return {key: int(value) for key, value in row.items()}


def counts_by_province(engine: Engine, filters: InspectorFilters) -> pd.DataFrame:
    """Inspectors per province of the filtered registry: region_code, inspectors, active."""
    insp = Inspector.__table__
    active = func.coalesce(func.sum(case((insp.c.active.is_(True), 1), else_=0)), 0)
    query = _where(
        select(insp.c.region_code, func.count().label("inspectors"), active.label("active")).select_from(
            insp
        ),
        filters,
    ).group_by(insp.c.region_code)
    with engine.connect() as connection:
        frame = pd.DataFrame(connection.execute(query).all(), columns=["region_code", "inspectors", "active"])
    return frame.astype({"inspectors": "int64", "active": "int64"}).sort_values(
        ["inspectors", "region_code"], ascending=[False, True], ignore_index=True
    )


def counts_by_scheme(engine: Engine, filters: InspectorFilters) -> pd.DataFrame:
    """Inspectors competent in each scheme (an inspector counts once per scheme): scheme_code, inspectors."""
    insp, comp = Inspector.__table__, InspectorScheme.__table__
    query = _where(
        select(comp.c.scheme_code, func.count(func.distinct(insp.c.id)).label("inspectors"))
        .select_from(insp)
        .join(comp, comp.c.inspector_id == insp.c.id),
        filters,
    )
    if filters.schemes:
        query = query.where(comp.c.scheme_code.in_(filters.schemes))
    query = query.group_by(comp.c.scheme_code)
    with engine.connect() as connection:
        frame = pd.DataFrame(connection.execute(query).all(), columns=["scheme_code", "inspectors"])
    return frame.astype({"inspectors": "int64"}).sort_values(
        ["inspectors", "scheme_code"], ascending=[False, True], ignore_index=True
    )


def _schemes_of(engine: Engine, ids: list[int]) -> dict[int, str]:
    comp = InspectorScheme.__table__
    found: dict[int, list[str]] = {}
    with engine.connect() as connection:
        pairs = select(comp.c.inspector_id, comp.c.scheme_code)
        rows = select_in_chunks(connection, lambda chunk: pairs.where(comp.c.inspector_id.in_(chunk)), ids)
        for inspector_id, code in rows:
            found.setdefault(inspector_id, []).append(code)
    return {key: ";".join(sorted(codes)) for key, codes in found.items()}


def _table(engine: Engine, query: Select, role: Role, extra: list[str]) -> pd.DataFrame:
    with engine.connect() as connection:
        rows = connection.execute(query).all()
    frame = pd.DataFrame(rows, columns=["id", *(c for c in TABLE_COLUMNS if c != "schemes"), *extra])
    schemes = _schemes_of(engine, [int(i) for i in frame["id"]])
    frame["schemes"] = [schemes.get(int(i), "") for i in frame["id"]]
    frame["active"] = frame["active"].astype(bool)
    frame["id_valid_until"] = pd.to_datetime(frame["id_valid_until"]).dt.date
    frame = frame[["id", *TABLE_COLUMNS, *extra]]
    return mask_columns(frame, role, phones=["phone"], identifiers=["enforcement_id"])


def _columns(filters: InspectorFilters) -> list:
    insp = Inspector.__table__
    return [
        insp.c.id,
        insp.c.name,
        insp.c.enforcement_id,
        insp.c.id_valid_until,
        _validity(filters).label("validity"),
        insp.c.agency,
        insp.c.region_code,
        insp.c.active,
        insp.c.phone,
    ]


def inspector_table(
    engine: Engine, filters: InspectorFilters, *, role: Role, limit: int = 2000
) -> pd.DataFrame:
    """The filtered registry, at most ``limit`` rows ordered by province and name.

    Phones and enforcement-ID numbers are masked unless ``role`` may see them.
    """
    insp = Inspector.__table__
    query = _where(select(*_columns(filters)).select_from(insp), filters)
    query = query.order_by(insp.c.region_code, insp.c.name, insp.c.id).limit(limit)
    return _table(engine, query, role, [])


def expiring_soon(
    engine: Engine, filters: InspectorFilters, *, role: Role, days: int = EXPIRING_DAYS, limit: int = 500
) -> pd.DataFrame:
    """Active inspectors whose enforcement ID expires within ``days`` days, soonest first (+ days_left)."""
    insp = Inspector.__table__
    today = filters.as_of
    query = _where(select(*_columns(filters)).select_from(insp), filters).where(
        insp.c.active.is_(True),
        insp.c.id_valid_until >= today,
        insp.c.id_valid_until <= today + dt.timedelta(days=days),
    )
    query = query.order_by(insp.c.id_valid_until, insp.c.id).limit(limit)
    frame = _table(engine, query, role, [])
    frame["days_left"] = [(day - today).days for day in frame["id_valid_until"]]
    return frame
