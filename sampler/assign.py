"""Assign inspectors to drawn targets (the second random of 双随机), with every eligibility rule.

Eligibility of inspector i for target j:

1. competent for the target's scheme (the ``schemes`` list of the inspector);
2. active;
3. enforcement ID valid on the inspection date (``id_valid_until >= inspection_date``);
4. region rule: with ``cross_region=True`` not from the target's region, and - when
   ``linked_regions`` names the target's region (区域执法联动) - only from the linked regions;
   with ``cross_region=False`` any region, or when ``linked_regions`` names the target's region,
   its own region plus the linked ones;
5. 回避: no past affiliation with the target's institution (``affiliations`` of the inspector);

and nobody serves on more than ``cap`` teams. The cap may span earlier campaigns: the optional pool
column ``prior_load`` holds the teams each inspector already serves on in the period the cap counts
(a non-negative integer, missing or empty = 0), so inspector i has ``cap - prior_load[i]`` places
left, and an inspector with none left is not eligible ("workload cap already reached"). Without a cap
``prior_load`` has no effect. It is part of the pool's content hash whenever some value is non-zero
(a pool whose loads are all zero hashes as one without the column). Nothing is ever relaxed: a target
with fewer than ``team_size`` eligible inspectors, or a cap no assignment can meet, raises
`InfeasibleAssignmentError` naming the target, its stratum and the binding constraint.

Fairness. ``method="exact"`` draws an assignment *uniformly at random among all feasible
assignments*: every target independently gets a uniformly random team (a ``team_size`` subset of its
eligible inspectors); if some inspector then exceeds the cap the whole proposal is rejected and a new
one drawn. Independent uniform proposals give every complete assignment the same probability, so
conditioning on the cap (rejection) leaves the feasible ones equally likely. ``method="sequential"``
visits targets in a uniformly random order and gives each a uniform team among its eligible
inspectors with spare capacity, restarting on a dead end; it copes with tight caps (e.g. ``cap=1``,
everyone on at most one team) but is only approximately uniform. ``method="auto"`` (the default)
tries the exact method for up to `AUTO_EXACT_ATTEMPTS` proposals and otherwise uses the sequential
one.

Never failing when an assignment exists. If a method's ``max_attempts`` all fail, a max-flow check
decides: no assignment meets the cap -> `InfeasibleAssignmentError` (binding constraint: workload
cap); one does -> the draw continues on the same random stream with the max-flow look-ahead draw
(``"maxflow"``): targets in a random order, each a uniform team among inspectors with spare
capacity if the remaining targets can still all be served (max-flow), else members drawn one at a
time, each uniform among those that keep a complete assignment possible. It cannot dead-end, is
approximately uniform like ``sequential``, and is reproducible from the seed. `Assignment.method_used`
(and the draw record) says which draw produced the teams: ``"exact"``, ``"sequential"`` or
``"maxflow"``. No method ever relaxes a rule.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.sparse import csr_array
from scipy.sparse.csgraph import maximum_flow

from sampler.errors import MAX_COUNT, InfeasibleAssignmentError, SamplerError, check_choice, check_int
from sampler.frame import _canonical_text, _id_order, content_hash
from sampler.streams import derive_bit_generator, seed_digest, smallest_keys

__all__ = [
    "ASSIGN_METHODS",
    "AUTO_EXACT_ATTEMPTS",
    "Assignment",
    "AssignmentProblem",
    "InspectorPool",
    "assign_inspectors",
    "eligibility_rules",
    "parse_pool",
    "pool_hash",
]

ASSIGN_METHODS: tuple[str, ...] = ("auto", "exact", "sequential")
#: Most random attempts an assignment may be given before the max-flow look-ahead takes over.
MAX_ATTEMPTS = 100_000
#: Exact proposals ``method="auto"`` tries before switching to the sequential draw.
AUTO_EXACT_ATTEMPTS = 50
POOL_COLUMNS = ("inspector_id", "region", "schemes", "active", "id_valid_until", "affiliations")
#: Optional pool column: teams each inspector already serves on in the cap's period.
PRIOR_LOAD = "prior_load"
TARGET_COLUMNS = ("unit_id", "region", "scheme", "institution_id")


def _tokens(value: object) -> tuple[str, ...]:
    """Split a ``;``-separated text (or take a list) into canonical text tokens."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ()
    if isinstance(value, str):
        return tuple(t.strip() for t in value.split(";") if t.strip())
    if isinstance(value, Iterable):
        return tuple(_canonical_text(v) for v in value)
    return (_canonical_text(value),)


