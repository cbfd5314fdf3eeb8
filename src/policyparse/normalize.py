"""Offset-safe normalisation applied by the DocumentBuilder to every piece of text.

The builder normalises each piece *before* it joins the document text, so every
offset the pipeline records points into the normalised string; nothing rewrites
``Document.text`` afterwards (dateparser's lost offsets avoided).

What changes, and why:
- line endings to ``\\n`` and zero-width / BOM characters dropped: invisible in
  every format and they break matching;
- full-width digits, Latin letters, ％ and ＋ to ASCII: notices mix both widths for
  the same number (２０２３年 / 2023年) and the extractors read one;
- spaces between two Chinese characters, or between a digit and a Chinese character,
  dropped: PDF text layers, Word justification and crawled pages insert them
  (``工 作 要 点``, ``2022 年 5 月``, ``17 项``), Chinese writes none;
- ASCII punctuation that touches a Chinese character to its full-width form
  (``(一)`` → ``（一）``, ``责任单位:`` → ``责任单位：``), the form Chinese text sets
  (GB/T 15834): drafters and OCR engines mix both widths for the same mark;
- 发文字号 brackets (（2023）, [2023], 【2023】) to 〔2023〕 as GB/T 9704 writes them.
"""
from __future__ import annotations

import re

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_WIDTH = {c: c - 0xFEE0 for c in list(range(0xFF10, 0xFF1A)) + list(range(0xFF21, 0xFF3B))
          + list(range(0xFF41, 0xFF5B))}
_WIDTH.update({ord("％"): "%", ord("＋"): "+", ord("\u00a0"): " ", ord("\u3000"): " "})

_CJK = r"\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uff0f\uff1a-\uff20\u2014\u2026\u201c\u201d\u2018\u2019"
_SPACE_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}])[ \t]+(?=[{_CJK}])")
_SPACE_DIGIT_CJK = re.compile(r"(?<=\d)[ \t]+(?=[\u4e00-\u9fff])|(?<=[\u4e00-\u9fff])[ \t]+(?=\d)")
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_ASCII_PUNCT_BY_HAN = re.compile(rf"(?<=[{_HAN}])[,;:?!()]|[,;:?!()](?=[{_HAN}])")
_FULL_WIDTH = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！", "(": "（", ")": "）"}
_TRAILING_SPACE = re.compile(r"[ \t]+(?=\n|$)")
# 发文字号: an issuer code ending in a CJK character, a year in some bracket, a serial 号
_DOC_NUMBER_BRACKETS = re.compile(
    r"(?<=[\u4e00-\u9fff])\s*[\[［【(（〔﹝]\s*((?:19|20)\d{2})\s*[\]］】)）〕﹞]\s*(?=\d{1,5}\s*号)")


def normalize_text(s: str) -> str:
    """Normalise one piece of text (see the module docstring for what and why)."""
    if not s:
        return s
    s = s.replace("\r\n", "\n").replace("\r", "\n").translate(_ZERO_WIDTH).translate(_WIDTH)
    # punctuation first: a bracket it turns full-width (㐀) 㐀 → 㐀） 㐀) is a CJK mark whose space
    # the next step drops; the other order left that space for a second pass (not idempotent)
    s = _ASCII_PUNCT_BY_HAN.sub(lambda m: _FULL_WIDTH[m.group()], s)
    s = _SPACE_BETWEEN_CJK.sub("", s)
    s = _SPACE_DIGIT_CJK.sub("", s)
    s = _TRAILING_SPACE.sub("", s)
    s = _DOC_NUMBER_BRACKETS.sub(r"〔\1〕", s)
    return s


def split_outside_brackets(text: str, start: int, end: int, separator: re.Pattern, pairs: dict[str, str],
                           protected: list[tuple[int, int]] = ()) -> list[tuple[int, int]]:
    """The spans of ``text[start:end]`` between matches of ``separator`` that stand outside
    brackets (``pairs``: opener → closer) and outside the ``protected`` spans: 各县（市、区）人民政府
    is one name, 各部、办、中心 one collective. Shared by the header's 主送 lists and the units of
    task notes, which split the same way."""
    opens, closes = set(pairs), set(pairs.values())
    depth = 0
    cuts: list[tuple[int, int]] = []
    i = start
    while i < end:
        ch = text[i]
        if ch in opens:
            depth += 1
        elif ch in closes:
            depth = max(0, depth - 1)
        elif depth == 0 and not any(ps <= i < pe for ps, pe in protected):
            m = separator.match(text, i, end)
            if m and m.end() > i:
                cuts.append(m.span())
                i = m.end()
                continue
        i += 1
    pieces, pos = [], start
    for cs, ce in cuts:
        pieces.append((pos, cs))
        pos = ce
    pieces.append((pos, end))
    return pieces

