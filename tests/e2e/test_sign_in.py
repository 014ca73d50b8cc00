"""Sign-in end to end (issue 8, "How we will know"): Chromium, ``st.login`` and a real OIDC provider.

* every role signs in through the provider's redirect flow and sees exactly its pages, its name and
  role, one thing it may do offered and one thing it may not absent;
* an anonymous visitor who opens any staff URL (also with a forged ``?role=``) gets the sign-in prompt,
  and a known inspector's name, phone and enforcement ID reach neither the page nor the websocket; the
  same check signed in as the supervisor finds the phone in the traffic, so it would catch a leak;
* a tampered auth cookie, a cookie from an app with another cookie secret and an expired cookie are
  refused; signing out ends at the provider's end-session page and back on the app, anonymous.

Whole-page screenshots of each role's landing page and of the prompt go to tests/artifacts/signin-*.png.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import re
import time
import tomllib
from collections.abc import Iterator
from unittest.mock import patch

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from playwright.sync_api import expect
from sqlalchemy import text
from streamlit.web.server.starlette.starlette_app_utils import create_signed_value, decode_signed_value

from dashboard.auth import role_label
from dashboard.i18n import t
from dashboard.navigation import PAGE_SPECS
from models.access import Actor, Role
from models.db import make_engine
from seed.demo_accounts import DEMO_ACCOUNTS
from tests.e2e.conftest import ADMIN, DEFAULT_USER, SUPERVISOR, new_browser_page, start_app_with_sign_in
from tests.e2e.test_pages import full_screenshot, settle
from tests.support.browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ACCOUNTS = {account["sub"]: account for account in DEMO_ACCOUNTS}
PLANNER = "planner@demo.regdash"
BUREAU_GD = "bureau-gd@demo.regdash"
ROLE_SUBJECTS = (DEFAULT_USER, PLANNER, BUREAU_GD, SUPERVISOR, ADMIN)  # one account per signed-in role
STAFF_URLS = [url for *_, url, need in PAGE_SPECS if need is not None]
FORGED = "?role=supervisor&view=import"
NAV_LABELS = '[data-testid="stSidebarNavLink"] [data-testid="stMarkdownContainer"]'
SIDEBAR = '[data-testid="stSidebar"]'
MAIN = '[data-testid="stMain"]'
DATA = '[data-testid="stDataFrame"], [data-testid="stMetric"], [data-testid="stVegaLiteChart"]'
SIGN_IN = re.compile("^(登录|Sign in)$")
EXPIRED_DAYS = 40  # Streamlit accepts an auth cookie signed up to 31 days ago


@contextlib.contextmanager
def chinese() -> Iterator[None]:
    """The app's own text functions, answering in Chinese outside a Streamlit run."""
    with patch("dashboard.i18n.current_language", return_value="zh"):
        yield


def zh(key: str, **values: object) -> str:
    with chinese():
        return t(key, **values)


def actor_of(subject: str) -> Actor:
    """The demo account as the app resolves it from its claims (the e2e users table is empty)."""
    account = ACCOUNTS[subject]
    role, province = Role(account["role"]), account["province"]
    return Actor(subject=subject, name=account["name"], role=role, province=province)


def expected_nav(actor: Actor) -> list[str]:
    """The titles of the pages ``actor`` may open, in menu order, from PAGE_SPECS and the role's rights."""
    return [zh(key) for _file, key, _icon, _url, need in PAGE_SPECS if need is None or actor.can(need)]


class Traffic:
    """Every websocket frame the page receives from now on (Streamlit's protobuf messages, as bytes)."""

    def __init__(self, page) -> None:
        self.frames: list[bytes] = []
        page.on("websocket", lambda socket: socket.on("framereceived", self._received))

    def _received(self, payload: bytes | str) -> None:
        self.frames.append(payload if isinstance(payload, bytes) else payload.encode("utf-8"))

    def carries(self, value: str) -> bool:
        """Whether ``value`` (UTF-8) is in any frame received so far."""
        needle = value.encode("utf-8")
        return any(needle in frame for frame in self.frames)


