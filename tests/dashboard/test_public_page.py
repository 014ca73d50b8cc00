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
