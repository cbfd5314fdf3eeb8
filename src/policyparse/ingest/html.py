"""Notices saved from government websites (HTML article pages).

A government article page wraps the notice in site furniture: top bar, header,
navigation, breadcrumb, an info bar (发布日期/信息来源/浏览量), font-size and print
tools, related links and a footer. The reader

1. decodes the bytes by BOM, ``<meta charset>`` or ``http-equiv`` content type,
   widening gb2312/gbk to gb18030 (sites label GB18030 pages gb2312);
2. reads the page's own metadata: ``ArticleTitle``/``PubDate``/``ContentSource``
   ``<meta>`` tags (the 政府网站 convention) and the info bar text;
3. finds the article body: the container with the most Chinese text outside
   links, with a bonus for CMS content names (TRS_Editor, zoom, ...) and the
   furniture (class/id cues, nav/footer tags) cut away first. The cue lists are
   data: ``gazetteers/html.yaml``;
4. writes the page title first (style ``role: page_title``), then the body's
   paragraphs and tables, with style hints from inline CSS and ``<b>``/``<center>``.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import lxml.html
from lxml import etree

from .. import limits
from ..errors import CorruptFileError, EmptyFileError
from ..gazetteer import load_yaml
from ..model import Document, DocumentBuilder, SourceMeta
from ..official import parse_date as official_date
from ..normalize import normalize_text
from .text import decode_text

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_CHARSET_META = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")
_XML_ENCODING = re.compile(rb"""\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9_\-]+)""")

BLOCK_TAGS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "blockquote",
              "pre", "section", "article", "main", "center", "dl", "dt", "dd", "table", "tr",
              "td", "th", "tbody", "thead", "tfoot", "body", "address", "figure", "figcaption",
              "hr", "caption", "form", "fieldset", "header", "footer", "nav", "aside"}
TABLE_PARTS = {"table", "tbody", "thead", "tfoot", "tr"}
CONTAINER_TAGS = {"div", "td", "article", "section", "main", "body", "center", "font", "span"}

# the share of the current container's text a child must hold for the search to descend into it
DESCEND_SHARE = 0.8


# --------------------------------------------------------------------------- cues


@dataclass(frozen=True)
class Cues:
    content: tuple[str, ...]
    furniture: tuple[str, ...]
    furniture_tags: frozenset[str]
    meta_title: tuple[str, ...]
    meta_pubdate: tuple[str, ...]
    meta_source: tuple[str, ...]
    meta_site: tuple[str, ...]
    date_labels: tuple[str, ...]
    source_labels: tuple[str, ...]
    other_labels: tuple[str, ...]


_CUES: Cues | None = None


def cues() -> Cues:
    global _CUES
    if _CUES is None:
        d = load_yaml("html.yaml")
        labels = d["info_labels"]  # checked against gazetteer_schema on load
        low = lambda xs: tuple(str(x).lower() for x in xs)  # noqa: E731
        _CUES = Cues(low(d["content_cues"]), low(d["furniture_cues"]),
                     frozenset(low(d["furniture_tags"])), low(d["meta_title"]),
                     low(d["meta_pubdate"]), low(d["meta_source"]), low(d.get("meta_site", [])),
                     tuple(labels.get("published_date", [])), tuple(labels.get("info_source", [])),
                     tuple(labels.get("other", [])))
    return _CUES


def _cue_match(el, names: tuple[str, ...]) -> bool:
    """Whether ``el``'s id or class carries one of ``names`` (see html.yaml for the rule)."""
    attrs = f"{el.get('id') or ''} {el.get('class') or ''}".lower()
    if not attrs.strip():
        return False
    tokens = attrs.split()
    parts = {p for t in tokens for p in re.split(r"[-_]", t)} | set(tokens)
    for n in names:
        if len(n) >= 5:
            if any(n in t for t in tokens):
                return True
        elif n in parts:
            return True
    return False


# --------------------------------------------------------------------------- decoding


def declared_charset(data: bytes) -> str | None:
    """The charset a ``<meta charset>``, an ``http-equiv`` content type or an XHTML
    page's XML declaration declares."""
    m = _CHARSET_META.search(data[:4096]) or _XML_ENCODING.match(data[:200])
    return m.group(1).decode("ascii").lower() if m else None