def _as_bool(values: pd.Series) -> np.ndarray:
    if pd.api.types.is_bool_dtype(values.dtype):
        return values.to_numpy(dtype=bool)
    mapping = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}
    text = values.map(lambda v: _canonical_text(v).strip().lower())
    bad = sorted(set(text) - set(mapping))
    if bad:
        raise SamplerError(f"inspector column 'active' has non-boolean values {bad[:3]}", field="active")
    return text.map(mapping).to_numpy(dtype=bool)


def _as_date(value: object, field_name: str) -> np.datetime64:
    """A calendar date given as a date or as ISO text (``2026-12-01``); never a number, which
    pandas would read as nanoseconds since 1970."""
    try:
        if isinstance(value, str):
            return np.datetime64(_dt.date.fromisoformat(value.strip()), "D")
        if isinstance(value, _dt.date | np.datetime64):
            return np.datetime64(pd.Timestamp(value).date(), "D")
    except (ValueError, TypeError, OverflowError):
        pass
    raise SamplerError(
        f"{field_name} must be an ISO date such as 2026-12-01, got {value!r}", field=field_name
    )


@dataclass(frozen=True, eq=False)
class InspectorPool:
    """A checked, indexed inspector pool (build with `parse_pool`)."""

    ids: np.ndarray
    region: np.ndarray
    region_codes: np.ndarray
    region_index: dict[str, int]
    active: np.ndarray
    valid_until: np.ndarray
    competent: dict[str, np.ndarray]
    affiliated: dict[str, np.ndarray]
    hash: str
    prior_load: np.ndarray  # int64 per inspector, teams already served in the cap's period
    #: the canonical table ``hash`` covers (rows in id order; what a public bundle publishes, see
    #: sampler.bundle): inspector_id, region, agency, schemes, active, id_valid_until, affiliations
    hashed: pd.DataFrame | None = None

    def capacity(self, cap: int | None) -> np.ndarray | None:
        """Places left per inspector under ``cap`` (``cap - prior_load``, at least 0); None: no cap."""
        return None if cap is None else np.maximum(cap - self.prior_load, 0)

    def __len__(self) -> int:
        return len(self.ids)


def _prior_load(table: pd.DataFrame) -> np.ndarray:
    """The ``prior_load`` column as non-negative int64 (0 where absent or empty)."""
    if PRIOR_LOAD not in table.columns:
        return np.zeros(len(table), dtype=np.int64)
    values = pd.to_numeric(table[PRIOR_LOAD], errors="coerce")
    bad = (table[PRIOR_LOAD].notna() & values.isna()) | (values < 0) | (values.fillna(0) % 1 != 0)
    if bad.any():
        raise SamplerError(
            f"inspector {table['inspector_id'][bad].iloc[0]!r}: {PRIOR_LOAD} must be a whole number >= 0, "
            f"got {table[PRIOR_LOAD][bad].iloc[0]!r}",
            field=PRIOR_LOAD,
        )
    return values.fillna(0).to_numpy(dtype=np.int64)


