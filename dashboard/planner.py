"""The planner's steps, composed from the sampler and the store (no Streamlit, no SQL).

quotas -> power before the draw -> live draw of targets -> inspector teams -> committed record.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from importlib.metadata import version

import pandas as pd
from sqlalchemy import Engine

from models.access import Actor
from models.draw_records import DrawRecord, commit_draw
from models.frames import LAST_DRAWN, certificate_frame_source
from models.lottery import (
    commit_attempt,
    inputs_hash,
    record_attempt,
    session_population,
    session_seed,
    session_view,
)
from models.queries.planning import preview_labels
from sampler.allocate import METHODS, allocate
from sampler.assign import Assignment, assign_inspectors
from sampler.draw import Draw
from sampler.frame import Frame
from sampler.plan_file import FIXED_METHOD, Plan, parse_plan
from sampler.power import PlanPower, plan_power
from sampler.run import RECORD_VERSION, plan_draw
from sampler.simulate import SimulationResult, simulate_detections

ALLOCATION_METHODS = METHODS  # sampler.allocate.METHOD_REGISTRY, in display order
STRATUM = "region"


def smoothed_past_rates(population: pd.DataFrame, past: pd.DataFrame) -> pd.Series:
    """Past non-conformity per province, (violations + 1) / (inspected + 2), for every stratum.

    The add-one smoothing keeps provinces with no history at 50 % weight relative to nothing,
    so they are neither ignored nor over-sampled by a zero or one from a handful of inspections.
    """
    codes = population["region_code"].to_numpy()
    if past.empty:
        totals = pd.DataFrame(0, index=codes, columns=["n_h", "violations_h"])
    else:
        totals = past.groupby("region_code")[["n_h", "violations_h"]].sum().reindex(codes, fill_value=0)
    return ((totals["violations_h"] + 1) / (totals["n_h"] + 2)).rename("past_rate")


def quota_table(
    population: pd.DataFrame,
    *,
    n: int | None,
    method: str,
    minimum: int,
    ratio: float | None = None,
    past_rates: pd.Series | None = None,
) -> pd.DataFrame:
    """Quotas per province: columns region_code, N, n (integers summing to the total).

    ``neyman`` uses the past rates as assumed p_h; ``risk`` uses them as weights.
    """
    sizes = pd.Series(population["N"].to_numpy(), index=population["region_code"].astype(str))
    options: dict[str, object] = {"method": method, "minimum": minimum}
    if method == "ratio":
        options["ratio"] = ratio
    elif method == "neyman":
        options["rates"] = past_rates.to_dict()
    elif method == "risk":
        options["weights"] = past_rates.to_dict()
    allocation = allocate(sizes, None if method == "ratio" else n, **options)
    return pd.DataFrame(
        {
            "region_code": sizes.index,
            "N": sizes.to_numpy(),
            "n": allocation.sizes.reindex(sizes.index).to_numpy(),
        }
    )


def power_of(quotas: pd.DataFrame, *, assumed_rate: float, tolerable: float, confidence: float) -> PlanPower:
    """Exact power of the quotas when every province has ``assumed_rate`` non-conforming units."""
    population = pd.Series(quotas["N"].to_numpy(), index=quotas["region_code"])
    sample = pd.Series(quotas["n"].to_numpy(), index=quotas["region_code"])
    return plan_power(sample, population, rates=assumed_rate, tolerable=tolerable, confidence=confidence)


def monte_carlo_check(power: PlanPower, *, replications: int, seed: int) -> SimulationResult:
    """Simulate the same plan R times: the detection probability must agree with the exact one."""
    strata = power.strata
    return simulate_detections(
        population=strata["N"], sample=strata["n"], bad=strata["bad"], replications=replications, seed=seed
    )


@dataclass(frozen=True)
class LiveDraw:
    """A drawn sample with its inspector teams, not yet committed.

    ``plan`` is the sampler plan the draw follows (the quotas as ``allocation.method: fixed``), so the
    committed draw can be exported as a record ``regdash verify`` re-derives; ``frame_source`` says
    which certificates of the store made the frame (`models.frames.load_certificate_frame` keywords).
    """

    draw: Draw
    assignment: Assignment
    inspection_date: dt.date
    plan: Plan | None = None
    frame_source: dict | None = None


def quota_sizes(quotas: pd.DataFrame) -> dict[str, int]:
    """Province code -> quota, for the provinces with a quota above zero."""
    return {str(code): int(n) for code, n in zip(quotas["region_code"], quotas["n"], strict=True) if n > 0}


def live_plan(
    quotas: pd.DataFrame,
    *,
    seed: int,
    inspection_date: dt.date,
    team_size: int,
    cap: int | None,
    cross_region: bool,
    exclude_months: int = 0,
    as_of: dt.date | None = None,
) -> Plan:
    """The sampler plan of a live draw: the quotas by province as given, then teams.

    ``exclude_months`` > 0 leaves out units drawn within that many months before ``as_of`` (the
    draw's opening date), read from the frozen frame's `models.frames.LAST_DRAWN` column.
    """
    sizes = quota_sizes(quotas)
    plan: dict = {
        "seed": seed,
        "strata": [STRATUM],
        "allocation": {"method": FIXED_METHOD, "sizes": sizes},
        "assignment": {
            "team_size": team_size,
            "cap": cap,
            "inspection_date": inspection_date.isoformat(),
            "cross_region": cross_region,
        },
    }
    if exclude_months:
        if as_of is None:
            raise ValueError("excluding recently drawn units needs the date they are counted back from")
        plan["exclude_recent"] = {
            "months": int(exclude_months),
            "as_of": as_of.isoformat(),
            "column": LAST_DRAWN,
        }
    return parse_plan(plan)


def live_draw(
    frame_data: pd.DataFrame,
    pool: pd.DataFrame,
    quotas: pd.DataFrame,
    *,
    seed: int,
    inspection_date: dt.date,
    team_size: int,
    cap: int | None,
    cross_region: bool,
    frame_source: dict | None = None,
    exclude_months: int = 0,
    as_of: dt.date | None = None,
) -> LiveDraw:
    """Draw the targets by province (first random) and their teams (second random) with one seed.

    ``frame_source``: the `models.frames.load_certificate_frame` keywords that gave ``frame_data``
    (status, schemes, provinces), kept with the draw so that ``regdash verify --database-url`` reads
    the same frame. ``exclude_months``, ``as_of``: see `live_plan`; what was left out is in
    ``live.draw.params["exclusion"]`` (`sampler.run.plan_draw`).
    """
    plan = live_plan(
        quotas,
        seed=seed,
        inspection_date=inspection_date,
        team_size=team_size,
        cap=cap,
        cross_region=cross_region,
        exclude_months=exclude_months,
        as_of=as_of,
    )
    frame = Frame(frame_data, strata=plan.strata)
    draw = plan_draw(frame, plan, seed=seed)
    assignment = assign_inspectors(draw.units, pool, seed=seed, **plan.assignment.options())
    return LiveDraw(
        draw=draw,
        assignment=assignment,
        inspection_date=inspection_date,
        plan=plan,
        frame_source=None if frame_source is None else certificate_frame_source(**frame_source),
    )


def result_frames(live: LiveDraw) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(targets, assignments) as ``models.draw_records`` writes them, from a drawn preview."""
    units = live.draw.units
    targets = pd.DataFrame(
        {
            "unit_id": units["unit_id"],
            "institution_id": units["institution_id"],
            "region": units["region"],
            "scheme": units["scheme"],
            "inclusion_probability": units["inclusion_probability"],
        }
    )
    teams = live.assignment.teams
    assignments = pd.DataFrame(
        {
            "unit_id": teams["unit_id"],
            "inspector_id": teams["inspector_id"],
            "role": ["lead" if slot == 1 else "member" for slot in teams["slot"]],
        }
    )
    return targets, assignments


def live_record(live: LiveDraw, *, campaign_name: str, year: int, scheme: str) -> DrawRecord:
    """The audit record of a drawn preview: seed, frame hash, parameters and streams."""
    params = {
        "draw": live.draw.params,
        "assignment": live.assignment.rules,
        "pool_hash": live.assignment.pool_hash,
        "draw_stream": live.draw.stream,
        "assignment_stream": live.assignment.stream,
        "inspection_date": live.inspection_date.isoformat(),
    }
    if live.plan is not None:  # what the tables do not hold, to rebuild the sampler's record
        slots: dict[str, list[int]] = {}
        for row in live.assignment.teams.sort_values(["unit_id", "slot"]).itertuples(index=False):
            slots.setdefault(str(row.unit_id), []).append(int(row.inspector_id))
        params["record"] = {
            "record_version": RECORD_VERSION,
            "plan": json.loads(json.dumps(live.plan.to_dict())),
            "frame_source": live.frame_source,
            "targets_hash": live.assignment.targets_hash,
            "attempts": int(live.assignment.attempts),
            "method_used": live.assignment.method_used,
            "team_slots": slots,
        }
    return DrawRecord(
        campaign_name=campaign_name,
        year=year,
        seed=live.draw.seed,
        frame_hash=live.draw.frame_hash,
        params=params,
        sampler_version=version("regdash"),
        scheme_code=scheme,
    )


def commit_live_draw(
    engine: Engine, live: LiveDraw, *, campaign_name: str, year: int, scheme: str, actor: Actor
) -> int:
    """Record a draw made outside the lottery workflow (tests, imports) in one transaction."""
    targets, assignments = result_frames(live)
    record = live_record(live, campaign_name=campaign_name, year=year, scheme=scheme)
    return commit_draw(engine, record, targets, assignments, actor=actor)


def draw_inputs(
    *,
    scheme: str,
    year: int,
    quotas: pd.DataFrame,
    inspection_date: dt.date,
    team_size: int,
    cap: int | None,
    cross_region: bool,
    exclude_months: int = 0,
) -> dict:
    """Everything a preview depends on besides the frame and the seed: its binding to the page's inputs.

    ``exclude_months`` (0: off) is a key only when set, so inputs without it hash as before.
    """
    inputs = {
        "scheme": scheme,
        "year": int(year),
        "quotas": quota_sizes(quotas),
        "inspection_date": inspection_date.isoformat(),
        "team_size": int(team_size),
        "cap": None if cap is None else int(cap),
        "cross_region": bool(cross_region),
    }
    if exclude_months:
        inputs["exclude_months"] = int(exclude_months)
    return inputs


@dataclass(frozen=True)
class Preview:
    """A logged attempt of an open draw: what the planner sees and may commit."""

    session_id: int
    attempt_id: int
    inputs_hash: str
    live: LiveDraw


def draw_preview(
    engine: Engine,
    session_id: int,
    quotas: pd.DataFrame,
    inputs: dict,
    *,
    actor: Actor,
    reason: str = "",
) -> Preview:
    """Draw from the session's frozen frame and pool with its seed, log the attempt, return it.

    The population is the one frozen when the draw was opened (``models.lottery.session_population``),
    never the live store; ``inputs["exclude_months"]`` counts back from the opening date (the frozen
    frame's last-drawn dates are as of then). The attempt is logged by ``models.lottery.record_attempt``.
    """
    frame_data, pool = session_population(engine, session_id)
    live = live_draw(
        frame_data,
        pool,
        quotas,
        seed=session_seed(engine, session_id, actor=actor),
        inspection_date=dt.date.fromisoformat(inputs["inspection_date"]),
        team_size=inputs["team_size"],
        cap=inputs["cap"],
        cross_region=inputs["cross_region"],
        frame_source={"schemes": (inputs["scheme"],)},
        exclude_months=inputs.get("exclude_months", 0),
        as_of=session_view(engine, session_id).opened_at.astimezone(dt.UTC).date(),
    )
    targets, assignments = result_frames(live)
    attempt_id = record_attempt(
        engine,
        session_id,
        inputs=inputs,
        frame_hash=live.draw.frame_hash,
        targets=targets,
        assignments=assignments,
        actor=actor,
        reason=reason,
    )
    return Preview(session_id=session_id, attempt_id=attempt_id, inputs_hash=inputs_hash(inputs), live=live)


def commit_preview(
    engine: Engine, preview: Preview, *, campaign_name: str, year: int, scheme: str, actor: Actor
) -> int:
    """Commit exactly the previewed attempt (``models.lottery.commit_attempt``); returns the draw id."""
    targets, assignments = result_frames(preview.live)
    record = live_record(preview.live, campaign_name=campaign_name, year=year, scheme=scheme)
    return commit_attempt(
        engine,
        preview.session_id,
        preview.attempt_id,
        record=record,
        targets=targets,
        assignments=assignments,
        actor=actor,
    )


def readable_preview(engine: Engine, live: LiveDraw) -> pd.DataFrame:
    """The preview as a planner checks it: certificate, organisation, institution, province, team names.

    Columns: certificate_number, organisation, institution, region, inclusion_probability, team.
    """
    units = live.draw.units
    teams = live.assignment.teams
    certificates, people = preview_labels(
        engine, tuple(int(u) for u in units["unit_id"]), tuple(int(i) for i in teams["inspector_id"].unique())
    )
    names = dict(zip(people["id"], people["name"], strict=True))
    team_names = (
        teams.sort_values(["unit_id", "slot"])
        .assign(name=lambda f: f["inspector_id"].map(names))
        .groupby("unit_id")["name"]
        .agg("、".join)
    )
    shown = units[["unit_id", "region", "inclusion_probability"]].merge(
        certificates, left_on="unit_id", right_on="id", how="left"
    )
    shown["team"] = shown["unit_id"].map(team_names).fillna("")
    return shown.rename(columns={"number": "certificate_number"})[
        ["certificate_number", "organisation", "institution", "region", "inclusion_probability", "team"]
    ]
