"""Reproducible random streams: seeded from a SHA-256 of what the draw is about.

Every random act of the live draw uses only the raw 64-bit output of PCG64 (whose stream numpy keeps
stable across versions) seeded by ``SeedSequence`` (also stable) from a SHA-256 over the frame hash,
the canonical JSON of the parameters, the user's seed and a purpose tag. Selection from those raw
numbers is our own code, so a result does not depend on numpy's ``Generator`` algorithms, which
numpy does not promise to keep the same between versions.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import numpy as np

from sampler.errors import MAX_SEED, SamplerError, check_int

__all__ = ["canonical_json", "derive_bit_generator", "seed_digest", "smallest_keys"]


def canonical_json(value: Any) -> str:
    """JSON with sorted keys and no spaces: the canonical text of parameters."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def seed_digest(*, seed: int, purpose: str, **context: Any) -> str:
    """SHA-256 hex of (purpose, context, seed); identical inputs give identical digests anywhere."""
    seed = check_int(seed, "seed", maximum=MAX_SEED)
    payload = canonical_json({"purpose": purpose, "context": context, "seed": seed})
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def derive_bit_generator(*, seed: int, purpose: str, **context: Any) -> np.random.PCG64:
    """A PCG64 bit generator seeded from `seed_digest` of the arguments."""
    if not isinstance(purpose, str) or not purpose:
        raise SamplerError("a random stream needs a purpose tag", field="purpose")
    digest = seed_digest(seed=seed, purpose=purpose, **context)
    return np.random.PCG64(np.random.SeedSequence(int(digest, 16)))


def smallest_keys(keys: np.ndarray, k: int) -> np.ndarray:
    """Positions of the k smallest keys, ties broken by position; returned in ascending position.

    Giving every candidate an independent uniform 64-bit key and keeping the k smallest is a simple
    random sample of size k without replacement (all k-subsets equally likely, up to 64-bit ties,
    which are broken deterministically).
    """
    size = keys.shape[0]
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    if k >= size:
        return np.arange(size, dtype=np.int64)
    threshold = np.partition(keys, k - 1)[k - 1]
    below = np.flatnonzero(keys < threshold)
    ties = np.flatnonzero(keys == threshold)[: k - below.size]
    return np.sort(np.concatenate([below, ties]))