def parse_pool(pool: pd.DataFrame) -> InspectorPool:
    """Check and index an inspector pool (see module docs for the columns)."""
    if not isinstance(pool, pd.DataFrame):
        raise SamplerError("the inspector pool must be a pandas DataFrame", field="pool")
    missing = [c for c in POOL_COLUMNS if c not in pool.columns]
    if missing:
        raise SamplerError(f"inspector pool is missing column(s) {', '.join(missing)}", field=missing[0])
    if pool.empty:
        raise SamplerError("the inspector pool is empty", field="pool")
    if pool["inspector_id"].isna().any() or not pool["inspector_id"].is_unique:
        raise SamplerError("inspector_id must be present and unique", field="inspector_id")
    table = pool.iloc[_id_order(pool["inspector_id"])].reset_index(drop=True)
    until = pd.to_datetime(table["id_valid_until"], errors="coerce", format="ISO8601")
    bad_dates = table["id_valid_until"].notna() & until.isna()
    if bad_dates.any():
        raise SamplerError(
            f"id_valid_until has a value that is not a date: {table['id_valid_until'][bad_dates].iloc[0]!r}",
            field="id_valid_until",
        )
    schemes = [_tokens(v) for v in table["schemes"].tolist()]
    ties = [_tokens(v) for v in table["affiliations"].tolist()]
    competent: dict[str, list[int]] = {}
    for position, tokens in enumerate(schemes):
        for token in tokens:
            competent.setdefault(token, []).append(position)
    competent_masks = {}
    for scheme, positions in competent.items():
        mask = np.zeros(len(table), dtype=bool)
        mask[np.asarray(positions)] = True
        competent_masks[scheme] = mask
    affiliated: dict[str, list[int]] = {}
    for position, tokens in enumerate(ties):
        for token in tokens:
            affiliated.setdefault(token, []).append(position)
    active = _as_bool(table["active"])
    region = np.array([_canonical_text(v) for v in table["region"].tolist()], dtype=object)
    region_codes, region_names = pd.factorize(region)
    hashed = pd.DataFrame(
        {
            "inspector_id": table["inspector_id"],
            "region": region,
            "agency": table["agency"] if "agency" in table.columns else "",
            "schemes": [";".join(sorted(t)) for t in schemes],
            "active": active,
            "id_valid_until": until.dt.strftime("%Y-%m-%d").fillna(""),
            "affiliations": [";".join(sorted(t)) for t in ties],
        }
    )
    prior_load = _prior_load(table)
    if prior_load.any():
        hashed[PRIOR_LOAD] = prior_load
    return InspectorPool(
        ids=table["inspector_id"].to_numpy(),
        region=region,
        region_codes=region_codes.astype(np.int64),
        region_index={str(name): code for code, name in enumerate(region_names)},
        active=active,
        valid_until=until.to_numpy(dtype="datetime64[D]"),
        competent=competent_masks,
        affiliated={k: np.asarray(sorted(v), dtype=np.int64) for k, v in affiliated.items()},
        hash=content_hash(hashed, key="inspector_id"),
        prior_load=prior_load,
        hashed=hashed,
    )


def pool_hash(pool: pd.DataFrame) -> str:
    """The hash an assignment records as ``pool_hash``: the content hash of the checked pool.

    Defined like the frame hash (`sampler.frame.content_hash`, keyed by ``inspector_id``) over the
    pool's columns as the assignment reads them (region, agency, schemes, active, id_valid_until,
    affiliations; tokens sorted, dates ISO), so it ignores row order and cell formatting. Raises
    `SamplerError` when the pool is not a valid pool (see `parse_pool`).
    """
    return parse_pool(pool).hash


