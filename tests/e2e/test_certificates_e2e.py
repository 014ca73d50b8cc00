"""Real browser: a filter given in the URL is applied, and tables download as CSV and Excel."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import text

from models.db import make_engine
from tests.e2e.test_pages import settle

pytestmark = pytest.mark.browser
METRIC = '[data-testid="stMetricValue"]'


def scalar(url: str, statement: str, **params) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return int(connection.scalar(text(statement), params))
    finally:
        engine.dispose()


def first_metric(page) -> int:
    return int(page.locator(METRIC).first.inner_text().replace(",", ""))


def test_province_in_the_url_is_applied(streamlit_server, e2e_database_url, browser_page):
    page = browser_page
    page.goto(f"{streamlit_server.base_url}/certificates")
    settle(page)
    everywhere = first_metric(page)
    assert everywhere == scalar(e2e_database_url, "SELECT count(*) FROM certificate")
    page.goto(f"{streamlit_server.base_url}/certificates?provinces=440000")
    settle(page)
    guangdong = scalar(e2e_database_url, "SELECT count(*) FROM certificate WHERE region_code = '440000'")
    assert first_metric(page) == guangdong < everywhere
    assert page.locator('[data-testid="stSidebar"]').get_by_text("广东").count() >= 1  # the chip


@pytest.mark.locale("en-US")
def test_overview_url_filter_and_years(streamlit_server, e2e_database_url, browser_page):
    page = browser_page
    page.goto(f"{streamlit_server.base_url}/?provinces=440000&years=2021-2024")
    settle(page)
    values = [int(v.replace(",", "")) for v in page.locator(METRIC).all_inner_texts()[:3]]
    valid = scalar(
        e2e_database_url,
        # valid on the day by the certificate's history (models/history.py)
        "SELECT count(*) FROM certificateevent WHERE status = 'valid' AND region_code = '440000' "
        "AND occurred_on <= '2024-12-31' AND holds_until > '2024-12-31'",
    )
    assert values[2] == valid
    assert page.locator('[data-testid="stMain"]').get_by_text("to 2024-12-31", exact=False).count() >= 1


def test_expiring_table_downloads_as_csv_and_excel(streamlit_server, e2e_database_url, browser_page):
    page = browser_page
    page.goto(f"{streamlit_server.base_url}/certificates?provinces=330000&view=expiring")
    settle(page)
    today = dt.date.today()
    expected = scalar(
        e2e_database_url,
        "SELECT count(*) FROM certificate WHERE status = 'valid' AND region_code = '330000' "
        "AND expires_on >= :a AND expires_on <= :b",
        a=today.isoformat(),
        b=(today + dt.timedelta(days=90)).isoformat(),
    )
    # the expiring-soon tab holds one table, with a CSV and an Excel button
    csv_buttons = page.locator('[data-testid="stDownloadButton"]').filter(has_text="下载 CSV")
    excel_buttons = page.locator('[data-testid="stDownloadButton"]').filter(has_text="下载 Excel")
    index = 0
    with page.expect_download() as download_info:
        csv_buttons.nth(index).click()
    download = download_info.value
    assert download.suggested_filename == "certificates_expiring_90_days.csv"
    rows = list(csv.reader(io.StringIO(download.path().read_bytes().decode("utf-8-sig"))))
    assert rows[0] == ["证书编号", "获证组织", "认证机构", "认证领域", "省份", "发证日期", "到期日期"]
    assert len(rows) - 1 == min(expected, 1000)
    assert {row[4] for row in rows[1:]} <= {"浙江"}
    with page.expect_download() as download_info:
        excel_buttons.nth(index).click()
    sheet = load_workbook(io.BytesIO(download_info.value.path().read_bytes())).worksheets[0]
    assert sheet.cell(row=1, column=1).value == "证书编号"
    assert sheet.max_row - 1 == min(expected, 1000)


def test_clicking_a_tab_draws_it_and_puts_it_in_the_url(streamlit_server, e2e_database_url, browser_page):
    page = browser_page
    page.goto(f"{streamlit_server.base_url}/certificates")
    settle(page)
    assert page.locator('[data-testid="stDataFrame"]').count() == 0  # the map tab has no table
    page.get_by_role("tab", name="领域 × 省份").click()
    page.wait_for_url("**view=matrix**", timeout=30_000)
    settle(page)
    assert page.locator('[data-testid="stDataFrame"]').count() == 1
    assert page.locator('[data-testid="stVegaLiteChart"]').count() == 1  # the heatmap alone
    page.reload()  # the link opens the same tab
    settle(page)
    assert page.get_by_role("tab", name="领域 × 省份", selected=True).count() == 1
    assert page.locator('[data-testid="stException"]').count() == 0
