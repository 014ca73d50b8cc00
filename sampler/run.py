"""Run a `Plan` against a frame (and an inspector pool): allocation, power, simulation, live draw.

The live draw produces a *record*: a JSON-ready dict holding everything needed to audit it
(plan, seed, frame hash, drawn units with inclusion probabilities, teams, pool hash), which
`sampler.verify.verify_record` re-derives.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pandas as pd

from sampler.allocate import Allocation, allocate
from sampler.assign import assign_inspectors
from sampler.draw import Draw, draw_sample
from sampler.errors import SamplerError
from sampler.frame import Frame, _canonical_text
from sampler.plan_file import FIXED_METHOD, Plan
from sampler.power import PlanPower, plan_power
from sampler.simulate import SimulationResult, simulate_plan

__all__ = [
    "RECORD_VERSION",
    "eligible_frame",
    "plan_allocation",
    "plan_draw",
    "plan_frame",
    "run_draw",
    "run_power",
    "run_simulation",
]

RECORD_VERSION = 1


def plan_frame(table: pd.DataFrame | Frame, plan: Plan) -> Frame:
    """The frame stratified by the plan's keys."""
    if isinstance(table, Frame):
        return table if table.strata == plan.strata else table.with_strata(plan.strata)
    return Frame(table, strata=plan.strata)


def eligible_frame(frame: Frame, plan: Plan) -> tuple[Frame, dict[str, Any] | None]:
    """The units the plan may draw, and what its ``exclude_recent`` section left out.

    Without ``exclude_recent``: ``(frame, None)``. With it: the frame without the units whose
    ``exclude_recent.column`` date is on or after the cut-off (``as_of`` minus ``months`` calendar
    months), and ``{"column", "months", "as_of", "cutoff", "excluded"}`` (the cut-off as ISO date, the
    number of units left out). A missing date means never drawn (kept); any other value that is not a
    date raises `SamplerError` naming the column and the unit.
    """
    spec = plan.exclude_recent
    if spec is None:
        return frame, None
    data = frame.data
    if spec.column not in data.columns:
        raise SamplerError(
            f"exclude_recent.column {spec.column!r} is not a column of the frame; it has "
            f"{', '.join(map(str, data.columns))}",
            field="exclude_recent.column",
        )
    values = data[spec.column]
    dates = pd.to_datetime(values, errors="coerce", format="ISO8601")
    bad = values.notna() & (values.astype(str) != "") & dates.isna()
    if bad.any():
        first = int(np.flatnonzero(bad.to_numpy())[0])
        raise SamplerError(
            f"frame column {spec.column!r} holds {values.iloc[first]!r}, not a date "
            f"(unit {_canonical_text(data[frame.unit_id].iloc[first])})",
            field="exclude_recent.column",
        )
    cutoff = spec.cutoff()
    recent = (dates >= pd.Timestamp(cutoff)).to_numpy()
    exclusion = {
        "column": spec.column,
        "months": spec.months,
        "as_of": spec.as_of,
        "cutoff": cutoff.isoformat(),
        "excluded": int(recent.sum()),
    }
    if not recent.any():
        return frame, exclusion
    kept = data.loc[~recent].reset_index(drop=True)
    if kept.empty:
        raise SamplerError(
            f"every unit of the frame was drawn on or after {cutoff.isoformat()}: nothing left to draw",
            field="exclude_recent.months",
        )
    return Frame(kept, strata=frame.strata, unit_id=frame.unit_id), exclusion


def plan_draw(frame: Frame, plan: Plan, *, seed: int) -> Draw:
    """The plan's draw of targets from ``frame`` (stratified as the plan says) with ``seed``.

    Units left out by ``exclude_recent`` (`eligible_frame`) are not drawn: the allocation and the
    inclusion probabilities are those of the remaining units. The draw's ``frame_hash`` is still the
    hash of the whole ``frame``, and its ``params`` gain ``exclusion`` (what was left out and why), so a
    record says both and `sampler.verify` re-applies the cut-off.
    """
    eligible, exclusion = eligible_frame(frame, plan)
    drawn = draw_sample(eligible, plan_allocation(eligible, plan), seed=seed)
    if exclusion is None:
        return drawn
    return dataclasses.replace(
        drawn, frame_hash=frame.content_hash, params={**drawn.params, "exclusion": exclusion}
    )


def plan_allocation(frame: Frame, plan: Plan) -> Allocation:
    """Allocate the plan's n over the frame's strata."""
    spec = plan.allocation
    if spec.method == FIXED_METHOD:
        return _fixed_allocation(frame, spec.sizes or {})
    weights: Any = spec.weights
    if spec.method == "risk" and spec.risk_column is not None:
        if not isinstance(spec.weights, dict):
            raise SamplerError(
                "allocation.weights must map each value of risk_column to a weight",
                field="allocation.weights",
            )
        weights = frame.stratum_mean(spec.risk_column, spec.weights)
    return allocate(
        frame.stratum_sizes(),
        plan.n if spec.method != "ratio" else None,
        method=spec.method,
        minimum=spec.minimum,
        rates=spec.rates,
        weights=weights,
        ratio=spec.ratio,
    )