def scalar(url: str, statement: str, **params):
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(text(statement), params).one()
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def inspector(e2e_database_url) -> dict[str, str]:
    """A seeded inspector with a name no other inspector has: name, phone, enforcement_id, province."""
    row = scalar(
        e2e_database_url,
        "SELECT name, phone, enforcement_id, region_code FROM inspector WHERE active AND length(name) = 3"
        " AND name IN (SELECT name FROM inspector GROUP BY name HAVING count(*) = 1) ORDER BY id LIMIT 1",
    )
    return dict(zip(("name", "phone", "enforcement_id", "province"), row, strict=True))


def personal_data(inspector: dict[str, str]) -> list[str]:
    return [inspector["name"], inspector["phone"], inspector["enforcement_id"]]


def assert_prompt_without_data(page, traffic: Traffic, inspector: dict[str, str]) -> None:
    """The sign-in prompt is drawn, the sidebar offers sign-in, and no registry data arrived."""
    main = page.locator(MAIN)
    expect(main.locator("h1")).to_have_text(zh("auth.restricted.title"), timeout=60_000)
    expect(main.get_by_text(zh("auth.restricted.sign_in"))).to_be_visible()
    expect(main.get_by_role("button", name=SIGN_IN)).to_be_visible()
    expect(page.locator(SIDEBAR).get_by_role("button", name=SIGN_IN)).to_be_visible()
    settle(page)
    expect(page.locator(DATA)).to_have_count(0)
    assert traffic.carries(zh("auth.restricted.title")), "the frames were not captured or not decoded"
    assert_no_personal_data(page, traffic, personal_data(inspector))


def assert_no_personal_data(page, traffic: Traffic, values: list[str]) -> None:
    """None of ``values`` is in the page's text or in the websocket frames received."""
    shown = page.locator("body").inner_text()
    for value in values:
        assert value not in shown
        assert not traffic.carries(value), f"{value!r} reached the browser over the websocket"


def assert_signed_in(page, subject: str) -> None:
    """The sidebar names the account and its role label, with the sign-out button."""
    actor = actor_of(subject)
    sidebar = page.locator(SIDEBAR)
    with chinese():
        label = role_label(actor)
    # one paragraph: the name in bold, a line break, the role label
    account = sidebar.locator("p").filter(has=page.locator("strong").get_by_text(actor.name, exact=True))
    shown = re.compile(rf"^{re.escape(actor.name)}\s*{re.escape(label)}$")
    expect(account).to_have_text(shown, timeout=60_000)
    expect(sidebar.get_by_role("button", name=zh("auth.sign_out"))).to_be_visible()


def open_page(page, base_url: str, path: str) -> None:
    page.goto(f"{base_url}/{path}")
    settle(page)


def pick_campaign(page, name: str) -> None:
    """Choose a campaign in the campaigns page's picker."""
    picker = page.get_by_role("combobox", name=zh("camp.pick"))
    picker.click()
    page.get_by_role("option", name=re.compile(re.escape(name))).click()
    expect(picker).to_have_value(re.compile(re.escape(name)))
    settle(page)


@pytest.fixture(scope="module")
def assigned_campaign(e2e_database_url) -> dict[str, object]:
    """The campaign with targets in Guangdong and elsewhere, awaiting outcomes (status ``assigned``)."""
    campaign_id, name = scalar(
        e2e_database_url,
        "SELECT c.id, c.name FROM campaign c WHERE c.status = 'assigned' AND EXISTS"
        " (SELECT 1 FROM drawtarget t JOIN draw d ON d.id = t.draw_id"
        " WHERE d.campaign_id = c.id AND t.region_code = '440000')"
        " ORDER BY c.id LIMIT 1",
    )
    provinces, guangdong = scalar(
        e2e_database_url,
        "SELECT count(DISTINCT t.region_code), sum(t.region_code = '440000') FROM drawtarget t"
        " JOIN draw d ON d.id = t.draw_id WHERE d.campaign_id = :c",
        c=campaign_id,
    )
    assert provinces > 1, "the campaign must have targets outside Guangdong for the check to mean anything"
    return {"id": campaign_id, "name": name, "guangdong": int(guangdong)}


# -- one thing each role may do, one it may not ------------------------------------------------------


def check_staff(page, base_url, **_) -> None:
    open_page(page, base_url, "inspectors")
    expect(page.get_by_role("tab", name=zh("insp.tab.registry"))).to_be_visible()
    expect(page.locator('[data-testid="stDataFrame"]')).to_have_count(1)  # may read the registry
    expect(page.get_by_role("tab", name=zh("insp.tab.import"))).to_have_count(0)  # may not import


