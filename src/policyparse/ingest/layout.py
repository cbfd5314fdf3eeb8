"""Recover the layout a notice's text lost: run-on lines and flattened tables.

Crawled pages, database exports and HTML-to-text converters hand us notices whose
line structure is gone or rewritten. Everything downstream (the header, the
numbering outline, task tables) reads paragraphs and table cells, so this module
rebuilds them from the raw text *before* normalisation (which would glue the
single spaces that separate cells):

- **tables flattened to text**, in the shapes converters write: a TAB before every
  cell (``tables_text``), Markdown pipe rows (``| a | b |`` with or without outer
  pipes, a ``|---|`` row, cells continued on lines of their own), one cell per line
  with blank lines between cells, and one row per line with cells separated by
  spaces. The header row is found by its words (every cell names a column role,
  :mod:`policyparse.columns`), the column count comes from it, and the 序号
  sequence and section rows (一、…) anchor the rows;
- **run-on lines**: a long line holding several numbering labels is split into
  paragraphs where a label stands after a sentence end or a heading and continues
  a label sequence (一 then 二, （一） then （二）, 1. then 2.); the header parts that
  GB/T 9704 puts on lines of their own (发文字号, title, 主送, signature and date,
  web metadata keys, 附件) are split off by their cues; a table glued into the line
  (header words separated by spaces, rows anchored by 序号) becomes a table.

Cells are assigned to columns by a small dynamic programme: where a row's
space-separated pieces outnumber the columns, adjacent pieces are joined so that
each column gets the text that looks most like its role (a unit list for 牵头单位,
a time for 完成时限, names for 责任领导). Nothing here is specific to one notice:
the cues live in ``gazetteers/layout.yaml``.
"""
from __future__ import annotations

import math
import re
import statistics

from ..columns import (by_subject, coined_column_name, column_role, is_measure_word, is_year_column,
                       subject_task_column, year_column_roles)
from ..hanzi import to_simplified
from ..numbering import match_label, read_num
from .layout_rules import rules
from .tables_glued import glued_table, inline_glued_table
from .tables_text import PAGE_NUMBER_LINE, _is_cell, _rows, _table_end, _table_starts

MIN_HEADER_CELLS = 3
# a table's section row (一、加快数字赋能) is short: a longer line is body text
SECTION_ROW_MAX_CHARS = 60
# lines searched after a pipe-less line for the pipe table to go on
PIPE_CONTINUATION_LINES = 3
# the lines of site furniture (breadcrumb, page title) a run-on notice's 版头 may follow
SITE_PREAMBLE_MAX_CHARS = 120
# the pieces of a header name broken over lines are short (牵头 / 部门, 完成 / 时间)
BROKEN_HEADER_PIECE_CHARS = 2
# a table glued into a run-on line without a 序号 column is read only with this many rows
MIN_INLINE_ROWS = 2
# the first 序号 of a flattened table: 1, or the number an excerpt of a longer list opens at
SEQ_FIRST_MAX = 200
# what a full stop at its end costs a piece read as a unit list
SENTENCE_END_IN_UNIT_CELL = 2.0
# a table's header written one name a line has at most this many lines
MAX_HEADER_LINES = 20
# a row of a one-cell-per-line table spans at most this many header widths of cells
ROW_MAX_CHUNKS = 4


# =========================================================================== entry point


def recover_blocks(text: str) -> list[tuple[str, object]]:
    """``("paragraph", str)`` and ``("table", rows)`` in reading order (rows as
    :meth:`DocumentBuilder.add_table` takes them)."""
    # a converter that writes each cell on its own line separates the cells by a line
    # holding one pipe: the blank line of a one-cell-per-line table; a table drawn with
    # box characters (│ ├─┼─┤, law databases, old text exports) is a pipe table whose
    # rule lines carry no text
    lines = ["" if ln.strip() == "|" else _without_jammer(_MARKDOWN_HEADING.sub("", ln))
             for ln in _RULE_INSIDE_LINE.sub("\n", _box_to_pipes(text)).split("\n")]
    if rules().doc_share_blurb.search(text, 0, DOC_SHARE_BLURB_ZONE) or _numbers_its_pages(lines):
        lines = _without_page_marks(lines)
    # a run-on line keeps the page numbers of the pages it ran over (…档案。—34—类别…)
    lines = [rules().inline_page_mark.sub("", ln) if len(ln) >= rules().run_on_min_chars else ln
             for ln in lines]
    out: list[tuple[str, object]] = []
    i, n = 0, len(lines)
    # a document that is one line is run-on however short it is
    one_line = sum(1 for ln in lines if ln.strip()) == 1
    # the 版头 may follow a site's breadcrumb or a page title: still the start while the
    # paragraphs so far are that short and no table came
    at_start = True
    while i < n:
        found = (_tab_table(lines, i) or _record_table(lines, i) or _pipe_table(lines, i)
                 or _cell_table(lines, i) or _line_table(lines, i) or _space_table(lines, i)
                 or glued_table(lines, i))
        if found:
            end, tables = found
            # a detector gives tables, and the lines around them it kept as paragraphs (which
            # may be run-on text: a page's body between the rows of its layout table)
            for t in tables:
                if isinstance(t, str):
                    out.extend(split_run_on(t, at_start=False) if t else [])
                elif t:
                    out.append(("table", _with_unit_cells_by_line(t)))
            i = end
            continue
        line = lines[i].strip()
        if line.count("|") == 1 and (line.endswith("|") or line.startswith("|")):
            line = line.strip("|").strip()  # a table's title row, left with its one pipe
        inline = inline_glued_table(line) if "序号" in line and len(line) > rules().run_on_min_chars // 2 else None
        if inline is not None:
            # a table glued into running text, cells and all (…分工表序号工作内容…1将生活垃圾…)
            before, rows = inline
            out.extend(split_run_on(before, at_start=at_start, one_line=one_line) if before.strip() else [])
            out.append(("table", rows))
            i += 1
            continue
        glued_end = _glued_table_end(lines, i)
        if glued_end is not None:
            # a header glued into running text whose rows run on over the next long lines:
            # one run-on stream, however short its first line
            joined = " ".join(ln.strip() for ln in lines[i:glued_end] if ln.strip())
            out.extend(split_run_on(joined, at_start=False, one_line=True))
            i = glued_end
            continue
        if line and not PAGE_NUMBER_LINE.match(line):
            if at_start:  # summed only while it can still hold: a few short lines at most
                at_start = sum(len(p) if k == "paragraph" else SITE_PREAMBLE_MAX_CHARS + 1
                               for k, p in out) <= SITE_PREAMBLE_MAX_CHARS
            out.extend(split_run_on(line, at_start=at_start, one_line=one_line))
        i += 1
    return out


# the blurb of a document-sharing site's copy stands in its first lines
DOC_SHARE_BLURB_ZONE = 400
# a page's number opening its first line in such a copy: 2、住建局…
_PAGE_MARK = re.compile(r"\s*(?P<page>[1-9]\d*)、")


def _numbers_its_pages(lines: list[str]) -> bool:
    """A document-sharing copy without its blurb: the first line opens with page 1's mark and the
    plan's heading (1、林业局履行职能目标任务分解表 …), and page 2's mark opens a line inside a
    sentence (…(20 / 2、23分)…)."""
    filled = [(i, ln) for i, ln in enumerate(lines) if ln.strip()]
    if not filled:
        return False
    first = _PAGE_MARK.match(filled[0][1])
    if first is None or first.group("page") != "1" or not rules().plan_title.match(filled[0][1][first.end():]):
        return False
    for (_, before), (_, line) in zip(filled, filled[1:]):
        mark = _PAGE_MARK.match(line)
        if mark is not None and mark.group("page") == "2":
            return before.rstrip()[-1] not in "。；;！!？?：:"
    return False


def _without_page_marks(lines: list[str]) -> list[str]:
    """A document-sharing site's copy opens each page of the document with its number
    (1、 2、 3、…), often inside a sentence or a cell (…市商务局，市 / 2、住建局…): the marks go,
    and a page that opens inside a sentence joins the line before it."""
    out: list[str] = []
    page = 1
    for line in lines:
        mark = _PAGE_MARK.match(line)
        if mark is None or int(mark.group("page")) != page:
            out.append(line)
            continue
        rest = line[mark.end():]
        last = len(out) - 1
        while last >= 0 and not out[last].strip():
            last -= 1  # the blank lines the site sets between its pages
        if page > 1 and last >= 0 and out[last].rstrip()[-1] not in "。；;！!？?：:":
            out[last] = out[last].rstrip() + rest
            del out[last + 1:]
        else:
            out.append(rest)
        page += 1
    return out


# a horizontal rule a converter wrote inside a line (…的通知正文:------…------ 国家税务总局…): the
# line breaks there (a rule of a pipe table's separator row touches a pipe and stays)
_RULE_INSIDE_LINE = re.compile(r"(?<=[^\s|\-])[ \t]*[-—－_=]{10,}[ \t]*(?=[^\s|\-])")


# a Markdown heading's marks (a notice kept as .md: "# XX关于…的通知"): no part of the words
_MARKDOWN_HEADING = re.compile(r"^\s{0,3}#{1,6}[ \t]+(?=\S)")


def _is_jammer(run: str) -> bool:
    r = rules()
    tokens = run.split()
    return (len(tokens) >= r.jammer_min_tokens
            and sum(1 for t in tokens if r.jammer_mixed_token.match(t)) >= r.jammer_min_mixed)


def _without_jammer(line: str) -> str:
    """The line without a forum's anti-copy strings at its start or end (layout.yaml
    ``jammer_*``); a line that holds nothing else becomes blank."""
    if not line.isascii() and not re.search(r"[!-~][ \t]", line):
        return line  # no ASCII token followed by a space: nothing to look at (most lines)
    r = rules()
    m = r.jammer_lead.match(line)
    if m and _is_jammer(m.group("run")):
        line = line[m.end():]
    m = r.jammer_tail.search(line)
    if m and _is_jammer(m.group("run")):
        line = line[:m.start()]
    return line


# =========================================================================== headers


_BOX_VERTICAL = str.maketrans({ch: "|" for ch in "│┃║┆┊"})
_BOX_RULE_LINE = re.compile(r"^[\s|┌┬┐├┼┤└┴┘─━═╔╦╗╠╬╣╚╩╝╒╤╕╞╪╡╘╧╛┏┳┓┣╋┫┗┻┛-]*$")


def _box_to_pipes(text: str) -> str:
    """Box-drawing tables as pipe tables: verticals to |, rule lines dropped."""
    if not any(ch in text for ch in "│┃║┼├┤"):
        return text
    out = []
    for ln in text.translate(_BOX_VERTICAL).split("\n"):
        if ln.strip() and _BOX_RULE_LINE.match(ln) and any(ch not in "| \t-" for ch in ln.strip()):
            continue  # ├──┼──┤ (or │ │ ├──┼──┤ │ beside merged cells)
        out.append(ln)
    return "\n".join(out)


