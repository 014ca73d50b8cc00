"""Institution and approval queries on both engines against the hand-counted world."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from models import ApprovalApplication
from models.queries import institutions as q
from tests.models.test_queries_certificates import BJ, GD, ZJ, world  # noqa: F401  (fixture)


def test_pipeline_counts_every_stage(world):  # noqa: F811
    pipeline = q.approval_pipeline(world)
    assert list(pipeline["stage"]) == ["received", "accepted", "under_review", "decided"]
    assert list(pipeline["current"]) == [1, 1, 1, 5]
    assert list(pipeline["reached"]) == [8, 7, 6, 5]
    decided = pipeline.set_index("stage").loc["decided"]
    assert (decided["approved"], decided["rejected"]) == (4, 1)
    this_year = q.approval_pipeline(world, years=(2025, 2025))
    assert list(this_year["reached"]) == [5, 4, 3, 2]
    app = ApprovalApplication.__table__
    with world.connect() as connection:
        total = connection.execute(select(func.count()).select_from(app)).scalar_one()
    assert pipeline["reached"].iloc[0] == total


def test_applications_by_status_keeps_zero_rows(world):  # noqa: F811
    frame = q.applications_by_status(world, years=(2024, 2024))
    assert dict(zip(frame["status"], frame["n"], strict=True)) == {
        "received": 0,
        "accepted": 0,
        "under_review": 0,
        "approved": 1,
        "rejected": 1,
    }


def test_applications_by_type_and_province(world):  # noqa: F811
    frame = q.applications_by_type_province(world, years=(2024, 2025))
    counts = {(r.type, r.region_code): r.n for r in frame.itertuples()}
    assert counts == {
        ("establish", GD): 2,
        ("extend", GD): 1,
        ("change", ZJ): 1,
        ("renew", ZJ): 1,
        ("extend", BJ): 1,
        ("change", BJ): 1,
    }
    assert q.applications_by_type_province(world, types=["renew"])["n"].sum() == 1


def test_processing_days_medians_and_histogram(world):  # noqa: F811
    days = q.processing_days(world)
    assert dict(zip(days["id"], days["days"], strict=True)) == {1: 21, 2: 61, 3: 20, 4: 10, 8: 30}
    assert dict(zip(days["id"], days["month"], strict=True))[2] == "2024-08"
    medians = q.processing_median(days, by=["type"]).set_index("type")["median_days"].to_dict()
    assert medians == {"change": 20.0, "establish": 41.0, "extend": 20.0}
    histogram = q.processing_histogram(days, width=10)
    assert histogram["bin_start"].tolist() == [10, 20, 30, 40, 50, 60]
    assert histogram["n"].tolist() == [1, 2, 1, 0, 0, 1]
    assert q.processing_days(world, provinces=[ZJ])["id"].tolist() == [4]
    assert q.processing_histogram(q.processing_days(world, years=(2030, 2030))).empty


def test_institution_table(world):  # noqa: F811
    table = q.institution_table(world).set_index("id")
    assert table.loc[1, "schemes"] == "EMS;QMS"
    assert table.loc[2, "schemes"] == "EMS;OHSMS;QMS"
    assert table["certificates"].to_dict() == {1: 4, 2: 4, 3: 3}
    assert table["valid_certificates"].to_dict() == {1: 3, 2: 2, 3: 2}
    assert q.institution_table(world, search="机构2")["id"].tolist() == [2]
    assert q.institution_table(world, search=" 9111000010000000 3x ".replace(" ", ""))["id"].tolist() == [3]
    assert q.institution_table(world, search="cnca-r-2017-001")["id"].tolist() == [1]
    assert q.institution_table(world, schemes=["EMS"])["id"].tolist() == [1, 2]
    assert q.institution_table(world, statuses=["suspended"])["id"].tolist() == [3]
    assert q.institution_table(world, provinces=[GD], risk_grades=["C"])["id"].tolist() == [2]
    assert q.institution_table(world, search="nothing like this").empty


def test_institution_detail(world):  # noqa: F811
    certificates = q.institution_certificates(world, 1)
    assert [tuple(r) for r in certificates.itertuples(index=False)] == [
        ("EMS", "suspended", 1),
        ("EMS", "valid", 1),
        ("QMS", "valid", 2),
    ]
    history = q.institution_inspections(world, 2)
    assert history["year"].tolist() == [2025, 2024, 2024]
    assert history["outcome_code"].tolist()[:2] == ["violation", "violation"]
    assert history["outcome_code"].isna().tolist() == [False, False, True]
    assert history["findings"].tolist() == [1, 2, 0]
    assert q.institution_inspections(world, 3)["outcome_code"].tolist() == ["no_violation"]


def test_application_years(world, migrated_engine):  # noqa: F811
    assert q.application_years(world) == (2017, 2025)


@pytest.mark.parametrize("width", [1, 7])
def test_histogram_counts_add_up(world, width):  # noqa: F811
    days = q.processing_days(world)
    assert q.processing_histogram(days, width=width)["n"].sum() == len(days)
