"""Task tables (责任清单, 任务分解表): header row → column roles → task rows.

A chain of small functions, each testable alone (pdfplumber's habit):
``find_header`` finds the header row and maps each column to a role by its
meaning (gazetteers/table_roles.yaml); ``task_rows`` walks the data rows,
skipping spanning section rows (which become the rows' section), repeated
header rows of a table that continues over a page, and joining a row that a
page break split (a row with no number and no task name continues the row
above). A table that continues in a second table block without a header of its
own keeps the column roles of the first.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..columns import by_subject, column_role, is_measure_word, rules, subject_task_column, year_column_roles
from ..components import component
from ..columns import squash as _squash
from ..model import Cell, Document, Table
from ..numbering import match_label
from .outline import enclosing_section_kind

@dataclass
class ColumnMap:
    header_row: int | None  # None where the roles came from a previous table
    roles: dict[int, str]  # column index → role
    header_texts: tuple[str, ...] = ()

    def columns(self, role: str) -> list[int]:
        return [c for c, r in sorted(self.roles.items()) if r == role]

    @property
    def is_task_table(self) -> bool:
        kinds = set(self.roles.values())
        named_in_order = [self.roles[c] for c in sorted(self.roles)]
        return bool(kinds & {"task", "detail"} or by_subject(named_in_order)) and len(kinds - {"note"}) >= 2


def find_header(doc: Document, table: Table) -> ColumnMap | None:
    """The first row (among the first few) whose cells name at least two roles."""
    grid = table.grid()
    for r in range(min(rules().header_search_rows, table.n_rows)):
        roles: dict[int, str] = {}
        texts = []
        seen: set[int] = set()
        for c, cell in enumerate(grid[r]):
            if cell is None or id(cell) in seen:
                texts.append("")
                continue
            seen.add(id(cell))
            text = doc.text[cell.start:cell.end]
            texts.append(_squash(text))
            role = column_role(text)
            if role:
                roles[c] = role
        subject = subject_task_column(texts, [roles.get(c) for c in range(len(texts))])
        if subject is not None:
            roles[subject] = "task"
        named = year_column_roles(texts, [roles.get(c) for c in range(len(texts))])
        roles.update({c: role for c, role in enumerate(named) if role is not None})
        serial = _unnamed_serial_column(doc, grid, r, texts)
        if serial is not None and serial not in roles:
            roles[serial] = "seq"
        for c in [c for c, role in roles.items() if role == "lead" and _holds_measure_words(doc, grid, r, c)]:
            roles[c] = "measure"  # 单位 over 家, %, 万元: the measure of an indicator's numbers
        cmap = ColumnMap(r, _resolve_duplicates(roles, texts), tuple(texts))
        if cmap.is_task_table:
            return cmap
    return None


# a measure column: at least this share of its filled data cells are measure words
MEASURE_COLUMN_SHARE = 2 / 3


def _holds_measure_words(doc: Document, grid, header_row: int, col: int) -> bool:
    """The data cells of column ``col`` are mostly measure words alone (家, %, 万元)."""
    texts = []
    seen: set[int] = set()
    for row in grid[header_row + 1:]:
        cell = row[col] if col < len(row) else None
        if cell is None or id(cell) in seen or cell.colspan > 1:
            continue
        seen.add(id(cell))
        text = _squash(doc.text[cell.start:cell.end])
        if text:
            texts.append(text)
    measures = sum(1 for t in texts if is_measure_word(t))
    return len(texts) >= 2 and measures >= MEASURE_COLUMN_SHARE * len(texts)


def _unnamed_serial_column(doc: Document, grid, header_row: int, texts: list[str]) -> int | None:
    """The first column when its header cell is empty and its data cells count 1, 2, 3 …:
    a 序号 the header does not name (its cell merged away, or never written)."""
    if not texts or texts[0]:
        return None
    values = []
    for row in grid[header_row + 1:]:
        cell = row[0] if row else None
        if cell is None or (len(row) > 1 and row[1] is cell):
            continue  # a section row spanning the table
        text = _squash(doc.text[cell.start:cell.end]).rstrip("、.．")
        if text:
            if not text.isdigit():
                return None
            values.append(int(text))
    if len(values) < 2 or any(b <= a for a, b in zip(values, values[1:])):
        return None
    return 0


def _resolve_duplicates(roles: dict[int, str], texts: list[str]) -> dict[int, str]:
    """Settle columns that claim the same role.

    Two task columns: the first is the task's name, the second its details.
    Two lead columns where one says 牵头: that one leads and the other (责任单位)
    supports, as ANNOTATION §3 reads a 牵头单位 named beside 责任单位.
    """
    out = dict(roles)
    tasks = [c for c, r in sorted(roles.items()) if r == "task"]
    if len(tasks) > 1 and "detail" not in roles.values():
        for c in tasks[1:]:
            out[c] = "detail"
    leads = [c for c, r in sorted(roles.items()) if r == "lead"]
    bodies = [c for c in leads if texts[c].startswith(rules().inspecting_body)]
    if bodies and len(bodies) < len(leads):
        # 检查主体 beside 股室: the office leads, the inspecting bureau is context
        for c in bodies:
            out[c] = "note"
        leads = [c for c in leads if c not in bodies]
    if len(leads) > 1 and any("牵头" in texts[c] for c in leads):
        for c in leads:
            if "牵头" not in texts[c]:
                out[c] = "support"
    return out


# columns whose cells a flattened table leaves empty under a merged cell
MERGED_DOWN_ROLES = ("lead", "support", "leader", "category")
# the columns that charge a unit or a person with a row: a table with one assigns work
UNIT_ROLES = frozenset({"lead", "support", "leader"})


@dataclass
class TaskRow:
    """One data row of a task table (or several rows a page break split)."""

    rows: list[int]
    cells: dict[str, list[Cell]] = field(default_factory=dict)  # role → cells, left to right
    seq: str | None = None
    section: str | None = None  # the spanning section row above it
    start: int = 0
    end: int = 0
    section_cell: Cell | None = None  # where that section row stands


def task_rows(doc: Document, table: Table, cmap: ColumnMap) -> list[TaskRow]:
    grid = table.grid()
    out: list[TaskRow] = []
    section: str | None = None
    section_cell: Cell | None = None
    first = (cmap.header_row + 1) if cmap.header_row is not None else 0
    has_seq_column = "seq" in cmap.roles.values()
    for r in range(first, table.n_rows):
        row = grid[r]
        distinct = _distinct_cells(row)
        texts = [_squash(doc.text[c.start:c.end]) for c in distinct]
        if not any(texts):
            continue
        if cmap.header_texts and _is_repeated_header(row, doc, cmap):
            continue
        if len(distinct) == 1 and table.n_cols > 1:
            section = doc.text[distinct[0].start:distinct[0].end].strip()  # a spanning section row
            section_cell = distinct[0]
            continue
        cells: dict[str, list[Cell]] = {}
        seen: set[int] = set()
        for c, cell in enumerate(row):
            role = cmap.roles.get(c)
            if cell is None or role is None or id(cell) in seen:
                continue
            seen.add(id(cell))
            cells.setdefault(role, []).append(cell)
        seq_text = "".join(_squash(doc.text[c.start:c.end]) for c in cells.get("seq", []))
        if not out and has_seq_column and not seq_text and all(len(t) <= HEADER_NAME_MAX_CHARS for t in texts):
            # before the first numbered row, a row of short names without a 序号 is the
            # header's second level (完成情况 over 已完成 / 部分完成 / 未完成及其原因)
            continue
        has_name = any(_squash(doc.text[c.start:c.end]) for c in cells.get("task", []))
        # a row without 序号 whose text opens with its own item number (2.新建游园…, under
        # 1.新建绿地… of the row above, the 序号 and unit cells merged down) is a task of its own
        numbered = any(match_label(doc.text[c.start:c.end].strip()) is not None
                       for c in cells.get("task", []) + cells.get("detail", []))
        if out and not seq_text and not has_name and not numbered and "seq" in cmap.roles.values():
            prev = out[-1]  # a row split by a page break continues the row above
            prev.rows.append(r)
            for role, cs in cells.items():
                prev.cells.setdefault(role, []).extend(c for c in cs if c.end > c.start)
            prev.end = max(prev.end, max(c.end for c in distinct))
            continue
        start = min(c.start for c in distinct)
        end = max(c.end for c in distinct)
        if out and not seq_text and numbered:
            # the cells merged down from the row above (its units, leaders, category) are
            # this row's too, where the row leaves them empty
            for role in MERGED_DOWN_ROLES:
                if role in out[-1].cells and not any(
                        _squash(doc.text[c.start:c.end]) for c in cells.get(role, [])):
                    cells[role] = list(out[-1].cells[role])
        out.append(TaskRow([r], cells, seq_text or None, section, start, end, section_cell))
    return _split_running_items(doc, out)


# an item number opening a line of a task's cells (3.主动公开…, 4、及时公开…)
_ITEM_AT_LINE = re.compile(r"(?:^|(?<=\n))[ \t\u3000]*(?P<num>\d{1,2})[.．、](?![\d%])")


def _split_running_items(doc: Document, rows: list[TaskRow]) -> list[TaskRow]:
    """Rows whose task text holds several items that go on with the count the rows before
    opened with (row 1 「1.…」, row 2 「2.…」, then one row 「3.…」「4.…」「5.…」): the table's
    own rows, whose merged cells (the task's name, its units) a flattened copy left out, so
    the grid put them in one row. Each item becomes a row of its own, with the row's other
    cells. Items that open a new count (1. 2. 3. inside one row's cell) stay in the row: the
    sub-items of one task (ANNOTATION §2)."""
    out: list[TaskRow] = []
    last = 0  # the item number the rows so far went up to
    for row in rows:
        text_cells = sorted(row.cells.get("task", []) + row.cells.get("detail", []), key=lambda c: c.start)
        items = _item_positions(doc, text_cells)
        numbers = [n for _pos, n in items]
        running = (last > 0 and len(numbers) > 1 and numbers[0] == last + 1
                   and all(b == a + 1 for a, b in zip(numbers, numbers[1:])))
        if numbers and (numbers[0] == last + 1 or numbers[0] == 1):
            last = numbers[-1] if running or len(numbers) == 1 else numbers[0]
        if not running:
            out.append(row)
            continue
        cuts = [pos for pos, _n in items[1:]]
        bounds = list(zip([row.start] + cuts, cuts + [row.end]))
        for k, (lo, hi) in enumerate(bounds):
            cells: dict[str, list[Cell]] = {}
            for role, cs in row.cells.items():
                if role not in ("task", "detail"):
                    cells[role] = list(cs)  # the units, deadline and notes of the merged cells
                    continue
                clipped = [Cell(c.row, c.col, max(c.start, lo), min(c.end, hi), c.rowspan, c.colspan)
                           for c in cs if c.start < hi and c.end > lo]
                if clipped:
                    cells[role] = clipped
            text_spans = [c for role in ("task", "detail") for c in cells.get(role, [])]
            start = lo if k else row.start
            end = max(c.end for c in text_spans) if k < len(bounds) - 1 and text_spans else hi
            out.append(TaskRow(list(row.rows), cells, row.seq if k == 0 else None, row.section,
                               start, max(end, start), row.section_cell))
    return out


def _item_positions(doc: Document, cells: list[Cell]) -> list[tuple[int, int]]:
    """(offset, number) of each item number opening a line of ``cells``."""
    found = []
    for c in cells:
        for m in _ITEM_AT_LINE.finditer(doc.text[c.start:c.end]):
            found.append((c.start + m.start("num"), int(m.group("num"))))
    return found


# a column's name is this short (未完成及其原因, 责任单位); a task's text is longer
HEADER_NAME_MAX_CHARS = 8


def _distinct_cells(row: list[Cell | None]) -> list[Cell]:
    seen: set[int] = set()
    out = []
    for c in row:
        if c is not None and id(c) not in seen:
            seen.add(id(c))
            out.append(c)
    return out


def _is_repeated_header(row: list[Cell | None], doc: Document, cmap: ColumnMap) -> bool:
    texts = []
    seen: set[int] = set()
    for cell in row:
        if cell is None or id(cell) in seen:
            texts.append("")
            continue
        seen.add(id(cell))
        texts.append(_squash(doc.text[cell.start:cell.end]))
    return tuple(texts) == cmap.header_texts


@dataclass
class TaskTable:
    """A task table of the document: where it stands, its columns' roles and its task rows."""

    block_index: int
    attachment: str | None  # 附件2 …, None in the body
    attachment_title: str | None
    columns: ColumnMap
    rows: list[TaskRow]


def find_task_tables(doc: Document, tables: list[tuple]) -> list[TaskTable]:
    """The task tables among ``tables`` (the outline's ``(block index, attachment,
    attachment title, enclosing item)``); a table without a header of its own that has
    the width of the one above continues it, with its column roles."""
    out: list[TaskTable] = []
    carried: ColumnMap | None = None
    carried_cols = 0
    for block_index, attachment, attachment_title, enclosing in tables:
        table = doc.blocks[block_index].table
        if table is None:
            continue
        cmap = find_header(doc, table)
        if cmap is None and carried is not None and table.n_cols == carried_cols:
            cmap = ColumnMap(None, carried.roles, carried.header_texts)  # continues the table above
        if cmap is None:
            continue
        carried, carried_cols = cmap, table.n_cols
        if (enclosing is not None and not UNIT_ROLES & set(cmap.roles.values())
                and enclosing_section_kind(doc, enclosing) == "goal"):
            # an indicator table of a goals section (指标名称 | 目标 | 指标类型): its rows are
            # the plan's goals, as numbered goals without units of their own are (ANNOTATION
            # §6); extract.tasks.goal_targets reads its cells
            continue
        out.append(TaskTable(block_index, attachment, attachment_title, cmap, task_rows(doc, table, cmap)))
    return out


@component("task_tables", stage="segment", requires=("blocks", "outline"), assigns=("task_tables",))
def task_tables_step(doc: Document) -> None:
    """Task tables: the header row, each column's role by its meaning, and the task rows."""
    doc.task_tables = find_task_tables(doc, doc.outline.tables)
