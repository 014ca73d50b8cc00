"""The one reader of tabular input (.xlsx and .csv) for every import and every CLI CSV.

``decode_text`` accepts UTF-8 (with or without a byte order mark) and GB18030/GBK and refuses text
that is neither (Big5, Shift-JIS, Latin-1, UTF-16 ...) instead of storing mojibake. ``read_grid``
reads a workbook bounded by size, rows and runs of empty rows, from its one visible data sheet (or
the sheet chosen by name). ``read_table`` finds the header row and returns rows whose cells went
through ``models.text.normalise`` and the cell checks every import shares (Excel error values,
identifiers that Excel turned into numbers). ``read_csv_frame`` is the CLI's reader: every cell text.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import pandas as pd
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from models.text import TextProblem, forbidden_character, forbidden_pattern, normalise

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000  # data rows of one import
INSTRUCTIONS_SHEET = "填写说明 instructions"  # every template's instructions sheet: never data
MAX_COLUMNS = 64  # columns read from a worksheet (a template has 9)
MAX_EMPTY_RUN = 1_000  # reading stops after this many consecutive empty rows
HEADER_SEARCH_ROWS = 20
# Excel stores numbers as binary doubles: 15 significant digits survive, no more.
MAX_EXACT_DIGITS = 15
EXCEL_ERRORS = frozenset(
    {
        "#N/A",
        "#REF!",
        "#VALUE!",
        "#DIV/0!",
        "#NAME?",
        "#NULL!",
        "#NUM!",
        "#SPILL!",
        "#CALC!",
        "#FIELD!",
        "#GETTING_DATA",
        "#BLOCKED!",
        "#CONNECT!",
        "#BUSY!",
        "#UNKNOWN!",
    }
)
NUMBER_TEXT = re.compile(r"^[+-]?(\d+\.\d*|\.\d+|\d+)([eE][+-]?\d+)?$")
# Share of non-ASCII characters outside GB 2312 above which GB18030 text is taken for another
# encoding read wrongly (Big5, Shift-JIS and Latin-1 bytes decode to rare characters, kana, symbols).
MAX_RARE_SHARE = 0.2
# UTF-16/32 text without a byte order mark has a NUL byte beside every ASCII character.
MAX_NUL_SHARE = 0.01


# Every kind of whole-file problem ``read_table`` raises (pages translate each; ``read_csv_frame``
# also raises ``bad_cell``, whose message the command line writes).
FILE_ERROR_KINDS = (
    "too_large",
    "unsupported_type",
    "unreadable_xlsx",
    "unreadable_csv",
    "bad_encoding",
    "no_header",
    "missing_columns",
    "too_many_rows",
    "several_sheets",
    "hidden_sheet",
    "unknown_sheet",
)


class ImportFileError(ValueError):
    """The file as a whole cannot be read; ``kind`` names the reason, ``detail`` gives values for it.

    Kinds: ``too_large`` (limit_mb), ``unsupported_type``, ``unreadable_xlsx``, ``unreadable_csv``,
    ``bad_encoding``, ``no_header``, ``missing_columns`` (columns), ``too_many_rows`` (limit),
    ``several_sheets`` (sheets: list of names), ``hidden_sheet`` (sheets), ``unknown_sheet`` (sheet, sheets),
    ``bad_cell`` (row, column, problem, value: a CLI CSV cell).
    """

    def __init__(self, kind: str, **detail: object) -> None:
        super().__init__(f"{kind}: {detail}" if detail else kind)
        self.kind = kind
        self.detail = detail


@dataclass(frozen=True)
class RawRow:
    """One data row: its row number as in the file and the cell text of each known column.

    ``values`` are normalised (``models.text.normalise``); ``raw`` the cell values as read;
    ``problems`` maps a field to the kind of cell problem found in it (see ``cell_problem``).
    """

    row: int
    values: dict[str, str]
    raw: dict[str, object] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RawTable:
    """The rows of a file under a recognised header, with each field's column letter."""

    header_row: int
    columns: dict[str, str]  # field key -> column letter
    rows: list[RawRow]
    sheet: str | None = None  # the worksheet read (None for a CSV)


@dataclass(frozen=True)
class Grid:
    """The rows of a file: (row number, cell values) pairs, and the worksheet they come from."""

    rows: list[tuple[int, list[object]]]
    sheet: str | None = None


