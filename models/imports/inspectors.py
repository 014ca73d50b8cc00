"""Inspector registry import (执法检查人员模板导入): validate every row, then upsert in one transaction.

Flow: ``preview_import(engine, data, filename)`` reads and checks the file and returns an
``ImportPreview`` (clean records plus one ``RowProblem`` per bad cell); nothing is written.
``commit_import(engine, preview)`` writes a clean preview all-or-nothing, upserting on the
enforcement-ID number, and reports inserted / updated / unchanged counts. Re-importing the same
file changes nothing. ``add_inspector`` is the single-record path used by the entry form.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace

from sqlalchemy import Connection, Engine, delete, insert, select, update

from models.access import Actor, Permission, require
from models.audit import append_audit, canonical_json
from models.identifiers import is_credit_code
from models.imports.tabular import INSTRUCTIONS_SHEET, RawRow, RawTable, raw_row, read_table
from models.inspectors import Inspector, InspectorAffiliation, InspectorScheme
from models.institutions import Institution
from models.queries.sqlhelpers import select_in_chunks
from models.reference_data import PROVINCES, SCHEMES

# field key, Chinese header, English header
TEMPLATE_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("name", "姓名", "name"),
    ("enforcement_id", "执法证号", "enforcement_id"),
    ("id_valid_until", "有效期至", "id_valid_until"),
    ("agency", "执法机构", "agency"),
    ("province", "省份", "province"),
    ("schemes", "检查领域", "schemes"),
    ("active", "状态", "active"),
    ("phone", "手机", "phone"),
    ("affiliations", "曾任职机构", "affiliations"),
)
FIELDS = tuple(key for key, *_ in TEMPLATE_COLUMNS)
# Columns that hold typed identifiers: a number Excel rounded is refused, never upserted on.
IDENTIFIERS = ("enforcement_id", "phone", "affiliations")
REQUIRED = ("name", "enforcement_id", "id_valid_until", "agency", "province", "schemes", "phone")
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "name"),
    "enforcement_id": ("执法证号", "enforcement_id", "enforcement-id", "执法证编号"),
    "id_valid_until": ("有效期至", "id_valid_until", "valid_until", "有效期"),
    "agency": ("执法机构", "agency", "所在单位"),
    "province": ("省份", "province", "地区"),
    "schemes": ("检查领域", "schemes", "scheme", "领域"),
    "active": ("状态", "active", "status"),
    "phone": ("手机", "phone", "手机号", "mobile"),
    "affiliations": ("曾任职机构", "affiliations", "affiliation"),
}
MAX_LENGTH = {"name": 32, "agency": 48}

# e.g. 粤市监执2019000123 (province short name + issuing word + digits) or 44010020170001
ENFORCEMENT_ID = re.compile(r"^[\u4e00-\u9fffA-Z0-9][\u4e00-\u9fffA-Z0-9-]{5,23}$")
MIN_ID_DIGITS = 4
MOBILE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}$")
LIST_SEPARATORS = re.compile(r"[;；,，、/\s]+")
# Year, month, day with separators (2028-6-30, 2028/06/30, 2028.6.30, 2028年6月30日) or exactly eight
# digits (20280630); 2024131 (2024-1-31 or 2024-13-1?) and other digit runs are refused, not guessed.
DATE_PATTERNS = (
    re.compile(r"^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})$"),
    re.compile(r"^(\d{4})()(\d{2})(\d{2})$"),
    re.compile(r"^(\d{4})年()(\d{1,2})月(\d{1,2})日$"),
)
ACTIVE_WORDS = {
    "是": True,
    "在职": True,
    "有效": True,
    "启用": True,
    "y": True,
    "yes": True,
    "true": True,
    "1": True,
    "active": True,
    "否": False,
    "停用": False,
    "离职": False,
    "无效": False,
    "n": False,
    "no": False,
    "false": False,
    "0": False,
    "inactive": False,
}
PROVINCE_SUFFIXES = ("维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "省", "市")

# Every kind of row problem, in the order the preview lists them for one row.
PROBLEM_KINDS = (
    "invisible_character",
    "excel_error",
    "numeric_identifier",
    "missing",
    "too_long",
    "bad_id_format",
    "duplicate_in_file",
    "bad_date",
    "expired_id",
    "unknown_province",
    "unknown_scheme",
    "bad_active",
    "bad_phone",
    "bad_credit_code",
    "unknown_institution",
    "already_registered",
)


@dataclass(frozen=True)
class RowProblem:
    """One reason a row cannot be imported: row number as in the file, field, column letter, value."""

    row: int
    field: str
    column: str
    kind: str
    value: str = ""
    other_row: int | None = None

    @property
    def cell(self) -> str:
        """The spreadsheet cell, e.g. ``B7`` (empty when the column is unknown)."""
        return f"{self.column}{self.row}" if self.column else ""


@dataclass(frozen=True)
class InspectorRecord:
    """A clean row, ready to write."""

    row: int
    name: str
    enforcement_id: str
    id_valid_until: dt.date
    agency: str
    region_code: str
    schemes: tuple[str, ...]
    active: bool
    phone: str
    affiliations: tuple[str, ...] = ()  # institution credit codes


@dataclass(frozen=True)
class ImportPreview:
    """What an import would do: the clean records and every problem found (nothing written yet)."""

    rows: int
    records: tuple[InspectorRecord, ...]
    problems: tuple[RowProblem, ...]
    columns: dict[str, str] = field(default_factory=dict)
    raw_rows: tuple[RawRow, ...] = ()
    sheet: str | None = None  # the worksheet read (None for a CSV)

    @property
    def ok(self) -> bool:
        """True when every row is clean and there is at least one row."""
        return not self.problems and bool(self.records)

    @property
    def bad_rows(self) -> tuple[int, ...]:
        """Row numbers (as in the file) that have at least one problem."""
        return tuple(sorted({problem.row for problem in self.problems}))


@dataclass(frozen=True)
class ImportResult:
    """What a commit did."""

    inserted: int
    updated: int
    unchanged: int


class ImportRejected(ValueError):
    """A commit was asked for a preview with problems, or the store changed since the preview."""

    def __init__(self, problems: Iterable[RowProblem]) -> None:
        self.problems = tuple(problems)
        super().__init__(f"{len(self.problems)} row problem(s)")


def _province_lookup() -> dict[str, str]:
    lookup: dict[str, str] = {}
    for code, abbr, zh, en, *_ in PROVINCES:
        for alias in (code, abbr, zh, en, code[:2]):
            lookup[alias.lower()] = code
    return lookup


def _scheme_lookup() -> dict[str, str]:
    lookup: dict[str, str] = {}
    for code, zh, en, *_ in SCHEMES:
        for alias in (code, zh, en):
            lookup[alias.lower()] = code
    return lookup


_PROVINCES = _province_lookup()
_SCHEMES = _scheme_lookup()


def province_code(text: str) -> str | None:
    """GB/T 2260 code of a province given by code, Chinese or English name (``广东省`` too)."""
    key = text.strip().lower()
    if key in _PROVINCES:
        return _PROVINCES[key]
    for suffix in PROVINCE_SUFFIXES:
        if key.endswith(suffix) and key[: -len(suffix)] in _PROVINCES:
            return _PROVINCES[key[: -len(suffix)]]
    return None


def split_list(text: str) -> list[str]:
    """Split ``QMS；EMS;OHSMS,ISMS`` into items."""
    return [item for item in LIST_SEPARATORS.split(text.strip()) if item]


def parse_date(value: object, text: str) -> dt.date | None:
    """A date from an Excel date cell or from text matching one of ``DATE_PATTERNS`` (else None)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    for pattern in DATE_PATTERNS:
        match = pattern.match(text.strip())
        if match:
            try:
                return dt.date(int(match.group(1)), int(match.group(3)), int(match.group(4)))
            except ValueError:
                return None
    return None