def decode_html(data: bytes) -> tuple[str, str]:
    return decode_text(data, declared_charset(data))


# --------------------------------------------------------------------------- text helpers


def _cjk_count(s: str) -> int:
    return len(CJK.findall(s))


def _text_scores(root) -> tuple[dict, dict]:
    """(CJK characters, CJK characters inside links) under each element, one pass."""
    total: dict = {}
    linked: dict = {}

    def visit(el, in_link: bool) -> tuple[int, int]:
        t = _cjk_count(el.text or "")
        lk = t if in_link else 0
        for child in el:
            if isinstance(child.tag, str):
                ct, cl = visit(child, in_link or child.tag == "a")
                t += ct
                lk += cl
            tail = _cjk_count(child.tail or "")
            t += tail
            if in_link:
                lk += tail
        total[el] = t
        linked[el] = lk
        return t, lk

    visit(root, root.tag == "a")
    return total, linked


# --------------------------------------------------------------------------- container


# a content-named container needs this many Chinese characters to count as one
MIN_NAMED_CJK = 20
# ... and this share of the page's text (after furniture is gone) to win outright
NAMED_SHARE = 0.3


def _named_containers(root, plain: dict) -> list:
    """Elements whose class/id names an article body (TRS_Editor, zoom, …) and hold text."""
    c = cues()
    return [el for el in root.iter() if isinstance(el.tag, str) and el.tag in CONTAINER_TAGS
            and _cue_match(el, c.content) and not _cue_match(el, c.furniture)
            and plain.get(el, 0) >= MIN_NAMED_CJK]


def _plain_scores(root) -> dict:
    total, linked = _text_scores(root)
    return {el: total[el] - linked[el] for el in total}


def find_content(body):
    """The element holding the notice: see the module docstring, step 3."""
    plain = _plain_scores(body)
    page_text = plain.get(body, 0) or 1
    named = _named_containers(body, plain)
    if named:
        best = max(named, key=lambda el: plain[el])
        if plain[best] >= NAMED_SHARE * page_text:
            # the innermost named container that still holds nearly all of it:
            # the outer ones only wrap it
            near = [el for el in named if plain[el] >= DESCEND_SHARE * plain[best]]
            return max(near, key=lambda el: len(list(el.iterancestors())))

    cur = body
    while True:
        children = [ch for ch in cur if isinstance(ch.tag, str)]
        best = max(children, key=lambda ch: plain.get(ch, 0), default=None)
        if best is None or plain.get(best, 0) < DESCEND_SHARE * plain.get(cur, 0) \
                or best.tag in ("p", "ul", "ol", "h1", "h2", "h3", "li") or plain.get(best, 0) == 0:
            break
        cur = best
    # a data table (many cells sharing the text) is part of the body, not the body
    while cur.tag in TABLE_PARTS and cur.getparent() is not None:
        cur = cur.getparent()
    return cur


def _strip_furniture(root) -> None:
    """Remove furniture subtrees under ``root``: furniture tags, hidden elements and
    elements whose class/id names furniture. Nothing that holds a content-named
    container goes; without one, a cue never removes an element holding half the
    text (an id like "top-wrap" around the whole page)."""
    c = cues()
    plain = _plain_scores(root)
    protected: set = set()
    for el in _named_containers(root, plain):
        protected.add(el)
        protected.update(el.iterancestors())
    ceiling = float("inf") if protected else 0.5 * plain[root]
    doomed = []
    for el in root.iter():
        if el is root or el in protected:
            continue
        if not isinstance(el.tag, str):
            doomed.append(el)  # comments, processing instructions
            continue
        style = (el.get("style") or "").replace(" ", "").lower()
        if el.tag in c.furniture_tags or "display:none" in style or "visibility:hidden" in style \
                or el.get("hidden") is not None:
            doomed.append(el)
        elif _cue_match(el, c.furniture) and not _cue_match(el, c.content) \
                and plain.get(el, 0) < ceiling:
            doomed.append(el)
    for el in doomed:
        if el.getparent() is not None:
            el.drop_tree()