def eligibility_rules(
    *,
    team_size: int = 2,
    cap: int | None = None,
    inspection_date: _dt.date | str,
    cross_region: bool = False,
    linked_regions: Mapping[str, Iterable[str]] | None = None,
    method: str = "auto",
    max_attempts: int = 1000,
) -> dict[str, Any]:
    """Validate assignment options; return them as canonical (JSON-ready) parameters."""
    team_size = check_int(team_size, "team_size", minimum=1, maximum=MAX_COUNT)
    if cap is not None:
        cap = check_int(cap, "cap", minimum=1, maximum=MAX_COUNT)
    date = _as_date(inspection_date, "inspection_date")
    if not isinstance(cross_region, bool):
        raise SamplerError(f"cross_region must be true or false, got {cross_region!r}", field="cross_region")
    linked: dict[str, list[str]] = {}
    if linked_regions is not None:
        if not isinstance(linked_regions, Mapping):
            raise SamplerError(
                "linked_regions must map a region to a list of regions", field="linked_regions"
            )
        for region, others in linked_regions.items():
            items = [others] if _is_label(others) else others
            if not isinstance(items, list | tuple) or not all(_is_label(o) for o in (region, *items)):
                raise SamplerError(
                    f"linked_regions must map a region to a list of regions, got {region!r}: {others!r}",
                    field="linked_regions",
                )
            linked[_canonical_text(region)] = sorted({_canonical_text(o) for o in items})
            if cross_region and _canonical_text(region) in linked[_canonical_text(region)]:
                raise SamplerError(
                    f"linked_regions[{region!r}] lists the region itself, which cross_region forbids",
                    field="linked_regions",
                )
    return {
        "team_size": team_size,
        "cap": cap,
        "inspection_date": str(date),
        "cross_region": cross_region,
        "linked_regions": linked,
        "method": check_choice(method, "method", ASSIGN_METHODS),
        "max_attempts": check_int(max_attempts, "max_attempts", minimum=1, maximum=MAX_ATTEMPTS),
    }


def _is_label(value: object) -> bool:
    """A region label: text, or a whole number (YAML reads the code 440000 as one)."""
    return isinstance(value, str | int) and not isinstance(value, bool)


@dataclass(frozen=True, eq=False)
class Assignment:
    """Inspector teams for drawn targets.

    Attributes
    ----------
    teams : pandas.DataFrame
        One row per (target, team member): ``unit_id``, ``stratum``, ``slot`` (1..team_size),
        ``inspector_id``; targets in canonical (unit id) order, members by inspector id.
    workload : pandas.Series
        Teams per inspector, for inspectors who got at least one.
    eligible : pandas.Series
        Number of eligible inspectors per target (unit id).
    rules : dict
        Canonical assignment parameters (see `eligibility_rules`).
    seed : int
    attempts : int
        Proposals drawn until one met the cap (exact) or restarts + 1 (sequential); with the
        max-flow fallback, the failed attempts + 1.
    method_used : str
        ``"exact"``, ``"sequential"`` (what ``method="auto"`` settled on) or ``"maxflow"`` (the
        look-ahead draw used after the random attempts missed an assignment that exists).
    pool_hash, targets_hash, stream : str
        Content hashes of the pool and targets and the seed digest of the random stream.
    """

    teams: pd.DataFrame
    workload: pd.Series
    eligible: pd.Series
    rules: dict[str, Any] = field(repr=False)
    seed: int
    attempts: int
    pool_hash: str
    targets_hash: str
    stream: str
    method_used: str = "exact"


def _region_mask(pool: InspectorPool, region: str, rules: dict[str, Any]) -> np.ndarray:
    linked = rules["linked_regions"].get(region)
    own = pool.region_index.get(region, -1)
    if rules["cross_region"]:
        mask = pool.region_codes != own
        if linked is not None:
            mask &= np.isin(pool.region_codes, [pool.region_index.get(r, -1) for r in linked])
        return mask
    if linked is not None:
        return np.isin(pool.region_codes, [pool.region_index.get(r, -1) for r in [region, *linked]])
    return np.ones(len(pool), dtype=bool)


