"""PDF notices with a text layer, read through pypdfium2.

pypdfium2's text page gives every character with its box, font size, weight,
fill colour and font name through a few cheap C calls, about 35 times faster
than pdfplumber's per-character objects. Ruled tables are found from the page's
path objects (LibreOffice and Word draw table borders as thin filled
rectangles or stroked lines), so no second PDF parser is needed; the geometry
(lines, paragraphs, tables, furniture) is shared with the OCR reader in
:mod:`.pdf_layout`. A PDF without a text layer goes to OCR (:mod:`.pdf_scan`).
"""
from __future__ import annotations

import ctypes
import functools
import re
import struct
import time

from .. import limits
from ..errors import CorruptFileError, EncryptedFileError, IngestError, NoTextError
from ..model import Document, DocumentBuilder
from .pdf_layout import PageContent, Piece, Rule, emit_pages

# A page with fewer characters than this and a page-sized image is a scan.
MIN_TEXT_CHARS_PER_PAGE = 8
# A stroke is a table rule when it is at most this thick (points) and this long.
RULE_MAX_THICKNESS = 3.0
RULE_MIN_LENGTH = 8.0
GRID_TOLERANCE = 2.5  # points

_BOLD_NAME = re.compile(r"bold|heavy|black|semibold|demi", re.I)
# no ink: no-break and ideographic spaces, and the non-characters pdfium marks unknowns with
_NOT_INKED = frozenset("\xa0\u3000\ufffe\uffff")
# a character joins the run before it when it starts this close to the run's end (in points):
# the gap make_line never turns into a space, or a small overlap (kerning)
RUN_GAP = 0.25
RUN_OVERLAP = 0.5
_RECT = struct.Struct("4f")  # pdfium's FS_RECTF
_RGB = struct.Struct("3I")  # the red, green and blue of FPDFText_GetFillColor (alpha unread)


