"""Plain-text layout: lines to paragraphs, and tables that a converter flattened.

Word-to-text converters write a table as one cell per line, each cell line
starting with a TAB, a blank line between rows, and a cell's own line breaks as
untabbed continuation lines. A section row merged across the table comes out as
a row of one cell. This module turns such runs back into rows × cells so that a
table in a .txt is a real table, like one read from DOCX or HTML.
"""
from __future__ import annotations

import re

PAGE_NUMBER_LINE = re.compile(r"^\s*[—\-－–]{1,2}\s*\d{1,4}\s*[—\-－–]{1,2}\s*$")
# A cell continuation never runs past this many untabbed lines without a tab line.
MAX_CONTINUATION_LINES = 12
MIN_HEADER_CELLS = 3


def _is_cell(line: str) -> bool:
    return line.startswith("\t")


def split_text_blocks(text: str):
    """Yield ("paragraph", str) and ("table", rows) in reading order."""
    lines = text.split("\n")
    i, n = 0, len(lines)
    while i < n:
        line = lines[i]
        if _is_cell(line) and _table_starts(lines, i):
            end = _table_end(lines, i)
            rows = _rows(lines[i:end])
            if rows:
                yield "table", rows
            i = end
            continue
        if line.strip() and not PAGE_NUMBER_LINE.match(line):
            yield "paragraph", line.strip()
        i += 1


def _table_starts(lines: list[str], i: int) -> bool:
    run = 0
    while i + run < len(lines) and _is_cell(lines[i + run]):
        run += 1
    return run >= MIN_HEADER_CELLS


def _table_end(lines: list[str], i: int) -> int:
    """Index after the table that starts at ``i``: the last cell line plus its
    continuation lines, where the next cell line is not too far away."""
    last_cell = i
    j = i + 1
    gap = 0
    while j < len(lines):
        if _is_cell(lines[j]):
            last_cell, gap = j, 0
        elif lines[j].strip():
            gap += 1
            if gap > MAX_CONTINUATION_LINES:
                break
        j += 1
    end = last_cell + 1
    # continuation lines of the last cell, up to the first blank line
    while end < len(lines) and lines[end].strip() and not PAGE_NUMBER_LINE.match(lines[end]):
        end += 1
    return end


def _rows(lines: list[str]) -> list[list]:
    rows: list[list[str]] = []
    row: list[str] = []
    cell: list[str] | None = None
    pending_blank = False
    for line in lines:
        if _is_cell(line):
            if pending_blank and row:
                rows.append(row)
                row = []
            cell = [line.lstrip("\t").strip()]
            row.append(cell)  # type: ignore[arg-type]
            pending_blank = False
        elif not line.strip():
            pending_blank = True
        elif cell is not None and not PAGE_NUMBER_LINE.match(line):
            # a cell's own paragraph break; a blank line inside a cell only splits
            # a word that Word wrapped (区局 / 工贸科), so it joins without a break
            cell.append(("" if pending_blank else "\n") + line.strip())
            pending_blank = False
    if row:
        rows.append(row)
    out: list[list] = []
    width = max(len(r) for r in rows) if rows else 0
    for r in rows:
        cells = ["".join(c) for c in r]  # type: ignore[arg-type]
        if len(cells) == 1 and width > 1:
            out.append([(cells[0], 1, width)])  # a section row merged across the table
        else:
            out.append(cells)
    return out
