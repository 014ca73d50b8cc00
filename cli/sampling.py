"""``regdash plan size|limit``, ``power``, ``simulate``, ``draw``, ``verify``: the sampler from the shell.

Every command prints a readable summary, or JSON with ``--json``. Bad input prints one line
``error: ...`` on stderr and exits with code 2 (``verify`` exits 1 when the record does not match).
Numeric options are parsed here rather than by click so that a bad value also gets that one line.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from cli.errors import fail
from cli.options import MAX_COUNT, MAX_REPLICATIONS, real_number, required, whole_number
from cli.store import open_store
from sampler.errors import SamplerError, check_choice

# numpy, scipy and pandas are imported inside the commands so that `regdash --help` and the other
# command groups start quickly.
MODELS = ("binomial", "hypergeometric", "poisson")

__all__ = ["register"]

JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]
PlanOption = Annotated[str | None, typer.Option("--plan", metavar="FILE", help="Plan file (YAML or JSON).")]
FrameCsvOption = Annotated[
    str | None,
    typer.Option(
        "--frame-csv",
        metavar="FILE",
        help="Units CSV: unit_id, region, scheme, institution_id, risk_grade (+ others).",
    ),
]
InspectorsCsvOption = Annotated[
    str | None,
    typer.Option(
        "--inspectors-csv",
        metavar="FILE",
        help="Inspectors CSV: inspector_id, region, agency, schemes, active, id_valid_until, affiliations.",
    ),
]
DatabaseOption = Annotated[
    str | None,
    typer.Option("--database-url", metavar="URL", help="Read the frame (and inspectors) from this store."),
]


# -- helpers -------------------------------------------------------------------------------------
def _count(text: str | None, option: str, *, minimum: int = 0) -> int | None:
    return whole_number(text, option, minimum=minimum, maximum=MAX_COUNT)


def _real(text: str | None, option: str) -> float | None:
    return real_number(text, option)  # its range is the sampler's to check (one check per field)


def _emit(payload: dict[str, Any], as_json: bool, lines: list[str] | None = None) -> None:
    if as_json:
        typer.echo(json.dumps(payload, indent=2, ensure_ascii=False, default=_default))
    else:
        for line in lines if lines is not None else [f"{k}: {v}" for k, v in payload.items()]:
            typer.echo(line)


def _default(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    return str(value)


def _guarded(body):
    """Run ``body``; turn our errors (and unreadable inputs) into one line on stderr, exit 2."""
    try:
        return body()
    except SamplerError as error:
        fail(str(error))
    except BrokenPipeError:  # output piped into e.g. `head`: stop quietly
        raise typer.Exit(1) from None
    except OSError as error:
        fail(f"{error.strerror or error}: {error.filename}" if error.filename else str(error))


CSV_PROBLEMS = {
    "bad_encoding": "cannot be decoded as UTF-8 or GB18030/GBK (Big5, Shift-JIS, Latin-1 and UTF-16 are "
    "not accepted): save it as UTF-8 CSV",
    "unreadable_csv": "is not a readable CSV (rows with more cells than the header?)",
    "no_header": "has no header row naming every column once",
    "invisible_character": "holds a control or invisible character",
    "excel_error": "holds an Excel error value",
}


def _read_csv(path: str, what: str):
    """The CSV at ``path`` through the one tabular reader: every cell text, identifiers as typed."""
    from models.imports.tabular import ImportFileError, read_csv_frame

    if not Path(path).is_file():
        raise SamplerError(f"{what} file not found: {path}", field=what)
    try:
        return read_csv_frame(Path(path).read_bytes())
    except ImportFileError as error:
        detail = error.detail
        if error.kind == "bad_cell":
            problem = CSV_PROBLEMS.get(str(detail["problem"]), str(detail["problem"]))
            message = (
                f"{what} file {path}: line {detail['row']}, column {detail['column']!r} {problem} "
                f"({detail['value']!r})"
            )
        else:
            message = f"{what} file {path} {CSV_PROBLEMS.get(error.kind, error.kind)}"
        raise SamplerError(message, field=what) from error


def _engine(url: str):
    """The engine of a store ``regdash`` reads (checked by `cli.store.open_store`; never created)."""
    return open_store(url, "read")[1]


def _unreadable(what: str, error: Exception, url: str) -> SamplerError:
    """One message for a store that could not be read: what, where (password hidden), the first line."""
    from cli.store import describe_url

    first = str(getattr(error, "orig", None) or error).splitlines()[0]
    return SamplerError(f"cannot read {what} from {describe_url(url)}: {first}", field="--database-url")


def _frozen(database_url: str, digest: Any, kind: str):
    """The store's frozen ``kind`` ("frame"/"pool") under ``digest`` (models.frozen), or None."""
    if not isinstance(digest, str):
        return None
    from sqlalchemy.exc import SQLAlchemyError

    from models.draw_records import WorkflowError
    from models.frozen import frozen_info, load_frozen

    try:
        engine = _engine(database_url)
        info = frozen_info(engine, digest)
        return None if info is None or info["kind"] != kind else load_frozen(engine, digest, kind=kind)
    except SQLAlchemyError as error:
        raise _unreadable(f"the frozen {kind}", error, database_url) from error
    except WorkflowError as error:  # the stored content was changed behind the app's back
        raise SamplerError(str(error), field="--database-url") from error


