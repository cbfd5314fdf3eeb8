"""Numbering labels of Chinese official documents (一、 （一） 1. （1） ①, 第一章 …).

Shared by the text-layout recovery of ``ingest`` (which finds labels inside run-on
lines) and by the outline of ``segment`` (which nests them): one home for the
label styles of ``gazetteers/outline.yaml`` and for reading their numbers.
"""
from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from .gazetteer import compile_pattern, load_yaml
from .numerals import parse_cn_int

CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
GAZETTEER = "outline.yaml"


@dataclass(frozen=True)
class NumberingStyle:
    id: str
    regex: re.Pattern
    numeral: str  # chinese | arabic | circled | enclosed | bullet


@dataclass(frozen=True)
class NumberingRules:
    styles: tuple[NumberingStyle, ...]
    chinese_ordinal: re.Pattern


@functools.lru_cache(maxsize=1)
def rules() -> NumberingRules:
    data = load_yaml(GAZETTEER)
    styles = []
    for s in data.get("styles") or ():
        styles.append(NumberingStyle(
            s["id"], compile_pattern(GAZETTEER, s["id"], s["pattern"], ("label", "num")), s["numeral"]))
    return NumberingRules(tuple(styles),
                          compile_pattern(GAZETTEER, "chinese_ordinal", data["chinese_ordinal"]))


@dataclass
class Label:
    style: str
    num: int
    text: str  # the label as written, e.g. "（一）", "1、"
    end: int  # offset where the label (and its trailing space) ends in the paragraph

    @property
    def path_label(self) -> str:
        """The label as the gold path writes it: "三", "（一）", "1", "（1）", "①"."""
        t = self.text.strip()
        if self.style in ("cn_dun", "arabic_dot"):
            return t.rstrip("、．.，,﹒")
        if self.style == "arabic_half_paren":
            return t.rstrip(")）")
        if self.style == "bullet":  # its place among its siblings: 1, 2, 3 …
            return str(self.num)
        return t


def match_label(text: str) -> Label | None:
    """The numbering label that starts ``text``, if any (a bare label is no item)."""
    for style in rules().styles:
        m = style.regex.match(text)
        if not m:
            continue
        num = read_num(m.group("num"), style.numeral)
        if num is None:
            continue
        rest = text[m.end():]
        if not rest.strip():
            continue
        return Label(style.id, num, m.group("label"), m.end())
    return None


def read_num(s: str, numeral: str) -> int | None:
    if numeral == "bullet":  # a bullet carries no number: the outline counts its siblings
        return 1
    if numeral == "circled":  # before isdigit(): Python counts ① as a digit
        return CIRCLED.index(s) + 1 if s in CIRCLED else None
    if numeral == "enclosed":  # ⑴ ⒈: one character whose compatibility form is "(1)" / "1."
        digits = unicodedata.normalize("NFKC", s).strip("(). ")
        return int(digits) if len(s) == 1 and digits.isdigit() else None
    if s.isascii() and s.isdigit():
        return int(s)
    if not rules().chinese_ordinal.match(s):
        return None
    return parse_cn_int(s)
