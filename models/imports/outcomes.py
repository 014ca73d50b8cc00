"""Bulk results (检查结果批量导入): a per-campaign Excel template, read back all-or-nothing.

``outcome_template`` writes an .xlsx with one row per target of the campaign (pre-filled with the
target, certificate, organisation, institution and province), the entry columns, two columns per
checklist item (result, score), drop-down lists and an instructions sheet; a hidden sheet names the
campaign and its items. ``import_outcomes`` reads such a file, checks every entered row with the one
validation (``models.outcome_entry.check_outcome``) plus the file's own rules (duplicates, targets that
already have a result, a template of another campaign or with changed item columns) and either writes
every row in one transaction with one audit entry, or nothing, returning the problems by cell.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy import Engine

from models.access import Actor, Permission, require
from models.draw_records import WorkflowError
from models.imports.inspectors import parse_date
from models.imports.tabular import INSTRUCTIONS_SHEET, ImportFileError, RawRow, read_table
from models.outcome_entry import (
    EntryContext,
    ItemResult,
    OutcomeRecord,
    Problem,
    check_batch,
    load_context,
    recorded_targets,
)
from models.queries.campaigns import campaign_targets
from models.queries.checklist import campaign_items
from models.results import record_outcomes
from models.vocabulary import (
    DISPOSAL_STATUSES,
    FINDING_CATEGORIES,
    FOLLOW_UPS,
    INSPECTION_METHODS,
    ITEM_RESULTS,
    NOT_INSPECTED_REASONS,
    OUTCOME_CODES,
)

SHEET = "检查结果 outcomes"
META_SHEET = "meta"
LISTS_SHEET = "lists"
# pre-filled, read-only columns: key, Chinese header, English header
INFO_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("target_id", "对象编号", "target_id"),
    ("certificate_number", "证书编号", "certificate"),
    ("organisation", "获证组织", "organisation"),
    ("institution", "认证机构", "institution"),
    ("region_code", "省份代码", "province"),
)
# entry columns: key, Chinese header, English header, vocabulary (None: free text or date)
ENTRY_COLUMNS: tuple[tuple[str, str, str, tuple[str, ...] | None], ...] = (
    ("inspected_on", "检查日期", "inspected_on", None),
    ("method", "检查方式", "method", INSPECTION_METHODS),
    ("outcome_code", "检查结论", "outcome_code", OUTCOME_CODES),
    ("not_inspected_reason", "未检查原因", "not_inspected_reason", NOT_INSPECTED_REASONS),
    ("findings", "问题类别", "findings", FINDING_CATEGORIES),
    ("findings_text", "检查发现", "findings_text", None),
    ("follow_up", "后续处理措施", "follow_up", FOLLOW_UPS),
    ("disposal_status", "处置状态", "disposal_status", DISPOSAL_STATUSES),
    ("closed_on", "办结日期", "closed_on", None),
    ("inspectors", "检查人员", "inspectors", None),
    ("note", "备注", "note", None),
)
VOCABULARY_KEYS = {  # entry column -> prefix of its labels in the string table
    "method": "out.method",
    "outcome_code": "out.code",
    "not_inspected_reason": "out.reason",
    "findings": "out.finding",
    "follow_up": "out.follow",
    "disposal_status": "out.disposal",
}
REQUIRED = ("target_id", "inspected_on", "method", "outcome_code")
DEFAULTS = {"follow_up": "none", "disposal_status": "not_required"}
Label = Callable[[str], str]  # string-table key (e.g. "out.method.onsite") -> label, for the template
# separators of categories in one findings cell; not spaces, which the template's options hold
# (买证卖证 certificate_selling)
FINDING_SEPARATORS = re.compile(r"[;；,，、/\n]+")
# problems of a whole cell (models.imports.tabular.cell_problem; no identifier columns here), reported
# under their own code
CELL_KINDS = ("excel_error", "invisible_character")
ID_TEXT = re.compile(r"[0-9]+")
MAX_EXACT_INTEGER = 2**53  # a double holds every integer below this exactly


def _result_key(code: str) -> str:
    return f"{code}_result"


def _score_key(code: str) -> str:
    return f"{code}_score"


def _option(label: Label | None, prefix: str, code: str) -> str:
    """A drop-down entry: ``现场检查 onsite`` (the code last, which is what is read back)."""
    text = label(f"{prefix}.{code}") if label else ""
    return f"{text} {code}" if text and text != code else code


@dataclass(frozen=True)
class CellProblem:
    """A problem in one cell of the file (``cell`` e.g. ``F12``; row 0 and empty column: the file)."""

    row: int
    column: str
    field: str
    code: str
    values: dict[str, object] = field(default_factory=dict)

    @property
    def cell(self) -> str:
        """The cell reference, e.g. ``F12``; the row alone when the column is not known."""
        return f"{self.column}{self.row}" if self.column else (str(self.row) if self.row else "")

    def message(self) -> str:
        """One English line: where, which field, what is wrong."""
        details = ", ".join(f"{key}={value}" for key, value in self.values.items())
        where = f"cell {self.cell} " if self.cell else ""
        return f"{where}({self.field}): {self.code}" + (f" ({details})" if details else "")

    def as_dict(self) -> dict[str, object]:
        """JSON-ready: row, column, cell, field, code, values (as text)."""
        return {
            "row": self.row,
            "column": self.column,
            "cell": self.cell,
            "field": self.field,
            "code": self.code,
            "values": {key: str(value) for key, value in self.values.items()},
        }


@dataclass(frozen=True)
class ImportResult:
    """What an import did: the outcome ids written, or the problems (and nothing written)."""

    written: tuple[int, ...] = ()
    problems: tuple[CellProblem, ...] = ()
    rows_read: int = 0

    @property
    def ok(self) -> bool:
        """No problems: every entered row was written."""
        return not self.problems


@dataclass(frozen=True)
class OutcomeFile:
    """A file read against a campaign: the clean rows (row number, record), the problems by cell, the
    campaign as it was checked against, and each field's column letter."""

    rows: list[tuple[int, OutcomeRecord]]
    problems: list[CellProblem]
    context: EntryContext
    columns: dict[str, str] = field(default_factory=dict)


