"""Read the official header of a notice: GB/T 9704-2012 版头, 主体 and 版记, plus web metadata.

``read_header(doc)`` fills a :class:`~policyparse.model.Header` from the wording
(which every format has) and the layout hints of ``Block.style`` (which only some
have: red 发文机关标志, right-aligned signature). It never raises on an odd
document: a field the document does not state stays None / []; an unexpected
failure in one field is recorded in ``doc.warnings`` and the others still run.

All cue words and patterns live in ``gazetteers/header.yaml``.
"""
from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass, field

from ..errors import GazetteerError
from ..gazetteer import alternation, compile_pattern, load_yaml, str_list
from .. import official
from ..normalize import split_outside_brackets
from ..columns import column_role
from ..components import component
from ..model import Document, Header
from ..numbering import match_label

GAZETTEER = "header.yaml"

# the bullets a web page sets before menu, infobox and metadata lines (• 政府信息公开)
_BULLETS = "•·●▪"
# sentence punctuation: a line holding one is prose, not a name or a title
_PROSE = re.compile(r"[。；;！!？?]")
_NAME_FORBIDDEN = re.compile(r"[。，,；;：:！!？?《》“”\"\d]")


@dataclass(frozen=True)
class Rules:
    doc_number: re.Pattern
    doc_number_line: re.Pattern
    dates: tuple[re.Pattern, ...]
    date_iso: re.Pattern
    year_in_title: re.Pattern
    mark_line: re.Pattern
    title_end: re.Pattern
    title_start: str
    title_start_after_issuer: tuple[str, ...]
    plan_end: re.Pattern
    max_title_lines: int
    max_title_chars: int
    issuer_end: re.Pattern
    proxy_seal: re.Pattern
    issuer_prefixes: tuple[str, ...]
    max_issuer_chars: int
    recipient_line: re.Pattern
    list_separators: re.Pattern
    enum_separator: str
    unit_scope_chars: str
    bare_division_kinds: tuple[str, ...]
    zone_organs: tuple[str, ...]
    min_full_unit_chars: int
    not_recipient_starts: tuple[str, ...]
    recipient_prose: re.Pattern
    closing_formulas: frozenset[str]
    site_furniture: tuple[str, ...]
    attachment_list: re.Pattern
    attachment_item: re.Pattern
    attachment_marker: re.Pattern
    attachment_marker_titled: re.Pattern
    attachment_trailer: re.Pattern
    cc_line: re.Pattern
    print_line: re.Pattern
    public_true: tuple[str, ...]
    public_false: tuple[str, ...]
    web_published: re.Pattern
    web_source: re.Pattern
    header_zone_lines: int
    signature_zone_lines: int
    meta_block: dict[str, tuple[str, ...]]
    meta_block_pair: re.Pattern


def _str_list(data: dict, key: str) -> tuple[str, ...]:
    return str_list(GAZETTEER, data, key)


def _int(data: dict, key: str) -> int:
    value = data.get(key)
    if not isinstance(value, int) or value <= 0:
        raise GazetteerError(f"{GAZETTEER}: {key} must be a positive integer")
    return value


@functools.lru_cache(maxsize=None)
def rules() -> Rules:
    """The header rules, loaded and validated once per process."""
    data = load_yaml(GAZETTEER)

    def rx(key: str, groups: tuple[str, ...] = ()) -> re.Pattern:
        return compile_pattern(GAZETTEER, key, data[key], groups)

    genres = _str_list(data, "title_genres")
    plans = _str_list(data, "plan_genres")
    suffixes = _str_list(data, "issuer_suffixes")
    block = data["meta_block"]  # its four key lists checked against gazetteer_schema on load
    block_keys = {f: _str_list(block, f) for f in block}
    all_keys = [k for ks in block_keys.values() for k in ks] + list(_str_list(data, "meta_block_other_keys"))
    # a key may be spaced to the width of its column (文      号, 标     题, 索 引 号)
    keys_rx = "|".join(r"[ \t\u3000]*".join(re.escape(ch) for ch in k)
                       for k in sorted(set(all_keys), key=len, reverse=True))
    return Rules(
        doc_number=official.patterns().doc_number,
        doc_number_line=official.patterns().doc_number_line,
        dates=official.patterns().dates,
        date_iso=official.patterns().date_iso,
        year_in_title=rx("year_in_title", ("year",)),
        mark_line=official.patterns().mark_line,
        # …的通知, …的紧急通知, …的意见（征求意见稿）
        title_end=compile_pattern(
            GAZETTEER, "title_genres",
            rf"的[\u4e00-\u9fff]{{0,4}}?(?:{alternation(list(genres))})(?:[（(][^（）()]{{1,12}}[）)])?$"),
        title_start=str(data["title_start"]),
        title_start_after_issuer=tuple(data.get("title_start_after_issuer") or ()),
        # a heading may close with a bracketed note: …进度表（截至10月31日）, …方案（试行）
        plan_end=compile_pattern(GAZETTEER, "plan_genres",
                                 rf"(?:{alternation(list(plans))})(?:[（(][^（）()]{{1,12}}[）)])?$"),
        max_title_lines=_int(data, "max_title_lines"),
        max_title_chars=_int(data, "max_title_chars"),
        issuer_end=compile_pattern(GAZETTEER, "issuer_suffixes", rf"(?:{alternation(list(suffixes))})$"),
        proxy_seal=rx("proxy_seal"),
        issuer_prefixes=_str_list(data, "issuer_prefixes"),
        max_issuer_chars=_int(data, "max_issuer_chars"),
        recipient_line=rx("recipient_line", ("recipients",)),
        list_separators=rx("list_separators"),
        enum_separator=str(data["enum_separator"]),
        unit_scope_chars=str(data["unit_scope_chars"]),
        bare_division_kinds=tuple(data["bare_division_kinds"]),
        zone_organs=tuple(data["zone_organs"]),
        min_full_unit_chars=_int(data, "min_full_unit_chars"),
        # a web page's metadata key (点击数：, 发表时间：) opens no 主送 line either
        not_recipient_starts=tuple(dict.fromkeys(_str_list(data, "not_recipient_starts") + tuple(all_keys))),
        recipient_prose=rx("recipient_prose"),
        closing_formulas=frozenset(_str_list(data, "closing_formulas")),
        site_furniture=_str_list(data, "site_furniture"),
        attachment_list=rx("attachment_list", ("rest",)),
        attachment_item=rx("attachment_item", ("num", "title")),
        attachment_marker=rx("attachment_marker", ("num",)),
        attachment_marker_titled=rx("attachment_marker_titled", ("num", "title")),
        attachment_trailer=rx("attachment_trailer"),
        cc_line=rx("cc_line", ("cc",)),
        print_line=rx("print_line", ("printer", "date")),
        public_true=_str_list(data, "public_true"),
        public_false=_str_list(data, "public_false"),
        web_published=rx("web_published", ("date",)),
        web_source=rx("web_source", ("source",)),
        header_zone_lines=_int(data, "header_zone_lines"),
        signature_zone_lines=_int(data, "signature_zone_lines"),
        meta_block=block_keys,
        # 发文机关：XX局  成文日期：2023-03-17 (bullets and several pairs to a line)
        meta_block_pair=compile_pattern(
            GAZETTEER, "meta_block",
            rf"(?P<key>{keys_rx})\s*[:：]?\s*(?P<value>.*?)\s*"
            rf"(?=(?:[•·]\s*)?(?:{keys_rx})\s*[:：]?|$)",
            ("key", "value")),
    )