def check_planner(page, base_url, **_) -> None:
    open_page(page, base_url, "planning")
    expect(
        page.get_by_role("button", name=zh("plan.lottery.open"))
    ).to_be_visible()  # the live draw starts by opening it
    open_page(page, base_url, "users")
    actor = actor_of(PLANNER)
    with chinese():
        permission = t("auth.perm.manage_users")
        refused = t("auth.restricted.not_permitted", role=role_label(actor), permission=permission)
    expect(page.locator(MAIN).get_by_text(refused)).to_be_visible()
    expect(page.locator('[data-testid="stTextInput"]')).to_have_count(0)


def check_bureau(page, base_url, campaign, **_) -> None:
    open_page(page, base_url, "campaigns")
    pick_campaign(page, campaign["name"])
    with page.expect_download() as download_info:
        page.locator('[data-testid="stDownloadButton"]').filter(
            has_text=zh("common.download_csv")
        ).last.click()
    download = download_info.value
    assert download.suggested_filename == f"campaign-{campaign['id']}-targets.csv"
    rows = list(csv.reader(io.StringIO(download.path().read_bytes().decode("utf-8-sig"))))
    column = rows[0].index(zh("camp.col.province"))
    assert {row[column] for row in rows[1:]} == {"广东"}  # its own province's targets only ...
    assert len(rows) - 1 == campaign["guangdong"]  # ... all of them
    expect(page.get_by_role("button", name=zh("camp.record.save"))).to_be_visible()  # may record outcomes
    expect(page.get_by_role("button", name=zh("camp.publish.button"), exact=True)).to_have_count(0)


def check_supervisor(page, base_url, campaign, **_) -> None:
    open_page(page, base_url, "inspectors")
    page.get_by_role("tab", name=zh("insp.tab.import")).click()
    expect(page.get_by_role("button", name=zh("insp.import.template"))).to_be_visible(timeout=60_000)
    open_page(page, base_url, "campaigns")
    pick_campaign(page, campaign["name"])
    expect(page.get_by_role("button", name=zh("camp.publish.button"), exact=True)).to_be_attached()
    open_page(page, base_url, "planning")
    expect(page.get_by_text(zh("plan.draw.not_permitted"))).to_be_visible()
    expect(page.get_by_role("button", name=zh("plan.lottery.open"))).to_have_count(
        0
    )  # drawing is the planner's


def check_admin(page, base_url, **_) -> None:
    open_page(page, base_url, "users")
    expect(page.locator(MAIN).locator("h1")).to_have_text(zh("nav.users"))
    form = page.locator('[data-testid="stForm"]')
    expect(form.get_by_label(zh("users.subject"))).to_be_visible()
    expect(form.get_by_role("button", name=zh("users.save"))).to_be_visible()
    open_page(page, base_url, "planning")
    expect(page.get_by_role("button", name=zh("plan.lottery.open"))).to_have_count(0)


ROLE_CHECKS = {
    Role.STAFF: check_staff,
    Role.PLANNER: check_planner,
    Role.BUREAU: check_bureau,
    Role.SUPERVISOR: check_supervisor,
    Role.ADMIN: check_admin,
}


@pytest.mark.parametrize(
    "subject",
    [pytest.param(s, marks=pytest.mark.user(s), id=ACCOUNTS[s]["role"]) for s in ROLE_SUBJECTS],
)
def test_each_role_sees_its_pages_name_and_rights(
    streamlit_server, browser_page, artifacts_dir, assigned_campaign, subject
):
    page = browser_page  # signed in through the redirect flow; on the landing page
    actor = actor_of(subject)
    settle(page)
    assert_signed_in(page, subject)
    expect(page.locator(NAV_LABELS)).to_have_text(expected_nav(actor))
    expect(page.locator(MAIN).locator("h1").first).to_contain_text(zh("nav.overview"))
    expect(page.locator(SIDEBAR).get_by_text(zh("auth.demo_banner"))).to_be_visible()
    full_screenshot(page, artifacts_dir / f"signin-landing-{actor.role}-zh.png")
    assert page.locator('[data-testid="stException"]').count() == 0
    ROLE_CHECKS[actor.role](page, streamlit_server.base_url, campaign=assigned_campaign)
    assert page.locator('[data-testid="stException"]').count() == 0