# --------------------------------------------------------------------------- metadata


def _meta(root) -> dict[str, str]:
    out = {}
    for m in root.iter("meta"):
        name = (m.get("name") or m.get("property") or "").strip().lower()
        if name and m.get("content") and name not in out:
            out[name] = m.get("content").strip()
    return out




def parse_date(s: str) -> str | None:
    """The first date in ``s`` as an ISO string (one parser for the project: official.py)."""
    d = official_date(s or "")
    return d.isoformat() if d else None


def info_bar_fields(text: str) -> dict[str, str]:
    """发布日期 / 信息来源 from an info bar's text."""
    c = cues()
    labels = sorted(c.date_labels + c.source_labels + c.other_labels, key=len, reverse=True)
    any_label = "|".join(map(re.escape, labels))
    out: dict[str, str] = {}
    for key, names in (("published_date", c.date_labels), ("info_source", c.source_labels)):
        for name in sorted(names, key=len, reverse=True):
            # a label starts a field: 日期 inside 成文日期 is another field's label
            m = re.search(rf"(?<![\u4e00-\u9fff]){re.escape(name)}\s*[:：]\s*(.+?)"
                          rf"(?=\s*(?:{any_label})\s*[:：]|【|\[|\||$)", text, re.S)
            if m and m.group(1).strip():
                value = m.group(1).strip()
                if key == "published_date":
                    value = parse_date(value) or ""
                if value:
                    out[key] = value
                    break
    return out


def _fill_web_meta(meta: SourceMeta, fields: dict[str, str]) -> None:
    """The 发布日期 / 信息来源 an info bar or table gave, where none is known yet."""
    if fields.get("published_date") and meta.published_date is None:
        meta.published_date = dt.date.fromisoformat(fields["published_date"])
    if fields.get("info_source") and meta.info_source is None:
        meta.info_source = fields["info_source"]


def info_table_fields(rows: list[list[tuple[str, int, int]]]) -> dict[str, str] | None:
    """label → value when a table is a metadata table: at least three of its cells
    are info labels, each followed by its value cell; else None."""
    c = cues()
    labels = set(c.date_labels + c.source_labels + c.other_labels)
    fields: dict[str, str] = {}
    n_cells = 0
    for row in rows:
        texts = [t for t, _, _ in row]
        n_cells += len(texts)
        for i, t in enumerate(texts):
            key = re.sub(r"[\s:：]", "", t)
            if key in labels and i + 1 < len(texts):
                fields[key] = texts[i + 1].strip()
    if len(fields) >= 3 and 2 * len(fields) >= 0.6 * n_cells:
        return fields
    return None


def _is_info_bar(text: str) -> bool:
    """A line of page furniture: two or more info labels (发布日期 … 信息来源 … 浏览量)."""
    c = cues()
    if len(text) > 200:
        return False
    n = sum(1 for label in c.date_labels + c.source_labels + c.other_labels
            if re.search(rf"(?<![\u4e00-\u9fff]){re.escape(label)}\s*[:：]", text))
    return n >= 2


def page_title(root, meta: dict[str, str]) -> tuple[str | None, object]:
    """The article title and the heading element it was read from (or None)."""
    c = cues()
    # a site logo is often an <h1> too: headings inside page furniture do not count
    h1s = [h for h in root.iter("h1", "h2") if _cjk_count(h.text_content()) >= 4
           and not any(a.tag in c.furniture_tags or (_cue_match(a, c.furniture) and not _cue_match(a, c.content))
                       for a in (h, *h.iterancestors()))]
    for name in c.meta_title:
        if meta.get(name) and _cjk_count(meta[name]) >= 2:
            title = meta[name]
            key = _squash(title)
            heading = next((h for h in h1s if _squash(h.text_content()) == key), None)
            if heading is None:
                # the page heading may be the title cut short or with a prefix added
                heading = next((h for h in h1s if len(_squash(h.text_content())) >= 6
                                and (_squash(h.text_content()) in key or key in _squash(h.text_content()))),
                               None)
            return title, heading
    for h in h1s:
        if h.tag == "h1":
            return h.text_content().strip(), h
    t = root.find(".//title")
    if t is not None and t.text_content().strip():
        # <title> is "article_column_site": the part before the first separator
        return re.split(r"\s*(?:_|\||--|－|—)\s*", t.text_content().strip())[0], None
    return None, None