# --------------------------------------------------------------------------- lines


@dataclass(slots=True)
class Line:
    """One stripped line of a paragraph (or table cell), with its offsets into doc.text."""

    text: str
    start: int
    end: int
    style: dict = field(default_factory=dict)
    in_table: bool = False


def _split_lines(text: str, base: int, style: dict, in_table: bool, out: list[Line]) -> None:
    pos = 0
    for piece in text.split("\n"):
        stripped = piece.strip()
        if stripped:
            lead = len(piece) - len(piece.lstrip())
            start = base + pos + lead
            out.append(Line(stripped, start, start + len(stripped), style, in_table))
        pos += len(piece) + 1


def document_lines(doc: Document) -> list[Line]:
    """The document's lines in reading order; table cells are flagged ``in_table``."""
    lines: list[Line] = []
    if not doc.blocks:
        _split_lines(doc.text, 0, {}, False, lines)
        return lines
    for block in doc.blocks:
        if block.table is not None:
            for cell in sorted(block.table.cells, key=lambda c: (c.row, c.col)):
                _split_lines(doc.text[cell.start:cell.end], cell.start, block.style, True, lines)
        else:
            _split_lines(doc.text[block.start:block.end], block.start, block.style, False, lines)
    return lines


# --------------------------------------------------------------------------- dates

# one home for dates (official.py); the header reads them through these names
parse_date = official.parse_date
_full_date_line = official.full_date_line
_date_from_match = official.date_from_match


def _trailing_date(text: str) -> tuple[str, dt.date] | None:
    """``(prefix, date)`` when the line ends with a full date after some text."""
    for rx in rules().dates:
        for m in rx.finditer(text):
            if m.end() == len(text) and m.start() > 0:
                d = _date_from_match(m)
                if d:
                    return text[:m.start()].strip(), d
    return None


# --------------------------------------------------------------------------- names


def strip_proxy(name: str) -> tuple[str, bool]:
    """``(name without （代章）, whether it carried one)``."""
    r = rules()
    stripped = r.proxy_seal.sub("", name).strip()
    return stripped, stripped != name.strip()


def is_org_name(text: str) -> bool:
    """A line that is only an organisation's name (one or several), as in a signature."""
    r = rules()
    name, _ = strip_proxy(text)
    name = re.sub(r"\s+", "", name)
    if not (3 <= len(name) <= r.max_issuer_chars * 3):
        return False
    if _NAME_FORBIDDEN.search(name) or name.startswith(r.title_start):
        return False
    return bool(r.issuer_end.search(name))


def _starts_like_new_org(rest: str, whole: str) -> bool:
    from .regions import starts_with_place

    r = rules()
    return (rest[:2] == whole[:2] or rest.startswith(r.issuer_prefixes)
            or starts_with_place(rest))


def split_org_names(text: str) -> list[str]:
    """Split a line that may hold several issuers (a joint signature or 发文机关标志).

    Spaces between Chinese characters are gone after normalisation, so two names
    written side by side are glued: they are split after an issuer suffix where the
    rest is itself a name that starts like one (the same place, a place, 中共…).
    """
    r = rules()
    out: list[str] = []
    for part in re.split(r"\s+|、", text.strip()):
        if part:
            out.extend(_split_glued(part, r))
    return out


def _split_glued(name: str, r: Rules) -> list[str]:
    for i in range(3, len(name) - 2):
        head, rest = name[:i], name[i:]
        if (r.issuer_end.search(head) and is_org_name(rest) and len(rest) >= 4
                and _starts_like_new_org(rest, name)):
            return [head] + _split_glued(rest, r)
    return [name]


def _join_bare_scopes(pieces: list[str], r: Rules) -> list[str]:
    """A bare scope (各乡 in 各乡、镇（场）人民政府) joined to the name that completes it."""
    out: list[str] = []
    for p in pieces:
        last = out[-1].split(r.enum_separator)[-1] if out else ""
        last = re.sub(r"[（(][^（()）]*[）)]", "", last)  # 各市（州）: the bracket widens the scope
        if last and (all(ch in r.unit_scope_chars for ch in last) or (
                last in r.bare_division_kinds and len(out[-1]) > len(last))):
            out[-1] = f"{out[-1]}{r.enum_separator}{p}"
        else:
            out.append(p)
    return out


def _zones_share_their_organ(pieces: list[str], r: Rules) -> bool:
    """市城乡一体化示范区、经济技术开发区、东城区管委会: zones named bare before the organ that
    the last one's name ends with, which they share."""
    from .regions import zone_words

    return pieces[-1].endswith(r.zone_organs) and all(p.endswith(zone_words()) for p in pieces[:-1])


# the brackets a 主送 entry may hold a list in: 各县（市、区）人民政府
_BRACKETS = {"（": "）", "(": ")", "〔": "〕", "【": "】", "[": "]", "〈": "〉"}


