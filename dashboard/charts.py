"""Altair chart helpers: bars, trends, heatmaps, a funnel and a tile-grid map of China's provinces.

Every helper takes an already aggregated, already labelled DataFrame and column names, and returns an
Altair chart; the caller shows it with ``show``. No network at run time: the map is a fixed grid.

Speed: Altair checks every chart against the Vega-Lite JSON schema, when its parts are built and again
in ``to_dict``; that was a third of a page's rerun (0.12 s of 0.4 s on the Certificates page). The
helpers here are checked against the schema once, in ``tests/dashboard/test_charts.py``, so at run time
``show`` turns the chart into a spec without validation and draws it with ``st.vega_lite_chart``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import altair as alt
import pandas as pd
import streamlit as st

from dashboard.formats import D3_INT
from models.reference_data import PROVINCES, SCHEME_CODES

# Schema checks happen in the tests (see the module docstring), not on every rerun.
alt.utils.schemapi.disable_debug_mode()

FONT = "WenQuanYi Micro Hei, Noto Sans CJK SC, Microsoft YaHei, PingFang SC, sans-serif"

# (row, col) of each province on the tile grid, roughly where it lies (north up, west left).
TILE_GRID: dict[str, tuple[int, int]] = {
    "230000": (0, 7),  # 黑龙江
    "150000": (1, 5),  # 内蒙古
    "220000": (1, 7),  # 吉林
    "650000": (2, 0),  # 新疆
    "620000": (2, 2),  # 甘肃
    "640000": (2, 3),  # 宁夏
    "140000": (2, 4),  # 山西
    "110000": (2, 5),  # 北京
    "120000": (2, 6),  # 天津
    "210000": (2, 7),  # 辽宁
    "630000": (3, 1),  # 青海
    "610000": (3, 3),  # 陕西
    "410000": (3, 4),  # 河南
    "130000": (3, 5),  # 河北
    "370000": (3, 6),  # 山东
    "540000": (4, 0),  # 西藏
    "510000": (4, 2),  # 四川
    "500000": (4, 3),  # 重庆
    "420000": (4, 4),  # 湖北
    "340000": (4, 5),  # 安徽
    "320000": (4, 6),  # 江苏
    "310000": (4, 7),  # 上海
    "530000": (5, 2),  # 云南
    "520000": (5, 3),  # 贵州
    "430000": (5, 4),  # 湖南
    "360000": (5, 5),  # 江西
    "330000": (5, 6),  # 浙江
    "450000": (6, 3),  # 广西
    "440000": (6, 4),  # 广东
    "350000": (6, 5),  # 福建
    "460000": (7, 4),  # 海南
}
_ABBR = {code: abbr for code, abbr, *_ in PROVINCES}

# One colour per vocabulary value, keyed by the code (not the translated label), so that a value has
# the same colour in both languages; statuses read as they mean ("valid" green, never red).
_DISTINCT = ("#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2", "#b279a2", "#eeca3b", "#9d755d")
_DISTINCT += ("#ff9da6", "#79706e", "#17becf", "#bcbd22", "#1f3b73", "#8c564b", "#aec7e8")
COLOURS: dict[str, dict[str, str]] = {
    "scheme": dict(zip(SCHEME_CODES, _DISTINCT, strict=False)),
    "certificate_status": {
        "valid": "#54a24b",
        "suspended": "#f58518",
        "withdrawn": "#e45756",
        "expired": "#9d9d9d",
    },
    "institution_status": {
        "approved": "#54a24b",
        "suspended": "#f58518",
        "revoked": "#e45756",
        "cancelled": "#9d9d9d",
    },
    "application_type": {
        "establish": "#4c78a8",
        "change": "#72b7b2",
        "extend": "#eeca3b",
        "renew": "#b279a2",
        "cancel": "#9d755d",
    },
}
# Legends go under the chart in two columns: at phone width (390 px) a legend on the right takes most
# of the width, and more columns are cut off at the right edge.
LEGEND = {"orient": "bottom", "direction": "horizontal", "columns": 2, "labelLimit": 130}
CATEGORY_STEP = 20  # pixels per category on a category axis: every label shown, none overlapping


def colour_scale(kind: str, codes: Iterable[str], label: Callable[[str], str]) -> alt.Scale:
    """The colour scale of vocabulary ``kind`` over ``codes``, for a chart coloured by ``label(code)``.

    The domain is the labels in the current language, the range the colours of their codes
    (`COLOURS`), so a value keeps its colour whatever the language.
    """
    colours = COLOURS[kind]
    chosen = [code for code in codes if code in colours]
    return alt.Scale(domain=[label(code) for code in chosen], range=[colours[code] for code in chosen])


def _category_axis(**options: object) -> alt.Axis:
    """A category axis that shows every label (Vega-Lite drops overlapping ones by default)."""
    return alt.Axis(labelOverlap=False, labelLimit=options.pop("labelLimit", 200), **options)


def _categories_height(frame: pd.DataFrame, column: str, height: int) -> int:
    return max(height, CATEGORY_STEP * int(frame[column].nunique()))


# Fit the width to the column, but keep the declared height for the plot itself: with Streamlit's
# default ("fit" both ways) a legend below the chart is taken out of the plot's height.
AUTOSIZE = alt.AutoSizeParams(type="fit-x", contains="padding")


def _configure(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    return chart.properties(autosize=AUTOSIZE).configure(font=FONT).configure_view(strokeWidth=0)


def to_spec(chart: alt.TopLevelMixin) -> dict:
    """The Vega-Lite spec of ``chart`` with the CJK-capable font set, data inlined, not re-validated."""
    return _configure(chart).to_dict(validate=False)


def show(chart: alt.TopLevelMixin, *, key: str | None = None) -> None:
    """Draw ``chart`` at the container's width with the CJK-capable font set."""
    st.vega_lite_chart(to_spec(chart), width="stretch", key=key)