def _diagnose(pool: InspectorPool, target: dict[str, Any], rules: dict[str, Any], date: np.datetime64) -> str:
    """Name the first rule that leaves fewer than team_size inspectors for this target."""
    t = rules["team_size"]
    scheme, region, institution = target["scheme"], target["region"], target["institution_id"]
    region_name = "cross-region rule (not from " + region + ")" if rules["cross_region"] else "region rule"
    if region in rules["linked_regions"]:
        region_name = f"linked-region pool ({region} -> {', '.join(rules['linked_regions'][region])})"
    mask = np.ones(len(pool), dtype=bool)
    stages = [
        (f"competence for scheme {scheme}", pool.competent.get(scheme, np.zeros(len(pool), dtype=bool))),
        ("active status", pool.active),
        (f"enforcement ID valid on {rules['inspection_date']}", pool.valid_until >= date),
        (region_name, _region_mask(pool, region, rules)),
    ]
    conflict = np.ones(len(pool), dtype=bool)
    conflict[pool.affiliated.get(institution, np.zeros(0, dtype=np.int64))] = False
    stages.append((f"回避 (affiliation with institution {institution})", conflict))
    capacity = pool.capacity(rules["cap"])
    if capacity is not None:
        reached = f"workload cap {rules['cap']} already reached in the period (prior_load)"
        stages.append((reached, capacity > 0))
    before = len(pool)
    for name, stage in stages:
        mask &= stage
        count = int(mask.sum())
        if count < t:
            return (
                f"stratum {target['stratum']!r}, target {target['unit_id']!r}: {count} eligible "
                f"inspector(s) for a team of {t}; binding constraint: {name} ({before} -> {count})"
            )
        before = count
    return ""  # pragma: no cover - only called for infeasible targets


def _max_flow(eligible: list[np.ndarray], team_size: int, capacity: np.ndarray) -> int:
    """Largest number of team places fillable when inspector i has ``capacity[i]`` places
    (bipartite b-matching by max-flow)."""
    return _flow(eligible, [team_size] * len(eligible), capacity)


def _flow(eligible: list[np.ndarray], needs: list[int], spare: np.ndarray) -> int:
    """Max-flow value: target j needs ``needs[j]`` places among ``eligible[j]``; inspector i has
    ``spare[i]`` places left."""
    n_targets, n_inspectors = len(eligible), len(spare)
    source, sink = 0, 1 + n_targets + n_inspectors
    rows = [np.zeros(n_targets, dtype=np.int64)]
    cols = [np.arange(1, n_targets + 1)]
    caps = [np.asarray(needs, dtype=np.int64)]
    for j, members in enumerate(eligible):
        rows.append(np.full(members.size, 1 + j))
        cols.append(1 + n_targets + members)
        caps.append(np.ones(members.size, dtype=np.int64))
    rows.append(1 + n_targets + np.arange(n_inspectors))
    cols.append(np.full(n_inspectors, sink))
    caps.append(np.asarray(spare, dtype=np.int64))
    graph = csr_array(
        (np.concatenate(caps).astype(np.int32), (np.concatenate(rows), np.concatenate(cols))),
        shape=(sink + 1, sink + 1),
    )
    return int(maximum_flow(graph, source, sink).flow_value)


def _draw_maxflow(bitgen, eligible, t, capacity):
    """Sequential draw with a max-flow look-ahead: never dead-ends when an assignment exists.

    Targets are visited in a uniformly random order; each gets a uniformly random team among its
    eligible inspectors with spare capacity, kept if the targets still to come can then all be
    served (max-flow); otherwise its members are drawn one at a time, each uniformly among those that
    keep a complete assignment possible. Every rule and the cap hold; like ``sequential`` it is
    approximately, not exactly, uniform over the feasible assignments. Call only on a feasible problem.
    """
    order = np.argsort(bitgen.random_raw(len(eligible)), kind="stable")
    spare = np.asarray(capacity, dtype=np.int64).copy()
    teams: list[np.ndarray | None] = [None] * len(eligible)
    for position, j in enumerate(order):
        rest = [eligible[k] for k in order[position + 1 :]]
        members = eligible[j]
        free = members[spare[members] > 0]

        def completes(chosen: np.ndarray, rest=rest, free=free) -> bool:
            left = spare.copy()
            left[chosen] -= 1
            others = free[~np.isin(free, chosen)]
            needs = [t - chosen.size] + [t] * len(rest)
            return _flow([others, *rest], needs, left) == sum(needs)

        team = free[smallest_keys(bitgen.random_raw(free.size), t)]
        if not completes(team):
            chosen = np.zeros(0, dtype=np.int64)
            candidates = free[np.argsort(bitgen.random_raw(free.size), kind="stable")]
            for candidate in candidates:
                trial = np.append(chosen, candidate)
                if completes(trial):
                    chosen = trial
                    if chosen.size == t:
                        break
            team = np.sort(chosen)
        spare[team] -= 1
        teams[j] = team
    return teams


