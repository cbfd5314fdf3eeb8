"""Notices served in traditional characters (mirrors, Hong Kong / Taiwan reposts, OCR of
old prints): one character → one character conversion to simplified, for matching only.

Every pattern and lexicon of the project is written in simplified characters. Instead of
doubling them, segmentation and extraction run on a simplified *shadow* of the text; the
shadow has the same length, so every span found in it is a span of the original, and
:func:`restore` puts the original characters back into every record before export.
The table is OpenCC's (gazetteers/t2s_chars.csv, source recorded there).
"""
from __future__ import annotations

import functools
import re

from .gazetteer import load_csv

# a text is read through the shadow when this share of its Chinese characters changes
TRADITIONAL_SHARE = 0.03


@functools.lru_cache(maxsize=1)
def _table() -> dict[int, str]:
    return {ord(row["traditional"]): row["simplified"] for row in load_csv("t2s_chars.csv")
            if len(row["traditional"]) == 1 and len(row["simplified"]) == 1}


def to_simplified(text: str) -> str:
    """The same text with traditional characters replaced one for one (same length)."""
    return text.translate(_table())


def is_traditional(text: str, shadow: str) -> bool:
    if shadow == text:  # nothing to convert (nearly every notice): no character to count
        return False
    han = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")
    changed = sum(1 for a, b in zip(text, shadow) if a != b)
    return han > 0 and changed >= TRADITIONAL_SHARE * han


def restore(value: str | None, shadow: str, original: str, near: int | None = None) -> str | None:
    """``value`` read from the shadow, written with the original's characters: the
    occurrence at ``near`` (a record's own start) or else the first one."""
    if not value:
        return value
    pos = near if near is not None and shadow.startswith(value, near) else shadow.find(value)
    if pos >= 0:
        return original[pos:pos + len(value)]
    if any(ch.isspace() for ch in value):
        return value
    # a value joined from several lines (a title over two lines): its characters in order,
    # white space between them in the text
    m = re.compile(r"\s*".join(map(re.escape, value))).search(shadow, near or 0) or \
        re.compile(r"\s*".join(map(re.escape, value))).search(shadow)
    if m is None:
        return value
    return "".join(original[i] for i in range(m.start(), m.end()) if not shadow[i].isspace())
