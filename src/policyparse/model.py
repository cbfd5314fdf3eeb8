"""The document model: the one spine every stage of policyparse speaks.

A reader (``ingest``) turns a file into a :class:`Document` through
:class:`DocumentBuilder`; ``segment`` fills :attr:`Document.header` and the
outline; ``extract`` adds :class:`Task` records and document-level targets;
``export`` only reads the finished document.

Every offset anywhere in the system is a ``(start, end)`` pair into
:attr:`Document.text`, the one normalised string. Blocks, cells and records
carry offsets, never their own copies of the text, so ``text[start:end]`` is
always the source of a record (spaCy's ``Doc``/``Span`` idea; Docling's
item-relative ``charspan`` trap avoided).
"""
from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass, field
from typing import Iterator

from .normalize import normalize_text

SCHEMA_VERSION = "1.4"  # 1.1: documents.structure; 1.2: rule on tasks, task_units, deadlines, frequencies,
# targets; 1.3: tasks.topics, tasks.hazards; 1.4: documents.notice_key, ocr, ocr_confidence; the
# references and task_clusters tables


# --------------------------------------------------------------------------- layout


@dataclass(slots=True)
class Page:
    """A page of the source: ``number`` is 1-based, ``[start, end)`` its text."""

    number: int
    start: int
    end: int


@dataclass(slots=True)
class Cell:
    """One physical table cell; ``row``/``col`` are its top-left grid position."""

    row: int
    col: int
    start: int
    end: int
    rowspan: int = 1
    colspan: int = 1


@dataclass(slots=True)
class Table:
    """A real table: cells on an ``n_rows`` × ``n_cols`` grid."""

    start: int
    end: int
    n_rows: int
    n_cols: int
    cells: list[Cell]
    page: int | None = None

    def grid(self) -> list[list[Cell | None]]:
        """Rows × columns; a merged cell appears in every slot it covers."""
        grid: list[list[Cell | None]] = [[None] * self.n_cols for _ in range(self.n_rows)]
        for c in self.cells:
            for r in range(c.row, min(c.row + c.rowspan, self.n_rows)):
                for k in range(c.col, min(c.col + c.colspan, self.n_cols)):
                    grid[r][k] = c
        return grid


@dataclass(slots=True)
class Block:
    """A paragraph or a table, in reading order.

    ``style`` holds the layout hints a format has (``align``: left/center/right,
    ``size`` in points, ``bold``, ``color`` as RRGGBB, ``font``); readers without
    layout leave it empty. ``label`` is a numbering label the reader rebuilt
    (Word automatic numbering) and wrote at the start of the block's text.
    """

    kind: str  # "paragraph" | "table"
    start: int
    end: int
    page: int | None = None
    style: dict = field(default_factory=dict)
    table: Table | None = None
    label: str | None = None


# --------------------------------------------------------------------------- source


@dataclass
class SourceMeta:
    """What a reader learns about the source beyond its text, as named fields: the
    stages after ingest read these, never string keys. ``extra`` keeps what only one
    format has (DOCX core properties, OFD DocInfo, a web page's info table), for
    ``policyparse inspect``; no stage reads it."""

    encoding: str | None = None  # the text's charset (text and web pages)
    page_count: int | None = None  # pages the source declares (PDF, OFD)
    page_source: str | None = None  # DOCX: pages from rendered breaks or explicit breaks
    ocr: bool = False  # some text came from OCR
    ocr_pages: list[int] = field(default_factory=list)
    ocr_seconds_per_page: float | None = None
    ocr_confidence: float | None = None  # the OCR engine's mean score (0-1) over the text it kept
    read_seconds: float | None = None
    converted_by: str | None = None  # .doc/.wps: the converter (libreoffice)
    published_date: dt.date | None = None  # a web page's 发布日期
    info_source: str | None = None  # a web page's 信息来源 / 来源
    site_name: str | None = None  # the publishing site (HTML <meta> SiteName)
    page_title: str | None = None  # a web page's own title
    traditional: bool = False  # served in traditional characters, read through a shadow
    extra: dict = field(default_factory=dict)


# --------------------------------------------------------------------------- header


