"""The populations a seeded draw is made from, as the store's loaders give them, and its result tables."""

from __future__ import annotations

import numpy as np
import pandas as pd

from models.reference_data import PROVINCE_CODES, SCHEME_CODES
from seed import calibration as cal
from seed.certificates import Certificates
from seed.inspectors import Inspectors
from seed.institutions import Institutions


def certificate_frame(
    certs: Certificates, inst: Institutions, scheme: str, on: np.datetime64
) -> pd.DataFrame:
    """The scheme's certificates valid on ``on``, as `models.frames.load_certificate_frame` gives units."""
    rows = np.flatnonzero(
        (certs.scheme == SCHEME_CODES.index(scheme)) & (certs.issued <= on) & (certs.expires >= on)
    )
    institution = certs.institution[rows].astype(np.int64)
    return pd.DataFrame(
        {
            "unit_id": (rows + 1).astype(np.int64),
            "region": np.array(PROVINCE_CODES, dtype=object)[certs.region[rows]],
            "scheme": scheme,
            "institution_id": institution,
            "risk_grade": np.asarray(inst.risk_grade, dtype=object)[institution - 1],
        }
    )


def inspector_pool(insp: Inspectors, year: int, load: dict[int, int]) -> pd.DataFrame:
    """Inspectors registered by ``year`` as `models.frames.load_inspector_pool` gives them, with the
    teams each already serves on in ``year`` (``prior_load``). Before the current year everyone
    registered counts as active (the register keeps only today's flag)."""
    rows = np.flatnonzero(insp.registered_year <= year)
    ids = insp.id[rows].astype(np.int64)
    schemes = np.array(SCHEME_CODES, dtype=object)
    ties: dict[int, list[int]] = {}
    for inspector, institution in zip(
        insp.affiliation["inspector_id"].tolist(), insp.affiliation["institution_id"].tolist(), strict=True
    ):
        ties.setdefault(int(inspector), []).append(int(institution))
    active = insp.active[rows] if year == cal.AS_OF.year else np.ones(len(rows), dtype=bool)
    return pd.DataFrame(
        {
            "inspector_id": ids,
            "region": np.array(PROVINCE_CODES, dtype=object)[insp.region[rows]],
            "agency": [insp.agency[k] for k in rows.tolist()],
            "active": active.astype(bool),
            "id_valid_until": [d.item() for d in insp.id_valid_until[rows].astype("datetime64[D]")],
            "schemes": [";".join(sorted(schemes[insp.competent[k]])) for k in rows.tolist()],
            "affiliations": [";".join(str(t) for t in sorted(ties.get(int(i), []))) for i in ids.tolist()],
            "prior_load": [load.get(int(i), 0) for i in ids.tolist()],
        }
    )


def institution_frame(inst: Institutions, on: np.datetime64) -> pd.DataFrame:
    """Institutions in business on ``on`` as units (unit_id = institution id), with their risk grade."""
    rows = np.flatnonzero(inst.active_at(on))
    ids = inst.id[rows].astype(np.int64)
    return pd.DataFrame(
        {
            "unit_id": ids,
            "region": np.asarray(inst.region_code, dtype=object)[rows],
            "scheme": "QMS",
            "institution_id": ids,
            "risk_grade": np.asarray(inst.risk_grade, dtype=object)[rows],
        }
    )


def result_tables(record: dict, frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(targets, assignments) as `models.draw_records` writes them, from a sampler record."""
    units = pd.DataFrame(record["draw"]["units"])
    targets = units.merge(frame[["unit_id", "institution_id", "region", "scheme"]], on="unit_id", how="left")
    teams = pd.DataFrame(record["assignment"]["teams"])
    assignments = pd.DataFrame(
        {
            "unit_id": teams["unit_id"],
            "inspector_id": teams["inspector_id"],
            "role": ["lead" if slot == 1 else "member" for slot in teams["slot"]],
        }
    )
    return targets[["unit_id", "institution_id", "region", "scheme", "inclusion_probability"]], assignments