def test_the_role_checks_cover_every_signed_in_role():
    assert set(ROLE_CHECKS) == {actor_of(s).role for s in ROLE_SUBJECTS} == set(Role) - {Role.PUBLIC}


# -- anonymous visitors: the prompt, and no registry data in the page or the websocket ----------------


@pytest.mark.user(None)
@pytest.mark.parametrize("url_path", STAFF_URLS)
def test_an_anonymous_visitor_gets_the_prompt_and_no_data(
    streamlit_server, browser_page, inspector, artifacts_dir, url_path
):
    page = browser_page
    traffic = Traffic(page)
    for query in ("", FORGED, f"?provinces={inspector['province']}"):
        page.goto(f"{streamlit_server.base_url}/{url_path}{query}")
        assert_prompt_without_data(page, traffic, inspector)
    if url_path == "inspectors":
        full_screenshot(page, artifacts_dir / "signin-anonymous-prompt-zh.png")


@pytest.mark.parametrize(
    ("subject", "phone_sent"),
    [
        pytest.param(SUPERVISOR, True, marks=pytest.mark.user(SUPERVISOR), id="supervisor-unmasked"),
        pytest.param(DEFAULT_USER, False, marks=pytest.mark.user(DEFAULT_USER), id="staff-masked"),
    ],
)
def test_control_the_traffic_check_sees_the_registry_when_it_is_sent(
    streamlit_server, browser_page, inspector, subject, phone_sent
):
    """The check above would catch a leak: the registry, when drawn, is in the recorded frames."""
    page = browser_page
    traffic = Traffic(page)
    open_page(page, streamlit_server.base_url, f"inspectors?provinces={inspector['province']}")
    expect(page.locator('[data-testid="stDataFrame"]')).to_have_count(1)
    with pytest.raises(AssertionError, match="over the websocket"):  # the anonymous test's check fails ...
        assert_no_personal_data(page, traffic, [inspector["name"]])
    if phone_sent:  # ... on the phone too, for the role that is sent it unmasked
        with pytest.raises(AssertionError, match="over the websocket"):
            assert_no_personal_data(page, traffic, [inspector["phone"]])
    else:
        assert_no_personal_data(page, traffic, [inspector["phone"]])
    masked = f"{inspector['phone'][:3]}****{inspector['phone'][-4:]}"
    assert traffic.carries(masked) is not phone_sent


# -- cookies: tampered, from another app, expired ---------------------------------------------------


def auth_cookie(context) -> dict:
    """Streamlit's identity cookie among the context's cookies (the signed user info, not the tokens)."""
    found = [c for c in context.cookies() if "user" in c["name"] and "token" not in c["name"]]
    assert len(found) == 1, [c["name"] for c in context.cookies()]
    return found[0]


