"""Tables whose cells were glued together: no tab, pipe or space between them.

A page's text taken without separators (an HTML table read cell by cell and
concatenated, a PDF table copied as text) keeps a table's rows on lines of their
own but runs each row's cells into one string, and its header's column names into
one or a few short lines::

    地市序号抽查任务名称抽查
    类型
    …抽查检查起止时间发起部门配合部门
    1绿化施工企业…抽查比例不低于10%;抽查14—10市园林局市市场监管局
    2对旅行社经营情况的双随机抽查…1/1—12市文旅局市交通局、
    市市场监管局

The header is known by its words (a 序号, a task column, the unit columns), the rows
by the 序号 sequence that opens each line (1绿化…, 2对旅行社…). Cell borders inside a
row are lost, except where a row ends in the names of units: when the header's last
columns are unit columns, those names are peeled off the row's end (the first
leads where the header names a lead column before a support column). The row's
text is the task. The cues live in ``gazetteers/layout.yaml`` (``glued_*``).
"""
from __future__ import annotations

import functools
import re

from ..columns import column_role
from ..numbering import match_label
from .layout_rules import rules

# a sentence's punctuation: no header line holds one
_SENTENCE = re.compile(r"[。，,；;：:！？!?]")


def _serial(line: str) -> int | None:
    m = rules().glued_serial.match(line)
    return int(m.group("serial")) if m else None


def glued_table(lines: list[str], i: int):
    """``(end, [rows])`` when line ``i`` opens a glued header followed by rows, else None."""
    r = rules()
    first = lines[i].strip()
    if "序号" not in first or len(first) > r.glued_header_line_max_chars or _SENTENCE.search(first):
        return None
    header = [first]
    j = i + 1
    while True:
        if j >= len(lines) or len(header) > r.glued_header_max_lines:
            return None
        s = lines[j].strip()
        if not s:
            j += 1
            continue
        if _serial(s) == 1:
            break
        if len(s) > r.glued_header_line_max_chars or _SENTENCE.search(s) or _serial(s) is not None:
            return None
        header.append(s)
        j += 1
    cells = _header_cells("".join(header))
    if cells is None:
        return None
    rows: list[list[str]] = []
    end = j
    while j < len(lines):
        s = lines[j].strip()
        if not s:
            j += 1
            continue
        serial = _serial(s)
        if serial == len(rows) + 1:
            rows.append([str(serial), s[len(str(serial)):]])
        elif (rows and serial is None and len(s) <= r.glued_continuation_max_chars
              and match_label(s) is None):
            rows[-1][1] += s  # a cell's text wrapped onto a line of its own (市市场监管局)
        else:
            break
        j += 1
        end = j
    if len(rows) < r.glued_min_rows:
        return None
    return end, [_laid_out(cells, rows)]


def _header_cells(header: str) -> list[str] | None:
    """The glued header cut into cells: what runs up to 序号, the task column's name, the
    columns between it and the unit columns (their borders lost, one cell), and each unit
    column. None unless it holds a 序号 and a task column."""
    seq_end = header.find("序号") + 2
    rest = header[seq_end:]
    # the task column: the shortest opening of what follows 序号 that names a task or its details
    task = next((rest[:n] for n in range(2, min(12, len(rest)) + 1)
                 if column_role(rest[:n]) in ("task", "detail")), None)
    if task is None:
        return None
    if rest[len(task):len(task) + 2] in ("名称", "内容", "事项"):
        task = rest[:len(task) + 2]  # 抽查任务 | 名称: the name goes on
    units = list(rules().glued_unit_column.finditer(rest, len(task)))
    middle_end = units[0].start() if units else len(rest)
    cells = [header[:seq_end], task]
    if middle_end > len(task):
        cells.append(rest[len(task):middle_end])
    cells += [m.group() for m in units]
    if units and rest[units[-1].end():]:
        cells.append(rest[units[-1].end():])  # the columns after the units (备注)
    return cells


def inline_glued_table(line: str) -> tuple[str, list[list[str]]] | None:
    """A glued table inside a run-on line (…责任分工表序号工作内容目标任务责任单位备注1将生活垃圾…
    (管委会)2完善…): ``(the text before its header, its rows)``. The rows are cut where the
    next serial stands glued to a word (2完善), each looked for after the row before it."""
    r = rules()
    k = line.find("序号")
    if k < 0:
        return None
    first = _inline_serial_at(line, k + 2, 1)
    if first is None or first - k > r.glued_header_line_max_chars:
        return None
    cells = _header_cells(line[k:first])
    if cells is None:
        return None
    rows: list[list[str]] = []
    pos, n = first, 1
    # an assessment table's rows close with their score, the next serial glued to it (…。102有…)
    scored = any(r.glued_score_column.search(c) for c in cells)
    while True:
        nxt = _inline_serial_at(line, pos + len(str(n)) + 1, n + 1, after_score=scored)
        rows.append([str(n), line[pos + len(str(n)):nxt if nxt is not None else len(line)]])
        if nxt is None:
            break
        pos, n = nxt, n + 1
    if len(rows) < r.glued_min_rows:
        return None
    return line[:k], _laid_out(cells, rows)


