"""Patterns of GB/T 9704 official documents that more than one stage reads.

The 发文字号, the 发文机关标志 line and the 成文日期 forms live in
``gazetteers/official.yaml``; ingest (a web page keeps its 版头 lines in order)
and segment (the header reader, the region's 发文字号 prefix) both read them
here, so neither stage loads the other's data. Dates are parsed here and nowhere
else: Arabic, Chinese numerals and ISO-like forms all give a ``datetime.date``.
"""
from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass

from .gazetteer import compile_pattern, load_yaml
from .numerals import parse_int

GAZETTEER = "official.yaml"
_DATE_GROUPS = ("year", "month", "day")


@dataclass(frozen=True)
class OfficialPatterns:
    doc_number: re.Pattern
    doc_number_line: re.Pattern
    doc_number_damaged: re.Pattern
    doc_number_bare: re.Pattern
    mark_line: re.Pattern
    dates: tuple[re.Pattern, ...]  # 2023年3月17日, 二〇二三年三月十七日
    date_iso: re.Pattern  # 2023-04-04, 2023/4/4


@functools.lru_cache(maxsize=1)
def patterns() -> OfficialPatterns:
    data = load_yaml(GAZETTEER)

    def rx(key: str, groups: tuple[str, ...]) -> re.Pattern:
        return compile_pattern(GAZETTEER, key, data[key], groups)

    return OfficialPatterns(
        doc_number=rx("doc_number", ("doc_number",)),
        doc_number_line=rx("doc_number_line", ("doc_number",)),
        doc_number_damaged=rx("doc_number_damaged", ()),
        doc_number_bare=rx("doc_number_bare", ("doc_number",)),
        mark_line=rx("mark_line", ("issuers",)),
        dates=(rx("date_arabic", _DATE_GROUPS), rx("date_chinese", _DATE_GROUPS)),
        date_iso=rx("date_iso", _DATE_GROUPS),
    )


def date_from_match(m: re.Match) -> dt.date | None:
    """The date a match of one of the date patterns names, or None (30 February)."""
    # OCR and typists write the zero of 二〇二三 as a letter O
    year = parse_int(m.group("year").replace("O", "〇").replace("Ｏ", "〇"))
    month, day = parse_int(m.group("month")), parse_int(m.group("day"))
    if year is None or month is None or day is None:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def parse_date(text: str) -> dt.date | None:
    """The first full date (Arabic, Chinese numerals or ISO-like) in ``text``."""
    p = patterns()
    for rx in (*p.dates, p.date_iso):
        for m in rx.finditer(text or ""):
            d = date_from_match(m)
            if d:
                return d
    return None


def full_date_line(text: str) -> dt.date | None:
    """The date when the whole line is one 成文日期-style date, else None."""
    compact = re.sub(r"\s+", "", text)
    for rx in patterns().dates:
        m = rx.fullmatch(compact)
        if m:
            return date_from_match(m)
    return None


# --------------------------------------------------------------------------- one notice, several files

# Marks that differ between renderings of one title and say nothing about it: spaces, quotes,
# title brackets and the bracket forms OCR and web editors swap (（）/()/〔〕/[]).
_TITLE_NOISE = re.compile(r"[\s《》〈〉<>“”\"'‘’「」『』（）()〔〕\[\]［］【】·•、，,。.：:；;！!？?—\-_]+")
# a title that names its issuer first: 重庆市应急管理局关于… → 关于… (a web copy or a citation
# often drops the issuer, the 版头 copy keeps it)
_ISSUER_BEFORE_GUANYU = re.compile(r"^.{2,40}?(?=关于)")


def normalize_doc_number(number: str | None) -> str | None:
    """A 发文字号 reduced to what identifies it: NFKC widths, no spaces, the year bracket as
    〔〕, no 第 before the serial and no leading zeros (渝府发〔2023〕第05号 = 渝府发〔2023〕5号)."""
    import unicodedata

    if not number:
        return None
    s = unicodedata.normalize("NFKC", number)
    s = re.sub(r"\s+", "", s)
    s = re.sub(r"[\[［【(（〔﹝]((?:19|20)\d{2})[\]］】)）〕﹞]", r"〔\1〕", s)
    s = re.sub(r"〕第?0*(\d+)号$", r"〕\1号", s)
    return s or None


def normalize_title(title: str | None) -> str | None:
    """A title reduced to its words: NFKC, no spaces, quotes, brackets or punctuation, and no
    issuer before 关于 (重庆市…局关于印发…的通知 = 关于印发…的通知)."""
    import unicodedata

    if not title:
        return None
    s = _TITLE_NOISE.sub("", unicodedata.normalize("NFKC", title))
    s = _ISSUER_BEFORE_GUANYU.sub("", s)
    return s or None


def normalize_issuer(issuer: str) -> str:
    import unicodedata

    return _TITLE_NOISE.sub("", unicodedata.normalize("NFKC", issuer))


def notice_key(doc_number: str | None, issuers: list[str] | tuple[str, ...], title: str | None,
               issue_date: dt.date | None) -> str | None:
    """One key for one notice, whatever file carries it (a PDF and its web page, two sites'
    copies): the normalised 发文字号 with the issuers, else the normalised title with the
    issuers and the 成文日期. None when the document names neither number nor title.
    A short hash, so the key is a plain id for joins; ``n`` marks it as a notice's, not a file's."""
    import hashlib

    who = "、".join(sorted(normalize_issuer(i) for i in issuers if i))
    number = normalize_doc_number(doc_number)
    if number:
        basis = f"number|{number}|{who}"
    else:
        norm = normalize_title(title)
        if not norm:
            return None
        basis = f"title|{norm}|{who}|{issue_date.isoformat() if issue_date else ''}"
    return "n" + hashlib.sha1(basis.encode("utf-8")).hexdigest()[:15]