def normalise_phone(text: str) -> str:
    """Drop spaces and a leading +86 / 0086."""
    phone = re.sub(r"[\s()]", "", text)
    for prefix in ("+86", "0086"):
        if phone.startswith(prefix):
            phone = phone[len(prefix) :].lstrip("-")
    return phone


def enforcement_id_key(text: str) -> str:
    """The enforcement-ID number as stored and compared: spaces dropped, upper-case."""
    return text.replace(" ", "").upper()


def validate_row(
    raw: RawRow,
    columns: dict[str, str],
    *,
    today: dt.date,
    known_credit_codes: set[str] | None = None,
) -> tuple[InspectorRecord | None, list[RowProblem]]:
    """Check one row; return its clean record (or None) and every problem found in it."""
    values, row = raw.values, raw.row
    problems: list[RowProblem] = []

    def problem(key: str, kind: str, value: str = "") -> None:
        problems.append(RowProblem(row, key, columns.get(key, ""), kind, value))

    for key, kind in raw.problems.items():  # a bad cell is reported once, for what it is
        problem(key, kind, values.get(key, ""))
    if raw.problems:
        values = {key: text for key, text in values.items() if key not in raw.problems}
    for key in REQUIRED:
        if not values.get(key, "") and key not in raw.problems:
            problem(key, "missing")
    for key, limit in MAX_LENGTH.items():
        if len(values.get(key, "")) > limit:
            problem(key, "too_long", values[key])

    enforcement_id = enforcement_id_key(values.get("enforcement_id", ""))
    digits = sum(ch.isdigit() for ch in enforcement_id)
    if enforcement_id and (not ENFORCEMENT_ID.match(enforcement_id) or digits < MIN_ID_DIGITS):
        problem("enforcement_id", "bad_id_format", values["enforcement_id"])

    valid_until = None
    if values.get("id_valid_until"):
        valid_until = parse_date(raw.raw.get("id_valid_until"), values["id_valid_until"])
        if valid_until is None:
            problem("id_valid_until", "bad_date", values["id_valid_until"])
        elif valid_until < today:
            problem("id_valid_until", "expired_id", valid_until.isoformat())

    region = None
    if values.get("province"):
        region = province_code(values["province"])
        if region is None:
            problem("province", "unknown_province", values["province"])

    schemes: list[str] = []
    for item in split_list(values.get("schemes", "")):
        code = _SCHEMES.get(item.lower())
        if code is None:
            problem("schemes", "unknown_scheme", item)
        elif code not in schemes:
            schemes.append(code)

    active = True
    if values.get("active"):
        word = values["active"].strip().lower()
        if word not in ACTIVE_WORDS:
            problem("active", "bad_active", values["active"])
        else:
            active = ACTIVE_WORDS[word]

    phone = normalise_phone(values.get("phone", ""))
    if phone and not (MOBILE.match(phone) or LANDLINE.match(phone)):
        problem("phone", "bad_phone", values["phone"])

    credit_codes: list[str] = []
    for item in split_list(values.get("affiliations", "")):
        code = item.upper()
        if not is_credit_code(code):
            problem("affiliations", "bad_credit_code", item)
        elif known_credit_codes is not None and code not in known_credit_codes:
            problem("affiliations", "unknown_institution", item)
        elif code not in credit_codes:
            credit_codes.append(code)

    if problems:
        return None, problems
    assert valid_until is not None and region is not None
    record = InspectorRecord(
        row=row,
        name=values["name"],
        enforcement_id=enforcement_id,
        id_valid_until=valid_until,
        agency=values["agency"],
        region_code=region,
        schemes=tuple(sorted(schemes)),
        active=active,
        phone=phone,
        affiliations=tuple(sorted(credit_codes)),
    )
    return record, []


