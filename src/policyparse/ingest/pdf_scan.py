"""Scanned (image-only) PDFs: OCR with RapidOCR, then the same layout as text PDFs.

Each page is rendered by pypdfium2 at (about) its scan resolution and read by
rapidocr-onnxruntime with the models that ship inside its wheel (nothing is
downloaded). A scan is slightly rotated, so the skew is measured from the OCR
line boxes and undone on the boxes and on the image; the table rules are found
in the straightened image with morphological openings (long thin runs of dark
pixels), so ruled tables come back as cells like in a text PDF. Lines,
paragraphs, furniture and tables over page breaks are then rebuilt by
:mod:`.pdf_layout`.
"""
from __future__ import annotations

import contextlib
import dataclasses
import json
import math
import os
import threading
from typing import Callable, Iterator

from .. import limits
from ..errors import CorruptFileError, MissingDependencyError
from .pdf_layout import PageContent, Piece, Rule, find_tables, grid_cells

# Render resolution: the scan's own where the page holds one image, kept within
# these bounds (below ~150 dpi CJK recognition degrades; above 300 it only costs time).
MIN_DPI = 150.0
MAX_DPI = 300.0
DEFAULT_DPI = 200.0
# An OCR box this much taller than a glyph: box height / font size.
BOX_TO_FONT = 1.05
# Rules: dark runs at least this long (inches) survive the opening; text strokes do not.
RULE_MIN_INCH = 0.45
MIN_SCORE = 0.5  # OCR boxes scored below this are noise (dust, shadows)
OCR_SIZE_TOLERANCE = 0.3
DASH_MAX_INCH = 0.04  # a dash stroke is at most this thick  # box heights of one font size vary this much

_ENGINE = None
_ENGINE_LOCK = threading.Lock()
# set by run_batch for the processes it starts: how many OCR at once on this machine
WORKERS_ENV = "POLICYPARSE_WORKERS"
THREADS_ENV = "POLICYPARSE_OCR_THREADS"


def _usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def ocr_threads() -> int:
    """onnxruntime's intra-op threads for this process, so that workers × threads fit
    the cores: $POLICYPARSE_OCR_THREADS, else the usable cores divided by the run's
    worker processes ($POLICYPARSE_WORKERS, set by run_batch), at least 1. (By default
    onnxruntime takes every core in every worker: N workers then run N × cores
    threads that fight over the same cores.)"""
    try:
        n = int(os.environ.get(THREADS_ENV, "") or 0)
    except ValueError:
        n = 0
    if n >= 1:
        return n
    try:
        workers = max(int(os.environ.get(WORKERS_ENV, "") or 1), 1)
    except ValueError:
        workers = 1
    return max(_usable_cores() // workers, 1)


def ocr_engine():
    """One RapidOCR engine per process: loading the models costs more than a page."""
    global _ENGINE
    if _ENGINE is None:
        with _ENGINE_LOCK:
            if _ENGINE is None:
                # onnxruntime (1.2x+) sends OneDS telemetry from native code: DNS queries
                # for mobile.events.data.microsoft.com during OCR (seen with strace).
                # Government documents are processed with no traffic at all: off.
                os.environ["ORT_DISABLE_TELEMETRY"] = "1"
                try:
                    from rapidocr_onnxruntime import RapidOCR
                except ImportError as e:
                    raise MissingDependencyError(
                        "OCR of scanned PDFs needs rapidocr-onnxruntime (pip install policyparse[ocr])") from e
                _ENGINE = RapidOCR(intra_op_num_threads=ocr_threads(), inter_op_num_threads=1)
    return _ENGINE


def ocr_page(pdf_bytes: bytes, page_index: int) -> PageContent:
    """OCR page ``page_index`` (0-based) of the PDF ``pdf_bytes``: the unit of OCR work.

    It depends on nothing but its arguments, and its result (a picklable
    :class:`~.pdf_layout.PageContent`: the page's pieces and rules) on nothing but the
    PDF's bytes, the page and this reader's version: a batch can hand the pages of one
    long scan to several workers, and cache each page by (content hash, page index,
    reader version). :func:`.pdf_text.read_pdf` OCRs only the pages without a text layer,
    through :func:`ocr_rendered_page` on the document it already has open."""
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(pdf_bytes)
    except Exception as e:  # noqa: BLE001 - any parser failure is a damaged file
        raise CorruptFileError(f"the PDF cannot be opened: {e}") from e
    try:
        if not 0 <= page_index < len(pdf):
            raise CorruptFileError(f"the PDF has no page {page_index + 1} (it has {len(pdf)})")
        page = pdf[page_index]
        try:
            return ocr_page_image(page, page_index + 1)
        finally:
            page.close()
    finally:
        pdf.close()


def _page_dpi(page) -> float:
    """The resolution of the page's scan image, within [MIN_DPI, MAX_DPI]."""
    import pypdfium2.raw as pdfium_c

    width_pt = page.get_width()
    best = None
    for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=2):
        try:
            px_w, _px_h = obj.get_px_size()
            left, _b, right, _t = obj.get_bounds()
        except Exception:  # noqa: BLE001 - an image we cannot measure
            continue
        if right - left > 0.5 * width_pt:
            best = px_w / (right - left) * 72.0
            break
    if best is None:
        return DEFAULT_DPI
    return min(max(best, MIN_DPI), MAX_DPI)