def outcome_template(engine: Engine, campaign_id: int, *, viewer: Actor, label: Label | None = None) -> bytes:
    """The .xlsx template of a campaign: one row per target ``viewer`` may see, items as columns.

    ``label`` turns string-table keys into the labels shown in the drop-downs and the instructions
    (e.g. the Chinese ones); without it the codes alone are shown.
    """
    targets = campaign_targets(engine, campaign_id, viewer=viewer)
    items = campaign_items(engine, campaign_id)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    headers = [f"{zh} {en}" for _key, zh, en in INFO_COLUMNS]
    headers += [f"{zh} {en}" for _key, zh, en, _vocabulary in ENTRY_COLUMNS]
    for item in items.itertuples():
        headers += [
            f"{_result_key(item.code)} {item.title}结果",
            f"{_score_key(item.code)} 得分(0-{item.score})",
        ]
    sheet.append(headers)
    for row in targets.itertuples():
        sheet.append(
            [int(row.target_id), row.certificate_number, row.organisation, row.institution, row.region_code]
        )
    bold, grey, blue = (
        Font(bold=True),
        PatternFill("solid", fgColor="EEEEEE"),
        PatternFill("solid", fgColor="DDEBF7"),
    )
    for index in range(1, len(headers) + 1):
        cell = sheet.cell(row=1, column=index)
        cell.font, cell.fill = bold, grey if index <= len(INFO_COLUMNS) else blue
        sheet.column_dimensions[get_column_letter(index)].width = 14 if index > len(INFO_COLUMNS) else 22
    sheet.freeze_panes = sheet.cell(row=2, column=len(INFO_COLUMNS) + 1)
    last_row = max(2, len(targets) + 1)
    _drop_downs(workbook, sheet, items, last_row, label)
    for offset, (key, *_rest) in enumerate(ENTRY_COLUMNS, start=len(INFO_COLUMNS) + 1):
        if key in ("inspected_on", "closed_on"):
            for row_number in range(2, last_row + 1):
                sheet.cell(row=row_number, column=offset).number_format = "yyyy-mm-dd"
    meta = workbook.create_sheet(META_SHEET)
    meta.append(["campaign_id", campaign_id])
    meta.append(["items", ",".join(items["code"])])
    meta.sheet_state = "hidden"
    _instructions(workbook, items, label)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _drop_downs(workbook: Workbook, sheet, items, last_row: int, label: Label | None) -> None:
    lists = workbook.create_sheet(LISTS_SHEET)
    lists.sheet_state = "hidden"
    vocabularies = [
        (key, vocabulary, VOCABULARY_KEYS[key]) for key, _zh, _en, vocabulary in ENTRY_COLUMNS if vocabulary
    ]
    vocabularies.append(("item_result", ITEM_RESULTS, "out.item_result"))
    ranges: dict[str, str] = {}
    for column, (key, vocabulary, prefix) in enumerate(vocabularies, start=1):
        letter = get_column_letter(column)
        for row_number, code in enumerate(vocabulary, start=1):
            lists.cell(row=row_number, column=column, value=_option(label, prefix, code))
        ranges[key] = f"{LISTS_SHEET}!${letter}$1:${letter}${len(vocabulary)}"
    columns = {key: index for index, (key, *_rest) in enumerate(ENTRY_COLUMNS, start=len(INFO_COLUMNS) + 1)}
    for key, formula in ranges.items():
        if key == "findings":  # several categories in one cell: a list would refuse them
            continue
        if key == "item_result":
            targets = [len(INFO_COLUMNS) + len(ENTRY_COLUMNS) + 1 + 2 * i for i in range(len(items))]
        else:
            targets = [columns[key]]
        for column in targets:
            letter = get_column_letter(column)
            validation = DataValidation(type="list", formula1=formula, allow_blank=True)
            validation.add(f"{letter}2:{letter}{last_row}")
            sheet.add_data_validation(validation)


