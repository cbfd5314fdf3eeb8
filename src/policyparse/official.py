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
