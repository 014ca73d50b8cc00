"""AppTest of the Institutions & approvals page on the seeded demo database."""

from __future__ import annotations

import pytest

from tests.dashboard.conftest import as_int, metric_values


def register_of(at):
    """The institution register table (the one with an approval-number column)."""
    return next(frame.value for frame in at.dataframe if "Approval number" in frame.value.columns)


@pytest.mark.parametrize(
    ("lang", "received", "approved"),
    [("zh", "收到申请", "批准"), ("en", "Applications received", "Approved")],
)
def test_institutions_runs_and_pipeline_equals_sql(open_page, sql, lang, received, approved):
    at = open_page("institutions", lang=lang)
    shown = metric_values(at)
    assert as_int(shown[received]) == sql("SELECT count(*) FROM approvalapplication")
    assert as_int(shown[approved]) == sql(
        "SELECT count(*) FROM approvalapplication WHERE status = 'approved'"
    )
    assert len(at.tabs) == 5 and not at.dataframe  # the default tab holds the funnel only
    assert len(at.get("vega_lite_chart")) == 1


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize(("view", "tables", "charts"), [("processing", 1, 3), ("applications", 1, 1)])
def test_every_tab_runs_alone(open_page, lang, view, tables, charts):
    at = open_page("institutions", lang=lang, view=view)
    assert len(at.dataframe) == tables and len(at.get("vega_lite_chart")) == charts
    assert at.get("download_button")


def test_applications_table_adds_up_to_the_applications(open_page, sql):
    at = open_page("institutions", lang="en", view="applications", provinces="440000")
    table = at.dataframe[0].value
    assert int(table["Applications"].sum()) == sql(
        "SELECT count(*) FROM approvalapplication WHERE region_code = '440000'"
    )


def test_filters_drive_the_pipeline(open_page, sql):
    at = open_page("institutions", lang="en", years="2018-2018")
    assert as_int(metric_values(at)["Applications received"]) == sql(
        "SELECT count(*) FROM approvalapplication WHERE submitted_on BETWEEN '2018-01-01' AND '2018-12-31'"
    )
    at.multiselect(key="url_filter_types").set_value(["establish"]).run()
    at.multiselect(key="url_filter_provinces").set_value(["440000", "330000"]).run()
    assert not at.exception
    expected = sql(
        "SELECT count(*) FROM approvalapplication WHERE submitted_on BETWEEN '2018-01-01' AND '2018-12-31' "
        "AND type = 'establish' AND region_code IN ('440000', '330000')"
    )
    assert as_int(metric_values(at)["Applications received"]) == expected
    assert at.query_params["types"] in ("establish", ["establish"])


def test_search_and_detail_equal_sql(open_page, sql):
    at = open_page("institutions", lang="en", view="register")
    register = register_of(at)
    assert len(register) == sql("SELECT count(*) FROM institution")
    chosen = sql("SELECT id FROM institution ORDER BY id LIMIT 1 OFFSET 5")
    at.text_input(key="institution_search").set_value("CNCA-R").run()
    assert not at.exception
    assert len(register_of(at)) == sql(
        "SELECT count(*) FROM institution WHERE approval_number LIKE '%CNCA-R%'"
    )
    at.text_input(key="institution_search").set_value(register["Name"].iloc[0]).run()
    assert register_of(at)["Name"].tolist() == [register["Name"].iloc[0]]

    at = open_page("institutions", lang="en", view="detail")
    assert not [frame for frame in at.dataframe if "Approval number" in frame.value.columns]  # no register
    biggest = sql(
        "SELECT institution_id FROM certificate WHERE status = 'valid' GROUP BY institution_id "
        "ORDER BY count(*) DESC, institution_id LIMIT 1"
    )
    assert at.selectbox(key="institution_pick").value == biggest
    pick = at.selectbox(key="institution_pick")
    pick.set_value(chosen).run()
    assert not at.exception
    shown = metric_values(at)
    assert as_int(shown["Certificates issued"]) == sql(
        "SELECT count(*) FROM certificate WHERE institution_id = :i", i=chosen
    )
    assert as_int(shown["Valid certificates"]) == sql(
        "SELECT count(*) FROM certificate WHERE institution_id = :i AND status = 'valid'", i=chosen
    )
    assert as_int(shown["Times drawn"]) == sql(
        "SELECT count(*) FROM drawtarget WHERE institution_id = :i", i=chosen
    )
    assert at.query_params["institution"] in (str(chosen), [str(chosen)])
    shared = open_page("institutions", lang="en", view="detail", institution=str(chosen))  # the link
    assert shared.selectbox(key="institution_pick").value == chosen
    assert metric_values(shared)["Certificates issued"] == shown["Certificates issued"]


def test_status_filter_narrows_the_register(open_page, sql):
    at = open_page("institutions", lang="en", statuses="cancelled", view="register")
    register = register_of(at)
    assert len(register) == sql("SELECT count(*) FROM institution WHERE status = 'cancelled'")
