"""Entry into the inspector registry: one person by form, many by template import (preview, then confirm).

The checks and writes live in ``models.imports.inspectors``; this module only shows them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging

import pandas as pd
import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from dashboard.auth import denied_text
from dashboard.i18n import province_name, scheme_name, t
from dashboard.store import get_engine
from dashboard.tables import show_table
from models.access import AccessDenied, Actor
from models.imports.inspectors import (
    FIELDS,
    TEMPLATE_COLUMNS,
    ImportPreview,
    ImportRejected,
    RowProblem,
    add_inspector,
    commit_import,
    enforcement_id_key,
    preview_import,
)
from models.imports.tabular import MAX_BYTES, ImportFileError
from models.imports.template import template_bytes
from models.reference_data import PROVINCE_CODES, SCHEME_CODES
from models.text import normalise

LOG = logging.getLogger(__name__)
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADERS = {key: f"{zh} {en}" for key, zh, en in TEMPLATE_COLUMNS}
DONE_KEY = "insp_import_done"


def problem_text(problem: RowProblem) -> str:
    """The reason of a row problem in the current language."""
    return t(f"insp.problem.{problem.kind}", other_row=problem.other_row or "")


def problems_frame(problems: tuple[RowProblem, ...] | list[RowProblem]) -> pd.DataFrame:
    """One labelled line per problem: row, cell, column, value, reason."""
    return pd.DataFrame(
        {
            t("insp.import.col.row"): [p.row for p in problems],
            t("insp.import.col.cell"): [p.cell for p in problems],
            t("insp.import.col.column"): [HEADERS.get(p.field, p.field) for p in problems],
            t("insp.import.col.value"): [p.value for p in problems],
            t("insp.import.col.reason"): [problem_text(p) for p in problems],
        }
    )


def preview_frame(preview: ImportPreview) -> pd.DataFrame:
    """Every row of the file with its check result and reasons, then its cells."""
    reasons: dict[int, list[str]] = {}
    for problem in preview.problems:
        reasons.setdefault(problem.row, []).append(
            f"{HEADERS.get(problem.field, '')}: {problem_text(problem)}"
        )
    rows = []
    for raw in preview.raw_rows:
        bad = raw.row in reasons
        rows.append(
            {
                t("insp.import.col.row"): raw.row,
                t("insp.import.col.status"): t("insp.import.status.bad" if bad else "insp.import.status.ok"),
                t("insp.import.col.reason"): "；".join(reasons.get(raw.row, [])),
                **{HEADERS[key]: raw.values.get(key, "") for key in FIELDS if key in preview.columns},
            }
        )
    return pd.DataFrame(rows)


def _forget_cached_reads() -> None:
    """Registry counts changed: drop cached query results so every page shows the new figures."""
    st.cache_data.clear()


def render_form(today: dt.date, actor: Actor) -> None:
    """A form for one inspector: validated like an import row, inserted with its competences."""
    st.subheader(t("insp.form.title"))
    with st.form("inspector_form"):
        left, right = st.columns(2)
        name = left.text_input(t("insp.col.name"), max_chars=32, key="form_name")
        enforcement_id = right.text_input(
            t("insp.col.enforcement_id"),
            max_chars=24,
            help=t("insp.form.help.enforcement_id"),
            key="form_eid",
        )
        valid_until = left.date_input(
            t("insp.col.id_valid_until"), value=None, min_value=dt.date(2000, 1, 1), key="form_valid_until"
        )
        agency = right.text_input(t("insp.col.agency"), max_chars=48, key="form_agency")
        province = left.selectbox(
            t("insp.col.province"),
            PROVINCE_CODES,
            index=None,
            format_func=province_name,
            key="form_province",
            placeholder=t("insp.form.choose"),
        )
        schemes = right.multiselect(
            t("insp.col.schemes"),
            SCHEME_CODES,
            format_func=scheme_name,
            key="form_schemes",
            placeholder=t("insp.form.choose"),
        )
        phone = left.text_input(t("insp.col.phone"), max_chars=20, key="form_phone")
        affiliations = right.text_input(
            t("insp.col.affiliations"), help=t("insp.form.help.affiliations"), key="form_affiliations"
        )
        active = left.checkbox(t("insp.col.active"), value=True)
        submitted = st.form_submit_button(t("insp.form.submit"), type="primary")
    if not submitted:
        return
    values = {
        "name": name,
        "enforcement_id": enforcement_id,
        "id_valid_until": valid_until.isoformat() if valid_until else "",
        "agency": agency,
        "province": province or "",
        "schemes": ";".join(schemes),
        "active": "1" if active else "0",
        "phone": phone,
        "affiliations": affiliations,
    }
    try:
        problems = add_inspector(get_engine(), values, actor=actor, today=today)
    except AccessDenied as error:
        st.error(denied_text(error))
        return
    except SQLAlchemyError as error:
        LOG.warning("inspector form insert failed: %s", error)
        st.error(t("insp.import.failed", reason=type(error).__name__))
        return
    if problems:
        lines = [f"- **{t('insp.col.' + p.field)}**: {problem_text(p)}" for p in problems]
        st.error("\n".join([t("insp.form.invalid"), *lines]))
        return
    _forget_cached_reads()
    st.success(t("insp.form.saved", name=normalise(name), eid=enforcement_id_key(normalise(enforcement_id))))


def _file_error_text(error: ImportFileError, filename: str) -> str:
    """The whole-file problem in the current language, after the file's name."""
    detail = dict(error.detail)
    if "columns" in detail:
        detail["columns"] = "、".join(HEADERS.get(c, c) for c in detail["columns"])
    if "sheets" in detail:
        detail["sheets"] = "、".join(f"“{name}”" for name in detail["sheets"])
    return f"{filename}: {t(f'insp.file.{error.kind}', **detail)}"