def flip(value: str) -> str:
    """``value`` with three characters in the middle of the signed payload changed."""
    chars = list(value)
    for index in range(len(chars) // 3, len(chars) // 3 + 3):
        chars[index] = "A" if chars[index] != "A" else "B"
    flipped = "".join(chars)
    assert flipped != value
    return flipped


def cookie_secret(server) -> str:
    return tomllib.loads(server.secrets_file.read_text(encoding="utf-8"))["auth"]["cookie_secret"]


def signed(secret: str, name: str, value: str, *, age_days: float = 0) -> str:
    """``value`` signed as Streamlit signs its auth cookie, dated ``age_days`` ago."""
    if not age_days:
        return create_signed_value(secret, name, value).decode("utf-8")

    class Backdated(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time() - age_days * 86400)

    return URLSafeTimedSerializer(secret, salt=name, signer=Backdated).dumps(value)


def visit_with_cookie(chromium, server, cookie: dict, path: str):
    """A fresh browser holding only ``cookie`` (for ``server``'s host and port) opens ``path``."""
    page = new_browser_page(chromium)
    page.context.add_cookies([{"name": cookie["name"], "value": cookie["value"], "url": server.base_url}])
    traffic = Traffic(page)
    page.goto(f"{server.base_url}/{path}")
    return page, traffic


@pytest.mark.user(SUPERVISOR)
def test_a_tampered_auth_cookie_is_refused(streamlit_server, browser_page, inspector):
    page = browser_page
    path = f"inspectors?provinces={inspector['province']}"
    genuine = auth_cookie(page.context)
    page.context.add_cookies([{**genuine, "value": flip(genuine["value"])}])
    traffic = Traffic(page)
    page.goto(f"{streamlit_server.base_url}/{path}")
    assert_prompt_without_data(page, traffic, inspector)
    page.context.add_cookies([genuine])  # control: the untouched cookie still signs in
    open_page(page, streamlit_server.base_url, path)
    assert_signed_in(page, SUPERVISOR)
    expect(page.locator('[data-testid="stDataFrame"]')).to_have_count(1)


@pytest.fixture(scope="module")
def other_app(e2e_database_url, oidc_provider, tmp_path_factory):
    """A second app on the same provider, with its own client registration and cookie secret."""
    server = start_app_with_sign_in(e2e_database_url, oidc_provider, tmp_path_factory.mktemp("other-app"))
    yield server
    server.stop()


@pytest.mark.user(None)
def test_cookies_from_another_app_or_expired_are_refused(
    streamlit_server, other_app, chromium, browser_page, inspector
):
    assert cookie_secret(other_app) != cookie_secret(streamlit_server)
    path = f"inspectors?provinces={inspector['province']}"
    sign_in(browser_page, other_app.base_url, SUPERVISOR)  # a real sign-in on the other app
    foreign = auth_cookie(browser_page.context)
    name = foreign["name"]
    # what the other app signed: the claims plus the origin (scheme://host:port) it was issued for
    claims = json.loads(decode_signed_value(cookie_secret(other_app), name, foreign["value"]))
    assert claims["sub"] == SUPERVISOR and claims["origin"] == other_app.base_url
    retargeted = json.dumps({**claims, "origin": streamlit_server.base_url})
    refused = {
        "the other app's cookie as it is": foreign["value"],
        "this app's origin, the other app's secret": signed(cookie_secret(other_app), name, retargeted),
        f"this app's secret, {EXPIRED_DAYS} days old": signed(
            cookie_secret(streamlit_server), name, retargeted, age_days=EXPIRED_DAYS
        ),
    }
    for case, value in refused.items():
        page, traffic = visit_with_cookie(chromium, streamlit_server, {"name": name, "value": value}, path)
        try:
            assert_prompt_without_data(page, traffic, inspector)
        except AssertionError as error:
            raise AssertionError(f"{case}: {error}") from error
        finally:
            page.context.close()
    # control: the same claims signed now with this app's secret are accepted, so each refusal above
    # was the foreign secret, the foreign origin or the age, not a malformed cookie
    accepted = signed(cookie_secret(streamlit_server), name, retargeted)
    page, _traffic = visit_with_cookie(chromium, streamlit_server, {"name": name, "value": accepted}, path)
    try:
        settle(page)
        assert_signed_in(page, SUPERVISOR)
        expect(page.locator('[data-testid="stDataFrame"]')).to_have_count(1)
    finally:
        page.context.close()


# -- signing out -----------------------------------------------------------------------------------


def test_sign_out_goes_through_the_provider_and_back_anonymous(
    streamlit_server, oidc_provider, browser_page, inspector
):
    page = browser_page  # signed in as staff
    base = streamlit_server.base_url
    assert_signed_in(page, DEFAULT_USER)
    page.locator(SIDEBAR).get_by_role("button", name=zh("auth.sign_out")).click()
    expect(page).to_have_url(re.compile("^" + re.escape(f"{oidc_provider.issuer}/oauth2/end_session?")))
    page.get_by_role("button", name="End session").click()  # the provider asks before it ends the session
    expect(page).to_have_url(re.compile("^" + re.escape(base) + "/(\\?|$)"), timeout=30_000)
    expect(page.locator(SIDEBAR).get_by_role("button", name=SIGN_IN)).to_be_visible(timeout=60_000)
    expect(page.locator(SIDEBAR).get_by_text(actor_of(DEFAULT_USER).name)).to_have_count(0)
    assert not [c for c in page.context.cookies() if "user" in c["name"]]  # both auth cookies are gone
    traffic = Traffic(page)
    page.goto(f"{base}/inspectors?provinces={inspector['province']}")
    assert_prompt_without_data(page, traffic, inspector)