def _instructions(workbook: Workbook, items, label: Label | None) -> None:
    notes = workbook.create_sheet(INSTRUCTIONS_SHEET)
    notes.append(["列 column", "说明 notes"])
    notes.append(["对象编号 … 省份代码", "已预填，请勿修改 / pre-filled, do not change"])
    notes.append(
        [
            "检查日期 / 办结日期",
            "YYYY-MM-DD；在抽查期间内且不晚于今天 / within the campaign, not in the future",
        ]
    )
    notes.append(
        [
            "检查结论 outcome_code",
            "发现违法违规须填问题类别；未检查须填未检查原因 / a violation needs finding "
            "categories; not inspected needs its reason",
        ]
    )
    notes.append(["问题类别 findings", "可填多个，用 ；分隔 / several, separated by ；"])
    notes.append(["未填写检查结论等的行 / rows left blank", "不导入 / not imported"])
    notes.append([])
    notes.append(["检查事项 checklist", "检查内容 / 检查标准 / 分值"])
    for item in items.itertuples():
        notes.append([f"{item.code} {item.title}", f"{item.check_content}\n{item.standard}\n{item.score} 分"])
    notes.column_dimensions["A"].width = 30
    notes.column_dimensions["B"].width = 90
    for cell in notes[1]:
        cell.font = Font(bold=True)


def _aliases(items: Sequence[str]) -> dict[str, tuple[str, ...]]:
    aliases = {key: (zh, en) for key, zh, en in INFO_COLUMNS if key == "target_id"}
    aliases |= {key: (zh, en) for key, zh, en, _vocabulary in ENTRY_COLUMNS}
    for code in items:
        aliases[_result_key(code)] = (_result_key(code).lower(),)
        aliases[_score_key(code)] = (_score_key(code).lower(),)
    return aliases


def vocabulary_code(text: str, vocabulary: tuple[str, ...], prefix: str, labels: Sequence[Label]) -> str:
    """The code a typed vocabulary value names, or ``text`` unchanged when it names none.

    Accepted: the code (``onsite``), the option as the template shows it (``现场检查 onsite``) and the
    label alone (``现场检查``), for each label function in ``labels`` (string-table key -> label).
    Whatever else is returned as typed, for ``check_outcome`` to refuse (``not_in_vocabulary``).
    """
    typed = " ".join(text.split())
    for code in vocabulary:
        if typed == code:
            return code
        for label in labels:
            shown = label(f"{prefix}.{code}")
            if shown and typed in (shown, _option(label, prefix, code)):
                return code
    return text


