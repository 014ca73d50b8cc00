"""Verify a recorded draw: re-derive it from the frame (and pool) and say exactly what differs."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from sampler.errors import SamplerError
from sampler.frame import Frame, _canonical_text
from sampler.plan_file import parse_plan
from sampler.run import RECORD_VERSION, plan_frame, run_draw

__all__ = ["Verification", "verify_record"]

_SHOWN = 5


@dataclass(frozen=True)
class Verification:
    """Outcome of `verify_record`.

    Attributes
    ----------
    match : bool
        True when every recorded element was re-derived identically.
    differences : tuple of str
        One line per difference (empty when ``match``).
    checked : tuple of str
        What was compared (``frame_hash``, ``params``, ``units``, ``inclusion_probabilities``,
        ``pool_hash``, ``teams``).
    """

    match: bool
    differences: tuple[str, ...]
    checked: tuple[str, ...]


def _ids(values) -> list[str]:
    return [_canonical_text(v) for v in values]


def _listing(values: list[str]) -> str:
    shown = ", ".join(values[:_SHOWN])
    return shown + (f" and {len(values) - _SHOWN} more" if len(values) > _SHOWN else "")


def verify_record(
    record: Mapping[str, Any], frame: pd.DataFrame | Frame, pool: pd.DataFrame | None = None
) -> Verification:
    """Re-derive a recorded draw and compare it element by element.

    Parameters
    ----------
    record : mapping
        As written by `sampler.run.run_draw` (e.g. ``regdash draw --json``).
    frame : pandas.DataFrame or Frame
        The units table the draw claims to come from.
    pool : pandas.DataFrame, optional
        The inspector pool; needed when the record holds an assignment.

    Returns
    -------
    Verification
    """
    if not isinstance(record, Mapping):
        raise SamplerError("a draw record must be a JSON object", field="record")
    for key in ("record_version", "plan", "seed", "frame_hash", "draw"):
        if key not in record:
            raise SamplerError(f"the draw record has no {key!r}", field=key)
    if record["record_version"] != RECORD_VERSION:
        raise SamplerError(f"unsupported record_version {record['record_version']!r}", field="record_version")
    plan = parse_plan(record["plan"])
    if plan.seed != record["seed"]:
        raise SamplerError("the record's seed differs from its plan's seed", field="seed")
    stratified = plan_frame(frame, plan)
    differences: list[str] = []
    checked = ["frame_hash"]
    if stratified.content_hash != record["frame_hash"]:
        differences.append(
            f"frame hash differs: recorded {record['frame_hash'][:16]}..., "
            f"this frame {stratified.content_hash[:16]}..."
        )
    has_assignment = record.get("assignment") is not None
    try:
        derived = run_draw(stratified, plan, pool if has_assignment else None)
    except SamplerError as error:
        if has_assignment and pool is None:
            derived = run_draw(stratified, dataclasses.replace(plan, assignment=None), None)
            differences.append("assignment not checked: no inspector pool given")
        else:
            differences.append(f"cannot re-derive the draw: {error}")
            return Verification(False, tuple(differences), tuple(checked))

    checked.append("params")
    recorded_draw, derived_draw = record["draw"], derived["draw"]
    if recorded_draw.get("params") != derived_draw["params"]:
        recorded_sizes = (recorded_draw.get("params") or {}).get("sizes", {})
        derived_sizes = derived_draw["params"]["sizes"]
        changed = sorted(
            k
            for k in set(recorded_sizes) | set(derived_sizes)
            if recorded_sizes.get(k) != derived_sizes.get(k)
        )
        detail = "; ".join(
            f"{k}: recorded {recorded_sizes.get(k, 0)}, derived {derived_sizes.get(k, 0)}"
            for k in changed[:_SHOWN]
        )
        differences.append("draw parameters differ" + (f" (n_h {detail})" if detail else ""))

    checked.append("units")
    recorded_units = {_canonical_text(u["unit_id"]): u for u in recorded_draw.get("units", [])}
    derived_units = {_canonical_text(u["unit_id"]): u for u in derived_draw["units"]}
    missing = sorted(set(derived_units) - set(recorded_units))
    extra = sorted(set(recorded_units) - set(derived_units))
    if missing:
        differences.append(
            f"{len(missing)} unit(s) the seed draws are missing from the record: {_listing(missing)}"
        )
    if extra:
        differences.append(f"{len(extra)} recorded unit(s) the seed does not draw: {_listing(extra)}")
    checked.append("inclusion_probabilities")
    wrong = sorted(
        u
        for u in set(recorded_units) & set(derived_units)
        if abs(
            float(recorded_units[u].get("inclusion_probability", -1))
            - derived_units[u]["inclusion_probability"]
        )
        > 1e-12
    )
    if wrong:
        differences.append(f"inclusion probability differs for {len(wrong)} unit(s): {_listing(wrong)}")

    if has_assignment and derived.get("assignment") is not None:
        checked.extend(["pool_hash", "teams"])
        recorded_a, derived_a = record["assignment"], derived["assignment"]
        if recorded_a.get("pool_hash") != derived_a["pool_hash"]:
            differences.append(
                f"inspector pool hash differs: recorded {str(recorded_a.get('pool_hash'))[:16]}..., "
                f"this pool {derived_a['pool_hash'][:16]}..."
            )
        if recorded_a.get("rules") != derived_a["rules"]:
            differences.append("assignment rules differ from the plan's")

        def teams(rows) -> dict[str, set[str]]:
            out: dict[str, set[str]] = {}
            for row in rows:
                out.setdefault(_canonical_text(row["unit_id"]), set()).add(
                    _canonical_text(row["inspector_id"])
                )
            return out

        recorded_t, derived_t = teams(recorded_a.get("teams", [])), teams(derived_a["teams"])
        differing = sorted(
            u for u in set(recorded_t) | set(derived_t) if recorded_t.get(u) != derived_t.get(u)
        )
        for unit in differing[:_SHOWN]:
            differences.append(
                f"team of unit {unit}: recorded {sorted(recorded_t.get(unit, set()))}, "
                f"derived {sorted(derived_t.get(unit, set()))}"
            )
        if len(differing) > _SHOWN:
            differences.append(f"... and {len(differing) - _SHOWN} more team(s) differ")
    return Verification(match=not differences, differences=tuple(differences), checked=tuple(checked))
