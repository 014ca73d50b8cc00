"""Plan files (YAML or JSON): strict keys, typed values, errors that name the field.

Example (every key except ``n``/``seed`` has a default; see sampler/README.md)::

    seed: 20261124
    strata: [region, scheme]
    n: 1000
    allocation: {method: neyman, minimum: 2, rates: {default: 0.03}}
    assumed: {rate: 0.02}
    tolerable: 0.05
    alpha: 0.05
    confidence: 0.95
    simulation: {replications: 10000, assignment_replications: 20}
    assignment: {team_size: 2, cap: 3, inspection_date: 2026-12-01, cross_region: true}
    exclude_recent: {months: 12, as_of: 2026-11-30, column: last_drawn_on}
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import yaml

from sampler.allocate import METHODS
from sampler.assign import eligibility_rules
from sampler.errors import (
    MAX_COUNT,
    MAX_REPLICATIONS,
    MAX_SEED,
    SamplerError,
    check_choice,
    check_confidence,
    check_int,
    check_rate,
)

__all__ = [
    "FIXED_METHOD",
    "MAX_DEPTH",
    "MAX_PLAN_BYTES",
    "AllocationSpec",
    "AssignmentSpec",
    "AssumedSpec",
    "ExclusionSpec",
    "Plan",
    "SimulationSpec",
    "load_plan",
    "parse_plan",
]


#: Allocation "method" of a plan whose n_h are given as they are (``allocation.sizes``), e.g. the
#: quotas a planner set; not an allocation rule, so it is not in `sampler.allocate.METHOD_REGISTRY`.
FIXED_METHOD = "fixed"

#: Largest plan file read: a plan is a few hundred bytes; this leaves room for per-stratum tables.
MAX_PLAN_BYTES = 1 << 20
#: Longest look-back of ``exclude_recent.months``: a century (the cut-off date stays a real date).
MAX_MONTHS = 1200
#: Deepest nesting of lists and mappings in a plan file (a plan nests three levels).
MAX_DEPTH = 32


class _PlanLoader(yaml.SafeLoader):
    """YAML's safe loader without aliases (no "billion laughs"), without implicit dates (a date is
    text, checked as text by the field that takes it, so ``2026-02-30`` is a message, not a crash),
    without duplicate keys (YAML would keep the last silently), and with a bounded nesting depth."""

    yaml_implicit_resolvers: ClassVar[dict[Any, list[Any]]] = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark
            raise yaml.composer.ComposerError(
                None, None, "aliases (*name) are not allowed in plan files: write the value out", mark
            )
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                mark = self.peek_event().start_mark
                raise yaml.composer.ComposerError(None, None, f"nested deeper than {MAX_DEPTH} levels", mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        if isinstance(node, yaml.MappingNode):
            self.flatten_mapping(node)
            seen: set[str] = set()
            for key_node, _value in node.value:
                key = str(self.construct_object(key_node, deep=True))
                if key in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"duplicate key '{key}'", key_node.start_mark
                    )
                seen.add(key)
        return super().construct_mapping(node, deep)


class _DuplicateKeyError(ValueError):
    """A JSON object holds a key twice (raised by `_unique_object`)."""


def _unique_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """``object_pairs_hook`` for `json.loads`: the object as a dict, refusing a repeated key."""
    data: dict[str, Any] = {}
    for key, value in pairs:
        if key in data:
            raise _DuplicateKeyError(f"duplicate key '{key}'")
        data[key] = value
    return data


def _check_keys(section: Mapping[str, Any], allowed: tuple[str, ...], prefix: str) -> None:
    if not isinstance(section, Mapping):
        where = prefix.rstrip(".") or "plan"
        raise SamplerError(f"{where} must be a mapping of keys to values", field=where)
    for key in section:
        if key not in allowed:
            name = f"{prefix}{key}"
            close = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)
            hint = f" (did you mean '{prefix}{close[0]}'?)" if close else ""
            raise SamplerError(
                f"unknown key '{name}' in plan file{hint}; allowed: {', '.join(allowed)}", field=name
            )


def _rate_or_mapping(value: Any, field_name: str) -> float | dict[str, float] | None:
    if value is None:
        return None
    if isinstance(value, Mapping):
        return {str(k): check_rate(v, f"{field_name}.{k}") for k, v in value.items()}
    return check_rate(value, field_name)


def _number_mapping(value: Any, field_name: str) -> float | dict[str, float] | None:
    if value is None:
        return None
    items = value.items() if isinstance(value, Mapping) else [(None, value)]
    out = {}
    for key, number in items:
        name = field_name if key is None else f"{field_name}.{key}"
        if isinstance(number, bool) or not isinstance(number, int | float) or number < 0:
            raise SamplerError(f"{name} must be a number >= 0, got {number!r}", field=name)
        out[str(key)] = float(number)
    return out[str(None)] if not isinstance(value, Mapping) else out


@dataclass(frozen=True)
class AllocationSpec:
    """``allocation:`` section. ``weights`` are per stratum, or per value of ``risk_column``."""

    method: str = "proportional"
    minimum: int = 0
    rates: float | dict[str, float] | None = None
    weights: float | dict[str, float] | None = None
    risk_column: str | None = None
    ratio: float | dict[str, float] | None = None
    sizes: dict[str, int] | None = None

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> AllocationSpec:
        _check_keys(data, tuple(f.name for f in dataclasses.fields(cls)), "allocation.")
        method = check_choice(
            data.get("method", "proportional"), "allocation.method", (*METHODS, FIXED_METHOD)
        )
        risk_column = data.get("risk_column")
        if risk_column is not None and not isinstance(risk_column, str):
            raise SamplerError("allocation.risk_column must be a column name", field="allocation.risk_column")
        sizes = data.get("sizes")
        if method == FIXED_METHOD:
            if not isinstance(sizes, Mapping) or not sizes:
                raise SamplerError(
                    "allocation.sizes must map stratum labels to n_h with method 'fixed'",
                    field="allocation.sizes",
                )
            sizes = {
                str(k): check_int(v, f"allocation.sizes.{k}", maximum=MAX_COUNT) for k, v in sizes.items()
            }
            others = [k for k in ("rates", "weights", "risk_column", "ratio") if data.get(k) is not None]
            if others or data.get("minimum", 0) != 0:
                name = f"allocation.{others[0] if others else 'minimum'}"
                raise SamplerError(f"{name} does not apply to method 'fixed'", field=name)
        elif sizes is not None:
            raise SamplerError("allocation.sizes needs allocation.method 'fixed'", field="allocation.sizes")
        return cls(
            method=method,
            minimum=check_int(data.get("minimum", 0), "allocation.minimum", maximum=MAX_COUNT),
            rates=_rate_or_mapping(data.get("rates"), "allocation.rates"),
            weights=_number_mapping(data.get("weights"), "allocation.weights"),
            risk_column=risk_column,
            ratio=_rate_or_mapping(data.get("ratio"), "allocation.ratio"),
            sizes=sizes,
        )


@dataclass(frozen=True)
class AssumedSpec:
    """``assumed:`` section: non-conformity assumed for power and simulation (rate or bad counts)."""

    rate: float | dict[str, float] | None = None
    bad: int | dict[str, int] | None = None

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> AssumedSpec:
        _check_keys(data, ("rate", "bad"), "assumed.")
        if data.get("rate") is not None and data.get("bad") is not None:
            raise SamplerError("give assumed.rate or assumed.bad, not both", field="assumed.bad")
        bad = data.get("bad")
        if bad is not None:
            if isinstance(bad, Mapping):
                bad = {str(k): check_int(v, f"assumed.bad.{k}", maximum=MAX_COUNT) for k, v in bad.items()}
            else:
                bad = check_int(bad, "assumed.bad", maximum=MAX_COUNT)
        return cls(rate=_rate_or_mapping(data.get("rate"), "assumed.rate"), bad=bad)


@dataclass(frozen=True)
class SimulationSpec:
    """``simulation:`` section."""

    replications: int = 1000
    seed: int | None = None
    assignment_replications: int = 0

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> SimulationSpec:
        _check_keys(data, ("replications", "seed", "assignment_replications"), "simulation.")
        seed = data.get("seed")
        return cls(
            replications=check_int(
                data.get("replications", 1000),
                "simulation.replications",
                minimum=1,
                maximum=MAX_REPLICATIONS,
            ),
            seed=None if seed is None else check_int(seed, "simulation.seed", maximum=MAX_SEED),
            assignment_replications=check_int(
                data.get("assignment_replications", 0),
                "simulation.assignment_replications",
                maximum=MAX_REPLICATIONS,
            ),
        )


@dataclass(frozen=True)
class AssignmentSpec:
    """``assignment:`` section (keywords of `sampler.assign.assign_inspectors`)."""

    team_size: int = 2
    cap: int | None = None
    inspection_date: str | None = None
    cross_region: bool = False
    linked_regions: dict[str, list[str]] = field(default_factory=dict)
    method: str = "auto"
    max_attempts: int = 1000

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> AssignmentSpec:
        names = tuple(f.name for f in dataclasses.fields(cls))
        _check_keys(data, names, "assignment.")
        if data.get("inspection_date") is None:
            raise SamplerError("assignment.inspection_date is required", field="assignment.inspection_date")
        try:
            rules = eligibility_rules(**{k: data[k] for k in names if k in data})
        except SamplerError as error:
            name = f"assignment.{error.field}" if error.field and "." not in error.field else error.field
            message = str(error)
            if error.field and not message.startswith("assignment."):
                message = message.replace(error.field, name, 1) if error.field in message else message
            raise SamplerError(message, field=name) from error
        return cls(**{k: rules[k] for k in names})

    def options(self) -> dict[str, Any]:
        """Keyword arguments for `assign_inspectors` (without seed)."""
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class ExclusionSpec:
    """``exclude_recent:`` section: leave out units drawn within ``months`` months before ``as_of``.

    ``column`` is a frame column holding each unit's latest draw date (ISO date; missing when never
    drawn). A unit is left out when that date is on or after the cut-off, ``as_of`` minus ``months``
    calendar months (the day clamped to the month's end: 2026-03-31 minus 1 month is 2026-02-28).
    """

    months: int
    as_of: str
    column: str = "last_drawn_on"

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> ExclusionSpec:
        _check_keys(data, ("months", "as_of", "column"), "exclude_recent.")
        if data.get("months") is None:
            raise SamplerError("exclude_recent.months is required", field="exclude_recent.months")
        months = check_int(data["months"], "exclude_recent.months", minimum=1, maximum=MAX_MONTHS)
        as_of = data.get("as_of")
        try:
            as_of = dt.date.fromisoformat(as_of).isoformat() if isinstance(as_of, str) else None
        except ValueError:
            as_of = None
        if as_of is None:
            raise SamplerError(
                f"exclude_recent.as_of must be an ISO date (YYYY-MM-DD), got {data.get('as_of')!r}",
                field="exclude_recent.as_of",
            )
        column = data.get("column", "last_drawn_on")
        if not isinstance(column, str) or not column:
            raise SamplerError("exclude_recent.column must be a column name", field="exclude_recent.column")
        return cls(months=months, as_of=as_of, column=column)

    def cutoff(self) -> dt.date:
        """The first date whose draws exclude a unit: ``as_of`` minus ``months`` calendar months."""
        as_of = dt.date.fromisoformat(self.as_of)
        month = as_of.year * 12 + as_of.month - 1 - self.months
        year, month = divmod(month, 12)
        first_of_next = dt.date(year + (month == 11), (month + 1) % 12 + 1, 1)
        return dt.date(year, month + 1, min(as_of.day, (first_of_next - dt.timedelta(days=1)).day))


PLAN_KEYS = (
    "seed",
    "strata",
    "n",
    "allocation",
    "assumed",
    "tolerable",
    "alpha",
    "confidence",
    "institution_column",
    "simulation",
    "assignment",
    "exclude_recent",
)


@dataclass(frozen=True)
class Plan:
    """A whole sampling plan, as read from a plan file.

    Attributes
    ----------
    seed : int or None
        Seed of the live draw and assignment (required by draw and verify).
    strata : tuple of str
        Frame columns whose combinations are the strata.
    n : int or None
        Total targets (not with ``allocation.method: ratio``).
    allocation, assumed, simulation, assignment
        Sections (``assignment`` is None when the plan assigns no inspectors).
    tolerable : float or None
        Tolerable rate for the per-stratum test.
    alpha, confidence : float
        Test level and interval confidence.
    institution_column : str or None
        Frame column for institution coverage.
    """

    seed: int | None = None
    strata: tuple[str, ...] = ("region", "scheme")
    n: int | None = None
    allocation: AllocationSpec = AllocationSpec()
    assumed: AssumedSpec = AssumedSpec()
    tolerable: float | None = None
    alpha: float = 0.05
    confidence: float = 0.95
    institution_column: str | None = "institution_id"
    simulation: SimulationSpec = SimulationSpec()
    assignment: AssignmentSpec | None = None
    exclude_recent: ExclusionSpec | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready form (round-trips through `parse_plan`).

        ``exclude_recent`` appears only when set, so plans (and records) without it read as before.
        """
        data = dataclasses.asdict(self)
        data["strata"] = list(self.strata)
        if self.exclude_recent is None:
            del data["exclude_recent"]
        return data


def parse_plan(data: Mapping[str, Any]) -> Plan:
    """Validate a plan mapping (as loaded from YAML/JSON); raise `SamplerError` naming bad fields."""
    _check_keys(data, PLAN_KEYS, "")
    strata = data.get("strata", ["region", "scheme"])
    if isinstance(strata, str):
        strata = [strata]
    if not isinstance(strata, list | tuple) or not all(isinstance(s, str) for s in strata):
        raise SamplerError("strata must be a list of column names", field="strata")
    seed = data.get("seed")
    n = data.get("n")
    tolerable = data.get("tolerable")
    institution = data.get("institution_column", "institution_id")
    if institution is not None and not isinstance(institution, str):
        raise SamplerError("institution_column must be a column name or null", field="institution_column")
    allocation = AllocationSpec.parse(_section(data, "allocation"))
    if allocation.method == FIXED_METHOD:
        total = sum(allocation.sizes.values())
        if n is None:
            n = total
        elif check_int(n, "n", minimum=1, maximum=MAX_COUNT) != total:
            raise SamplerError(f"n is {n} but allocation.sizes add up to {total}", field="n")
    if allocation.method != "ratio" and n is None:
        raise SamplerError(f"n is required by allocation method '{allocation.method}'", field="n")
    assignment = data.get("assignment")
    exclusion = data.get("exclude_recent")
    return Plan(
        seed=None if seed is None else check_int(seed, "seed", maximum=MAX_SEED),
        strata=tuple(strata),
        n=None if n is None else check_int(n, "n", minimum=1, maximum=MAX_COUNT),
        allocation=allocation,
        assumed=AssumedSpec.parse(_section(data, "assumed")),
        tolerable=None if tolerable is None else check_rate(tolerable, "tolerable", allow_zero=False),
        alpha=check_confidence(data.get("alpha", 0.05), "alpha"),
        confidence=check_confidence(data.get("confidence", 0.95), "confidence"),
        institution_column=institution,
        simulation=SimulationSpec.parse(_section(data, "simulation")),
        assignment=None if assignment is None else AssignmentSpec.parse(assignment),
        exclude_recent=None if exclusion is None else ExclusionSpec.parse(exclusion),
    )


def _section(data: Mapping[str, Any], name: str) -> Any:
    """A section of the plan; absent or null is empty (a mapping is checked by the section's parser)."""
    value = data.get(name)
    return {} if value is None else value


def _plan_text(path: Path) -> str:
    """The file's text: at most `MAX_PLAN_BYTES`, not binary, UTF-8 (a BOM is allowed)."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_PLAN_BYTES + 1)
    except OSError as error:
        raise SamplerError(f"cannot read plan file {path}: {error.strerror}", field="plan") from error
    if len(raw) > MAX_PLAN_BYTES:
        raise SamplerError(
            f"plan file {path} is larger than {MAX_PLAN_BYTES // 1024} KiB; a plan file is a short text",
            field="plan",
        )
    if b"\x00" in raw:
        raise SamplerError(f"plan file {path} is not a text file (it holds NUL bytes)", field="plan")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise SamplerError(
            f"plan file {path} is not UTF-8 text: byte 0x{raw[error.start]:02x} on line {line}; "
            "save it as UTF-8",
            field="plan",
        ) from None


def load_plan(path: str | Path) -> Plan:
    """Read a plan from a ``.yaml``/``.yml`` or ``.json`` file (by suffix; YAML otherwise).

    Raises `SamplerError` (``field="plan"``) for a file that cannot be read, is over `MAX_PLAN_BYTES`,
    binary, not UTF-8, not valid YAML/JSON, holds a key twice in one mapping, uses YAML aliases or
    nests deeper than `MAX_DEPTH`; and (naming the field) for every bad value, as `parse_plan`.
    """
    path = Path(path)
    text = _plan_text(path)
    kind = "JSON" if path.suffix.lower() == ".json" else "YAML"
    try:
        data = (
            json.loads(text, object_pairs_hook=_unique_object)
            if kind == "JSON"
            else yaml.load(text, Loader=_PlanLoader)
        )
    except (json.JSONDecodeError, _DuplicateKeyError, yaml.YAMLError) as error:
        raise SamplerError(
            f"plan file {path} is not valid {kind}: {_syntax_problem(error)}", field="plan"
        ) from error
    except RecursionError:
        raise SamplerError(
            f"plan file {path} is not valid {kind}: nested deeper than {MAX_DEPTH} levels", field="plan"
        ) from None
    if data is None:
        data = {}
    if not isinstance(data, Mapping):
        raise SamplerError(f"plan file {path} must hold a mapping of keys to values", field="plan")
    if _depth(data) > MAX_DEPTH:
        raise SamplerError(f"plan file {path} nests deeper than {MAX_DEPTH} levels", field="plan")
    return parse_plan(_plain(data))


def _syntax_problem(error: Exception) -> str:
    """What a YAML or JSON parser found wrong, and where (line and column, counted from 1)."""
    if isinstance(error, json.JSONDecodeError):
        return f"{error.msg} (line {error.lineno}, column {error.colno})"
    mark = getattr(error, "problem_mark", None)
    problem = getattr(error, "problem", None) or " ".join(str(error).split())
    return f"{problem} (line {mark.line + 1}, column {mark.column + 1})" if mark else problem


def _depth(value: Any, level: int = 0) -> int:
    """Nesting depth of lists and mappings (stops counting past `MAX_DEPTH`)."""
    if level > MAX_DEPTH:
        return level
    if isinstance(value, Mapping):
        return max((_depth(v, level + 1) for v in value.values()), default=level + 1)
    if isinstance(value, list):
        return max((_depth(v, level + 1) for v in value), default=level + 1)
    return level


def _plain(value: Any) -> Any:
    """Keys to text (YAML reads ``1:`` as a number)."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
