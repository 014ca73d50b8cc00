"""The public bundle of a draw (公示包): a zip anyone can check offline, and its verifier.

A bundle holds (all UTF-8; README.md says the same for the public, in Chinese and English):

``record.json``
    the draw record (`sampler.run.run_draw` plus recorded fields); team members are named by the
    pool's pseudonymous ``inspector_key``, not by inspector id.
``plan.json``
    the plan, equal to the record's ``plan``.
``frame.csv``
    the frame the draw was made from: every column the frame hash covers (canonical text), the
    public columns (certificate number, organisation, province, institution; not hashed) and
    ``row_check``, a fingerprint of each row's hashed values that names a changed unit.
``pool.csv``
    the inspector pool as `sampler.assign.parse_pool` hashes it (rows in the sampler's order), each
    inspector named by a salted hash ``inspector_key``: eligibility columns only, no personal data.
``manifest.json``
    bundle version, campaign and draw, each other file's sha256 and size, the frame's column types,
    and ``pool.inspector_id_digest``: the digest of the inspector-id column the pool hash covers.

Hashes are recomputed from the bundle alone: the frame hash is `sampler.frame.content_hash` of
frame.csv's hashed columns; the pool hash is the same construction over pool.csv's columns with the
``inspector_id`` column digest taken from the manifest (the sampler's content hash combines one
digest per column, so the ids themselves need not be published). The teams are re-derived on a pool
whose rows keep the sampler's order (the keys stand in for the ids), with the recomputed pool hash
seeding the assignment stream as it did in the live draw.

Reading is defensive: a file that is not a zip, a member whose name is a path, a member (or all of
them) unpacking to more than the limits or compressed suspiciously well (a zip bomb), a missing
manifest or malformed file raise `BundleFormatError` (bad input). A bundle that reads but does not
check out gives a `BundleVerification` listing every difference.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import re
import secrets
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sampler.assign import parse_pool
from sampler.bundle_readme import README
from sampler.errors import SamplerError
from sampler.frame import _canonical_text, _column_digest, _id_order
from sampler.verify import MAX_ROW_DIFFERENCES, check_record, compare_fields, verify_record

__all__ = [
    "BUNDLE_VERSION",
    "BundleFormatError",
    "BundleLimits",
    "BundleVerification",
    "pool_hash_of",
    "verify_bundle",
    "write_bundle",
]

BUNDLE_VERSION = 1
BUNDLE_KIND = "regdash-draw-bundle"
MANIFEST, RECORD, PLAN, FRAME, POOL, README_FILE = (
    "manifest.json",
    "record.json",
    "plan.json",
    "frame.csv",
    "pool.csv",
    "README.md",
)
UNIT_ID, ROW_CHECK, KEY = "unit_id", "row_check", "inspector_key"
#: Public columns of frame.csv (not hashed), in this order.
PUBLIC_COLUMNS = ("certificate_number", "organisation", "province", "institution")
_PLAIN_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_HASH_PREFIX = b"regdash-frame-v1\n"  # sampler.frame's content hash
#: Prefix of the key of a team member who is not in the pool (the verifier names the slot).
NOT_IN_POOL = "not-in-pool-"
MISSING = _canonical_text(None)  # how a missing value is written in frame.csv and pool.csv


class BundleFormatError(SamplerError):
    """The file is not a readable bundle (not a zip, unsafe member, no manifest, malformed file)."""


@dataclass(frozen=True)
class BundleLimits:
    """What a bundle may unpack to (bytes); a member compressed better than ``ratio``:1 is refused."""

    member_bytes: int = 1 << 30
    total_bytes: int = 2 << 30
    members: int = 32
    ratio: float = 200.0
    ratio_floor: int = 1 << 20  # members smaller than this are not ratio-checked


@dataclass(frozen=True)
class BundleVerification:
    """Outcome of `verify_bundle`.

    Attributes
    ----------
    match : bool
    differences : tuple of str
        One line per difference, naming the file or record field (and the unit for a frame row).
    checked, recorded : tuple of str
        As `sampler.verify.Verification` (empty when re-derivation was not possible).
    campaign : dict or None
        The manifest's campaign (id, name, year, scheme).
    draw_id : int or None
    record : dict or None
        The bundle's record.json as read (None when it could not be read).
    """

    match: bool
    differences: tuple[str, ...]
    checked: tuple[str, ...] = ()
    recorded: tuple[str, ...] = ()
    campaign: dict | None = None
    draw_id: int | None = None
    record: dict | None = None


# -- hashes ------------------------------------------------------------------------------------------
def _combine(digests: Mapping[str, bytes]) -> str:
    """`sampler.frame.content_hash` from per-column digests (columns taken in name order)."""
    total = hashlib.sha256(_HASH_PREFIX)
    for name in sorted(digests):
        total.update(name.encode("utf-8") + b"\x00")
        total.update(digests[name])
    return total.hexdigest()


def pool_hash_of(columns: pd.DataFrame, inspector_id_digest: bytes) -> str:
    """The pool hash from pool.csv's columns (without the key) and the inspector-id column digest."""
    digests = {str(name): _column_digest(columns[name], None) for name in columns.columns}
    digests["inspector_id"] = inspector_id_digest
    return _combine(digests)