@dataclass(slots=True)
class Region:
    """A GB/T 2260 division: the county level where there is one."""

    code: str
    province: str | None
    city: str | None
    county: str | None


@dataclass
class Header:
    """The official header (版头, 主体, 版记) of GB/T 9704-2012, and web metadata.

    ``spans`` maps a field name to the ``(start, end)`` it was read from.
    """

    title: str | None = None
    doc_number: str | None = None
    issuers: list[str] = field(default_factory=list)
    issue_date: dt.date | None = None
    plan_year: int | None = None
    recipients: list[str] = field(default_factory=list)
    attachments: list[str] = field(default_factory=list)
    cc: list[str] = field(default_factory=list)  # 抄送
    printer: str | None = None  # 印发机关
    print_date: dt.date | None = None  # 印发日期
    public: bool | None = None  # （此件公开发布）
    published_date: dt.date | None = None  # web 发布日期
    info_source: str | None = None  # web 信息来源
    region: Region | None = None
    spans: dict[str, tuple[int, int]] = field(default_factory=dict)


# --------------------------------------------------------------------------- records


@dataclass(slots=True)
class UnitMention:
    role: str  # "lead" | "support" | "leader"
    unit: str  # as written: text[start:end] == unit
    start: int
    end: int
    canonical: str | None = None
    rule: str = ""  # the id of the rule that found it (see the `rule` columns)


@dataclass(slots=True)
class Deadline:
    raw: str
    kind: str  # by_date | window | ongoing | external
    date: dt.date | None
    start: int
    end: int
    window_start: dt.date | None = None
    rule: str = ""


@dataclass(slots=True)
class Frequency:
    raw: str
    period: str  # day | week | month | quarter | half_year | year
    count: int
    comparator: str  # ">=" | "=" | "<="
    start: int
    end: int
    rule: str = ""

    @property
    def per_year(self) -> float:
        return PERIODS_PER_YEAR[self.period] * self.count


PERIODS_PER_YEAR = {"day": 365.0, "week": 52.0, "month": 12.0, "quarter": 4.0,
                    "half_year": 2.0, "year": 1.0}


@dataclass(slots=True)
class Target:
    raw: str
    metric: str | None
    value: float | None
    unit: str | None
    comparator: str | None  # >= <= = zero decrease within_quota None
    start: int
    end: int
    rule: str = ""


@dataclass(slots=True)
class Reference:
    """A document the notice cites or implements: 《title》 and the 发文字号 that follows it."""

    title: str  # inside the 《》, as written
    number: str | None  # the 发文字号 (or 部令 number) right after the title, if any
    start: int  # the span: from 《 to the end of the number (or 》)
    end: int
    rule: str = ""


@dataclass
class Task:
    """One work item: a leaf of the numbering outline or one row of a task table."""

    path: list[str]
    section: str
    title: str | None
    source: str  # "body" | "table"
    start: int
    end: int
    page: int | None = None
    units: list[UnitMention] = field(default_factory=list)
    deadlines: list[Deadline] = field(default_factory=list)
    frequencies: list[Frequency] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    # which reader found it: outline_leaf, outline_item_with_sub_items, table, flattened_table
    rule: str = ""
    topics: list[str] = field(default_factory=list)  # work types (gazetteers/topics/)
    hazards: list[str] = field(default_factory=list)  # hazard or subject domains


# --------------------------------------------------------------------------- document


@dataclass
class Document:
    doc_id: str
    source_path: str
    source_format: str
    text: str
    pages: list[Page] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    header: Header = field(default_factory=Header)
    meta: SourceMeta = field(default_factory=SourceMeta)
    warnings: list[str] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)  # document-level goals
    references: list[Reference] = field(default_factory=list)  # the documents it cites
    # which readers found the tasks: "outline", "table", "flattened_table" joined by "+", or "none"
    structure: str = "none"
    # layers between the steps, not exported: the numbering outline (segment.outline.Outline)
    # and the task tables with their column roles (segment.tables.TaskTable)
    outline: object | None = None
    task_tables: list = field(default_factory=list)

    def span_text(self, start: int, end: int) -> str:
        return self.text[start:end]

    def block_text(self, block: Block) -> str:
        return self.text[block.start:block.end]

    def page_at(self, offset: int) -> int | None:
        """The page number holding ``offset``, or None where the source has no pages."""
        if not self.pages:
            return None
        starts = [p.start for p in self.pages]
        i = bisect.bisect_right(starts, offset) - 1
        return self.pages[max(i, 0)].number

    def tables(self) -> Iterator[Block]:
        return (b for b in self.blocks if b.table is not None)


