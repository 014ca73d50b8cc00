"""Draw targets: stratified simple random sampling without replacement, reproducible anywhere."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sampler.allocate import Allocation
from sampler.errors import SamplerError, check_int
from sampler.frame import Frame
from sampler.streams import derive_bit_generator, seed_digest, smallest_keys

__all__ = ["DRAW_ALGORITHM", "Draw", "draw_parameters", "draw_sample"]

#: Version tag of the draw algorithm; part of the parameters, so a changed algorithm cannot
#: silently reproduce a different draw under an old record.
DRAW_ALGORITHM = "regdash-srswor-pcg64-keys-v1"


@dataclass(frozen=True, eq=False)
class Draw:
    """A stratified random draw.

    Attributes
    ----------
    units : pandas.DataFrame
        The drawn frame rows in canonical order (stratum, unit id), with added columns ``stratum``
        and ``inclusion_probability`` (n_h / N_h).
    frame_hash : str
        Content hash of the frame drawn from.
    seed : int
        The user's seed.
    params : dict
        Canonical parameters: algorithm, strata keys, n_h per stratum.
    stream : str
        SHA-256 hex that seeded the random stream (frame hash, params, seed).
    id_column : str
        Name of the unit id column.
    """

    units: pd.DataFrame
    frame_hash: str
    seed: int
    params: dict[str, Any] = field(repr=False)
    stream: str
    id_column: str = "unit_id"

    @property
    def unit_ids(self) -> list:
        """Drawn unit ids in canonical order."""
        return self.units[self.id_column].tolist()


def _sizes(frame: Frame, sizes: Allocation | pd.Series | Mapping[str, int]) -> pd.Series:
    if isinstance(sizes, Allocation):
        sizes = sizes.sizes
    series = pd.Series(dict(sizes) if not isinstance(sizes, pd.Series) else sizes)
    series.index = series.index.astype(str)
    labels = frame.stratum_labels
    unknown = sorted(set(series.index) - set(labels))
    if unknown:
        raise SamplerError(
            f"sample sizes name strata not in the frame: {', '.join(unknown[:5])}", field="sizes"
        )
    counts = frame.stratum_sizes()
    values = []
    for label in labels:
        value = check_int(series.get(label, 0), f"sizes[{label!r}]")
        if value > counts[label]:
            raise SamplerError(
                f"stratum {label!r}: n_h = {value} exceeds its population N_h = {counts[label]}",
                field="sizes",
            )
        values.append(value)
    return pd.Series(values, index=pd.Index(labels, name="stratum"), name="n", dtype=np.int64)


def draw_parameters(frame: Frame, sizes: Allocation | pd.Series | Mapping[str, int]) -> dict[str, Any]:
    """The canonical parameters a draw is reproduced from (strata with n_h = 0 are left out)."""
    return _parameters(frame, _sizes(frame, sizes))


def _parameters(frame: Frame, series: pd.Series) -> dict[str, Any]:
    return {
        "algorithm": DRAW_ALGORITHM,
        "strata": list(frame.strata),
        "unit_id": frame.unit_id,
        "sizes": {label: int(v) for label, v in series.items() if v > 0},
    }


def draw_sample(frame: Frame, sizes: Allocation | pd.Series | Mapping[str, int], *, seed: int) -> Draw:
    """Draw n_h units without replacement from every stratum of ``frame``.

    Parameters
    ----------
    frame : Frame
        The sampling frame.
    sizes : Allocation or mapping
        n_h per stratum label; strata not named get 0.
    seed : int
        Non-negative seed. The same (frame content, sizes, seed) give the same draw on any machine,
        whatever the row order of the frame.

    Returns
    -------
    Draw

    Notes
    -----
    Units are put in canonical order (stratum label, then unit id). A PCG64 stream is seeded from
    SHA-256(frame hash, canonical parameters, seed) (see `sampler.streams`). Strata are visited in
    label order; each stratum with n_h > 0 takes N_h raw 64-bit numbers from the stream, one per unit
    in canonical order, and keeps the n_h units with the smallest numbers - a simple random sample
    without replacement. Each drawn unit's inclusion probability is n_h / N_h.
    """
    seed = check_int(seed, "seed")
    series = _sizes(frame, sizes)
    params = _parameters(frame, series)
    stream = seed_digest(seed=seed, purpose="draw", frame=frame.content_hash, params=params)
    bitgen = derive_bit_generator(seed=seed, purpose="draw", frame=frame.content_hash, params=params)
    order, bounds = frame.canonical_order, frame.stratum_bounds
    chosen: list[np.ndarray] = []
    probability: list[np.ndarray] = []
    labels: list[np.ndarray] = []
    for h, label in enumerate(frame.stratum_labels):
        n_h = int(series.iloc[h])
        if n_h == 0:
            continue
        start, stop = int(bounds[h]), int(bounds[h + 1])
        keys = bitgen.random_raw(stop - start)
        picked = smallest_keys(keys, n_h)
        chosen.append(order[start + picked])
        probability.append(np.full(n_h, n_h / (stop - start)))
        labels.append(np.full(n_h, label, dtype=object))
    rows = np.concatenate(chosen) if chosen else np.zeros(0, dtype=np.int64)
    units = frame.data.iloc[rows].reset_index(drop=True).copy()
    units["stratum"] = np.concatenate(labels) if labels else np.zeros(0, dtype=object)
    units["inclusion_probability"] = np.concatenate(probability) if probability else np.zeros(0)
    return Draw(
        units=units,
        frame_hash=frame.content_hash,
        seed=seed,
        params=params,
        stream=stream,
        id_column=frame.unit_id,
    )
