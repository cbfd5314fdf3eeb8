"""Chinese and Arabic numerals as they appear in notices: 12, 6.5, 十二, 二〇二三, 两, 一百零二.

Shared by the deadline, frequency and target extractors. ``NUM`` is a regex
fragment matching one number written either way; :func:`parse_number` turns the
matched text into a value. Pattern files under ``gazetteers/patterns`` use it
through the ``{NUM}`` / ``{CN}`` / ``{INT}`` macros (see :func:`expand_macros`).
"""
from __future__ import annotations

import re

CN_DIGITS = {"零": 0, "〇": 0, "○": 0, "Ｏ": 0, "一": 1, "壹": 1, "二": 2, "贰": 2, "两": 2, "三": 3,
             "叁": 3, "四": 4, "肆": 4, "五": 5, "伍": 5, "六": 6, "陆": 6, "七": 7, "柒": 7,
             "八": 8, "捌": 8, "九": 9, "玖": 9}
CN_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
CN_BIG = {"万": 10_000, "亿": 100_000_000}

_CN_CHARS = "".join(CN_DIGITS) + "".join(CN_UNITS) + "".join(CN_BIG)
# one number: Arabic (with decimals / thousands separators) or a run of Chinese numerals
# Each starts where a run of its digits starts (the lookbehinds): a number found inside
# a run is the run's tail, never a number of its own, and without them a 50,000-digit
# run is tried from each of its 50,000 positions (quadratic: minutes per line).
CN = f"(?<![{_CN_CHARS}])[{_CN_CHARS}]+"
INT = r"\d{1,9}"
ARABIC = r"(?<!\d)(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
NUM = f"(?:{ARABIC}|{CN})"
# a month or a day: 1-31 in either script
MD = r"(?:\d{1,2}|[一二三四五六七八九十]{1,3})"
YEAR = r"(?:(?:19|20)\d{2}|[一二][〇○零九][〇○零一二三四五六七八九]{2})"

MACROS = {"NUM": NUM, "CN": CN, "INT": INT, "MD": MD, "YEAR": YEAR}


def expand_macros(pattern: str) -> str:
    """Replace ``{NUM}``-style macros by their regex; other braces (``{1,3}``) stay."""
    return re.sub(r"\{([A-Z]+)\}", lambda m: f"(?:{MACROS[m.group(1)]})" if m.group(1) in MACROS
                  else m.group(0), pattern)


def _parse_cn_section(s: str) -> int | None:
    """A Chinese numeral below 10 000 (十二, 一百零二, 三千五, 二十)."""
    total, digit, seen_unit = 0, None, False
    for ch in s:
        if ch in CN_DIGITS:
            digit = CN_DIGITS[ch]
        elif ch in CN_UNITS:
            total += (1 if digit is None else digit) * CN_UNITS[ch]
            digit, seen_unit = None, True
        else:
            return None
    if digit is not None:
        total += digit
    return total


def parse_cn_int(s: str) -> int | None:
    """Chinese numerals to an int: 十二 → 12, 一百零二 → 102, 三万 → 30000;
    a digit-by-digit run (二〇二三, 一二) reads positionally. None if not a numeral."""
    s = s.strip()
    if not s:
        return None
    if all(ch in CN_DIGITS for ch in s) and len(s) > 1:
        return int("".join(str(CN_DIGITS[ch]) for ch in s))
    total, section = 0, ""
    for ch in s:
        if ch in CN_BIG:
            val = _parse_cn_section(section) if section else 1
            if val is None:
                return None
            total = (total + val) * CN_BIG[ch]
            section = ""
        elif ch in CN_DIGITS or ch in CN_UNITS:
            section += ch
        else:
            return None
    if section:
        val = _parse_cn_section(section)
        if val is None:
            return None
        total += val
    return total


def parse_number(s: str) -> float | None:
    """Arabic (``1,200``, ``6.5``) or Chinese (``十二``) numeral text to a number."""
    s = s.strip().replace(",", "")
    if not s:
        return None
    try:
        return float(s)
    except ValueError:
        pass
    m = re.fullmatch(r"(\d+(?:\.\d+)?)([万亿])", s)
    if m:
        return float(m.group(1)) * CN_BIG[m.group(2)]
    v = parse_cn_int(s)
    return None if v is None else float(v)


def parse_int(s: str) -> int | None:
    v = parse_number(s)
    return None if v is None or v != int(v) else int(v)