def _squash(s: str) -> str:
    return re.sub(r"\s+", "", normalize_text(s or ""))


# --------------------------------------------------------------------------- style hints

_NAMED_COLORS = {"red": "FF0000", "black": "000000", "blue": "0000FF", "green": "008000",
                 "white": "FFFFFF", "gray": "808080", "grey": "808080"}


def _css(el) -> dict[str, str]:
    out = {}
    for decl in (el.get("style") or "").split(";"):
        if ":" in decl:
            k, v = decl.split(":", 1)
            out[k.strip().lower()] = v.strip()
    return out


def _color(v: str) -> str | None:
    v = v.strip().lower()
    m = re.fullmatch(r"#([0-9a-f]{6})", v)
    if m:
        return m.group(1).upper()
    m = re.fullmatch(r"#([0-9a-f]{3})", v)
    if m:
        return "".join(ch * 2 for ch in m.group(1)).upper()
    m = re.fullmatch(r"rgb\(\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*\)", v)
    if m:
        return "".join(f"{min(int(x), 255):02X}" for x in m.groups())
    return _NAMED_COLORS.get(v)


def _size_pt(v: str) -> float | None:
    m = re.fullmatch(r"([\d.]+)\s*(pt|px)?", v.strip())
    if not m:
        return None
    try:
        x = float(m.group(1))
    except ValueError:
        return None
    return round(x * 0.75, 1) if m.group(2) == "px" else x  # 16px = 12pt


_FONT_TAG_SIZES = {"1": 7.5, "2": 10.0, "3": 12.0, "4": 13.5, "5": 18.0, "6": 24.0, "7": 36.0}


def _props(el, inherited: dict) -> dict:
    """Style hints ``el`` sets on top of ``inherited``."""
    props = dict(inherited)
    css = _css(el)
    tag = el.tag
    if tag in ("b", "strong") or tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
        props["bold"] = True
    if tag == "center" or (el.get("align") or "").lower() == "center":
        props["align"] = "center"
    elif (el.get("align") or "").lower() in ("right", "left"):
        props["align"] = el.get("align").lower()
    if tag == "font":
        if el.get("color") and _color(el.get("color")):
            props["color"] = _color(el.get("color"))
        if el.get("size") in _FONT_TAG_SIZES:
            props["size"] = _FONT_TAG_SIZES[el.get("size")]
        if el.get("face"):
            props["font"] = el.get("face").split(",")[0].strip("'\" ")
    if "text-align" in css:
        a = css["text-align"].lower()
        props["align"] = "center" if a == "center" else "right" if a in ("right", "end") else "left"
    if "color" in css and _color(css["color"]):
        props["color"] = _color(css["color"])
    if "font-size" in css and _size_pt(css["font-size"]):
        props["size"] = _size_pt(css["font-size"])
    if "font-weight" in css:
        w = css["font-weight"].lower()
        props["bold"] = w in ("bold", "bolder") or (w.isdigit() and int(w) >= 600)
    if "font-family" in css:
        props["font"] = css["font-family"].split(",")[0].strip("'\" ")
    return props


def _dominant(pieces: list[tuple[str, dict]], block_props: dict) -> dict:
    style: dict = {}
    if "align" in block_props:
        style["align"] = block_props["align"]
    total = sum(len(t.strip()) for t, _ in pieces)
    if not total:
        return style
    weights: dict = {}
    bold = 0
    for t, p in pieces:
        n = len(t.strip())
        for k in ("size", "color", "font"):
            if k in p:
                weights[(k, p[k])] = weights.get((k, p[k]), 0) + n
        if p.get("bold"):
            bold += n
    for k in ("size", "color", "font"):
        cands = [(v, w) for (kk, v), w in weights.items() if kk == k]
        if cands:
            v, w = max(cands, key=lambda x: x[1])
            if w * 2 >= total and not (k == "color" and v in ("000000", "333333")):
                style[k] = v
    style["bold"] = bold * 2 > total
    return style