def validate_table(
    table: RawTable, *, today: dt.date, known_credit_codes: set[str] | None = None
) -> ImportPreview:
    """Validate every row of ``table``; duplicates of an enforcement-ID within the file are problems."""
    records: list[InspectorRecord] = []
    problems: list[RowProblem] = []
    first_seen: dict[str, int] = {}
    for raw in table.rows:
        record, row_problems = validate_row(
            raw, table.columns, today=today, known_credit_codes=known_credit_codes
        )
        key = enforcement_id_key(raw.values.get("enforcement_id", ""))
        if key and "enforcement_id" not in raw.problems:
            if key in first_seen:
                row_problems.append(
                    RowProblem(
                        raw.row,
                        "enforcement_id",
                        table.columns.get("enforcement_id", ""),
                        "duplicate_in_file",
                        key,
                        other_row=first_seen[key],
                    )
                )
                record = None
            else:
                first_seen[key] = raw.row
        problems.extend(row_problems)
        if record is not None:
            records.append(record)
    order = {kind: i for i, kind in enumerate(PROBLEM_KINDS)}
    problems.sort(key=lambda p: (p.row, order.get(p.kind, 99), p.field))
    return ImportPreview(
        rows=len(table.rows),
        records=tuple(records),
        problems=tuple(problems),
        columns=table.columns,
        raw_rows=tuple(table.rows),
    )


