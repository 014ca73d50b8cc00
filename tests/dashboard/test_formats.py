"""One formatter for numbers, percentages, dates and empty cells; charts that label and colour every value."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from dashboard import charts
from dashboard.formats import (
    EMPTY,
    d3_percent,
    format_date,
    format_delta,
    format_int,
    format_month,
    format_number,
    format_pct,
    percent_column_format,
)
from dashboard.tables import shown_frame
from models.reference_data import PROVINCE_CODES, SCHEME_CODES


@pytest.mark.parametrize("empty", [None, float("nan"), pd.NA, pd.NaT])
def test_empty_values_read_as_a_dash_never_none_or_nan(empty):
    for shown in (format_int(empty), format_pct(empty), format_number(empty), format_date(empty)):
        assert shown == EMPTY


def test_percentages_of_one_view_share_one_precision():
    shown = [format_pct(v) for v in (0.26, 0.2667, 0.1667, 0.181)]
    assert shown == ["26.0%", "26.7%", "16.7%", "18.1%"]
    assert [format_pct(v, 2) for v in (0.26, 0.1667)] == ["26.00%", "16.67%"]
    assert d3_percent() == ".1%" and percent_column_format() == "%.1f%%"


def test_counts_dates_months_and_deltas():
    assert format_int(3028.0) == "3,028" and format_int(2.5) == "2"  # half to even, like round()
    assert format_date(dt.date(2026, 6, 30)) == "2026-06-30"
    assert format_month(dt.date(2025, 6, 1), "zh") == "2025年6月"
    assert format_month(dt.date(2025, 6, 1), "en") == "June 2025"
    assert format_delta(1100, 1000) == "+100 (+10.0%)" and format_delta(5, 0) == "+5"
    assert format_delta(0, 0) is None


def test_a_shown_table_keeps_numbers_shows_shares_in_percent_and_empty_text_as_a_dash():
    frame = pd.DataFrame(
        {
            "name": ["甲", None],
            "kind": pd.Series(["a", None], dtype="category"),
            "share": [0.2, 0.1667],
            "n": [3, 4],
        }
    )
    shown, config = shown_frame(frame, percent_columns=["share"])
    assert shown["name"].tolist() == ["甲", EMPTY] and shown["kind"].tolist() == ["a", EMPTY]
    assert shown["share"].tolist() == pytest.approx([20.0, 16.67])
    assert shown["n"].tolist() == [3, 4]
    assert set(config) == {"share"}
    assert frame["share"].tolist() == [0.2, 0.1667]  # the frame (and so the export) is unchanged


def _spec(chart) -> dict:
    return charts.to_spec(chart)


def _encoding(spec: dict) -> dict:
    return spec["encoding"] if "encoding" in spec else spec["layer"][0]["encoding"]


def test_the_heatmap_labels_all_31_provinces_and_its_legend_reads_whole_counts():
    frame = pd.DataFrame(
        [{"province": code, "scheme": "QMS", "n": 3028.0 + i} for i, code in enumerate(PROVINCE_CODES)]
    )
    spec = _spec(
        charts.heatmap(
            frame,
            x="scheme",
            y="province",
            value="n",
            x_title="s",
            y_title="p",
            value_title="n",
            y_sort=list(PROVINCE_CODES),
            height=220,
        )
    )
    encoding = _encoding(spec)
    assert encoding["y"]["axis"]["labelOverlap"] is False
    assert spec["height"] >= 31 * charts.CATEGORY_STEP  # room for every label
    assert encoding["color"]["legend"]["format"] == ",.0f"


def test_a_bar_chart_of_15_bars_labels_every_bar():
    frame = pd.DataFrame({"label": [f"机构{i}" for i in range(15)], "n": range(15)})
    for horizontal in (True, False):
        spec = _spec(
            charts.bar(frame, x="label", y="n", x_title="x", y_title="y", horizontal=horizontal, height=120)
        )
        axis = _encoding(spec)["y" if horizontal else "x"]["axis"]
        assert axis["labelOverlap"] is False
        if horizontal:
            assert spec["height"] >= 15 * charts.CATEGORY_STEP


def test_colours_are_keyed_by_code_the_same_in_both_languages():
    zh = charts.colour_scale(
        "certificate_status",
        ["valid", "suspended", "withdrawn", "expired"],
        {"valid": "有效", "suspended": "暂停", "withdrawn": "撤销", "expired": "过期"}.get,
    )
    en = charts.colour_scale("certificate_status", ["valid", "suspended", "withdrawn", "expired"], str.title)
    assert zh.to_dict()["range"] == en.to_dict()["range"]
    assert zh.to_dict()["domain"] == ["有效", "暂停", "撤销", "过期"]
    valid = charts.COLOURS["certificate_status"]["valid"]
    assert valid != charts.COLOURS["certificate_status"]["withdrawn"]
    red, green = int(valid[1:3], 16), int(valid[3:5], 16)
    assert green > red  # "valid" is green, not red


def test_every_scheme_has_a_colour_of_its_own():
    colours = [charts.COLOURS["scheme"][code] for code in SCHEME_CODES]
    assert len(set(colours)) == len(SCHEME_CODES)
    assert charts.COLOURS["scheme"]["BANK"] != charts.COLOURS["scheme"]["SVC"]


def test_colour_legends_sit_below_the_chart():
    frame = pd.DataFrame({"month": ["2024-01", "2024-02"], "n": [1, 2], "s": ["a", "b"]})
    spec = _spec(
        charts.trend(frame, x="month", y="n", x_title="m", y_title="n", color="s", stacked_area=True)
    )
    assert _encoding(spec)["color"]["legend"]["orient"] == "bottom"
