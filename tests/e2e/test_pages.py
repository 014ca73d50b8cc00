"""Real browser smoke over every page in both languages, with full-page screenshots for people to look at.

Chinese comes from the browser's locale (zh-CN), English from an en-US browser: no ``?lang=`` needed.
Screenshots: tests/artifacts/<page>-<lang>.png.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from dashboard.navigation import PAGE_SPECS
from models.access import ROLE_PERMISSIONS, Role
from tests.e2e.conftest import ADMIN, DEFAULT_USER, SUPERVISOR
from tests.support.browser import APP_IDLE, wait_for_app

pytestmark = pytest.mark.browser

CHARTS = '[data-testid="stVegaLiteChart"]'
DRAWN = f"{CHARTS} canvas, {CHARTS} svg"
TITLES = {
    "overview": ("总览", "Overview"),
    "institutions": ("机构与审批", "Institutions & approvals"),
    "certificates": ("认证证书", "Certificates"),
    "inspectors": ("执法检查人员", "Inspectors"),
    "outcomes": ("检查结果", "Inspection outcomes"),
}
OWN_PAGES = ("overview", "institutions", "certificates")  # the other pages title themselves
PAGES = [spec[3] for spec in PAGE_SPECS]
STAFF_MAY = ROLE_PERMISSIONS[Role.STAFF]
# each page as someone who may open it: staff, or the admin for what staff may not (the users page)
PAGE_USER = {
    url: DEFAULT_USER if need is None or need in STAFF_MAY else ADMIN for *_, url, need in PAGE_SPECS
}
CASES = [
    pytest.param(
        page,
        lang,
        marks=[pytest.mark.locale(locale), pytest.mark.user(PAGE_USER[page])],
        id=f"{page}-{lang}",
    )
    for page in PAGES
    for lang, locale in (("zh", "zh-CN"), ("en", "en-US"))
]


# the tabs behind the first one, opened from the URL (screenshots: <page>-<tab>-zh.png)
TABS = [
    ("institutions", "processing"),
    ("institutions", "applications"),
    ("institutions", "register"),
    ("institutions", "detail"),
    ("certificates", "matrix"),
    ("certificates", "issuance"),
    ("certificates", "concentration"),
    ("certificates", "expiring"),
    ("certificates", "status_share"),
    ("inspectors", "counts"),
    ("inspectors", "expiring"),
    ("inspectors", "form"),  # these two are offered to those who may maintain the registry
    ("inspectors", "import"),
    ("outcomes", "provinces"),
    ("outcomes", "schemes"),
    ("outcomes", "institutions"),
    ("outcomes", "cases"),
]


def settle(page, *, timeout_s: float = 90.0) -> None:
    """Wait until the script has finished and stays finished, with nothing left as a skeleton.

    ``wait_for_app`` alone can catch the short idle moment between connecting and the first run.
    """
    timeout_ms = int(timeout_s * 1000)
    wait_for_app(page, timeout_ms=timeout_ms)
    expect(page.locator('[data-testid="stSkeleton"]')).to_have_count(0, timeout=timeout_ms)
    expect(page.locator(APP_IDLE)).to_have_count(1, timeout=timeout_ms)


def page_url(base_url: str, url_path: str) -> str:
    """The default (first) page lives at the root; the others at their url path."""
    return f"{base_url}/" if url_path == PAGES[0] else f"{base_url}/{url_path}"


def full_screenshot(page, path) -> None:
    """The whole app: grow the viewport to the content height (the app scrolls inside a container)."""
    height = page.evaluate(
        '() => Math.max(...[...document.querySelectorAll(\'[data-testid="stMain"], '
        '[data-testid="stMainBlockContainer"]\')].map(e => e.scrollHeight), 1000)'
    )
    size = page.viewport_size
    page.set_viewport_size({"width": size["width"], "height": min(int(height) + 80, 9000)})
    settle(page)
    if page.locator(CHARTS).count():
        page.wait_for_selector(DRAWN, timeout=20_000)
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size(size)


@pytest.mark.parametrize(("url_path", "lang"), CASES)
def test_page_loads_without_exception(streamlit_server, browser_page, artifacts_dir, url_path, lang):
    page = browser_page
    page.goto(page_url(streamlit_server.base_url, url_path))
    settle(page)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.locator('[data-testid="stAlertContentError"]').count() == 0
    sidebar = page.locator('[data-testid="stSidebarNav"]')
    expected_nav = TITLES["overview"][0 if lang == "zh" else 1]
    assert sidebar.get_by_text(expected_nav, exact=True).count() == 1, f"sidebar not in {lang}"
    if url_path in OWN_PAGES:
        heading = TITLES[url_path][0 if lang == "zh" else 1]
        assert page.locator("h1").filter(has_text=heading).count() >= 1, heading
    full_screenshot(page, artifacts_dir / f"{url_path}-{lang}.png")
    assert page.locator('[data-testid="stException"]').count() == 0


@pytest.mark.locale("zh-CN")
@pytest.mark.parametrize(
    ("url_path", "view"),
    [
        pytest.param(
            page,
            view,
            marks=[pytest.mark.user(SUPERVISOR if view in ("form", "import") else DEFAULT_USER)],
            id=f"{page}-{view}",
        )
        for page, view in TABS
    ],
)
def test_every_tab_loads_from_its_link(streamlit_server, browser_page, artifacts_dir, url_path, view):
    page = browser_page
    page.goto(f"{page_url(streamlit_server.base_url, url_path)}?view={view}")
    settle(page)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.locator('[data-testid="stAlertContentError"]').count() == 0
    assert page.locator('[role="tab"][aria-selected="true"]').count() == 1
    full_screenshot(page, artifacts_dir / f"{url_path}-{view}-zh.png")


@pytest.mark.locale("zh-CN")
@pytest.mark.user(DEFAULT_USER)
@pytest.mark.parametrize("url_path", ["overview", "certificates"])
def test_phone_width_keeps_the_charts_wide(streamlit_server, browser_page, artifacts_dir, url_path):
    """At 390 px the page draws without error and the chart spans the column. Where the legend sits is
    checked on the spec (tests/dashboard/test_formats.py) and by eye: tests/artifacts/<page>-390-zh.png."""
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    url = page_url(streamlit_server.base_url, url_path)
    page.goto(url if url_path == "overview" else f"{url}?view=issuance")
    settle(page)
    chart = page.locator(CHARTS).first
    expect(chart.locator("canvas, svg").first).to_be_visible(timeout=20_000)
    drawing = chart.locator("canvas, svg").first.bounding_box()
    assert drawing is not None and drawing["width"] >= 0.75 * 390 - 40
    full_screenshot(page, artifacts_dir / f"{url_path}-390-zh.png")
    assert page.locator('[data-testid="stException"]').count() == 0