def known_credit_codes(engine: Engine) -> set[str]:
    """Credit codes of every institution in the store."""
    with engine.connect() as connection:
        return set(connection.scalars(select(Institution.__table__.c.credit_code)))


def preview_import(
    engine: Engine,
    data: bytes,
    filename: str,
    *,
    today: dt.date | None = None,
    sheet: str | None = None,
) -> ImportPreview:
    """Read and validate an uploaded file against the store; writes nothing.

    ``sheet`` names the worksheet of a workbook with several (``ImportFileError("several_sheets")``
    lists them). Raises ``ImportFileError`` when the file as a whole cannot be read.
    """
    table = read_table(
        data,
        filename,
        HEADER_ALIASES,
        REQUIRED,
        identifiers=IDENTIFIERS,
        sheet=sheet,
        ignored_sheets=(INSTRUCTIONS_SHEET,),
    )
    preview = validate_table(
        table, today=today or dt.date.today(), known_credit_codes=known_credit_codes(engine)
    )
    return replace(preview, sheet=table.sheet)


def _existing(connection: Connection, enforcement_ids: list[str]) -> dict[str, dict]:
    insp = Inspector.__table__
    rows = select_in_chunks(
        connection, lambda chunk: select(insp).where(insp.c.enforcement_id.in_(chunk)), enforcement_ids
    )
    return {row.enforcement_id: dict(row._mapping) for row in rows}


def _ids_for(connection: Connection, column, table, ids: list[int]) -> dict[int, set]:
    owner_column, value_column = table.c[column[0]], table.c[column[1]]
    result: dict[int, set] = {}
    query_for = lambda chunk: select(owner_column, value_column).where(owner_column.in_(chunk))  # noqa: E731
    for owner, value in select_in_chunks(connection, query_for, ids):
        result.setdefault(owner, set()).add(value)
    return result


def _write(connection: Connection, records: list[InspectorRecord], *, today: dt.date, insert_only: bool):
    insp, comp, aff = Inspector.__table__, InspectorScheme.__table__, InspectorAffiliation.__table__
    inst = Institution.__table__
    institution_ids = {code: i for code, i in connection.execute(select(inst.c.credit_code, inst.c.id))}
    missing = [
        RowProblem(r.row, "affiliations", "", "unknown_institution", code)
        for r in records
        for code in r.affiliations
        if code not in institution_ids
    ]
    existing = _existing(connection, [r.enforcement_id for r in records])
    if insert_only:
        missing += [
            RowProblem(r.row, "enforcement_id", "", "already_registered", r.enforcement_id)
            for r in records
            if r.enforcement_id in existing
        ]
    if missing:
        raise ImportRejected(missing)
    ids = [row["id"] for row in existing.values()]
    schemes_of = _ids_for(connection, ("inspector_id", "scheme_code"), comp, ids)
    ties_of = _ids_for(connection, ("inspector_id", "institution_id"), aff, ids)
    inserted = updated = unchanged = 0
    for record in records:
        fields = dict(
            name=record.name,
            id_valid_until=record.id_valid_until,
            agency=record.agency,
            region_code=record.region_code,
            active=record.active,
            phone=record.phone,
        )
        wanted_ties = {institution_ids[code] for code in record.affiliations}
        old = existing.get(record.enforcement_id)
        if old is None:
            # the database allocates the id (SQLite rowid, PostgreSQL serial sequence): concurrent
            # imports never collide on it
            inspector_id = connection.execute(
                insert(insp).values(enforcement_id=record.enforcement_id, **fields).returning(insp.c.id)
            ).scalar_one()
            old_schemes, old_ties = set(), set()
            inserted += 1
        else:
            inspector_id = old["id"]
            old_schemes = schemes_of.get(inspector_id, set())
            old_ties = ties_of.get(inspector_id, set())
            changed_fields = {k: v for k, v in fields.items() if old[k] != v}
            if not changed_fields and old_schemes == set(record.schemes) and wanted_ties <= old_ties:
                unchanged += 1
                continue
            if changed_fields:
                connection.execute(update(insp).where(insp.c.id == inspector_id).values(**changed_fields))
            updated += 1
        if old_schemes != set(record.schemes):
            connection.execute(delete(comp).where(comp.c.inspector_id == inspector_id))
            connection.execute(
                insert(comp), [dict(inspector_id=inspector_id, scheme_code=s) for s in record.schemes]
            )
        new_ties = sorted(wanted_ties - old_ties)
        if new_ties:
            connection.execute(
                insert(aff),
                [dict(inspector_id=inspector_id, institution_id=i, started_on=today) for i in new_ties],
            )
    return ImportResult(inserted=inserted, updated=updated, unchanged=unchanged)