def split_units(text: str) -> list[str]:
    """Split a 主送/抄送 list: on ，,；; always; on 、 only between full unit names.

    「各部、办、中心」 stays one collective entry: 办 and 中心 are bare kinds of unit
    that borrow the scope (各) of the first piece; so does 「各市、县人民政府」, whose
    first piece is a bare scope (各市) borrowing the kind of unit of the last.
    """
    r = rules()
    out: list[str] = []
    for chunk in r.list_separators.split(text):
        chunk = chunk.strip().strip("。.、 ")
        if not chunk:
            continue
        spans = split_outside_brackets(chunk, 0, len(chunk), re.compile(re.escape(r.enum_separator)), _BRACKETS)
        pieces = _join_bare_scopes([chunk[a:b].strip() for a, b in spans], r)
        if len(pieces) > 1 and _zones_share_their_organ(pieces, r):
            out.append(chunk)  # one collective entry
            continue
        if len(pieces) > 1 and all(
                p and (len(p) >= r.min_full_unit_chars or p[0] in r.unit_scope_chars) for p in pieces[1:]):
            out.extend(p for p in pieces if p)
        else:
            out.append(chunk)
    return out


# --------------------------------------------------------------------------- the reader


@dataclass
class _State:
    doc: Document
    lines: list[Line]
    header: Header = field(default_factory=Header)
    title_range: tuple[int, int] | None = None  # line indexes, inclusive
    notice_title: bool = False  # the title is a 关于…的通知 line (not a plan's heading)
    title_is_attachment: bool = False  # the copy is an attachment headed 附件：…, its title that attachment's
    signature_date_line: int | None = None
    signature_issuer_lines: list[int] = field(default_factory=list)
    meta_block: "_MetaBlock | None" = None  # a web page's key-value block, read once


def read_header(doc: Document) -> Header:
    """Read every header field the document states. Never raises."""
    try:
        lines = document_lines(doc)
    except Exception as e:  # noqa: BLE001 - a header is optional; the document still goes on
        doc.warnings.append(f"header: cannot split lines: {type(e).__name__}: {e}")
        return Header()
    st = _State(doc, lines)
    # the metadata block fills what the notice's own lines left empty, before the 主送 is
    # looked for: a copy with no title line finds its 主送 below the block's 文号
    for step in (_read_web_meta, _read_title, _read_doc_number, _read_signature, _read_issuers,
                 _read_meta_block, _read_recipients, _read_attachments, _read_record_block,
                 _read_public, _read_plan_year, _read_region):
        try:
            step(st)
        except Exception as e:  # noqa: BLE001 - one field failing must not lose the others
            doc.warnings.append(f"header: {step.__name__[6:]}: {type(e).__name__}: {e}")
    return st.header


def _body_lines(st: _State) -> list[tuple[int, Line]]:
    return [(i, ln) for i, ln in enumerate(st.lines) if not ln.in_table]


def _read_web_meta(st: _State) -> None:
    r, h, doc = rules(), st.header, st.doc
    h.published_date = doc.meta.published_date
    if doc.meta.info_source:
        h.info_source = doc.meta.info_source.strip()
    zone = _body_lines(st)[: r.header_zone_lines]
    for _, ln in zone:
        if h.published_date is None:
            m = r.web_published.search(ln.text)
            if m:
                h.published_date = parse_date(m.group("date"))
                h.spans["published_date"] = (ln.start + m.start("date"), ln.start + m.end("date"))
        if h.info_source is None:
            m = r.web_source.search(ln.text)
            if m and is_org_name(m.group("source")):
                h.info_source = m.group("source")
                h.spans["info_source"] = (ln.start + m.start("source"), ln.start + m.end("source"))


# -- title


def _is_mark(text: str) -> bool:
    m = rules().mark_line.match(text)
    return bool(m and is_org_name(m.group("issuers")))


def _is_web_line(text: str) -> bool:
    r = rules()
    return bool(r.web_published.search(text) or r.web_source.search(text))


# 标题_栏目_网站名, as CMS pages title themselves
# a page's <title>: 标题_栏目_网站名, 标题-网站名, 标题 | 网站名 (the site's name ends like one)
_WEB_TITLE_SUFFIX = re.compile(r"(?:\s*[_|｜]\s*[^_|｜]{1,40}){0,2}\s*(?:[_|｜]|\s*[-—–]\s*)[^_|｜\-—–]{0,38}"
                               r"(?:网站|门户|官网|平台|网)$")


def _title_start(text: str) -> int:
    """Where a 关于…的通知 title's words begin (at 关于), or at 转发 / 印发 right after the
    issuer's name (XX办公室转发…的通知); -1 when neither."""
    r = rules()
    k = text.find(r.title_start)
    for verb in r.title_start_after_issuer:
        # 省粮食和物资储备局印发关于…的通知: the verb after the issuer opens the title, 关于 follows it
        v = text.find(verb, 0, k) if k > 0 else -1
        if v > 0 and text[v + len(verb):k].strip() == "" and is_org_name(text[:v]):
            return v
    if k >= 0:
        return k
    for verb in r.title_start_after_issuer:
        k = text.find(verb)
        if k > 0 and is_org_name(text[:k]):
            return k
    return -1


def _unwrapped(ln: Line) -> Line:
    """A title line a web copy or a law database sets in book-title marks, 《XX关于…的通知》:
    the title inside them."""
    t = ln.text
    if len(t) > 2 and t[0] == "《" and t[-1] == "》" and "》" not in t[1:-1] and "《" not in t[1:-1]:
        return Line(t[1:-1], ln.start + 1, ln.end - 1, ln.style, ln.in_table)
    return ln


# what closes a title a web copy follows with its 发文字号: a dash, or a bracket that may hold the date too
_NUMBER_TAIL_OPEN = re.compile(r"(?:[-—－]|[（(])\s*$")
_NUMBER_TAIL_CLOSE = re.compile(r"\s*(?:[^（）()]{0,16}[）)])?\s*$")


def _without_number_tail(st: _State, ln: Line) -> Line:
    """A title line a web copy closes with the 发文字号 (…的通知-国税法函〔1998〕26号, …的通知（国税法函
    〔1998〕26号1998年7月3日）): the line without it, the number read as the notice's."""
    r, h = rules(), st.header
    m = None
    for m in r.doc_number.finditer(ln.text):
        pass
    if m is None or not _NUMBER_TAIL_CLOSE.fullmatch(ln.text, m.end()):
        return ln
    opening = _NUMBER_TAIL_OPEN.search(ln.text, 0, m.start())
    if opening is None or not r.title_end.search(ln.text[:opening.start()].rstrip()):
        return ln
    if not h.doc_number:
        h.doc_number = re.sub(r"\s+", "", m.group("doc_number"))
        h.spans["doc_number"] = (ln.start + m.start("doc_number"), ln.start + m.end("doc_number"))
    title = ln.text[:opening.start()].rstrip()
    return Line(title, ln.start, ln.start + len(title), ln.style, ln.in_table)


