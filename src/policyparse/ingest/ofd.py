"""OFD (GB/T 33190-2016, 版式文档) notices: a small reader of our own with lxml.

An OFD is a ZIP: ``OFD.xml`` → ``DocBody/DocRoot`` names ``Document.xml`` →
``Pages/Page`` entries name each page's ``Content.xml``, whose layers hold
``TextObject`` elements (``Boundary`` box, ``Size``, ``Font``, ``FillColor``)
with ``TextCode`` runs positioned by ``X``/``Y`` and per-glyph ``DeltaX``.
The open-source OFD libraries are AGPL (ofdrw) or heavy, and a notice only
needs the text layer, so this module reads it directly: glyph runs become
lines by baseline, lines become paragraphs by indent, line ends and size, as
a reader of a printed page would. Page templates (running headers, 版记 lines
drawn once for every page) and annotations (seals, signatures) are skipped.
Units are millimetres; sizes are reported in points like the other readers.
"""
from __future__ import annotations

import io
import posixpath
import zipfile
import zlib
from dataclasses import dataclass

from lxml import etree

from .. import limits
from ..errors import CorruptFileError
from ..model import Document, DocumentBuilder

OFD_NS = "http://www.ofdspec.org/2016"
MM_TO_PT = 72 / 25.4
_PARSER = limits.safe_xml_parser(remove_comments=True)  # no DTD, no entities, depth guarded

# Lines are one line when their baselines differ by less than this share of the glyph size.
SAME_LINE = 0.5
# A gap wider than this many glyph sizes inside a line is written as a space.
WORD_GAP = 1.2


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _find(el, name: str):
    for ch in el.iter():
        if _local(ch.tag) == name:
            return ch
    return None


def _children(el, name: str):
    return [ch for ch in el if _local(ch.tag) == name]


def _floats(s: str | None) -> list[float]:
    out = []
    for x in (s or "").split():
        try:
            out.append(float(x))
        except ValueError:
            pass
    return out


def expand_delta(s: str | None) -> list[float]:
    """``DeltaX``/``DeltaY``: numbers, where ``g N D`` stands for N copies of D."""
    toks = (s or "").split()
    out: list[float] = []
    i = 0
    while i < len(toks):
        if toks[i] == "g" and i + 2 < len(toks):
            try:
                count = int(float(toks[i + 1]))
                # "g 999999999 1" would allocate gigabytes for one run of glyphs
                limits.current().check("glyphs_per_run", len(out) + count, "an OFD DeltaX run's glyphs")
                out.extend([float(toks[i + 2])] * count)
            except ValueError:
                pass
            i += 3
        else:
            try:
                out.append(float(toks[i]))
            except ValueError:
                pass
            i += 1
    return out


@dataclass
class Glyphs:
    """One ``TextCode`` run in page coordinates (mm)."""

    text: str
    x0: float
    x1: float
    y: float  # baseline
    size: float
    font: str | None
    bold: bool
    color: str | None


class _Package:
    def __init__(self, data: bytes, source_path: str):
        self.source_path = source_path or None
        try:
            self.zf = zipfile.ZipFile(io.BytesIO(data))
        except (zipfile.BadZipFile, NotImplementedError, ValueError, OSError, EOFError) as e:
            raise CorruptFileError(f"not a readable OFD (damaged ZIP: {e})", path=self.source_path) from e
        limits.check_zip(self.zf, path=self.source_path)  # a ZIP bomb, from the directory alone
        self.names = {n.lstrip("/"): n for n in self.zf.namelist()}

    def xml(self, name: str, required: bool = True):
        key = posixpath.normpath(name.lstrip("/"))
        real = self.names.get(key)
        if real is None:
            # OFD writers differ in the case of part names
            real = next((v for k, v in self.names.items() if k.lower() == key.lower()), None)
        if real is None:
            if required:
                raise CorruptFileError(f"the OFD lacks its part {name}", path=self.source_path)
            return None
        try:
            part = limits.read_member(self.zf, real, path=self.source_path)
            limits.check_xml_bytes(part, part=name, path=self.source_path)
            return etree.fromstring(part, _PARSER)
        except etree.XMLSyntaxError as e:
            raise CorruptFileError(f"{name} is not well-formed XML: {e}", path=self.source_path) from e
        except (zipfile.BadZipFile, KeyError, OSError, EOFError, zlib.error, NotImplementedError,
            ValueError, RuntimeError) as e:
            raise CorruptFileError(f"a damaged OFD part {name}: {e}", path=self.source_path) from e