def _inline_serial_at(line: str, start: int, n: int, *, after_score: bool = False) -> int | None:
    """Where the serial ``n`` opens a row in running text from ``start``: glued to a word's
    first character, no digit before it, no measure or date after it (2021年2月底前 holds none).
    ``after_score``: the serial may also follow the score closing the row before it, right
    after that row's last sentence (…并在村公共场所公布。102有固定… : score 10, serial 2)."""
    found = None
    for m in _inline_serial_rx().finditer(line, start):
        if int(m.group()) == n:
            found = m.start()
            break
    if after_score:
        scored = _serial_after_score_rx(n).search(line, start)
        if scored is not None and (found is None or scored.start("serial") < found):
            found = scored.start("serial")
    return found


@functools.lru_cache(maxsize=256)
def _serial_after_score_rx(n: int) -> re.Pattern:
    """The serial ``n`` glued to the score that closes the row before it, right after that row's
    last sentence (。10 then 2), a word's first character after it and no measure or date."""
    return re.compile(rf"[。；;）).．]\d{{1,3}}?(?P<serial>{n})(?=[\u4e00-\u9fff“《])"
                      rf"(?![{rules().glued_inline_serial}])")


@functools.lru_cache(maxsize=1)
def _inline_serial_rx() -> re.Pattern:
    """A number glued to the word after it, no digit before it, no measure or date after it."""
    return re.compile(rf"(?<![\d.．%第])\d{{1,4}}(?=[\u4e00-\u9fff“《])(?![{rules().glued_inline_serial}])")


def _laid_out(cells: list[str], rows: list[list[str]]) -> list[list[str]]:
    """The header and each ``[serial, text]`` row laid on its columns (:func:`_row`)."""
    roles = [column_role(c) for c in cells]
    return [cells] + [_row(serial, text, roles) for serial, text in rows]


def _row(serial: str, text: str, roles: list[str | None]) -> list[str]:
    """A row laid on the header's columns: the serial, the text in the task column, and the
    units at the text's end in the unit columns: what follows the row's last sentence when it
    reads as a list of units (…达90%以上。市委宣传部、市城管委，各区（市）县政府), else the unit
    names glued to the row's end (…14—10市园林局市市场监管局)."""
    row = [serial, text] + [""] * (len(roles) - 2)
    lead_cols = [c for c, role in enumerate(roles) if role == "lead"]
    support_cols = [c for c, role in enumerate(roles) if role == "support"]
    if not lead_cols and not support_cols:
        return row
    cut = max(text.rfind("。"), text.rfind("；"))
    tail = text[cut + 1:].strip() if cut >= 0 else ""
    if tail and _unit_list(tail):
        row[1] = text[:cut + 1]
        row[min(lead_cols + support_cols)] = tail  # the first unit column
        return row
    names, start = _trailing_units(text)
    if not names:
        return row
    row[1] = text[:start]
    if lead_cols and support_cols and lead_cols[0] < support_cols[0]:
        # 发起部门 | 配合部门: one unit starts the work, the others join it
        row[lead_cols[0]] = names[0]
        row[support_cols[0]] = "、".join(names[1:])
    else:
        row[(lead_cols or support_cols)[0]] = "、".join(names)
    return row


_BRACKETED = re.compile(r"[（(][^（）()]*[）)]")


def _unit_list(text: str) -> bool:
    """Every piece of ``text`` between 、 and commas names a unit (its suffix, brackets aside)
    or a collective (各…, …等部门)."""
    lr = rules()
    pieces = [p.strip() for p in re.split(r"[、，,]", text)]
    return bool(pieces) and all(
        p and len(p) <= 30 and (_BRACKETED.sub("", p).endswith(lr.unit_suffixes) or p.startswith(lr.unit_collective_starts))
        for p in pieces)


def _trailing_units(text: str) -> tuple[list[str], int]:
    """The units' names that close ``text`` (…14—10市园林局市市场监管局) and where they start;
    each name is cut where the rest still reads as names to the end."""
    unit = rules().glued_unit.pattern
    tail = re.search(rf"(?:{unit})(?:[、，,]?(?:{unit}))*[、，,]?$", text)
    if tail is None:
        return [], len(text)
    names = []
    pos = tail.start()
    one = re.compile(rf"(?P<name>{unit})[、，,]?(?=(?:(?:{unit})[、，,]?)*$)")
    while pos < len(text):
        m = one.match(text, pos)
        if m is None:
            return [], len(text)
        names.append(m.group("name"))
        pos = m.end()
    return names, tail.start()