def _read_title(st: _State) -> None:
    r, h = rules(), st.header
    body = _body_lines(st)
    zone = [(i, _unwrapped(ln)) for i, ln in body[: r.header_zone_lines]]
    meta = _meta_block(st).lines
    for n, (i, ln) in enumerate(zone):
        k = _title_start(ln.text)
        if k < 0 or i in meta:
            continue  # (标 题 区人民政府办公室关于…: a page's metadata line; its 标题 fills the title if none)
        prefix = ln.text[:k]
        if prefix and not prefix.strip(" -*•·\u3000"):
            # - 关于建立…的通知: a Markdown bullet before the title, no part of it
            ln = Line(ln.text[k:], ln.start + k, ln.end, ln.style, ln.in_table)
            k, prefix = 0, ""
        if prefix and not is_org_name(prefix):
            continue
        whole = len(ln.text)
        ln = _without_number_tail(st, ln)
        tail = whole - len(ln.text)  # the 发文字号 closing the line, no part of the title
        site = _WEB_TITLE_SUFFIX.search(ln.text)
        if site and r.title_end.search(ln.text[:site.start()]):
            # a page's <title>: 标题_栏目_网站名 — the title is the part before the site's
            h.title = ln.text[:site.start()]
            h.spans["title"] = (ln.start, ln.start + site.start())
            st.title_range = (i, i)
            st.notice_title = True
            return
        joined, last = ln.text, n
        while not r.title_end.search(joined) and last + 1 < len(zone) and last - n + 1 < r.max_title_lines:
            nxt = zone[last + 1][1].text
            if _PROSE.search(nxt) or nxt.endswith(("：", ":")) or _full_date_line(nxt) \
                    or r.doc_number_line.match(nxt):
                break
            joined += nxt
            last += 1
        if not r.title_end.search(joined) or _PROSE.search(joined) or len(joined) > r.max_title_chars:
            continue
        first = n
        # issuer line(s) standing above 关于… belong to the title block (not the 文件 mark)
        while not prefix and first > 0 and n - first < 3:
            above = zone[first - 1][1]
            if zone[first - 1][0] in meta:
                break  # a value of the page's metadata (审核 / 随县政府网编辑部), not an issuer line
            if _is_mark(above.text) or not is_org_name(above.text) or above.style.get("color") \
                    and _is_red(above.style):
                break
            first -= 1
        lines = [zone[x][1] for x in range(first, last + 1)]
        if (tail and last == n) or first == n:
            lines[n - first] = ln  # the title's own line as read (its bullet or 发文字号 tail left out)
        h.title = "".join(x.text for x in lines)
        h.spans["title"] = (lines[0].start, lines[-1].end)
        st.title_range = (zone[first][0], zone[last][0])
        st.notice_title = True
        return
    _read_plan_heading(st, zone)


def _is_red(style: dict) -> bool:
    color = str(style.get("color") or "").lstrip("#").upper()
    if len(color) != 6:
        return False
    try:
        red, green, blue = int(color[0:2], 16), int(color[2:4], 16), int(color[4:6], 16)
    except ValueError:
        return False
    return red >= 0xC0 and green < 0x60 and blue < 0x60


# a numbered line is the plan's heading only when its name is this long (一、10件民生实事任务分解表)
NUMBERED_HEADING_MIN_CHARS = 8


# a line that is a bracketed note, or opens with one and says little after it ((此件主动公开)):
# a heading tagged with its place ((湖北省)武汉市…分解方案) still counts
_BRACKETED_NOTE = re.compile(r"^[（(][^）)]*(?:[）)].{0,7})?$")


def _attachment_list_lines(zone: list[tuple[int, Line]]) -> set[int]:
    """The lines of a 附件说明 (附件：1.XX分解表 / 2.2025年XX任务分解 / 3.…): the names of
    the attachments, never the heading of the plan the copy carries."""
    r, out = rules(), set()
    for n, (i, ln) in enumerate(zone):
        m = r.attachment_list.match(ln.text)
        if not m or not r.attachment_item.match(m.group("rest")):
            continue  # 附件：XX分解表 alone may head a copy that is that attachment
        out.add(i)
        for j, nxt in zone[n + 1:]:
            if not r.attachment_item.match(nxt.text):
                break
            out.add(j)
    return out


def _heading_before_web_meta(ln: Line) -> Line | None:
    """A web line that opens with the plan's heading, the page's metadata glued after it
    (2017年XX重点任务分工方案发布时间：2017-03-16来源：): the heading part as a line of its
    own; None for any other web line (metadata only)."""
    r = rules()
    cut = min((m.start() for rx in (r.web_published, r.web_source) for m in [rx.search(ln.text)] if m),
              default=0)
    head = ln.text[:cut].rstrip()
    if not head or not r.plan_end.search(head):
        return None
    return Line(head, ln.start, ln.start + len(head), ln.style, ln.in_table)