def open_pdf(data: bytes):
    """The pypdfium2 document, with coded errors for encrypted and damaged files."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as e:
        if getattr(e, "err_code", None) in (pdfium_c.FPDF_ERR_PASSWORD, pdfium_c.FPDF_ERR_SECURITY):
            raise EncryptedFileError("the PDF is encrypted and needs a password") from e
        raise CorruptFileError(f"the PDF cannot be opened: {e}") from e
    except Exception as e:  # noqa: BLE001 - any parser failure is a damaged file
        raise CorruptFileError(f"the PDF cannot be opened: {e}") from e
    try:
        n = len(pdf)
    except Exception as e:  # noqa: BLE001
        raise CorruptFileError(f"the PDF page tree is damaged: {e}") from e
    if n == 0:
        raise CorruptFileError("the PDF has no pages (truncated or damaged)")
    limits.current().check("pages", n, "pages in the PDF")
    return pdf


def _plain(func, restype, *argtypes):
    """``func`` (a pypdfium2 binding) called with integer addresses instead of pointer objects."""
    return ctypes.CFUNCTYPE(restype, *argtypes)(ctypes.cast(func, ctypes.c_void_p).value)


@functools.lru_cache(maxsize=1)
def _char_calls():
    """The per-character pdfium calls with plain-address prototypes.

    They run once per character of every page (most of the reader's time), and
    pypdfium2's bindings type their handles as pointer classes: every call then
    converts a pointer object and the text object comes back as one that must be
    cast to an address. The same C functions called with integer addresses (and
    returning one) read the same values with less Python per character."""
    import pypdfium2.raw as pdfium_c

    vp, i = ctypes.c_void_p, ctypes.c_int
    return (_plain(pdfium_c.FPDFText_GetText, i, vp, i, i, vp),
            _plain(pdfium_c.FPDFText_GetTextObject, vp, vp, i),
            _plain(pdfium_c.FPDFText_GetLooseCharBox, ctypes.c_int, vp, i, vp),
            _plain(pdfium_c.FPDFText_GetCharOrigin, ctypes.c_int, vp, i, vp, vp))


@functools.lru_cache(maxsize=1)
def _style_calls():
    """The calls that read a text object's style, with plain-address prototypes. Generators
    often write a text object per word or per character (the bundled PDFs: 9,400 objects
    for 29,000 characters), so these run nearly as often as the per-character ones."""
    import pypdfium2.raw as pdfium_c

    vp, i = ctypes.c_void_p, ctypes.c_int
    return (_plain(pdfium_c.FPDFTextObj_GetFont, vp, vp),
            _plain(pdfium_c.FPDFText_GetFontSize, ctypes.c_double, vp, i),
            _plain(pdfium_c.FPDFText_GetFillColor, i, vp, i, vp, vp, vp, vp),
            _plain(pdfium_c.FPDFText_GetMatrix, i, vp, i, vp))


@functools.lru_cache(maxsize=1)
def _object_calls():
    """FPDFPage_GetObject and FPDFPageObj_GetType with plain-address prototypes: the rule
    finder calls them for every object of a page (thousands of text objects) to find the
    few paths; the pointer conversions were half their cost."""
    import pypdfium2.raw as pdfium_c

    vp = ctypes.c_void_p
    return (_plain(pdfium_c.FPDFPage_GetObject, vp, vp, ctypes.c_int),
            _plain(pdfium_c.FPDFPageObj_GetType, ctypes.c_int, vp))


def warm_pdf_reader() -> None:
    """Import pypdfium2 (which loads and initialises pdfium) and pdfminer's page-tree
    walk, and make the per-character prototypes. A batch calls it in its parent before it forks the workers, so that no
    worker pays for it on its first PDF."""
    import pypdfium2  # noqa: F401 - loads libpdfium and runs FPDF_InitLibrary
    import pypdfium2.raw  # noqa: F401

    from . import pdf_unruled

    _char_calls()
    pdf_unruled.warm()


def _page_pieces(page, height: float) -> list[Piece]:
    import pypdfium2.raw as pdfium_c

    textpage = page.get_textpage()
    handle = textpage.raw
    address = ctypes.cast(handle, ctypes.c_void_p).value
    n = textpage.count_chars()
    get_text, get_object, get_box, get_origin = _char_calls()
    # the page's characters in one call (UTF-16, one unit per character index unless a
    # character lies outside the BMP: then each index is asked for its own)
    units = ctypes.create_string_buffer(2 * (n + 1))
    got = get_text(address, 0, n, ctypes.addressof(units))
    text = units.raw[:2 * max(got - 1, 0)].decode("utf-16-le", "surrogatepass")
    if len(text) != n:
        get_unicode = pdfium_c.FPDFText_GetUnicode
        text = "".join(chr(get_unicode(handle, i)) for i in range(n))
    rect = pdfium_c.FS_RECTF()
    unpack_rect = _RECT.unpack_from  # left, top, right, bottom: one call for the four fields
    ox, oy = ctypes.c_double(), ctypes.c_double()
    rect_at, ox_at, oy_at = ctypes.addressof(rect), ctypes.addressof(ox), ctypes.addressof(oy)
    rgba = (ctypes.c_uint * 4)()
    rgba_at = [ctypes.addressof(rgba) + k * ctypes.sizeof(ctypes.c_uint) for k in range(4)]
    name_buf = ctypes.create_string_buffer(128)
    flags = ctypes.c_int()
    get_font, get_size, get_fill, get_matrix = _style_calls()
    matrix = (ctypes.c_float * 6)()  # FS_MATRIX: a b c d e f
    matrix_at = ctypes.addressof(matrix)
    colors: dict[tuple[int, int, int], str] = {}
    # size and colour belong to the text object (a run), name and weight to its font:
    # each read once per run and once per font
    run_style: dict[int, tuple[float, str | None, str | None, bool]] = {}
    font_style: dict[int, tuple[str | None, bool]] = {}
    pieces: list[Piece] = []
    append = pieces.append
    # characters side by side in one text object become one piece (a run): the lines, their
    # spaces and the table cells come out the same, and the layout steps handle a third of
    # the pieces (the bundled PDFs: 29,000 characters, 9,400 objects)
    run: list[str] = []
    run_key = run_x0 = run_x1 = run_top = run_bottom = run_size = 0.0
    piece_style: tuple | None = None
    # A text object (one Tj or TJ) has one baseline, one font and one size when its matrix
    # neither rotates nor skews: a character of the run's object that follows it on the
    # right then belongs to the run, or after a gap (a space the object draws by moving)
    # starts a piece of the same line and style; its origin and style need not be asked
    # for. Most characters take this path: two calls instead of three, and none of the
    # style bookkeeping. (Vertical writing stacks an object's characters at one x: they
    # fail the "on the right" test and take the full path.)
    straight: dict[int, bool] = {}
    run_straight = False
    for i, ch in enumerate(text):
        if ch <= " " or ch in _NOT_INKED:
            continue  # spaces and the line breaks pdfium generates: lines come from geometry
        key = get_object(address, i) or 0
        get_box(address, i, rect_at)
        left, box_top, right, box_bottom = unpack_rect(rect)
        if run_straight and key == run_key and left - run_x1 >= -RUN_OVERLAP:
            if left - run_x1 > RUN_GAP:  # a gap: a piece of its own, same line and style
                append(Piece("".join(run), run_x0, run_x1, run_top, run_bottom, run_size,
                             piece_style[3], piece_style[1], piece_style[2]))
                run = [ch]
                run_x0 = left
            else:
                run.append(ch)
            run_x1 = left if left > right else right
            continue
        style = run_style.get(key) if key else None
        if style is None:
            size = get_size(address, i)
            color = None
            if get_fill(address, i, *rgba_at):
                rgb = _RGB.unpack_from(rgba)
                color = colors.get(rgb)
                if color is None:
                    color = colors[rgb] = "%02X%02X%02X" % rgb
            font_key = (get_font(key) or 0) if key else 0
            named = font_style.get(font_key) if font_key else None
            if named is None:
                name_len = pdfium_c.FPDFText_GetFontInfo(handle, i, name_buf, 128, flags)
                font = name_buf.value.decode("latin-1", "replace") if name_len else None
                if font and "+" in font[:8]:
                    font = font.split("+", 1)[1]  # subset prefix ABCDEF+
                bold = bool(font and _BOLD_NAME.search(font)) or pdfium_c.FPDFText_GetFontWeight(handle, i) >= 600
                named = (font, bold)
                if font_key:
                    font_style[font_key] = named
            style = (size, color, *named)
            if key:
                run_style[key] = style
                # (a size of 1 scaled by the matrix is read from each glyph's box instead: no
                # shortcut for such objects, so their pieces stay what the full path makes)
                straight[key] = (size > 1.5 and bool(get_matrix(address, i, matrix_at))
                                 and matrix[1] == 0 and matrix[2] == 0)
        size, color, font, bold = style
        get_origin(address, i, ox_at, oy_at)
        if size <= 1.5:  # a font scaled by the text matrix reports size 1
            size = max(box_top - box_bottom, 1.0)
        # the vertical box from the baseline and the size: uniform for a line whatever
        # the glyph, so punctuation sits on its line
        base = oy.value
        top, bottom = height - (base + 0.88 * size), height - (base - 0.12 * size)
        if (run and key and key == run_key and top == run_top and bottom == run_bottom and size == run_size
                and style is piece_style and -RUN_OVERLAP <= left - run_x1 <= RUN_GAP):
            run.append(ch)
            run_x1 = left if left > right else right
            continue
        if run:
            append(Piece("".join(run), run_x0, run_x1, run_top, run_bottom, run_size,
                         piece_style[3], piece_style[1], piece_style[2]))
        run = [ch]
        run_key, run_x0, run_x1 = key, left, left if left > right else right
        run_top, run_bottom, run_size, piece_style = top, bottom, size, style
        run_straight = bool(key) and straight.get(key, False)
    if run:
        append(Piece("".join(run), run_x0, run_x1, run_top, run_bottom, run_size,
                     piece_style[3], piece_style[1], piece_style[2]))
    textpage.close()
    return pieces


def _page_rules(page, height: float) -> list[Rule]:
    """Thin paths (table borders, separator lines) as rules. Only the path objects are
    wrapped: a page holds thousands of text objects that need no Python object each."""
    import pypdfium2.raw as pdfium_c

    rules: list[Rule] = []
    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    get_object, get_type = _object_calls()
    page_at = ctypes.cast(page.raw, ctypes.c_void_p).value
    as_object = pdfium_c.FPDF_PAGEOBJECT
    form_kind, path_kind = pdfium_c.FPDF_PAGEOBJ_FORM, pdfium_c.FPDF_PAGEOBJ_PATH
    stack = [(page.raw, False)]
    while stack:
        parent, is_form = stack.pop()
        count = (pdfium_c.FPDFFormObj_CountObjects(parent) if is_form
                 else pdfium_c.FPDFPage_CountObjects(parent))
        for k in range(count):
            if is_form:
                obj = pdfium_c.FPDFFormObj_GetObject(parent, k)
                kind = pdfium_c.FPDFPageObj_GetType(obj)
            else:  # the page's own objects by address; a pointer object only for a path or a form
                at = get_object(page_at, k)
                kind = get_type(at)
                if kind != form_kind and kind != path_kind:
                    continue
                obj = ctypes.cast(at, as_object)
            if kind == form_kind:
                if len(stack) < 8:
                    stack.append((obj, True))
                continue
            if kind != path_kind:
                continue
            if not pdfium_c.FPDFPageObj_GetBounds(obj, left, bottom, right, top):
                continue
            x0, y0, x1, y1 = left.value, bottom.value, right.value, top.value
            w, h = x1 - x0, y1 - y0
            if h <= RULE_MAX_THICKNESS and w >= RULE_MIN_LENGTH:
                rules.append(Rule(True, height - (y0 + y1) / 2, x0, x1))
            elif w <= RULE_MAX_THICKNESS and h >= RULE_MIN_LENGTH:
                rules.append(Rule(False, (x0 + x1) / 2, height - y1, height - y0))
            elif w >= RULE_MIN_LENGTH and h >= RULE_MIN_LENGTH and _is_stroked_box(obj):
                # a cell drawn as a stroked rectangle: its four edges
                yt, yb = height - y1, height - y0
                rules += [Rule(True, yt, x0, x1), Rule(True, yb, x0, x1),
                          Rule(False, x0, yt, yb), Rule(False, x1, yt, yb)]
    return rules


def _is_stroked_box(obj) -> bool:
    import pypdfium2.raw as pdfium_c

    fillmode, stroke = ctypes.c_int(), ctypes.c_int()
    if not pdfium_c.FPDFPath_GetDrawMode(obj, fillmode, stroke):
        return False
    return bool(stroke.value) and not fillmode.value and pdfium_c.FPDFPath_CountSegments(obj) <= 6


def read_pdf(data: bytes, source_path: str, *, doc_id: str, ocr: bool = True) -> Document:
    """Read a PDF; pages without a text layer (a scan, or a scanned attachment in an
    otherwise digital file) are OCR'd when ``ocr`` is on."""
    from .pdf_layout import find_tables
    from .pdf_unruled import UnruledTables, looks_tabular

    pdf = open_pdf(data)
    unruled = UnruledTables(data)
    pages: list[PageContent] = []
    image_only: list[int] = []
    ocr_pages: list[int] = []
    started = time.perf_counter()
    ocr_seconds = 0.0
    # a page tree that lists a page more than once or contains itself: pdfium reads every
    # entry (a page's tasks three times over, or a slot that fails to load). pdfminer's walk
    # of the tree tells (about 4 ms a file), asked only when an entry fails or repeats the
    # content of one before it: the same page object read twice reads the same, so pages
    # that all differ and all load cannot hold a repeat
    entries = len(pdf)
    tree: dict[str, int] = {}

    def repeated() -> bool:
        if "unique" not in tree:
            tree["unique"] = unruled.page_count() if entries > 1 else entries
        return tree["unique"] < entries

    seen_pages: set[int] = set()
    garbled: list[int] = []
    for index in range(len(pdf)):
        try:
            page = pdf[index]
            width, height = page.get_width(), page.get_height()
            pieces = _page_pieces(page, height)
            rules = _page_rules(page, height)
            if not find_tables(rules, GRID_TOLERANCE) and looks_tabular(pieces):
                rules += unruled.rules(index)  # a table aligned by white space, no borders
            content = PageContent(index + 1, width, height, pieces, rules, GRID_TOLERANCE)
            unreadable = None  # the list a page without usable text goes on, if it is one
            chars = sum(len(p.text) for p in pieces)
            if chars >= MIN_TEXT_CHARS_PER_PAGE and _garbled(pieces):
                # fonts without a ToUnicode map: the text layer is glyph codes, not text
                # (mojibake); the page as printed is still readable, so OCR reads it
                unreadable = garbled
            elif chars < MIN_TEXT_CHARS_PER_PAGE and _has_page_image(page):
                unreadable = image_only
            if unreadable is not None:
                unreadable.append(index + 1)
                if ocr:
                    from .pdf_scan import ocr_rendered_page
                    t0 = time.perf_counter()
                    content = ocr_rendered_page(page, index + 1)
                    ocr_seconds += time.perf_counter() - t0
                    ocr_pages.append(index + 1)
            page.close()
        except IngestError:
            raise
        except Exception as e:  # noqa: BLE001 - a damaged page object
            if repeated():
                continue  # the slot of a page-tree loop
            raise CorruptFileError(f"page {index + 1} cannot be read: {e}") from e
        if entries > 1:
            # the same page object read twice gives the very same pieces, so exact positions
            # do (no rounding: two calls a piece were 5 % of the reader's time)
            key = hash(tuple([(p.text, p.x0, p.top) for p in content.pieces]))
            if key in seen_pages and repeated():
                continue  # the same page object listed again
            seen_pages.add(key)
        pages.append(content)
    pdf.close()
    unruled.close()
    if garbled and not ocr and not any(p.pieces for p in pages if p.number not in garbled):
        raise NoTextError(f"the text layer of pages {garbled} does not map to Unicode (fonts without "
                          "ToUnicode: mojibake) and OCR is off")
    if not any(p.pieces for p in pages):
        if image_only and not ocr:
            raise NoTextError("the PDF has no text layer (a scan?) and OCR is off")
        raise NoTextError("the PDF holds no text" + (" (OCR found none either)" if ocr_pages else ""))
    b = DocumentBuilder(source_path, "pdf")
    b.meta.page_count = len(pages)
    b.meta.ocr = bool(ocr_pages)
    if ocr_pages:
        b.meta.ocr_pages = list(ocr_pages)
        b.meta.ocr_seconds_per_page = round(ocr_seconds / len(ocr_pages), 2)
        scores = [p.ocr_confidence for p in pages if p.ocr_confidence is not None]
        b.meta.ocr_confidence = round(sum(scores) / len(scores), 4) if scores else None
    skipped = [n for n in image_only if n not in ocr_pages]
    if skipped:
        b.warnings.append(f"pages {skipped} are images without a text layer; OCR is off, their text is missing")
    if garbled:
        b.warnings.append(f"pages {garbled}: the text layer does not map to Unicode (fonts without "
                          "ToUnicode), " + ("read by OCR instead" if ocr else "so their text is mojibake; "
                                            "OCR is off"))
    if "unique" in tree and repeated():
        b.warnings.append(f"the page tree lists {entries} entries for {tree['unique']} pages "
                          "(a page repeated or the tree containing itself): each page read once")
    emit_pages(b, pages)
    b.meta.read_seconds = round(time.perf_counter() - started, 3)
    return b.build(doc_id)


# what a text layer of glyph codes is made of: control characters (but tab and line
# breaks), DEL, C1 and Latin-1, private-use code points, the replacement character
_GLYPH_CODE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\xff\ue000-\uf8ff\ufffd]")


def _garbled(pieces: list[Piece]) -> bool:
    """A text layer of glyph codes rather than text: control and C1 characters,
    Latin-1 letters and private-use code points where a notice has Chinese and ASCII.
    (Counted by a regular expression: a loop over every character of every page in
    Python cost a few milliseconds a document.)"""
    text = "".join([p.text for p in pieces])
    odd = len(text) - len(_GLYPH_CODE.sub("", text))
    return odd > 0.3 * len(text)


def _has_page_image(page) -> bool:
    """Whether an image covers a good part of the page (a scan, not a logo)."""
    import pypdfium2.raw as pdfium_c

    area = page.get_width() * page.get_height()
    for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=3):
        try:
            left, bottom, right, top = obj.get_bounds()
        except Exception:  # noqa: BLE001
            continue
        if (right - left) * (top - bottom) > 0.3 * area:
            return True
    return False
