"""Altair chart helpers: bars, trends, heatmaps, a funnel and a tile-grid map of China's provinces.

Every helper takes an already aggregated, already labelled DataFrame and column names, and returns an
Altair chart; the caller shows it with ``show``. No network at run time: the map is a fixed grid.

Speed: Altair checks every chart against the Vega-Lite JSON schema, when its parts are built and again
in ``to_dict``; that was a third of a page's rerun (0.12 s of 0.4 s on the Certificates page). The
helpers here are checked against the schema once, in ``tests/dashboard/test_charts.py``, so at run time
``show`` turns the chart into a spec without validation and draws it with ``st.vega_lite_chart``.
"""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from models.reference_data import PROVINCES

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


def _configure(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    return chart.configure(font=FONT).configure_view(strokeWidth=0)


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
    horizontal: bool = False,
    sort: list[str] | str | None = None,
    height: int = 300,
    value_format: str = ",.0f",
) -> alt.Chart:
    """A bar chart of ``y`` by ``x`` (stacked by ``color`` if given); ``horizontal`` swaps the axes."""
    category = alt.X(f"{x}:N", title=x_title, sort=sort) if not horizontal else None
    value = alt.Y(f"{y}:Q", title=y_title, axis=alt.Axis(format=value_format))
    if horizontal:
        category = alt.Y(f"{x}:N", title=x_title, sort=sort)
        value = alt.X(f"{y}:Q", title=y_title, axis=alt.Axis(format=value_format))
    encodings = {"x": value, "y": category} if horizontal else {"x": category, "y": value}
    tooltip = [
        alt.Tooltip(f"{x}:N", title=x_title),
        alt.Tooltip(f"{y}:Q", title=y_title, format=value_format),
    ]
    if color:
        encodings["color"] = alt.Color(f"{color}:N", title=color_title or color)
        tooltip.insert(1, alt.Tooltip(f"{color}:N", title=color_title or color))
    return alt.Chart(frame).mark_bar().encode(**encodings, tooltip=tooltip).properties(height=height)


def trend(
    frame: pd.DataFrame,
    *,
    x: str,
    y: str,
    x_title: str,
    y_title: str,
    color: str | None = None,
    color_title: str | None = None,
    stacked_area: bool = False,
    height: int = 300,
) -> alt.Chart:
    """A monthly (``YYYY-MM``) trend: a line, or stacked areas by ``color``."""
    data = frame.assign(_date=pd.to_datetime(frame[x] + "-01"))
    encodings = {
        "x": alt.X("_date:T", title=x_title, axis=alt.Axis(format="%Y-%m")),
        "y": alt.Y(f"{y}:Q", title=y_title, stack=True if stacked_area else None),
        "tooltip": [
            alt.Tooltip(f"{x}:N", title=x_title),
            alt.Tooltip(f"{y}:Q", title=y_title, format=",.0f"),
        ],
    }
    if color:
        encodings["color"] = alt.Color(f"{color}:N", title=color_title or color)
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

    ``tooltip_x`` names a column with a longer label of ``x`` to show in the tooltip.
    """
    return (
        alt.Chart(frame[frame[value] > 0])
        .mark_rect()
        .encode(
            x=alt.X(f"{x}:N", title=x_title, sort=x_sort, axis=alt.Axis(labelAngle=0, labelLimit=220)),
            y=alt.Y(f"{y}:N", title=y_title, sort=y_sort),
            color=alt.Color(f"{value}:Q", title=value_title, scale=alt.Scale(type="log", scheme="blues")),
            tooltip=[
                alt.Tooltip(f"{tooltip_x or x}:N", title=x_title),
                alt.Tooltip(f"{y}:N", title=y_title),
                alt.Tooltip(f"{value}:Q", title=value_title, format=",.0f"),
            ],
        )
        .properties(height=height)
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
        tooltip=[alt.Tooltip("label:N", title=""), alt.Tooltip("value:Q", title=value_title, format=",.0f")],
    )
    filled = tiles["value"].notna()
    rect = base.mark_rect(cornerRadius=4, stroke="white", strokeWidth=2).encode(
        color=alt.condition(
            "isValid(datum.value) && datum.value > 0",
            alt.Color("value:Q", title=value_title, scale=alt.Scale(scheme="oranges", type="sqrt")),
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
        tooltip=[alt.Tooltip(f"{stage}:N", title=stage_title), alt.Tooltip(f"{value}:Q", format=",.0f")],
    )
    bars = base.mark_bar(color="#1f77b4")
    labels = base.mark_text(align="left", dx=4).encode(text=alt.Text(f"{value}:Q", format=",.0f"))
    return (bars + labels).properties(height=60 * len(order))