def _read_plan_heading(st: _State, zone: list[tuple[int, Line]]) -> None:
    """No 关于…的通知 line: the heading of the plan the copy carries (a web copy of a plan)."""
    r, h = rules(), st.header
    # web metadata lines (• 成文日期：…) stand above a page's heading and do not count
    meta = _meta_block(st).lines
    zone = [(i, _heading_before_web_meta(ln) if _is_web_line(ln.text) else ln) for i, ln in zone
            if i not in meta and not ln.text.startswith(r.site_furniture) and not _BREADCRUMB.search(ln.text)
            and ln.text.strip("。. ") not in r.closing_formulas]
    zone = [(i, ln) for i, ln in zone if ln is not None]
    listed = _attachment_list_lines(zone)
    zone = [(i, ln) for i, ln in zone if i not in listed]
    for n, (i, ln) in enumerate(zone[:12]):
        if (r.doc_number_line.match(ln.text) or _is_mark(ln.text) or _full_date_line(ln.text)
                or _BRACKETED_NOTE.match(ln.text) or ln.text.startswith(("【", "[", "欢迎", *_BULLETS))
                or ln.text.endswith(("网站", "门户网站"))
                or r.attachment_marker.fullmatch(ln.text.strip())):
            # a bracketed note ((此件主动公开)), a site's menu item (• 政府信息公开) or a 附件 mark
            # is never a heading's first line
            continue
        # a copy that is an attachment published on its own (附件：XX目标任务分解表) is headed by it;
        # below a notice's body the same line is its 附件说明, and the heading follows the mark
        titled = r.attachment_marker_titled.match(ln.text)
        opens_copy = not any(_PROSE.search(x.text) for _, x in zone[:n])
        head = titled.start("title") if titled and opens_copy and r.plan_end.search(titled.group("title")) else 0
        joined, last = ln.text[head:], n
        if not r.plan_end.search(joined) and n + 1 < len(zone):
            nxt = zone[n + 1][1].text
            if not _PROSE.search(nxt) and len(joined + nxt) <= 60:
                joined, last = joined + nxt, n + 1
        if (r.plan_end.search(joined) and len(joined) <= 60 and not _PROSE.search(joined)
                and not re.search(r"[：:，,]", joined)):
            label = match_label(joined)
            if label is not None and (len(joined) - label.end < NUMBERED_HEADING_MIN_CHARS
                                      or re.search(r"牵头|负责", joined)
                                      or (label.num > 1 and any(match_label(x.text) for _, x in zone[:n]))):
                # 一、重点任务, 四、XX副省长牵头重点工作, 二、实施六大人才行动计划 after 一、 and its
                # items: a section of the body, not the plan's heading (2. XX任务分解表 opening a
                # copy is the attachment's own heading)
                continue
            lines = [zone[x][1] for x in range(n, last + 1)]
            skip = label.end if label is not None else 0  # 一、10件民生实事任务分解表: the label is no part of it
            h.title = joined[skip:]
            h.spans["title"] = (lines[0].start + head + skip, lines[-1].end)
            st.title_range = (zone[n][0], zone[last][0])
            st.title_is_attachment = head > 0
            return
    if st.doc.meta.page_title:
        h.title = st.doc.meta.page_title.strip()


# -- 发文字号


def _read_doc_number(st: _State) -> None:
    r, h = rules(), st.header
    for _, ln in _body_lines(st)[: r.header_zone_lines]:
        m = r.doc_number_line.match(ln.text)
        if m:
            h.doc_number = re.sub(r"\s+", "", m.group("doc_number"))
            h.spans["doc_number"] = (ln.start + m.start("doc_number"), ln.start + m.end("doc_number"))
            return


# -- signature: 发文机关署名 + 成文日期


# the issuers' names a joint notice (联合发文) signs with, one a line above the date: seven
# district bureaus under one 实施方案 are not rare
MAX_SIGNATURE_ISSUERS = 12


def _read_signature(st: _State) -> None:
    start = st.title_range[1] + 1 if st.title_range else 0
    _find_signature(st, [(i, ln) for i, ln in _body_lines(st) if i >= start])
    if st.header.issue_date is None and st.title_range and not st.notice_title:
        # a web copy that kept the cover note but not its 关于… title: the note's
        # signature stands above the heading of the plan it carries
        _find_signature(st, [(i, ln) for i, ln in _body_lines(st) if i < st.title_range[0]])


def _find_signature(st: _State, body: list[tuple[int, Line]]) -> None:
    h = st.header
    fallback: tuple[int, Line, dt.date] | None = None
    for n, (i, ln) in enumerate(body):
        date = _full_date_line(ln.text)
        same_line_org: str | None = None
        if date is None:
            trailing = _trailing_date(ln.text)
            if trailing and is_org_name(trailing[0]):
                same_line_org, date = trailing
        if date is None:
            continue
        orgs: list[int] = []
        p = n - 1
        while p >= 0 and n - p <= MAX_SIGNATURE_ISSUERS and is_org_name(body[p][1].text) \
                and not _is_mark(body[p][1].text):
            orgs.insert(0, body[p][0])
            p -= 1
        right = ln.style.get("align") == "right"
        if not (orgs or same_line_org or right):
            # a notice sealed without a written 署名: the date stands right under the
            # body's last sentence or the 附件说明
            if fallback is None and st.notice_title and n < rules().signature_zone_lines and n > 0:
                above = body[n - 1][1].text
                if above.endswith(("。", "！")) or rules().attachment_item.match(above) \
                        or rules().attachment_list.match(above):
                    fallback = (i, ln, date)
            continue
        h.issue_date = date
        h.spans["issue_date"] = (ln.start, ln.end)
        st.signature_date_line = i
        st.signature_issuer_lines = orgs + ([i] if same_line_org else [])
        return
    if fallback is not None:
        i, ln, date = fallback
        h.issue_date = date
        h.spans["issue_date"] = (ln.start, ln.end)
        st.signature_date_line = i


def _issuers_from_line(text: str) -> list[str]:
    trailing = _trailing_date(text)
    if trailing:
        text = trailing[0]
    names = []
    for name in split_org_names(text):
        clean, proxy = strip_proxy(name)
        if clean and not proxy:
            names.append(clean)
    return names


def _read_issuers(st: _State) -> None:
    r, h = rules(), st.header
    # 1. the signature (a 代章 line stamps for another body and is no issuer)
    names: list[str] = []
    span: tuple[int, int] | None = None
    for i in st.signature_issuer_lines:
        ln = st.lines[i]
        got = _issuers_from_line(ln.text)  # a name stamped （代章） is dropped, its neighbours kept
        if got:
            names.extend(got)
            span = (span[0], ln.end) if span else (ln.start, ln.end)
    # 2. the 发文机关标志 「XX文件」
    if not names:
        for _, ln in _body_lines(st)[: r.header_zone_lines]:
            m = r.mark_line.match(ln.text)
            if m and is_org_name(m.group("issuers")):
                names = split_org_names(m.group("issuers"))
                span = (ln.start + m.start("issuers"), ln.start + m.end("issuers"))
                break
            if _is_red(ln.style) and is_org_name(ln.text):
                # a 信函格式 mark is the issuer's name alone, in red
                names = split_org_names(ln.text)
                span = (ln.start, ln.end)
                break
    # 3. the issuer written in front of 关于 in the title
    k = _title_start(h.title) if not names and h.title else -1
    if k > 0:
        prefix = h.title[:k]
        if is_org_name(prefix):
            names = split_org_names(prefix)
            if "title" in h.spans:
                s = h.spans["title"][0]
                span = (s, s + len(prefix))
    # 4. a web page: 信息来源 / 发布机构 — when it names a body, not the website that copied the
    # notice (来源：达达文档网 / 本网 / …文库)
    if not names and h.info_source and not _WEBSITE_SOURCE.search(h.info_source):
        names = [h.info_source]
        span = h.spans.get("info_source")
    h.issuers = [n for n in dict.fromkeys(names) if n]
    if span and h.issuers:
        h.spans["issuers"] = span


