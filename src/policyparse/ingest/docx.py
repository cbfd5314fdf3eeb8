"""DOCX (WordprocessingML) notices, read with lxml straight from the package parts.

python-docx's object layer walks the body once per property and does not rebuild
automatic numbering, so the reader parses ``word/document.xml``, ``styles.xml``
and ``numbering.xml`` itself (a corpus file reads in a few milliseconds).

What the reader keeps and why:
- paragraphs and tables in body order, including content controls (``w:sdt``),
  ``w:customXml`` wrappers, tracked insertions and text boxes; deleted text,
  field instructions, footnotes, headers and footers are page furniture or
  editing history, not the notice;
- Word automatic numbering (``w:numPr``): notices number 一、（一）1. through
  numbering definitions, so the label is not in the run text. It is rebuilt from
  ``numbering.xml`` and passed as ``label=`` so the text reads as printed;
- layout hints (``align``, ``size``, ``bold``, ``color``, ``font``) from the run
  and paragraph properties, falling back through the style chain to the document
  defaults: the header reader finds the red 发文机关标志 and the centred title by them;
- tables with merged cells (``gridSpan`` → colspan, ``vMerge`` → rowspan); a table
  split in two with its header row repeated is joined back into one;
- pages from Word's rendered page breaks where the file has them, else from
  explicit page and section breaks (``meta.page_source`` says which).
"""
from __future__ import annotations

import io
import re
import zipfile
import zlib
from dataclasses import dataclass, field

from lxml import etree

from .. import limits
from ..errors import CorruptFileError, EncryptedFileError
from ..model import Document, DocumentBuilder

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
W = f"{{{W_NS}}}"
MC = f"{{{MC_NS}}}"
CP_NS = {"cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
         "dc": "http://purl.org/dc/elements/1.1/",
         "dcterms": "http://purl.org/dc/terms/"}

# A huge or hostile XML part must not take the process down: no DTD, no entities, no
# network, libxml2's depth and size guards on (policyparse.limits).
_PARSER = limits.safe_xml_parser(remove_comments=True, remove_pis=True)

_ALIGN = {"center": "center", "right": "right", "end": "right", "left": "left",
          "start": "left", "both": "left", "distribute": "left", "justify": "left"}
_TRUE_OFF = {"0", "false", "off", "none"}

# Wrappers whose children are read as if they stood in the parent.
_TRANSPARENT = {W + "sdt", W + "sdtContent", W + "customXml", W + "smartTag", W + "ins",
                W + "hyperlink", W + "fldSimple", W + "moveTo", W + "dir", W + "bdo"}
# Subtrees that are never the notice's text.
_SKIP = {W + "del", W + "moveFrom", W + "pPr", W + "rPr", W + "sdtPr", W + "sdtEndPr",
         W + "instrText", W + "delText", W + "footnoteReference", W + "endnoteReference",
         W + "commentReference", W + "annotationRef", W + "proofErr", W + "bookmarkStart",
         W + "bookmarkEnd", MC + "Fallback", W + "tblPr", W + "tblGrid", W + "trPr", W + "tcPr"}


def _attr(el, name: str = "val") -> str | None:
    return None if el is None else el.get(W + name)


def _on(el) -> bool | None:
    """A toggle property (``<w:b/>``, ``<w:b w:val="0"/>``); None when absent."""
    if el is None:
        return None
    v = el.get(W + "val")
    return v is None or v.lower() not in _TRUE_OFF


# --------------------------------------------------------------------------- styles


_HEX6 = re.compile(r"[0-9A-Fa-f]{6}")
_RPR_SZ, _RPR_B, _RPR_COLOR, _RPR_FONTS, _RPR_VANISH = (W + "sz", W + "b", W + "color",
                                                       W + "rFonts", W + "vanish")