def _row_checks(table: pd.DataFrame) -> list[str]:
    """``row_check`` of each row: its values as canonical text (what the hash reads), joined by U+001F.

    ``table`` holds int64 columns and text columns already in canonical text, so ``str`` is canonical.
    """
    texts = [table[name].astype(str) for name in table.columns]
    joined = texts[0].str.cat(texts[1:], sep="\x1f") if len(texts) > 1 else texts[0]
    return [hashlib.sha256(row.encode("utf-8")).hexdigest()[:16] for row in joined.tolist()]


def _texts(values: pd.Series) -> pd.Series:
    """``values`` as canonical text (`sampler.frame._canonical_text`); text columns in one pass."""
    missing = values.isna()
    if pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty"):
        return values.astype(object).where(~missing, MISSING)
    return pd.Series([_canonical_text(v) for v in values.tolist()], index=values.index, dtype=object)


def _kind(values: pd.Series) -> str:
    dtype = values.dtype
    integer = pd.api.types.is_integer_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)
    return "int" if integer else "text"


def _typed(table: pd.DataFrame) -> tuple[dict[str, str], pd.DataFrame]:
    """(column -> ``int``/``text``, the table as written): integer columns as they are, the others as
    canonical text, so that reading them back with those types gives the same content hash."""
    kinds = {str(name): _kind(table[name]) for name in table.columns}
    written = pd.DataFrame(
        {name: table[name] if kind == "int" else _texts(table[name]) for name, kind in kinds.items()}
    )
    return kinds, written


def _untext(table: pd.DataFrame, kinds: Mapping[str, str]) -> pd.DataFrame:
    """Text columns read back: `MISSING` is a missing value again (the hash reads both alike)."""
    texts = [name for name, kind in kinds.items() if kind == "text"]
    return table.assign(**{name: table[name].replace(MISSING, None) for name in texts})


def _key(salt: bytes, inspector_id: Any) -> str:
    return hashlib.sha256(salt + b"|" + _canonical_text(inspector_id).encode("utf-8")).hexdigest()[:20]


