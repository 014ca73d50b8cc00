"""Pages per role in AppTest: the prompt instead of data, write sections only for their roles."""

from __future__ import annotations

import shutil

import pytest
from sqlalchemy import text
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from models.access import Actor, Role
from models.audit import chain_head
from models.db import make_engine
from models.users import set_user
from tests.dashboard.conftest import APP
from tests.support.actors import ADMIN, BUREAU_GD, PLANNER, STAFF, SUPERVISOR
from tests.support.apptest import sign_in

STAFF_PAGES = ("overview", "institutions", "certificates", "inspectors", "outcomes", "planning", "campaigns")
NO_ROLE = {"sub": "stranger@x", "name": "陌生人", "email": "stranger@x"}  # signed in, no role claim


@pytest.fixture
def app(demo_database_url, tmp_path, monkeypatch):
    """``app(user, lang, **params)``: the whole app on a private copy of the demo store, run once."""
    target = tmp_path / "access.db"
    shutil.copyfile(demo_database_url.removeprefix("sqlite:///"), target)
    url = f"sqlite:///{target}"
    monkeypatch.setenv("REGDASH_DATABASE_URL", url)

    def start(user: Actor | dict | None, lang: str = "en", **params: str) -> AppTest:
        at = sign_in(AppTest.from_file(APP, default_timeout=90), user)
        at.query_params["lang"] = lang
        for key, value in params.items():
            at.query_params[key] = value
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        return at

    start.url = url
    return start


def _page(at: AppTest, name: str) -> AppTest:
    """Open the page at URL path ``name`` as a browser following a link would.

    ``AppTest.switch_page`` only knows file pages, while a page the user may not open is a hidden
    function page at the same URL; both are keyed by ``calc_hash(url_path)``, as in a real session.
    """
    at._page_hash = calc_hash(name)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _shown_text(at: AppTest) -> str:
    parts = [e.value for kind in ("title", "markdown", "info", "warning", "caption") for e in at.get(kind)]
    return "\n".join(str(p) for p in parts)


def test_an_anonymous_visitor_lands_on_the_public_page(app):
    at = app(None)
    assert at.title[0].value == "Published results (public)"


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("page", STAFF_PAGES)
def test_every_staff_page_shows_an_anonymous_visitor_the_prompt_and_no_data(app, page, lang):
    at = _page(app(None, lang, role="supervisor", view="import"), page)  # a forged ?role= changes nothing
    assert at.title[0].value == {"zh": "需要登录", "en": "Sign-in required"}[lang]
    assert not at.dataframe and not at.metric and not at.get("vega_lite_chart") and not at.get("arrow_table")
    assert not at.get("file_uploader") and not at.text_input and not at.selectbox


def test_a_staff_url_without_sign_in_configured_says_so(app):
    at = _page(app(None), "inspectors")
    assert "sign-in is not configured" in at.warning[0].value


def test_staff_may_read_but_not_manage_users(app):
    at = _page(app(STAFF), "inspectors")
    assert at.title[0].value == "Inspector registry" and at.dataframe
    at = _page(at, "users")
    assert at.title[0].value == "Not permitted"
    assert "Staff" in at.warning[0].value and "manage users and roles" in at.warning[0].value
    assert not at.dataframe and not at.text_input


def test_a_signed_in_account_without_a_role_sees_the_public_page_and_why(app):
    at = app(NO_ROLE)
    assert at.title[0].value == "Published results (public)"
    assert any("no role" in w.value for w in at.sidebar.warning)
    at = _page(at, "overview")
    assert at.title[0].value == "Not permitted" and not at.metric


def test_only_a_planner_gets_the_live_draw(app):
    staff = _page(app(STAFF), "planning")
    assert any("Only planners" in c.value for c in staff.caption)
    assert "plan_open" not in [b.key for b in staff.button]
    planner = _page(app(PLANNER), "planning")
    assert "plan_open" in [b.key for b in planner.button]


def test_the_admin_grants_a_role_that_applies_at_the_next_run(app):
    at = _page(app(ADMIN), "users")
    at.text_input[0].input("new.person@agency")
    at.text_input[1].input("新 同事")
    at.selectbox[0].set_value(Role.SUPERVISOR)
    next(b for b in at.button if b.label == "Save").click().run()
    assert not at.exception
    assert any("Saved new" in s.value and "person@agency" in s.value for s in at.success)
    engine = make_engine(app.url)
    with engine.connect() as connection:
        row = connection.execute(
            text("SELECT role, updated_by FROM appuser WHERE subject = 'new.person@agency'")
        ).one()
        logged = connection.execute(
            text("SELECT actor_subject FROM auditentry WHERE action = 'user.set'")
        ).scalar_one()
    engine.dispose()
    assert tuple(row) == ("supervisor", ADMIN.subject) and logged == ADMIN.subject
    # the person signs in with a claim saying "staff": the table's "supervisor" wins, unmasked phones
    person = Actor(subject="new.person@agency", name="x", role=Role.STAFF)
    at = _page(app(person), "inspectors")
    assert not any("****" in phone for phone in at.dataframe[-1].value.iloc[:, -1])


def test_a_bureau_sees_and_records_its_own_province_only(app):
    engine = make_engine(app.url)
    with engine.connect() as connection:
        campaign_id = connection.execute(
            text(
                "SELECT d.campaign_id FROM drawtarget t JOIN draw d ON d.id = t.draw_id"
                " JOIN campaign c ON c.id = d.campaign_id WHERE c.status = 'assigned'"
                " AND t.region_code = '440000' ORDER BY d.campaign_id LIMIT 1"
            )
        ).scalar_one()
        everywhere = connection.execute(
            text(
                "SELECT count(DISTINCT t.region_code) FROM drawtarget t JOIN draw d ON d.id = t.draw_id"
                " WHERE d.campaign_id = :c"
            ),
            {"c": campaign_id},
        ).scalar_one()
    engine.dispose()
    assert everywhere > 1  # the campaign has targets outside Guangdong
    at = _page(app(BUREAU_GD), "campaigns")
    at.selectbox(key="camp_pick").set_value(campaign_id).run()
    targets = _targets_table(at)
    assert set(targets["Province"]) == {"Guangdong"}
    assert not [b for b in at.button if b.key == "camp_publish"]  # publishing is the supervisor's
    supervisor = _page(app(SUPERVISOR), "campaigns")
    supervisor.selectbox(key="camp_pick").set_value(campaign_id).run()
    assert len(set(_targets_table(supervisor)["Province"])) == everywhere


def _targets_table(at):
    """The campaign's targets table (the one with a Province column; the audit trail has none)."""
    columns = ("Province", "Target")
    (table,) = [d.value for d in at.dataframe if all(c in d.value.columns for c in columns)]
    return table


def test_the_public_page_shows_the_audit_chain_head(app):
    engine = make_engine(app.url)
    set_user(engine, actor=ADMIN, subject="someone@x", role="staff")
    entries, head = chain_head(engine)
    engine.dispose()
    at = app(None)
    assert any(f"Audit log entries: {entries:,}, head hash `{head}`" in c.value for c in at.caption)


def test_a_display_name_is_shown_as_text_not_markdown(app):
    engine = make_engine(app.url)
    trap = "[请点此重新验证](http://evil.example/login) ![x](http://evil.example/p.png)"
    set_user(engine, actor=ADMIN, subject=STAFF.subject, role="staff", display_name=trap)
    engine.dispose()
    at = app(STAFF)
    shown = [m.value for m in at.sidebar.markdown if "请点此重新验证" in m.value]
    assert shown and "](" not in shown[0].replace("\\]\\(", "")  # brackets escaped: no link, no image