# --------------------------------------------------------------------------- body walk


class _Emitter:
    def __init__(self, b: DocumentBuilder, skip: set):
        self.b = b
        self.skip = skip
        self.pieces: list[tuple[str, dict]] = []
        self.block_props: dict = {}
        self.split_lines = False

    def flush(self):
        text = "".join(t for t, _ in self.pieces)
        style = _dominant(self.pieces, self.block_props)
        self.pieces = []
        lines = [text] if not self.split_lines else text.split("\n")
        for line in lines:
            line = re.sub(r"[ \t\r\f\v]+", " ", line)
            line = "\n".join(l.strip() for l in line.split("\n")).strip("\n ")
            if line and not _is_info_bar(line):
                self.b.add_paragraph(line, style=style)

    def walk(self, el, props: dict):
        """Emit the paragraphs and tables under ``el`` in document order."""
        for child in el:
            if not isinstance(child.tag, str) or child in self.skip:
                if child.tail:
                    self.pieces.append((child.tail, props))
                continue
            tag = child.tag
            cprops = _props(child, props)
            if tag == "br":
                self.pieces.append(("\n", props))
            elif tag == "table":
                self.flush()
                self.table(child, cprops)
            elif tag in BLOCK_TAGS:
                self.flush()
                saved = self.block_props, self.split_lines
                self.block_props = cprops
                # a <p> or heading is one paragraph even with <br> inside (a title broken
                # over lines); a bare div or cell of br-separated lines is one line each
                self.split_lines = tag not in ("p", "h1", "h2", "h3", "h4", "h5", "h6", "li")
                if child.text:
                    self.pieces.append((child.text, cprops))
                self.walk(child, cprops)
                self.flush()
                self.block_props, self.split_lines = saved
            else:
                if child.text:
                    self.pieces.append((child.text, cprops))
                self.walk(child, cprops)
            if child.tail:
                self.pieces.append((child.tail, props))

    def table(self, table, props):
        caption = next((c for c in table if isinstance(c.tag, str) and c.tag == "caption"), None)
        if caption is not None and caption.text_content().strip():
            # the table's title (…任务分解表) is text of the notice
            self.b.add_paragraph(re.sub(r"\s+", " ", caption.text_content()).strip(),
                                 style=_dominant([(caption.text_content(), _props(caption, props))],
                                                 _props(caption, props)))
        rows = _table_rows(table)
        if _is_layout_table(table, rows):
            # a layout table around the content: read its cells as containers
            for cell in table.iter("td", "th"):
                if next(cell.iterancestors("table")) is table:
                    saved = self.block_props
                    self.block_props = _props(cell, props)
                    if cell.text:
                        self.pieces.append((cell.text, self.block_props))
                    self.walk(cell, self.block_props)
                    self.flush()
                    self.block_props = saved
            return
        out = [[(_cell_text(c), _int(c.get("rowspan")), _int(c.get("colspan"))) for c in r]
               for r in rows]
        # spans are clamped as browsers clamp them, but many clamped spans still make a
        # grid of millions of slots: the grid's size is checked before it is built
        width = max((sum(span for _, _, span in r) for r in out), default=0)
        height = len(out) + max((rs for r in out for _, rs, _ in r), default=1) - 1
        limits.current().check("table_cells", width * height, "an HTML table's rows × columns")
        out = [r for r in out if r]
        fields = info_table_fields(out)
        if fields is not None:
            # a site's metadata table (索引号/发布机构/成文日期/发布日期 …): page
            # furniture whose values belong in the metadata, not the notice text
            self.b.meta.extra.setdefault("info_table", fields)
            _fill_web_meta(self.b.meta, info_bar_fields("  ".join(f"{k}：{v}" for k, v in fields.items())))
            return
        if out:
            self.b.add_table(out)