class AssignmentProblem:
    """Targets, a parsed pool and validated rules, with each target's eligible inspectors.

    Build it once and call `draw` with different seeds to repeat the second random cheaply
    (`assign_inspectors` does both in one call). Raises `InfeasibleAssignmentError` at construction
    when a target has too few eligible inspectors or a stratum cannot meet the cap.
    """

    def __init__(self, targets: pd.DataFrame, pool: pd.DataFrame | InspectorPool, **options: Any) -> None:
        rules = eligibility_rules(**options)
        if not isinstance(targets, pd.DataFrame):
            raise SamplerError("targets must be a pandas DataFrame", field="targets")
        missing = [c for c in TARGET_COLUMNS if c not in targets.columns]
        if missing:
            raise SamplerError(f"targets are missing column(s) {', '.join(missing)}", field=missing[0])
        if not targets["unit_id"].is_unique:
            raise SamplerError("targets repeat a unit_id", field="unit_id")
        if targets.empty:
            raise SamplerError("there are no targets to assign", field="targets")
        parsed = pool if isinstance(pool, InspectorPool) else parse_pool(pool)
        date = np.datetime64(rules["inspection_date"], "D")
        table = targets.iloc[_id_order(targets["unit_id"])]
        region = [_canonical_text(v) for v in table["region"]]
        scheme = [_canonical_text(v) for v in table["scheme"]]
        institution = [_canonical_text(v) for v in table["institution_id"]]
        if "stratum" in table.columns:
            stratum = [_canonical_text(v) for v in table["stratum"]]
        else:
            stratum = [f"{r}|{s}" for r, s in zip(region, scheme, strict=True)]
        unit_ids = table["unit_id"].to_numpy()
        target_rows = pd.DataFrame(
            {
                "unit_id": unit_ids,
                "region": region,
                "scheme": scheme,
                "institution_id": institution,
                "stratum": stratum,
            }
        )
        t = rules["team_size"]
        base_cache: dict[tuple[str, str], np.ndarray] = {}
        region_cache: dict[str, np.ndarray] = {}
        usable = parsed.active & (parsed.valid_until >= date)
        capacity = parsed.capacity(rules["cap"])
        if capacity is not None:
            usable &= capacity > 0  # at the cap already through earlier campaigns in the period
        scratch = np.zeros(len(parsed), dtype=bool)
        eligible: list[np.ndarray] = []
        for j in range(len(unit_ids)):
            key = (scheme[j], region[j])
            if key not in base_cache:
                if key[1] not in region_cache:
                    region_cache[key[1]] = usable & _region_mask(parsed, key[1], rules)
                competent = parsed.competent.get(key[0], np.zeros(len(parsed), dtype=bool))
                base_cache[key] = np.flatnonzero(competent & region_cache[key[1]])
            members = base_cache[key]
            conflict = parsed.affiliated.get(institution[j])
            if conflict is not None and conflict.size:
                scratch[conflict] = True
                members = members[~scratch[members]]
                scratch[conflict] = False
            if members.size < t:
                record = {
                    "unit_id": table["unit_id"].tolist()[j],
                    "region": region[j],
                    "scheme": scheme[j],
                    "institution_id": institution[j],
                    "stratum": stratum[j],
                }
                raise InfeasibleAssignmentError(_diagnose(parsed, record, rules, date), field="team_size")
            eligible.append(members)
        if capacity is not None:
            _check_cap_by_stratum(eligible, np.asarray(stratum, dtype=object), t, rules["cap"], capacity)
        self.rules = rules
        self.capacity = capacity
        self.pool = parsed
        self.unit_ids = unit_ids
        self.strata = np.asarray(stratum, dtype=object)
        self.eligible = eligible
        self.targets_hash = content_hash(target_rows, key="unit_id")

    def draw(self, seed: int) -> Assignment:
        """Draw teams with ``seed`` (see the module notes for the method)."""
        seed = check_int(seed, "seed")
        rules, parsed, eligible = self.rules, self.pool, self.eligible
        t, cap_value, capacity = rules["team_size"], rules["cap"], self.capacity
        context = {"targets": self.targets_hash, "pool": parsed.hash, "rules": rules}
        stream = seed_digest(seed=seed, purpose="assign", **context)
        bitgen = derive_bit_generator(seed=seed, purpose="assign", **context)
        size, limit = len(parsed), rules["max_attempts"]
        method_used = "sequential" if rules["method"] == "sequential" else "exact"
        if rules["method"] == "sequential":
            teams, attempts = _draw_sequential(bitgen, eligible, t, capacity, size, limit)
        elif rules["method"] == "exact":
            teams, attempts = _draw_exact(bitgen, eligible, t, capacity, size, limit)
        else:
            exact_limit = min(limit, AUTO_EXACT_ATTEMPTS)
            teams, attempts = _draw_exact(bitgen, eligible, t, capacity, size, exact_limit)
            if teams is None:
                method_used = "sequential"
                teams, attempts = _draw_sequential(bitgen, eligible, t, capacity, size, limit)
        if teams is None:
            placed = _max_flow(eligible, t, capacity)
            needed = t * len(eligible)
            if placed < needed:
                raise InfeasibleAssignmentError(
                    f"workload cap {cap_value}: at most {placed} of the {needed} team places can be filled "
                    "by eligible inspectors (max-flow); binding constraint: workload cap",
                    field="cap",
                )
            # an assignment exists but the random attempts missed it: continue the same stream with
            # the max-flow look-ahead draw, which cannot miss
            method_used = "maxflow"
            teams = _draw_maxflow(bitgen, eligible, t, capacity)
            attempts += 1
        members = np.concatenate(teams)
        team_rows = pd.DataFrame(
            {
                "unit_id": np.repeat(self.unit_ids, t),
                "stratum": np.repeat(self.strata, t),
                "slot": np.tile(np.arange(1, t + 1), len(teams)),
                "inspector_id": parsed.ids[members],
            }
        )
        load = np.bincount(members, minlength=len(parsed))
        used = np.flatnonzero(load)
        workload = pd.Series(load[used], index=pd.Index(parsed.ids[used], name="inspector_id"), name="teams")
        counts = pd.Series(
            [m.size for m in eligible], index=pd.Index(self.unit_ids, name="unit_id"), name="eligible"
        )
        return Assignment(
            teams=team_rows,
            workload=workload,
            eligible=counts,
            rules=rules,
            seed=seed,
            attempts=attempts,
            pool_hash=parsed.hash,
            targets_hash=self.targets_hash,
            stream=stream,
            method_used=method_used,
        )