def _skew_degrees(results) -> float:
    """The page's rotation from the top edges of long OCR boxes (median, degrees)."""
    angles = []
    for quad, text, score in results:
        (x0, y0), (x1, y1) = quad[0], quad[1]
        h = math.dist(quad[0], quad[3])
        if len(text) >= 4 and (x1 - x0) > 4 * h:
            angles.append(math.degrees(math.atan2(y1 - y0, x1 - x0)))
    if len(angles) < 3:
        return 0.0
    angles.sort()
    return angles[len(angles) // 2]


def _find_rules(gray, dpi: float) -> list[Rule]:
    """Horizontal and vertical table rules in a straightened greyscale page."""
    import cv2

    _, ink = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    length = max(int(RULE_MIN_INCH * dpi), 20)
    bridge = max(int(0.04 * dpi), 3)  # JPEG noise breaks a thin rule into dashes
    rules: list[Rule] = []
    for horizontal in (True, False):
        close_k = cv2.getStructuringElement(cv2.MORPH_RECT, (bridge, 1) if horizontal else (1, bridge))
        open_k = cv2.getStructuringElement(cv2.MORPH_RECT, (length, 1) if horizontal else (1, length))
        # open first: only runs longer than a few characters survive (bridging the gaps
        # between characters first would turn a line of text into a "rule"); then close
        # the small breaks JPEG noise leaves in a thin rule
        mask = cv2.morphologyEx(cv2.morphologyEx(ink, cv2.MORPH_OPEN, open_k), cv2.MORPH_CLOSE, close_k)
        n, _labels, stats, _c = cv2.connectedComponentsWithStats(mask, connectivity=8)
        for i in range(1, n):
            x, y, w, h, _area = stats[i]
            thick = h if horizontal else w
            if thick > 0.05 * dpi:  # a filled block (a photo, a seal), not a rule
                continue
            x, y, w, h = int(x), int(y), int(w), int(h)  # plain numbers, not numpy scalars
            if horizontal:
                rules.append(Rule(True, y + h / 2.0, float(x), float(x + w)))
            else:
                rules.append(Rule(False, x + w / 2.0, float(y), float(y + h)))
    return rules


def _split_on_rules(piece: Piece, rules: list[Rule], tol: float) -> list[Piece]:
    """An OCR box that runs over a vertical rule (two cells read as one line) cut there."""
    cuts = sorted(r.pos for r in rules if not r.horizontal
                  and piece.x0 + tol < r.pos < piece.x1 - tol and r.lo - tol <= piece.cy <= r.hi + tol)
    if not cuts or len(piece.text) < 2:
        return [piece]
    out = []
    width = piece.x1 - piece.x0
    start_x, start_i = piece.x0, 0
    n = len(piece.text)
    for cut in cuts + [piece.x1]:
        end_i = n if cut == piece.x1 else min(max(round((cut - piece.x0) / width * n), start_i), n)
        if end_i > start_i:
            out.append(Piece(piece.text[start_i:end_i], start_x, cut, piece.top, piece.bottom, piece.size))
        start_x, start_i = cut, end_i
    return out or [piece]


# Where read_pdf's pages without a text layer get their OCR from, when a batch worker
# says so (policyparse.batch hands a long scan's pages to several workers and caches each
# page's result): None, the default, OCRs the page here and now.
PageSource = Callable[[object, int], PageContent]
_page_source: PageSource | None = None


@contextlib.contextmanager
def page_source(source: PageSource | None) -> Iterator[None]:
    """While it lasts, :func:`ocr_rendered_page` (what :func:`.pdf_text.read_pdf` calls for
    each page without a usable text layer) asks ``source(page, number)`` instead of running
    OCR: a batch worker answers with the page's cached result, or notes that the page still
    needs OCR. The reader itself stays unaware of caches and workers."""
    global _page_source
    saved, _page_source = _page_source, source
    try:
        yield
    finally:
        _page_source = saved


def ocr_rendered_page(page, number: int) -> PageContent:
    """OCR one open pypdfium2 page (``number`` 1-based) into pieces and rules, or take it
    from the :func:`page_source` in force."""
    if _page_source is not None:
        return _page_source(page, number)
    return ocr_page_image(page, number)


# ------------------------------------------------------------------ one page's result as bytes

PAGE_FORMAT = 1  # bump when the encoding below changes: old cache entries then miss


def encode_page(content: PageContent) -> bytes | None:
    """A page's OCR result as compact JSON (for the batch's per-page cache entries); None
    when it would not come back equal (then it is not cached, only used)."""
    def row(obj) -> list:
        return [getattr(obj, f.name) for f in dataclasses.fields(obj)]

    fields = row(content)
    names = [f.name for f in dataclasses.fields(PageContent)]
    fields[names.index("pieces")] = [row(p) for p in content.pieces]
    fields[names.index("rules")] = [row(r) for r in content.rules]
    try:
        raw = json.dumps([PAGE_FORMAT, fields], ensure_ascii=False, separators=(",", ":"),
                         allow_nan=False).encode("utf-8")
    except (TypeError, ValueError):
        return None
    return raw if decode_page(raw) == content else None


def decode_page(raw: bytes) -> PageContent | None:
    """The inverse of :func:`encode_page`; None for anything else (a torn or older entry)."""
    try:
        version, fields = json.loads(raw)
        if version != PAGE_FORMAT:
            return None
        names = [f.name for f in dataclasses.fields(PageContent)]
        values = dict(zip(names, fields, strict=True))
        values["pieces"] = [Piece(*p) for p in values["pieces"]]
        values["rules"] = [Rule(*r) for r in values["rules"]]
        return PageContent(**values)
    except (ValueError, TypeError, KeyError):
        return None


def ocr_page_image(page, number: int) -> PageContent:
    """OCR one open pypdfium2 page (``number`` 1-based) into pieces and rules: render, read,
    straighten, find the rules."""
    import cv2
    import numpy as np

    dpi = _page_dpi(page)
    # a page declared 200 inches wide would render to gigabytes: refuse it from its size
    width_pt, height_pt = page.get_size()
    limits.current().check("page_megapixels", (width_pt * dpi / 72.0) * (height_pt * dpi / 72.0) / 1e6,
                           f"page {number} rendered at {dpi:.0f} dpi (megapixels)")
    bitmap = page.render(scale=dpi / 72.0, grayscale=True)
    gray = bitmap.to_numpy()
    if gray.ndim == 3:
        gray = gray[:, :, 0]
    gray = np.ascontiguousarray(gray)
    results, _elapse = ocr_engine()(gray, use_cls=False)
    results = [r for r in (results or []) if r[2] >= MIN_SCORE and r[1].strip()]
    angle = _skew_degrees(results)
    h, w = gray.shape[:2]
    matrix = cv2.getRotationMatrix2D((w / 2.0, h / 2.0), angle, 1.0)
    if abs(angle) > 0.05:
        gray = cv2.warpAffine(gray, matrix, (w, h), flags=cv2.INTER_LINEAR, borderValue=255)
    tol = dpi / 15.0
    rules = _find_rules(gray, dpi)
    pieces: list[Piece] = []
    for quad, text, _score in results:
        pts = np.hstack([np.asarray(quad, dtype=float), np.ones((4, 1))]) @ matrix.T
        x0, x1 = float(pts[:, 0].min()), float(pts[:, 0].max())
        top, bottom = float(pts[:, 1].min()), float(pts[:, 1].max())
        height = bottom - top
        piece = Piece(text.strip(), x0, x1, top, bottom, round(height / BOX_TO_FONT, 1))
        pieces.extend(_split_on_rules(piece, rules, tol))
    pieces.extend(_read_empty_cells(gray, rules, pieces, tol, dpi))
    bitmap.close()
    return PageContent(number, float(w), float(h), pieces, rules, tol, scale=72.0 / dpi,
                       size_tol=OCR_SIZE_TOLERANCE, ocr=True,
                       ocr_confidence=sum(float(r[2]) for r in results) / len(results) if results else None)


def _read_empty_cells(gray, rules: list[Rule], pieces: list[Piece], tol: float, dpi: float) -> list[Piece]:
    """Table cells the detector saw nothing in but that hold ink, read again alone.

    Text detection misses lone short marks inside a ruled cell (a 序号 digit, a
    ``——`` for "none"), and those matter: a task row without its number. The ink's
    bounding box in the cell is cropped and recognised without detection."""
    import numpy as np

    found = []
    engine = ocr_engine()
    inset = max(int(0.02 * dpi), 2)
    for xs, ys, group in find_tables(rules, tol):
        for r0, c0, rs, cs in grid_cells(xs, ys, group, tol):
            x0, x1 = xs[c0], xs[c0 + cs]
            y0, y1 = ys[r0], ys[r0 + rs]
            if any(x0 <= p.cx <= x1 and y0 <= p.cy <= y1 for p in pieces):
                continue
            crop = gray[int(y0) + inset:int(y1) - inset, int(x0) + inset:int(x1) - inset]
            if crop.size == 0:
                continue
            # ink: well darker than this cell's paper (grey paper, thin JPEG-blurred strokes)
            ink = crop < min(170.0, float(np.median(crop)) - 70.0)
            if ink.sum() < 0.05 * dpi:  # a few specks: an empty cell
                continue
            rows = np.flatnonzero(ink.any(axis=1))
            cols = np.flatnonzero(ink.any(axis=0))
            pad = inset * 2
            ty0, ty1 = max(rows[0] - pad, 0), min(rows[-1] + pad + 1, crop.shape[0])
            tx0, tx1 = max(cols[0] - pad, 0), min(cols[-1] + pad + 1, crop.shape[1])
            if (ty1 - ty0) > 0.5 * dpi:  # several lines: detection would have seen them
                continue
            ink_h, ink_w = rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1
            inside = (rows[0] > 2 and rows[-1] < crop.shape[0] - 3 and cols[0] > 2
                      and cols[-1] < crop.shape[1] - 3 and ink_w < 0.7 * crop.shape[1])
            if inside and ink_h <= DASH_MAX_INCH * dpi and ink_w >= 3 * ink_h and ink_w >= 0.08 * dpi:
                # one thin horizontal stroke alone in a cell is a dash (——, "none"); the
                # recogniser reads it as 一 or - with a low score
                text = "——"
            else:
                patch = np.ascontiguousarray(crop[ty0:ty1, tx0:tx1])
                res, _ = engine(patch, use_det=False, use_cls=False)
                if not res:
                    continue
                text, score = res[0][0], float(res[0][1])
                if score < MIN_SCORE or not text.strip():
                    continue
            top = int(y0) + inset + ty0
            left = int(x0) + inset + tx0
            height = ty1 - ty0
            found.append(Piece(text.strip(), float(left), float(left + tx1 - tx0), float(top),
                               float(top + height), round(height / BOX_TO_FONT, 1)))
    return found