def _is_layout_table(table, rows: list[list]) -> bool:
    """A table that lays out the page rather than holding data: one cell, a few
    cells around nested tables, or one or two rows where a cell holds several
    paragraphs (a navigation column beside the article column)."""
    n_cells = sum(len(r) for r in rows)
    if n_cells <= 1:
        return True
    if n_cells <= 3 and any(t is not table for t in table.iter("table")):
        return True
    if len(rows) <= 2:
        for row in rows:
            for cell in row:
                paragraphs = sum(1 for el in cell.iter("p", "div", "h1", "h2", "h3")
                                 if _cjk_count(el.text_content()) >= 2)
                if paragraphs >= 3:
                    return True
    return False


def _int(v) -> int:
    try:
        return max(1, min(int(str(v).strip()), 1000))
    except (TypeError, ValueError):
        return 1


def _check_depth(root, source_path: str) -> None:
    """Element nesting (the readers recurse on it) and tables inside tables, in one
    iterative pass: 600 nested tables would otherwise end in a RecursionError."""
    lim = limits.current()
    stack = [(root, 1, 0)]
    while stack:
        el, depth, tables = stack.pop()
        if isinstance(el.tag, str) and el.tag == "table":
            tables += 1
            lim.check("nesting_depth", tables, "tables nested in tables", path=source_path or None)
        lim.check("xml_depth", depth, "HTML element nesting depth", path=source_path or None)
        stack.extend((ch, depth + 1, tables) for ch in el)


def _table_rows(table) -> list[list]:
    rows = []
    for tr in table.iter("tr"):
        if next(tr.iterancestors("table"), None) is not table:
            continue  # a row of a nested table
        rows.append([c for c in tr if isinstance(c.tag, str) and c.tag in ("td", "th")])
    return rows


def _cell_text(cell) -> str:
    """A cell's text: its paragraphs, line breaks and a nested table's cells as lines."""
    parts: list[str] = []

    def visit(el):
        if el.text:
            parts.append(el.text)
        for ch in el:
            if isinstance(ch.tag, str):
                if ch.tag == "br":
                    parts.append("\n")
                elif ch.tag in ("td", "th"):
                    # one nested cell a line: a space between Chinese cells would be normalised away
                    parts.append("\n")
                    visit(ch)
                elif ch.tag in BLOCK_TAGS:
                    parts.append("\n")
                    visit(ch)
                    parts.append("\n")
                else:
                    visit(ch)
            if ch.tail:
                parts.append(ch.tail)

    visit(cell)
    text = re.sub(r"[ \t\r\f\v]+", " ", "".join(parts))
    return "\n".join(l.strip() for l in text.split("\n") if l.strip())


# --------------------------------------------------------------------------- entry point


def read_html(data: bytes, source_path: str, *, doc_id: str, ocr: bool = True) -> Document:
    text, encoding = decode_html(data)
    text = _XML_DECL.sub("", text)
    if not text.strip():
        raise EmptyFileError("the HTML page is empty", path=source_path or None)
    try:
        root = lxml.html.document_fromstring(text)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as e:
        if "empty" in str(e).lower():  # markup without any element: a doctype alone
            raise EmptyFileError("the HTML page has no content", path=source_path or None) from e
        raise CorruptFileError(f"cannot parse the HTML page: {e}", path=source_path or None) from e

    limits.current().check("document_chars", len(text), "characters in the page", path=source_path or None)
    _check_depth(root, source_path)
    b = DocumentBuilder(source_path, "html")
    b.meta.encoding = encoding
    meta = _meta(root)
    c = cues()
    title, heading = page_title(root, meta)

    body = root.find("body")
    if body is None:
        body = root
    # info bar fields come from the whole page before any furniture is cut away
    fields = info_bar_fields(_info_text(body))
    for name in c.meta_pubdate:
        if meta.get(name) and parse_date(meta[name]):
            fields.setdefault("published_date", parse_date(meta[name]))
            break
    for name in c.meta_source:
        if meta.get(name):
            fields.setdefault("info_source", meta[name])
            break
    _fill_web_meta(b.meta, fields)
    for name in c.meta_site:
        if meta.get(name):
            b.meta.site_name = meta[name]
            break
    if title:
        b.meta.page_title = normalize_text(title).strip()

    # furniture goes before the search, so a long footer or a sidebar of plain
    # text cannot outweigh a short notice
    _strip_furniture(body)
    content = find_content(body)

    article = _BlockRecorder(b.meta)
    emitter = _Emitter(article, {heading} if heading is not None else set())
    emitter.block_props = _props(content, {})
    emitter.split_lines = content.tag not in ("p",)
    if content.text:
        emitter.pieces.append((content.text, emitter.block_props))
    emitter.walk(content, emitter.block_props)
    emitter.flush()
    # Sites lift the notice's title into the page's <h1> above the article. Where the
    # article opens with the 版头 (the 「…文件」 mark, the 发文字号), the title goes back
    # below it, where GB/T 9704 and the printed notice have it.
    article.recover_layout()
    head = article.leading_version_head() if title else 0
    article.replay(b, 0, head)
    if title:
        b.add_paragraph(re.sub(r"\s+", " ", title).strip(), style={"align": "center", "role": "page_title"})
    article.replay(b, head, None)
    if not article.calls:
        b.warnings.append("no article text found on the page")
    return b.build(doc_id)