# a 来源 that names a website, not an office: a copy's host (…网, …网站, …文库, 本网, …手机站)
_WEBSITE_SOURCE = re.compile(r"(?:网|网站|文库|手机站|本站|平台)(?:$|[^\u4e00-\u9fff])|^本网|文档网|文库")


# -- 主送机关


def _read_recipients(st: _State) -> None:
    r, h = rules(), st.header
    if st.title_range is not None:
        begin = st.title_range[1]
    elif "doc_number" in h.spans:  # no title line: the 主送 follows the 发文字号
        begin = max(i for i, ln in enumerate(st.lines) if ln.start <= h.spans["doc_number"][0])
    elif _meta_block(st).pairs:  # the title only in a page's metadata block: the 主送 follows the block
        block = _meta_block(st)
        last = max(start for _key, start, _end, _n in block.pairs)
        begin = max([*block.lines, max(i for i, ln in enumerate(st.lines) if ln.start <= last)])
    else:
        # a copy that opens with its 主送 (各系院，各处室：), no title or number above it: only a
        # list of 各… bodies, never a label of the body (整改要求：, 查看：)
        if _scan_recipients(st, -1) and not all(x.startswith("各") for x in h.recipients):
            h.recipients = []
            h.spans.pop("recipients", None)
        return
    # web metadata lines (• 发布日期：…, 【字号) between the title and the 主送 do not count
    if _scan_recipients(st, begin) or st.notice_title or st.title_range is None:
        return
    _scan_recipients(st, -1, lenient=True)  # a plan's heading below the 主送 of its cover note


def _scan_recipients(st: _State, begin: int, lenient: bool = False) -> bool:
    """The 主送 line among the first lines after ``begin``; ``lenient`` passes over lines
    that are no 主送 (a page's stray first lines) instead of stopping at the first one."""
    r, h = rules(), st.header
    meta = _meta_block(st).lines
    # the title again, whole or broken over lines (a web copy repeats the title block)
    after = [(i, ln) for i, ln in _body_lines(st) if i > begin and not (h.title and ln.text in h.title)
             and i not in meta and not ln.text.startswith("【")][:6]
    for n, (i, ln) in enumerate(after):
        text = ln.text
        if re.match(r"\d", text) or text.startswith(r.site_furniture) or _SHORT_FURNITURE.fullmatch(text):
            # 2023-01-05 10:00 区人民政府办公室: a page's dateline; 今天是：, 当前位置：; a page's
            # short buttons and links on lines of their own (我要收藏, 文章分享)
            continue
        if lenient and match_label(text):
            return False  # the body has begun: the 主送 stands above it or nowhere
        # a long 主送 list wraps: 「…人民政府，市政府各部门，」 / 「有关单位：」
        k = n
        while text.endswith(("，", ",", "、", "；", ";")) and k + 1 < len(after) and k - n < 3:
            k += 1
            text += after[k][1].text
        if (_is_mark(text) or r.doc_number_line.match(text) or official.patterns().doc_number_damaged.match(text)
                or _full_date_line(text) or _is_web_line(text)):
            continue
        if "关于" in text and r.title_end.search(text) and not re.search(r"[：:]$", text):
            continue  # the title again (a web copy repeats it, 发文字号 glued before it)
        if text.startswith(tuple(_BULLETS)):
            continue  # an infobox or menu item (• 中文名：…), never the 主送
        key = re.split(r"[：:]", text, 1)[0]
        # (各承办（主办、协办）单位： names the bodies a notice goes to, though its words name a column)
        collective = key.startswith("各") and not text[len(key) + 1:].strip()
        if text.lstrip("-* \u3000").startswith(r.not_recipient_starts) or (
                key != text and not collective and column_role(key) in ("lead", "support", "leader", "deadline")):
            # 牵头责任单位：… / 主要协作单位：… name a task's units, never the 主送
            if lenient:
                continue
            return False
        m = r.recipient_line.match(text)
        if m and r.recipient_prose.search(m.group("recipients").strip()):
            if lenient:
                continue
            return False
        if m:
            value = m.group("recipients")
        else:
            colon = min((text.find(c) for c in "：:" if c in text), default=-1)
            # (a table row's cells, tab- or pipe-separated, before a colon in its last cell:
            # 统战重点工作任务 (55分) | 第一季度：…, are no 主送)
            if (colon <= 0 or colon > 80 or _PROSE.search(text[:colon]) or re.search(r"[《》“”\t|｜]", text[:colon])
                    or r.recipient_prose.search(text[:colon].strip())):
                if lenient:
                    continue
                return False
            value = text[:colon]
        h.recipients = split_units(value)
        last = after[k][1] if k > n else ln
        h.spans["recipients"] = (ln.start, min(last.end, ln.start + len(value) + (k - n)))
        return True
    return False


# -- 附件


def _clean_attachment(title: str) -> str:
    r = rules()
    title = r.attachment_trailer.sub("", title).strip()
    return title.strip("。；;，, ")


def _attachment_continuation(line: Line, after: Line | None, numbered: bool) -> bool:
    """A wrapped attachment title: a short piece that is no item, date, name or prose,
    standing where the list is followed by another item, the signature or nothing."""
    r = rules()
    text = line.text
    if len(text) > 40 or _PROSE.search(text) or _full_date_line(text) or is_org_name(text) \
            or r.attachment_item.match(text) or re.search(r"[：:，,]", text):
        return False
    if after is None:
        return True
    return bool((numbered and r.attachment_item.match(after.text)) or _full_date_line(after.text)
                or is_org_name(after.text) or _trailing_date(after.text))


