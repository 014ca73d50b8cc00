"""Monte Carlo over replications of a whole plan, vectorised over replications (no loop over units)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sampler.allocate import Allocation
from sampler.assign import assign_inspectors
from sampler.draw import _sizes
from sampler.errors import InfeasibleAssignmentError, SamplerError, check_int
from sampler.frame import Frame
from sampler.power import bad_counts
from sampler.streams import derive_bit_generator

__all__ = ["SimulationResult", "simulate_detections", "simulate_plan", "srswor_positions"]


@dataclass(frozen=True, eq=False)
class SimulationResult:
    """Monte Carlo summary of a plan.

    Attributes
    ----------
    replications : int
    seed : int
    strata : pandas.DataFrame
        Per stratum: ``N``, ``n``, ``bad``, ``p_detect`` (share of replications with at least one bad
        unit drawn), ``p_detect_se`` (its binomial standard error), ``mean_detections``.
    detections : numpy.ndarray
        Bad units drawn per replication and stratum, shape (replications, strata).
    p_detect_any, p_detect_any_se : float
        Share of replications detecting at least one bad unit anywhere, and its standard error.
    institutions_covered : numpy.ndarray or None
        Institutions with at least one unit drawn, per replication.
    institution_coverage : pandas.Series or None
        Per institution, the share of replications in which it had a unit drawn.
    workload : pandas.Series or None
        Distribution of teams per inspector pooled over the assignment replications
        (index: teams 0, 1, 2 ...; values: share of inspector-replications).
    max_workload : numpy.ndarray or None
        Largest workload per feasible assignment replication.
    infeasible_rate : float or None
        Share of assignment replications whose assignment was proven infeasible.
    unresolved_rate : float or None
        Share where a feasible but very tight cap defeated ``max_attempts`` (no teams drawn).
    assignment_replications : int
        Replications that also ran the inspector assignment.
    """

    replications: int
    seed: int
    strata: pd.DataFrame
    detections: np.ndarray
    p_detect_any: float
    p_detect_any_se: float
    institutions_covered: np.ndarray | None = None
    institution_coverage: pd.Series | None = None
    workload: pd.Series | None = None
    max_workload: np.ndarray | None = None
    infeasible_rate: float | None = None
    unresolved_rate: float | None = None
    assignment_replications: int = 0


def _summary(detections: np.ndarray, N, n, K, labels, R: int, seed: int, **extra: Any) -> SimulationResult:
    hit = detections > 0
    p = hit.mean(axis=0)
    table = pd.DataFrame(
        {
            "N": N,
            "n": n,
            "bad": K,
            "p_detect": p,
            "p_detect_se": np.sqrt(p * (1 - p) / R),
            "mean_detections": detections.mean(axis=0),
        },
        index=pd.Index(labels, name="stratum"),
    )
    any_hit = hit.any(axis=1).mean()
    return SimulationResult(
        replications=R,
        seed=seed,
        strata=table,
        detections=detections,
        p_detect_any=float(any_hit),
        p_detect_any_se=float(np.sqrt(any_hit * (1 - any_hit) / R)),
        **extra,
    )


def simulate_detections(*, population, sample, bad, replications: int, seed: int) -> SimulationResult:
    """Detections per stratum over R replications from hypergeometric counts (no unit-level work).

    Parameters
    ----------
    population, sample, bad : mapping or pandas.Series
        N_h, n_h and K_h per stratum label.
    replications : int
        R.
    seed : int

    Returns
    -------
    SimulationResult
    """
    R = check_int(replications, "replications", minimum=1)
    seed = check_int(seed, "seed")
    N = pd.Series(population, dtype=np.int64)
    labels = N.index.astype(str)
    n = pd.Series(sample, dtype=np.int64).set_axis(pd.Series(sample).index.astype(str)).reindex(labels)
    K = pd.Series(bad, dtype=np.int64).set_axis(pd.Series(bad).index.astype(str)).reindex(labels)
    if n.isna().any() or K.isna().any():
        raise SamplerError("sample and bad must give a value for every stratum", field="sample")
    Nv, nv, Kv = N.to_numpy(), n.to_numpy(dtype=np.int64), K.to_numpy(dtype=np.int64)
    if np.any(nv > Nv) or np.any(Kv > Nv) or np.any(nv < 0) or np.any(Kv < 0):
        raise SamplerError("need 0 <= n_h <= N_h and 0 <= K_h <= N_h", field="sample")
    rng = np.random.Generator(derive_bit_generator(seed=seed, purpose="simulate-counts"))
    detections = rng.hypergeometric(Kv, Nv - Kv, nv, size=(R, len(Nv))) if len(Nv) else np.zeros((R, 0))
    return _summary(detections, Nv, nv, Kv, list(labels), R, seed)


def srswor_positions(rng: np.random.Generator, population: int, n: int, replications: int) -> np.ndarray:
    """R independent simple random samples of n positions out of range(N), shape (R, n), rows sorted.

    Sparse samples draw with replacement and redraw duplicates until every row is distinct (the
    result is uniform over n-subsets because the procedure treats all labels alike); dense samples
    (n > N/2) keep the n smallest of N uniform keys per row, in row chunks.
    """
    if n == 0:
        return np.zeros((replications, 0), dtype=np.int64)
    if n == population:
        return np.tile(np.arange(population, dtype=np.int64), (replications, 1))
    if 2 * n > population:
        out = np.empty((replications, n), dtype=np.int64)
        step = max(1, 4_000_000 // population)
        for start in range(0, replications, step):
            keys = rng.random((min(step, replications - start), population))
            out[start : start + keys.shape[0]] = np.sort(np.argpartition(keys, n - 1, axis=1)[:, :n], axis=1)
        return out
    positions = np.sort(rng.integers(0, population, size=(replications, n)), axis=1)
    rows = np.arange(replications)
    while True:
        block = positions[rows]
        duplicate = np.zeros(block.shape, dtype=bool)
        duplicate[:, 1:] = block[:, 1:] == block[:, :-1]
        bad_rows = duplicate.any(axis=1)
        if not bad_rows.any():
            return positions
        rows, block, duplicate = rows[bad_rows], block[bad_rows], duplicate[bad_rows]
        block[duplicate] = rng.integers(0, population, size=int(duplicate.sum()))
        positions[rows] = np.sort(block, axis=1)


def simulate_plan(
    frame: Frame,
    allocation: Allocation | pd.Series | Mapping[str, int],
    *,
    replications: int,
    seed: int,
    rates=None,
    bad=None,
    bad_column: str | None = None,
    institution: str | None = "institution_id",
    pool: pd.DataFrame | None = None,
    assignment: Mapping[str, Any] | None = None,
    assignment_replications: int = 0,
) -> SimulationResult:
    """Replicate the whole plan R times: detections, institution coverage, assignment outcomes.

    Parameters
    ----------
    frame : Frame
        The sampling frame.
    allocation : Allocation or mapping
        n_h per stratum.
    replications : int
        R.
    seed : int
        Seed of the simulation (separate from any live draw's seed).
    rates, bad : float or mapping, optional
        Assumed non-conformity per stratum; the bad units are placed at random positions within each
        stratum once (one scenario) and every replication draws against them.
    bad_column : str, optional
        Instead of rates/bad: a boolean frame column marking the bad units.
    institution : str or None
        Frame column for institution coverage (None skips coverage).
    pool : pandas.DataFrame, optional
        Inspector pool; with ``assignment`` options (keywords of `assign_inspectors` except seed)
        the first ``assignment_replications`` replications also assign teams.
    assignment_replications : int
        How many replications run the (costlier) team assignment.

    Returns
    -------
    SimulationResult

    Notes
    -----
    Each replication draws n_h distinct positions per stratum for all R replications at once (see
    `srswor_positions`); Python loops run over strata (and over the assignment replications), never
    over units.
    """
    R = check_int(replications, "replications", minimum=1)
    seed = check_int(seed, "seed")
    A = check_int(assignment_replications, "assignment_replications")
    if A > R:
        raise SamplerError(
            "assignment_replications cannot exceed replications", field="assignment_replications"
        )
    if A and (pool is None or assignment is None):
        raise SamplerError("assignment replications need a pool and assignment options", field="pool")
    sizes = _sizes(frame, allocation)
    population = frame.stratum_sizes()
    rng = np.random.Generator(derive_bit_generator(seed=seed, purpose="simulate", frame=frame.content_hash))
    order, bounds = frame.canonical_order, frame.stratum_bounds
    if bad_column is not None:
        if rates is not None or bad is not None:
            raise SamplerError("give bad_column or rates/bad, not both", field="bad_column")
        if bad_column not in frame.data.columns:
            raise SamplerError(f"frame has no column {bad_column!r}", field="bad_column")
        flags = frame.data[bad_column].to_numpy(dtype=bool)[order]
    else:
        K = bad_counts(population, rates=rates, bad=bad).to_numpy()
        flags = np.zeros(len(frame), dtype=bool)
        for h in range(len(population)):
            start, stop = int(bounds[h]), int(bounds[h + 1])
            flags[start + srswor_positions(rng, stop - start, int(K[h]), 1)[0]] = True
    K = np.add.reduceat(flags.astype(np.int64), bounds[:-1]) if len(frame) else np.zeros(0)
    if institution is not None:
        if institution not in frame.data.columns:
            raise SamplerError(f"frame has no column {institution!r}", field="institution")
        codes, names = pd.factorize(frame.data[institution], sort=True)
        inst = codes[order]
        covered = np.zeros((R, len(names)), dtype=bool)
        flat_covered = covered.reshape(-1)
        row_offsets = (np.arange(R, dtype=np.int64) * len(names))[:, None]
    detections = np.zeros((R, len(population)), dtype=np.int64)
    kept: list[list[np.ndarray]] = [[] for _ in range(A)]
    nv = sizes.to_numpy()
    for h in range(len(population)):
        if nv[h] == 0:
            continue
        start, stop = int(bounds[h]), int(bounds[h + 1])
        positions = srswor_positions(rng, stop - start, int(nv[h]), R)
        detections[:, h] = np.count_nonzero(flags[start:stop][positions], axis=1)
        if institution is not None:
            flat_covered[(row_offsets + inst[start:stop][positions]).ravel()] = True
        for r in range(A):
            kept[r].append(order[start + positions[r]])
    extra: dict[str, Any] = {}
    if institution is not None:
        extra["institutions_covered"] = covered.sum(axis=1)
        extra["institution_coverage"] = pd.Series(
            covered.mean(axis=0), index=pd.Index(names, name=institution), name="coverage"
        )
    if A:
        extra.update(_simulate_assignment(frame, kept, pool, dict(assignment), seed))
    return _summary(detections, population.to_numpy(), nv, K, list(population.index), R, seed, **extra)


def _simulate_assignment(frame: Frame, kept, pool, options, seed) -> dict[str, Any]:
    labels = frame.stratum_of_unit
    loads: list[np.ndarray] = []
    maxima: list[int] = []
    infeasible = unresolved = 0
    pool_size = len(pool)
    for r, parts in enumerate(kept):
        rows = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
        targets = frame.data.iloc[rows].copy()
        targets["stratum"] = labels.iloc[rows].to_numpy()
        try:
            result = assign_inspectors(targets, pool, seed=seed * 1_000_003 + r, **options)
        except InfeasibleAssignmentError:
            infeasible += 1
            continue
        except SamplerError as error:
            if error.field != "max_attempts":
                raise
            unresolved += 1
            continue
        load = np.zeros(pool_size, dtype=np.int64)
        load[: len(result.workload)] = np.sort(result.workload.to_numpy())[::-1]
        loads.append(load)
        maxima.append(int(result.workload.max()))
    distribution = None
    if loads:
        pooled = np.concatenate(loads)
        counts = np.bincount(pooled)
        distribution = pd.Series(counts / counts.sum(), name="share").rename_axis("teams")
    return {
        "workload": distribution,
        "max_workload": np.asarray(maxima, dtype=np.int64),
        "infeasible_rate": infeasible / len(kept),
        "unresolved_rate": unresolved / len(kept),
        "assignment_replications": len(kept),
    }
