"""Tables without rules in text PDFs: columns aligned by white space.

A task table printed without borders has no path objects for :mod:`.pdf_layout` to
build a grid from, so its cells would run together into paragraphs. On a page that
looks tabular (several lines broken by wide gaps) pdfplumber's text-alignment table
strategy proposes a grid; it is kept only when a header row names task-table columns
(:func:`.layout.header_roles`), and it is handed to :mod:`.pdf_layout` as *virtual
rules*, so unruled and ruled tables are read, continued over pages and emitted by
the same code. pdfplumber parses only such pages: pypdfium2 stays the text reader
(see README: it is many times faster for the text layer).

pdfplumber's text strategy makes a row of every text line; a cell that wraps gives
rows with an empty 序号 (or an empty first column), which are folded into the row
above before the rules are drawn.
"""
from __future__ import annotations

import io

from .layout import header_roles
from .pdf_layout import Piece, Rule

# a line is table-like when it has this many gaps wider than GAP_IN_SIZES × font size
MIN_GAPS_PER_LINE = 2
GAP_IN_SIZES = 1.5
# a page is looked at when it has this many table-like lines
MIN_TABLE_LINES = 3
TEXT_STRATEGY = {"vertical_strategy": "text", "horizontal_strategy": "text",
                 "min_words_vertical": 3, "min_words_horizontal": 1}


def looks_tabular(pieces: list[Piece]) -> bool:
    """Several lines broken into three or more runs by wide gaps. One pass over the
    characters in content order (left to right within a line in every PDF writer we
    read), so that pages without tables cost next to nothing."""
    gaps: dict[int, int] = {}
    for a, b in zip(pieces, pieces[1:]):
        size = 1.0 if 1.0 > a.size else a.size  # max(a.size, 1.0), no builtin call per character
        if abs(a.top - b.top) < 0.5 * size and b.x0 - a.x1 > GAP_IN_SIZES * size:
            key = round(a.top / size)
            gaps[key] = gaps.get(key, 0) + 1
    return sum(1 for n in gaps.values() if n >= MIN_GAPS_PER_LINE) >= MIN_TABLE_LINES


class UnruledTables:
    """Opens the PDF with pdfplumber once, on the first page that needs it."""

    def __init__(self, data: bytes):
        self._data = data
        self._pdf = None

    def rules(self, index: int) -> list[Rule]:
        """Virtual rules of the task tables found on page ``index`` (0-based)."""
        if self._pdf is None:
            import pdfplumber

            self._pdf = pdfplumber.open(io.BytesIO(self._data))
        page = self._pdf.pages[index]
        out: list[Rule] = []
        for table in page.find_tables(TEXT_STRATEGY):
            out += _table_rules(table)
        page.flush_cache()
        return out

    def page_count(self) -> int:
        """Pages as pdfminer walks the page tree: each page object once, a loop cut
        (pdfium counts every /Kids entry, a page listed three times included).

        Counted by pdfminer's own walk (:func:`page_tree_count`) without building a
        pdfplumber page per entry, which cost about as much again and failed on a page
        without a MediaBox that pdfium reads. When that walk fails, pdfplumber's does the
        counting as before (and fails the same way)."""
        if self._pdf is None:
            try:
                return page_tree_count(self._data)
            except Exception:  # noqa: BLE001 - pdfplumber's walk below says what is wrong
                pass
            import pdfplumber

            self._pdf = pdfplumber.open(io.BytesIO(self._data))
        return len(self._pdf.pages)

    def close(self) -> None:
        if self._pdf is not None:
            self._pdf.close()


def page_tree_count(data: bytes) -> int:
    """How many page objects pdfminer's page-tree walk (``PDFPage.create_pages``: each
    object once, the objects of the xref tables when the catalog has no /Pages) finds,
    without parsing each page's boxes and contents: only the count is wanted."""
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdfparser import PDFParser

    class _Slot(PDFPage):
        def __init__(self, doc, pageid, attrs, label) -> None:  # noqa: ARG002 - counted only
            pass

    document = PDFDocument(PDFParser(io.BytesIO(data)), password="")
    return sum(1 for _ in _Slot.create_pages(document))


def warm() -> None:
    """Import what :func:`page_tree_count` needs (a forking parent does it once)."""
    import pdfminer.pdfdocument  # noqa: F401
    import pdfminer.pdfpage  # noqa: F401
    import pdfminer.pdfparser  # noqa: F401


def _table_rules(table) -> list[Rule]:
    # rows and their texts side by side (extract() gives one list per row of table.rows),
    # rows without any cell left out of both
    kept = [(row, cells) for row, cells in zip(table.rows, table.extract())
            if any(c is not None for c in row.cells)]
    rows = [row for row, _ in kept]
    texts = [cells for _, cells in kept]
    # the header: the first row whose non-empty cells all name task-table columns
    header = next((k for k, cells in enumerate(texts[:4])
                   if header_roles([(c or "").strip() for c in cells if (c or "").strip()])), None)
    if header is None:
        return []
    width = len(texts[header])
    boxes = [c for c in rows[header].cells if c is not None]
    if len(boxes) < width:
        return []
    xs = sorted({round(b[0], 1) for b in boxes} | {round(boxes[-1][2], 1)})
    # rows start where the first column has text; lines below with an empty first
    # column are the wrapped cells of the row above
    starts = [header]
    for k in range(header + 1, len(texts)):
        if not any((c or "").strip() for c in texts[k]):
            continue
        if (texts[k][0] or "").strip():
            starts.append(k)
    ys = [rows[k].bbox[1] for k in starts] + [rows[-1].bbox[3]]
    x0, x1, y0, y1 = xs[0], xs[-1], ys[0], ys[-1]
    return ([Rule(True, y, x0, x1) for y in ys]
            + [Rule(False, x, y0, y1) for x in xs])