def bar(
    frame: pd.DataFrame,
    *,
    x: str,
    y: str,
    x_title: str,
    y_title: str,
    color: str | None = None,
    color_title: str | None = None,
    color_scale: alt.Scale | None = None,
    horizontal: bool = False,
    sort: list[str] | str | None = None,
    height: int = 300,
    value_format: str = D3_INT,
) -> alt.Chart:
    """A bar chart of ``y`` by ``x`` (stacked by ``color`` if given); ``horizontal`` swaps the axes.

    Every category gets its label (a horizontal chart grows to `CATEGORY_STEP` pixels a bar);
    ``color_scale`` (`colour_scale`) fixes the colour of each value of ``color``.
    """
    category = alt.X(f"{x}:N", title=x_title, sort=sort, axis=_category_axis()) if not horizontal else None
    value = alt.Y(f"{y}:Q", title=y_title, axis=alt.Axis(format=value_format))
    if horizontal:
        category = alt.Y(f"{x}:N", title=x_title, sort=sort, axis=_category_axis())
        value = alt.X(f"{y}:Q", title=y_title, axis=alt.Axis(format=value_format))
        height = _categories_height(frame, x, height)
    encodings = {"x": value, "y": category} if horizontal else {"x": category, "y": value}
    tooltip = [
        alt.Tooltip(f"{x}:N", title=x_title),
        alt.Tooltip(f"{y}:Q", title=y_title, format=value_format),
    ]
    if color:
        encodings["color"] = _colour(color, color_title, color_scale)
        tooltip.insert(1, alt.Tooltip(f"{color}:N", title=color_title or color))
    return alt.Chart(frame).mark_bar().encode(**encodings, tooltip=tooltip).properties(height=height)


def _colour(column: str, title: str | None, scale: alt.Scale | None) -> alt.Color:
    options = {"title": title or column, "legend": alt.Legend(**LEGEND)}
    if scale is not None:
        options["scale"] = scale
    return alt.Color(f"{column}:N", **options)


def trend(
    frame: pd.DataFrame,
    *,
    x: str,
    y: str,
    x_title: str,
    y_title: str,
    color: str | None = None,
    color_title: str | None = None,
    color_scale: alt.Scale | None = None,
    stacked_area: bool = False,
    height: int = 300,
) -> alt.Chart:
    """A monthly (``YYYY-MM``) trend: a line, or stacked areas by ``color`` (legend below the chart)."""
    data = frame.assign(_date=pd.to_datetime(frame[x] + "-01"))
    encodings = {
        "x": alt.X("_date:T", title=x_title, axis=alt.Axis(format="%Y-%m")),
        "y": alt.Y(f"{y}:Q", title=y_title, stack=True if stacked_area else None),
        "tooltip": [
            alt.Tooltip(f"{x}:N", title=x_title),
            alt.Tooltip(f"{y}:Q", title=y_title, format=D3_INT),
        ],
    }
    if color:
        encodings["color"] = _colour(color, color_title, color_scale)
        encodings["tooltip"].insert(1, alt.Tooltip(f"{color}:N", title=color_title or color))
    mark = alt.Chart(data).mark_area(opacity=0.85) if stacked_area else alt.Chart(data).mark_line(point=False)
    return mark.encode(**encodings).properties(height=height)