def cell_text(value: object) -> str:
    """The text of a cell: integral numbers without ``.0``, dates as ISO, stripped strings."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def cell_problem(value: object, text: str, *, identifier: bool) -> str | None:
    """What is wrong with one cell as a whole, or None.

    ``excel_error``: an Excel error value (``#N/A``, ``#REF!`` ...). ``invisible_character``: a
    control or invisible character (``models.text``). ``numeric_identifier`` (only when
    ``identifier``): a number that cannot be the text typed — a stored number of more than 15
    digits (a double keeps 15 significant digits; ``9.1110001E+17`` may stand for any of many IDs)
    or with a fraction, or text in number form with a decimal point or exponent
    (``4.40100201700012E+17``); the column must be formatted as text.
    """
    if isinstance(value, str):
        try:
            normalise(value)
        except TextProblem:
            return "invisible_character"
    if text.upper() in EXCEL_ERRORS:
        return "excel_error"
    if not identifier:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        if isinstance(value, float) and not value.is_integer():
            return "numeric_identifier"
        if abs(value) >= 10**MAX_EXACT_DIGITS:  # 16 digits or more: a double no longer holds them all
            return "numeric_identifier"
        return None
    match = NUMBER_TEXT.match(text)
    if match and ("." in text or match.group(2)):
        return "numeric_identifier"
    return None


def decode_text(data: bytes) -> str:
    """``data`` as text: UTF-8 (a leading byte order mark dropped) or else GB18030 (GBK's superset).

    Raises ``ImportFileError("bad_encoding")`` for bytes that are neither, for a UTF-16 byte order
    mark or more than ``MAX_NUL_SHARE`` NUL bytes (UTF-16/32 without one, binary files) and for
    GB18030 text that is implausible as Chinese: more than ``MAX_RARE_SHARE`` of the non-ASCII
    characters outside GB 2312 (a name's rare character is well below it), or any private-use
    character — what Big5, Shift-JIS or Latin-1 bytes become when read as GB18030. EUC-KR and
    EUC-JP bytes fall on GB 2312 characters and cannot be told apart this way.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or data.count(b"\x00") > MAX_NUL_SHARE * len(data):
        raise ImportFileError("bad_encoding")  # UTF-16/32 or binary; a stray NUL is a cell problem
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError as error:
        raise ImportFileError("bad_encoding") from error
    wide = [ch for ch in text if ord(ch) > 0x7F]
    rare = sum(1 for ch in wide if not _in_gb2312(ch))
    if rare > MAX_RARE_SHARE * len(wide):
        raise ImportFileError("bad_encoding")
    if any(0xE000 <= ord(ch) <= 0xF8FF for ch in wide):
        raise ImportFileError("bad_encoding")
    return text


def _in_gb2312(character: str) -> bool:
    try:
        character.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def _csv_rows(data: bytes) -> list[tuple[int, list[object]]]:
    text = decode_text(data)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    rows: list[tuple[int, list[object]]] = []
    try:
        for cells in reader:
            rows.append((reader.line_num, list(cells)))
    except csv.Error as error:
        raise ImportFileError("unreadable_csv") from error
    return rows


def _sheet_rows(sheet) -> Iterator[tuple[int, list[object]]]:
    """Non-empty rows of a worksheet with their numbers, stopping after ``MAX_EMPTY_RUN`` empty ones."""
    width = min(sheet.max_column or MAX_COLUMNS, MAX_COLUMNS)
    empty_run = 0
    for number, values in enumerate(sheet.iter_rows(max_col=width, values_only=True), start=1):
        if any(value is not None and cell_text(value) != "" for value in values):
            empty_run = 0
            yield number, list(values)
        else:
            empty_run += 1
            if empty_run >= MAX_EMPTY_RUN:
                return


def _xlsx_grid(data: bytes, sheet_name: str | None, ignored: Sequence[str]) -> Grid:
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as error:
        raise ImportFileError("unreadable_xlsx") from error
    try:
        visible = [ws for ws in workbook.worksheets if getattr(ws, "sheet_state", "visible") == "visible"]
        if sheet_name is not None:
            chosen = next((ws for ws in visible if ws.title == sheet_name), None)
            if chosen is None:
                raise ImportFileError("unknown_sheet", sheet=sheet_name, sheets=[ws.title for ws in visible])
        else:
            with_data = [ws for ws in visible if ws.title not in ignored and _has_data(ws)]
            if len(with_data) > 1:
                raise ImportFileError("several_sheets", sheets=[ws.title for ws in with_data])
            if not with_data:
                hidden = [ws.title for ws in workbook.worksheets if ws not in visible and _has_data(ws)]
                if hidden:
                    raise ImportFileError("hidden_sheet", sheets=hidden)
                raise ImportFileError("no_header")
            chosen = with_data[0]
        rows: list[tuple[int, list[object]]] = []
        for number, values in _sheet_rows(chosen):
            rows.append((number, values))
            if len(rows) > MAX_ROWS + HEADER_SEARCH_ROWS:
                raise ImportFileError("too_many_rows", limit=MAX_ROWS)
        return Grid(rows, chosen.title)
    except (zipfile.BadZipFile, KeyError, OSError, TypeError) as error:
        raise ImportFileError("unreadable_xlsx") from error
    finally:
        workbook.close()


def _has_data(sheet) -> bool:
    return next(_sheet_rows(sheet), None) is not None


def sheet_names(data: bytes) -> list[str]:
    """Names of the visible worksheets of an .xlsx (for a choice); raises ``ImportFileError``."""
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as error:
        raise ImportFileError("unreadable_xlsx") from error
    try:
        return [ws.title for ws in workbook.worksheets if getattr(ws, "sheet_state", "visible") == "visible"]
    finally:
        workbook.close()


def read_grid(
    data: bytes, filename: str, *, sheet: str | None = None, ignored_sheets: Sequence[str] = ()
) -> Grid:
    """The rows of an .xlsx or .csv (by ``filename``) as read, before any header is looked for.

    A workbook must have one visible sheet with data (sheets named in ``ignored_sheets``, such as a
    template's instructions, do not count) unless ``sheet`` names one; hidden sheets are never read.
    Raises ``ImportFileError``.
    """
    if len(data) > MAX_BYTES:
        raise ImportFileError("too_large", limit_mb=MAX_BYTES // (1024 * 1024))
    name = filename.lower()
    if name.endswith(".xlsx"):
        return _xlsx_grid(data, sheet, ignored_sheets)
    if name.endswith(".csv"):
        return Grid(_csv_rows(data))
    raise ImportFileError("unsupported_type")


def _match_header(cells: Sequence[object], aliases: dict[str, tuple[str, ...]]) -> dict[str, int]:
    """Field key -> cell index for the header cells that name a known column."""
    found: dict[str, int] = {}
    for index, cell in enumerate(cells):
        try:
            text = normalise(cell_text(cell)).lower()
        except TextProblem:
            continue
        if not text:
            continue
        tokens = {text, *text.replace("(", " ").replace(")", " ").replace("/", " ").split()}
        for key, names in aliases.items():
            if key not in found and tokens & set(names):
                found[key] = index
                break
    return found


def shown_value(value: object, text: str, kind: str) -> str:
    """How a bad cell is shown in a message: escapes for invisible characters, numbers as Excel shows them."""
    if kind == "invisible_character":
        return forbidden_pattern().sub(lambda m: m.group().encode("unicode_escape").decode(), text)
    if kind == "numeric_identifier" and isinstance(value, float):
        return format(value, ".15g").upper()
    return text


def raw_row(row_number: int, cells: dict[str, object], *, identifiers: Sequence[str] = ()) -> RawRow:
    """One row from its cells (field key -> value as read or typed), each checked and normalised.

    A cell with a problem (``cell_problem``) keeps its shown text in ``values`` and its kind in
    ``problems``; every other cell's text is ``models.text.normalise``d.
    """
    values: dict[str, str] = {}
    problems: dict[str, str] = {}
    for key, value in cells.items():
        text = cell_text(value)
        kind = cell_problem(value, text, identifier=key in identifiers)
        if kind is not None:
            problems[key] = kind
            values[key] = shown_value(value, text, kind)
        else:
            values[key] = normalise(text)
    return RawRow(row=row_number, values=values, raw=dict(cells), problems=problems)


def read_table(
    data: bytes,
    filename: str,
    aliases: dict[str, tuple[str, ...]],
    required: Sequence[str],
    *,
    identifiers: Sequence[str] = (),
    sheet: str | None = None,
    ignored_sheets: Sequence[str] = (),
) -> RawTable:
    """Parse ``data`` (.xlsx or .csv by ``filename``) and return the rows under the header row.

    The header row is the first row naming at least two known columns; columns in ``required``
    must all be present. Fully blank rows are skipped; row numbers stay those of the file. Cells of
    the fields in ``identifiers`` must hold typed text, not numbers Excel rounded (see
    ``cell_problem``); cell problems are kept in each row's ``problems``. See ``read_grid`` for
    ``sheet`` and ``ignored_sheets``. Raises ``ImportFileError``.
    """
    grid = read_grid(data, filename, sheet=sheet, ignored_sheets=ignored_sheets)
    normalised = {key: tuple(normalise(n).lower() for n in names) for key, names in aliases.items()}
    header: tuple[int, int, dict[str, int]] | None = None
    for position, (row_number, cells) in enumerate(grid.rows[:HEADER_SEARCH_ROWS]):
        found = _match_header(cells, normalised)
        if len(found) >= 2:
            header = (position, row_number, found)
            break
    if header is None:
        raise ImportFileError("no_header")
    position, header_row, found = header
    missing = [key for key in required if key not in found]
    if missing:
        raise ImportFileError("missing_columns", columns=missing)
    rows: list[RawRow] = []
    for row_number, cells in grid.rows[position + 1 :]:
        if not any(cell_text(cells[i]) for i in found.values() if i < len(cells)):
            continue
        by_key = {key: cells[i] if i < len(cells) else None for key, i in found.items()}
        rows.append(raw_row(row_number, by_key, identifiers=identifiers))
        if len(rows) > MAX_ROWS:
            raise ImportFileError("too_many_rows", limit=MAX_ROWS)
    columns = {key: get_column_letter(i + 1) for key, i in found.items()}
    return RawTable(header_row=header_row, columns=columns, rows=rows, sheet=grid.sheet)


def read_csv_frame(data: bytes) -> pd.DataFrame:
    """A CSV (first row: column names) as a frame of text cells; empty cells are None.

    Identifiers stay as typed (``000011`` is not the number 11). Every cell is normalised
    (``models.text``); raises ``ImportFileError``: ``bad_encoding``, ``unreadable_csv``, ``no_header``
    (no rows, or an empty or repeated column name) or ``bad_cell`` naming the line of the file (for
    cells without line breaks), the column and the problem (``invisible_character``, ``excel_error``).
    """
    text = decode_text(data)
    try:
        delimiter = csv.Sniffer().sniff(text[:4096], delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = ","
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
            header=None,
        )
    except pd.errors.EmptyDataError as error:
        raise ImportFileError("no_header") from error
    except pd.errors.ParserError as error:
        raise ImportFileError("unreadable_csv") from error
    names = [_clean_cell(cell, 1, i, "") for i, cell in enumerate(frame.iloc[0].tolist())]
    if any(not name for name in names) or len(set(names)) != len(names):
        raise ImportFileError("no_header")
    frame = frame.iloc[1:].fillna("").set_axis(names, axis=1)
    frame.index = pd.RangeIndex(2, len(frame) + 2)  # line numbers of the file
    # Whole-text checks first: the per-cell work runs only for what the text can hold (a frame of
    # millions of plain ASCII cells is read at close to pandas' own speed).
    suspect = forbidden_character(text) is not None or "#" in text
    breaks = '"' in text or (delimiter != "\t" and "\t" in text)
    wide = not unicodedata.is_normalized("NFKC", text)
    for index, name in enumerate(names):
        column = frame[name].str.strip()
        if suspect:
            bad = column.str.contains(forbidden_pattern(), regex=True) | column.str.upper().isin(EXCEL_ERRORS)
            for line in bad[bad].index:  # candidates: the first truly bad cell raises, naming itself
                _clean_cell(frame[name][line], int(line), index, name)
        if wide:
            column = column.str.normalize("NFKC").str.strip()
        if breaks:
            column = column.str.replace(r"[\t\r\n]", " ", regex=True).str.strip()
        frame[name] = column
    frame = frame[(frame != "").any(axis=1)]
    return frame.astype(object).where(frame != "", None).reset_index(drop=True)


def _clean_cell(cell: object, line: int, index: int, column: str) -> str:
    """``normalise(cell)``; raises ``ImportFileError("bad_cell", ...)`` naming the cell."""
    text = str(cell)
    kind = cell_problem(text, text.strip(), identifier=False)
    if kind is not None:
        column = column or get_column_letter(index + 1)
        shown = shown_value(text, text, kind)
        raise ImportFileError("bad_cell", row=line, column=column, problem=kind, value=shown)
    return normalise(text)