class _BlockRecorder:
    """Stands in for the DocumentBuilder while the article is walked, so that the
    page title can be placed among its blocks before anything is written."""

    def __init__(self, meta: SourceMeta):
        self.meta = meta  # metadata goes straight through
        self.calls: list[tuple[str, tuple, dict]] = []

    def add_paragraph(self, *args, **kwargs):
        self.calls.append(("add_paragraph", args, kwargs))

    def add_table(self, *args, **kwargs):
        self.calls.append(("add_table", args, kwargs))

    def recover_layout(self) -> None:
        """Pages that carry a notice as text that lost its layout (a table written as one
        <p> per cell or as pipe rows, the whole notice in one <p>): each run of paragraphs
        goes through the text-layout recovery of :mod:`.layout`; a run it leaves as it was
        keeps its paragraphs and their styles."""
        from .layout import recover_blocks

        out: list[tuple[str, tuple, dict]] = []
        run: list[tuple[str, tuple, dict]] = []

        def close_run():
            if not run:
                return
            texts = [str(args[0]) for _m, args, _kw in run]
            blocks = recover_blocks("\n".join(texts))
            if not any(kind == "table" for kind, _ in blocks) and len(blocks) == len(texts):
                out.extend(run)
            else:
                styles = {str(args[0]).strip(): kw for _m, args, kw in run}
                for kind, payload in blocks:
                    if kind == "table":
                        out.append(("add_table", (payload,), {"style": {"flattened": True}}))
                    else:
                        out.append(("add_paragraph", (payload,), styles.get(payload.strip(), {})))
            run.clear()

        for call in self.calls:
            method, args, _kw = call
            if method == "add_paragraph" and args and "\n" not in str(args[0]):
                run.append(call)
            else:
                close_run()
                out.append(call)
        close_run()
        self.calls = out

    def leading_version_head(self) -> int:
        """How many of the first paragraphs are 版头 lines (mark, 发文字号)."""
        from ..official import patterns

        marks = [patterns().mark_line, patterns().doc_number_line]
        n = 0
        for method, args, _kw in self.calls[:3]:
            text = normalize_text(str(args[0])).strip() if method == "add_paragraph" and args else ""
            if not text or not any(rx.match(text) for rx in marks):
                break
            n += 1
        return n

    def replay(self, b: DocumentBuilder, start: int, stop: int | None) -> None:
        for method, args, kwargs in self.calls[start:stop]:
            getattr(b, method)(*args, **kwargs)


def _info_text(body) -> str:
    """The text of the info bar: the element with furniture cue 'info' or the first
    short element that names both a date and a source label."""
    c = cues()
    best = None
    for el in body.iter("div", "p", "span", "td", "li"):
        t = el.text_content()
        if len(t) > 300:
            continue
        has_date = any(re.search(rf"{re.escape(l)}\s*[:：]", t) for l in c.date_labels)
        has_src = any(re.search(rf"{re.escape(l)}\s*[:：]", t) for l in c.source_labels)
        if has_date and has_src:
            return t
        if best is None and has_date:
            best = t
    return best or ""