def heatmap(
    frame: pd.DataFrame,
    *,
    x: str,
    y: str,
    value: str,
    x_title: str,
    y_title: str,
    value_title: str,
    x_sort: list[str] | None = None,
    y_sort: list[str] | None = None,
    height: int = 420,
    tooltip_x: str | None = None,
) -> alt.Chart:
    """Cells coloured by ``value`` (log scale, so that small schemes stay visible).

    Every row and column gets its label (the chart grows to `CATEGORY_STEP` pixels a row; the
    sort lists, when given, name every category even without data). ``tooltip_x`` names a column
    with a longer label of ``x`` to show in the tooltip.
    """
    rows = len(y_sort) if y_sort is not None else int(frame[y].nunique())
    return (
        alt.Chart(frame[frame[value] > 0])
        .mark_rect()
        .encode(
            x=alt.X(f"{x}:N", title=x_title, sort=x_sort, axis=_category_axis(labelAngle=0, labelLimit=220)),
            y=alt.Y(f"{y}:N", title=y_title, sort=y_sort, axis=_category_axis()),
            color=alt.Color(
                f"{value}:Q",
                title=value_title,
                scale=alt.Scale(type="log", scheme="blues"),
                legend=alt.Legend(format=D3_INT, orient="bottom"),
            ),
            tooltip=[
                alt.Tooltip(f"{tooltip_x or x}:N", title=x_title),
                alt.Tooltip(f"{y}:N", title=y_title),
                alt.Tooltip(f"{value}:Q", title=value_title, format=D3_INT),
            ],
        )
        .properties(height=max(height, CATEGORY_STEP * rows))
    )


def tile_map(
    counts: pd.DataFrame,
    *,
    names: dict[str, str],
    value_title: str,
    value: str = "n",
    height: int = 440,
) -> alt.LayerChart:
    """A tile-grid map of the 31 provinces coloured by ``value``; provinces without data are grey.

    ``counts`` has ``region_code`` and ``value``; ``names`` maps codes to the labels to print.
    """
    values = dict(zip(counts["region_code"], counts[value], strict=False))
    tiles = pd.DataFrame(
        [
            {
                "region_code": code,
                "row": row,
                "col": col,
                "label": names.get(code, _ABBR[code]),
                "value": values.get(code),
            }
            for code, (row, col) in TILE_GRID.items()
        ]
    )
    base = alt.Chart(tiles).encode(
        x=alt.X("col:O", axis=None),
        y=alt.Y("row:O", axis=None),
        tooltip=[alt.Tooltip("label:N", title=""), alt.Tooltip("value:Q", title=value_title, format=D3_INT)],
    )
    filled = tiles["value"].notna()
    rect = base.mark_rect(cornerRadius=4, stroke="white", strokeWidth=2).encode(
        color=alt.condition(
            "isValid(datum.value) && datum.value > 0",
            alt.Color(
                "value:Q",
                title=value_title,
                scale=alt.Scale(scheme="oranges", type="sqrt"),
                legend=alt.Legend(format=D3_INT, orient="bottom"),
            ),
            alt.value("#e6e6e6"),
        )
    )
    middle = float(tiles.loc[filled, "value"].median()) if filled.any() else 0.0
    text = base.mark_text(fontSize=12, fontWeight="bold").encode(
        text="label:N",
        color=alt.condition(f"datum.value > {middle * 2}", alt.value("white"), alt.value("#333333")),
    )
    return (rect + text).properties(height=height)


def funnel(
    frame: pd.DataFrame, *, stage: str, value: str, stage_title: str, value_title: str, order: list[str]
) -> alt.LayerChart:
    """A horizontal funnel: one bar per stage in ``order`` with its count printed beside it."""
    base = alt.Chart(frame).encode(
        y=alt.Y(f"{stage}:N", title=stage_title, sort=order),
        x=alt.X(f"{value}:Q", title=value_title),
        tooltip=[alt.Tooltip(f"{stage}:N", title=stage_title), alt.Tooltip(f"{value}:Q", format=D3_INT)],
    )
    bars = base.mark_bar(color="#1f77b4")
    labels = base.mark_text(align="left", dx=4).encode(text=alt.Text(f"{value}:Q", format=D3_INT))
    return (bars + labels).properties(height=60 * len(order))
