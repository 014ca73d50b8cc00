"""Tables whose CSV/Excel files are built only when a download button is clicked.

``dashboard.tables.show_table`` builds both files on every run; an .xlsx of a few thousand rows costs
seconds with openpyxl, which a page cannot pay on each filter change. The files here come from the
same ``csv_bytes``/``excel_bytes`` (formulas neutralised), passed to ``st.download_button`` as
callables, so they are generated on click.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import streamlit as st

from dashboard.downloads import csv_bytes, excel_bytes
from dashboard.i18n import t

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def lazy_download_buttons(frame: pd.DataFrame, *, name: str) -> None:
    """CSV and Excel buttons for ``frame`` (files ``name.csv``/``name.xlsx``) built on click."""
    left, right = st.columns(2)
    left.download_button(
        t("common.download_csv"),
        lambda: csv_bytes(frame),
        file_name=f"{name}.csv",
        mime="text/csv",
        key=f"csv_{name}",
        on_click="ignore",
    )
    right.download_button(
        t("common.download_excel"),
        lambda: excel_bytes(frame),
        file_name=f"{name}.xlsx",
        mime=XLSX_MIME,
        key=f"xlsx_{name}",
        on_click="ignore",
    )


def show_lazy_table(
    frame: pd.DataFrame,
    *,
    name: str,
    height: int | None = None,
    total_rows: int | None = None,
    column_config: Mapping[str, object] | None = None,
) -> None:
    """Show a labelled table with its row count and CSV/Excel downloads generated on click."""
    if frame.empty:
        st.caption(t("common.no_data"))
        return
    st.dataframe(
        frame,
        hide_index=True,
        height=height if height is not None else "auto",
        column_config=dict(column_config or {}),
    )
    if total_rows is not None and total_rows > len(frame):
        st.caption(t("common.rows_limited", shown=f"{len(frame):,}", n=f"{total_rows:,}"))
    else:
        st.caption(t("common.rows", n=f"{len(frame):,}"))
    lazy_download_buttons(frame, name=name)