def _resolve(base_dir: str, loc: str) -> str:
    loc = (loc or "").strip()
    if loc.startswith("/"):
        return posixpath.normpath(loc.lstrip("/"))
    return posixpath.normpath(posixpath.join(base_dir, loc))


def _fonts(pkg: _Package, doc_dir: str, document) -> dict[str, tuple[str, bool]]:
    """Font ID → (name, bold) from the document's public resources."""
    out: dict[str, tuple[str, bool]] = {}
    common = _find(document, "CommonData")
    if common is None:
        return out
    for res in _children(common, "PublicRes") + _children(common, "DocumentRes"):
        root = pkg.xml(_resolve(doc_dir, res.text or ""), required=False)
        if root is None:
            continue
        for font in root.iter():
            if _local(font.tag) == "Font" and font.get("ID"):
                name = font.get("FontName") or font.get("FamilyName") or ""
                bold = (font.get("Bold") or "").lower() == "true" or "bold" in name.lower() \
                    or "黑" in name
                out[font.get("ID")] = (name, bold)
    return out


def _color(obj) -> str | None:
    fill = next((ch for ch in obj if _local(ch.tag) == "FillColor"), None)
    if fill is None:
        return None
    vals = _floats(fill.get("Value"))
    if len(vals) != 3:
        return None
    return "".join(f"{int(max(0, min(v, 255))):02X}" for v in vals)


def _page_glyphs(content, fonts: dict) -> list[Glyphs]:
    out: list[Glyphs] = []

    def visit(el, dx: float, dy: float):
        for ch in el:
            name = _local(ch.tag)
            if name in ("Layer", "PageBlock", "Content"):
                visit(ch, dx, dy)
            elif name == "TextObject":
                box = _floats(ch.get("Boundary"))
                bx, by = (box[0], box[1]) if len(box) >= 2 else (0.0, 0.0)
                ctm = _floats(ch.get("CTM"))
                scale = ctm[0] if len(ctm) == 6 and ctm[0] > 0 else 1.0
                size = (float(ch.get("Size") or 0) or 3.5) * scale
                font_name, bold = fonts.get(ch.get("Font") or "", (None, False))
                if (ch.get("Weight") or "").isdigit() and int(ch.get("Weight")) >= 600:
                    bold = True
                color = _color(ch)
                x = y = 0.0
                for code in _children(ch, "TextCode"):
                    text = code.text or ""
                    if code.get("X") is not None:
                        x = float(code.get("X"))
                    if code.get("Y") is not None:
                        y = float(code.get("Y"))
                    if not text:
                        continue
                    deltas = expand_delta(code.get("DeltaX"))
                    width = sum(deltas[:max(len(text) - 1, 0)]) * scale + size
                    x0 = bx + dx + x * scale
                    out.append(Glyphs(text, x0, x0 + width, by + dy + y * scale, size,
                                      font_name, bold, color))
                    x += width / scale
    visit(content, 0.0, 0.0)
    return out


@dataclass
class _Line:
    glyphs: list[Glyphs]

    @property
    def y(self) -> float:
        return self.glyphs[0].y

    @property
    def x0(self) -> float:
        return min(g.x0 for g in self.glyphs)

    @property
    def x1(self) -> float:
        return max(g.x1 for g in self.glyphs)

    @property
    def size(self) -> float:
        return max(g.size for g in self.glyphs)

    def text(self) -> str:
        parts = []
        prev = None
        for g in sorted(self.glyphs, key=lambda g: g.x0):
            if prev is not None and g.x0 - prev.x1 > WORD_GAP * g.size:
                parts.append(" ")
            parts.append(g.text)
            prev = g
        return "".join(parts)


def group_lines(glyphs: list[Glyphs]) -> list[_Line]:
    lines: list[_Line] = []
    for g in sorted(glyphs, key=lambda g: (g.y, g.x0)):
        if lines and abs(g.y - lines[-1].y) <= SAME_LINE * max(g.size, lines[-1].size):
            lines[-1].glyphs.append(g)
        else:
            lines.append(_Line([g]))
    return lines


