"""National scale: a reduced run in CI (fraction 0.02), the full one with REGDASH_NATIONAL=1."""

from __future__ import annotations

import os

import pandas as pd
import pytest
from sqlalchemy import text

from models.db import make_engine
from seed import calibration as cal
from seed.build import seed_database

FULL = os.environ.get("REGDASH_NATIONAL") == "1"
FRACTION = 1.0 if FULL else 0.02


@pytest.mark.national
@pytest.mark.slow
def test_national_scale(tmp_path):
    url = f"sqlite:///{tmp_path / 'national.db'}"
    report = seed_database(url, scale="national", seed=2024, fraction=FRACTION)
    expected_certificates = round(cal.SCALES["national"].certificates * FRACTION)
    assert report.rows["certificate"] == expected_certificates
    # About 1.1 million organisations at full scale (3.6 certificates each).
    assert report.rows["organisation"] == pytest.approx(1_100_000 * FRACTION, rel=0.05)
    assert report.rows["institution"] == 1_510  # every body ever approved; 1,244 still in business
    assert report.rows["inspector"] == cal.INSPECTORS_NATIONAL
    if FULL:
        assert report.seconds < 600

    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            approved = pd.read_sql(text("SELECT approved_on, status FROM institution"), connection)
            ids = pd.read_sql(text("SELECT enforcement_id FROM inspector"), connection).enforcement_id
            regions = pd.read_sql(
                text("SELECT region_code, count(*) AS n FROM certificate GROUP BY 1 ORDER BY 2 DESC"),
                connection,
            )
            qms_targets = pd.read_sql(
                text(
                    """SELECT c.year, count(*) AS n FROM drawtarget t JOIN draw d ON d.id = t.draw_id
                       JOIN campaign c ON c.id = d.campaign_id WHERE c.scheme_code = 'QMS' GROUP BY 1"""
                ),
                connection,
            )
    finally:
        engine.dispose()
    assert (approved.status != "cancelled").sum() == 1_244
    assert (pd.to_datetime(approved.approved_on).dt.year == 2017).sum() == 82
    assert (ids.str.extract(r"执(\d{4})")[0].astype(int) <= 2017).sum() == cal.INSPECTORS_BY_2017
    assert set(regions.region_code[:3]) == set(cal.TOP3_PROVINCES)
    assert regions.n[:3].sum() / regions.n.sum() == pytest.approx(cal.TOP3_SHARE, abs=0.03)
    if FULL:
        # The briefing's QMS draw: 1,000 certification results a year nationally.
        assert (qms_targets.n[qms_targets.year >= 2023] == 1_000).all()