def _fixed_allocation(frame: Frame, sizes: dict[str, int]) -> Allocation:
    population = frame.stratum_sizes()
    unknown = sorted(set(sizes) - set(population.index))
    if unknown:
        raise SamplerError(
            f"allocation.sizes names strata not in the frame: {', '.join(unknown[:5])}",
            field="allocation.sizes",
        )
    for label, n_h in sizes.items():
        if n_h > population[label]:
            raise SamplerError(
                f"allocation.sizes.{label} = {n_h} exceeds the stratum's population "
                f"N_h = {population[label]}",
                field=f"allocation.sizes.{label}",
            )
    chosen = pd.Series(
        [int(sizes.get(label, 0)) for label in population.index], index=population.index, dtype="int64"
    )
    return Allocation(chosen.rename("n"), population.rename("N"), FIXED_METHOD, 0)


def _assumed(plan: Plan) -> dict[str, Any]:
    if plan.assumed.rate is None and plan.assumed.bad is None:
        raise SamplerError(
            "the plan needs assumed.rate or assumed.bad for power and simulation", field="assumed"
        )
    return {"rates": plan.assumed.rate, "bad": plan.assumed.bad}


def run_power(frame: Frame, plan: Plan) -> tuple[Allocation, PlanPower]:
    """Exact power of the plan on the frame."""
    allocation = plan_allocation(frame, plan)
    cells = frame.cell_counts(plan.institution_column) if plan.institution_column else None
    result = plan_power(
        allocation,
        **_assumed(plan),
        tolerable=plan.tolerable,
        alpha=plan.alpha,
        confidence=plan.confidence,
        institution_cells=cells,
        institution=plan.institution_column or "institution_id",
    )
    return allocation, result


def run_simulation(
    frame: Frame, plan: Plan, pool: pd.DataFrame | None = None
) -> tuple[Allocation, SimulationResult]:
    """Monte Carlo replications of the plan (seed: simulation.seed, else the plan seed)."""
    allocation = plan_allocation(frame, plan)
    seed = plan.simulation.seed if plan.simulation.seed is not None else plan.seed
    if seed is None:
        raise SamplerError("the plan needs seed (or simulation.seed) to simulate", field="seed")
    A = plan.simulation.assignment_replications
    if A and plan.assignment is None:
        raise SamplerError(
            "simulation.assignment_replications needs an assignment section",
            field="simulation.assignment_replications",
        )
    if A and pool is None:
        raise SamplerError("simulation.assignment_replications needs an inspector pool", field="inspectors")
    result = simulate_plan(
        frame,
        allocation,
        replications=plan.simulation.replications,
        seed=seed,
        **_assumed(plan),
        institution=plan.institution_column,
        pool=pool,
        assignment=plan.assignment.options() if plan.assignment else None,
        assignment_replications=A,
    )
    return allocation, result


def run_draw(frame: Frame, plan: Plan, pool: pd.DataFrame | None = None) -> dict[str, Any]:
    """The live draw (and team assignment, when the plan has an assignment section) as a record."""
    if plan.seed is None:
        raise SamplerError("the plan needs a seed for a live draw", field="seed")
    drawn = plan_draw(frame, plan, seed=plan.seed)
    record: dict[str, Any] = {
        "record_version": RECORD_VERSION,
        "plan": plan.to_dict(),
        "seed": plan.seed,
        "frame_hash": frame.content_hash,
        "draw": {
            "params": drawn.params,
            "stream": drawn.stream,
            "units": [
                {"unit_id": _plain(u), "stratum": s, "inclusion_probability": float(p)}
                for u, s, p in zip(
                    drawn.units[frame.unit_id],
                    drawn.units["stratum"],
                    drawn.units["inclusion_probability"],
                    strict=True,
                )
            ],
        },
        "assignment": None,
    }
    if plan.assignment is not None:
        if pool is None:
            raise SamplerError(
                "the plan assigns inspectors but no inspector pool was given", field="inspectors"
            )
        targets = (
            drawn.units.rename(columns={frame.unit_id: "unit_id"})
            if frame.unit_id != "unit_id"
            else drawn.units
        )
        result = assign_inspectors(targets, pool, seed=plan.seed, **plan.assignment.options())
        record["assignment"] = {
            "rules": result.rules,
            "pool_hash": result.pool_hash,
            "targets_hash": result.targets_hash,
            "stream": result.stream,
            "attempts": result.attempts,
            "method_used": result.method_used,
            "teams": [
                {"unit_id": _plain(u), "slot": int(s), "inspector_id": _plain(i)}
                for u, s, i in zip(
                    result.teams.unit_id, result.teams.slot, result.teams.inspector_id, strict=True
                )
            ],
        }
    return record


def _plain(value: Any) -> Any:
    """numpy scalars to Python scalars for JSON."""
    return value.item() if hasattr(value, "item") else value
