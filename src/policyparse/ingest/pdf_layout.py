"""Page geometry shared by the PDF text reader and the OCR reader.

Both readers reduce a page to *pieces* (a character from a PDF text layer, or a
run of characters from an OCR box) with a box in top-down page coordinates, and
to *rules* (the horizontal and vertical strokes of ruled tables). This module
rebuilds from them, without knowing where they came from:

- lines (pieces grouped by vertical position, then sorted left to right: a font
  change that broke the content stream's order does not break the line);
- paragraphs (lines rejoined where the layout only wrapped a sentence);
- ruled tables as cells on a grid, merged cells included;
- page furniture (page numbers, running headers and footers) removed;
- tables that continue over a page break joined into one.
"""
from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import dataclass, field

from .tables_text import PAGE_NUMBER_LINE

# --------------------------------------------------------------------------- pieces and lines

_CJK_RE = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f\u2014\u2026\u201c\u201d\u2018\u2019]")

# A numbered item opens a paragraph (GB/T 9704 levels 一、 （一） 1. （1）, and 第X条/章,
# 附件N); a list marker at the start of a wrapped line is never a continuation.
# a Chinese numeral as list labels write it: 一…十, 十一…十九, 二十…九十九 (not 五一 of 五一节)
_CN_NUM = r"(?:[二三四五六七八九]?十[一二三四五六七八九]?|[一二三四五六七八九])"
NUMBERED_ITEM = re.compile(
    rf"^\s*(?:{_CN_NUM}[、．.]"
    rf"|[（(]{_CN_NUM}[）)]"
    r"|\d{1,3}[、．.](?!\d{1,2}(?:\D|$))"  # 2.2023年… is item 2; 1.5万 is a number
    r"|[（(]\d{1,3}[）)]"
    r"|[①-⑳]"
    r"|第[一二三四五六七八九十百零\d]+[条章节部分]"
    r"|附件\s*\d*\s*[:：]?)")


@dataclass(slots=True)
class Piece:
    """A character or a run of characters with its box (top-down coordinates)."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float = 0.0  # font size in points
    bold: bool = False
    color: str | None = None  # RRGGBB
    font: str | None = None

    @property
    def height(self) -> float:
        return self.bottom - self.top

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2


@dataclass(slots=True)
class Line:
    pieces: list[Piece]
    x0: float
    x1: float
    top: float
    bottom: float
    text: str
    size: float
    bold: bool
    color: str | None
    font: str | None

    @property
    def height(self) -> float:
        return self.bottom - self.top


_CJK_OF: dict[str, bool] = {}  # a page has a few hundred distinct characters: test each once


def _is_cjk(ch: str) -> bool:
    known = _CJK_OF.get(ch)
    if known is None:
        known = _CJK_OF[ch] = bool(_CJK_RE.match(ch))
    return known


def _majority(values):
    values = [v for v in values if v is not None]
    if not values:
        return None
    if values.count(values[0]) == len(values):  # a line of one font and colour: no count needed
        return values[0]
    return Counter(values).most_common(1)[0][0]


def _by_x0(p: Piece) -> float:
    return p.x0


def _by_cy(p: Piece) -> float:
    return (p.top + p.bottom) / 2


# make_line and group_lines run once per line of every page (and per table cell): they
# are written for speed (each piece's stripped text computed once, no property calls);
# the results are the same as the plain forms given in the comments.
def make_line(pieces: list[Piece]) -> Line:
    pieces = sorted(pieces, key=_by_x0)
    parts: list[str] = []
    prev: Piece | None = None
    for p in pieces:
        if prev is not None and parts and not parts[-1].endswith(" "):
            gap = p.x0 - prev.x1
            # the unit is at least 1.0, so a gap of at most 0.25 never makes a space:
            # the common case (characters side by side) skips the unit
            if not gap <= 0.25:
                # max(min(prev.size or prev.height, p.size or p.height), 1.0), spelled out
                a_unit, b_unit = prev.size or prev.height, p.size or p.height
                unit = b_unit if b_unit < a_unit else a_unit
                if 1.0 > unit:
                    unit = 1.0
                # Latin words and numbers keep their spaces; wide gaps (tab stops, table-like
                # alignment) become one space, which the normaliser drops between CJK characters.
                if (gap > 0.25 * unit and not (_is_cjk(prev.text[-1]) or _is_cjk(p.text[0]))) \
                        or gap > 1.5 * unit:
                    parts.append(" ")
        parts.append(p.text)
        prev = p
    stripped = [p.text.strip() for p in pieces]
    weights = [len(t) or 1 for t in stripped]  # max(len(text.strip()), 1)
    inked = [p for p, t in zip(pieces, stripped) if t]  # pieces whose text.strip() is not empty
    sizes = sorted([p.size for p in inked])
    size = sizes[len(sizes) // 2] if sizes else 0.0
    bold_w = sum([w for p, w in zip(pieces, weights) if p.bold])
    color = _majority([p.color for p in inked])
    font = _majority([p.font for p in inked])
    # pieces are sorted by x0: the first holds the smallest x0
    return Line(pieces, pieces[0].x0, max([p.x1 for p in pieces]),
                min([p.top for p in pieces]), max([p.bottom for p in pieces]),
                "".join(parts).strip(), size, bold_w * 2 > sum(weights), color, font)


def group_lines(pieces: list[Piece]) -> list[Line]:
    """Pieces into lines, top to bottom; each line's pieces left to right."""
    pieces = [p for p in pieces if p.text and p.x1 >= p.x0]
    if not pieces:
        return []
    pieces.sort(key=_by_cy)
    groups: list[list[Piece]] = []
    centre = 0.0
    height = 0.0
    for p in pieces:
        top, bottom = p.top, p.bottom
        cy = (top + bottom) / 2  # p.cy
        h = bottom - top  # max(p.height, 1.0)
        if 1.0 > h:
            h = 1.0
        # min(h, height) spelled out (a builtin call per piece)
        if groups and abs(cy - centre) < 0.5 * (height if height < h else h):
            group = groups[-1]
            group.append(p)
            centre += (cy - centre) / len(group)
            continue
        groups.append([p])
        centre, height = cy, h
    lines = [make_line(g) for g in groups]
    lines = [ln for ln in lines if ln.text]
    lines.sort(key=lambda ln: (ln.top + ln.bottom) / 2)
    return lines


