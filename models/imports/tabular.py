"""Read an uploaded .xlsx or .csv into raw rows that remember their row number and column letter."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000


class ImportFileError(ValueError):
    """The file as a whole cannot be read; ``kind`` names the reason, ``detail`` gives values for it."""

    def __init__(self, kind: str, **detail: object) -> None:
        super().__init__(f"{kind}: {detail}" if detail else kind)
        self.kind = kind
        self.detail = detail


@dataclass(frozen=True)
class RawRow:
    """One data row: its row number as in the file and the cell text of each known column."""

    row: int
    values: dict[str, str]
    raw: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class RawTable:
    """The rows of a file under a recognised header, with each field's column letter."""

    header_row: int
    columns: dict[str, str]  # field key -> column letter
    rows: list[RawRow]


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


def _grid_from_xlsx(data: bytes) -> list[tuple[int, list[object]]]:
    try:
        workbook = load_workbook(io.BytesIO(data), data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise ImportFileError("unreadable_xlsx") from error
    sheet = workbook.worksheets[0]
    return [(cells[0].row, [cell.value for cell in cells]) for cells in sheet.iter_rows() if cells]


def _grid_from_csv(data: bytes) -> list[tuple[int, list[object]]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportFileError("unreadable_csv")
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    grid: list[tuple[int, list[object]]] = []
    try:
        for cells in reader:
            grid.append((reader.line_num, list(cells)))
    except csv.Error as error:
        raise ImportFileError("unreadable_csv") from error
    return grid


def _match_header(cells: Sequence[object], aliases: dict[str, tuple[str, ...]]) -> dict[str, int]:
    """Field key -> cell index for the header cells that name a known column."""
    found: dict[str, int] = {}
    for index, cell in enumerate(cells):
        text = cell_text(cell).lower().replace("\n", " ")
        if not text:
            continue
        tokens = {text, *text.replace("(", " ").replace(")", " ").replace("/", " ").split()}
        for key, names in aliases.items():
            if key not in found and tokens & set(names):
                found[key] = index
                break
    return found


def read_table(
    data: bytes, filename: str, aliases: dict[str, tuple[str, ...]], required: Sequence[str]
) -> RawTable:
    """Parse ``data`` (.xlsx or .csv by ``filename``) and return the rows under the header row.

    The header row is the first row naming at least two known columns; columns in ``required``
    must all be present. Fully blank rows are skipped; row numbers stay those of the file.
    """
    if len(data) > MAX_BYTES:
        raise ImportFileError("too_large", limit_mb=MAX_BYTES // (1024 * 1024))
    name = filename.lower()
    if name.endswith(".xlsx"):
        grid = _grid_from_xlsx(data)
    elif name.endswith(".csv"):
        grid = _grid_from_csv(data)
    else:
        raise ImportFileError("unsupported_type")
    normalised = {key: tuple(n.lower() for n in names) for key, names in aliases.items()}
    header: tuple[int, dict[str, int]] | None = None
    for position, (row_number, cells) in enumerate(grid):
        found = _match_header(cells, normalised)
        if len(found) >= 2:
            header = (position, found)
            header_row = row_number
            break
        if position > 20:
            break
    if header is None:
        raise ImportFileError("no_header")
    position, found = header
    missing = [key for key in required if key not in found]
    if missing:
        raise ImportFileError("missing_columns", columns=missing)
    rows: list[RawRow] = []
    for row_number, cells in grid[position + 1 :]:
        values = {key: cell_text(cells[i]) if i < len(cells) else "" for key, i in found.items()}
        if not any(values.values()):
            continue
        raw = {key: cells[i] if i < len(cells) else None for key, i in found.items()}
        rows.append(RawRow(row=row_number, values=values, raw=raw))
        if len(rows) > MAX_ROWS:
            raise ImportFileError("too_many_rows", limit=MAX_ROWS)
    columns = {key: get_column_letter(i + 1) for key, i in found.items()}
    return RawTable(header_row=header_row, columns=columns, rows=rows)