def _chosen_sheet(error: ImportFileError, digest: str) -> str | None:
    """A choice among the sheets with data when a workbook has several (None until one is chosen)."""
    sheets = list(error.detail.get("sheets", ()))
    return st.selectbox(
        t("insp.import.choose_sheet"),
        sheets,
        index=None,
        key=f"insp_sheet_{digest[:16]}",
        placeholder=t("insp.form.choose"),
    )


def _commit(preview: ImportPreview, digest: str, today: dt.date, actor: Actor) -> bool:
    """Write the preview; True on success (the result is kept in the session for the next run)."""
    try:
        result = commit_import(get_engine(), preview, actor=actor, today=today)
    except AccessDenied as error:
        st.error(denied_text(error))
        return False
    except ImportRejected as rejected:
        st.error(t("insp.import.failed", reason=t("insp.import.problems")))
        show_table(problems_frame(rejected.problems), name="inspector_import_rejected")
        return False
    except SQLAlchemyError as error:
        LOG.warning("inspector import failed: %s", error)
        st.error(t("insp.import.failed", reason=type(error).__name__))
        return False
    _forget_cached_reads()
    st.session_state[DONE_KEY] = (digest, result)
    return True


def render_import(today: dt.date, actor: Actor) -> None:
    """Template download, upload, row-level preview and a confirm button (all or nothing)."""
    st.markdown(f"**{t('insp.import.step1')}**")
    st.download_button(
        t("insp.import.template"),
        template_bytes,  # built on click
        file_name="inspector_template.xlsx",
        mime=XLSX_MIME,
        key="insp_template",
        on_click="ignore",
        icon=":material/download:",
    )
    st.markdown(f"**{t('insp.import.step2')}**")
    upload = st.file_uploader(
        t("insp.import.upload"),
        type=["xlsx", "csv"],
        key="insp_upload",
        max_upload_size=MAX_BYTES // (1024 * 1024),  # the browser refuses bigger files up front
    )
    if upload is None:
        return
    data = upload.getvalue()
    digest = hashlib.sha256(data).hexdigest()
    sheet = None
    try:
        try:
            preview = preview_import(get_engine(), data, upload.name, today=today)
        except ImportFileError as error:
            if error.kind != "several_sheets":
                raise
            st.warning(_file_error_text(error, upload.name))
            sheet = _chosen_sheet(error, digest)
            if sheet is None:
                return
            preview = preview_import(get_engine(), data, upload.name, today=today, sheet=sheet)
    except ImportFileError as error:
        st.error(_file_error_text(error, upload.name))
        return
    except SQLAlchemyError as error:
        LOG.warning("inspector import preview failed: %s", error)
        st.error(t("common.database_missing"))
        return
    st.markdown(f"**{t('insp.import.step3')}**")
    st.caption(
        t("insp.import.rows", rows=preview.rows)
        + (f" · {t('insp.import.sheet', sheet=preview.sheet)}" if preview.sheet else "")
    )
    if preview.problems:
        st.error(t("insp.import.bad", bad=len(preview.bad_rows), problems=len(preview.problems)))
        st.markdown(f"##### {t('insp.import.problems')}")
        show_table(problems_frame(preview.problems), name="inspector_import_problems")
    elif not preview.records:
        st.warning(t("insp.import.empty"))
    else:
        done = st.session_state.get(DONE_KEY)
        imported = bool(done and done[0] == digest)
        if imported:
            result = done[1]
            st.success(
                t(
                    "insp.import.done",
                    inserted=result.inserted,
                    updated=result.updated,
                    unchanged=result.unchanged,
                )
            )
        else:
            st.info(t("insp.import.good", rows=len(preview.records)))
        label = "insp.import.again" if imported else "insp.import.confirm"
        if st.button(
            t(label, rows=len(preview.records)),
            type="secondary" if imported else "primary",
            key=f"insp_confirm_{digest[:16]}",
        ) and _commit(preview, digest, today, actor):
            st.rerun()
    if preview.raw_rows:
        st.markdown(f"##### {t('insp.import.preview')}")
        st.dataframe(preview_frame(preview), hide_index=True, height=min(420, 38 + 35 * preview.rows))