def _target_id(value: object, text: str) -> int | None:
    """A target id cell as an integer: ASCII digits (after NFKC), or an Excel integer below 2**53."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        if isinstance(value, float) and not value.is_integer():
            return None
        return int(value) if 0 <= value < MAX_EXACT_INTEGER else None
    return int(text) if ID_TEXT.fullmatch(text) else None


def _template_campaign(data: bytes, filename: str) -> tuple[int | None, list[str] | None]:
    if not filename.lower().endswith(".xlsx"):
        return None, None
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):  # read_table reports the file
        return None, None
    if META_SHEET not in workbook.sheetnames:
        return None, None
    rows = {row[0]: row[1] for row in workbook[META_SHEET].iter_rows(values_only=True) if row and row[0]}
    campaign = rows.get("campaign_id")
    items = rows.get("items")
    return (int(campaign) if campaign is not None else None), (str(items).split(",") if items else [])


def _parse_row(
    raw: RawRow, items: Sequence[str], columns: dict[str, str], labels: Sequence[Label]
) -> tuple[OutcomeRecord | None, list[CellProblem]]:
    values, problems = raw.values, []

    def bad(key: str, code: str, **found: object) -> None:
        problems.append(CellProblem(raw.row, columns.get(key, ""), key, code, found))

    for key, kind in raw.problems.items():  # an Excel error or invisible character, named as it is
        bad(key, kind, value=values.get(key, ""))
    values = {key: text for key, text in values.items() if key not in raw.problems}
    target_text = values.get("target_id", "")
    target_id = _target_id(raw.raw.get("target_id"), target_text) if "target_id" in values else -1
    if target_id is None:
        shown = target_text
        if isinstance(raw.raw.get("target_id"), float):
            shown = format(raw.raw["target_id"], ".15g").upper()
        bad("target_id", "not_an_id", value=shown)
        target_id = -1
    dates: dict[str, dt.date | None] = {}
    for key in ("inspected_on", "closed_on"):
        text = values.get(key, "")
        dates[key] = parse_date(raw.raw.get(key), text) if text else None
        if text and dates[key] is None:
            bad(key, "bad_date", value=text)
    vocab = {key: vocabulary for key, _zh, _en, vocabulary in ENTRY_COLUMNS if vocabulary}
    codes = {
        key: vocabulary_code(
            values.get(key, "") or DEFAULTS.get(key, ""), vocab[key], VOCABULARY_KEYS[key], labels
        )
        for key in vocab
        if key != "findings"
    }
    findings = tuple(
        vocabulary_code(part.strip(), FINDING_CATEGORIES, VOCABULARY_KEYS["findings"], labels)
        for part in FINDING_SEPARATORS.split(values.get("findings", ""))
        if part.strip()
    )
    results = []
    for code in items:
        result_text = values.get(_result_key(code), "")
        score_text = values.get(_score_key(code), "")
        if not result_text and not score_text:
            continue
        score = None
        if score_text:
            try:
                score = float(score_text)
            except ValueError:
                bad(_score_key(code), "bad_number", value=score_text)
        result = vocabulary_code(result_text, ITEM_RESULTS, "out.item_result", labels)
        results.append(ItemResult(code, result, score))
    if problems:
        return None, problems
    record = OutcomeRecord(
        target_id=target_id,
        inspected_on=dates["inspected_on"],
        method=codes["method"],
        outcome_code=codes["outcome_code"],
        follow_up=codes["follow_up"],
        findings=findings,
        note=values.get("note", ""),
        findings_text=values.get("findings_text", ""),
        not_inspected_reason=codes["not_inspected_reason"] or None,
        disposal_status=codes["disposal_status"],
        closed_on=dates["closed_on"],
        inspectors=values.get("inspectors", ""),
        items=tuple(results),
    )
    return record, problems


def _cell_problem(row: int, problem: Problem, columns: dict[str, str]) -> CellProblem:
    """A problem of the record read from ``row``, at the cell of its field."""
    key = problem.field
    if key.startswith("items."):
        code = key.split(".", 1)[1]
        key = _score_key(code) if problem.code == "score_out_of_range" else _result_key(code)
    return CellProblem(row, columns.get(key, ""), key, problem.code, dict(problem.values))


def _entered(raw: RawRow) -> bool:
    """A row the user filled in: anything beyond the pre-filled target."""
    return any(text for key, text in raw.values.items() if key != "target_id")


def read_outcomes(
    engine: Engine,
    campaign_id: int,
    data: bytes,
    filename: str,
    *,
    today: dt.date | None = None,
    province: str | None = None,
    labels: Sequence[Label] = (),
) -> OutcomeFile:
    """Read and check a file against the campaign as stored (nothing is written).

    ``labels`` are the label functions whose labels vocabulary cells may hold (``vocabulary_code``).

    File-level problems (row 0): ``wrong_campaign``, ``changed_template`` (item columns missing), and
    the reader's own (``unreadable_xlsx``, ``missing_columns`` ...). Row problems name the cell.
    """
    with engine.connect() as connection:
        context = load_context(connection, campaign_id, today=today)
        items = list(campaign_items(connection, campaign_id)["code"])
        recorded = recorded_targets(connection, context)
    template_campaign, template_items = _template_campaign(data, filename)
    if template_campaign is not None and template_campaign != campaign_id:
        values = {"file": template_campaign, "campaign": campaign_id}
        return OutcomeFile([], [CellProblem(0, "", "file", "wrong_campaign", values)], context)
    try:
        table = read_table(
            data,
            filename,
            _aliases(items),
            REQUIRED + tuple(_result_key(code) for code in items),
            ignored_sheets=(INSTRUCTIONS_SHEET,),
        )
    except ImportFileError as error:
        code = (
            "changed_template"
            if error.kind == "missing_columns" and template_items is not None
            else error.kind
        )
        return OutcomeFile([], [CellProblem(0, "", "file", code, dict(error.detail))], context)
    if template_items is not None and template_items != items:
        changed = CellProblem(0, "", "file", "changed_template", {"items": ",".join(template_items)})
        return OutcomeFile([], [changed], context)
    parsed: list[tuple[int, OutcomeRecord]] = []
    problems: list[CellProblem] = []
    for raw in table.rows:
        if not _entered(raw):
            continue
        record, row_problems = _parse_row(raw, items, table.columns, labels)
        problems += row_problems
        if record is not None:
            parsed.append((raw.row, record))
    found = check_batch([r for _n, r in parsed], context, recorded=recorded, province=province)
    bad = {index for index, _problem in found}
    for index, problem in found:
        if problem.code == "duplicate_target":  # name the row, not the position among entered rows
            values = {"target": problem.values["target"], "first_row": parsed[problem.values["first"]][0]}
            problem = Problem(problem.field, problem.code, values)
        problems.append(_cell_problem(parsed[index][0], problem, table.columns))
    rows = [row for index, row in enumerate(parsed) if index not in bad]
    return OutcomeFile(rows, problems, context, dict(table.columns))


def import_outcomes(
    engine: Engine,
    campaign_id: int,
    data: bytes,
    filename: str,
    *,
    actor: Actor,
    today: dt.date | None = None,
    labels: Sequence[Label] = (),
) -> ImportResult:
    """Check a file and write every entered row, or nothing (``ImportResult.problems`` says why).

    ``actor`` must be allowed to record outcomes; a local bureau's rows must all be in its province
    (``other_province`` per row). Writes one ``outcomes.import`` audit entry per draw covering the
    draw's outcomes. ``labels``: see ``read_outcomes``. Raises ``WorkflowError``
    ``campaign_published`` for a published campaign.
    """
    require(actor, Permission.RECORD_OUTCOME)
    read = read_outcomes(
        engine, campaign_id, data, filename, today=today, province=actor.province, labels=labels
    )
    if read.problems:
        problems = sorted(read.problems, key=lambda p: (p.row, p.column))
        return ImportResult(problems=tuple(problems), rows_read=len(read.rows))
    if not read.rows:
        return ImportResult(problems=(CellProblem(0, "", "file", "no_rows"),))
    records = [record for _row, record in read.rows]
    try:
        ids = record_outcomes(
            engine, campaign_id, records, actor=actor, source=filename, today=read.context.today
        )
    except WorkflowError as error:
        if error.code != "rows_invalid":
            raise
        # the store changed since the file was read (another user saved meanwhile)
        problems = [
            _cell_problem(read.rows[index][0], problem, read.columns)
            for index, problem in error.fields["problems"]
        ]
        return ImportResult(problems=tuple(problems), rows_read=len(read.rows))
    return ImportResult(written=tuple(ids), rows_read=len(read.rows))