def assign_inspectors(
    targets: pd.DataFrame,
    pool: pd.DataFrame | InspectorPool,
    *,
    inspection_date: _dt.date | str,
    seed: int,
    team_size: int = 2,
    cap: int | None = None,
    cross_region: bool = False,
    linked_regions: Mapping[str, Iterable[str]] | None = None,
    method: str = "auto",
    max_attempts: int = 1000,
) -> Assignment:
    """Draw an inspector team for every target.

    Parameters
    ----------
    targets : pandas.DataFrame
        Columns ``unit_id``, ``region``, ``scheme``, ``institution_id`` (and optionally ``stratum``).
    pool : pandas.DataFrame or InspectorPool
        Columns ``inspector_id``, ``region``, ``schemes`` (``;``-separated or list), ``active``,
        ``id_valid_until`` (date), ``affiliations`` (``;``-separated institution ids or list);
        or the result of `parse_pool` to skip re-parsing.
    inspection_date : date or ISO text
        Date the enforcement IDs must be valid on.
    seed : int
        Seed; with the same targets, pool and options the teams are identical on any machine.
    team_size : int
        Inspectors per target (default 2).
    cap : int, optional
        Most teams one inspector may serve on.
    cross_region : bool
        Exclude inspectors from the target's region.
    linked_regions : mapping, optional
        Region -> regions whose inspectors may be drawn for its targets (区域执法联动).
    method : {"auto", "exact", "sequential"}
        See the module notes on fairness.
    max_attempts : int
        Proposals (exact) or restarts (sequential) before switching to the max-flow look-ahead draw.

    Returns
    -------
    Assignment

    Raises
    ------
    InfeasibleAssignmentError
        When some target has fewer than ``team_size`` eligible inspectors, or when the cap cannot be
        met by any assignment; the message names the stratum/target and the binding constraint.
    SamplerError
        On bad inputs (naming the field). A feasible problem never raises: when the random attempts
        miss, the max-flow look-ahead draw finds an assignment (``method_used == "maxflow"``).
    """
    problem = AssignmentProblem(
        targets,
        pool,
        team_size=team_size,
        cap=cap,
        inspection_date=inspection_date,
        cross_region=cross_region,
        linked_regions=linked_regions,
        method=method,
        max_attempts=max_attempts,
    )
    return problem.draw(seed)


