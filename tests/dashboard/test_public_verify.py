"""The public page's "verify this draw" (验证本次抽取) in AppTest, signed out: a published campaign's
bundle, built from the store at the click, matches; after a draw target is changed behind the app's
back the same click lists the difference. Both languages; the chain head is shown."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from streamlit.testing.v1 import AppTest

from models.db import make_engine
from tests.dashboard.conftest import APP
from tests.support.apptest import sign_in
from tests.support.bundles import commit_small_draw, small_store


@pytest.fixture
def published(tmp_path, monkeypatch) -> tuple[str, int]:
    url = f"sqlite:///{tmp_path / 'public.db'}"
    engine = small_store(url)
    campaign_id = commit_small_draw(engine, publish=True)
    engine.dispose()
    monkeypatch.setenv("REGDASH_DATABASE_URL", url)
    return url, campaign_id


def _public_page(lang: str, campaign_id: int) -> AppTest:
    at = sign_in(AppTest.from_file(APP, default_timeout=120), None)
    at.query_params["lang"] = lang
    at.run()
    at.switch_page("dashboard/pages/public.py").run()
    at.selectbox(key="pub_pick").set_value(campaign_id).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize(
    ("lang", "match", "mismatch"),
    [("zh", "一致：", "不一致：发现 1 处差异"), ("en", "Match:", "Mismatch: 1 difference(s)")],
)
def test_verify_this_draw_shows_match_then_the_tampered_row(published, lang, match, mismatch):
    url, campaign_id = published
    at = _public_page(lang, campaign_id)
    assert [b for b in at.get("download_button") if b.key == "pub_bundle_download"]
    assert any("`" in c.value and ("head" in c.value or "链头" in c.value) for c in at.caption)
    at.button(key="pub_verify").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert [s.value for s in at.success if s.value.startswith(match)], [e.value for e in at.error]

    engine = make_engine(url)
    with engine.begin() as connection:
        unit = connection.execute(
            text(
                "SELECT min(certificate_id) FROM drawtarget t JOIN draw d ON d.id = t.draw_id "
                "WHERE d.campaign_id = :c"
            ),
            {"c": campaign_id},
        ).scalar_one()
        connection.execute(
            text("UPDATE drawtarget SET inclusion_probability = 0.25 WHERE certificate_id = :u"), {"u": unit}
        )
    engine.dispose()
    at.button(key="pub_verify").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.success
    assert [e.value for e in at.error if e.value.startswith(mismatch)]
    listed = at.code[0].value
    assert "inclusion_probability: recorded 0.25" in listed and f"(unit {unit})" in listed
