"""Real browser: results of a campaign imported from its Excel template on 抽查任务与公示 (supervisor).

A bad file is refused as a whole with the cell named, in Chinese; the corrected file imports; the
screenshots go to tests/artifacts/results_*.png. The app serves its own copy of the e2e database.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect
from sqlalchemy import text

from models.db import make_engine
from models.imports.outcomes import SHEET
from models.outcome_entry import china_today
from tests.e2e.conftest import SUPERVISOR, private_copy, start_app_with_sign_in
from tests.e2e.test_inspectors_import import XLSX, screenshot, upload
from tests.support.browser import wait_for_app
from tests.support.streamlit_server import StreamlitServer

pytestmark = [pytest.mark.browser, pytest.mark.user(SUPERVISOR)]
WAIT = 90_000


@pytest.fixture(scope="module")
def results_database_url(e2e_database_url, tmp_path_factory) -> str:
    """This module's copy of the e2e database."""
    return private_copy(e2e_database_url, tmp_path_factory.mktemp("results-db"))


@pytest.fixture(scope="module")
def streamlit_server(results_database_url, oidc_provider, tmp_path_factory) -> Iterator[StreamlitServer]:
    """This module's app on the private copy (overrides the session app of conftest.py here)."""
    server = start_app_with_sign_in(results_database_url, oidc_provider, tmp_path_factory.mktemp("results"))
    yield server
    server.stop()


def _open_campaign(url: str) -> tuple[int, str]:
    """(id, name) of a drawn campaign of certificates that has no results yet."""
    engine = make_engine(url)
    with engine.connect() as connection:
        row = connection.execute(
            text(
                "SELECT c.id, c.name FROM campaign c JOIN draw d ON d.campaign_id = c.id "
                "WHERE c.status IN ('drawn', 'assigned') AND c.unit_type = 'certificate' AND NOT EXISTS "
                "(SELECT 1 FROM drawtarget t JOIN inspectionoutcome o ON o.target_id = t.id "
                "WHERE t.draw_id = d.id) ORDER BY c.id LIMIT 1"
            )
        ).one()
    engine.dispose()
    return int(row[0]), str(row[1])


def _outcomes(url: str, campaign_id: int) -> int:
    engine = make_engine(url)
    with engine.connect() as connection:
        count = connection.scalar(
            text(
                "SELECT count(*) FROM inspectionoutcome o JOIN drawtarget t ON t.id = o.target_id "
                "JOIN draw d ON d.id = t.draw_id WHERE d.campaign_id = :c"
            ),
            {"c": campaign_id},
        )
    engine.dispose()
    return int(count)


def test_a_bad_results_file_is_refused_by_cell_and_the_corrected_one_imports(
    streamlit_server, results_database_url, browser_page, artifacts_dir
):
    campaign_id, name = _open_campaign(results_database_url)
    page = browser_page
    page.goto(f"{streamlit_server.base_url}/campaigns")
    wait_for_app(page)
    picker = page.get_by_role("combobox", name="选择抽查任务")
    picker.click(timeout=WAIT)
    page.keyboard.type(name)
    page.get_by_role("option", name=re.compile(re.escape(name))).click()
    expect(picker).to_have_value(re.compile(re.escape(name)))
    wait_for_app(page)
    page.get_by_role("tab", name="模板导入").click()
    with page.expect_download(timeout=WAIT) as download_info:
        page.get_by_role("button", name="下载本任务的结果模板（Excel）").click()
    template = artifacts_dir / "results_template.xlsx"
    download_info.value.save_as(template)
    book = load_workbook(template)
    sheet = book[SHEET]
    assert sheet["A1"].value == "对象编号 target_id" and sheet["A2"].value is not None
    today = china_today()
    sheet["F2"], sheet["G2"], sheet["H2"] = today, "现场检查 onsite", "未发现问题 no_violation"
    sheet["F3"], sheet["G3"], sheet["H3"] = "2030-01-01", "现场检查 onsite", "no_violation"
    bad = artifacts_dir / "results_bad.xlsx"
    book.save(bad)

    upload(page, "bad.xlsx", bad.read_bytes(), XLSX)
    page.get_by_role("button", name="导入", exact=True).click()
    page.get_by_text("有 1 处问题，未导入任何结果").wait_for(timeout=WAIT)
    page.get_by_text(re.compile("F3 单元格")).wait_for(timeout=WAIT)
    errors = page.locator('[data-testid="stAlertContentError"]').all_inner_texts()
    assert any("F3 单元格" in e and "检查日期" in e and "晚于今天" in e for e in errors), errors
    assert page.locator('[data-testid="stException"]').count() == 0
    assert _outcomes(results_database_url, campaign_id) == 0
    screenshot(page, artifacts_dir / "results_1_bad_file_zh.png")

    sheet["F3"] = today
    good = artifacts_dir / "results_good.xlsx"
    book.save(good)
    upload(page, "good.xlsx", good.read_bytes(), XLSX)
    page.get_by_role("button", name="导入", exact=True).click()
    page.get_by_text("已导入 2 条结果").wait_for(timeout=WAIT)
    assert _outcomes(results_database_url, campaign_id) == 2
    wait_for_app(page)
    screenshot(page, artifacts_dir / "results_2_imported_zh.png")