def _check_cap_by_stratum(
    eligible: list[np.ndarray], strata: np.ndarray, t: int, cap: int, capacity: np.ndarray
) -> None:
    """Hall's condition per stratum: its targets need t places from the places left to the union of
    their eligible inspectors (``cap`` each, less what earlier campaigns used: ``capacity``)."""
    groups: dict[str, list[int]] = {}
    for j, label in enumerate(strata):
        groups.setdefault(label, []).append(j)
    size = len(capacity)
    overall = np.zeros(size, dtype=bool)
    for label, members in groups.items():
        mask = np.zeros(size, dtype=bool)
        for j in members:
            mask[eligible[j]] = True
        union = int(mask.sum())
        places = int(capacity[mask].sum())
        overall |= mask
        if t * len(members) > places:
            raise InfeasibleAssignmentError(
                f"stratum {label!r}: {len(members)} target(s) need {t * len(members)} team places but its "
                f"{union} eligible inspector(s) give at most {places}; binding constraint: "
                f"workload cap {cap}",
                field="cap",
            )
    union_size, places = int(overall.sum()), int(capacity[overall].sum())
    if t * len(eligible) > places:
        raise InfeasibleAssignmentError(
            f"all strata: {t * len(eligible)} team places but {union_size} eligible inspectors give at most "
            f"{places}; binding constraint: workload cap {cap}",
            field="cap",
        )


def _draw_exact(bitgen, eligible, t, capacity, n_inspectors, max_attempts):
    for attempt in range(1, max_attempts + 1):
        load = np.zeros(n_inspectors, dtype=np.int64)
        teams = []
        for members in eligible:
            team = members[smallest_keys(bitgen.random_raw(members.size), t)]
            if capacity is not None:
                load[team] += 1
                if (load[team] > capacity[team]).any():
                    break  # the proposal is doomed; discarding it early does not change the law
            teams.append(team)
        else:
            return teams, attempt
    return None, max_attempts


def _draw_sequential(bitgen, eligible, t, capacity, n_inspectors, max_attempts):
    limit = capacity if capacity is not None else np.full(n_inspectors, np.iinfo(np.int64).max)
    for attempt in range(1, max_attempts + 1):
        order = np.argsort(bitgen.random_raw(len(eligible)), kind="stable")
        load = np.zeros(n_inspectors, dtype=np.int64)
        teams: list[np.ndarray | None] = [None] * len(eligible)
        for j in order:
            members = eligible[j]
            free = members[load[members] < limit[members]]
            if free.size < t:
                break
            team = free[smallest_keys(bitgen.random_raw(free.size), t)]
            load[team] += 1
            teams[j] = team
        else:
            return teams, attempt
    return None, max_attempts