def _rpr_props(rpr) -> dict:
    """The layout hints a ``w:rPr`` sets (only those it sets); one pass over its
    children, the hot loop of the reader."""
    out: dict = {}
    if rpr is None:
        return out
    for child in rpr:
        tag = child.tag
        if tag == _RPR_SZ:
            v = child.get(W + "val")
            if v and v.isdigit():
                out["size"] = int(v) / 2
        elif tag == _RPR_B:
            out["bold"] = _on(child)
        elif tag == _RPR_COLOR:
            v = child.get(W + "val")
            if v and _HEX6.fullmatch(v):
                out["color"] = v.upper()
        elif tag == _RPR_FONTS:
            font = child.get(W + "eastAsia") or child.get(W + "ascii") or child.get(W + "hAnsi")
            if font:
                out["font"] = font
        elif tag == _RPR_VANISH and _on(child):
            out["hidden"] = True
    return out


@dataclass
class _Style:
    based_on: str | None = None
    align: str | None = None
    run: dict = field(default_factory=dict)
    num: tuple[str, int] | None = None  # (numId, ilvl) a list style carries


class Styles:
    """``styles.xml`` resolved through ``basedOn`` to plain property dicts."""

    def __init__(self, root):
        self._raw: dict[str, _Style] = {}
        self.default_run: dict = {}
        self.default_para: str | None = None
        self.default_char: str | None = None
        self._cache: dict[str, tuple[str | None, dict, tuple | None]] = {}
        self._elements: dict = {}
        if root is None:
            return
        dd = root.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr")
        self.default_run = _rpr_props(dd)
        # styles.xml lists hundreds of styles a notice never uses: index them here,
        # read one when a paragraph or run first asks for it
        self._elements = {}
        for st in root.iterchildren(W + "style"):
            sid = st.get(W + "styleId")
            if not sid:
                continue
            self._elements[sid] = st
            if st.get(W + "default") in ("1", "true", "on"):
                if st.get(W + "type") == "paragraph":
                    self.default_para = sid
                elif st.get(W + "type") == "character":
                    self.default_char = sid

    def _style(self, sid: str) -> _Style | None:
        if sid in self._raw:
            return self._raw[sid]
        st = self._elements.get(sid)
        if st is None:
            return None
        s = _Style(based_on=_attr(st.find(W + "basedOn")))
        ppr = st.find(W + "pPr")
        if ppr is not None:
            s.align = _ALIGN.get(_attr(ppr.find(W + "jc")) or "")
            numpr = ppr.find(W + "numPr")
            if numpr is not None:
                nid = _attr(numpr.find(W + "numId"))
                lvl = _attr(numpr.find(W + "ilvl"))
                if nid:
                    s.num = (nid, int(lvl) if lvl and lvl.isdigit() else 0)
        s.run = _rpr_props(st.find(W + "rPr"))
        self._raw[sid] = s
        return s

    def resolve(self, sid: str | None) -> tuple[str | None, dict, tuple | None]:
        """(align, run props, numPr) of a style with everything it inherits."""
        if not sid:
            return None, {}, None
        if sid in self._cache:
            return self._cache[sid]
        s = self._style(sid)
        if s is None:
            return None, {}, None
        self._cache[sid] = (None, {}, None)  # a basedOn cycle ends here
        align, run, num = self.resolve(s.based_on)
        run = {**run, **s.run}
        out = (s.align or align, run, s.num or num)
        self._cache[sid] = out
        return out


# --------------------------------------------------------------------------- numbering

_CN_DIGITS = "零一二三四五六七八九"
_TIANGAN = "甲乙丙丁戊己庚辛壬癸"
_DIZHI = "子丑寅卯辰巳午未申酉戌亥"


