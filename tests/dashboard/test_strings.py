"""Every label the pages and UI helpers ask for exists in Chinese and English."""

from __future__ import annotations

import re
from pathlib import Path

from dashboard.strings import load_strings
from models.imports.inspectors import PROBLEM_KINDS
from models.imports.outcomes import CELL_KINDS as OUTCOME_CELL_KINDS
from models.imports.tabular import FILE_ERROR_KINDS
from models.queries.inspectors import VALIDITY_STATES
from models.vocabulary import (
    DISPOSAL_STATUSES,
    FINDING_CATEGORIES,
    FOLLOW_UPS,
    INSPECTION_METHODS,
    ITEM_RESULTS,
    NOT_INSPECTED_REASONS,
    OUTCOME_CODES,
    REVIEW_STATUSES,
)

ROOT = Path(__file__).resolve().parents[2]
MODULES = sorted(
    str(path.relative_to(ROOT))
    for path in [*ROOT.glob("dashboard/*.py"), *ROOT.glob("dashboard/pages/*.py"), ROOT / "streamlit_app.py"]
)


def _literal_keys() -> set[str]:
    keys: set[str] = set()
    for module in MODULES:
        text = (ROOT / module).read_text(encoding="utf-8")
        text = re.sub(r'prefixed_column\(\s*"[^"]*"\s*\)', "", text)  # prefixes, not keys
        keys |= set(re.findall(r'\bt\(\s*"([a-z_]+\.[a-z0-9_.]+)"', text))
        keys |= set(re.findall(r'"((?:insp|out)\.[a-z0-9_.]+)"', text))
    return keys


def _result_error_codes() -> set[str]:
    """Every ``code="..."`` the result modules raise or report (translated as error.workflow.*)."""
    codes: set[str] = set()
    modules = (
        "models/outcome_entry.py",
        "models/results.py",
        "models/checklist.py",
        "models/imports/outcomes.py",
    )
    for module in modules:
        text = (ROOT / module).read_text(encoding="utf-8")
        codes |= set(re.findall(r'\bcode="([a-z_]+)"', text))
        codes |= set(re.findall(r'Problem\(\s*(?:"[^"]*"|name|f"[^"]*"),\s*"([a-z_]+)"', text))
        codes |= set(re.findall(r'bad\(\s*(?:"[^"]*"|\w+(?:\([^)]*\))?),\s*"([a-z_]+)"', text))
        codes |= set(re.findall(r'CellProblem\([^)]*?"file",\s*"([a-z_]+)"', text))
    return codes


def _dynamic_keys() -> set[str]:
    keys = {f"insp.problem.{kind}" for kind in PROBLEM_KINDS}
    keys |= {f"insp.file.{kind}" for kind in FILE_ERROR_KINDS}
    keys |= {f"insp.validity.{state}" for state in VALIDITY_STATES}
    keys |= {f"out.code.{code}" for code in OUTCOME_CODES}
    keys |= {f"out.finding.{code}" for code in FINDING_CATEGORIES}
    keys |= {f"out.method.{code}" for code in INSPECTION_METHODS}
    keys |= {f"out.follow.{code}" for code in FOLLOW_UPS}
    keys |= {f"out.reason.{code}" for code in NOT_INSPECTED_REASONS}
    keys |= {f"out.disposal.{code}" for code in DISPOSAL_STATUSES}
    keys |= {f"out.review.{code}" for code in REVIEW_STATUSES}
    keys |= {f"out.item_result.{code}" for code in ITEM_RESULTS}
    keys |= {f"error.workflow.{code}" for code in _result_error_codes()}
    keys |= {f"error.workflow.{kind}" for kind in OUTCOME_CELL_KINDS}
    keys |= {f"camp.due.{state}" for state in ("late", "overdue", "due_soon")}
    keys |= {f"insp.col.{field}" for field in ("name", "enforcement_id", "id_valid_until", "agency")}
    keys |= {f"insp.col.{field}" for field in ("province", "schemes", "active", "phone", "affiliations")}
    return keys


def test_every_label_exists_in_both_languages():
    table = load_strings()
    wanted = _literal_keys() | _dynamic_keys()
    assert len(wanted) > 100
    prefixes = {key.rsplit(".", 1)[0] for key in table}  # "out.method" names a family, not a label
    missing = sorted(key for key in wanted if key not in table and key not in prefixes)
    empty = sorted(
        k for k in wanted if k in table and not (table[k]["zh"].strip() and table[k]["en"].strip())
    )
    assert missing == [] and empty == []


def _audit_actions() -> set[str]:
    """Every action the models write to the audit log (the literal names passed to the writers)."""
    actions: set[str] = set()
    for path in ROOT.glob("models/**/*.py"):
        text = path.read_text(encoding="utf-8")
        actions |= set(
            re.findall(r'(?:append_audit|_audit_import)\(\s*\w+,\s*\w+,\s*"([a-z_]+\.[a-z_]+)"', text)
        )
    return actions


def test_every_audit_action_has_a_label_in_both_languages():
    """The audit trails (campaigns page, public results) show each action by its label, not its code."""
    table = load_strings()
    actions = _audit_actions()
    assert {"draw.open", "draw.attempt", "draw.commit", "inspectors.import"} <= actions
    labels = {a: table.get(f"vocab.audit_action.{a}", {}) for a in actions}
    missing = sorted(a for a, label in labels.items() if not (label.get("zh") and label.get("en")))
    assert missing == []