def header_roles(cells: list[str]) -> list[str] | None:
    """The column roles when ``cells`` is a task table's header row, else None: at
    least three cells, every one a column name (offices coin their own: one unknown
    name in four is let pass), one of them the task or its details."""
    if len(cells) < MIN_HEADER_CELLS:
        return None
    roles = year_column_roles(cells, [column_role(c) for c in cells])
    unknown = roles.count(None)
    if unknown > (len(cells) // 4 if len(cells) >= 4 else 0):
        return None
    if any(r is None and (not c.strip() or len(c) > 24) for c, r in zip(cells, roles)):
        return None
    subject = subject_task_column(cells, roles)
    if subject is not None:
        roles[subject] = "task"
    if (not {"task", "detail"} & set(roles) and not by_subject(roles)) or len(set(roles) - {"note", None}) < 2:
        return None
    return [r or "unknown" for r in roles]


def segment_header(tokens: list[str], max_piece_chars: int | None = None) -> list[str]:
    """Header cells from a header row split at spaces, where a cell may itself hold
    spaces (牵头  领导 | 主体          责任单位): adjacent pieces are joined where the
    joined name has a column role and a piece alone has none, best overall (DP).
    ``max_piece_chars``: only pieces this short are joined (a name broken over lines,
    牵头 / 部门), never a whole name (民生实事)."""
    from ..columns import rules as column_rules

    cr = column_rules()
    modifiers = set(cr.lead_modifiers) | set(cr.support_modifiers) | {"主体"}
    n = len(tokens)
    best: list[float] = [0.0] + [float("-inf")] * n
    back = [0] * (n + 1)
    for j in range(1, n + 1):
        for k in range(max(0, j - 3), j):
            cell = "".join(tokens[k:j])
            role = column_role(cell)
            # two short pieces of an office's own name (抽取 / 类型) join though it has no role
            coined = (role is None and j - k == 2 and max_piece_chars is not None
                      and all(len(t) <= max_piece_chars for t in tokens[k:j]) and coined_column_name(cell))
            if j - k > 1 and role is None and not coined:
                continue  # join only into a name that has a role
            if j - k > 1 and max_piece_chars and any(len(t) > max_piece_chars for t in tokens[k:j]):
                continue
            score = best[k] + (2.0 if role else 0.5 if coined else -1.5)
            if tokens[j - 1] in modifiers:
                score -= 3.0  # a name does not end with its modifier (牵头 | 领导 …)
            if score > best[j]:
                best[j], back[j] = score, k
    cells: list[str] = []
    j = n
    while j > 0:
        cells.append(" ".join(tokens[back[j]:j]))
        j = back[j]
    return cells[::-1]


# =========================================================================== tab cells


def _tab_table(lines: list[str], i: int):
    if _is_cell(lines[i]) and _table_starts(lines, i):
        end = _table_end(lines, i)
        return end, [_rows(lines[i:end])]
    return None


# =========================================================================== pipes


_PIPE_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$")


def _is_pipe_line(line: str) -> bool:
    s = line.strip()
    return s.count("|") >= 2 or (s.startswith("|") and s.endswith("|") and len(s) > 1)


def _pipe_cells(line: str) -> list[str]:
    s = line.strip()
    if s.startswith("|"):
        s = s[1:]
    if s.endswith("|"):
        s = s[:-1]
    return [c.strip() for c in s.split("|")]


def _broken_pipe_header(lines: list[str], i: int) -> bool:
    """Line ``i`` is the first part of a table header broken over two lines: it has an
    inner pipe but no closing one, the next line is a pipe line, and together their
    cells name a task table's columns (工作任务 | 具体要求 / | 责任单位 |)."""
    s = lines[i].strip()
    if "|" not in s or s.endswith("|") or i + 1 >= len(lines) or not _is_pipe_line(lines[i + 1]):
        return False
    return header_roles([c for c in _pipe_cells(s) + _pipe_cells(lines[i + 1]) if c]) is not None


def _pipe_table(lines: list[str], i: int):
    """A Markdown/pipe table from line ``i``: metadata rows above the header become a
    table of their own; rows continue over pipe-less lines (a cell's own line breaks)."""
    if not _is_pipe_line(lines[i]) and not _broken_pipe_header(lines, i):
        return None
    end = i
    j = i
    while j < len(lines):
        if _is_pipe_line(lines[j]) or _PIPE_SEPARATOR.match(lines[j]):
            end = j + 1
            j += 1
            continue
        # a pipe-less line stays in the table when a pipe line follows closely
        ahead = [k for k in range(j + 1, min(len(lines), j + 1 + PIPE_CONTINUATION_LINES))
                 if _is_pipe_line(lines[k])]
        if not ahead:
            break
        j += 1
    region = lines[i:end]
    tables: list[list] = []
    pending: list[list[str]] = []  # rows before the task header: metadata pairs
    width = 0
    rows: list[list[str]] = []
    open_row = False  # the last row's line did not close with a pipe
    pending_open = False  # the same for the last row above the header
    for line in region:
        s = line.strip()
        if s and not s.strip("|"):
            open_row = False  # a line of pipes alone closes the row above
            pending_open = False
            continue
        if not s or _PIPE_SEPARATOR.match(s):
            continue
        if _is_pipe_line(s) or (width == 0 and "|" in s):
            cells = _pipe_cells(s)
            if width == 0:
                roles = header_roles([c for c in cells if c] if not all(cells) else cells)
                shifted = None if roles else _shifted_header(cells)
                if shifted is not None:
                    # the header lost its merged cells on the left (具体要求 | 责任科室 | | over
                    # rows of four): its names belong to the last columns
                    cells, roles = shifted, header_roles([c for c in shifted if c]) or ["unknown"]
                if not roles and pending and pending_open:
                    # a header row broken over two lines (a line break in its cells):
                    # 工作任务 | 具体要求 / | 责任单位 |
                    joined = [c for c in pending[-1] + cells if c]
                    roles = header_roles(joined)
                    if roles:
                        pending.pop()
                        cells = joined
                if roles:
                    if pending:
                        tables += _pending_rows(pending)
                        pending = []
                    width = len(cells)
                    rows = [cells]
                    open_row = False
                    continue
                pending.append(cells)
                pending_open = not s.endswith("|")
                continue
            if rows and open_row and len(rows[-1]) < width:
                rows[-1][-1] = (rows[-1][-1] + "\n" + cells[0]).strip()
                rows[-1].extend(cells[1:])
            else:
                rows.append(cells)
            # a row whose line does not close with a pipe goes on on the next line
            open_row = not s.endswith("|") and len(rows[-1]) < width
        elif "|" in s:
            # a row with one inner pipe (a | b), or one cell closed by its pipe (8.持续… |)
            rows.append(_pipe_cells(s))
            open_row = not s.endswith("|") and len(rows[-1]) < width
        elif rows:
            rows[-1][-1] = (rows[-1][-1] + "\n" + s).strip()
        elif pending and pending_open:
            pending[-1][-1] = (pending[-1][-1] + "\n" + s).strip()
        elif pending:
            pending.append([s])  # text after a closed row: a line of its own (a page's body)
    if pending:
        tables += _pending_rows(pending)
    if rows:
        fitted = _fit_short_rows(rows, width)
        tables.append(_with_section_rows(fitted, len(fitted[0])))
    return end, tables


def _shifted_header(cells: list[str]) -> list[str] | None:
    """A header row whose names stand first and whose empty cells pad its end, the names
    of a task table's columns (a task or detail column and another): the names moved to
    the last columns, the first left unnamed. None for any other row."""
    named = [c for c in cells if c]
    if not 2 <= len(named) < len(cells) or cells[:len(named)] != named:
        return None
    roles = [column_role(c) for c in named]
    if None in roles or not {"task", "detail"} & set(roles) or len(set(roles)) < 2:
        return None
    return [""] * (len(cells) - len(named)) + named


def _unnamed_roles(header: list[str], rows: list[list[str]]) -> list[str] | None:
    """Roles for a header whose first columns have no name (:func:`_shifted_header`): a
    column of serials is 序号, any other unnamed one groups rows (类别)."""
    lead = next((c for c, name in enumerate(header) if name), 0)
    if lead == 0:
        return None
    named = [column_role(c) for c in header[lead:]]
    if None in named:
        return None
    full = [r for r in rows if len(r) == len(header) and r[-1]]  # not padded at its end
    out = []
    for c in range(lead):
        filled = [r[c] for r in full if r[c]]
        serials = sum(1 for x in filled if _BARE_NUMBER.fullmatch(x.strip()))
        out.append("seq" if filled and 2 * serials > len(filled) else "category")
    return out + named


def _fit_short_rows(rows: list[list[str]], width: int) -> list[list[str]]:
    """A row with fewer cells than the header lost its merged cells: its cells go to the
    columns they fit (:func:`align_row`), in order, instead of the first ones. Rows that
    open with a serial the header does not name get a 序号 column."""
    roles = header_roles(rows[0]) or _unnamed_roles(rows[0], rows[1:])
    if roles is None:
        return rows
    header, roles = with_unheaded_serial(rows[0], roles, [[c for c in r if c] for r in rows[1:]])
    width = len(header)
    styles = column_label_styles([r for r in rows[1:] if len(r) == width and r[-1]])  # not padded
    out = [header]
    for r in rows[1:]:
        cells = [c for c in r if c]
        if len(cells) == 1 and width > 1 and _label_style(cells[0]) in styles[1:]:
            # one cell numbered as a later column numbers its items (8.持续… where the
            # column of 1. 2. 3. is second): that column's item, the others merged away
            out.append(align_row(cells, roles, styles))
            continue
        # a full row that writes its empty cells where they stand (| | |2.新建…|, cells merged
        # down from the row above; | 1 | 区 | … | | 区长 |) keeps its places; one that is short
        # or has all its empty cells padded at its end lost cells
        filled = [bool(c.strip()) for c in r]
        padded = filled[:len(cells)] == [True] * len(cells)
        if len(r) >= width and not padded:
            out.append(r)
            continue
        if 1 < len(cells) < width:
            out.append(align_row(cells, roles, styles))
            continue
        out.append(r)
    return out


def _with_unit_cells_by_line(rows: list[list]) -> list[list]:
    header = rows[0] if rows and all(isinstance(c, str) for c in rows[0]) else None
    roles = header and (header_roles(header) or _unnamed_roles(header, rows[1:]))
    return [rows[0]] + [_unit_cells_by_line(r, roles) for r in rows[1:]] if roles else rows


def _unit_cells_by_line(row: list, roles: list[str]) -> list:
    """A unit cell whose names a converter joined with spaces (the cell's own line breaks:
    市府办 县（市、区）政府) gets its line breaks back, which the normaliser keeps (it drops
    a space between Chinese characters, and the names would run together)."""
    out = list(row)
    for c, role in enumerate(roles[:len(out)]):
        cell = out[c]
        if role not in ("lead", "support") or not isinstance(cell, str) or " " not in cell.strip():
            continue
        parts = cell.split()
        if len(parts) > 1 and all(_unit_list_fit(p) >= 3.0 for p in parts):
            out[c] = "\n".join(parts)
    return out


def _label_style(cell: str) -> str | None:
    label = match_label(cell.strip()) if isinstance(cell, str) else None
    return label.style if label else None


def column_label_styles(rows: list[list[str]]) -> list[str | None]:
    """Per column, the numbering style (一、, 1., （1）…) most of its cells open with in
    ``rows`` (full rows: every column in its place), where at least two do and no other
    column's cells share it; else None. A table numbers its groups in one column and
    their items in another: the evidence for placing a row that lost cells."""
    if not rows:
        return []
    width = max(len(r) for r in rows)
    found: list[str | None] = []
    for c in range(width):
        seen = [_label_style(r[c]) for r in rows if c < len(r) and r[c]]
        labelled = [x for x in seen if x]
        top = max(sorted(set(labelled)), key=labelled.count) if labelled else None
        found.append(top if top and labelled.count(top) >= 2 and 2 * labelled.count(top) >= len(seen) else None)
    return [x if x and found.count(x) == 1 else None for x in found]


def _pending_rows(rows: list[list[str]]) -> list:
    """Pipe rows above a task table's header: a row with one filled cell is a line of
    text (the table's title: 2023年…抽查工作计划 | ||||), the others metadata pairs."""
    out: list = []
    block: list[list[str]] = []
    for r in rows:
        filled = [c for c in r if c]
        if len(filled) == 1:
            if block:
                out.append(_square(block))
                block = []
            out.append(filled[0])
        elif filled:
            block.append(r)
    if block:
        out.append(_square(block))
    return out


def _square(rows: list[list[str]]) -> list[list]:
    width = max(len(r) for r in rows)
    return [r + [""] * (width - len(r)) for r in rows]


def _with_section_rows(rows: list[list[str]], width: int) -> list[list]:
    """Rows padded to the header's width; a row with only its first cell filled is a
    section row spanning the table (how converters write a merged heading row)."""
    out: list[list] = []
    for r in rows:
        r = r[:width] + [""] * (width - len(r))
        if width > 1 and r[0] and not any(r[1:]) and not r[0].isdigit():
            out.append([(r[0], 1, width)])
        else:
            out.append(r)
    return out


# =========================================================================== one cell per line


# a field of a record written as a line: 具体措施： | 根据省统一部署… |
_RECORD_FIELD = re.compile(r"^\s*\|?\s*(?P<key>[\u4e00-\u9fff（）()]{2,12})\s*[:：]\s*\|?\s*(?P<value>.*?)\s*\|?\s*$")
# a table written as records repeats its fields at least this often
MIN_RECORDS = 2


def _record_table(lines: list[str], i: int):
    """A table written record by record, one ``column name: value`` line per cell, the
    same names repeating for every row (web pages that show each row as a card).
    The names must name columns, one of them the task, another its units or time."""
    def field(j: int):
        m = _RECORD_FIELD.match(lines[j])
        return m if m and column_role(m.group("key")) is not None else None

    first = field(i)
    if first is None:
        return None
    records: list[dict[str, str]] = []
    keys: list[str] = []
    j, end = i, i
    while j < len(lines):
        if not lines[j].strip():
            j += 1
            continue
        m = field(j)
        if m is None:
            break
        key = m.group("key")
        if key == first.group("key") or not records:
            records.append({})
        elif key in records[-1]:
            break  # a name twice in one record: no longer this table
        if key not in keys:
            keys.append(key)
        records[-1][key] = m.group("value")
        j += 1
        end = j
    roles = [column_role(k) for k in keys]
    if (len(records) < MIN_RECORDS or len(keys) < 2 or not {"task", "detail"} & set(roles)
            or not {"lead", "support", "leader", "deadline"} & set(roles)):
        return None
    return end, [[keys] + [[rec.get(k, "") for k in keys] for rec in records]]


def _cell_chunks(lines: list[str], i: int) -> list[tuple[str, int]]:
    """Cells of a one-cell-per-line region from line ``i``: runs of non-blank lines
    separated by single blank lines; every further pair of blank lines is an empty
    cell. A line of pipes alone (||||, the empty cells a converter closes a row with)
    separates cells as a blank line does. Each cell comes with the index of the line after it."""
    chunks: list[tuple[str, int]] = []
    j, n = i, len(lines)

    def blank(line: str) -> bool:
        return not line.strip().strip("|")

    while j < n:
        if blank(lines[j]):
            k = j
            while k < n and blank(lines[k]):
                k += 1
            chunks.extend(("", j + 1) for _ in range((k - j - 1) // 2))
            j = k
            continue
        k = j
        while k < n and not blank(lines[k]):
            k += 1
            if lines[k - 1].rstrip().endswith("|"):
                break  # 已完成 | : a cell its pipe closes on its own line
        cell = "\n".join(_strip_pipes(x).strip() for x in lines[j:k])
        # a cell of a lone ? held a no-break space that a GBK conversion could not write
        chunks.append(("" if cell in _LOST_SPACE_CELLS else cell, k))
        j = k
    return chunks


_LOST_SPACE_CELLS = ("?", "？")


def _cell_table(lines: list[str], i: int):
    """Header cells on lines of their own (blank lines between), then the data cells."""
    first = lines[i].strip()
    if not first or _is_cell(lines[i]) or match_label(first) is not None or column_role(first) is None:
        return None  # (a numbered line is the body's heading: 一、总体要求 names no column)
    # the header: consecutive single-line cells that each name a column
    header: list[str] = []
    j = i
    while j < len(lines):
        s = lines[j].strip()
        if not s:
            j += 1
            continue
        if _is_cell(lines[j]) or _is_section_row(s) or (column_role(s) is None and not (
                header and coined_column_name(s) and _next_line_names_column(lines, j + 1))):
            break
        if header and lines[j - 1].strip():
            return None  # cells on consecutive lines: a one-cell-per-line table (_line_table)
        header.append(s)
        j += 1
    # a header cell broken over two lines (牵头 / 部门, 完成 / 时间) is one name
    header = segment_header(header, max_piece_chars=BROKEN_HEADER_PIECE_CHARS)
    roles = header_roles(header)
    if roles is None or _broken_name_piece(lines, j):
        # every name broken over lines (抽查 / 户数, 检查 / 方式, 检查对 / 范围): the short
        # pieces up to the first data cell, joined where the joined name has a role
        pieces, k = _short_header_pieces(lines, i)
        joined = segment_header(pieces, max_piece_chars=BROKEN_NAME_PIECE_CHARS) if pieces else []
        joined_roles = header_roles(joined) if len(joined) > len(header) else None
        if joined_roles is not None:
            header, roles, j = joined, joined_roles, k
    if roles is None:
        return None
    chunks = _cell_chunks(lines, j)
    rows, end = _rows_from_cells(chunks, roles, j)
    if not rows:
        return None
    return end, [[header] + _one_lead_each(rows, header, roles)]


def _one_lead_each(rows: list[list], header: list[str], roles: list[str]) -> list[list]:
    """A 牵头单位 column beside a 协同 / 配合 column, the units of a row one a block (a converter
    that parts a cell's lines as it parts cells): the placement cannot tell where the lead's
    cell ended, so the first unit leads (牵头: one body) and the others go with the support
    column's (区教体局 / 东孝街道 / 孝顺镇 … / 区资规分局: 区教体局 leads, the rest support)."""
    lead = next((c for c, (name, role) in enumerate(zip(header, roles)) if role == "lead" and "牵头" in name), None)
    support = next((c for c, role in enumerate(roles) if role == "support"), None)
    if lead is None or support is None:
        return rows
    for row in rows:
        if len(row) != len(roles) or not isinstance(row[lead], str):
            continue
        units = [ln.strip() for ln in row[lead].split("\n") if ln.strip()]
        if len(units) > 1 and all(_unit_list_fit(u) >= 3.0 for u in units):
            rest = [ln for ln in row[support].split("\n") if ln.strip()] if isinstance(row[support], str) else []
            row[lead] = units[0]
            row[support] = "\n".join(units[1:] + rest)
    return rows


# a header whose every name a narrow column broke over lines: its pieces are this short
BROKEN_NAME_PIECE_CHARS = 3


def _broken_name_piece(lines: list[str], j: int) -> bool:
    """The header read so far stops at a short piece of a name (检查对, 抽取) that is no
    column name itself: the header goes on, broken over lines."""
    while j < len(lines) and not lines[j].strip():
        j += 1
    if j >= len(lines):
        return False
    s = lines[j].strip()
    return (len(s) <= BROKEN_NAME_PIECE_CHARS and column_role(s) is None
            and re.fullmatch(r"[\u4e00-\u9fff]+", s) is not None)


def _short_header_pieces(lines: list[str], i: int) -> tuple[list[str], int]:
    """The short lines of Chinese characters from line ``i`` (blank lines between) up to
    the first data cell: a header's names broken into pieces. With the index after them."""
    pieces: list[str] = []
    j = i
    while j < len(lines):
        s = lines[j].strip()
        if not s:
            j += 1
            continue
        if len(s) > 8 or not re.fullmatch(r"[\u4e00-\u9fff、（）()]+", s):
            break
        pieces.append(s)
        j += 1
    return pieces, j


def _next_line_names_column(lines: list[str], j: int) -> bool:
    while j < len(lines) and not lines[j].strip():
        j += 1
    return j < len(lines) and column_role(lines[j].strip()) is not None


def _rows_from_cells(chunks: list[tuple[str, int]], roles: list[str], start_line: int):
    """Group a stream of cells into rows of the header's width, anchored by the 序号
    sequence where the first column is 序号; section rows between rows are kept."""
    width = len(roles)
    if roles[0] != "seq" and "seq" in roles[1:MAX_COLUMNS_BEFORE_SEQ + 1]:
        shifted = _rows_after_merged_columns(chunks, roles, start_line)
        if shifted is not None:
            return shifted
    if roles[0] != "seq":
        # no 序号 to anchor the rows: the cells up to the body that follows go through
        # the grid assignment, which reads the rows from the cells' roles
        stop = _body_after_cells(chunks)
        pieces = [(c, True) for c, _ in chunks[:stop] if c]
        rows = assign_grid(pieces, roles)
        return rows, (chunks[stop - 1][1] if stop else start_line)
    rows: list[list] = []
    end = start_line
    k, n = 0, len(chunks)
    expected = 1
    while k < n:
        # skip empty cells between rows
        while k < n and not chunks[k][0]:
            k += 1
        if k >= n:
            break
        cell = chunks[k][0]
        # an excerpt of a longer list (rows 22, 24, 30 … of a department's share) opens
        # anywhere and skips numbers, where each number is followed by its task's text
        jump = _line_seq(cell, None if not rows else expected - 1)
        if jump is None and rows and _is_seq(cell, 1):
            jump = 1  # numbered again from 1 (each part of the table numbers its own rows)
        if jump is None and rows and _skipped_serial(cell, expected - 1, _next_filled(chunks, k + 1)):
            jump = _serial_number(cell)
        if jump is not None and not _is_seq(cell, expected) and _text_follows(chunks, k + 1):
            expected = jump
        if not _is_seq(cell, expected):
            item = _next_item(rows, cell)
            if item is not None:
                # a row that lost its merged 序号 (and group) cells: 1 | 主要预期目标 | 1.… then
                # 2.… | ★区财政局 — its cells run to the next item, 序号 or section
                stop = _item_row_end(chunks, k, expected, item, width)
                styles = [item[1] if c == item[0] else None for c in range(width)]
                rows.append(align_row([c for c, _ in chunks[k:stop] if c], roles, styles))
                end = chunks[stop - 1][1]
                k = stop
                continue
            if _is_section_row(cell) and k + 1 < n and (_next_filled_is_seq(chunks, k + 1, expected)
                                                         or (rows and _next_filled_is_seq(chunks, k + 1, 1))):
                # a section row, and the rows of the next section may number from 1 again
                rows.append([(_unstacked(cell), 1, width)])
                end = chunks[k][1]
                k += 1
                continue
            break
        row = [c for c, _ in chunks[k:k + width]]
        stop = min(k + width, n)
        folded = None
        # a row ends at the next 序号 (with a cell after it): before the header's width
        # when it lost trailing cells, after it when a cell's lines are split by blank
        # lines too (县水务局 / 县住建局 in one 责任单位 cell)
        for m in range(k + 1, min(n, k + ROW_MAX_CHUNKS * width)):
            if m >= k + width and _is_section_row(chunks[m][0]):
                # a section row (二、…) between this row and the next closes it
                folded = _fold_year_rows([c for c, _ in chunks[k:m]], roles)
                if folded is not None:
                    row, stop = folded, m
                break
            # the next 序号 closes this row when words follow it or the row is full: a value
            # cell that happens to be that number (≥80 after it) does not
            value = _seq_value(cell, expected) or expected
            if (_is_seq(chunks[m][0], value + 1)
                    and m + 1 < n and chunks[m + 1][0]
                    and (m - k >= width - 1 or _words_cell(chunks[m + 1][0]))) or (
                    m - k >= width - 1 and m + 1 < n and _skipped_serial(chunks[m][0], value, chunks[m + 1][0])):
                row = [c for c, _ in chunks[k:m]]
                folded = _fold_year_rows(row, roles)
                if folded is not None:
                    row = folded  # placed by the sub-rows' shape: no refit below
                elif len(row) != width and sum(1 for c in row if c) >= 2:
                    # more cells than columns (a cell's lines split by blank lines) or fewer
                    # (merged or empty cells left out): each piece to the column it fits
                    row = _one_row(assign_grid([(c, True) for c in row if c], roles), roles)
                stop = m
                break
        if folded is None and stop == k + width:
            # the last row (no 序号 after it) with sub-rows by year after its cells
            j = stop
            while j + 1 < n and _YEAR_CELL.match(chunks[j][0].strip()) and chunks[j + 1][0].strip():
                j += 2
            if j > stop:
                folded = _fold_year_rows([c for c, _ in chunks[k:j]], roles)
                if folded is not None:
                    row, stop = folded, j
        if len(row) < width and sum(1 for c in row if c) >= 2:
            # the last row (no 序号 after it) short of cells: placed as the others are
            row = _one_row(assign_grid([(c, True) for c in row if c], roles), roles)
        elif len(row) == width and all(row) and folded is None:
            # as many cells as columns, yet one may be a cell's second line (农业股 / 乡村产业发展股)
            # and the last column empty: the placement that fits the columns better wins
            fits = _cell_fits(row, roles)
            if fits and min(fits) <= ROW_MISFIT:
                placed = _one_row(assign_grid([(c, True) for c in row], roles), roles)
                if sum(_cell_fits(placed, roles)) > sum(fits) + ROW_REFIT_MARGIN:
                    row = placed
        row += [""] * (width - len(row))
        filled = [c for c in row[1:] if c]
        if len(filled) == 1 and 2 <= filled[0].count("\n") + 1 < width:
            # every cell of the row in one, a line each (a page that writes empty cells as nothing
            # and separates its cells as it separates a cell's lines): each line to the column it fits
            lines = [ln for ln in filled[0].split("\n") if ln.strip()]
            row = [row[0], *_one_row(assign_grid([(ln, True) for ln in lines], roles[1:]), roles[1:])]
        rows.append(row)
        end = chunks[stop - 1][1]
        if "\n" in row[-1]:
            # the text after a table goes on without a blank line: the body that
            # follows (四、保障措施…) is no part of the last cell
            lines = row[-1].split("\n")
            cut = next((m for m in range(1, len(lines)) if _opens_body(lines[m])), None)
            if cut is not None:
                row[-1] = "\n".join(lines[:cut])
                end -= len(lines) - cut
                break
        expected = (_seq_value(cell, expected) or expected) + 1
        k = stop
    return rows, end


def _body_after_cells(chunks: list[tuple[str, int]]) -> int:
    """Where the body goes on after the cells of a table without 序号: an attachment mark, a
    long numbered paragraph, or the body's numbering resuming — a heading 三、改革任务 followed
    at once by the first item of a deeper style (（一）推进… or 1．…), not by a row's cells. A
    table whose rows are grouped under such headings (一、以公开助力… / （一）加强… / 1.…) opens
    with one: a heading that comes only after rows without any is the body's. One pass: the
    heading styles seen so far are kept, not looked for again before every cell."""
    headed: set[str] = set()  # heading styles (一、, 第一章) the cells so far opened with
    for k, (c, _) in enumerate(chunks):
        if rules().attachment.match(c):
            return k
        label = match_label(c) if c else None
        if label is None:
            continue
        if len(c) > SECTION_ROW_MAX_CHARS * 2:
            return k
        if label.style not in ("cn_dun", "chapter"):
            continue
        if k > 0 and label.style not in headed:
            nxt = next((x for x, _ in chunks[k + 1:] if x), None)
            deeper = match_label(nxt) if nxt else None
            if deeper is not None and deeper.style != label.style and deeper.num == 1:
                return k
        headed.add(label.style)
    return len(chunks)


def _next_item(rows: list[list], cell: str) -> tuple[int, str, int] | None:
    """``(column, style, number)`` when ``cell`` opens with the next number of the items
    numbered in a column of the last row (2. after a row holding 1.), else None."""
    last = next((r for r in reversed(rows) if r and isinstance(r[0], str)), None)
    label = match_label(cell.strip())
    if last is None or label is None:
        return None
    for c, value in enumerate(last):
        before = match_label(value.strip()) if value else None
        if before is not None and before.style == label.style and label.num == before.num + 1:
            return c, label.style, label.num
    return None


def _item_row_end(chunks: list[tuple[str, int]], k: int, expected: int, item: tuple[int, str, int],
                  width: int) -> int:
    """Where the row of an item that lost its merged cells ends: at the next item of the
    same numbering, the next 序号 with words after it, or a section row."""
    _, style, num = item
    n = len(chunks)
    for m in range(k + 1, min(n, k + ROW_MAX_CHUNKS * width)):
        cell = chunks[m][0]
        if not cell:
            continue
        label = match_label(cell.strip())
        if label is not None and label.style == style and label.num == num + 1:
            return m
        if (_is_seq(cell, expected) or _is_seq(cell, 1)) and _text_follows(chunks, m + 1):
            return m
        if _is_section_row(cell) and (label is None or label.style != style):
            return m
    return min(n, k + width)


# a row of as many cells as columns is re-placed only when one of its cells clearly does
# not belong to its column (a sentence under a deadline column), and the re-placed row
# must then fit its columns this much better
ROW_MISFIT = -3.0
ROW_REFIT_MARGIN = 2.0


def _cell_fits(row: list[str], roles: list[str]) -> list[float]:
    return [_piece_fit(role, cell, anchor=(c == 0)) for c, (role, cell) in enumerate(zip(roles, row))
            if isinstance(cell, str) and cell]


# columns a table may set before its 序号 (抽查单位 | 序号 | …): merged down the rows
MAX_COLUMNS_BEFORE_SEQ = 2


def _rows_after_merged_columns(chunks: list[tuple[str, int]], roles: list[str], start_line: int):
    """Rows anchored by a 序号 that is not the first column (抽查单位 | 序号 | …): the first
    columns are merged down the rows (a table sets a column left of its serial only to
    group the rows), so their cells stand once, before the first 序号. The rows are read
    from the 序号 on, each with those cells in its first columns. None when the cells
    before the first 序号 are more than those columns."""
    lead = roles.index("seq")
    first = next((k for k, (c, _) in enumerate(chunks) if _is_seq(c, 1) and _text_follows(chunks, k + 1)), None)
    if first is None:
        return None
    before = [_unstacked(c) for c, _ in chunks[:first] if c]
    if len(before) > lead:
        return None
    rows, end = _rows_from_cells(chunks[first:], roles[lead:], start_line)
    if not rows:
        return None
    out: list[list] = []
    for n, r in enumerate(rows):
        if r and isinstance(r[0], tuple):
            out.append([(r[0][0], 1, len(roles))])
            if lead == 1:
                before = [r[0][0]]  # the next group's merged cell (2.分类运输与转运)
            continue
        out.append(before + [""] * (lead - len(before)) + list(r))
    return out, end


def _one_row(rows: list[list], roles: list[str]) -> list[str]:
    """The rows the grid assignment read between two 序号 as one row: the 序号 anchors
    rows, so a second task sentence or a second time in it belongs to the same row."""
    width = len(roles)
    cells = [""] * width
    main = roles.index("task") if "task" in roles else width - 1
    for r in rows:
        texts = r if not isinstance(r[0], tuple) else [
            r[0][0] if c == main else "" for c in range(width)]
        for c, t in enumerate(texts[:width]):
            if t:
                cells[c] = f"{cells[c]}\n{t}" if cells[c] else t
    return cells


def _opens_body(line: str) -> bool:
    """A line that starts body text again: a numbering label, an attachment mark, or a
    long sentence."""
    s = line.strip()
    return bool(match_label(s)) or bool(rules().attachment.match(s)) or len(s) > SECTION_ROW_MAX_CHARS * 2


def _next_filled(chunks, k: int) -> str | None:
    """The first non-empty cell from ``k`` on, or None."""
    return next((c for c, _ in chunks[k:] if c), None)


def _text_follows(chunks, k: int) -> bool:
    """The next filled cell from ``k`` is text (a task), not another number."""
    cell = _next_filled(chunks, k)
    return cell is not None and len(cell) >= 4 and not _BARE_NUMBER.fullmatch(cell.strip())


def _next_filled_is_seq(chunks, k: int, expected: int) -> bool:
    cell = _next_filled(chunks, k)
    return cell is not None and _is_seq(cell, expected)


# a 序号 column may skip a number (a row deleted in drafting: 1 … 8, 10): one gap is allowed
SEQ_GAP = 1


def _skipped_serial(cell: str, previous: int, following: str | None) -> bool:
    """``cell`` is a 序号 that skips ahead of ``previous`` (the rows of one unit taken out of
    a longer list: 6, 52, 53), told by the words cell after it (its task), never a value."""
    value = _serial_number(cell)
    return value is not None and value > previous and following is not None and _words_cell(following)


def _serial_number(cell: str) -> int | None:
    s = cell.strip().rstrip("、.．")
    return int(s) if s.isdigit() and len(s) <= 4 else None


def _seq_value(cell: str, expected: int) -> int | None:
    """The 序号 in ``cell`` when it continues the sequence at ``expected``."""
    s = cell.strip().rstrip("、.．")
    if s.isdigit() and expected <= int(s) <= expected + SEQ_GAP:
        return int(s)
    return None


# rows that stand on lines of their own may skip numbers (a department's rows taken out of
# a county's list: 81, 85, 87), never go back
LINE_SEQ_STEP = 10


def _line_seq(cell: str, prev: int | None) -> int | None:
    """The 序号 opening a row line: any number first, then increasing by at most LINE_SEQ_STEP."""
    s = cell.strip().rstrip("、.．")
    if not (s.isdigit() and len(s) <= 4):
        return None
    n = int(s)
    return n if prev is None or prev < n <= prev + LINE_SEQ_STEP else None


def _is_seq(cell: str, expected: int) -> bool:
    return _seq_value(cell, expected) is not None


def _is_section_row(cell: str) -> bool:
    s = _unstacked(cell.strip())
    return (len(s) <= SECTION_ROW_MAX_CHARS and "。" not in s and "\n" not in s
            and match_label(s) is not None)


def _unstacked(cell: str) -> str:
    """A narrow merged cell's words written one character a line (2. / 分 / 类 / 运 / 输) as
    one line; any other cell as it is."""
    lines = cell.split("\n")
    if len(lines) > 2 and all(len(x.strip()) <= 1 for x in lines[1:]):
        return "".join(x.strip() for x in lines)
    return cell


# a cell that is a year alone: the 节点 of a row's sub-row (2018年 / 2019年 / 2020年)
_YEAR_CELL = re.compile(r"^(?:19|20)\d{2}\s*年度?$")


def _fold_year_rows(row: list[str], roles: list[str]) -> list[str] | None:
    """A row whose sub-rows go by year (节点 2018年 | 指标数 345个, then 2019年 | 440个 …, the
    other cells merged down): the cells past the header's width are (year, value) pairs of the
    deadline column and the column after it, folded into those two cells a line each."""
    width = len(roles)
    if "deadline" not in roles or len(row) <= width:
        return None
    d = roles.index("deadline")
    if d + 1 >= width or not _YEAR_CELL.match(row[d].strip()):
        return None
    # the pairs from the row's end (a cell left empty before them, 配合单位, is simply absent)
    cells, pairs = list(row), []
    while len(cells) >= d + 4 and _YEAR_CELL.match(cells[-2].strip()) and cells[-1].strip():
        pairs.insert(0, (cells[-2].strip(), cells[-1].strip()))
        cells = cells[:-2]
    if not pairs or len(cells) > width:
        return None
    out = cells + [""] * (width - len(cells))
    out[d] = "\n".join([out[d]] + [y for y, _ in pairs])
    out[d + 1] = "\n".join([out[d + 1]] + [v for _, v in pairs])
    return out


# =========================================================================== one row per line


_TOKEN = re.compile(r"\S+")


def _space_table(lines: list[str], i: int):
    """A header line of column names separated by spaces, then rows whose cells are
    separated by spaces and may go on over the next lines (a cell's own line breaks)."""
    if len(lines[i].strip()) > 200 or len(lines[i].split()) < MIN_HEADER_CELLS:
        return None
    tokens = segment_header(lines[i].split())
    roles = header_roles(tokens)
    if roles is None:
        return None
    end = _table_region_end(lines, i + 1, roles[0] == "seq", split_tokens=True)
    row_lines = [line.split() for line in lines[i + 1:end]
                 if line.strip() and not _is_section_row(line.split()[0])]
    tokens, roles = with_unheaded_serial(tokens, roles, row_lines)
    if roles[0] == "seq" and tokens[0] == "":
        # the serials open the row lines: the region ends where they stop
        end = _table_region_end(lines, i + 1, True, split_tokens=True)
    rows = _rows_one_a_line(lines[i + 1:end], roles)
    if rows is None:
        pieces = [(tok, n == 0) for line in lines[i + 1:end] for n, tok in enumerate(line.split())]
        rows = assign_grid(pieces, roles, wrapped_cells=True)
    if not rows:
        return None
    return end, [[tokens] + rows]


def _rows_one_a_line(lines: list[str], roles: list[str]) -> list[list] | None:
    """Rows written one a line, a space between cells (spaces never inside one): some
    lines (two, and a third) have as many cells as the header has names, none has more; a line with
    fewer lost its merged cells (placed by :func:`align_row`). None for any other shape
    (cells that wrap over lines, spaces inside cells: the grid assignment reads those)."""
    width = len(roles)
    cells = [line.split() for line in lines if line.strip()]
    if len(cells) < 2 or any(len(c) > width for c in cells):
        return None
    full = sum(1 for c in cells if len(c) == width)
    if full < 2 or 3 * full < len(cells):
        return None
    rows_only = [c for c in cells if not (len(c) == 1 and _is_section_row(c[0]))]
    if any(len(c) < 2 for c in rows_only) or (
            roles[0] == "seq" and not all(_BARE_NUMBER.fullmatch(c[0]) for c in rows_only)):
        return None  # a line that goes on the row above (a cell's own line break)
    seen = [{c[k] for c in cells if len(c) == width} for k in range(width)]
    rows: list[list] = []
    for c in cells:
        if len(c) == 1 and _is_section_row(c[0]):
            rows.append([(c[0], 1, width)])
        else:
            rows.append(c if len(c) == width else align_row(c, roles, seen=seen))
    return rows


def _line_table(lines: list[str], i: int):
    """Header cells on consecutive lines, then one cell per line, rows of varying
    length (merged cells are left out by the converter). A converter that ends every
    cell with a pipe (``序号 |``) and every row with a line of pipes writes the same."""
    if column_role(_strip_pipes(lines[i])) is None:
        return None
    header: list[str] = []
    j = i
    while j < len(lines):
        line = _strip_pipes(lines[j])
        s = line.strip()
        if header and re.fullmatch(r"[（(][\u4e00-\u9fff]{1,6}[）)]", s):
            header[-1] += s  # 责任股室 / (单位): a header cell's own line break
        elif (s and not _is_cell(line) and match_label(s) is None
              and (column_role(s) is not None or (header and is_year_column(s)))):
            # (a numbered line is the body's heading, never a column's name: 一、总体要求 names
            # 要求, 二、重点任务 任务)
            header.append(s)
            if len(header) > MAX_HEADER_LINES:
                return None  # lines that each name something (a list of 台账 items) are no header
        else:
            break
        j += 1
    roles = header_roles(header)
    if roles is None:
        return None
    lines = [_strip_pipes(ln) for ln in lines]  # (copied once a header is found, not for every line)
    end = _table_region_end(lines, j, roles[0] == "seq", split_tokens=False, head=i)
    groups = _row_groups(lines[j:end], len(roles))
    if groups is not None:
        # a converter that closes every row with a line of pipes (or a blank line) says
        # where each row ends: each row's cells go to the columns they fit
        header, roles = with_unheaded_serial(header, roles, groups)
        rows = [[(g[0], 1, len(roles))] if len(g) == 1 else align_row(g, roles) for g in groups]
        return end, [[header] + rows]
    cells = [(line.strip(), n + 1) for n, line in enumerate(lines[j:end], start=j) if line.strip()]
    if roles[0] == "seq" and cells and _seq_value(cells[0][0], 1) == 1:
        # no line parts the rows, but each opens with its 序号 (1, 2, 3 …): the rows the
        # sequence anchors, as for cells parted by blank lines
        rows, _ = _rows_from_cells(cells, roles, j)
        if len(rows) >= 2:
            return end, [[header] + rows]
    pieces = [(line.strip(), True) for line in lines[j:end] if line.strip()]
    rows = assign_grid(pieces, roles)
    if not rows:
        return None
    return end, [[header] + rows]


def _words_cell(cell: str) -> bool:
    """A cell of words (群众体育, 市卫健局), not a value or a measure word (≥80, 岁)."""
    return len(re.findall(r"[\u4e00-\u9fff]", cell)) >= 2 and not is_measure_word(cell)


def _row_groups(lines: list[str], width: int) -> list[list[str]] | None:
    """The rows of a one-cell-per-line region whose rows are parted by blank lines
    (one cell a line, a line of pipes or a blank line closing each row), or None where
    blank lines do not part rows: a row holds at least two cells and at most
    ROW_MAX_CHUNKS header widths, a section row (一、…) one; most rows come near the
    header's width (merged cells left out, a 序号 the header does not name added)."""
    groups: list[list[str]] = []
    current: list[str] = []
    for line in lines + [""]:
        s = line.strip()
        if s and not PAGE_NUMBER_LINE.match(s):
            current.append(s)
        elif current:
            groups.append(current)
            current = []
    rows = [g for g in groups if len(g) > 1]
    if len(rows) < 2 or any(len(g) == 1 and not _is_section_row(g[0]) for g in groups):
        return None
    if any(len(g) > ROW_MAX_CHUNKS * width for g in rows):
        return None
    near = sum(1 for g in rows if width - 2 <= len(g) <= width + 1)
    return groups if near * 2 >= len(rows) else None


def with_unheaded_serial(header: list[str], roles: list[str], rows: list[list[str]]):
    """Header and roles with a 序号 column in front where the rows open with a serial
    number the header does not name (the header's 序号 cell merged away or never
    written): every row's first cell, bar one, is a bare number continuing 1, 2, 3 …"""
    if roles[0] == "seq" or len(rows) < 2:
        return header, roles
    expected, serial = None, 0
    for r in rows:
        first = r[0].strip() if r and isinstance(r[0], str) else ""
        value = int(first.rstrip("、.．")) if _BARE_NUMBER.fullmatch(first) else None
        if value is not None and (expected <= value <= expected + SEQ_GAP if expected is not None
                                  else value <= SEQ_FIRST_MAX):
            serial += 1
            expected = value + 1
    # every row with cells, bar one a page break split, opens with its serial
    if serial >= 2 and serial >= len(rows) - 1:
        return [""] + list(header), ["seq"] + list(roles)
    return header, roles


# the columns that group rows (a group heading, the 目标 a group of indicators shares)
# are the ones a rowspan merges over the rows below: a row short of cells most likely lost those
MERGED_SKIP = -0.1


def _skip_costs(roles: list[str]) -> list[float]:
    """What leaving each column of a row empty costs: little for a column that groups
    rows (序号, 类别, or one whose role a later column repeats, as 目标 before 任务内容:
    tables put such cells at the left and merge them down), SKIP_COLUMN for the others."""
    return [MERGED_SKIP if r in ("seq", "category") or r in roles[c + 1:] else SKIP_COLUMN
            for c, r in enumerate(roles)]


# a cell numbered in the style of the column (or of another column) that numbers its cells so
LABEL_STYLE_FIT = 2.0


# a cell that repeats a value its column holds in other rows (生态环境保护法律、法规, 全年)
SEEN_VALUE_FIT = 3.0


def align_row(cells: list[str], roles: list[str], styles: list[str | None] | None = None,
              seen: list[set[str]] | None = None) -> list[str]:
    """One row's cells (in order) placed in the header's columns: the placement that
    fits the columns' roles best (:func:`role_fit`). A row short of cells skips columns,
    the ones that group rows cheaply (:func:`_skip_costs`: merged cells stand at the
    left, so a row that lost them is right-aligned), the others at SKIP_COLUMN; a row
    with more cells than columns joins neighbours (a cell's own line break); a 序号
    column takes only a bare number opening the row. ``styles``: per column, the numbering
    style its cells open with (:func:`column_label_styles`): a cell so numbered fits that
    column and no other. ``seen``: per column, the values its full rows hold; a cell that
    repeats one fits that column. O(cells × columns²)."""
    k, n = len(roles), len(cells)
    neg = float("-inf")
    if not n:
        return [""] * k
    later = [DUPLICATE_ROLE * roles[c + 1:].count(roles[c]) for c in range(k)]
    skip_cost = _skip_costs(roles)
    styles = list(styles or [])[:k]
    styles += [None] * (k - len(styles))
    cell_styles = [_label_style(c) for c in cells] if any(styles) else [None] * n

    def fit(t: int, c: int) -> float:
        text = cells[t]
        if roles[c] == "seq":
            return 4.0 if t == 0 and _BARE_NUMBER.fullmatch(text.strip()) else neg
        style = cell_styles[t]
        bonus = 0.0
        if style is not None and style in styles:
            bonus = LABEL_STYLE_FIT if styles[c] == style else -LABEL_STYLE_FIT
        if seen and c < len(seen) and text in seen[c]:
            bonus += SEEN_VALUE_FIT
        # a bare number after the row's opening cell is a quantity, not a serial
        return _piece_fit(roles[c], text, anchor=False) + later[c] + bonus

    # best[t][c]: cells[:t+1] placed, cell t in column c
    best = [[neg] * k for _ in range(n)]
    back = [[-1] * k for _ in range(n)]
    for c in range(k):
        e = fit(0, c)
        if e != neg:
            best[0][c] = e + sum(skip_cost[:c])
    for t in range(1, n):
        for b in range(k):
            e = fit(t, b)
            if e == neg:
                continue
            for a in range(b + 1):
                prev = best[t - 1][a]
                if prev == neg:
                    continue
                if a == b:
                    if roles[b] == "seq":
                        continue
                    move = CONTINUE_CELL
                else:
                    move = sum(skip_cost[a + 1:b])
                if prev + move + e > best[t][b]:
                    best[t][b], back[t][b] = prev + move + e, a
    last = max(range(k), key=lambda c: best[n - 1][c] + sum(skip_cost[c + 1:]))
    if best[n - 1][last] == neg:
        return cells[:k] + [""] * (k - len(cells[:k]))
    out = [""] * k
    c = last
    for t in range(n - 1, -1, -1):
        out[c] = cells[t] + ("\n" + out[c] if out[c] else "")
        c = back[t][c]
    return out


def _strip_pipes(line: str) -> str:
    s = line.strip()
    return s.strip("|").strip() if "|" in s else line


# a line this long that does not open a row ends a flattened table: text goes on
# (rows on lines: a line that opens no row is a wrapped cell, short; cells on lines: a cell)
TABLE_LINE_MAX_CHARS = {(True, True): 60, (True, False): 120, (False, True): 400, (False, False): 400}


def _table_region_end(lines: list[str], j: int, has_seq: bool, split_tokens: bool,
                      head: int | None = None) -> int:
    """Index after the last line of a flattened table starting at ``j``: a line that
    opens the next row, a section row, or a short line (a cell, or a cell's
    continuation) stays; a long line that opens no row, an attachment mark or the
    header of another table ends it. ``head``: the line of the table's header, when the
    lines before it are the notice's body: a section row that goes on with the body's
    count (三、 after the body's 二、 that announced the table) is the body's next
    section, not a row, unless the table's own section rows count up to it."""
    prev: int | None = None  # the last 序号: an excerpt of a longer list may open at 81
    end = j
    limit = TABLE_LINE_MAX_CHARS[(has_seq, split_tokens)]
    own_sections: dict[str, int] = {}  # the table's section rows: the last number of each style
    while j < len(lines):
        s = lines[j].strip()
        if not s or PAGE_NUMBER_LINE.match(s):
            j += 1
            continue
        if rules().print_date.search(s):
            break  # the 版记 (…印发) closes the document
        first = s.split()[0] if split_tokens else s
        seq = _line_seq(first, prev) if has_seq else None
        if seq is not None:
            prev = seq
        elif _is_section_row(s):
            label = match_label(_unstacked(s))
            if (head is not None and own_sections.get(label.style) != label.num - 1
                    and _body_count_before(lines, head, label.style) == label.num - 1):
                break
            own_sections[label.style] = label.num
        elif (rules().attachment.fullmatch(s) or header_roles(s.split())
              or (len(s) > limit and not (split_tokens and len(s.split()) >= 2))
              or (has_seq and prev is None)):
            break  # a long line of one piece is body text; a wrapped row keeps its spaces
        j += 1
        end = j
    return end


# lines before a table searched for the body's count it interrupts
BODY_COUNT_LOOKBACK = 400


def _body_count_before(lines: list[str], head: int, style: str) -> int | None:
    """The number of the last label of ``style`` opening a line before line ``head``
    (the body's count that a table interrupts), or None."""
    for k in range(head - 1, max(-1, head - 1 - BODY_COUNT_LOOKBACK), -1):
        label = match_label(lines[k].strip())
        if label is not None and label.style == style:
            return label.num
    return None


# =========================================================================== cells to columns


# the pieces of one row the cell programme weighs one by one (O(columns × pieces²))
MAX_FIT_PIECES = 48


def fit_cells(tokens: list[str], roles: list[str]) -> list[str]:
    """Assign a row's space-separated pieces to the columns, in order.

    Each column takes zero or more adjacent pieces; the split maximises the sum of
    :func:`role_fit` over the columns (dynamic programming, O(columns × pieces²)).
    """
    k = len(roles)
    if len(tokens) > MAX_FIT_PIECES and len(tokens) > 4 * k:
        # keep the programme linear on a hostile row: the pieces in the middle go in groups,
        # those at both ends (序号, a name; a unit, a time) stay single
        head, middle, tail = tokens[:k], tokens[k:-k], tokens[-k:]
        g = -(-len(middle) // (MAX_FIT_PIECES - 2 * k))
        tokens = head + [" ".join(middle[i:i + g]) for i in range(0, len(middle), g)] + tail
    m = len(tokens)
    neg = float("-inf")
    # best[c][t]: best score placing tokens[:t] into columns[:c]
    best = [[neg] * (m + 1) for _ in range(k + 1)]
    back = [[0] * (m + 1) for _ in range(k + 1)]
    best[0][0] = 0.0
    for c in range(1, k + 1):
        role = roles[c - 1]
        for t in range(m + 1):
            for s in range(t + 1):
                if best[c - 1][s] == neg:
                    continue
                score = best[c - 1][s] + role_fit(role, " ".join(tokens[s:t]))
                if score > best[c][t]:
                    best[c][t] = score
                    back[c][t] = s
    cells: list[str] = []
    t = m
    for c in range(k, 0, -1):
        s = back[c][t]
        cells.append(" ".join(tokens[s:t]))
        t = s
    return cells[::-1]


# Scores of the grid assignment (see assign_grid): a column left empty (merged cells,
# a missing trailing cell), a cell going on over another piece, a new row.
SKIP_COLUMN = -0.6
CONTINUE_CELL = -0.4
NEW_ROW = -1.0
SECTION_ROW = 3.0
DUPLICATE_ROLE = -0.3
WRAPPED_NEXT = -0.8


def assign_grid(pieces: list[tuple[str, bool]], roles: list[str],
                wrapped_cells: bool = False) -> list[list]:
    """Rows of a flattened table from its pieces in reading order.

    ``pieces`` are ``(text, opens_line)``: the space-separated pieces of row lines,
    or the lines of a one-cell-per-line table. Each piece is a cell of some column,
    the continuation of the cell before it, or a section row (一、…): a Viterbi pass
    over column states picks the reading that fits the column roles best
    (:func:`role_fit`), where a row runs left to right, may skip columns (merged or
    empty cells) and, in a table with a 序号 column, starts with its number. With
    ``wrapped_cells`` (rows written on lines, cells separated by spaces) a piece that
    opens a line more likely continues the cell above than starts the next column.
    O(pieces × columns²).
    """
    k, n = len(roles), len(pieces)
    if not n:
        return []
    has_seq = roles[0] == "seq"
    S = k  # the section-row state
    neg = float("-inf")
    # two columns of one role (目标 / 主要内容 both details): the text mostly sits in the
    # last one, the first being a grouping cell merged over rows
    later = [DUPLICATE_ROLE * roles[c + 1:].count(roles[c]) for c in range(k)]
    anchors = _seq_anchors(pieces) if has_seq else [None] * n
    skip_cost = _skip_costs(roles)
    emit = [[_piece_fit(roles[c], text, anchor) + later[c] for c in range(k)] +
            [SECTION_ROW if opens and _is_section_row(text) else neg]
            for (text, opens), anchor in zip(pieces, anchors)]

    def row_start(c: int) -> float:
        if has_seq and c != 0:
            return neg
        return sum(skip_cost[:c])

    def viterbi(emit: list[list[float]]) -> list[int] | None:
        score = [[neg] * (k + 1) for _ in range(n)]
        back = [[-1] * (k + 1) for _ in range(n)]
        for c in range(k + 1):
            score[0][c] = emit[0][c] + (0.0 if c == S else row_start(c))
        for t in range(1, n):
            opens = pieces[t][1]
            for b in range(k + 1):
                if emit[t][b] == neg:
                    continue
                best, arg = neg, -1
                for a in range(k + 1):
                    prev = score[t - 1][a]
                    if prev == neg:
                        continue
                    if b == S:
                        move = 0.0 if a == S or opens else neg
                    elif a == S:
                        move = row_start(b)
                    elif b > a:
                        move = sum(skip_cost[a + 1:b]) + (WRAPPED_NEXT if wrapped_cells and opens else 0.0)
                    elif b == a:
                        move = neg if roles[b] == "seq" else CONTINUE_CELL
                    else:
                        move = NEW_ROW + row_start(b)
                    if move != neg and prev + move > best:
                        best, arg = prev + move, a
                if arg >= 0:
                    score[t][b] = best + emit[t][b]
                    back[t][b] = arg
        state = max(range(k + 1), key=lambda c: score[n - 1][c])
        if score[n - 1][state] == neg:
            return None
        path = [0] * n
        for t in range(n - 1, -1, -1):
            path[t] = state
            state = back[t][state]
        return path

    path = viterbi(emit)
    if path is None:
        return []
    if wrapped_cells:
        # second pass: a wrapped line's list of units belongs to the unit column whose
        # cells list as many names elsewhere in the table (the 协同 column lists many,
        # the 牵头 column one)
        profiled = _with_unit_profiles(emit, pieces, path, roles)
        if profiled is not None:
            path = viterbi(profiled) or path
    rows: list[list] = []
    cells: list[list[str]] | None = None
    prev_state = None
    for (text, opens), st in zip(pieces, path):
        if st == S:
            rows.append([(text, 1, k)])
            cells = None
        elif cells is None or prev_state == S or st < prev_state or (st == prev_state and roles[st] == "seq"):
            cells = [[] for _ in range(k)]
            rows.append(cells)  # type: ignore[arg-type]
            cells[st].append(text)
        else:
            if cells[st] and opens:
                cells[st].append("\n" + text)
            else:
                cells[st].append((" " if cells[st] else "") + text)
        prev_state = st
    return [r if isinstance(r[0], tuple) else ["".join(c) for c in r] for r in rows]


_LIST_SEPARATORS = re.compile(r"[、，,；;]")
# what a unit list costs per doubling of its size away from its column's usual size
UNIT_PROFILE_WEIGHT = 1.0
# the cells a unit column needs before its usual size counts
UNIT_PROFILE_MIN_CELLS = 3


def _list_size(text: str) -> int:
    return len([p for p in _LIST_SEPARATORS.split(text) if p.strip()]) or 1


def _with_unit_profiles(emit, pieces, path, roles) -> list[list[float]] | None:
    """``emit`` with each unit column's usual list size taken into account, or None where
    fewer than two unit columns have a usual size or their sizes agree."""
    sizes: dict[int, list[int]] = {}
    prev = None
    for (text, _opens), st in zip(pieces, path):
        if st < len(roles) and roles[st] in ("lead", "support") and st != prev:
            sizes.setdefault(st, []).append(_list_size(text))  # the first piece of a cell
        prev = st
    usual = {c: statistics.median(v) for c, v in sizes.items() if len(v) >= UNIT_PROFILE_MIN_CELLS}
    if len(usual) < 2 or len(set(usual.values())) < 2:
        return None
    out = [row[:] for row in emit]
    for t, (text, opens) in enumerate(pieces):
        if not opens:
            continue  # on its row's line a space already parts the cells: only a wrapped line is in doubt
        size = math.log2(_list_size(text))
        for c, median in usual.items():
            if out[t][c] != float("-inf"):
                out[t][c] -= UNIT_PROFILE_WEIGHT * abs(size - math.log2(median))
    return out


_BARE_NUMBER = re.compile(r"\d{1,3}[、.．]?")


def _piece_fit(role: str, text: str, anchor: bool | None = None) -> float:
    """:func:`role_fit` for one piece. A bare number that continues the 序号 sequence
    (``anchor``) belongs to the 序号 column only; one that does not (300 in an 投资金额
    column) is a cell of another column."""
    if _BARE_NUMBER.fullmatch(text.strip()):
        if anchor is False:
            return -20.0 if role == "seq" else role_fit(role, text)
        if role != "seq":
            return -3.0
    return role_fit(role, text)


def _seq_anchors(pieces: list[tuple[str, bool]]) -> list[bool | None]:
    """For each piece: True where a bare number continues the 序号 sequence (an excerpt
    may open at 81 and skip numbers), False for another bare number, None else."""
    out: list[bool | None] = []
    expected: int | None = None
    for k, (text, opens) in enumerate(pieces):
        if not _BARE_NUMBER.fullmatch(text.strip()):
            out.append(None)
            continue
        value = int(re.match(r"\d+", text.strip()).group())
        # a number that opens a row line (81 落实…) may skip a few, as an excerpt does (81, 85,
        # 87); a number alone on its line or inside a row, one at most
        row_line = opens and k + 1 < len(pieces) and not pieces[k + 1][1]
        gap = LINE_SEQ_STEP if row_line else SEQ_GAP
        ok = expected <= value <= expected + gap if expected is not None else value <= SEQ_FIRST_MAX
        out.append(ok)
        if ok:
            expected = value + 1
    return out


def role_fit(role: str, text: str) -> float:
    """How much ``text`` looks like a cell of a column of ``role`` (higher is better);
    text in traditional characters is judged by its simplified form."""
    r = rules()
    s = to_simplified(text).strip()
    if not s:
        return {"note": 0.5, "category": 0.5, "target": 0.0, "support": -0.5, "deadline": -1.0,
                "leader": -0.5}.get(role, -3.0)
    if s in r.empty_cell_marks:
        return 1.0 if role in ("support", "lead", "leader", "note", "deadline") else -2.0
    if role == "seq":
        return 4.0 if _BARE_NUMBER.fullmatch(s) else -20.0
    if role == "measure":
        return 3.0 if is_measure_word(s) else -3.0
    if role == "lead" and is_measure_word(s):
        return 1.0  # 家 under 单位: an indicator table's measure column, no unit of government
    if role in ("lead", "support"):
        # a sentence's full stop: unit cells seldom end with one, task cells do
        return _unit_list_fit(s) - (SENTENCE_END_IN_UNIT_CELL if s.endswith("。") else 0.0)
    if role == "leader":
        if _unit_list_fit(s) > 2.0:
            return -3.0  # 文化股 is a unit, not a person
        parts = [re.sub(r"\s+", "", p) for p in re.split(r"[、，,；;]+", s) if p.strip()]
        ok = sum(1 for p in parts if re.fullmatch(r"[\u4e00-\u9fff]{2,4}", p))
        return 3.0 if parts and ok == len(parts) else -3.0
    if role == "deadline":
        if re.fullmatch(r"(?:19|20)\d{2}(?:年度?)?", s):
            return 3.0  # a year alone: the year of the work
        if (len(s) <= 24 or (len(s) <= 48 and re.match(r"(?:19|20)\d{2}年", s))) and r.deadline_cell.search(s) \
                and not s.endswith("。") and "%" not in s:
            return 3.0
        return -1.0 if len(s) <= 8 else -4.0
    if role in ("task", "detail") and _unit_list_fit(s) > 1.0:
        return -1.0  # a list of units is no task text
    if role == "task":  # a task's name: a short phrase; its details come in long sentences
        if len(s) > 80:
            return -2.0
        if len(s) < 4:
            return -1.0
        return ((1.5 if len(s) <= 30 else 0.5) - (1.0 if re.search(r"[。；;]", s[:-1]) else 0.0)
                - (0.3 if re.search(r"[，,]", s) else 0.0))
    if role == "detail":
        return 1.0 + min(len(s), 300) / 300
    if role == "note":
        return 0.0 if len(s) <= 20 else -2.0
    if role == "target":  # 5%, 1户, ≥90%
        return 2.0 if re.match(r"[≥≤<>=约]?\s*\d", s) and len(s) <= 40 else -2.0
    if role == "category":
        return 1.0 if len(s) <= 20 and not re.search(r"[。；;]", s) else -2.0
    return 0.0


def _unit_list_fit(s: str) -> float:
    r = rules()
    s = s.rstrip("。.；;")
    if re.search(r"[。！？]", s) or len(s) > 120:
        return -5.0
    # a cell may name its lead and support groups apart, each with its role word:
    # 市财政局牵头，市民政局等有关部门落实；各镇（街）参照落实
    parts = [r.unit_role_tail.sub("", p) or p for p in re.split(r"[、，,；;\s]+", s) if p]
    s = r.unit_role_tail.sub("", re.split(r"[；;]", s)[0]) or s
    if not parts:
        return -5.0
    good = sum(1 for p in parts if not re.search(r"\d", p) and len(p) <= 30
               and (p.rstrip("）)").endswith(r.unit_suffixes) or p.endswith("）")
                    or p.startswith(r.unit_collective_starts)))
    listed = [p for p in s.split("、") if p]
    if good and len(listed) > 1 and listed[-1].endswith(r.unit_suffixes):
        # 安全生产、规划建设部: names that share the suffix of the last one
        good += sum(1 for p in listed[:-1] if not p.endswith(r.unit_suffixes)
                    and re.fullmatch(r"[\u4e00-\u9fff]{2,6}", p))
        good = min(good, len(parts))
    return 3.0 * good / len(parts) - 2.0 * (len(parts) - good) / len(parts)


# =========================================================================== run-on lines


_LABEL_CANDIDATE = re.compile(
    r"(?P<cn_dun>(?:(?<![第一二三四五六七八九十百零〇\d])|(?<=[。；;]\d)|(?<=[。；;]\d\d))[一二三四五六七八九十]{1,3}(?:、|[．.](?!\d)))(?![一二三四五六七八九十\d]+[、级类])"
    r"|(?P<cn_paren>(?<!第)[（(][一二三四五六七八九十]{1,3}[）)])"
    # 1. / 1、 but not 1.5, 1、2月, 3.8万; 2.2023年度… (an item whose text opens with a year) is one
    r"|(?P<arabic_dot>(?<![\d.．第A-Za-z/])\d{1,2}(?:[、．.](?![\d%])|[．.](?=(?:19|20)\d{2}年))"
    # (2) glued to a score closing the row before it (…全覆盖。10(2)建立…, an assessment table's 分值) too
    r")|(?P<arabic_paren>(?:(?<![\d第])|(?<=[。；;]\d)|(?<=[。；;]\d\d)|(?<=[。；;]\d\.\d))[（(]\d{1,2}[）)])(?![号])"
    r"|(?P<circled>[①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳])"
    r"|(?P<enclosed_paren>[⑴-⒇])|(?P<enclosed_stop>[⒈-⒛])")
_NUM_IN_LABEL = re.compile(r"[一二三四五六七八九十]+|\d+|[①-⑳]|[⑴-⒛]")


# a 发文字号 stands this close to the start of a run-on notice (its 版头)
DOC_NUMBER_ZONE = 150
# the shortest whole notice on one line still worth splitting
ONE_LINE_MIN_CHARS = 80


def split_run_on(line: str, at_start: bool = True, one_line: bool = False) -> list[tuple[str, object]]:
    """Paragraphs and tables of one line; a line that is not run-on comes back whole.
    ``at_start``: the line opens the document, where the 版头 (发文字号) stands."""
    if len(line) < (ONE_LINE_MIN_CHARS if one_line else rules().run_on_min_chars):
        # a short line that opens with a label and holds the next one after a sentence or
        # a note (（一）…左右。（省发改委负责）（二）…) is two items glued, however short
        return [("paragraph", p) for p in _split_at_labels(line)]
    out: list[tuple[str, object]] = []
    pos = 0
    for start, end, rows in _inline_tables(line):
        out.extend(("paragraph", p) for p in _split_paragraphs(line[pos:start], at_start and pos == 0))
        out.append(("table", rows))
        pos = end
    out.extend(("paragraph", p) for p in _split_paragraphs(line[pos:], at_start and pos == 0))
    return out


def _split_paragraphs(text: str, at_start: bool) -> list[str]:
    # the cues are simplified: found in the same-length simplified shadow, cut in the text
    shadow = to_simplified(text)
    cuts = sorted(set(_header_cuts(shadow, at_start)) | set(_label_cuts(shadow)))
    pieces = []
    prev = 0
    for c in cuts + [len(text)]:
        if c <= prev:
            continue
        piece = text[prev:c].strip()
        if piece:
            pieces.append(piece)
        prev = c
    return pieces


def _split_at_labels(line: str) -> list[str]:
    """A line that starts with a label, cut where the same style counts on (2. after 1.)
    right after a sentence or a bracketed note; any other line whole."""
    first = match_label(line)
    if first is None:
        return [line]
    shadow = to_simplified(line)
    boundary = rules().boundary_before
    style, num, cuts = first.style, first.num, []
    for m in _LABEL_CANDIDATE.finditer(shadow, first.end):
        p = m.start()
        if (m.lastgroup == style and _label_number(m.group(), style) == num + 1
                and shadow[p - 1] in boundary and any(ch in shadow[:p] for ch in "。；;！!？?")):
            cuts.append(p)
            num += 1
    bounds = [0, *cuts, len(line)]
    return [p for a, b in zip(bounds, bounds[1:]) if (p := line[a:b].strip())]


def _label_cuts(text: str) -> list[int]:
    """Offsets where a numbering label starts a paragraph: after a sentence end or a
    heading, continuing a label sequence. An attachment mark restarts the sequences;
    so does an unnumbered heading glued between a sentence and a first label
    (…工作。园区分管负责人安全生产职责清单（1）…), which gets a paragraph of its own."""
    r = rules()
    cuts: list[int] = []
    stack: list[list] = []  # [style, last number] from the outermost level down
    last_num: dict[str, int] = {}
    seg_start = 0
    attachments = [m.start() for m in r.attachment.finditer(text)
                   if m.start() == 0 or text[m.start() - 1] in r.boundary_before]
    candidates = list(_LABEL_CANDIDATE.finditer(text))
    # for each candidate, the next one of its style (one pass: no rescan per label)
    next_same: list[int | None] = [None] * len(candidates)
    seen: dict[str, int] = {}
    for q in range(len(candidates) - 1, -1, -1):
        style_q = candidates[q].lastgroup or ""
        next_same[q] = seen.get(style_q)
        seen[style_q] = q
    for idx, m in enumerate(candidates):
        p = m.start()
        while attachments and attachments[0] < p:
            stack, last_num = [], {}
            seg_start = attachments.pop(0)
        style = m.lastgroup or ""
        num = _label_number(m.group(), style)
        if num is None:
            continue
        before = text[seg_start:p]
        after_boundary = _after_boundary(text, p)
        after_heading = _is_heading(before)
        heading_start = None
        if (style in r.inline_sub_list_styles and num == 1 and stack and not after_heading
                and _is_titled_opening(before)):
            continue  # 3、一个室外公开栏。①…；②…: the item's own sub-items, inside its text
        # …（村党组织）类别项目要求责任单位一、…: a table's header row glued before the label
        table_header = None if after_boundary else glued_header_at_end(before)
        if table_header is not None:
            after_heading = True
            cuts.append(seg_start + table_header)
        sentence_end = max(before.rfind(ch) for ch in "。；;！!？?")
        # (a heading glued after a sentence may close with a bracket, 社区设施(10分)1、: a boundary
        # before the label, but the list under it numbers afresh)
        if num == 1 and (not (after_boundary or after_heading) or any(s == style for s, _ in stack)):
            if sentence_end >= 0 and _is_heading(before[sentence_end + 1:]):
                heading_start = seg_start + sentence_end + 1
        # …。责任单位：区卫健局（二）…: a labelled line (a unit note) ends where the next label starts
        after_note = bool(_LABELLED_LINE.fullmatch(before[sentence_end + 1:])) if sentence_end >= 0 else False
        # …扣0.5分。查资料2、… / …全覆盖。10(2)…: the short last cell of a flattened table's row (a
        # score, a method, a unit) glued between a sentence's end and the next row's label
        after_cell = (sentence_end >= 0 and _continues(stack, style, num)
                      and _is_row_end_cell(before[sentence_end + 1:]))
        after_boundary = after_boundary or after_note or after_cell
        if not (after_boundary or after_heading or heading_start is not None):
            continue
        if heading_start is not None:
            stack = []  # numbering restarts under an unnumbered heading
        styles = [s for s, _ in stack]
        if style in styles:
            d = styles.index(style)
            if num != stack[d][1] + 1:
                continue
            del stack[d + 1:]
            stack[d][1] = num
        elif stack and num == stack[-1][1] + 1 and num > 1:
            stack[-1] = [style, num]  # the count goes on in another style: （三） after （2）
        elif num == 1 or (last_num.get(style) and num == last_num[style] + 1):
            stack.append([style, num])
        elif not stack and _continued_later(text, candidates, next_same[idx], style, num):
            # an excerpt of a longer list (a page of a paginated copy: [接上页] 33.… 34.…) opens
            # past 1: the next label of its style goes on from it
            stack.append([style, num])
        elif stack and style not in styles and _heading_follows(text, candidates, idx):
            # …35.…。 三、创新发展职业教育 （八）大力发展职业教育 36.…: the excerpt's outer
            # levels open past 1 too, each a heading over the items that go on
            stack.insert(0, [style, num])
        else:
            continue
        last_num[style] = num
        if heading_start is not None:
            cuts.append(heading_start)
        cuts.append(p)
        seg_start = p + len(m.group())
    return cuts


# the last cell of a flattened row glued before the next row's label is this short (查资料看现场, 10)
ROW_END_CELL_MAX_CHARS = 8


def _continues(stack: list[list], style: str, num: int) -> bool:
    """The label numbers on a list that is open: (2) after (1) of the same style."""
    return any(s == style and n + 1 == num for s, n in stack)


def _is_row_end_cell(stretch: str) -> bool:
    """A short cell without sentence punctuation: a score (10, 0.5) or a few words (查资料)."""
    t = stretch.strip()
    return 0 < len(t) <= ROW_END_CELL_MAX_CHARS and not any(ch in rules().heading_punctuation + "，,、" for ch in t)


def _is_titled_opening(stretch: str) -> bool:
    """An item's text so far is its short title and the full stop closing it (一个室外公开栏。)."""
    t = stretch.strip()
    return len(t) >= 2 and t[-1] == "。" and _is_heading(t[:-1])


# a glued header without a 序号, unit or time column needs this many names (three words that
# name columns, 工作任务内容, are also prose)
GLUED_HEADER_BARE_MIN_NAMES = 4


def glued_header_at_end(text: str) -> int | None:
    """Where a task table's header row glued into running text starts, when ``text`` ends
    with one (…（村党组织）类别项目要求责任单位): three or more column names with no separator,
    each a name the column lexicon knows, that together make a task table's header
    (:func:`header_roles`) with a 序号, a unit or a time column (or four names at least:
    考核类别考核内容分值备注), after a sentence end, a closing bracket, a space or the start."""
    r = rules()
    longest, most = r.glued_inline_header_name_max_chars, r.glued_inline_header_max_names
    n = len(text)
    if not any(column_role(text[k:]) for k in range(max(0, n - longest), n - 1)):
        return None  # no column name closes the text (most labels glued to a word stop here)
    lo = max(0, n - longest * most)
    if not any(_after_boundary(text, k) for k in range(lo, n - 1)):
        return None  # nowhere for a header to start: no need to cut the names
    # names[k]: the most column names that cover text[k:] (a name that holds two, 要求责任单位,
    # is read as two); None where no names do
    names: dict[int, list[str] | None] = {n: []}
    for k in range(n - 2, lo - 1, -1):
        names[k] = None
        for size in range(2, min(longest, n - k) + 1):
            rest = names.get(k + size)
            if (rest is not None and len(rest) < most and (names[k] is None or len(rest) >= len(names[k]))
                    and column_role(text[k:k + size]) is not None):
                names[k] = [text[k:k + size], *rest]
    for k in range(lo, n - 1):
        cells = names.get(k)
        if (cells and len(cells) >= MIN_HEADER_CELLS and _after_boundary(text, k)
                and (roles := header_roles(cells)) is not None and "unknown" not in roles
                and (len(cells) >= GLUED_HEADER_BARE_MIN_NAMES or {"seq", "lead", "support", "deadline"} & set(roles))):
            return k
    return None


def _after_boundary(text: str, p: int) -> bool:
    """A label at ``p`` opens the text or follows a sentence end, a closing mark or a space."""
    return p == 0 or text[p - 1] in rules().boundary_before or text[p - 1].isspace()


def _continued_later(text: str, candidates: list[re.Match], nxt: int | None, style: str, num: int) -> bool:
    """The next label of ``style`` (candidate ``nxt``) numbers ``num + 1`` and stands after a
    sentence end: the two open items of one list."""
    if nxt is None:
        return False
    m = candidates[nxt]
    return _label_number(m.group(), style) == num + 1 and _after_boundary(text, m.start())


def _heading_follows(text: str, candidates: list[re.Match], idx: int) -> bool:
    """What follows candidate ``idx`` up to the next label is a heading (short, no sentence)."""
    m = candidates[idx]
    end = candidates[idx + 1].start() if idx + 1 < len(candidates) else len(text)
    return _is_heading(text[m.end():end])


# 责任单位：区卫健局、各镇（街道）卫生院 — a short labelled line with no sentence in it
_LABELLED_LINE = re.compile(r"(?:[\u4e00-\u9fff]{2,8}[:：][^。；;！？!?：:]{1,80}){1,3}")


def _is_heading(stretch: str) -> bool:
    """A heading: a short stretch of words without sentence punctuation."""
    r = rules()
    return (0 < len(stretch.strip()) <= r.heading_max_chars
            and not any(ch in r.heading_punctuation for ch in stretch))


def _label_number(label: str, style: str) -> int | None:
    m = _NUM_IN_LABEL.search(label)
    if not m:
        return None
    numeral = {"circled": "circled", "cn_dun": "chinese", "cn_paren": "chinese",
               "enclosed_paren": "enclosed", "enclosed_stop": "enclosed"}.get(style, "arabic")
    return read_num(m.group() if numeral not in ("circled", "enclosed") else label[0], numeral)


def _header_cuts(text: str, at_start: bool) -> list[int]:
    """Where the parts GB/T 9704 sets on lines of their own begin and end in a run."""
    r = rules()
    cuts: list[int] = []
    for m in r.meta_key.finditer(text):
        cuts.append(m.start())
    for m in r.own_line_note.finditer(text):
        cuts += [m.start(), m.end()]
    for m in r.doc_number.finditer(text):
        # …的通知 (鄂州政办发〔2010〕10号) 各区人民政府…: a web copy writes the title's 发文字号 in
        # brackets right after it, a part of its own
        opener = m.start() - 1
        if at_start and opener > 0 and text[opener] in "（(" and m.end() < len(text) and text[m.end()] in "）)":
            title = r.title_end.search(text, max(0, opener - 12), opener + 1)
            if title is not None and not text[title.end():opener].strip():
                cuts += [opener, m.end() + 1]
                continue
        # a 发文字号 stands in the 版头, before the title, after the 「…文件」 mark; one in
        # brackets or quotes is a citation inside a sentence
        if (not at_start or m.start() > DOC_NUMBER_ZONE
                or (m.start() > 0 and text[m.start() - 1] in "（(《“")
                or re.match(r"按照?|根据|依据|依照|参照", m.group())):
            continue
        mark = text.rfind("文件", max(0, m.start() - 30), m.end())
        cuts += [mark + 2 if mark >= 0 else m.start(), m.end()]
    for m in r.print_date.finditer(text):
        cuts.append(m.end())  # 版记: …2023年3月17日印发, the body goes on after it
    for m in r.attachment.finditer(text):
        p = m.start()
        if p == 0 or text[p - 1] in r.boundary_before or r.signature.search(text[max(0, p - 30):p]):
            cuts.append(p)
            if m.group("num") or (m.group().endswith((" ", "\u3000")) and ":" not in m.group()
                                  and "：" not in m.group()):
                cuts.append(m.end())  # 附件2 / 附件 above the attachment's own title
    for m in (r.title_end.finditer(text) if at_start else ()):
        title_start = max(text.rfind("。", 0, m.start()), text.rfind("关于", 0, m.start()) - 40)
        if "关于" in text[max(0, title_start):m.start()]:
            cuts.append(m.end())
            colon = re.search(r"[：:]", text[m.end():m.end() + 120])
            if colon and "。" not in text[m.end():m.end() + colon.start()]:
                cuts.append(m.end() + colon.end())  # 主送机关：
    for m in r.signature.finditer(text):
        org_start = _org_start(text, m)
        # a 成文日期 is a full date, or a month that ends the run (附件 pages: 2022年3月)
        if org_start is None or not (m.group("date").endswith("日") or not text[m.end():].strip()):
            continue
        cuts += [org_start, m.start("date"), m.end("date")]
        plan = r.plan_title.match(text, m.end("date"))
        if plan:
            cuts.append(plan.end())
    return cuts


def _org_start(text: str, m: re.Match) -> int | None:
    """Where the issuer's name before a 成文日期 begins: after the sentence end or the
    title genre that precedes it; None where the name is part of a sentence."""
    org = m.group("org")
    cut = max(org.rfind(ch) for ch in "。；;！？：:")
    if cut >= 0:
        return m.start("org") + cut + 1
    before = text[max(0, m.start("org") - 1):m.start("org")]
    if m.start("org") == 0 or before in rules().boundary_before:
        return m.start("org")
    # …分解表长沙市XX办公室2022年3月: the name starts after the attachment's title genre
    g = re.search(r"(?:表|单|案|点|划|知|则|法)(?=[^表单案点划知则法]*$)", org)
    if g and 4 <= len(org) - g.end():
        return m.start("org") + g.end()
    return None


def _glued_table_end(lines: list[str], i: int) -> int | None:
    """Where the rows of a header glued into line ``i`` end (the index after their last
    line), when line ``i`` holds such a header and its rows go on over the following long
    lines; None otherwise. The rows stop at a body heading (一、), an attachment mark or
    a short line."""
    # the cheap look first: rows need a long line after this one (most lines have none),
    # and only then the header search over the line's pieces
    j = i + 1
    while j < len(lines):
        s = lines[j].strip()
        label = match_label(s) if s else None
        if s and (len(s) < rules().run_on_min_chars // 3 or rules().attachment.match(s)
                  or (label is not None and label.style in ("cn_dun", "chapter"))):
            break
        j += 1
    if not any(lines[k].strip() for k in range(i + 1, j)):
        return None
    tokens = [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(lines[i])]
    if len(tokens) < MIN_HEADER_CELLS + 1 or not any(_header_at(tokens, t) for t in range(len(tokens))):
        return None
    return j


def _inline_tables(line: str):
    """Tables glued into a run-on line: header words separated by single spaces
    (the first may carry glued text before it), then rows anchored by the 序号 sequence."""
    tokens = [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(line)]
    t = 0
    found = []
    while t < len(tokens):
        head = _header_at(tokens, t)
        if head is None:
            t += 1
            continue
        roles, start = head
        width = len(roles)
        rows, stop = _inline_rows(tokens, t + width, roles)
        if rows:
            header = [line[start:tokens[t][1]]] + [tokens[t + q][2] for q in range(1, width)]
            end = tokens[stop - 1][1]
            found.append((start, end, [header] + rows))
            t = stop
        else:
            t += 1  # a title before the header (…任务清单 序号 …) may read as its first name
    return found


def _header_at(tokens, t: int):
    """``(column roles, start offset)`` when a header of column names starts at token ``t``.
    The first name may have the text before it glued on (…清单序号): its shortest
    suffix that names a column is taken."""
    first = tokens[t][2]
    # the whole token when it names a column (工作任务和内容), else its shortest suffix that
    # does (…清单序号: a title glued to the header)
    suffix = first if len(first) <= 12 and column_role(first) is not None else next(
        (first[-n:] for n in range(2, min(12, len(first)) + 1) if column_role(first[-n:]) is not None), None)
    if suffix is None:
        return None
    words = [suffix]
    q = t + 1
    while q < len(tokens) and len(tokens[q][2]) <= 12 and column_role(tokens[q][2]):
        words.append(tokens[q][2])
        q += 1
    roles = header_roles(words)
    if roles:
        return roles, tokens[t][1] - len(suffix)
    return None


def _inline_rows(tokens, t: int, roles: list[str]):
    """Rows after an in-line header: from one 序号 to the next; a section label
    (一、…) before the next 序号 is a section row."""
    width = len(roles)
    if "seq" in roles[1:]:
        return [], t  # a 序号 column opens a header: the words before it are a title
    if roles[0] != "seq":
        # no 序号 to anchor the rows: the rest of the line goes through the grid assignment,
        # which reads the rows from what each piece looks like (a task sentence, a unit, a time)
        pieces = [(tok[2], True) for tok in tokens[t:]]
        rows = assign_grid(pieces, roles) if len(pieces) >= 2 * width - 1 else []
        real = [r for r in rows if not isinstance(r[0], tuple)]
        if len(real) < MIN_INLINE_ROWS or not all(any(r[c] for c, role in enumerate(roles) if role == "task"
                                                      or role == "detail") for r in real):
            return [], t
        return rows, len(tokens)
    anchors: list[int] = []
    expected = 1
    q = t
    while q < len(tokens):
        if _is_seq(tokens[q][2], expected):
            anchors.append(q)
            expected = (_seq_value(tokens[q][2], expected) or expected) + 1
        q += 1
    if not anchors:
        return [], t
    rows: list[list] = []
    if anchors[0] != t:
        # a section row before the first 序号 (一、立德树人与育人质量 1 …)
        lead = [x[2] for x in tokens[t:anchors[0]]]
        if not (_is_section_row(lead[0]) and len(" ".join(lead)) <= SECTION_ROW_MAX_CHARS):
            return [], t
        rows.append([(" ".join(lead), 1, width)])
    for a, anchor in enumerate(anchors):
        nxt = anchors[a + 1] if a + 1 < len(anchors) else None
        body = [x[2] for x in tokens[anchor + 1:nxt]] if nxt else None
        if body is None:
            # the last row: as many pieces as fit the columns best
            body, stop = _last_row(tokens, anchor + 1, roles[1:])
            rows.append([tokens[anchor][2]] + fit_cells(body, roles[1:]))
            return rows, stop
        section = _trailing_section(body)
        cells = fit_cells(body[:len(body) - len(section)] if section else body, roles[1:])
        rows.append([tokens[anchor][2]] + cells)
        if section:
            rows.append([(" ".join(section), 1, width)])
    return rows, len(tokens)


def _trailing_section(body: list[str]) -> list[str]:
    """Pieces at the end of a row's text that form a section row (一、加快数字赋能，…)."""
    for k in range(len(body) - 1, 0, -1):
        if _is_section_row(body[k]) and len(" ".join(body[k:])) <= SECTION_ROW_MAX_CHARS:
            return body[k:]
    return []


def _last_row(tokens, q: int, roles: list[str]):
    """The pieces of a table's last row: the count that fits the columns best, up to a
    few more than there are columns (the rest of the line is text again). A page
    footer (— 10 —) or the 版记's 印发 line ends the row wherever it stands."""
    limit = len(tokens)
    for k in range(q, len(tokens)):
        piece = tokens[k][2]
        if rules().print_date.search(piece) or (
                piece.isdigit() and k > q and tokens[k - 1][2].endswith(("—", "-"))
                and k + 1 < len(tokens) and tokens[k + 1][2].startswith(("—", "-"))):
            limit = k
            break
    best, best_n = float("-inf"), max(1, min(len(roles), limit - q))
    for n in range(1, min(limit - q, len(roles) + 3) + 1):
        body = [x[2] for x in tokens[q:q + n]]
        cells = fit_cells(body, roles)
        score = sum(role_fit(r, c) for r, c in zip(roles, cells))
        if score > best:
            best, best_n = score, n
    return [x[2] for x in tokens[q:q + best_n]], q + best_n