def _line_style(line: _Line, left: float, right: float) -> dict:
    chars = [(len(g.text), g) for g in line.glyphs]
    total = sum(n for n, _ in chars) or 1
    main = max(chars, key=lambda c: c[0])[1]
    style: dict = {"size": round(main.size * MM_TO_PT, 1)}
    if main.font:
        style["font"] = main.font
    if main.color and main.color != "000000":
        style["color"] = main.color
    style["bold"] = sum(n for n, g in chars if g.bold) * 2 > total
    margin_l, margin_r = line.x0 - left, right - line.x1
    if margin_l > line.size and abs(margin_l - margin_r) < 1.5 * line.size:
        style["align"] = "center"
    elif margin_l > 4 * line.size and margin_r < 0.5 * margin_l:
        # GB/T 9704 sets the signature and date 右空二字/四字: short lines near the right edge
        style["align"] = "right"
    else:
        style["align"] = "left"
    return style


def paragraphs(lines: list[_Line], left: float | None = None,
               right: float | None = None) -> list[tuple[str, dict]]:
    """Lines into paragraphs: a line continues the paragraph above when it starts
    at the text's left edge, keeps its size and alignment, and the line above ran
    to the right edge (a short line ends its paragraph). ``left``/``right`` bound
    the type area (default: these lines' extent)."""
    if not lines:
        return []
    # the type area: the document's, where the caller knows it (a page holding only
    # a right-aligned signature must not become its own type area)
    left = min(l.x0 for l in lines) if left is None else left
    right = max(l.x1 for l in lines) if right is None else right
    out: list[tuple[list[_Line], dict]] = []
    for line in lines:
        style = _line_style(line, left, right)
        if out:
            prev_lines, prev_style = out[-1]
            prev = prev_lines[-1]
            gap = line.y - prev.y
            continues = (style.get("align") == "left" == prev_style.get("align")
                         and abs(line.size - prev.size) < 0.2
                         and line.x0 - left < 1.0 * line.size  # not indented
                         and right - prev.x1 < 2 * prev.size  # the line above was full
                         and gap < 2.5 * line.size)
            if continues:
                prev_lines.append(line)
                continue
        out.append(([line], style))
    return [("".join(l.text() for l in ls), st) for ls, st in out]


def read_ofd(data: bytes, source_path: str, *, doc_id: str, ocr: bool = True) -> Document:
    pkg = _Package(data, source_path)
    ofd = pkg.xml("OFD.xml")
    b = DocumentBuilder(source_path, "ofd")
    bodies = [el for el in ofd.iter() if _local(el.tag) == "DocBody"]
    if not bodies:
        raise CorruptFileError("OFD.xml has no DocBody", path=pkg.source_path)
    root_el = _find(bodies[0], "DocRoot")
    if root_el is None or not (root_el.text or "").strip():
        raise CorruptFileError("OFD.xml names no DocRoot", path=pkg.source_path)
    info = _find(bodies[0], "DocInfo")
    if info is not None:
        for key, name in (("title", "Title"), ("author", "Author"), ("created", "CreationDate")):
            el = _find(info, name)
            if el is not None and (el.text or "").strip():
                b.meta.extra.setdefault("ofd_info", {})[key] = el.text.strip()
    doc_path = _resolve("", root_el.text)
    doc_dir = posixpath.dirname(doc_path)
    document = pkg.xml(doc_path)
    fonts = _fonts(pkg, doc_dir, document)
    pages = _find(document, "Pages")
    page_els = [p for p in (pages.iter() if pages is not None else []) if _local(p.tag) == "Page"]
    limits.current().check("pages", len(page_els), "pages in the OFD", path=pkg.source_path)
    if not page_els:
        raise CorruptFileError("the OFD document has no pages", path=pkg.source_path)
    page_lines: list[list[_Line]] = []
    for number, page in enumerate(page_els, start=1):
        content_root = pkg.xml(_resolve(doc_dir, page.get("BaseLoc") or ""), required=False)
        content = _find(content_root, "Content") if content_root is not None else None
        if content_root is None:
            b.warnings.append(f"page {number}: content part {page.get('BaseLoc')!r} missing")
        page_lines.append(group_lines(_page_glyphs(content, fonts)) if content is not None else [])
    every = [l for lines in page_lines for l in lines]
    left = min((l.x0 for l in every), default=None)
    right = max((l.x1 for l in every), default=None)
    for number, lines in enumerate(page_lines, start=1):
        b.start_page(number)
        for text, style in paragraphs(lines, left, right):
            b.add_paragraph(text, style=style)
    return b.build(doc_id)