def _audit_import(connection: Connection, actor: Actor, action: str, records, result: ImportResult) -> None:
    """The audit entry of an import: counts and a hash of the rows written (no personal data)."""
    rows = [
        {k: v for k, v in asdict(record).items() if k != "row"}
        for record in sorted(records, key=lambda r: r.row)
    ]
    digest = hashlib.sha256(canonical_json(rows).encode()).hexdigest()
    append_audit(
        connection,
        actor,
        action,
        "inspector",
        "registry",
        {
            "rows": len(rows),
            "inserted": result.inserted,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "rows_sha256": digest,
        },
    )


def commit_import(
    engine: Engine, preview: ImportPreview, *, actor: Actor, today: dt.date | None = None
) -> ImportResult:
    """Write a clean preview in one transaction (all or nothing), upserting on the enforcement-ID.

    Competences are replaced by the file's; affiliations named in the file are added (past ties are
    history and are never removed; a new tie starts on ``today``). Raises ``AccessDenied`` unless
    ``actor`` may maintain the registry, ``ImportRejected`` if the preview has problems or an
    affiliation's institution has gone since the preview. The import and its actor go into the
    audit log.
    """
    require(actor, Permission.MANAGE_INSPECTORS)
    if preview.problems:
        raise ImportRejected(preview.problems)
    if not preview.records:
        return ImportResult(0, 0, 0)
    with engine.begin() as connection:
        records = list(preview.records)
        result = _write(connection, records, today=today or dt.date.today(), insert_only=False)
        _audit_import(connection, actor, "inspectors.import", records, result)
        return result


def add_inspector(
    engine: Engine, values: dict[str, str], *, actor: Actor, today: dt.date | None = None
) -> list[RowProblem]:
    """Validate one inspector typed into the form and insert it; returns the problems (empty on success).

    ``values`` maps field keys (see ``FIELDS``) to text. An enforcement-ID already in the registry is
    a problem (the form adds people; the template import updates them). Raises ``AccessDenied``
    unless ``actor`` may maintain the registry.
    """
    require(actor, Permission.MANAGE_INSPECTORS)
    today = today or dt.date.today()
    raw = raw_row(1, {key: str(values.get(key, "") or "") for key in FIELDS}, identifiers=IDENTIFIERS)
    record, problems = validate_row(raw, {}, today=today, known_credit_codes=known_credit_codes(engine))
    if problems:
        return problems
    assert record is not None
    try:
        with engine.begin() as connection:
            result = _write(connection, [record], today=today, insert_only=True)
            _audit_import(connection, actor, "inspector.add", [record], result)
    except ImportRejected as rejected:
        return list(rejected.problems)
    return []