class DocumentBuilder:
    """Builds a Document piece by piece, keeping every offset honest.

    Readers call :meth:`add_paragraph`, :meth:`add_table` and
    :meth:`start_page`; the builder normalises each piece (see
    :func:`policyparse.normalize.normalize_text`) *before* it joins the text, so
    offsets point into the normalised text by construction. Blocks are
    separated by one newline; table rows by newlines and cells by tabs.
    """

    def __init__(self, source_path: str, source_format: str, normalize: bool = True):
        self.source_path = source_path
        self.source_format = source_format
        self._normalize = normalize
        self._parts: list[str] = []
        self._pos = 0
        self.blocks: list[Block] = []
        self.pages: list[Page] = []
        self._page: int | None = None
        self.meta = SourceMeta()
        self.warnings: list[str] = []

    # -- text plumbing
    def _append(self, s: str) -> tuple[int, int]:
        start = self._pos
        self._parts.append(s)
        self._pos += len(s)
        return start, self._pos

    def _separate(self) -> None:
        if self._pos:
            self._append("\n")

    def _clean(self, s: str) -> str:
        return normalize_text(s) if self._normalize else s

    # -- pages
    def start_page(self, number: int) -> None:
        if self.pages:
            self.pages[-1].end = self._pos
        self._page = number
        start = self._pos + (1 if self._pos else 0)
        self.pages.append(Page(number, start, start))

    # -- blocks
    def add_paragraph(self, text: str, style: dict | None = None, label: str | None = None,
                      page: int | None = None) -> Block | None:
        """Add a paragraph; ``label`` (rebuilt numbering) is written before its text."""
        body = self._clean((label or "") + text)
        if not body.strip():
            return None
        self._separate()
        start, end = self._append(body)
        block = Block("paragraph", start, end, page if page is not None else self._page,
                      dict(style or {}), None, label)
        self.blocks.append(block)
        return block

    def add_table(self, rows: list[list], page: int | None = None, style: dict | None = None) -> Block | None:
        """Add a table. ``rows`` is a list of rows; each entry is a cell's text or a
        ``(text, rowspan, colspan)`` tuple. Slots covered by a merged cell are
        simply omitted from the later rows/columns (HTML's convention)."""
        if not rows:
            return None
        self._separate()
        tstart = self._pos
        cells: list[Cell] = []
        occupied: set[tuple[int, int]] = set()
        n_cols = 0
        for r, row in enumerate(rows):
            if r:
                self._append("\n")
            c = 0
            first = True
            for entry in row:
                text, rowspan, colspan = (entry, 1, 1) if isinstance(entry, str) else entry
                while (r, c) in occupied:
                    c += 1
                if not first:
                    self._append("\t")
                first = False
                start, end = self._append(self._clean(text).replace("\t", " "))
                cells.append(Cell(r, c, start, end, max(rowspan, 1), max(colspan, 1)))
                for rr in range(r, r + max(rowspan, 1)):
                    for cc in range(c, c + max(colspan, 1)):
                        occupied.add((rr, cc))
                c += max(colspan, 1)
            n_cols = max(n_cols, c)
        n_cols = max([n_cols] + [cc + 1 for (_, cc) in occupied])
        table = Table(tstart, self._pos, len(rows), n_cols, cells,
                      page if page is not None else self._page)
        block = Block("table", tstart, self._pos, table.page, dict(style or {}), table)
        self.blocks.append(block)
        return block

    def build(self, doc_id: str) -> Document:
        if self.pages:
            self.pages[-1].end = self._pos
        return Document(doc_id=doc_id, source_path=self.source_path,
                        source_format=self.source_format, text="".join(self._parts),
                        pages=self.pages, blocks=self.blocks, meta=self.meta,
                        warnings=self.warnings)
