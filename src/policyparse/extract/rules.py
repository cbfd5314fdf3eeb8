"""Loading the extractor pattern files (``gazetteers/patterns/*.yaml``).

A pattern file is a mapping of named regexes (and lists of named regexes) plus
plain word lists; regexes may use the numeral macros of
:mod:`policyparse.numerals` (``{NUM}``, ``{MD}``, ``{YEAR}`` …). Every
regex is compiled once, through :func:`policyparse.gazetteer.compile_pattern`,
so a bad rule fails loudly with its file and id instead of silently matching
nothing.
"""
from __future__ import annotations

import functools
import re

from ..errors import GazetteerError
from ..gazetteer import alternation, compile_pattern, load_yaml  # noqa: F401 - alternation is read from here
from ..numerals import expand_macros


def compile_rule(file: str, rule_id: str, pattern: str, groups: tuple[str, ...] = ()) -> re.Pattern:
    if not isinstance(pattern, str):
        raise GazetteerError(f"{file}: rule {rule_id}: pattern must be a string")
    return compile_pattern(file, rule_id, expand_macros(pattern), groups)


@functools.lru_cache(maxsize=None)
def pattern_file(name: str) -> dict:
    return load_yaml(f"patterns/{name}")


def inside_brackets(text: str, pos: int, start: int, pairs: tuple[tuple[str, str], ...]) -> str | None:
    """The opening bracket enclosing ``pos`` (searching back to ``start``), or None.

    Used to drop dates and numbers inside 《title》 and （citation） brackets."""
    depth: dict[str, int] = {}
    closers = {c: o for o, c in pairs}
    openers = {o for o, _ in pairs}
    for i in range(pos - 1, start - 1, -1):
        ch = text[i]
        if ch in closers:
            depth[closers[ch]] = depth.get(closers[ch], 0) + 1
        elif ch in openers:
            if depth.get(ch, 0):
                depth[ch] -= 1
            else:
                return ch
        elif ch == "\n":
            break
    return None
