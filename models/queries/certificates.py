"""Certificate counts for the dashboard, read from the summary tables wherever possible.

Counts by province, scheme and status come from ``certificatecountbyregion``; counts by institution
from ``certificatecountbyinstitution``; issuance by month from ``certificateissuance``. Only the
expiring-soon list touches ``certificate`` itself, through its ``(status, expires_on)`` index.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd
from sqlalchemy import Engine, case, func, select

from models.certificates import Certificate, Organisation
from models.institutions import Institution
from models.queries.sqlhelpers import where_in
from models.summaries import CertificateCountByInstitution, CertificateCountByRegion, CertificateIssuance

COUNT_DIMENSIONS = ("region_code", "scheme_code", "status")
WITHDRAWN_OR_SUSPENDED = ("suspended", "withdrawn")


def _read(engine: Engine, query, columns: Sequence[str]) -> pd.DataFrame:
    with engine.connect() as connection:
        rows = connection.execute(query).all()
    return pd.DataFrame(rows, columns=list(columns))


def certificate_counts(
    engine: Engine,
    *,
    by: Sequence[str] = COUNT_DIMENSIONS,
    provinces: Sequence[str] = (),
    schemes: Sequence[str] = (),
    statuses: Sequence[str] = (),
) -> pd.DataFrame:
    """Certificates grouped by any of ``region_code``, ``scheme_code``, ``status``; column ``n``.

    With ``by=()`` one row holding the total. Empty filter sequences mean "all".
    """
    unknown = set(by) - set(COUNT_DIMENSIONS)
    if unknown:
        raise ValueError(f"cannot group certificate counts by {sorted(unknown)}")
    table = CertificateCountByRegion.__table__
    keys = [table.c[name] for name in by]
    query = select(*keys, func.coalesce(func.sum(table.c.n), 0).label("n"))
    query = where_in(query, table.c.region_code, provinces)
    query = where_in(query, table.c.scheme_code, schemes)
    query = where_in(query, table.c.status, statuses)
    if keys:
        query = query.group_by(*keys).order_by(*keys)
    frame = _read(engine, query, [*by, "n"])
    frame["n"] = frame["n"].astype("int64")
    return frame


def certificate_total(engine: Engine, **filters: Sequence[str]) -> int:
    """The number of certificates matching ``provinces``/``schemes``/``statuses``."""
    return int(certificate_counts(engine, by=(), **filters)["n"].iloc[0])


def province_ranking(
    engine: Engine,
    *,
    schemes: Sequence[str] = (),
    statuses: Sequence[str] = (),
    provinces: Sequence[str] = (),
) -> pd.DataFrame:
    """Provinces by certificate count, largest first: region_code, n, share, cumulative_share, rank.

    Shares are of the total over the provinces selected (all 31 when none are).
    """
    frame = certificate_counts(
        engine, by=("region_code",), provinces=provinces, schemes=schemes, statuses=statuses
    )
    frame = frame[frame["n"] > 0].sort_values(["n", "region_code"], ascending=[False, True])
    total = frame["n"].sum()
    frame["share"] = frame["n"] / total if total else 0.0
    frame["cumulative_share"] = frame["share"].cumsum()
    frame["rank"] = range(1, len(frame) + 1)
    return frame.reset_index(drop=True)


def top_share(ranking: pd.DataFrame, k: int = 3) -> float:
    """The share of the ``k`` largest rows of a ranking (``province_ranking``/``top_institutions``)."""
    if ranking.empty:
        return 0.0
    return float(ranking["share"].head(k).sum())


def issuance_by_month(
    engine: Engine,
    *,
    provinces: Sequence[str] = (),
    schemes: Sequence[str] = (),
    months: tuple[str, str] | None = None,
    by_scheme: bool = False,
) -> pd.DataFrame:
    """Certificates issued per month (``YYYY-MM``), optionally split by scheme; column ``n``.

    ``months`` is an inclusive ``("YYYY-MM", "YYYY-MM")`` range.
    """
    table = CertificateIssuance.__table__
    keys = [table.c.month, table.c.scheme_code] if by_scheme else [table.c.month]
    query = select(*keys, func.sum(table.c.n).label("n"))
    query = where_in(query, table.c.region_code, provinces)
    query = where_in(query, table.c.scheme_code, schemes)
    if months is not None:
        query = query.where(table.c.month >= months[0], table.c.month <= months[1])
    query = query.group_by(*keys).order_by(*keys)
    columns = ["month", "scheme_code", "n"] if by_scheme else ["month", "n"]
    frame = _read(engine, query, columns)
    frame["n"] = frame["n"].astype("int64")
    return frame


def _institution_totals(
    *,
    provinces: Sequence[str],
    schemes: Sequence[str],
    statuses: Sequence[str],
):
    counts, inst = CertificateCountByInstitution.__table__, Institution.__table__
    query = (
        select(
            inst.c.id.label("institution_id"),
            inst.c.name,
            inst.c.region_code,
            func.sum(counts.c.n).label("n"),
        )
        .join(inst, inst.c.id == counts.c.institution_id)
        .group_by(inst.c.id, inst.c.name, inst.c.region_code)
    )
    query = where_in(query, inst.c.region_code, provinces)
    query = where_in(query, counts.c.scheme_code, schemes)
    return where_in(query, counts.c.status, statuses)


def top_institutions(
    engine: Engine,
    *,
    provinces: Sequence[str] = (),
    schemes: Sequence[str] = (),
    statuses: Sequence[str] = (),
    limit: int = 10,
) -> pd.DataFrame:
    """The institutions with most certificates: institution_id, name, region_code, n, share, rank.

    ``provinces`` filters on the institution's own province (where it is registered); ``share`` is
    of all certificates of the institutions matching the filters.
    """
    ranked = _institution_totals(provinces=provinces, schemes=schemes, statuses=statuses)
    total_query = select(func.coalesce(func.sum(ranked.subquery().c.n), 0))
    query = ranked.order_by(func.sum(CertificateCountByInstitution.__table__.c.n).desc(), "institution_id")
    with engine.connect() as connection:
        total = int(connection.execute(total_query).scalar_one())
        rows = connection.execute(query.limit(limit)).all()
    frame = pd.DataFrame(rows, columns=["institution_id", "name", "region_code", "n"])
    frame["n"] = frame["n"].astype("int64")
    frame["share"] = frame["n"] / total if total else 0.0
    frame["rank"] = range(1, len(frame) + 1)
    return frame


def status_share_by_institution(
    engine: Engine,
    *,
    provinces: Sequence[str] = (),
    schemes: Sequence[str] = (),
    min_certificates: int = 1,
) -> pd.DataFrame:
    """Per institution: total certificates, suspended, withdrawn and their share of the total.

    Columns institution_id, name, region_code, risk_grade, total, suspended, withdrawn, share;
    highest share first. ``provinces`` filters on the institution's province.
    """
    counts, inst = CertificateCountByInstitution.__table__, Institution.__table__

    def count_of(status: str):
        return func.sum(case((counts.c.status == status, counts.c.n), else_=0))

    total = func.sum(counts.c.n)
    query = (
        select(
            inst.c.id,
            inst.c.name,
            inst.c.region_code,
            inst.c.risk_grade,
            total.label("total"),
            count_of("suspended").label("suspended"),
            count_of("withdrawn").label("withdrawn"),
        )
        .join(inst, inst.c.id == counts.c.institution_id)
        .group_by(inst.c.id, inst.c.name, inst.c.region_code, inst.c.risk_grade)
        .having(total >= min_certificates)
    )
    query = where_in(query, inst.c.region_code, provinces)
    query = where_in(query, counts.c.scheme_code, schemes)
    columns = ["institution_id", "name", "region_code", "risk_grade", "total", "suspended", "withdrawn"]
    frame = _read(engine, query, columns)
    for column in ("total", "suspended", "withdrawn"):
        frame[column] = frame[column].astype("int64")
    frame["share"] = ((frame["suspended"] + frame["withdrawn"]) / frame["total"]).astype(float)
    frame = frame.sort_values(["share", "total", "institution_id"], ascending=[False, False, True])
    return frame.reset_index(drop=True)


def _expiring_filter(query, *, today: dt.date, days: int, provinces, schemes):
    cert = Certificate.__table__
    query = query.where(
        cert.c.status == "valid",
        cert.c.expires_on >= today,
        cert.c.expires_on <= today + dt.timedelta(days=days),
    )
    query = where_in(query, cert.c.region_code, provinces)
    return where_in(query, cert.c.scheme_code, schemes)


def expiring_count(
    engine: Engine,
    *,
    today: dt.date,
    days: int = 90,
    provinces: Sequence[str] = (),
    schemes: Sequence[str] = (),
) -> int:
    """Valid certificates whose expiry falls in ``[today, today + days]``."""
    query = _expiring_filter(
        select(func.count()).select_from(Certificate.__table__),
        today=today,
        days=days,
        provinces=provinces,
        schemes=schemes,
    )
    with engine.connect() as connection:
        return int(connection.execute(query).scalar_one())


def expiring_certificates(
    engine: Engine,
    *,
    today: dt.date,
    days: int = 90,
    provinces: Sequence[str] = (),
    schemes: Sequence[str] = (),
    limit: int = 1000,
) -> pd.DataFrame:
    """The first ``limit`` valid certificates expiring in ``[today, today + days]``, soonest first.

    Columns number, organisation, institution, scheme_code, region_code, issued_on, expires_on.
    """
    cert, org, inst = Certificate.__table__, Organisation.__table__, Institution.__table__
    query = (
        select(
            cert.c.number,
            org.c.name.label("organisation"),
            inst.c.name.label("institution"),
            cert.c.scheme_code,
            cert.c.region_code,
            cert.c.issued_on,
            cert.c.expires_on,
        )
        .join(org, org.c.id == cert.c.organisation_id)
        .join(inst, inst.c.id == cert.c.institution_id)
    )
    query = _expiring_filter(query, today=today, days=days, provinces=provinces, schemes=schemes)
    query = query.order_by(cert.c.expires_on, cert.c.number).limit(limit)
    columns = [
        "number",
        "organisation",
        "institution",
        "scheme_code",
        "region_code",
        "issued_on",
        "expires_on",
    ]
    return _read(engine, query, columns)