def _read_attachments(st: _State) -> None:
    r, h = rules(), st.header
    body = _body_lines(st)
    begin = st.title_range[1] + 1 if st.title_range else 0
    if st.title_is_attachment:
        begin = st.title_range[0]  # 附件：XX分解表 heads the copy and names its attachment
    stop = st.signature_date_line if st.signature_date_line is not None else None
    main = [(i, ln) for i, ln in body if i >= begin and (stop is None or i < stop)]
    # 1. 附件说明 in the main part: 附件：1.xxx / 2.xxx, or 附件：xxx; where the main part has
    # none, the part after the signature (a 印发 notice signs above the plan it carries, and
    # the plan's 附件说明 closes the plan)
    if stop is not None and not any(r.attachment_list.match(ln.text) for _, ln in main):
        main = [(i, ln) for i, ln in body if i >= begin]
    for n, (i, ln) in enumerate(main):
        m = r.attachment_list.match(ln.text)
        if not m:
            continue
        rest = m.group("rest").strip()
        items: list[tuple[str, Line]] = []
        following = [x for _, x in main[n + 1:]] + [None]
        first = r.attachment_item.match(rest) if rest else None
        numbered = not rest or bool(first)
        items.append((first.group("title") if first else rest, ln) if rest else ("", ln))
        for k, nxt in enumerate(following[:-1]):
            mm = r.attachment_item.match(nxt.text) if numbered else None
            if mm and not _full_date_line(nxt.text):
                items.append((mm.group("title"), nxt))
                continue
            if items[-1][0] and _attachment_continuation(nxt, following[k + 1], numbered):
                items[-1] = (items[-1][0] + nxt.text, nxt)
                continue
            break
        items = [(t, x) for t, x in items if t] or items
        titles = [_clean_attachment(t) for t, _ in items]
        if any(titles):
            h.attachments = [t for t in titles if t]
            h.spans["attachments"] = (ln.start, items[-1][1].end)
            return
    # 2. no list: the markers 附件 / 附件1 that head the attachments, each followed by its title
    found: list[tuple[str, Line]] = []
    after_main = [(i, ln) for i, ln in body if i >= begin]
    for n, (i, ln) in enumerate(after_main):
        titled = r.attachment_marker_titled.match(ln.text)
        if titled and not _PROSE.search(titled.group("title")):
            found.append((titled.group("title"), ln))
            continue
        if not r.attachment_marker.match(ln.text) or n + 1 >= len(after_main):
            continue
        nxt = after_main[n + 1][1]
        if len(nxt.text) <= 80 and not _PROSE.search(nxt.text) and not _full_date_line(nxt.text):
            found.append((nxt.text, nxt))
    titles = [_clean_attachment(t) for t, _ in found]
    if any(titles):
        h.attachments = [t for t in titles if t]
        h.spans["attachments"] = (found[0][1].start, found[-1][1].end)


# -- 版记: 抄送, 印发机关和印发日期


def _read_record_block(st: _State) -> None:
    r, h = rules(), st.header
    for ln in st.lines:
        if not h.cc:
            m = r.cc_line.match(ln.text)
            if m:
                h.cc = split_units(m.group("cc"))
                h.spans["cc"] = (ln.start + m.start("cc"), ln.start + m.end("cc"))
        if h.printer is None:
            m = r.print_line.match(ln.text)
            if m:
                h.printer = m.group("printer").strip()
                h.print_date = parse_date(m.group("date"))
                h.spans["printer"] = (ln.start + m.start("printer"), ln.start + m.end("printer"))
                h.spans["print_date"] = (ln.start + m.start("date"), ln.start + m.end("date"))


def _read_public(st: _State) -> None:
    r, h, text = rules(), st.header, st.doc.text
    hits = [(text.find(c), c, False) for c in r.public_false] + [(text.find(c), c, True) for c in r.public_true]
    hits = [x for x in hits if x[0] >= 0]
    if hits:
        # the longer cue first at one place (此件不公开 before 此件公开)
        pos, cue, value = min(hits, key=lambda x: (x[0], -len(x[1])))
        h.public = value
        h.spans["public"] = (pos, pos + len(cue))


@dataclass
class _MetaBlock:
    lines: set[int]  # the block's line indexes: its pairs, and values on the line below a key
    pairs: list[tuple[str, int, int, int]]  # (key, value start, value end, place in the body)


def _meta_block(st: _State) -> _MetaBlock:
    """A web page's key-value block (• 发文机关：XX局  成文日期：/ 2023-03-17), read once per
    document: a line that opens with a key holds one or several pairs; a key written alone
    at a line's end takes its value from the line below when that line reads as one."""
    if st.meta_block is not None:
        return st.meta_block
    r = rules()
    block = _MetaBlock(set(), [])
    body = _body_lines(st)[: r.header_zone_lines * 2]
    for n, (i, ln) in enumerate(body):
        # (a pipe opens a row of a metadata table written as Markdown: | 发文单位:… | 成文日期:… |)
        if not r.meta_block_pair.match(ln.text.lstrip(_BULLETS + " |｜")):
            continue
        block.lines.add(i)
        for m in r.meta_block_pair.finditer(ln.text):
            raw = m.group("value")
            value = raw.strip().strip("|｜").strip()
            vstart = ln.start + m.start("value") + (raw.find(value) if value else 0)
            if not value and m.end() == len(ln.text) and n + 1 < len(body):
                j, nxt = body[n + 1]
                if not r.meta_block_pair.match(nxt.text.lstrip(_BULLETS + " ")) and _value_like(nxt.text):
                    value, vstart = nxt.text, nxt.start
                    block.lines.add(j)
            if value:
                block.pairs.append((_meta_key(m.group("key")), vstart, vstart + len(value), n))
    block.pairs += _meta_table_pairs(st)
    st.meta_block = block
    return block


# a page's metadata table stands among the first blocks, above the notice
META_TABLE_MAX_BLOCK = 3


def _meta_table_pairs(st: _State) -> list[tuple[str, int, int, int]]:
    """Key-value pairs of a web page's metadata table flattened to text (文号 | 平政办〔2013〕11号
    | 索引号 | …): a cell that is a key, the next cell of its row its value."""
    r, text = rules(), st.doc.text
    keys = {k for ks in r.meta_block.values() for k in ks}
    pairs = []
    for block in st.doc.blocks[:META_TABLE_MAX_BLOCK]:
        if block.table is None:
            continue
        row_cells: dict[int, list] = {}
        for cell in block.table.cells:
            row_cells.setdefault(cell.row, []).append(cell)
        for cells in row_cells.values():
            cells.sort(key=lambda c: c.col)
            for cell in cells:
                # a cell that holds its key and value (| 发文单位:玉林市人民政府办公室 | 成文日期:… |)
                m = r.meta_block_pair.fullmatch(text, cell.start, cell.end)
                # (its colon says so: a cell 名称规范使用情况的检查 is a task's name, not a 名称 key)
                if (m and m.group("value").strip() and m.start("key") == cell.start
                        and re.search(r"[:：]", text[m.end("key"):m.start("value")])):
                    value = m.group("value").strip()
                    vstart = m.start("value") + m.group("value").find(value)
                    pairs.append((_meta_key(m.group("key")), vstart, vstart + len(value), 0))
            for key_cell, value_cell in zip(cells, cells[1:]):
                key = _meta_key(text[key_cell.start:key_cell.end])
                value = text[value_cell.start:value_cell.end].strip()
                if key in keys and value and _meta_key(value) not in keys:
                    vstart = value_cell.start + text[value_cell.start:value_cell.end].find(value)
                    pairs.append((key, vstart, vstart + len(value), 0))
    return pairs


