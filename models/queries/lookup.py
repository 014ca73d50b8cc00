"""Certificate lookup (证书查询) by number, unified social credit code, organisation name or institution.

Every match comes with its status now and its history as a timeline (``[{date, kind}]``, oldest
first). The public sees what CNCA's own query service shows (number, organisation and its credit code,
scheme, province, issuing body, dates, status, history); staff with ``READ_STAFF`` also see the internal
ids, the organisation's industry and the body's risk grade. Certificates hold no personal data.

Input is normalised first (NFKC: full-width digits and letters, ideographic spaces; spaces removed;
credit codes and numbers upper-cased). A credit code must pass GB 32100's check character
(``stdnum.cn.uscc``); a look-alike letter (I, O, S, V, Z are not in the code's alphabet) or a wrong
check character is a ``LookupProblem`` that says which.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select
from stdnum.cn import uscc
from stdnum.exceptions import InvalidChecksum, ValidationError

from models.access import Actor, Permission
from models.certificates import Certificate, Organisation
from models.history import CertificateEvent
from models.institutions import Institution

DEFAULT_LIMIT = 50
CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
LOOK_ALIKES = {"I": "1", "O": "0", "S": "5", "V": "U", "Z": "2"}
PUBLIC_FIELDS = (
    "number",
    "organisation",
    "credit_code",
    "scheme_code",
    "region_code",
    "institution",
    "issued_on",
    "expires_on",
    "status",
    "previous_number",
    "history",
)
STAFF_FIELDS = ("certificate_id", "organisation_id", "institution_id", "industry", "risk_grade")


class LookupProblem(ValueError):
    """A lookup value that cannot match anything; ``code`` names the problem for translated messages."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class LookupResult:
    """Matches (dicts of ``PUBLIC_FIELDS``, and ``STAFF_FIELDS`` for staff); whether ``limit`` cut them."""

    matches: list[dict[str, Any]]
    capped: bool


def normalise(text: str) -> str:
    """NFKC (full-width forms to ASCII, ideographic spaces to spaces) with every space removed."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def check_credit_code(text: str) -> str:
    """The normalised, validated unified social credit code; LookupProblem saying what is wrong."""
    code = normalise(text).upper()
    if len(code) != 18:
        raise LookupProblem(
            f"a unified social credit code has 18 characters, {text!r} has {len(code)}",
            code="credit_code_length",
        )
    for position, character in enumerate(code, start=1):
        if character in LOOK_ALIKES:
            raise LookupProblem(
                f"character {position} of credit code {code} is {character!r}, which codes never use: "
                f"did you mean {LOOK_ALIKES[character]!r}?",
                code="credit_code_look_alike",
            )
        if character not in CREDIT_CODE_ALPHABET:
            raise LookupProblem(
                f"character {position} of credit code {code} ({character!r}) is not a digit or code letter",
                code="credit_code_character",
            )
    try:
        uscc.validate(code)
    except InvalidChecksum:
        raise LookupProblem(
            f"credit code {code} fails its check character (GB 32100): a character is mistyped",
            code="credit_code_checksum",
        ) from None
    except ValidationError as error:
        raise LookupProblem(f"credit code {code} is not valid: {error}", code="credit_code_invalid") from None
    return code


def _histories(connection, certificate_ids: Sequence[int]) -> dict[int, list[dict[str, str]]]:
    event = CertificateEvent.__table__
    timelines: dict[int, list[dict[str, str]]] = {i: [] for i in certificate_ids}
    if not certificate_ids:
        return timelines
    query = (
        select(event.c.certificate_id, event.c.occurred_on, event.c.kind)
        .where(event.c.certificate_id.in_(list(certificate_ids)))
        .order_by(event.c.certificate_id, event.c.seq)
    )
    for certificate_id, on, kind in connection.execute(query):
        timelines[certificate_id].append({"date": on.isoformat(), "kind": kind})
    return timelines


def _certificates(engine: Engine, condition, actor: Actor, limit: int) -> LookupResult:
    cert, org, inst = Certificate.__table__, Organisation.__table__, Institution.__table__
    previous = cert.alias("previous")
    query = (
        select(
            cert.c.id.label("certificate_id"),
            cert.c.number,
            org.c.name.label("organisation"),
            org.c.credit_code,
            cert.c.scheme_code,
            cert.c.region_code,
            inst.c.name.label("institution"),
            cert.c.issued_on,
            cert.c.expires_on,
            cert.c.status,
            previous.c.number.label("previous_number"),
            cert.c.organisation_id,
            cert.c.institution_id,
            org.c.industry,
            inst.c.risk_grade,
        )
        .join(org, org.c.id == cert.c.organisation_id)
        .join(inst, inst.c.id == cert.c.institution_id)
        .outerjoin(previous, previous.c.id == cert.c.previous_id)
        .where(condition)
        .order_by(cert.c.organisation_id, cert.c.issued_on, cert.c.id)
        .limit(limit + 1)
    )
    staff = actor.can(Permission.READ_STAFF)
    fields = PUBLIC_FIELDS + STAFF_FIELDS if staff else PUBLIC_FIELDS
    with engine.connect() as connection:
        rows = [dict(row) for row in connection.execute(query).mappings()]
        capped = len(rows) > limit
        rows = rows[:limit]
        timelines = _histories(connection, [row["certificate_id"] for row in rows])
    matches = []
    for row in rows:
        row["history"] = timelines[row["certificate_id"]]
        row["issued_on"], row["expires_on"] = row["issued_on"].isoformat(), row["expires_on"].isoformat()
        matches.append({name: row[name] for name in fields})
    return LookupResult(matches, capped)


def by_certificate_number(
    engine: Engine, number: str, *, actor: Actor, limit: int = DEFAULT_LIMIT
) -> LookupResult:
    """The certificate with this number (exact, after normalising; unique index)."""
    cert = Certificate.__table__
    return _certificates(engine, cert.c.number == normalise(number).upper(), actor, limit)


def by_credit_code(engine: Engine, code: str, *, actor: Actor, limit: int = DEFAULT_LIMIT) -> LookupResult:
    """Every certificate cycle of the organisation with this credit code; LookupProblem if it is invalid."""
    org = Organisation.__table__
    owner = select(org.c.id).where(org.c.credit_code == check_credit_code(code)).scalar_subquery()
    return _certificates(engine, Certificate.__table__.c.organisation_id == owner, actor, limit)


def by_organisation_name(
    engine: Engine, name: str, *, actor: Actor, limit: int = DEFAULT_LIMIT
) -> LookupResult:
    """Certificates of organisations whose name contains ``name`` (spaces and full-width forms ignored)."""
    wanted = normalise(name)
    if not wanted:
        raise LookupProblem("an organisation name to look for is empty", code="empty_name")
    org = Organisation.__table__
    pattern = "%" + wanted.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    owners = select(org.c.id).where(org.c.name.like(pattern, escape="\\"))
    return _certificates(engine, Certificate.__table__.c.organisation_id.in_(owners), actor, limit)


def by_institution(
    engine: Engine, institution_id: int, *, actor: Actor, limit: int = DEFAULT_LIMIT
) -> LookupResult:
    """Certificates issued by one institution, oldest organisation first (capped at ``limit``)."""
    return _certificates(engine, Certificate.__table__.c.institution_id == institution_id, actor, limit)
