"""Real browser: the inspector template import rejects a bad file row by row and accepts a good one."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect
from sqlalchemy import text

from models.db import make_engine
from tests.e2e.conftest import SUPERVISOR
from tests.e2e.test_pages import settle
from tests.models.test_inspector_import import BAD_ROWS, GOOD_ROWS, csv_file, xlsx_file
from tests.support.browser import wait_for_app

pytestmark = pytest.mark.browser
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def scalar(url: str, statement: str, **params) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return int(connection.scalar(text(statement), params))
    finally:
        engine.dispose()


def registry_fingerprint(url: str) -> tuple[int, int, int]:
    """Rows of the three registry tables: any write by an import changes one of them."""
    return (
        scalar(url, "SELECT count(*) FROM inspector"),
        scalar(url, "SELECT count(*) FROM inspectorscheme"),
        scalar(url, "SELECT count(*) FROM inspectoraffiliation"),
    )


def screenshot(page, path) -> None:
    """The whole page: grow the viewport to the app's content height (the app scrolls inside a container)."""
    height = page.evaluate(
        '() => Math.max(...[...document.querySelectorAll(\'[data-testid="stMain"], '
        '[data-testid="stMainBlockContainer"]\')].map(e => e.scrollHeight), 1000)'
    )
    size = page.viewport_size
    page.set_viewport_size({"width": size["width"], "height": min(int(height) + 80, 8000)})
    wait_for_app(page)  # the resize reflows the charts: wait until the app is idle again
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size(size)


def upload(page, name: str, data: bytes, mime: str) -> None:
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(
        files=[{"name": name, "mimeType": mime, "buffer": data}]
    )
    expect(page.get_by_text(name).first).to_be_visible()  # the uploader shows the file: the rerun started
    wait_for_app(page)


@pytest.mark.user(SUPERVISOR)  # maintaining the registry is the supervisor's (or the admin's)
def test_template_bad_file_then_good_file(streamlit_server, e2e_database_url, browser_page, artifacts_dir):
    page = browser_page
    page.goto(f"{streamlit_server.base_url}/inspectors")
    wait_for_app(page)
    assert page.locator('[data-testid="stException"]').count() == 0
    screenshot(page, artifacts_dir / "inspectors_1_registry_zh.png")

    page.get_by_role("tab", name="模板导入").click()
    with page.expect_download() as download_info:
        page.get_by_role("button", name="下载 Excel 模板").click()
    download = download_info.value
    template_path = artifacts_dir / "inspector_template.xlsx"
    download.save_as(template_path)
    header = [cell.value for cell in load_workbook(template_path).worksheets[0][1]]
    assert header[0] == "姓名 name" and header[1] == "执法证号 enforcement_id"
    screenshot(page, artifacts_dir / "inspectors_2_import_start_zh.png")

    before = registry_fingerprint(e2e_database_url)
    upload(page, "bad.xlsx", xlsx_file(BAD_ROWS), XLSX)
    page.get_by_text("8 行不能导入").wait_for(timeout=30_000)
    problems = page.locator('[data-testid="stAlertContentError"]').first.inner_text()
    assert "未导入任何数据" in problems
    assert page.get_by_role("button", name="确认导入").count() == 0
    assert page.locator('[data-testid="stException"]').count() == 0
    screenshot(page, artifacts_dir / "inspectors_3_bad_file_zh.png")
    assert registry_fingerprint(e2e_database_url) == before

    engine = make_engine(e2e_database_url)
    with engine.connect() as connection:
        credit = connection.scalar(text("SELECT credit_code FROM institution ORDER BY id LIMIT 1"))
    engine.dispose()
    good = [[*row[:8], credit if index == 0 else ""] for index, row in enumerate(GOOD_ROWS)]
    upload(page, "good.csv", csv_file(good), "text/csv")
    confirm = page.get_by_role("button", name="确认导入 3 行")
    confirm.wait_for(timeout=30_000)
    assert registry_fingerprint(e2e_database_url) == before  # nothing written before confirming
    screenshot(page, artifacts_dir / "inspectors_4_good_file_zh.png")
    confirm.click()
    page.get_by_text("导入完成").wait_for(timeout=30_000)
    wait_for_app(page)
    screenshot(page, artifacts_dir / "inspectors_5_imported_zh.png")
    ids = [row[1] for row in GOOD_ROWS]
    present = scalar(
        e2e_database_url,
        "SELECT count(*) FROM inspector WHERE enforcement_id IN (:a, :b, :c)",
        a=ids[0],
        b=ids[1],
        c=ids[2],
    )
    assert present == 3
    after = registry_fingerprint(e2e_database_url)
    assert after[0] == before[0] + 3 and after[2] == before[2] + 1  # one affiliation by credit code


@pytest.mark.locale("en-US")
@pytest.mark.user(SUPERVISOR)  # the "Add by form" tab is offered to those who may maintain the registry
def test_pages_in_english_with_url_filters(streamlit_server, e2e_database_url, browser_page, artifacts_dir):
    page = browser_page
    page.goto(f"{streamlit_server.base_url}/inspectors?provinces=440000&validity=expiring")
    settle(page)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.get_by_text("Inspector registry").count() >= 1
    today = dt.date.today()
    expected = scalar(
        e2e_database_url,
        "SELECT count(*) FROM inspector WHERE region_code = '440000' AND id_valid_until >= :a "
        "AND id_valid_until <= :b",
        a=today,
        b=today + dt.timedelta(days=90),
    )
    expect(page.locator('[data-testid="stMetricValue"]').first).to_have_text(f"{expected:,}", timeout=30_000)
    page.get_by_role("tab", name="Add by form").click()
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Not saved. Please correct:").wait_for(timeout=30_000)
    assert page.locator('[data-testid="stException"]').count() == 0
    screenshot(page, artifacts_dir / "inspectors_form_errors_en.png")
    screenshot(page, artifacts_dir / "inspectors_registry_en.png")
    page.goto(f"{streamlit_server.base_url}/outcomes?schemes=QMS")
    settle(page)
    assert page.locator('[data-testid="stException"]').count() == 0
    # the page can report idle before its last elements are drawn
    page.get_by_text("National violation rate (weighted estimate)").first.wait_for(timeout=30_000)
    assert page.get_by_text("National violation rate (weighted estimate)").count() == 1
    screenshot(page, artifacts_dir / "outcomes_en.png")


def test_outcomes_page_in_chinese_and_case_download(streamlit_server, browser_page, artifacts_dir):
    page = browser_page
    page.goto(f"{streamlit_server.base_url}/outcomes?view=cases")
    wait_for_app(page)
    assert page.locator('[data-testid="stException"]').count() == 0
    # the page can report idle before its last elements are drawn
    page.get_by_text("全国违规率估计（加权）").first.wait_for(timeout=30_000)
    assert page.get_by_text("全国违规率估计（加权）").count() == 1
    screenshot(page, artifacts_dir / "outcomes_zh.png")
    buttons = page.locator('[data-testid="stDownloadButton"]').filter(has_text="下载 Excel")
    assert buttons.count() == 1  # the case list is the only table on its tab
    with page.expect_download() as download_info:
        buttons.first.click()
    data = download_info.value.path().read_bytes()
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    assert sheet.cell(row=1, column=1).value == "对象编号" and sheet.max_row > 1