def _meta_key(cell: str) -> str:
    """A metadata key as its bare form: a table's key cell (成文日期：, [ 成文日期 ], 【成文日期】) or a
    key spaced to its column's width (标     题)."""
    return re.sub(r"\s+", "", cell).strip("[]［］【】").rstrip("：:")


def _value_like(text: str) -> bool:
    """A metadata value on a line of its own: a date, a code, a body's name or a word
    (主动公开), not a heading that happens to follow an empty key."""
    t = text.strip()
    ascii_share = sum(ch.isascii() for ch in t) / max(len(t), 1)
    return bool(_full_date_line(t) or parse_date(t) and len(t) <= 20 or ascii_share >= 0.5
                or is_org_name(t) or len(t) <= 6)


def _fuller_name(value: str, heading: str, st: _State) -> bool:
    """The block's 名称 / 标题 names the plan whose heading the copy carries: the block's
    form wins, whether it adds the issuer (名称：XX卫生健康委2021年…台账 over the heading
    2021年…台账) or the heading line has the issuer glued in front (周村区卫生健康局 /
    区卫生健康局2021年…安排 under 标题：区卫生健康局2021年…安排)."""
    squash = lambda t: re.sub(r"\s+", "", t)  # noqa: E731
    a, b = squash(value), squash(heading)
    return not st.notice_title and a != b and (b in a or a in b)


def _read_meta_block(st: _State) -> None:
    """Fill what the notice's own lines left empty from a web page's key-value block."""
    r, h = rules(), st.header
    found: dict[str, tuple[str, int, int]] = {}
    key_field = {k: f for f, ks in r.meta_block.items() for k in ks}
    rank = {k: i for ks in r.meta_block.values() for i, k in enumerate(ks)}
    for key, vstart, vend, n in _meta_block(st).pairs:
        field_name = key_field.get(key)
        if not field_name or n >= r.header_zone_lines:
            continue
        old = found.get(field_name)
        if old is None or rank[key] < rank[old[0]]:
            found[field_name] = (key, vstart, vend)
    for field_name, (_key, s, e) in found.items():
        value = st.doc.text[s:e]
        number = r.doc_number.match(value) if field_name == "title" else None
        if number is not None and value[number.end():].strip():
            # a 名称 that opens with the 发文字号 (靖政发〔2025〕17号 XX人民政府关于…): not the title's
            rest = value[number.end():]
            s += len(rest) - len(rest.lstrip()) + number.end()
            value = st.doc.text[s:e]
        if field_name == "title" and (not h.title or _fuller_name(value, h.title, st)):
            h.title, h.spans["title"] = value, (s, e)
        elif field_name == "doc_number" and not h.doc_number:
            m = r.doc_number.search(value) or official.patterns().doc_number_bare.match(value)
            if m:
                h.doc_number = m.group("doc_number")
                h.spans["doc_number"] = (s + m.start("doc_number"), s + m.end("doc_number"))
        elif field_name == "issue_date" and not h.issue_date:
            d = parse_date(value)
            if d:
                h.issue_date, h.spans["issue_date"] = d, (s, e)
        elif field_name == "issuers" and (not h.issuers or h.issuers == [h.info_source] or (
                # the block names in full the body the title calls without its place
                # (发文机构：武汉市人民政府办公厅 over 市人民政府办公厅关于印发…; a name with its
                # place, 虹口区人民政府办公室, stands as the notice writes it)
                len(h.issuers) == 1 and h.issuers[0][:1] in _BARE_LEVELS and len(value) > len(h.issuers[0])
                and value.endswith(h.issuers[0]))):
            if is_org_name(value) or strip_proxy(value)[0].endswith(("(办公室)", "（办公室）")):
                h.issuers, h.spans["issuers"] = [value], (s, e)


# a page's breadcrumb: 政务公开 > 平昌县农业农村局 > 规划计划 (two separators or more)
_BREADCRUMB = re.compile(r"\S\s*[>»›]\s*\S[^>»›]*[>»›]")
# a line of a few characters and no punctuation above the 主送: a page's button or link
_SHORT_FURNITURE = re.compile(r"[\u4e00-\u9fff]{2,8}")
# the level word a body's name opens with when it leaves its place out (市人民政府办公厅)
_BARE_LEVELS = frozenset("省市县区州旗盟")


def _read_plan_year(st: _State) -> None:
    r, h = rules(), st.header
    if h.title:
        m = r.year_in_title.search(h.title)
        if m:
            h.plan_year = int(m.group("year"))
            return
    if h.issue_date:
        h.plan_year = h.issue_date.year  # ANNOTATION §1: from the title first, else the issue date


def _read_region(st: _State) -> None:
    from .regions import repair_dropped_place, resolve_region

    h = st.header
    if st.doc.meta.ocr:
        # OCR drops rare characters of place names (重庆陵 for 重庆涪陵): restore them in the
        # issuer and the title where the gazetteer allows exactly one reading
        for i, name in enumerate(h.issuers):
            fixed = repair_dropped_place(name)
            if fixed != name:
                h.issuers[i] = fixed
                if h.title and name in h.title:
                    h.title = h.title.replace(name, fixed)
                st.doc.warnings.append(f"OCR place name repaired: {name} → {fixed}")
    h.region = resolve_region(st.doc, h)


@component("header", stage="segment", requires=("text", "blocks", "meta"), assigns=("header",))
def header_step(doc: Document) -> None:
    """The official header (GB/T 9704): title, 发文字号, issuers, dates, 主送, 附件 …, and the region."""
    doc.header = read_header(doc)
