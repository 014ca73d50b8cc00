"""Result errors in the reader's language: each problem as ``<field>: <what is wrong>``."""

from __future__ import annotations

from dashboard.i18n import strings, t
from models.draw_records import WorkflowError
from models.outcome_entry import Problem


def problem_text(problem: Problem) -> str:
    """One problem, e.g. ``检查日期：日期 2030-01-01 晚于今天（2026-11-30）``."""
    field = problem.field.split(".", 1)[0]
    label = t(f"out.field.{field}") if f"out.field.{field}" in strings() else field
    key = f"error.workflow.{problem.code}"
    text = t(key, **{k: str(v) for k, v in problem.values.items()}) if key in strings() else problem.code
    return t("out.problem", field=label, message=text)


def workflow_error_texts(error: WorkflowError) -> list[str]:
    """Every problem of a refused write, translated; the English message when there is no code."""
    problems = error.fields.get("problems")
    if problems:
        return [problem_text(problem) for problem in problems]
    key = f"error.workflow.{error.code}"
    if error.code and key in strings():
        values = {k: str(v) for k, v in error.fields.items() if k not in ("problems", "reasons")}
        return [t(key, **values)]
    return [t("camp.failed", message=str(error))]