# --------------------------------------------------------------------------- paragraphs


@dataclass(slots=True)
class Paragraph:
    lines: list[Line]
    text: str
    style: dict = field(default_factory=dict)

    @property
    def top(self) -> float:
        return self.lines[0].top

    @property
    def bottom(self) -> float:
        return self.lines[-1].bottom


def text_margins(lines: list[Line]) -> tuple[float, float] | None:
    """The body's left and right text margins: where long lines start and end."""
    long = [ln for ln in lines if len(ln.text) >= 12]
    if len(long) < 2:
        return None
    lefts = sorted(ln.x0 for ln in long)
    rights = sorted(ln.x1 for ln in long)
    return lefts[len(lefts) // 10], rights[-1 - len(rights) // 10]


def line_align(line: Line, left: float, right: float) -> str:
    unit = max(line.size or line.height, 1.0)
    centre = (left + right) / 2
    full = line.x0 <= left + 0.3 * unit and line.x1 >= right - 0.3 * unit
    if not full and line.x1 < right + unit and abs((line.x0 + line.x1) / 2 - centre) < 1.2 * unit \
            and line.x0 > left + 0.3 * unit and not (line.x1 >= right - 0.6 * unit and line.x0 <= left + 2.6 * unit):
        return "center"
    if line.x0 <= left + 0.6 * unit or (line.x1 >= right - 0.6 * unit and line.x0 <= left + 2.6 * unit):
        return "left"  # flush left, or a justified line after a first-line indent
    if line.x1 >= right - 1.2 * unit or line.x0 > centre:
        return "right"  # a signature or date line, often padded with spaces on the right
    return "left"


def _same_style(a: Line, b: Line, size_tol: float = 0.15) -> bool:
    # bold is left out: a bold lead-in sentence (1、xxx。) makes its first line bold
    unit = max(min(a.size, b.size), 1.0)
    return abs(a.size - b.size) <= size_tol * unit and a.color == b.color


def _joiner(prev_text: str, next_text: str) -> str:
    # Latin words wrapped at a line end need their space back; Chinese has none.
    if prev_text and next_text and prev_text[-1].isascii() and prev_text[-1].isalpha() \
            and next_text[0].isascii() and next_text[0].isalpha():
        return " "
    return ""


def continues(prev: Line, cur: Line, left: float, right: float, short_line: float = 1.5,
              size_tol: float = 0.15) -> bool:
    """Whether ``cur`` continues the paragraph whose last line is ``prev``."""
    unit = max(min(prev.size or prev.height, cur.size or cur.height), 1.0)
    if NUMBERED_ITEM.match(cur.text):
        return False
    gap = cur.top - prev.bottom
    if gap > 1.6 * unit or gap < -0.5 * unit:
        return False
    if not _same_style(prev, cur, size_tol):
        return False
    prev_align = line_align(prev, left, right)
    cur_align = line_align(cur, left, right)
    prev_mid_centred = abs((prev.x0 + prev.x1) / 2 - (left + right) / 2) < 1.5 * unit
    if cur_align == "center" and (prev_align == "center" or prev_mid_centred) and gap < 1.2 * unit:
        return True  # a centred title wrapped over lines
    if prev.x1 < right - short_line * unit:
        return False  # the previous line stopped short: its paragraph ended
    if cur.x0 > left + 1.5 * unit:  # half way to a two-character indent (OCR boxes wobble)
        # a first-line indent starts a paragraph, unless the previous line starts at the
        # same indent and is not itself a two-character first-line indent (a hanging
        # indent: 附件：1.… wrapped under its own text)
        hanging = (abs(cur.x0 - prev.x0) < 0.5 * unit and prev.x0 > left + 1.0 * unit
                   and abs(prev.x0 - left - 2 * unit) > 0.5 * unit)
        return hanging
    return True


def join_paragraphs(lines: list[Line], left: float, right: float,
                    with_style: bool = True, short_line: float = 2.5,
                    size_tol: float = 0.15) -> list[Paragraph]:
    """Lines into paragraphs. ``short_line``: how many characters short of the right
    margin a line may stop and still be wrapped (narrow table cells break lines early
    before a word or an opening quote that may not start a line)."""
    paragraphs: list[Paragraph] = []
    current: list[Line] = []

    def flush():
        if not current:
            return
        text = ""
        for ln in current:
            text += _joiner(text, ln.text) + ln.text
        style: dict = {}
        if with_style:
            first, last = current[0], current[-1]
            unit = max(first.size or first.height, 1.0)
            align_line = last if (len(current) > 1 and first.x1 >= right - 1.5 * unit) else first
            style["align"] = line_align(align_line, left, right)
            if first.size:
                style["size"] = round(first.size, 1)
            style["bold"] = bool(first.bold)
            if first.color:
                style["color"] = first.color
            if first.font:
                style["font"] = first.font
            style["indent"] = round(first.x0 - left, 1)
        paragraphs.append(Paragraph(list(current), text, style))
        current.clear()

    for ln in lines:
        if current and continues(current[-1], ln, left, right, short_line, size_tol):
            current.append(ln)
            continue
        flush()
        current.append(ln)
    flush()
    return paragraphs


# --------------------------------------------------------------------------- ruled tables


@dataclass(slots=True)
class Rule:
    """A horizontal (``pos`` = y, span x) or vertical (``pos`` = x, span y) stroke."""

    horizontal: bool
    pos: float
    lo: float
    hi: float


@dataclass
class GridTable:
    """A ruled table on one page: grid lines and cells with their pieces."""

    xs: list[float]
    ys: list[float]
    # cells as (r0, c0, rowspan, colspan, text)
    cells: list[tuple[int, int, int, int, str]]
    page: int = 0

    @property
    def top(self) -> float:
        return self.ys[0]

    @property
    def bottom(self) -> float:
        return self.ys[-1]

    @property
    def n_rows(self) -> int:
        return len(self.ys) - 1

    @property
    def n_cols(self) -> int:
        return len(self.xs) - 1

    def rows(self) -> list[list[tuple[int, int, int, int, str]]]:
        out: list[list] = [[] for _ in range(self.n_rows)]
        for cell in self.cells:
            out[cell[0]].append(cell)
        for r in out:
            r.sort(key=lambda c: c[1])
        return out


def _cluster(values: list[float], tol: float) -> list[float]:
    values = sorted(values)
    groups: list[list[float]] = []
    for v in values:
        if groups and v - groups[-1][-1] <= tol:
            groups[-1].append(v)
        else:
            groups.append([v])
    return [sum(g) / len(g) for g in groups]


def _touch(a: Rule, b: Rule, tol: float) -> bool:
    if a.horizontal == b.horizontal:
        return abs(a.pos - b.pos) <= tol and a.lo - tol <= b.hi and b.lo - tol <= a.hi
    h, v = (a, b) if a.horizontal else (b, a)
    return h.lo - tol <= v.pos <= h.hi + tol and v.lo - tol <= h.pos <= v.hi + tol


def find_tables(rules: list[Rule], tol: float) -> list[tuple[list[float], list[float], list[Rule]]]:
    """Groups of touching rules that form a grid: (xs, ys, rules) for each table."""
    n = len(rules)
    parent = list(range(n))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(n):
        for j in range(i + 1, n):
            if _touch(rules[i], rules[j], tol):
                parent[find(i)] = find(j)
    groups: dict[int, list[Rule]] = {}
    for i in range(n):
        groups.setdefault(find(i), []).append(rules[i])
    out = []
    for group in groups.values():
        hs = [r for r in group if r.horizontal]
        vs = [r for r in group if not r.horizontal]
        if len(hs) < 2 or len(vs) < 2:
            continue
        xs = _cluster([r.pos for r in vs], tol)
        ys = _cluster([r.pos for r in hs], tol)
        if len(xs) < 2 or len(ys) < 2:
            continue
        out.append((xs, ys, group))
    out.sort(key=lambda t: t[1][0])
    return out


def grid_cells(xs: list[float], ys: list[float], rules: list[Rule], tol: float
               ) -> list[tuple[int, int, int, int]]:
    """Cells (r0, c0, rowspan, colspan) of a grid: two neighbouring grid slots are one
    merged cell where no rule separates them."""
    n_rows, n_cols = len(ys) - 1, len(xs) - 1
    hs = [r for r in rules if r.horizontal]
    vs = [r for r in rules if not r.horizontal]

    def has_v(x: float, y: float) -> bool:
        return any(abs(r.pos - x) <= tol and r.lo - tol <= y <= r.hi + tol for r in vs)

    def has_h(y: float, x: float) -> bool:
        return any(abs(r.pos - y) <= tol and r.lo - tol <= x <= r.hi + tol for r in hs)

    parent = {(r, c): (r, c) for r in range(n_rows) for c in range(n_cols)}

    def find(k):
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for r in range(n_rows):
        ymid = (ys[r] + ys[r + 1]) / 2
        for c in range(n_cols):
            xmid = (xs[c] + xs[c + 1]) / 2
            if c + 1 < n_cols and not has_v(xs[c + 1], ymid):
                parent[find((r, c))] = find((r, c + 1))
            if r + 1 < n_rows and not has_h(ys[r + 1], xmid):
                parent[find((r, c))] = find((r + 1, c))
    comps: dict = {}
    for k in parent:
        comps.setdefault(find(k), []).append(k)
    cells = []
    for slots in comps.values():
        r0 = min(s[0] for s in slots)
        r1 = max(s[0] for s in slots)
        c0 = min(s[1] for s in slots)
        c1 = max(s[1] for s in slots)
        cells.append((r0, c0, r1 - r0 + 1, c1 - c0 + 1))
    cells.sort()
    return cells


def build_table(xs: list[float], ys: list[float], rules: list[Rule], pieces: list[Piece],
                tol: float, page: int = 0, size_tol: float = 0.15) -> tuple[GridTable, list[Piece]]:
    """Fill a grid with the pieces inside it; returns the table and the pieces left over."""
    cells = grid_cells(xs, ys, rules, tol)
    inside: dict[tuple[int, int], list[Piece]] = {}
    rest: list[Piece] = []
    # once per piece of a table: no property or builtin calls (the same values as
    # p.cx, p.cy and min(max(bisect_right(...) - 1, 0), last) spelled out)
    bisect_right = bisect.bisect_right
    x_first, x_last, y_first, y_last = xs[0], xs[-1], ys[0], ys[-1]
    last_col, last_row = len(xs) - 2, len(ys) - 2
    for p in pieces:
        cx, cy = (p.x0 + p.x1) / 2, (p.top + p.bottom) / 2
        if not (x_first <= cx <= x_last and y_first <= cy <= y_last):
            rest.append(p)
            continue
        c = bisect_right(xs, cx) - 1
        c = 0 if 0 > c else c
        c = last_col if last_col < c else c
        r = bisect_right(ys, cy) - 1
        r = 0 if 0 > r else r
        r = last_row if last_row < r else r
        inside.setdefault((r, c), []).append(p)
    out = []
    for r0, c0, rs, cs in cells:
        ps = [p for r in range(r0, r0 + rs) for c in range(c0, c0 + cs) for p in inside.get((r, c), [])]
        lines = group_lines(ps)
        if lines:
            unit = max(lines[0].size or lines[0].height, 1.0)
            left = xs[c0] + 0.1 * unit
            right = xs[c0 + cs] - 0.1 * unit
            # a cell's lines wrap against its own borders (padding about half a character)
            right_margin = max(ln.x1 for ln in lines) if len(lines) > 1 else right
            paras = join_paragraphs(lines, min(ln.x0 for ln in lines), max(right_margin, left),
                                    with_style=False, short_line=3.0, size_tol=size_tol)
            text = "\n".join(p.text for p in paras)
        else:
            text = ""
        out.append((r0, c0, rs, cs, text))
    return GridTable(list(xs), list(ys), out, page), rest


def drop_empty_rows(table: GridTable) -> GridTable:
    """Rows with no cell starting in them (pure spacing rows) are folded away."""
    starts = {c[0] for c in table.cells}
    keep = [r for r in range(table.n_rows) if r in starts]
    if len(keep) == table.n_rows:
        return table
    index = {r: i for i, r in enumerate(keep)}
    cells = []
    for r0, c0, rs, cs, text in table.cells:
        end = r0 + rs
        new_rs = sum(1 for r in keep if r0 <= r < end)
        cells.append((index[r0], c0, max(new_rs, 1), cs, text))
    ys = [table.ys[r] for r in keep] + [table.ys[-1]]
    return GridTable(table.xs, ys, cells, table.page)


def table_rows(table: GridTable) -> list[list]:
    """Rows in the builder's convention: (text, rowspan, colspan) per cell."""
    return [[(c[4], c[2], c[3]) for c in row] for row in table.rows()]


def _row_texts(row) -> list[str]:
    return [re.sub(r"\s+", "", c[4]) for c in row]


def continue_table(prev: GridTable, nxt: GridTable, tol: float) -> GridTable | None:
    """``nxt`` appended to ``prev`` where ``nxt`` continues it on the next page: the same
    columns; a repeated header row is dropped; a first row whose first column is empty
    (a row the page break split) is joined cell by cell to ``prev``'s last row."""
    if prev.n_cols != nxt.n_cols or any(abs(a - b) > 3 * tol for a, b in zip(prev.xs, nxt.xs)):
        return None
    prev_rows = prev.rows()
    next_rows = nxt.rows()
    if prev_rows and next_rows and _row_texts(next_rows[0]) == _row_texts(prev_rows[0]):
        next_rows = next_rows[1:]
    cells = list(prev.cells)
    row_offset = prev.n_rows
    if next_rows and prev_rows:
        first = next_rows[0]
        last = prev_rows[-1]
        first_by_col = {c[1]: c for c in first}
        last_by_col = {c[1]: c for c in last}
        split = (len(first) == len(last) and len(first) > 1
                 and [c[1] for c in first] == [c[1] for c in last]
                 and not first[0][4].strip() and last[0][4].strip()
                 and any(c[4].strip() for c in first))
        if split:
            merged = {}
            for col, cell in last_by_col.items():
                add = first_by_col[col][4]
                sep = "\n" if add and NUMBERED_ITEM.match(add) else _joiner(cell[4], add)
                merged[col] = (cell[0], cell[1], cell[2], cell[3],
                               (cell[4] + sep + add) if add else cell[4])
            cells = [merged.get(c[1], c) if c in last else c for c in cells]
            next_rows = next_rows[1:]
    ys = list(prev.ys)
    for i, row in enumerate(next_rows):
        for r0, c0, rs, cs, text in row:
            cells.append((row_offset + i, c0, rs, cs, text))
        ys.append(ys[-1] + 1.0)  # rows after the break: positions no longer matter
    # row spans of the next part were counted on its own grid; clip to the rows kept
    n_rows = row_offset + len(next_rows)
    cells = [(r0, c0, max(1, min(rs, n_rows - r0)), cs, t) for r0, c0, rs, cs, t in cells]
    table = GridTable(prev.xs, ys[: n_rows + 1], cells, prev.page)
    return table


# --------------------------------------------------------------------------- furniture

_DIGITS = re.compile(r"\d+")
FURNITURE_ZONE = 0.09  # share of the page height at the top and at the bottom


# dashes around a page number, as OCR reads them too (— read as 一 or -)
_PAGE_DASH = r"[-—–－一~～_·.]"
_PAGE_NUMBER = re.compile(
    rf"(?:{_PAGE_DASH}{{0,3}}\s*\d{{1,4}}\s*{_PAGE_DASH}{{0,3}}"
    r"|第\s*\d{1,4}\s*页(?:\s*[/，,]?\s*共\s*\d{1,4}\s*页)?"
    r"|\d{1,4}\s*/\s*\d{1,4})")


def is_page_number(text: str) -> bool:
    """A page number line: ``— 3 —``, ``-3-``, ``3``, ``第3页 共9页``, ``3/9``."""
    t = text.strip()
    return bool(PAGE_NUMBER_LINE.match(t) or _PAGE_NUMBER.fullmatch(t))


def repeated_furniture(pages_lines: list[tuple[float, list[Line]]]) -> set[str]:
    """Texts (digits masked) of lines in the top or bottom zone that recur on many pages:
    running headers and footers."""
    n = len(pages_lines)
    if n < 3:
        return set()
    counts: Counter = Counter()
    for height, lines in pages_lines:
        seen = set()
        for ln in lines:
            if ln.bottom < height * FURNITURE_ZONE or ln.top > height * (1 - FURNITURE_ZONE):
                seen.add(_DIGITS.sub("#", ln.text))
        counts.update(seen)
    need = max(3, (n + 1) // 2)
    return {t for t, k in counts.items() if k >= need}


def drop_furniture(lines: list[Line], page_height: float, repeated: set[str]) -> list[Line]:
    out = []
    for ln in lines:
        in_zone = ln.bottom < page_height * FURNITURE_ZONE * 1.5 or ln.top > page_height * (1 - FURNITURE_ZONE * 1.5)
        if in_zone and (is_page_number(ln.text) or _DIGITS.sub("#", ln.text) in repeated):
            continue
        out.append(ln)
    return out


# --------------------------------------------------------------------------- assembling a document


@dataclass
class PageContent:
    """One page as a reader sees it: pieces and rules in top-down coordinates.
    ``scale`` converts page units to points (1 for PDF text, 72/dpi for OCR)."""

    number: int
    width: float
    height: float
    pieces: list[Piece]
    rules: list[Rule]
    tol: float
    scale: float = 1.0
    size_tol: float = 0.15  # OCR box heights vary more than font sizes
    ocr: bool = False  # an image read by OCR: no font, weight or colour is known
    ocr_confidence: float | None = None  # OCR: the engine's mean score over the text kept


@dataclass
class _Item:
    page: int
    top: float
    paragraph: Paragraph | None = None
    table: GridTable | None = None


def _margins_by_width(pages: list[tuple[PageContent, list[Line], list[GridTable]]]
                      ) -> dict[int, tuple[float, float]]:
    """Text margins per page width (portrait and landscape pages differ)."""
    by_width: dict[int, list[Line]] = {}
    for page, lines, _ in pages:
        by_width.setdefault(round(page.width / 10), []).extend(lines)
    out = {}
    for key, lines in by_width.items():
        m = text_margins(lines) if len([ln for ln in lines if len(ln.text) >= 12]) >= 6 else None
        if m is None:
            # pages that are mostly table (landscape task lists): the tables' width
            spans = [(t.xs[0], t.xs[-1]) for page, _, tables in pages
                     if round(page.width / 10) == key for t in tables]
            if spans:
                m = (min(a for a, _ in spans), max(b for _, b in spans))
            else:
                w = key * 10
                m = (w * 0.12, w * 0.88)
        out[key] = m
    return out


def layout_pages(pages: list[PageContent]) -> list[_Item]:
    """Pages into paragraphs and tables in reading order, furniture removed, tables
    and paragraphs that run over a page break joined."""
    staged: list[tuple[PageContent, list[Line], list[GridTable]]] = []
    for page in pages:
        pieces = page.pieces
        tables: list[GridTable] = []
        for xs, ys, rules in find_tables(page.rules, page.tol):
            table, pieces = build_table(xs, ys, rules, pieces, page.tol, page.number, page.size_tol)
            if any(c[4].strip() for c in table.cells) and (table.n_rows > 1 or table.n_cols > 1):
                tables.append(drop_empty_rows(table))
            else:
                # a box around text (a framed note) is no table: its text stays body text
                pieces = pieces + [p for p in page.pieces if xs[0] <= p.cx <= xs[-1] and ys[0] <= p.cy <= ys[-1]]
        staged.append((page, group_lines(pieces), tables))
    repeated = repeated_furniture([(p.height, lines) for p, lines, _ in staged])
    staged = [(p, drop_furniture(lines, p.height, repeated), t) for p, lines, t in staged]
    margins = _margins_by_width(staged)

    items: list[_Item] = []
    for page, lines, tables in staged:
        left, right = margins[round(page.width / 10)]
        page_items: list[_Item] = [_Item(page.number, t.top, table=t) for t in tables]
        # lines between two tables (or before/after) form their own paragraphs
        bounds = sorted((t.top, t.bottom) for t in tables)
        segments: list[list[Line]] = [[] for _ in range(len(bounds) + 1)]
        for ln in lines:
            k = sum(1 for top, _ in bounds if (ln.top + ln.bottom) / 2 > top)
            segments[k].append(ln)
        for seg in segments:
            for para in join_paragraphs(seg, left, right, size_tol=page.size_tol):
                if page.ocr:
                    for key in ("bold", "color", "font"):
                        para.style.pop(key, None)
                if page.scale != 1.0 and "size" in para.style:
                    para.style["size"] = round(para.style["size"] * page.scale, 1)
                if page.scale != 1.0 and "indent" in para.style:
                    para.style["indent"] = round(para.style["indent"] * page.scale, 1)
                page_items.append(_Item(page.number, para.top, paragraph=para))
        page_items.sort(key=lambda it: it.top)
        if items and page_items:
            prev, first = items[-1], page_items[0]
            if prev.table is not None and first.table is not None:
                joined = continue_table(prev.table, first.table, page.tol)
                if joined is not None:
                    prev.table = joined
                    page_items.pop(0)
            elif prev.paragraph is not None and first.paragraph is not None:
                a, b = prev.paragraph, first.paragraph
                last, head = a.lines[-1], b.lines[0]
                unit = max(min(last.size, head.size), 1.0)
                if (_same_style(last, head, page.size_tol) and last.x1 >= right - 1.5 * unit
                        and head.x0 <= left + 1.5 * unit and not NUMBERED_ITEM.match(head.text)
                        and a.style.get("align") != "center"):
                    a.lines.extend(b.lines)
                    a.text += _joiner(a.text, b.text) + b.text
                    page_items.pop(0)
        items.extend(page_items)
    return items


def emit_pages(builder, pages: list[PageContent]) -> None:
    """Lay the pages out and write them through the DocumentBuilder."""
    items = layout_pages(pages)
    by_page: dict[int, list[_Item]] = {}
    for it in items:
        by_page.setdefault(it.page, []).append(it)
    for page in pages:
        builder.start_page(page.number)
        for it in by_page.get(page.number, []):
            if it.table is not None:
                builder.add_table(table_rows(it.table), page=page.number)
            elif it.paragraph is not None:
                builder.add_paragraph(it.paragraph.text, style=it.paragraph.style, page=page.number)