def _load_frame(
    frame_csv: str | None, database_url: str | None, *, source: dict | None = None, frozen: str | None = None
):
    """The frame from a CSV or the store.

    From the store: the frame frozen under ``frozen`` (a record's ``frame_hash``) when the store holds
    it, else the live certificates as ``source`` (a record's ``frame_source``) narrows them.
    """
    if (frame_csv is None) == (database_url is None):
        raise SamplerError("give exactly one of --frame-csv FILE or --database-url URL", field="--frame-csv")
    if frame_csv is not None:
        return _read_csv(frame_csv, "--frame-csv")
    frozen_frame = _frozen(database_url, frozen, "frame") if frozen is not None else None
    if frozen_frame is not None:
        return frozen_frame
    from sqlalchemy.exc import SQLAlchemyError

    from models.frames import load_certificate_frame

    try:
        engine = _engine(database_url)
        if source is None:
            return load_certificate_frame(engine)
        return load_certificate_frame(
            engine,
            status=source["status"],
            schemes=tuple(source["schemes"]),
            provinces=tuple(source["provinces"]),
        )
    except SQLAlchemyError as error:
        raise _unreadable("the frame", error, database_url) from error


def _load_pool(inspectors_csv: str | None, database_url: str | None, *, frozen: str | None = None):
    """The pool from a CSV or the store (the pool frozen under ``frozen`` when the store holds it)."""
    if inspectors_csv is not None:
        return _read_csv(inspectors_csv, "--inspectors-csv")
    if database_url is None:
        return None
    frozen_pool = _frozen(database_url, frozen, "pool") if frozen is not None else None
    if frozen_pool is not None:
        return frozen_pool
    from sqlalchemy.exc import SQLAlchemyError

    from models.frames import load_inspector_pool

    try:
        return load_inspector_pool(_engine(database_url))
    except SQLAlchemyError as error:
        raise _unreadable("inspectors", error, database_url) from error


def _store_differences(data: dict[str, Any], database_url: str) -> list[str]:
    """A record naming a draw of the store (``draw_id``) must agree with the store's copy of it.

    Catches a genuine record relabelled as another campaign's: which draw and campaign, when, by whom,
    seed, frame hash, plan and frame source are compared with the store's record of that draw.
    """
    from sqlalchemy.exc import SQLAlchemyError

    from models.draw_record_export import stored_draw_record
    from sampler.verify import RECORDED_NOT_DERIVABLE, compare_fields

    draw_id = data["draw_id"]
    try:
        stored = stored_draw_record(_engine(database_url), draw_id)
    except SQLAlchemyError as error:
        raise _unreadable(f"draw {draw_id}", error, database_url) from error
    if stored is None:
        return [f"draw_id: recorded {draw_id}, the store has no such draw"]
    if stored.record is None:
        return [f"draw_id: draw {draw_id} of the store has no verifiable record ({stored.reason})"]
    keys = ("seed", "frame_hash", "plan", *RECORDED_NOT_DERIVABLE)
    return compare_fields(data, stored.record, keys, said=f"the store's draw {draw_id} has")


