"""Charts: every spec a page draws is valid Vega-Lite, and the helpers put the data where they should.

``dashboard.charts.show`` skips Altair's schema check at run time (it cost a third of a rerun), so the
check happens here: on each helper's output, and on every chart that every tab of every page draws on
the demo database.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest
from altair.utils.schemapi import validate_jsonschema
from altair.vegalite.v6.schema.core import load_schema

from dashboard import charts
from models.reference_data import PROVINCE_CODES

SCHEMA = load_schema()
# every tab of every page with charts (name in the URL -> charts it draws on the demo database)
PAGE_TABS = {
    "overview": [None],
    "institutions": ["pipeline", "processing", "applications", "detail"],
    "certificates": ["provinces", "matrix", "issuance", "concentration", "expiring", "status_share"],
    "inspectors": ["counts"],
    "outcomes": ["findings", "provinces", "schemes", "institutions"],
    "planning": [None],
}


def assert_valid(spec: dict) -> None:
    validate_jsonschema(spec, SCHEMA)  # raises with the offending path


def rows(spec: dict) -> list[dict]:
    """The inline rows of a spec built from one DataFrame."""
    (values,) = spec["datasets"].values()
    return values


FRAME = pd.DataFrame({"label": ["甲", "乙", "丙"], "n": [3, 1, 2], "group": ["a", "b", "a"]})


@pytest.mark.parametrize(
    "chart",
    [
        charts.bar(FRAME, x="label", y="n", x_title="x", y_title="y"),
        charts.bar(FRAME, x="label", y="n", x_title="x", y_title="y", horizontal=True, color="group"),
        charts.trend(
            pd.DataFrame({"month": ["2024-01", "2024-02"], "n": [1, 2], "s": ["a", "a"]}),
            x="month",
            y="n",
            x_title="m",
            y_title="n",
            color="s",
            stacked_area=True,
        ),
        charts.heatmap(FRAME, x="group", y="label", value="n", x_title="x", y_title="y", value_title="v"),
        charts.funnel(FRAME, stage="label", value="n", stage_title="s", value_title="v", order=["甲", "乙"]),
        charts.tile_map(pd.DataFrame({"region_code": ["440000"], "n": [5]}), names={}, value_title="n"),
    ],
    ids=["bar", "bar-horizontal-colour", "trend", "heatmap", "funnel", "tile-map"],
)
def test_helper_specs_are_valid_vega_lite_with_the_cjk_font(chart):
    spec = charts.to_spec(chart)
    assert_valid(spec)
    assert spec["config"]["font"].startswith("WenQuanYi Micro Hei")
    assert spec == charts._configure(chart).to_dict(validate=True)  # the same spec the checked path gives


def test_tile_map_has_a_tile_per_province_and_grey_for_missing_ones():
    spec = charts.to_spec(
        charts.tile_map(
            pd.DataFrame({"region_code": ["440000", "110000"], "n": [900, 10]}),
            names={"440000": "广东"},
            value_title="n",
        )
    )
    tiles = rows(spec)
    assert sorted(tile["region_code"] for tile in tiles) == sorted(PROVINCE_CODES)
    by_code = {tile["region_code"]: tile for tile in tiles}
    assert by_code["440000"]["value"] == 900 and by_code["440000"]["label"] == "广东"
    assert by_code["110000"]["label"] == "BJ"  # no name given: the abbreviation
    assert by_code["650000"]["value"] is None
    assert len({(tile["row"], tile["col"]) for tile in tiles}) == len(PROVINCE_CODES)  # no overlaps


def test_heatmap_leaves_out_empty_cells_for_its_log_scale():
    frame = FRAME.assign(n=[3, 0, 2])
    spec = charts.to_spec(
        charts.heatmap(frame, x="group", y="label", value="n", x_title="x", y_title="y", value_title="v")
    )
    assert [row["n"] for row in rows(spec)] == [3, 2]


@pytest.mark.parametrize("page", list(PAGE_TABS))
def test_every_chart_every_page_draws_is_valid_vega_lite(open_page, page):
    drawn = 0
    for view in PAGE_TABS[page]:
        at = open_page(page, lang="zh", **({"view": view} if view else {}))
        for element in at.get("vega_lite_chart"):
            assert_valid(json.loads(element.proto.spec))
            drawn += 1
    assert drawn > 0