# -- writing -----------------------------------------------------------------------------------------
def write_bundle(
    record: Mapping[str, Any],
    frame: pd.DataFrame,
    pool: pd.DataFrame | None,
    *,
    public: pd.DataFrame | None = None,
    salt: bytes | None = None,
    compress: bool = True,
) -> bytes:
    """The bundle (zip bytes) of a draw record, its frame and its inspector pool.

    Parameters
    ----------
    record : mapping
        The draw record as ``regdash verify`` reads it (inspector ids in its teams).
    frame : pandas.DataFrame
        The frame the draw was made from: exactly the columns its frame hash covers (``unit_id`` ...).
    pool : pandas.DataFrame or None
        The inspector pool (`sampler.assign.POOL_COLUMNS`); None when the record has no assignment.
    public : pandas.DataFrame, optional
        ``unit_id`` and `PUBLIC_COLUMNS` (missing ones are left empty): not hashed.
    salt : bytes, optional
        Salt of the inspector keys (default: 16 random bytes, never stored: keys differ per bundle).
    compress : bool
        Deflate the members (default); False stores them (a bundle checked at once, never sent).

    Raises
    ------
    RecordFormatError
        The record is malformed.
    SamplerError
        The frame lacks ``unit_id``, or the pool is not a valid pool. A team member not in the pool
        gets a key starting `NOT_IN_POOL` (the bundle then does not verify, naming the slot).
    """
    check_record(record)
    if UNIT_ID not in frame.columns:
        raise SamplerError("the frame has no unit_id column", field=UNIT_ID)
    salt = secrets.token_bytes(16) if salt is None else salt
    kinds, table = _typed(frame.iloc[_id_order(frame[UNIT_ID])].reset_index(drop=True))
    checks = _row_checks(table)
    if public is not None:
        shown = public.drop_duplicates(UNIT_ID).set_index(UNIT_ID).reindex(table[UNIT_ID])
        for name in PUBLIC_COLUMNS:
            column = (
                shown[name] if name in shown.columns else pd.Series(None, index=shown.index, dtype=object)
            )
            table[name] = column.fillna("").astype(str).to_numpy()
    table[ROW_CHECK] = checks
    files: dict[str, bytes] = {FRAME: table.to_csv(index=False, lineterminator="\n").encode("utf-8")}
    data = json.loads(json.dumps(record, ensure_ascii=False))
    pool_section = None
    if data.get("assignment") is not None:
        if pool is None:
            raise SamplerError("the record has teams but no inspector pool was given", field="pool")
        hashed = parse_pool(pool).hashed
        keys = [_key(salt, i) for i in hashed["inspector_id"].tolist()]
        by_id = dict(zip(map(_canonical_text, hashed["inspector_id"].tolist()), keys, strict=True))
        for member in data["assignment"]["teams"]:  # one not in the pool keeps a key no row has
            text = _canonical_text(member["inspector_id"])
            member["inspector_id"] = by_id.get(text) or f"{NOT_IN_POOL}{_key(salt, text)}"
        pool_kinds, columns = _typed(hashed.drop(columns=["inspector_id"]))
        out = pd.concat([pd.Series(keys, name=KEY), columns], axis=1)
        files[POOL] = out.to_csv(index=False, lineterminator="\n").encode("utf-8")
        pool_section = {
            "file": POOL,
            "rows": len(out),
            "key": KEY,
            "columns": pool_kinds,
            "inspector_id_digest": _column_digest(hashed["inspector_id"], None).hex(),
        }
    files[RECORD] = (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    files[PLAN] = (json.dumps(data["plan"], ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    files[README_FILE] = README.encode("utf-8")
    manifest = {
        "kind": BUNDLE_KIND,
        "bundle_version": BUNDLE_VERSION,
        "draw": {key: data[key] for key in ("draw_id", "campaign") if key in data},
        "frame": {
            "file": FRAME,
            "rows": len(table),
            "hashed_columns": kinds,
            "public_columns": list(PUBLIC_COLUMNS) if public is not None else [],
            "row_check": ROW_CHECK,
        },
        "pool": pool_section,
        "files": {
            name: {"sha256": hashlib.sha256(content).hexdigest(), "bytes": len(content)}
            for name, content in sorted(files.items())
        },
    }
    files[MANIFEST] = (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    buffer = io.BytesIO()
    method = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    with zipfile.ZipFile(buffer, "w", compression=method) as archive:
        for name in (MANIFEST, README_FILE, RECORD, PLAN, FRAME, POOL):
            if name in files:
                info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
                info.compress_type = method
                archive.writestr(info, files[name])
    return buffer.getvalue()


# -- reading -----------------------------------------------------------------------------------------
def _members(source: bytes | str | Path, limits: BundleLimits) -> dict[str, bytes]:
    """The members of a bundle zip, read in memory after the safety checks (`BundleFormatError`)."""
    where = "the bundle" if isinstance(source, bytes) else str(source)
    try:
        archive = zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError):
        raise BundleFormatError(
            f"{where} is not a zip file (a regdash bundle is a zip)", field="bundle"
        ) from None
    with archive:
        infos = archive.infolist()
        if len(infos) > limits.members:
            raise BundleFormatError(
                f"{where} has {len(infos)} members; a bundle has at most {limits.members}", field="bundle"
            )
        total = 0
        for info in infos:
            name = info.filename
            if not _PLAIN_NAME.match(name) or ".." in name:
                raise BundleFormatError(
                    f"{where}: member {name!r} is not a plain file name (bundles hold no paths)",
                    field=name,
                )
            if info.file_size > limits.member_bytes:
                raise BundleFormatError(
                    f"{where}: member {name} unpacks to {info.file_size:,} bytes, more than the "
                    f"{limits.member_bytes:,} a bundle member may hold",
                    field=name,
                )
            if info.file_size > limits.ratio_floor and info.file_size > limits.ratio * max(
                info.compress_size, 1
            ):
                ratio = info.file_size / max(info.compress_size, 1)
                raise BundleFormatError(
                    f"{where}: member {name} is compressed {ratio:,.0f}:1 "
                    f"(a zip bomb?); a bundle member may be at most {limits.ratio:,.0f}:1",
                    field=name,
                )
            total += info.file_size
            if total > limits.total_bytes:
                raise BundleFormatError(
                    f"{where} unpacks to more than {limits.total_bytes:,} bytes", field="bundle"
                )
        members: dict[str, bytes] = {}
        for info in infos:
            if info.filename in members:
                raise BundleFormatError(f"{where}: member {info.filename} appears twice", field=info.filename)
            try:
                with archive.open(info) as handle:
                    content = handle.read(info.file_size + 1)
            except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError, EOFError) as error:
                raise BundleFormatError(
                    f"{where}: member {info.filename} cannot be read ({error})", field=info.filename
                ) from None
            if len(content) > info.file_size:
                raise BundleFormatError(
                    f"{where}: member {info.filename} holds more than its header says", field=info.filename
                )
            members[info.filename] = content
    return members


def _json(members: Mapping[str, bytes], name: str) -> Any:
    try:
        return json.loads(members[name].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BundleFormatError(f"{name} is not valid JSON: {error}", field=name) from None


def _csv(members: Mapping[str, bytes], name: str, dtypes: Mapping[str, str]) -> pd.DataFrame:
    """``name`` read with every column as text, except ``dtypes`` (column -> ``int``)."""
    try:
        table = pd.read_csv(
            io.BytesIO(members[name]), dtype=str, keep_default_na=False, na_values=[], encoding="utf-8"
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
        raise BundleFormatError(f"{name} is not a readable CSV: {error}", field=name) from None
    missing = [c for c in dtypes if c not in table.columns]
    if missing:
        raise BundleFormatError(f"{name} has no column {missing[0]!r}", field=name)
    for column, kind in dtypes.items():
        if kind == "int":
            numbers = pd.to_numeric(table[column], errors="coerce")
            bad = numbers.isna() | (numbers != numbers.round())
            if bad.any():
                row = int(np.flatnonzero(bad.to_numpy())[0])
                value = table[column].iloc[row]
                raise BundleFormatError(
                    f"{name} row {row + 2}, column {column}: {value!r} is not a whole number",
                    field=name,
                )
            table[column] = table[column].astype("int64")
    return table


def _manifest(members: Mapping[str, bytes], where: str) -> dict:
    if MANIFEST not in members:
        raise BundleFormatError(f"{where} is not a regdash bundle: it has no {MANIFEST}", field=MANIFEST)
    manifest = _json(members, MANIFEST)
    if not isinstance(manifest, dict) or manifest.get("kind") != BUNDLE_KIND:
        raise BundleFormatError(f"{where} is not a regdash bundle ({MANIFEST} kind is not {BUNDLE_KIND!r})")
    if manifest.get("bundle_version") != BUNDLE_VERSION:
        raise BundleFormatError(
            f"{MANIFEST}: unsupported bundle_version {manifest.get('bundle_version')!r} "
            f"(this regdash reads {BUNDLE_VERSION})",
            field="bundle_version",
        )
    frame, pool, files = manifest.get("frame"), manifest.get("pool"), manifest.get("files")
    ok = (
        isinstance(files, dict)
        and isinstance(manifest.get("draw"), dict)
        and all(isinstance(v, dict) and isinstance(v.get("sha256"), str) for v in files.values())
        and isinstance(frame, dict)
        and isinstance(frame.get("hashed_columns"), dict)
        and UNIT_ID in frame["hashed_columns"]
        and all(kind in ("int", "text") for kind in frame["hashed_columns"].values())
        and (
            pool is None
            or (
                isinstance(pool, dict)
                and re.fullmatch(r"[0-9a-f]{64}", str(pool.get("inspector_id_digest"))) is not None
                and isinstance(pool.get("columns"), dict)
                and all(kind in ("int", "text") for kind in pool["columns"].values())
            )
        )
    )
    if not ok:
        raise BundleFormatError(f"{MANIFEST} is malformed (files, frame or pool section)", field=MANIFEST)
    return manifest


def _file_differences(members: Mapping[str, bytes], manifest: dict) -> list[str]:
    files = manifest["files"]
    required = [RECORD, PLAN, FRAME, README_FILE] + ([POOL] if manifest["pool"] is not None else [])
    out = []
    for name in dict.fromkeys([*required, *files]):
        if name not in members:
            out.append(f"{name}: missing from the bundle")
        elif name not in files:
            out.append(f"{name}: not listed in {MANIFEST}")
        elif hashlib.sha256(members[name]).hexdigest() != files[name]["sha256"]:
            out.append(f"{name}: its sha256 differs from the one {MANIFEST} lists (the file was changed)")
    out += [f"{name}: not a file of a bundle" for name in members if name not in files and name != MANIFEST]
    return out


def _frame(members: Mapping[str, bytes], manifest: dict) -> tuple[pd.DataFrame, list[str]]:
    """The hashed frame columns, and a line per row whose ``row_check`` fails (naming the unit)."""
    kinds = manifest["frame"]["hashed_columns"]
    table = _csv(members, FRAME, {**kinds, ROW_CHECK: "text"})
    hashed = table[list(kinds)]
    bad = np.flatnonzero(
        np.asarray(_row_checks(hashed), dtype=object) != table[ROW_CHECK].to_numpy(dtype=object)
    )
    hashed = _untext(hashed, kinds)
    lines = [
        f"{FRAME}: the row of unit {_canonical_text(hashed[UNIT_ID].iloc[i])} does not match its row_check "
        f"(a value in it was changed)"
        for i in bad[:MAX_ROW_DIFFERENCES]
    ]
    if len(bad) > MAX_ROW_DIFFERENCES:
        lines.append(f"... and {len(bad) - MAX_ROW_DIFFERENCES} more changed row(s) in {FRAME}")
    return hashed, lines


def _pool(members: Mapping[str, bytes], manifest: dict) -> Any:
    """The pool as the sampler parses it: keys in place of ids, the recomputed pool hash."""
    kinds = manifest["pool"]["columns"]
    table = _csv(members, POOL, {KEY: "text", **kinds})
    keys = table[KEY]
    if keys.duplicated().any():
        raise BundleFormatError(f"{POOL}: inspector_key {keys[keys.duplicated()].iloc[0]!r} appears twice")
    columns = _untext(table[list(kinds)], kinds)
    pool_hash = pool_hash_of(columns, bytes.fromhex(manifest["pool"]["inspector_id_digest"]))
    sampler_pool = columns.assign(inspector_id=np.arange(len(table), dtype=np.int64))
    if "id_valid_until" in sampler_pool.columns:
        sampler_pool["id_valid_until"] = sampler_pool["id_valid_until"].replace("", None)
    try:
        parsed = parse_pool(sampler_pool)
    except SamplerError as error:
        raise BundleFormatError(f"{POOL}: {error}", field=POOL) from None
    return dataclasses.replace(parsed, ids=keys.to_numpy(dtype=object), hash=pool_hash)


def verify_bundle(source: bytes | str | Path, *, limits: BundleLimits | None = None) -> BundleVerification:
    """Re-derive a bundle's draw from its files alone and compare every field of its record.

    Returns
    -------
    BundleVerification
        ``match`` or every difference: files missing, changed or unlisted; plan.json differing from the
        record's plan; a record of another campaign or draw than the manifest's; frame rows failing
        their ``row_check`` (naming the unit); and every field of the record that does not re-derive.

    Raises
    ------
    BundleFormatError
        Not a zip, an unsafe member (path name, too large, zip bomb), no manifest, a malformed file.
    """
    where = "the bundle" if isinstance(source, bytes) else str(source)
    members = _members(source, limits or BundleLimits())
    manifest = _manifest(members, where)
    draw = manifest["draw"]
    campaign, draw_id = draw.get("campaign"), draw.get("draw_id")
    differences = _file_differences(members, manifest)
    if any(line.endswith("missing from the bundle") for line in differences):
        return BundleVerification(False, tuple(differences), campaign=campaign, draw_id=draw_id)
    record = _json(members, RECORD)
    try:
        check_record(record)
    except SamplerError as error:
        raise BundleFormatError(f"{RECORD}: {error}", field=RECORD) from None
    plan = _json(members, PLAN)
    differences += [
        f"{PLAN}: {line}" for line in compare_fields({"plan": plan}, record, ("plan",), said=f"{RECORD} has")
    ]
    differences += [
        f"{RECORD}: {line}"
        for line in compare_fields(record, draw, ("draw_id", "campaign"), said=f"{MANIFEST} has")
    ]
    frame, changed_rows = _frame(members, manifest)
    differences += changed_rows
    pool = _pool(members, manifest) if manifest["pool"] is not None else None
    try:
        result = verify_record(record, frame, pool)
    except SamplerError as error:
        differences.append(f"cannot re-derive the draw: {error}")
        return BundleVerification(
            False, tuple(differences), campaign=campaign, draw_id=draw_id, record=record
        )
    differences += result.differences
    return BundleVerification(
        not differences, tuple(differences), result.checked, result.recorded, campaign, draw_id, record
    )