def chinese_counting(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 105 → 一百零五 (Word's chineseCounting)."""
    if n <= 0:
        return str(n)
    if n >= 10000:
        return str(n)
    units = [(1000, "千"), (100, "百"), (10, "十")]
    out = []
    rest = n
    zero_pending = False
    for value, name in units:
        d, rest = divmod(rest, value)
        if d:
            if zero_pending:
                out.append("零")
                zero_pending = False
            if not (value == 10 and d == 1 and not out):
                out.append(_CN_DIGITS[d])
            out.append(name)
        elif out:
            zero_pending = True
    if rest:
        if zero_pending and out:
            out.append("零")
        out.append(_CN_DIGITS[rest])
    return "".join(out)


def _roman(n: int) -> str:
    vals = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
            (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
    out = []
    for v, s in vals:
        while n >= v:
            out.append(s)
            n -= v
    return "".join(out)


def _letter(n: int) -> str:
    # Word repeats the letter past z: aa, bb, ...
    return chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)


def format_number(n: int, fmt: str) -> str:
    """One level's counter in a ``w:numFmt``."""
    f = (fmt or "decimal")
    if f in ("chineseCounting", "chineseCountingThousand", "chineseLegalSimplified",
             "taiwaneseCounting", "taiwaneseCountingThousand", "ideographLegalTraditional"):
        s = chinese_counting(n)
        if f in ("chineseLegalSimplified", "ideographLegalTraditional"):
            s = s.translate(str.maketrans("一二三四五六七八九十百千零", "壹贰叁肆伍陆柒捌玖拾佰仟零"))
        return s
    if f in ("ideographTraditional",):
        return _TIANGAN[(n - 1) % 10] if n > 0 else str(n)
    if f in ("ideographZodiac",):
        return _DIZHI[(n - 1) % 12] if n > 0 else str(n)
    if f in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese"):
        if 1 <= n <= 20:
            return chr(0x2460 + n - 1)
        if 21 <= n <= 35:
            return chr(0x3251 + n - 21)
        if 36 <= n <= 50:
            return chr(0x32B1 + n - 36)
        return str(n)
    if f in ("decimalEnclosedParen",):
        return f"({n})"
    if f in ("decimalFullWidth", "decimalFullWidth2"):
        return str(n)  # the normaliser folds full-width digits anyway
    if f == "decimalZero":
        return f"{n:02d}"
    if f == "lowerLetter":
        return _letter(n)
    if f == "upperLetter":
        return _letter(n).upper()
    if f == "lowerRoman":
        return _roman(n).lower()
    if f == "upperRoman":
        return _roman(n)
    if f == "none":
        return ""
    return str(n)  # decimal and anything unknown


@dataclass
class _Level:
    start: int = 1
    fmt: str = "decimal"
    text: str | None = None  # lvlText; None: no label
    restart: int | None = None  # lvlRestart: restart after this (1-based) level
    suffix: str = "tab"
    is_legal: bool = False


def _read_level(lvl) -> _Level:
    lv = _Level()
    s = _attr(lvl.find(W + "start"))
    if s and s.lstrip("-").isdigit():
        # an absurd start (w:start="999999999") would spell labels of a million digits
        limits.current().check("numbering_start", abs(int(s)), "a list's start value")
        lv.start = int(s)
    lv.fmt = _attr(lvl.find(W + "numFmt")) or "decimal"
    t = lvl.find(W + "lvlText")
    lv.text = _attr(t) if t is not None else None
    r = _attr(lvl.find(W + "lvlRestart"))
    if r and r.isdigit():
        lv.restart = int(r)
    lv.suffix = _attr(lvl.find(W + "suff")) or "tab"
    lv.is_legal = bool(_on(lvl.find(W + "isLgl")))
    return lv


class Numbering:
    """Rebuilds the printed label of each numbered paragraph, in body order.

    Counters are kept per (abstract list, level), shared by the ``w:num``
    instances of one ``w:abstractNum`` as Word does; a ``startOverride`` restarts
    the count where its instance first numbers that level. A new number at one
    level resets every deeper level (unless the deeper level's ``lvlRestart``
    says otherwise: 0 never restarts).
    """

    def __init__(self, root):
        self._abstract: dict[str, dict[int, _Level]] = {}
        self._nums: dict[str, tuple[str, dict[int, _Level], dict[int, int]]] = {}
        self._counters: dict[str, dict[int, int]] = {}
        self._seen: set[tuple[str, int]] = set()
        self.styles: Styles | None = None
        if root is None:
            return
        for an in root.iter(W + "abstractNum"):
            aid = an.get(W + "abstractNumId")
            levels = {}
            for lvl in an.findall(W + "lvl"):
                il = lvl.get(W + "ilvl")
                if il is not None and il.isdigit():
                    levels[int(il)] = _read_level(lvl)
            link = _attr(an.find(W + "numStyleLink"))
            self._abstract[aid] = levels
            if link and not levels:
                self._abstract[aid] = {"__link__": link}  # type: ignore[dict-item]
        for num in root.iter(W + "num"):
            nid = num.get(W + "numId")
            aid = _attr(num.find(W + "abstractNumId"))
            over_levels: dict[int, _Level] = {}
            starts: dict[int, int] = {}
            for ov in num.findall(W + "lvlOverride"):
                il = ov.get(W + "ilvl")
                if il is None or not il.isdigit():
                    continue
                so = _attr(ov.find(W + "startOverride"))
                if so and so.lstrip("-").isdigit():
                    limits.current().check("numbering_start", abs(int(so)), "a list's start override")
                if so and so.lstrip("-").isdigit():
                    starts[int(il)] = int(so)
                lvl = ov.find(W + "lvl")
                if lvl is not None:
                    over_levels[int(il)] = _read_level(lvl)
            if nid is not None and aid is not None:
                self._nums[nid] = (aid, over_levels, starts)

    def _levels(self, num_id: str, depth: int = 0) -> dict[int, _Level]:
        aid, over, _ = self._nums[num_id]
        levels = self._abstract.get(aid, {})
        if "__link__" in levels:
            # numStyleLink: the list is defined by a numbering style whose numPr names it
            levels = {}
            linked = self.styles.resolve(self._abstract[aid]["__link__"])[2] if self.styles else None
            if linked and linked[0] in self._nums and linked[0] != num_id and depth < 4:
                levels = self._levels(linked[0], depth + 1)
        return {**levels, **over}

    def _counter_key(self, num_id: str) -> str:
        """The abstract list a numId counts in (through a numStyleLink where there is one)."""
        aid = self._nums[num_id][0]
        levels = self._abstract.get(aid, {})
        if "__link__" in levels and self.styles is not None:
            linked = self.styles.resolve(levels["__link__"])[2]
            if linked and linked[0] in self._nums and linked[0] != num_id:
                return self._nums[linked[0]][0]
        return aid

    def label(self, num_id: str | None, ilvl: int) -> str | None:
        """Advance the counter of (num_id, ilvl) and return the label it prints."""
        if not num_id or num_id == "0" or num_id not in self._nums:
            return None  # numId 0 switches numbering off
        levels = self._levels(num_id)
        lv = levels.get(ilvl)
        if lv is None or lv.text is None:
            return None
        _, _, starts = self._nums[num_id]
        # Word keeps one running count per abstract list: instances (numIds) of it
        # continue each other, and an instance with a startOverride restarts the
        # shared count where it first numbers that level (ECMA-376 17.9.6-17.9.8)
        counters = self._counters.setdefault(self._counter_key(num_id), {})
        first_use = (num_id, ilvl) not in self._seen
        self._seen.add((num_id, ilvl))
        if first_use and ilvl in starts:
            counters[ilvl] = starts[ilvl]
        elif ilvl in counters:
            counters[ilvl] += 1
        else:
            counters[ilvl] = lv.start
        # reset deeper levels: each restarts after any shallower level unless
        # lvlRestart names a shallower one (0: never restart)
        for deeper in [k for k in counters if k > ilvl]:
            dl = levels.get(deeper)
            restart = dl.restart if dl is not None else None
            if restart is None or (restart != 0 and ilvl <= restart - 1):
                del counters[deeper]
        if lv.fmt == "bullet":
            return None  # a bullet glyph (Symbol/Wingdings) carries no number

        def sub(m: re.Match) -> str:
            k = int(m.group(1)) - 1
            ref = levels.get(k, _Level())
            value = counters.get(k, ref.start)
            fmt = "decimal" if (lv.is_legal and k != ilvl) else ref.fmt
            return format_number(value, fmt)

        text = re.sub(r"%([1-9])", sub, lv.text)
        if lv.suffix == "space":
            text += " "
        return text


# --------------------------------------------------------------------------- body walk


@dataclass
class _Para:
    text: str
    style: dict
    label: str | None
    page_break_before: bool
    page_break_after: bool


class _Reader:
    def __init__(self, parts: dict[str, bytes]):
        self.styles = Styles(_parse_optional(parts, "word/styles.xml"))
        self.numbering = Numbering(_parse_optional(parts, "word/numbering.xml"))
        self.numbering.styles = self.styles
        self.rendered_breaks = False

    # -- runs
    def _run_text(self, el, out: list, chars: list, rprops: dict, boxes: list) -> None:
        """Collect the text of ``el`` (a run or a wrapper) into ``out``; each
        piece's resolved run properties go into ``chars`` as (n_chars, props)."""
        for child in el:
            tag = child.tag
            if not isinstance(tag, str) or tag in _SKIP:
                continue
            if tag == W + "r":
                props = {**rprops, **self._run_style(child)}
                if props.get("hidden"):
                    continue
                self._run_text(child, out, chars, props, boxes)
            elif tag == W + "t":
                t = child.text or ""
                out.append(t)
                chars.append((len(t.strip()), rprops))
            elif tag == W + "tab" or tag == W + "ptab":
                out.append("\t")
            elif tag in (W + "br", W + "cr"):
                kind = child.get(W + "type")
                if kind == "page":
                    out.append("\f")  # marks a page break inside the paragraph
                elif kind != "column":
                    out.append("\n")
            elif tag == W + "lastRenderedPageBreak":
                self.rendered_breaks = True
                out.append("\x0b")
            elif tag == W + "noBreakHyphen":
                out.append("-")
            elif tag == W + "sym":
                ch = child.get(W + "char")
                # private-use symbol-font glyphs (F0xx) are pictures, not text
                if ch and re.fullmatch(r"[0-9A-Fa-f]{4}", ch) and not ch.upper().startswith("F0"):
                    out.append(chr(int(ch, 16)))
            elif tag == W + "txbxContent":
                boxes.append(child)
            elif tag in _TRANSPARENT or tag.startswith(MC) or tag not in (W + "p", W + "tbl"):
                # drawings, alternate content, wrappers: look inside for text boxes and runs
                self._run_text(child, out, chars, rprops, boxes)

    def _run_style(self, r) -> dict:
        rpr = r.find(W + "rPr")
        if rpr is None:
            return {}
        props = {}
        rs = _attr(rpr.find(W + "rStyle"))
        if rs:
            props.update(self.styles.resolve(rs)[1])
        props.update(_rpr_props(rpr))
        return props

    # -- paragraphs
    def paragraph(self, p) -> tuple[_Para, list]:
        ppr = p.find(W + "pPr")
        sid = _attr(ppr.find(W + "pStyle")) if ppr is not None else None
        sid = sid or self.styles.default_para
        s_align, s_run, s_num = self.styles.resolve(sid)
        base = {**self.styles.default_run, **s_run}
        out: list[str] = []
        chars: list[tuple[int, dict]] = []
        boxes: list = []
        self._run_text(p, out, chars, base, boxes)
        text = "".join(out)
        align = s_align
        num = s_num
        pb_before = False
        pb_after = False
        if ppr is not None:
            jc = _attr(ppr.find(W + "jc"))
            if jc:
                align = _ALIGN.get(jc, align)
            numpr = ppr.find(W + "numPr")
            if numpr is not None:
                nid = _attr(numpr.find(W + "numId"))
                il = _attr(numpr.find(W + "ilvl"))
                if nid is not None:
                    num = (nid, int(il) if il and il.isdigit() else (num[1] if num else 0))
                elif il and il.isdigit() and num:
                    num = (num[0], int(il))
            pb_before = bool(_on(ppr.find(W + "pageBreakBefore")))
            sect = ppr.find(W + "sectPr")
            if sect is not None:
                kind = _attr(sect.find(W + "type")) or "nextPage"
                pb_after = kind in ("nextPage", "oddPage", "evenPage")
        # a page break before any text starts the paragraph on the next page
        lead = len(text) - len(text.lstrip("\f\x0b\n\t "))
        if "\f" in text[:lead] or "\x0b" in text[:lead]:
            pb_before = True
        if "\f" in text[lead:] or "\x0b" in text[lead:]:
            pb_after = True
        text = text.replace("\f", "\n").replace("\x0b", "")
        label = None
        if num:
            # an empty numbered paragraph still prints its number and counts (Word),
            # but it has no text to carry the label
            label = self.numbering.label(num[0], num[1]) or None
            if not text.strip():
                label = None
        style = self._para_style(align, chars, base)
        # manual indentation (全角空格, tabs) before the text is layout, not content
        return _Para(text.strip(), style, label, pb_before, pb_after), boxes

    @staticmethod
    def _para_style(align: str | None, chars: list, base: dict) -> dict:
        """The paragraph's hints: the properties that cover most of its characters."""
        style: dict = {}
        if align:
            style["align"] = align
        total = sum(n for n, _ in chars)
        if not total:
            for k in ("size", "font"):
                if k in base:
                    style[k] = base[k]
            return style
        weights: dict[tuple[str, object], int] = {}
        bold = 0
        for n, props in chars:
            for k in ("size", "color", "font"):
                if k in props:
                    weights[(k, props[k])] = weights.get((k, props[k]), 0) + n
            if props.get("bold"):
                bold += n
        for k in ("size", "color", "font"):
            best = max(((v, w) for (kk, v), w in weights.items() if kk == k),
                       key=lambda x: x[1], default=None)
            if best is not None and (k != "color" or best[0] not in ("000000",)):
                style[k] = best[0]
        style["bold"] = bold * 2 > total
        return style

    # -- tables
    def table(self, tbl) -> tuple[list[list], int]:
        """Rows for DocumentBuilder.add_table, and how many leading header rows
        (``w:tblHeader``) the table repeats on each page."""
        grid_rows: list[list[dict]] = []
        header_rows = 0
        counting_header = True
        for tr in _children(tbl, W + "tr"):
            trpr = tr.find(W + "trPr")
            is_header = trpr is not None and bool(_on(trpr.find(W + "tblHeader")))
            if counting_header and is_header:
                header_rows += 1
            else:
                counting_header = False
            col = 0
            row: list[dict] = []
            if trpr is not None:
                gb = _attr(trpr.find(W + "gridBefore"))
                if gb and gb.isdigit():
                    limits.current().check("table_span", int(gb), "a table row's gridBefore")
                    for _ in range(int(gb)):
                        row.append({"text": "", "col": col, "span": 1, "merge": None})
                        col += 1
            for tc in _children(tr, W + "tc"):
                tcpr = tc.find(W + "tcPr")
                span = 1
                merge = None
                if tcpr is not None:
                    gs = _attr(tcpr.find(W + "gridSpan"))
                    if gs and gs.isdigit():
                        limits.current().check("table_span", int(gs), "a table cell's gridSpan")
                        span = max(int(gs), 1)
                    vm = tcpr.find(W + "vMerge")
                    if vm is not None:
                        merge = "restart" if _attr(vm) == "restart" else "continue"
                    hm = tcpr.find(W + "hMerge")  # the legacy horizontal merge
                    if hm is not None and _attr(hm) != "restart":
                        if row:
                            row[-1]["span"] += span
                            col += span
                            continue
                row.append({"text": self.cell_text(tc), "col": col, "span": span, "merge": merge,
                            "rowspan": 1})
                col += span
            limits.current().check("table_cells", (len(grid_rows) + 1) * max(col, 1),
                                   "a table's rows × columns")
            grid_rows.append(row)
        # vMerge continue cells extend the cell above that starts at the same grid column
        out: list[list] = []
        open_cells: dict[int, dict] = {}
        for row in grid_rows:
            kept = []
            for cell in row:
                if cell["merge"] == "continue" and cell["col"] in open_cells:
                    origin = open_cells[cell["col"]]
                    origin["rowspan"] += 1
                    if cell["text"].strip():  # text in a continued cell is still text
                        origin["text"] = origin["text"] + "\n" + cell["text"]
                    continue
                cell.setdefault("rowspan", 1)
                kept.append(cell)
                if cell["merge"] == "restart" or cell["merge"] == "continue":
                    open_cells[cell["col"]] = cell
                else:
                    open_cells.pop(cell["col"], None)
            out.append(kept)
        rows = [[(c["text"], c["rowspan"], c["span"]) for c in row] for row in out]
        return rows, header_rows

    def cell_text(self, tc) -> str:
        """A cell's paragraphs (with their numbering labels), one per line; a nested
        table's cells follow, one per line (the normaliser would drop a space
        between two Chinese cells, so a line break is the only honest separator)."""
        lines: list[str] = []
        for kind, el in self.walk(tc):
            if kind == "p":
                para, boxes = self.paragraph(el)
                if para.text.strip():
                    lines.append((para.label or "") + para.text)
                for box in boxes:
                    lines.append(self.cell_text(box))
            else:
                rows, _ = self.table(el)
                lines.extend(t for row in rows for t, _, _ in row if t.strip())
        return "\n".join(l for l in lines if l.strip())

    # -- walk
    def walk(self, parent):
        """(kind, element) for each paragraph and table under ``parent``, in order,
        looking through content controls and other wrappers."""
        for child in parent:
            tag = child.tag
            if tag == W + "p":
                yield "p", child
            elif tag == W + "tbl":
                yield "tbl", child
            elif tag in _TRANSPARENT or tag == MC + "AlternateContent" or tag == MC + "Choice":
                yield from self.walk(child)


def _children(el, tag: str):
    """Direct children named ``tag``, looking through sdt/customXml wrappers (a row
    or cell in a content control)."""
    for child in el:
        if child.tag == tag:
            yield child
        elif child.tag in _TRANSPARENT:
            yield from _children(child, tag)


def _parse_optional(parts: dict[str, bytes], name: str):
    data = parts.get(name)
    if data is None:
        return None
    try:
        return etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError:
        return None  # a broken styles/numbering part costs hints, not the text


def _open_package(data: bytes, source_path: str) -> dict[str, bytes]:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, NotImplementedError, ValueError, OSError, EOFError) as e:
        if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
            # Office wraps a password-protected DOCX in an OLE2 container
            raise EncryptedFileError("an encrypted (password-protected) Word document",
                                     path=source_path or None) from e
        raise CorruptFileError(f"not a readable DOCX (damaged ZIP: {e})", path=source_path or None) from e
    limits.check_zip(zf, path=source_path or None)  # a ZIP bomb, from the directory alone
    names = set(zf.namelist())
    main = "word/document.xml"
    if main not in names:
        # the main part may live elsewhere: follow the package relationship
        main = _main_part_name(zf, names) or main
    if main not in names:
        raise CorruptFileError("a ZIP without word/document.xml: not a Word document",
                               path=source_path or None)
    parts = {}
    try:
        parts["word/document.xml"] = limits.read_member(zf, main, path=source_path or None)
        base = main.rsplit("/", 1)[0]
        for name in ("styles.xml", "numbering.xml"):
            full = f"{base}/{name}"
            if full in names:
                parts[f"word/{name}"] = limits.read_member(zf, full, path=source_path or None)
        if "docProps/core.xml" in names:
            parts["docProps/core.xml"] = limits.read_member(zf, "docProps/core.xml",
                                                            path=source_path or None)
    except (zipfile.BadZipFile, KeyError, OSError, EOFError, zlib.error, NotImplementedError,
            ValueError, RuntimeError) as e:
        raise CorruptFileError(f"a damaged DOCX part: {e}", path=source_path or None) from e
    for name, part in parts.items():  # DTDs (XXE, billion laughs) and depth, before parsing
        limits.check_xml_bytes(part, part=name, path=source_path or None)
    return parts


def _main_part_name(zf: zipfile.ZipFile, names: set[str]) -> str | None:
    if "_rels/.rels" not in names:
        return None
    try:
        rels_part = limits.read_member(zf, "_rels/.rels")
        limits.check_xml_bytes(rels_part, part="_rels/.rels")
        rels = etree.fromstring(rels_part, _PARSER)
    except (etree.XMLSyntaxError, KeyError):
        return None
    for rel in rels:
        if (rel.get("Type") or "").endswith("/officeDocument"):
            return (rel.get("Target") or "").lstrip("/")
    return None


def _core_properties(parts: dict[str, bytes]) -> dict:
    root = _parse_optional(parts, "docProps/core.xml")
    if root is None:
        return {}
    out = {}
    for key, path in (("title", "dc:title"), ("creator", "dc:creator"),
                      ("created", "dcterms:created"), ("modified", "dcterms:modified")):
        el = root.find(path, CP_NS)
        if el is not None and (el.text or "").strip():
            out[key] = el.text.strip()
    return out


# --------------------------------------------------------------------------- entry point


def read_docx(data: bytes, source_path: str, *, doc_id: str, ocr: bool = True,
              source_format: str = "docx") -> Document:
    parts = _open_package(data, source_path)
    try:
        root = etree.fromstring(parts["word/document.xml"], _PARSER)
    except etree.XMLSyntaxError as e:
        raise CorruptFileError(f"word/document.xml is not well-formed XML: {e}",
                               path=source_path or None) from e
    body = root.find(W + "body")
    if body is None:
        raise CorruptFileError("word/document.xml has no w:body", path=source_path or None)
    reader = _Reader(parts)
    b = DocumentBuilder(source_path, source_format)
    core = _core_properties(parts)
    if core:
        b.meta.extra["core_properties"] = core

    # Collect the body first: whether the file has rendered page breaks decides
    # which breaks count as pages.
    items: list[tuple[str, object]] = []

    def collect(parent):
        for kind, el in reader.walk(parent):
            if kind == "p":
                para, boxes = reader.paragraph(el)
                items.append(("p", para))
                for box in boxes:
                    collect(box)
            else:
                rows, header_rows = reader.table(el)
                items.append(("tbl", (rows, header_rows)))

    collect(body)
    if body.find(f".//{W}altChunk") is not None:
        # an imported HTML/RTF/DOCX chunk lives in its own part; Word merges it on open
        b.warnings.append("the DOCX embeds altChunk parts (imported content) that were not read")
    use_rendered = reader.rendered_breaks
    b.meta.page_source = "rendered" if use_rendered else "explicit_breaks"

    page = 1
    b.start_page(page)
    pending_break = False
    last_table: tuple[list[list], int] | None = None  # rows of a table still open
    between_blank = True

    def flush_table():
        nonlocal last_table
        if last_table is not None:
            rows, header_rows = last_table
            style = {"header_rows": header_rows} if header_rows else None
            b.add_table(rows, style=style)
            last_table = None

    for kind, item in items:
        if kind == "p":
            para: _Para = item  # type: ignore[assignment]
            if not para.text.strip():
                # an empty paragraph between two parts of one table keeps it open
                if para.page_break_before or para.page_break_after:
                    pending_break = True
                continue
            flush_table()
            if para.page_break_before or pending_break:
                page += 1
                b.start_page(page)
                pending_break = False
            b.add_paragraph(para.text, style=para.style, label=para.label)
            if para.page_break_after:
                pending_break = True
        else:
            rows, header_rows = item  # type: ignore[misc]
            if not rows:
                continue
            if last_table is not None and _continues(last_table, rows, across_break=pending_break):
                prev_rows, prev_header = last_table
                n_header = max(prev_header, 1)
                skip = n_header if rows[:n_header] == prev_rows[:n_header] else 0
                last_table = (prev_rows + rows[skip:], prev_header)
                continue
            flush_table()
            if pending_break:
                page += 1
                b.start_page(page)
                pending_break = False
            last_table = (rows, header_rows)
    flush_table()
    return b.build(doc_id)


def _width(rows: list[list]) -> int:
    return max((sum(span for _, _, span in row) for row in rows), default=0)


def _continues(prev: tuple[list[list], int], rows: list[list], across_break: bool = False) -> bool:
    """A table that follows another one (only blank paragraphs or a page break
    between) on the same grid is its continuation when it repeats the header row,
    or when only a page break separates them (a table a converter cut at the page
    end). The page count still advances after the joined table."""
    prev_rows, prev_header = prev
    if _width(prev_rows) != _width(rows):
        return False
    n = max(prev_header, 1)
    return rows[:n] == prev_rows[:n] or across_break
