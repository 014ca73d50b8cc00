"""The downloadable Excel template for the inspector import, with an instructions sheet."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from models.imports.inspectors import REQUIRED, TEMPLATE_COLUMNS
from models.imports.tabular import INSTRUCTIONS_SHEET
from models.reference_data import PROVINCES, SCHEMES

SHEET_NAME = "执法检查人员 inspectors"
WIDTHS = {"name": 14, "enforcement_id": 22, "id_valid_until": 16, "agency": 30, "province": 14}
RULES: dict[str, tuple[str, str]] = {
    "name": ("必填，不超过 32 字", "required, at most 32 characters"),
    "enforcement_id": (
        "必填，6–24 位汉字、数字、大写字母或连字符，至少 4 位数字（如 粤市监执2019000123）；"
        "同一文件内不得重复",
        "required, 6-24 Chinese characters, digits, capital letters or hyphens with at least 4 digits "
        "(e.g. 粤市监执2019000123); unique within the file",
    ),
    "id_valid_until": ("必填，日期 YYYY-MM-DD，不得已过期", "required, date YYYY-MM-DD, not expired"),
    "agency": ("必填，不超过 48 字", "required, at most 48 characters"),
    "province": ("必填，省份名称或 GB/T 2260 代码", "required, province name or GB/T 2260 code"),
    "schemes": ("必填，领域代码，用 ；或 ; 或 , 分隔", "required, scheme codes separated by ；or ; or ,"),
    "active": ("选填，是/否（默认 是）", "optional, yes/no (default yes)"),
    "phone": ("必填，11 位手机号或固定电话", "required, 11-digit mobile or landline"),
    "affiliations": (
        "选填，曾任职认证机构的统一社会信用代码，用 ；分隔",
        "optional, unified social credit codes of past institutions, separated by ；",
    ),
}


def header_labels() -> list[str]:
    """Header cells: Chinese and English name of each column, e.g. ``姓名 name``."""
    return [f"{zh} {en}" for _key, zh, en in TEMPLATE_COLUMNS]


def template_bytes() -> bytes:
    """An .xlsx with the header row (text-formatted ID and phone columns) and an instructions sheet."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_NAME
    sheet.append(header_labels())
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for index, (key, *_names) in enumerate(TEMPLATE_COLUMNS, start=1):
        letter = get_column_letter(index)
        cell = sheet.cell(row=1, column=index)
        cell.font, cell.fill = bold, fill
        sheet.column_dimensions[letter].width = WIDTHS.get(key, 18)
        style = "@" if key in ("enforcement_id", "phone", "affiliations") else None
        if key == "id_valid_until":
            style = "yyyy-mm-dd"
        if style:
            for row in range(2, 1002):
                sheet.cell(row=row, column=index).number_format = style
    sheet.freeze_panes = "A2"

    notes = workbook.create_sheet(INSTRUCTIONS_SHEET)
    notes.append(["列 column", "是否必填 required", "说明", "notes"])
    for key, zh, en in TEMPLATE_COLUMNS:
        rule_zh, rule_en = RULES[key]
        notes.append([f"{zh} {en}", "是 yes" if key in REQUIRED else "否 no", rule_zh, rule_en])
    notes.append([])
    notes.append(["领域代码 scheme codes"])
    for code, zh, en, *_ in SCHEMES:
        notes.append([code, "", zh, en])
    notes.append([])
    notes.append(["省份 provinces (GB/T 2260)"])
    for code, _abbr, zh, en, *_ in PROVINCES:
        notes.append([code, "", zh, en])
    for letter, width in zip("ABCD", (22, 16, 44, 60), strict=True):
        notes.column_dimensions[letter].width = width
    for cell in notes[1]:
        cell.font = bold
    for row in notes.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
