"""Published results page: only published campaigns, figures equal to SQL, in both languages."""

from __future__ import annotations

import pytest

from tests.dashboard.conftest import metric_values


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_lists_published_campaigns_only_and_counts_match_sql(open_page, sql, lang):
    at = open_page("public", lang=lang)
    picker = at.selectbox(key="pub_pick")
    published = sql("SELECT count(*) FROM campaign WHERE status = 'published'")
    assert len(picker.options) == published > 0
    campaign_id = picker.value
    assert sql("SELECT count(*) FROM campaign WHERE id = :c AND status = 'published'", c=campaign_id) == 1
    targets = sql(
        "SELECT count(*) FROM drawtarget t JOIN draw d ON d.id = t.draw_id WHERE d.campaign_id = :c",
        c=campaign_id,
    )
    violations = sql(
        "SELECT count(*) FROM inspectionoutcome o JOIN drawtarget t ON t.id = o.target_id "
        "JOIN draw d ON d.id = t.draw_id WHERE d.campaign_id = :c AND o.outcome_code = 'violation'",
        c=campaign_id,
    )
    shown = list(metric_values(at).values())
    assert shown[:2] == [f"{targets:,}", f"{violations:,}"]


def test_seeded_certificate_and_institution_campaigns_both_offer_their_records(open_page, demo_database_url):
    from sqlalchemy import text

    from models.db import make_engine

    engine = make_engine(demo_database_url)
    with engine.connect() as connection:
        certificate, institution = (
            connection.execute(
                text("SELECT max(id) FROM campaign WHERE status = 'published' AND unit_type = :kind"),
                {"kind": kind},
            ).scalar_one()
            for kind in ("certificate", "institution")
        )
    engine.dispose()
    at = open_page("public", lang="en")
    at.selectbox(key="pub_pick").set_value(certificate).run()
    assert [b for b in at.get("download_button") if b.key == "pub_audit_download"]  # drawn by the lottery
    at.selectbox(key="pub_pick").set_value(institution).run()  # drawn by the lottery too
    assert [b for b in at.get("download_button") if b.key == "pub_audit_download"]
    assert not any("cannot be re-derived and verified" in info.value for info in at.info)


def test_a_published_live_draw_offers_the_verifiable_record(demo_database_url, tmp_path, monkeypatch):
    """The download is the record models.draw_record_export rebuilds (verified in tests/cli)."""
    import datetime as dt
    import shutil

    from sqlalchemy import text
    from streamlit.testing.v1 import AppTest

    from dashboard import planner
    from models.db import make_engine
    from models.frames import load_certificate_frame, load_inspector_pool
    from models.queries.planning import stratum_population
    from tests.dashboard.conftest import APP
    from tests.support.actors import PLANNER
    from tests.support.apptest import sign_in

    target = tmp_path / "public.db"
    shutil.copyfile(demo_database_url.removeprefix("sqlite:///"), target)
    url = f"sqlite:///{target}"
    monkeypatch.setenv("REGDASH_DATABASE_URL", url)
    engine = make_engine(url)
    population = stratum_population(engine, schemes=("EnMS",))
    quotas = population.assign(n=(population["N"] == population["N"].max()).astype(int))
    live = planner.live_draw(
        load_certificate_frame(engine, schemes=("EnMS",)),
        load_inspector_pool(engine),
        quotas,
        seed=5,
        inspection_date=dt.date(2026, 12, 1),
        team_size=2,
        cap=2,
        cross_region=False,
        frame_source={"schemes": ("EnMS",)},
    )
    draw_id = planner.commit_live_draw(
        engine, live, campaign_name="公示测试", year=2030, scheme="EnMS", actor=PLANNER
    )
    with engine.begin() as connection:
        campaign_id = connection.execute(
            text("SELECT campaign_id FROM draw WHERE id = :d"), {"d": draw_id}
        ).scalar_one()
        connection.execute(
            text("UPDATE campaign SET status = 'published', published_on = '2030-06-01' WHERE id = :c"),
            {"c": campaign_id},
        )
    engine.dispose()
    at = sign_in(AppTest.from_file(APP, default_timeout=120), None)
    at.query_params["lang"] = "en"
    at.run()
    at.switch_page("dashboard/pages/public.py").run()
    at.selectbox(key="pub_pick").set_value(campaign_id).run()
    assert not at.exception, [e.value for e in at.exception]
    assert [b for b in at.get("download_button") if b.key == "pub_audit_download"]
    assert any("regdash verify --record FILE --database-url URL" in c.value for c in at.caption)
