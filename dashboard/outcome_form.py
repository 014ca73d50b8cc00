"""The widgets of one inspection result, shared by the entry form and the correction form.

``outcome_fields`` draws them (inside the caller's ``st.form``) under a key prefix, pre-set from a
stored record when correcting, and returns the ``OutcomeRecord`` they describe; Streamlit keeps what
was typed across reruns, so a refused save leaves the input in place. ``clear_fields`` empties them
after a save.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pandas as pd
import streamlit as st

from dashboard.i18n import current_language, strings, t
from models.imports.inspectors import LIST_SEPARATORS
from models.outcome_entry import ItemResult, OutcomeRecord, china_today
from models.vocabulary import (
    DISPOSAL_STATUSES,
    FINDING_CATEGORIES,
    FOLLOW_UPS,
    INSPECTION_METHODS,
    ITEM_RESULTS,
    NOT_INSPECTED_REASONS,
    OUTCOME_CODES,
)

FIELDS = (
    "date",
    "method",
    "outcome",
    "reason",
    "findings",
    "findings_text",
    "follow_up",
    "disposal",
    "closed_on",
    "inspectors",
    "note",
)


def _labels(prefix: str) -> Callable[[str], str]:
    """A label lookup fixed in the current language (widgets keep their format function)."""
    table = {key.rsplit(".", 1)[1]: texts for key, texts in strings().items() if key.startswith(f"{prefix}.")}
    language = current_language()
    return lambda code: table[code][language] if code in table else code


def _index(options: tuple[str, ...], value: str | None) -> int | None:
    return options.index(value) if value in options else None


def _choice(
    where, label: str, options: tuple[str, ...], prefix: str, value: str | None, default: str | None, key: str
) -> str | None:
    """A selectbox of codes shown by their labels, set to ``value`` (or ``default``; None: empty)."""
    return where.selectbox(
        t(label),
        options,
        index=_index(options, value if value is not None else default),
        format_func=_labels(prefix),
        placeholder="—",
        key=key,
    )


def outcome_fields(
    prefix: str, target_id: int, items: pd.DataFrame, stored: OutcomeRecord | None = None
) -> OutcomeRecord:
    """Draw the result's widgets (keys ``{prefix}_<field>``) and return the record they hold."""
    s = stored
    cols = st.columns(3)
    inspected_on = cols[0].date_input(
        t("camp.record.date"), s.inspected_on if s else china_today(), key=f"{prefix}_date"
    )
    method = _choice(
        cols[1],
        "camp.record.method",
        INSPECTION_METHODS,
        "out.method",
        s and s.method,
        "onsite",
        f"{prefix}_method",
    )
    outcome = _choice(
        cols[2],
        "camp.record.outcome",
        OUTCOME_CODES,
        "out.code",
        s and s.outcome_code,
        "no_violation",
        f"{prefix}_outcome",
    )
    findings = st.multiselect(
        t("camp.record.findings"),
        FINDING_CATEGORIES,
        default=list(s.findings) if s else [],
        format_func=_labels("out.finding"),
        placeholder=t("camp.record.findings_placeholder"),
        key=f"{prefix}_findings",
    )
    findings_text = st.text_area(
        t("out.field.findings_text"),
        s.findings_text if s else "",
        max_chars=2000,
        key=f"{prefix}_findings_text",
    )
    cols = st.columns(4)
    follow_up = _choice(
        cols[0],
        "camp.record.follow_up",
        FOLLOW_UPS,
        "out.follow",
        s and s.follow_up,
        "none",
        f"{prefix}_follow_up",
    )
    disposal = _choice(
        cols[1],
        "out.field.disposal_status",
        DISPOSAL_STATUSES,
        "out.disposal",
        s and s.disposal_status,
        "not_required",
        f"{prefix}_disposal",
    )
    closed_on = cols[2].date_input(
        t("out.field.closed_on"), s.closed_on if s else None, key=f"{prefix}_closed_on"
    )
    reason = _choice(
        cols[3],
        "out.field.not_inspected_reason",
        NOT_INSPECTED_REASONS,
        "out.reason",
        s and s.not_inspected_reason,
        None,
        f"{prefix}_reason",
    )
    cols = st.columns(2)
    inspectors = cols[0].text_input(
        t("out.field.inspectors"), s.inspectors if s else "", max_chars=256, key=f"{prefix}_inspectors"
    )
    note = cols[1].text_input(t("camp.record.note"), s.note if s else "", max_chars=256, key=f"{prefix}_note")
    results = _item_fields(prefix, items, {i.item_code: i for i in s.items} if s else {})
    return OutcomeRecord(
        target_id=target_id,
        inspected_on=inspected_on if isinstance(inspected_on, dt.date) else None,
        method=method or "",
        outcome_code=outcome or "",
        follow_up=follow_up or "none",
        findings=tuple(findings),
        note=note,
        findings_text=findings_text,
        not_inspected_reason=reason,
        disposal_status=disposal or "not_required",
        closed_on=closed_on if isinstance(closed_on, dt.date) else None,
        inspectors=inspectors,
        items=results,
    )


def _item_fields(prefix: str, items: pd.DataFrame, stored: dict[str, ItemResult]) -> tuple[ItemResult, ...]:
    if items.empty:
        return ()
    st.markdown(f"**{t('camp.record.items')}**")
    results = []
    for item in items.itertuples():
        old = stored.get(item.code)
        cols = st.columns([3, 2, 1])
        cols[0].markdown(f"{item.code} {item.title}", help=f"{item.check_content}\n\n{item.standard}")
        result = cols[1].selectbox(
            t("camp.record.item_result"),
            ITEM_RESULTS,
            index=_index(ITEM_RESULTS, old.result if old else None),
            format_func=_labels("out.item_result"),
            placeholder="—",
            key=f"{prefix}_item_{item.code}",
            label_visibility="collapsed",
        )
        score = cols[2].number_input(
            t("camp.record.item_score", max=item.score),
            min_value=0.0,
            value=old.score if old and old.score is not None else None,
            step=1.0,
            key=f"{prefix}_score_{item.code}",
            label_visibility="collapsed",
            placeholder=t("camp.record.item_score", max=item.score),
        )
        if result is not None or score is not None:
            results.append(ItemResult(item.code, result or "", score))
    return tuple(results)


def clear_fields(prefix: str) -> None:
    """Forget every widget value under ``prefix`` (after a save), so the form starts empty."""
    for key in [k for k in st.session_state if isinstance(k, str) and k.startswith(f"{prefix}_")]:
        del st.session_state[key]


def grid_record(row) -> OutcomeRecord:
    """The record of one edited grid row (a ``DataFrame.itertuples`` row of the results grid).

    Dates come as dates, datetimes or pandas timestamps (or NaT/None when left empty); finding
    categories as codes separated by ``;``, ``；``, ``,`` or spaces.
    """
    day = row.inspected_on
    if day is None or pd.isna(day):  # NaT passes for a datetime
        day = None
    elif isinstance(day, dt.datetime):
        day = day.date()
    findings = tuple(part for part in LIST_SEPARATORS.split(str(row.findings or "")) if part)
    return OutcomeRecord(
        target_id=int(row.target_id),
        inspected_on=day,
        method=row.method or "",
        outcome_code=row.outcome_code,
        follow_up=row.follow_up or "none",
        findings=findings,
        findings_text=str(row.findings_text or ""),
        disposal_status=row.disposal_status or "not_required",
        inspectors=str(row.inspectors or ""),
    )
