"""Small synthetic frames and inspector pools for the sampler tests (all seeded)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

REGIONS = ("BJ", "GD", "SH", "ZJ")
SCHEMES = ("QMS", "EMS", "EnMS")


def make_frame_table(units: int = 3000, *, seed: int = 7, institutions: int = 30) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "unit_id": np.arange(1, units + 1),
            "region": rng.choice(REGIONS, units, p=[0.1, 0.4, 0.3, 0.2]),
            "scheme": rng.choice(SCHEMES, units, p=[0.6, 0.3, 0.1]),
            "institution_id": rng.zipf(1.6, units) % institutions + 1,
            "risk_grade": rng.choice(["A", "B", "C"], units, p=[0.6, 0.3, 0.1]),
        }
    )


def make_pool(size: int = 120, *, seed: int = 11, institutions: int = 30) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(size):
        schemes = [s for s in SCHEMES if rng.random() < 0.6] or [SCHEMES[0]]
        ties = rng.choice(np.arange(1, institutions + 1), size=rng.integers(0, 3), replace=False)
        rows.append(
            {
                "inspector_id": 1000 + i,
                "region": REGIONS[i % len(REGIONS)],
                "agency": f"agency-{i % 7}",
                "schemes": ";".join(schemes),
                "active": bool(rng.random() < 0.9),
                "id_valid_until": str(np.datetime64("2026-06-01") + int(rng.integers(0, 900))),
                "affiliations": ";".join(str(int(t)) for t in ties),
            }
        )
    return pd.DataFrame(rows)


@pytest.fixture
def frame_table() -> pd.DataFrame:
    return make_frame_table()


@pytest.fixture
def pool() -> pd.DataFrame:
    return make_pool()
