"""The demo country matches the calibration targets within stated tolerances."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import text

from models.reference_data import PROVINCE_CODES
from models.vocabulary import FINDING_CATEGORIES
from seed import calibration as cal
from seed.applications import generate_applications
from seed.codes import credit_code_is_valid
from seed.dates import day
from seed.institutions import generate_institutions


def _frame(engine, sql: str) -> pd.DataFrame:
    with engine.connect() as connection:
        return pd.read_sql(text(sql), connection)


def test_row_counts_at_demo_scale(demo_engine):
    counts = {
        t: _frame(demo_engine, f'SELECT count(*) AS n FROM "{t}"').n[0]
        for t in ("certificate", "organisation", "institution", "inspector", "region", "drawtarget")
    }
    assert counts["certificate"] == 40_000
    assert 10_000 <= counts["organisation"] <= 13_000
    assert 250 <= counts["institution"] <= 350
    assert counts["inspector"] == 1_500
    assert counts["region"] == 31
    assert counts["drawtarget"] > 1_000


def test_scheme_mix_of_valid_certificates(demo_engine):
    """QMS/EMS/OHSMS shares within 2 points of the 2024-12 mix; they are the top three."""
    df = _frame(
        demo_engine, "SELECT scheme_code, count(*) AS n FROM certificate WHERE status='valid' GROUP BY 1"
    )
    share = df.set_index("scheme_code").n / df.n.sum()
    target_total = sum(cal.SCHEME_CERTIFICATES_2024.values())
    for code in ("QMS", "EMS", "OHSMS", "ISMS", "SVC"):
        expected = cal.SCHEME_CERTIFICATES_2024[code] / target_total
        assert share[code] == pytest.approx(expected, abs=0.02), code
    assert set(share.sort_values(ascending=False).index[:3]) == {"QMS", "EMS", "OHSMS"}
    assert set(share.index) >= {"BANK", "EnMS", "ISMS", "ITSMS", "MMS", "SVC"}


def test_province_concentration(demo_engine):
    """Guangdong, Zhejiang, Jiangsu lead with about 45% (±3 points); Shandong is fourth; all 31 present."""
    df = _frame(demo_engine, "SELECT region_code, count(*) AS n FROM certificate GROUP BY 1 ORDER BY 2 DESC")
    assert len(df) == 31
    assert set(df.region_code[:3]) == set(cal.TOP3_PROVINCES)
    assert df.region_code[3] == "370000"
    assert df.n[:3].sum() / df.n.sum() == pytest.approx(cal.TOP3_SHARE, abs=0.03)


def test_status_and_validity(demo_engine):
    df = _frame(demo_engine, "SELECT status, issued_on, expires_on FROM certificate")
    share = df.status.value_counts(normalize=True)
    assert share["valid"] > 0.6
    assert 0.15 < share["expired"] < 0.35
    assert 0.02 <= share["suspended"] <= 0.04
    assert 0.005 <= share["withdrawn"] <= 0.02
    issued, expires = pd.to_datetime(df.issued_on), pd.to_datetime(df.expires_on)
    assert ((issued + pd.DateOffset(years=3) - pd.Timedelta(days=1)) == expires).all()
    as_of = pd.Timestamp(cal.AS_OF)
    assert (df.status[expires < as_of] != "valid").all()
    assert (df.status[expires >= as_of] != "expired").all()
    assert issued.max() <= as_of


def test_certificate_issuers_are_approved_for_the_scheme(demo_engine):
    bad = _frame(
        demo_engine,
        """SELECT count(*) AS n FROM certificate c LEFT JOIN institutionscheme s
           ON s.institution_id = c.institution_id AND s.scheme_code = c.scheme_code
           WHERE s.institution_id IS NULL OR c.issued_on < s.approved_on""",
    ).n[0]
    assert bad == 0


def test_foreign_keys_and_summaries(demo_engine):
    with demo_engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
        summed = connection.execute(text("SELECT sum(n) FROM certificatecountbyregion")).scalar_one()
    assert summed == 40_000


@pytest.mark.parametrize("at", ["2017-12-31", "2021-06-30", "2024-12-31", "2026-10-31", "2027-02-28"])
def test_month_end_stocks_equal_the_certificates(demo_engine, at):
    # Valid on the day by the history: a valid span of the certificate covers it.
    standing = f"""id IN (SELECT certificate_id FROM certificateevent WHERE status = 'valid'
                   AND occurred_on <= '{at}' AND holds_until > '{at}')"""
    independent = _frame(
        demo_engine,
        f"""SELECT region_code, scheme_code, count(*) AS certificates,
                   count(DISTINCT organisation_id) AS organisations
            FROM certificate WHERE {standing} GROUP BY 1, 2 ORDER BY 1, 2""",
    )
    summary = _frame(
        demo_engine,
        f"""SELECT region_code, scheme_code, certificates, organisations FROM monthendstock
            WHERE month_end = '{at}' ORDER BY 1, 2""",
    )
    assert len(summary) > 0
    pd.testing.assert_frame_equal(summary, independent, check_dtype=False)
    holders = _frame(
        demo_engine, f"SELECT count(DISTINCT organisation_id) AS n FROM certificate WHERE {standing}"
    ).n[0]
    held = _frame(
        demo_engine, f"SELECT sum(organisations) AS n FROM monthendholding WHERE month_end = '{at}'"
    )
    assert held.n[0] == holders


def test_institution_growth_national_history():
    """391 in business at end-2017 (82 new that year), 481/596/724 after, ~1,261 in 2023, ~1,230 in 2024."""
    inst = generate_institutions(np.random.default_rng(1), 1.0)
    at_end = {y: int(inst.active_at(day(f"{y}-12-31")).sum()) for y in range(2016, 2026)}
    for year, target in cal.INSTITUTIONS_AT_YEAR_END.items():
        assert at_end[year] == target, year
    new_2017 = ((inst.approved_on >= day("2017-01-01")) & (inst.approved_on <= day("2017-12-31"))).sum()
    assert new_2017 == 82
    assert all(credit_code_is_valid(code) for code in inst.credit_code)


def test_institution_growth_demo(demo_engine):
    df = _frame(demo_engine, "SELECT approved_on FROM institution")
    approved = pd.to_datetime(df.approved_on)
    cumulative = [int((approved <= pd.Timestamp(f"{y}-12-31")).sum()) for y in range(2017, 2026)]
    assert cumulative == sorted(cumulative) and cumulative[-1] > 2.5 * cumulative[0]
    grades = _frame(demo_engine, "SELECT risk_grade, count(*) AS n FROM institution GROUP BY 1")
    assert set(grades.risk_grade) == {"A", "B", "C", "D"}


def test_online_approval_system_first_year():
    """700+ applications from 2017-04-01 to the end of 2017, none before; the pipeline is consistent."""
    inst = generate_institutions(np.random.default_rng(1), 1.0)
    apps = pd.DataFrame(generate_applications(np.random.default_rng(2), inst))
    submitted = pd.to_datetime(apps.submitted_on)
    assert submitted.min() >= pd.Timestamp(cal.ONLINE_APPROVAL_START)
    assert (submitted <= pd.Timestamp("2017-12-31")).sum() >= cal.APPLICATIONS_FIRST_YEAR_MIN
    assert set(apps.type) == {"establish", "change", "extend", "renew", "cancel"}
    assert set(apps.status) == {"received", "accepted", "under_review", "approved", "rejected"}
    decided = apps[apps.status.isin(["approved", "rejected"])]
    assert (pd.to_datetime(decided.decided_on) >= pd.to_datetime(decided.accepted_on)).all()
    assert apps[apps.status == "received"].accepted_on.isna().all()
    assert apps[~apps.status.isin(["approved", "rejected"])].decided_on.isna().all()
    days = (pd.to_datetime(decided.decided_on) - submitted[decided.index]).dt.days
    assert days.between(5, 100).all()


def test_inspector_registry(demo_engine):
    df = _frame(
        demo_engine, "SELECT enforcement_id, id_valid_until, agency, active, region_code FROM inspector"
    )
    assert df.enforcement_id.is_unique
    valid_until = pd.to_datetime(df.id_valid_until)
    as_of = pd.Timestamp(cal.AS_OF)
    assert 0.05 < (valid_until < as_of).mean() < 0.2
    assert ((valid_until >= as_of) & (valid_until <= as_of + pd.Timedelta(days=90))).mean() > 0.03
    assert 0.04 < (~df.active.astype(bool)).mean() < 0.15
    assert df.region_code.nunique() == 31
    assert (df.agency == "广东省市场监督管理局").any()
    year = df.enforcement_id.str.extract(r"执(\d{4})")[0].astype(int)
    assert (year <= 2017).sum() == round(1_500 * cal.INSPECTORS_BY_2017 / cal.INSPECTORS_NATIONAL)


def test_teams_of_about_two_competent_unconflicted_inspectors(demo_engine):
    teams = _frame(demo_engine, "SELECT target_id, count(*) AS n FROM assignment GROUP BY 1")
    assert 1.95 <= teams.n.mean() <= 2.2
    assert teams.n.min() >= 2
    conflicts = _frame(
        demo_engine,
        """SELECT count(*) AS n FROM assignment a JOIN drawtarget t ON t.id = a.target_id
           JOIN inspectoraffiliation f
             ON f.inspector_id = a.inspector_id AND f.institution_id = t.institution_id""",
    ).n[0]
    assert conflicts == 0
    incompetent = _frame(
        demo_engine,
        """SELECT count(*) AS n FROM assignment a JOIN drawtarget t ON t.id = a.target_id
           LEFT JOIN inspectorscheme s ON s.inspector_id = a.inspector_id AND s.scheme_code = t.scheme_code
           WHERE s.inspector_id IS NULL""",
    ).n[0]
    assert incompetent == 0
    leads = _frame(demo_engine, "SELECT count(*) AS n FROM assignment WHERE role = 'lead'").n[0]
    assert leads == len(teams)


def test_campaigns_cover_every_year_with_published_outcomes(demo_engine):
    df = _frame(demo_engine, "SELECT year, status, unit_type, scheme_code FROM campaign")
    assert set(range(2017, 2027)) <= set(df.year)
    assert {"published", "planned", "assigned"} <= set(df.status)  # drawn and assigned together (lottery)
    assert {"certificate", "institution"} == set(df.unit_type)
    per_year = _frame(
        demo_engine,
        """SELECT c.year, count(*) AS n FROM drawtarget t JOIN draw d ON d.id = t.draw_id
           JOIN campaign c ON c.id = d.campaign_id WHERE c.scheme_code = 'QMS' GROUP BY 1""",
    )
    assert (per_year.n >= 50).all()
    outcomes = _frame(demo_engine, "SELECT outcome_code, follow_up FROM inspectionoutcome")
    assert set(outcomes.outcome_code) >= {"no_violation", "violation", "not_found"}
    assert (outcomes.follow_up[outcomes.outcome_code == "no_violation"] == "none").all()
    findings = _frame(demo_engine, "SELECT DISTINCT category FROM finding")
    assert set(findings.category) <= set(FINDING_CATEGORIES)
    assert len(findings) >= 8
    probabilities = _frame(demo_engine, "SELECT inclusion_probability AS p FROM drawtarget").p
    assert probabilities.between(0, 1, inclusive="right").all()


def test_targets_were_valid_when_drawn(demo_engine):
    stale = _frame(
        demo_engine,
        """SELECT count(*) AS n FROM drawtarget t JOIN draw d ON d.id = t.draw_id
           JOIN certificate c ON c.id = t.certificate_id
           WHERE c.issued_on > date(d.drawn_at) OR c.expires_on < date(d.drawn_at)""",
    ).n[0]
    assert stale == 0


def test_bad_actors_are_found_out_more_often(demo_dataset, demo_engine):
    """Violation rate of bad-actor institutions is at least twice that of the others."""
    merged = _frame(
        demo_engine,
        """SELECT o.outcome_code, t.institution_id
           FROM inspectionoutcome o JOIN drawtarget t ON t.id = o.target_id""",
    )
    merged["bad"] = demo_dataset.institutions.bad_actor[merged.institution_id.to_numpy() - 1]
    rate = merged.groupby("bad").outcome_code.apply(lambda s: (s == "violation").mean())
    assert rate[True] > 2 * rate[False]
    assert rate[True] > 0.3 and rate[False] < 0.15


def test_risk_grade_d_violates_more_than_a(demo_engine):
    df = _frame(
        demo_engine,
        """SELECT i.risk_grade, o.outcome_code FROM inspectionoutcome o
           JOIN drawtarget t ON t.id = o.target_id JOIN institution i ON i.id = t.institution_id""",
    )
    rate = df.groupby("risk_grade").outcome_code.apply(lambda s: (s == "violation").mean())
    assert rate["D"] > 2 * rate["A"]


def test_bank_branch_line_leaders():
    """Bank-branch certificates: Fujian, Zhejiang, Xinjiang, Beijing lead (checked on 400 rows)."""
    from seed.certificates import generate_certificates

    inst = generate_institutions(np.random.default_rng(1), 1.0)
    _orgs, certs = generate_certificates(np.random.default_rng(2), 400_000, inst)
    bank = certs.region[certs.scheme == 9]
    counts = np.bincount(bank, minlength=31)
    top4 = {PROVINCE_CODES[i] for i in np.argsort(counts)[::-1][:4]}
    assert top4 == {"350000", "330000", "650000", "110000"}
    assert len(bank) == 400


def test_organisation_credit_codes(demo_engine):
    df = _frame(demo_engine, "SELECT credit_code, region_code, industry, name FROM organisation")
    assert df.credit_code.is_unique
    assert df.credit_code.map(credit_code_is_valid).all()
    assert (df.credit_code.str[2:4] == df.region_code.str[:2]).all()
    assert (df.industry == "金融业").any()
    assert df.name.str.endswith("公司").mean() > 0.95