def _with_last_drawn(table, plan, database_url: str | None):
    """The store's frame with each unit's last draw date when the plan excludes recently drawn units
    by that column (`models.frames.LAST_DRAWN`, as a draw's opening adds it); else ``table`` as it is."""
    exclusion = plan.exclude_recent
    if database_url is None or exclusion is None or exclusion.column in table.columns:
        return table
    from models.frames import LAST_DRAWN, with_last_drawn

    if exclusion.column != LAST_DRAWN:
        return table
    with _engine(database_url).connect() as connection:
        return with_last_drawn(connection, table)


def _plan_and_frame(plan_path: str | None, frame_csv: str | None, database_url: str | None):
    from sampler.plan_file import load_plan
    from sampler.run import plan_frame

    if plan_path is None:
        raise SamplerError("missing option --plan FILE", field="--plan")
    plan = load_plan(plan_path)
    table = _with_last_drawn(_load_frame(frame_csv, database_url), plan, database_url)
    missing = [c for c in plan.strata if c not in table.columns]
    if missing:
        raise SamplerError(
            f"the frame has no column {missing[0]!r} named in the plan's strata", field="strata"
        )
    return plan, plan_frame(table, plan)


def _fmt(value: float | None, digits: int = 4) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


# -- plan size / limit ---------------------------------------------------------------------------
def plan_size(
    confidence: Annotated[str | None, typer.Option("--confidence", metavar="C", help="e.g. 0.95")] = None,
    tolerable: Annotated[str | None, typer.Option("--tolerable", metavar="T", help="e.g. 0.05")] = None,
    expected: Annotated[str, typer.Option("--expected", metavar="E", help="Expected deviation rate.")] = "0",
    population: Annotated[
        str | None, typer.Option("--population", metavar="N", help="Population size.")
    ] = None,
    model: Annotated[
        str | None, typer.Option("--model", metavar="MODEL", help="binomial | hypergeometric | poisson")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Attribute-sampling sample size: n and the deviations it allows."""

    def body():
        N = _count(population, "--population", minimum=1)
        required(confidence, "--confidence", "C")
        required(tolerable, "--tolerable", "T")
        from sampler.attribute import sample_size

        chosen = check_choice(model, "--model", MODELS) if model else ("hypergeometric" if N else "binomial")
        result = sample_size(
            confidence=_real(confidence, "--confidence"),
            tolerable=_real(tolerable, "--tolerable"),
            expected=_real(expected, "--expected"),
            population=N,
            model=chosen,
        )
        payload = {
            "n": result.n,
            "allowed_deviations": result.allowed_deviations,
            "upper_limit": result.upper_limit,
            "risk": result.risk,
            "confidence": result.confidence,
            "tolerable": result.tolerable,
            "expected": result.expected,
            "model": result.model,
            "population": result.population,
        }
        _emit(payload, as_json)

    _guarded(body)


def plan_limit(
    n: Annotated[str | None, typer.Option("--n", metavar="N", help="Sample size.")] = None,
    deviations: Annotated[
        str | None, typer.Option("--deviations", metavar="K", help="Deviations found.")
    ] = None,
    confidence: Annotated[str | None, typer.Option("--confidence", metavar="C", help="e.g. 0.95")] = None,
    population: Annotated[
        str | None, typer.Option("--population", metavar="N", help="Population size.")
    ] = None,
    model: Annotated[
        str | None, typer.Option("--model", metavar="MODEL", help="binomial | hypergeometric | poisson")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Upper confidence limit of the deviation rate after k deviations in n."""

    def body():
        N = _count(population, "--population", minimum=1)
        required(n, "--n", "N")
        required(deviations, "--deviations", "K")
        required(confidence, "--confidence", "C")
        from sampler.attribute import upper_limit

        chosen = check_choice(model, "--model", MODELS) if model else ("hypergeometric" if N else "binomial")
        result = upper_limit(
            n=_count(n, "--n", minimum=1),
            deviations=_count(deviations, "--deviations"),
            confidence=_real(confidence, "--confidence"),
            population=N,
            model=chosen,
        )
        _emit(
            {
                "upper": result.upper,
                "n": result.n,
                "deviations": result.deviations,
                "confidence": result.confidence,
                "model": result.model,
                "population": result.population,
            },
            as_json,
        )

    _guarded(body)


# -- power / simulate / draw / verify ------------------------------------------------------------
def power_command(
    plan: PlanOption = None,
    frame_csv: FrameCsvOption = None,
    database_url: DatabaseOption = None,
    as_json: JsonOption = False,
) -> None:
    """Exact power of a plan: detection per stratum and overall, test power, precision, coverage."""

    def body():
        from sampler.run import run_power

        parsed, frame = _plan_and_frame(plan, frame_csv, database_url)
        allocation, result = run_power(frame, parsed)
        strata = result.strata.reset_index().rename(columns={"index": "stratum"})
        payload = {
            "frame_hash": frame.content_hash,
            "n": allocation.n,
            "strata_count": len(strata),
            "p_detect_any": result.p_detect_any,
            "expected_detections": result.expected_detections,
            "half_width": result.half_width,
            "confidence": result.confidence,
            "expected_institutions_covered": result.expected_institutions_covered,
            "institutions": None if result.institution_coverage is None else len(result.institution_coverage),
            "strata": strata.to_dict("records"),
        }
        lines = [
            f"plan: n = {allocation.n} over {len(strata)} strata ({parsed.allocation.method})",
            f"P(detect at least one bad unit) = {_fmt(result.p_detect_any)}",
            f"expected detections = {_fmt(result.expected_detections, 2)}",
            f"half-width of the weighted national rate ({result.confidence:.0%}) = {_fmt(result.half_width)}",
        ]
        if result.institution_coverage is not None:
            lines.append(
                f"expected institutions with >= 1 unit drawn = {result.expected_institutions_covered:.1f}"
                f" of {len(result.institution_coverage)}"
            )
        lines.append(strata.to_string(index=False, float_format=lambda v: f"{v:.4f}"))
        _emit(payload, as_json, lines)

    _guarded(body)


def simulate_command(
    plan: PlanOption = None,
    frame_csv: FrameCsvOption = None,
    database_url: DatabaseOption = None,
    inspectors_csv: InspectorsCsvOption = None,
    replications: Annotated[
        str | None, typer.Option("--replications", metavar="R", help="Override simulation.replications.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Monte Carlo replications of a plan: detections, institution coverage, workload, infeasibility."""

    def body():
        import dataclasses

        from sampler.run import run_simulation

        R = whole_number(replications, "--replications", minimum=1, maximum=MAX_REPLICATIONS)
        parsed, frame = _plan_and_frame(plan, frame_csv, database_url)
        if R is not None:
            parsed = dataclasses.replace(
                parsed, simulation=dataclasses.replace(parsed.simulation, replications=R)
            )
        pool = _load_pool(inspectors_csv, database_url) if parsed.simulation.assignment_replications else None
        allocation, result = run_simulation(frame, parsed, pool)
        import numpy as np

        strata = result.strata.reset_index().to_dict("records")
        covered = result.institutions_covered
        totals = result.detections.sum(axis=1)
        payload = {
            "frame_hash": frame.content_hash,
            "n": allocation.n,
            "replications": result.replications,
            "seed": result.seed,
            "p_detect_any": result.p_detect_any,
            "p_detect_any_se": result.p_detect_any_se,
            "mean_detections": float(result.detections.sum(axis=1).mean()),
            "institutions_covered_mean": None if covered is None else float(covered.mean()),
            "institutions_covered_p05_p95": None
            if covered is None
            else [float(v) for v in np.quantile(covered, [0.05, 0.95])],
            "detections_distribution": {
                int(k): float(v) for k, v in enumerate(np.bincount(totals) / totals.size) if v > 0
            },
            "assignment_replications": result.assignment_replications,
            "infeasible_rate": result.infeasible_rate,
            "unresolved_rate": result.unresolved_rate,
            "max_workload_mean": None
            if result.max_workload is None or not len(result.max_workload)
            else float(result.max_workload.mean()),
            "workload_distribution": None
            if result.workload is None
            else {int(k): float(v) for k, v in result.workload.items()},
            "strata": strata,
        }
        lines = [
            f"{result.replications} replications, seed {result.seed}, n = {allocation.n}",
            f"P(detect at least one bad unit) = {result.p_detect_any:.4f}"
            f" +/- {result.p_detect_any_se:.4f} (1 SE)",
            f"mean detections = {payload['mean_detections']:.2f}",
        ]
        if covered is not None:
            lines.append(
                f"institutions covered: mean {covered.mean():.1f}, 5-95% "
                f"{payload['institutions_covered_p05_p95'][0]:.0f}-{payload['institutions_covered_p05_p95'][1]:.0f}"
            )
        if result.assignment_replications:
            lines.append(
                f"assignment replications: {result.assignment_replications}, infeasible rate "
                f"{result.infeasible_rate:.3f}"
            )
        _emit(payload, as_json, lines)

    _guarded(body)


def draw_command(
    plan: PlanOption = None,
    frame_csv: FrameCsvOption = None,
    database_url: DatabaseOption = None,
    inspectors_csv: InspectorsCsvOption = None,
    output: Annotated[
        str | None, typer.Option("--output", metavar="FILE", help="Also write the draw record (JSON) here.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """The live draw of targets (and inspector teams) as an auditable record."""

    def body():
        from sampler.run import run_draw

        parsed, frame = _plan_and_frame(plan, frame_csv, database_url)
        pool = _load_pool(inspectors_csv, database_url) if parsed.assignment is not None else None
        record = run_draw(frame, parsed, pool)
        if output is not None:
            text = json.dumps(record, indent=2, ensure_ascii=False, default=_default) + "\n"
            try:
                Path(output).write_text(text, encoding="utf-8")
            except OSError as error:
                raise SamplerError(
                    f"cannot write the record to {output}: {error.strerror}", field="--output"
                ) from error
        units = record["draw"]["units"]
        lines = [
            f"drew {len(units)} unit(s) from frame {record['frame_hash'][:16]}... with seed {record['seed']}"
        ]
        teams: dict[str, list[str]] = {}
        if record["assignment"] is not None:
            for row in record["assignment"]["teams"]:
                teams.setdefault(str(row["unit_id"]), []).append(str(row["inspector_id"]))
        for unit in units:
            team = teams.get(str(unit["unit_id"]))
            lines.append(
                f"{unit['stratum']}\t{unit['unit_id']}\tp={unit['inclusion_probability']:.6f}"
                + (f"\tteam={','.join(team)}" if team else "")
            )
        if output is not None:
            lines.append(f"record written to {output}")
        _emit(record, as_json, lines)

    _guarded(body)


def verify_command(
    record: Annotated[str | None, typer.Option("--record", metavar="FILE", help="Draw record JSON.")] = None,
    bundle: Annotated[
        str | None,
        typer.Option("--bundle", metavar="FILE", help="Public bundle (zip): verified offline, on its own."),
    ] = None,
    plan: PlanOption = None,
    frame_csv: FrameCsvOption = None,
    database_url: DatabaseOption = None,
    inspectors_csv: InspectorsCsvOption = None,
    as_json: JsonOption = False,
) -> None:
    """Re-derive a recorded draw from the frame (and inspectors); exit 1 if any field differs.

    The record carries its plan; ``--plan`` is optional and, when given, must equal it. With
    ``--database-url`` the frame (and pool) frozen when the draw was opened are used (``frame_hash``,
    ``assignment.pool_hash``), else the live frame as the record's ``frame_source`` says; a record naming a
    draw of the store (``draw_id``) must also agree with the store's copy of that draw. A record that
    is not shaped as ``regdash draw`` writes it is bad input (one ``error:`` line, exit 2).

    ``--bundle FILE`` checks a public bundle (``regdash campaign bundle``, the published results page)
    from its files alone, no database: every difference is listed (exit 1); a file that is not a
    readable bundle (not a zip, a path or oversize member, no manifest) is one ``error:`` line, exit 2.
    """

    given = {
        "--record": record,
        "--plan": plan,
        "--frame-csv": frame_csv,
        "--database-url": database_url,
        "--inspectors-csv": inspectors_csv,
    }

    def body():
        if bundle is not None:
            others = [name for name, value in given.items() if value is not None]
            if others:
                raise SamplerError(f"--bundle is checked on its own: drop {others[0]}", field="--bundle")
            return _report(*_verify_bundle_file(bundle), as_json)
        return _report(*_verify_record_file(record, plan, frame_csv, database_url, inspectors_csv), as_json)

    matched = _guarded(body)
    if not matched:
        raise typer.Exit(1)


def _verify_record_file(
    record: str | None,
    plan: str | None,
    frame_csv: str | None,
    database_url: str | None,
    inspectors_csv: str | None,
) -> tuple[list[str], tuple[str, ...], tuple[str, ...], dict[str, Any]]:
    """(differences, checked, recorded, extra payload) of ``verify --record``."""
    from sampler.plan_file import load_plan
    from sampler.verify import check_record, verify_record

    if record is None:
        raise SamplerError("missing option --record FILE (or --bundle FILE)", field="--record")
    path = Path(record)
    if not path.is_file():
        raise SamplerError(f"record file not found: {record}", field="--record")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise SamplerError(f"record file {record} is not valid JSON: {error}", field="--record") from error
    recorded_plan = check_record(data)  # the record's shape first: one line naming the field
    if plan is not None and load_plan(plan).to_dict() != recorded_plan.to_dict():
        raise SamplerError("the plan file differs from the plan stored in the record", field="--plan")
    source = data.get("frame_source")
    table = _load_frame(frame_csv, database_url, source=source, frozen=data["frame_hash"])
    table = _with_last_drawn(table, recorded_plan, database_url)
    has_assignment = data["assignment"] is not None or recorded_plan.assignment is not None
    recorded_pool = (data["assignment"] or {}).get("pool_hash")
    pool = _load_pool(inspectors_csv, database_url, frozen=recorded_pool) if has_assignment else None
    result = verify_record(data, table, pool)
    from models.lottery import reveal_differences  # the store's modules load only when verifying

    differences = list(result.differences) + reveal_differences(data)
    if database_url is not None and "draw_id" in data:
        differences += _store_differences(data, database_url)
    return differences, result.checked, result.recorded, {}


def _verify_bundle_file(
    bundle: str,
) -> tuple[list[str], tuple[str, ...], tuple[str, ...], dict[str, Any]]:
    """(differences, checked, recorded, extra payload) of ``verify --bundle``."""
    from models.bundle import check_bundle  # no database: the bundle's own files

    path = Path(bundle)
    if not path.is_file():
        raise SamplerError(f"bundle file not found: {bundle}", field="--bundle")
    result = check_bundle(path)
    extra = {"campaign": result.campaign, "draw_id": result.draw_id}
    return list(result.differences), result.checked, result.recorded, extra


def _report(
    differences: list[str],
    checked: tuple[str, ...],
    recorded: tuple[str, ...],
    extra: dict[str, Any],
    as_json: bool,
) -> bool:
    """Print the outcome of a verification (``match`` or every difference); True on a match."""
    match = not differences
    payload = {
        "match": match,
        "differences": differences,
        "checked": list(checked),
        "recorded": list(recorded),
        **extra,
    }
    lines = (
        ["match: the draw re-derives exactly (" + ", ".join(checked) + ")"]
        if match
        else ["MISMATCH:", *[f"  - {d}" for d in differences]]
    )
    if recorded:
        lines.append("recorded, not derivable (type-checked): " + ", ".join(recorded))
    _emit(payload, as_json, lines)
    return match


def register(app: typer.Typer) -> None:
    """Attach ``plan size|limit``, ``power``, ``simulate``, ``draw`` and ``verify`` to ``app``."""
    plan_app = typer.Typer(help="Attribute-sampling sample sizes and upper limits.", no_args_is_help=True)
    plan_app.command("size")(plan_size)
    plan_app.command("limit")(plan_limit)
    app.add_typer(plan_app, name="plan")
    app.command("power")(power_command)
    app.command("simulate")(simulate_command)
    app.command("draw")(draw_command)
    app.command("verify")(verify_command)
