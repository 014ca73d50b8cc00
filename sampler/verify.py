"""Verify a recorded draw: re-derive the whole record and compare every field of it.

The rule (see sampler/README.md, "Verifying a record"):

1. The record's *shape* is checked first: every key `sampler.run.run_draw` writes must be there with
   its JSON type (object, list, text, whole number, number); otherwise `RecordFormatError` names the
   JSON path (``draw.units[3].stratum``) and nothing is compared.
2. The record is then re-derived from its plan and seed, the frame (and the inspector pool) and
   compared field by field, recursively: any key added, removed or changed anywhere is one
   difference naming its JSON path, and the unit (and team slot) where the row is a drawn unit or a
   team member.
3. The only fields that are not re-derived are listed in `RECORDED_NOT_DERIVABLE` (when and by whom
   the draw was made, which campaign, where the frame came from). They are optional, their types are
   checked like the rest, and an unknown key inside them is a difference too.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from sampler.errors import RecordFormatError, SamplerError
from sampler.frame import Frame, _canonical_text
from sampler.plan_file import Plan, parse_plan
from sampler.run import RECORD_VERSION, plan_frame, run_draw

__all__ = ["RECORDED_NOT_DERIVABLE", "Verification", "check_record", "compare_fields", "verify_record"]

#: Most differences listed per list of rows (units, team members) before "... and N more".
MAX_ROW_DIFFERENCES = 20


@dataclass(frozen=True)
class Verification:
    """Outcome of `verify_record`.

    Attributes
    ----------
    match : bool
        True when every field of the record was re-derived identically.
    differences : tuple of str
        One line per difference, each naming the JSON path of the field (empty when ``match``).
    checked : tuple of str
        Top-level fields that were re-derived and compared.
    recorded : tuple of str
        Fields present that are recorded, not derivable (type-checked only; `RECORDED_NOT_DERIVABLE`).
    """

    match: bool
    differences: tuple[str, ...]
    checked: tuple[str, ...]
    recorded: tuple[str, ...] = ()


# -- shape -------------------------------------------------------------------------------------------
# A schema is a kind name, or a dict of required keys -> schema (an object), or ("list", schema),
# or ("nullable", schema).
_KINDS: dict[str, tuple[str, Callable[[Any], bool]]] = {
    "object": ("a JSON object", lambda v: isinstance(v, dict)),
    "text": ("text", lambda v: isinstance(v, str)),
    "int": ("a whole number", lambda v: isinstance(v, int) and not isinstance(v, bool)),
    "number": ("a number", lambda v: isinstance(v, int | float) and not isinstance(v, bool)),
    "id": ("an id (whole number or text)", lambda v: isinstance(v, int | str) and not isinstance(v, bool)),
    "texts": ("a list of text", lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v)),
    "text_or_null": ("text or null", lambda v: v is None or isinstance(v, str)),
    "timestamp": ("an ISO 8601 date-time text", lambda v: isinstance(v, str) and _is_timestamp(v)),
}
_UNIT = {"unit_id": "id", "stratum": "text", "inclusion_probability": "number"}
_TEAM_MEMBER = {"unit_id": "id", "slot": "int", "inspector_id": "id"}
_RECORD_SCHEMA: dict[str, Any] = {
    "record_version": "int",
    "plan": "object",
    "seed": "int",
    "frame_hash": "text",
    "draw": {"params": "object", "stream": "text", "units": ("list", _UNIT)},
    "assignment": (
        "nullable",
        {
            "rules": "object",
            "pool_hash": "text",
            "targets_hash": "text",
            "stream": "text",
            "attempts": "int",
            "method_used": "text",
            "teams": ("list", _TEAM_MEMBER),
        },
    ),
}

#: Fields a record may carry that cannot be re-derived from the frame, pool and plan: they are
#: recorded, not derivable. Each is optional; its type (schema) is checked. Everything else in a
#: record is re-derived, and a key that is neither is a difference.
RECORDED_NOT_DERIVABLE: Mapping[str, Any] = {
    "draw_id": "int",  # the store's id of the draw
    "campaign": {"id": "int", "name": "text", "year": "int", "scheme": "text_or_null"},
    "drawn_at": "timestamp",
    "drawn_by": "text",  # the name of who drew (a person's name; never a sign-in identity)
    "drawn_by_role": "text",
    "sampler_version": "text",  # version of the software that drew
    # which units of the store made the frame (certificates of a status, schemes, provinces)
    "frame_source": {"status": "text", "schemes": "texts", "provinces": "texts"},
    # the live lottery's commit-reveal (checked by `regdash verify` against the seed, see models.lottery)
    "lottery": {
        "session_id": "int",
        "nonce": "text",
        "commitment": "text",
        "attempt_id": "int",
        "attempts": "int",
    },
    # the workload cap's period and each drawn inspector's team places in it before this draw, as
    # checked at commit (the pool's ``prior_load``, bound by the pool hash, is what the draw used)
    "workload": {
        "basis": "text",
        "year": "int",
        "from": "text",
        "to": "text",
        "cap": "int",
        "prior_load": "object",
    },
}


def _is_timestamp(text: str) -> bool:
    try:
        dt.datetime.fromisoformat(text)
    except ValueError:
        return False
    return True


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f"text {_show(value)}"
    return f"the number {_show(value)}"


def _join(path: str, key: Any) -> str:
    return f"{path}.{key}" if path else str(key)


def _check_shape(value: Any, schema: Any, path: str) -> None:
    """Raise `RecordFormatError` naming the first value that is missing or of the wrong JSON type."""
    if isinstance(schema, str):
        description, ok = _KINDS[schema]
        if not ok(value):
            raise RecordFormatError(f"{path} must be {description}, got {_json_type(value)}", field=path)
    elif isinstance(schema, dict):
        if not isinstance(value, dict):
            raise RecordFormatError(f"{path} must be a JSON object, got {_json_type(value)}", field=path)
        for key, inner in schema.items():
            name = _join(path, key)
            if key not in value:
                raise RecordFormatError(f"the draw record has no {name!r}", field=name)
            _check_shape(value[key], inner, name)
    elif schema[0] == "nullable":
        if value is not None:
            _check_shape(value, schema[1], path)
    else:  # ("list", row schema)
        if not isinstance(value, list):
            raise RecordFormatError(f"{path} must be a list, got {_json_type(value)}", field=path)
        for i, item in enumerate(value):
            _check_shape(item, schema[1], f"{path}[{i}]")


# -- comparison --------------------------------------------------------------------------------------
def _show(value: Any, width: int = 80) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return text if len(text) <= width else text[: width - 3] + "..."


def _same(recorded: Any, derived: Any) -> bool:
    numbers = (int, float)
    if isinstance(recorded, bool) or isinstance(derived, bool):
        return type(recorded) is type(derived) and recorded == derived
    if isinstance(recorded, numbers) and isinstance(derived, numbers):
        return recorded == derived
    return type(recorded) is type(derived) and recorded == derived


def _unit_label(row: Mapping[str, Any]) -> str:
    return f"unit {_canonical_text(row.get('unit_id'))}"


def _member_label(row: Mapping[str, Any]) -> str:
    return f"unit {_canonical_text(row.get('unit_id'))}, slot {_canonical_text(row.get('slot'))}"


# lists of rows, compared row by row and named by the unit (and slot) of the row
_ROWS: dict[str, tuple[tuple[str, ...], Callable[[Mapping[str, Any]], str]]] = {
    "draw.units": (("unit_id",), _unit_label),
    "assignment.teams": (("unit_id", "slot"), _member_label),
}


# fields that are not drawn but hashed from an input: say which input the other value comes from
_DERIVED_FROM = {"frame_hash": "the frame given has", "assignment.pool_hash": "the pool given has"}


def _diff(recorded: Any, derived: Any, path: str, out: list[str], said: str = "re-derived") -> None:
    """Append one line per difference between ``recorded`` and ``derived`` (``derived`` is right).

    ``said`` introduces the right value ("re-derived", "the store has").
    """
    if isinstance(recorded, dict) and isinstance(derived, dict):
        for key, value in derived.items():
            if key not in recorded:
                out.append(f"{_join(path, key)}: missing from the record ({said} {_show(value)})")
            else:
                _diff(recorded[key], value, _join(path, key), out, said)
        for key in recorded:
            if key not in derived:
                out.append(
                    f"{_join(path, key)}: not a field of a draw record (recorded {_show(recorded[key])})"
                )
    elif isinstance(recorded, list) and isinstance(derived, list):
        if path in _ROWS and said == "re-derived":
            _diff_rows(recorded, derived, path, out)
            return
        for i in range(max(len(recorded), len(derived))):
            where = f"{path}[{i}]"
            if i >= len(derived):
                out.append(f"{where}: not in the reference (recorded {_show(recorded[i])})")
            elif i >= len(recorded):
                out.append(f"{where}: missing from the record ({said} {_show(derived[i])})")
            else:
                _diff(recorded[i], derived[i], where, out, said)
    elif not _same(recorded, derived):
        source = _DERIVED_FROM.get(path, said) if said == "re-derived" else said
        out.append(f"{path}: recorded {_show(recorded)}, {source} {_show(derived)}")


def _diff_rows(recorded: list, derived: list, path: str, out: list[str]) -> None:
    """Rows of units or team members: row by row when the counts agree, else matched by key."""
    keys, label = _ROWS[path]
    lines: list[str] = []
    if len(recorded) == len(derived):
        for i, (mine, theirs) in enumerate(zip(recorded, derived, strict=True)):
            found: list[str] = []
            _diff(mine, theirs, f"{path}[{i}]", found)
            lines.extend(f"{line} ({label(theirs)})" for line in found)
    else:

        def key(row: Mapping[str, Any]) -> tuple[str, ...]:
            return tuple(_canonical_text(row[k]) for k in keys)

        position = {key(row): j for j, row in enumerate(derived)}
        seen: dict[tuple[str, ...], int] = {}
        for i, row in enumerate(recorded):
            where, k = f"{path}[{i}]", key(row)
            if k in seen:
                lines.append(f"{where}: {label(row)} is listed twice (also at [{seen[k]}])")
                continue
            seen[k] = i
            if k not in position:
                lines.append(f"{where}: {label(row)} is not in the re-derived record")
                continue
            found = []
            _diff(row, derived[position[k]], where, found)
            lines.extend(f"{line} ({label(row)})" for line in found)
        for k, j in position.items():
            if k not in seen:
                lines.append(f"{path}: {label(derived[j])} is missing from the record (re-derived at [{j}])")
        lines.insert(0, f"{path}: recorded {len(recorded)} row(s), re-derived {len(derived)}")
    out.extend(lines[:MAX_ROW_DIFFERENCES])
    if len(lines) > MAX_ROW_DIFFERENCES:
        out.append(f"... and {len(lines) - MAX_ROW_DIFFERENCES} more difference(s) in {path}")


def _plain_json(value: Any) -> Any:
    return json.loads(json.dumps(value, ensure_ascii=False, default=_default))


def _default(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else str(value)


# -- verify ------------------------------------------------------------------------------------------
def check_record(record: Any) -> Plan:
    """Check the shape of a draw record and return its plan.

    Raises
    ------
    RecordFormatError
        The record is not a JSON object, lacks a key, holds a value of the wrong JSON type (in the
        re-derived part or in `RECORDED_NOT_DERIVABLE`), has an unsupported ``record_version`` or an
        invalid plan; the error names the field (``err.field`` is its JSON path).
    """
    if not isinstance(record, Mapping):
        raise RecordFormatError(
            f"a draw record must be a JSON object, got {_json_type(record)}", field="record"
        )
    for key, schema in _RECORD_SCHEMA.items():
        if key not in record:
            raise RecordFormatError(f"the draw record has no {key!r}", field=key)
        _check_shape(record[key], schema, key)
        if key == "record_version" and record[key] != RECORD_VERSION:
            raise RecordFormatError(
                f"unsupported record_version {_show(record[key])} (this regdash reads {RECORD_VERSION})",
                field="record_version",
            )
    for key, schema in RECORDED_NOT_DERIVABLE.items():
        if key in record:
            _check_shape(record[key], schema, key)
    try:
        plan = parse_plan(record["plan"])
    except SamplerError as error:
        name = f"plan.{error.field}" if error.field else "plan"
        raise RecordFormatError(
            f"the record's plan is invalid: {str(error).replace(' in plan file', '')}", field=name
        ) from error
    if plan.seed is None:
        raise RecordFormatError("the record's plan has no seed", field="plan.seed")
    return plan


def compare_fields(
    record: Mapping[str, Any], reference: Mapping[str, Any], keys: tuple[str, ...], *, said: str
) -> list[str]:
    """Differences of ``record`` from ``reference`` in the top-level ``keys`` (one line each).

    For checking a record against another source of truth, e.g. the store's copy of the same draw
    (``said="the store has"``). A key absent from both is no difference.
    """
    out: list[str] = []
    for key in keys:
        if key in reference and key not in record:
            out.append(f"{key}: missing from the record ({said} {_show(reference[key])})")
        elif key in record and key not in reference:
            out.append(f"{key}: recorded {_show(record[key])}, {said} none")
        elif key in record:
            _diff(record[key], reference[key], key, out, said)
    return out


def verify_record(
    record: Mapping[str, Any], frame: pd.DataFrame | Frame, pool: pd.DataFrame | None = None
) -> Verification:
    """Re-derive a recorded draw and compare every field of the record.

    Parameters
    ----------
    record : mapping
        As written by `sampler.run.run_draw` (e.g. ``regdash draw --json``), optionally with the
        fields of `RECORDED_NOT_DERIVABLE`.
    frame : pandas.DataFrame or Frame
        The units table the draw claims to come from.
    pool : pandas.DataFrame, optional
        The inspector pool; needed when the record holds an assignment.

    Returns
    -------
    Verification

    Raises
    ------
    RecordFormatError
        The record is not a JSON object, lacks a key, holds a value of the wrong JSON type, has an
        unsupported ``record_version`` or an invalid plan; the error names the field.
    SamplerError
        The frame cannot be stratified as the plan says (a missing column ...).
    """
    record = dict(record) if isinstance(record, Mapping) else record
    plan = check_record(record)
    recorded_here = [key for key in RECORDED_NOT_DERIVABLE if key in record]
    stratified = plan_frame(frame, plan)
    differences: list[str] = []
    has_assignment = record["assignment"] is not None or plan.assignment is not None
    try:
        derived = run_draw(stratified, plan, pool if has_assignment else None)
    except SamplerError as error:
        if has_assignment and pool is None:
            derived = run_draw(stratified, dataclasses.replace(plan, assignment=None), None)
            derived["assignment"] = record["assignment"]
            differences.append("assignment not checked: no inspector pool given")
        else:
            differences.append(f"cannot re-derive the draw: {error}")
            return Verification(False, tuple(differences), (), tuple(recorded_here))
    expected = _plain_json(derived)
    expected["plan"] = _plain_json(plan.to_dict())
    for key in recorded_here:  # recorded, not derivable: only unknown keys inside them can differ
        schema = RECORDED_NOT_DERIVABLE[key]
        expected[key] = {k: record[key][k] for k in schema} if isinstance(schema, dict) else record[key]
    _diff(record, expected, "", differences)
    checked = tuple(k for k in _RECORD_SCHEMA if not (k == "assignment" and has_assignment and pool is None))
    return Verification(
        match=not differences,
        differences=tuple(differences),
        checked=checked,
        recorded=tuple(recorded_here),
    )
