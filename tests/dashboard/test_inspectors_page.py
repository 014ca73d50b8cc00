"""AppTest of the inspector registry page: both languages, filters drive the figures, form and import."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select, text, update
from streamlit.testing.v1 import AppTest

from models import Inspector, InspectorScheme, Institution
from models.access import Actor
from models.db import make_engine
from models.migrate import upgrade
from tests.models.test_inspector_import import BAD_ROWS, CREDIT, GOOD_ROWS, csv_file, xlsx_file, xlsx_sheets
from tests.models.test_queries_outcomes import insert_outcome_world
from tests.models.test_tabular import TRADITIONAL
from tests.support.actors import ADMIN, STAFF, SUPERVISOR
from tests.support.apptest import sign_in

PAGE = str(Path(__file__).resolve().parents[2] / "dashboard" / "pages" / "inspectors.py")
TIMEOUT = 60


@pytest.fixture(scope="module")
def database_url(tmp_path_factory) -> str:
    """A small registry: 3 Beijing inspectors from the outcome world and 12 in Guangdong."""
    url = f"sqlite:///{tmp_path_factory.mktemp('insp-apptest') / 'regdash.db'}"
    engine = make_engine(url)
    upgrade(engine)
    today = dt.date.today()
    with engine.begin() as connection:
        insert_outcome_world(connection)
        # the import files name institution 1 by a valid GB 32100 code
        institution = Institution.__table__
        connection.execute(update(institution).where(institution.c.id == 1).values(credit_code=CREDIT))
        connection.execute(
            insert(Inspector.__table__),
            [
                dict(
                    id=10 + i,
                    name=f"人员{i}",
                    enforcement_id=f"4400{i:08d}",
                    id_valid_until=today + dt.timedelta(days=30 * i - 60),
                    agency="广东省市场监督管理局",
                    region_code="440000",
                    active=i % 3 != 0,
                    phone=f"1390000{i:04d}",
                )
                for i in range(12)
            ],
        )
        connection.execute(
            insert(InspectorScheme.__table__),
            [
                dict(inspector_id=10 + i, scheme_code=s)
                for i in range(12)
                for s in (["QMS", "EMS"] if i % 2 else ["EnMS"])
            ],
        )
    engine.dispose()
    return url


@pytest.fixture
def app(database_url, monkeypatch):
    monkeypatch.setenv("REGDASH_DATABASE_URL", database_url)

    def start(lang: str = "zh", user: Actor = STAFF, **params: str) -> AppTest:
        at = sign_in(AppTest.from_file(PAGE, default_timeout=TIMEOUT), user)
        at.query_params["lang"] = lang
        for key, value in params.items():
            at.query_params[key] = value
        at.run()
        assert not at.exception, at.exception
        return at

    return start


def sql(url: str, statement: str) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return int(connection.scalar(text(statement)))
    finally:
        engine.dispose()


def metrics(at: AppTest) -> list[str]:
    return [m.value for m in at.metric]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_page_runs_and_kpis_equal_sql(app, database_url, lang):
    at = app(lang)
    total = sql(database_url, "SELECT count(*) FROM inspector")
    active = sql(database_url, "SELECT count(*) FROM inspector WHERE active")
    assert metrics(at)[:2] == [f"{total:,}", f"{active:,}"]
    title = {"zh": "执法检查人员名录库", "en": "Inspector registry"}[lang]
    assert at.title[0].value == title
    registry = at.dataframe[-1].value
    assert len(registry) == total
    assert all("****" in phone for phone in registry.iloc[:, -1])  # masked for staff


def test_province_filter_changes_the_numbers(app, database_url):
    at = app("en")
    at.multiselect(key="url_filter_provinces").set_value(["110000"]).run()
    assert not at.exception
    beijing = sql(database_url, "SELECT count(*) FROM inspector WHERE region_code = '110000'")
    assert metrics(at)[0] == f"{beijing:,}" and beijing == 3
    assert len(at.dataframe[-1].value) == beijing
    at.multiselect(key="url_filter_schemes").set_value(["EnMS"]).run()
    assert metrics(at)[0] == "0"


def test_counts_and_expiring_tabs_equal_sql(app, database_url):
    at = app("en", view="counts", provinces="440000")
    assert not at.dataframe and len(at.get("vega_lite_chart")) == 2  # by province, by scheme
    at = app("en", view="expiring")
    today = dt.date.today()
    soon = sql(
        database_url,
        "SELECT count(*) FROM inspector WHERE active AND id_valid_until >= "
        f"'{today.isoformat()}' AND id_valid_until <= '{(today + dt.timedelta(days=90)).isoformat()}'",
    )
    assert soon > 0 and len(at.dataframe) == 1 and len(at.dataframe[0].value) == soon
    assert not at.get("vega_lite_chart")


def test_form_adds_one_and_shows_errors(app, database_url):
    at = app("en", user=SUPERVISOR, view="form")
    before = sql(database_url, "SELECT count(*) FROM inspector")
    at.text_input(key="form_eid").set_value("bad id!")
    at.form_submit_button[0].click().run()
    assert not at.exception and at.error, "a form with empty fields must show errors"
    assert "Required field is empty" in at.error[0].value
    assert "Bad enforcement-ID format" in at.error[0].value
    assert sql(database_url, "SELECT count(*) FROM inspector") == before

    at.text_input(key="form_name").set_value("测试录入")
    at.text_input(key="form_eid").set_value("11010020260001")
    at.date_input(key="form_valid_until").set_value(dt.date.today() + dt.timedelta(days=700))
    at.text_input(key="form_agency").set_value("北京市市场监督管理局")
    at.selectbox(key="form_province").set_value("110000")
    at.multiselect(key="form_schemes").set_value(["QMS", "ISMS"])
    at.text_input(key="form_phone").set_value("13912345678")
    at.form_submit_button[0].click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert at.success and "11010020260001" in at.success[0].value
    assert sql(database_url, "SELECT count(*) FROM inspector") == before + 1
    assert sql(database_url, "SELECT count(*) FROM inspector WHERE enforcement_id = '11010020260001'") == 1


@pytest.mark.parametrize(
    ("lang", "says"),
    [
        ("en", ("invisible character", "Not a valid")),
        ("zh", ("含有控制字符或不可见字符", "不是有效的统一社会信用代码")),
    ],
)
def test_the_form_names_invisible_characters_and_bad_credit_codes(app, database_url, lang, says):
    at = app(lang, user=SUPERVISOR, view="form")
    before = _count(database_url)
    at.text_input(key="form_name").set_value("全角\u200b录入")
    at.text_input(key="form_eid").set_value("１１０１００２０２６０００９")
    at.text_input(key="form_affiliations").set_value(CREDIT.replace("0", "O", 1))
    at.form_submit_button[0].click().run()
    assert not at.exception and at.error
    assert all(text in at.error[0].value for text in says), at.error[0].value
    assert _count(database_url) == before


def test_the_form_stores_full_width_input_normalised(app, database_url):
    at = app("en", user=SUPERVISOR, view="form")
    at.text_input(key="form_name").set_value("全角录入")
    at.text_input(key="form_eid").set_value("１１０１００２０２６０００９")
    at.date_input(key="form_valid_until").set_value(dt.date.today() + dt.timedelta(days=700))
    at.text_input(key="form_agency").set_value("北京市市场监督管理局")
    at.selectbox(key="form_province").set_value("110000")
    at.multiselect(key="form_schemes").set_value(["QMS"])
    at.text_input(key="form_phone").set_value("１３９１２３４５６７８")
    at.form_submit_button[0].click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert "11010020260009" in at.success[0].value  # shown as stored
    stored = (
        "SELECT count(*) FROM inspector WHERE phone = '13912345678' AND enforcement_id = '11010020260009'"
    )
    assert sql(database_url, stored) == 1


def _count(url: str) -> int:
    engine = make_engine(url)
    with engine.connect() as connection:
        value = connection.scalar(select(func.count()).select_from(Inspector.__table__))
    engine.dispose()
    return int(value)


def test_import_bad_file_lists_rows_and_good_file_imports_on_confirm(app, database_url):
    at = app("zh", user=ADMIN, view="import")
    before = _count(database_url)
    at.file_uploader[0].set_value(("bad.xlsx", xlsx_file(BAD_ROWS), "application/octet-stream")).run()
    assert not at.exception
    assert at.error and "8 行不能导入" in at.error[0].value
    problems = at.dataframe[-2].value
    assert list(problems.iloc[:, 0]) == list(range(2, 10))  # every bad row, with its row number
    assert "B3" in set(problems.iloc[:, 1]) and "与第 4 行重复" in " ".join(problems.iloc[:, 4])
    assert not [b for b in at.button if b.key and b.key.startswith("insp_confirm")]
    assert _count(database_url) == before

    at.file_uploader[0].set_value(("good.csv", csv_file(GOOD_ROWS), "text/csv")).run()
    assert not at.exception and not at.error
    confirm = next(b for b in at.button if b.key and b.key.startswith("insp_confirm"))
    assert _count(database_url) == before  # nothing written before the confirmation
    confirm.click().run()
    assert not at.exception
    assert _count(database_url) == before + 3
    assert "新增 3 人" in at.success[0].value
    confirm = next(b for b in at.button if b.key and b.key.startswith("insp_confirm"))
    confirm.click().run()  # the same file again changes nothing
    assert "新增 0 人，更新 0 人，未变 3 人" in at.success[0].value
    assert _count(database_url) == before + 3


def test_staff_see_no_entry_tabs_and_a_forged_view_opens_the_registry(app):
    at = app("en", view="import")
    assert [tab.label for tab in at.tabs] == ["Browse", "Counts", "IDs expiring"]
    assert not at.get("file_uploader") and not at.button
    assert at.query_params.get("view") in (None, "registry", ["registry"])


def test_the_supervisor_sees_unmasked_phones(app, database_url):
    at = app("en", user=SUPERVISOR)
    phones = at.dataframe[-1].value.iloc[:, -1]
    assert not any("****" in phone for phone in phones)
    assert sql(database_url, "SELECT count(*) FROM inspector") == len(phones)


@pytest.mark.parametrize(
    ("lang", "named", "choose"),
    [("zh", "多个含数据的工作表", "要导入的工作表"), ("en", "several sheets", "Sheet to import")],
)
def test_a_workbook_with_two_data_sheets_asks_which_one(app, database_url, lang, named, choose):
    at = app(lang, user=ADMIN, view="import")
    before = _count(database_url)
    two = xlsx_sheets({"第一批": GOOD_ROWS[:1], "第二批": GOOD_ROWS[1:]})
    at.file_uploader[0].set_value(("two.xlsx", two, "application/octet-stream")).run()
    assert not at.exception
    warning = at.warning[0].value
    assert (
        warning.startswith("two.xlsx: ")
        and named in warning
        and "“第一批”" in warning
        and "“第二批”" in warning
    )
    assert not [b for b in at.button if b.key and b.key.startswith("insp_confirm")]  # nothing to confirm yet
    choice = next(s for s in at.selectbox if s.label == choose)
    choice.set_value("第二批").run()
    assert not at.exception and not at.error
    assert "第二批" in " ".join(c.value for c in at.caption)
    assert [b for b in at.button if b.key and b.key.startswith("insp_confirm")]  # two rows ready
    assert _count(database_url) == before


@pytest.mark.parametrize(("lang", "says"), [("zh", "文件编码无法识别"), ("en", "Unrecognised text encoding")])
def test_a_big5_file_is_refused_naming_the_file(app, database_url, lang, says):
    at = app(lang, user=ADMIN, view="import")
    before = _count(database_url)
    at.file_uploader[0].set_value(("big5.csv", TRADITIONAL.encode("big5"), "text/csv")).run()
    assert not at.exception
    assert at.error[0].value.startswith("big5.csv: ") and says in at.error[0].value
    assert _count(database_url) == before
