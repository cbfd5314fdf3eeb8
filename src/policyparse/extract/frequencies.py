"""Frequencies (ANNOTATION §5): recurring obligations, as pure functions over a span.

Patterns are in ``gazetteers/patterns/frequency.yaml``. A frequency needs a
period (每月, 按季度, 一年两次, or the 班组日排查 shorthand); 定期 or a bare
至少组织1次 has none and is not one. The raw runs from 每/按 to the end of the
clause (next punctuation, or 并 joining a second verb).
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from ..model import Frequency
from ..numerals import parse_int
from .rules import alternation, compile_rule, pattern_file

FILE = "frequency.yaml"


@dataclass(frozen=True)
class _Rules:
    periods: dict[str, tuple[str, int]]
    every: re.Pattern
    by_period: re.Pattern
    per_shape: re.Pattern
    count: re.Pattern
    at_least: re.Pattern
    at_most: re.Pattern
    at_least_after: re.Pattern
    clause_end: re.Pattern
    shorthand: re.Pattern
    actor_max: int
    actor_stop: re.Pattern
    actor_reject: tuple[str, ...]
    one_per: re.Pattern
    bare_after: re.Pattern
    rate_quantity: re.Pattern
    whole_period: re.Pattern
    whole_period_times: re.Pattern
    times_per: re.Pattern
    at_least_longest: int  # characters of the longest lower-bound word (原则上不少于)


@functools.lru_cache(maxsize=None)
def rules() -> _Rules:
    d = pattern_file(FILE)
    periods = {k: (v[0], int(v[1])) for k, v in d["periods"].items()}
    alt = alternation(list(periods))
    c = lambda key, groups=(): compile_rule(FILE, key, d[key].replace("{PERIODS}", alt), groups)  # noqa: E731
    return _Rules(periods, c("every", ("period",)), c("by_period", ("period",)),
                  c("per_shape", ("period", "count")), c("count", ("count",)),
                  compile_rule(FILE, "at_least", alternation(d["at_least"])),
                  compile_rule(FILE, "at_most", alternation(d["at_most"])),
                  c("at_least_after"), c("clause_end"), c("shorthand", ("period",)),
                  int(d["shorthand_actor_max"]), c("shorthand_actor_stop"),
                  tuple(d["shorthand_actor_reject"]), c("one_per", ("period",)),
                  c("shorthand_bare_after"), c("rate_quantity"), c("whole_period", ("period",)),
                  c("whole_period_times", ("count",)), c("times_per", ("count", "period")),
                  max(len(w) for w in d["at_least"]))


def _clause_end(text: str, pos: int, end: int) -> int:
    m = rules().clause_end.search(text, pos, end)
    e = m.start() if m else end
    while e > pos and text[e - 1] in " \u3000":
        e -= 1
    return e


def _count_and_comparator(clause: str) -> tuple[int, str]:
    r = rules()
    m = r.count.search(clause)
    count = parse_int(m.group("count")) if m else None
    comparator = "="
    if r.at_least.search(clause) or (m and r.at_least_after.match(clause[m.end():])):
        comparator = ">="
    elif r.at_most.search(clause):
        comparator = "<="
    return (count if count and count > 0 else 1), comparator


# the days a routine recurs on, listed after 每月 / 每周: 13日、28日; 一、三、五
_DAYS_LISTED = re.compile(r"(?:\d{1,2}[日号](?:[、和及]\d{1,2}[日号])+|[一二三四五六日](?:[、和及][一二三四五六日])+(?![\u4e00-\u9fff]{0,1}[、和及]))")


def find_frequencies(text: str, start: int, end: int) -> list[Frequency]:
    """Recurring obligations in ``text[start:end]`` (absolute offsets, raw == text[s:e])."""
    r = rules()
    out: list[Frequency] = []
    taken: list[tuple[int, int]] = []

    def add(s: int, e: int, period_word: str, count: int, comparator: str, rule: str) -> None:
        if any(s < te and ts < e for ts, te in taken):
            return
        period, mult = r.periods[period_word]
        out.append(Frequency(text[s:e], period, count * mult, comparator, s, e, rule=rule))
        taken.append((s, e))

    for rule_id, rx in (("every", r.every), ("by_period", r.by_period)):
        for m in rx.finditer(text, start, end):
            s = m.start()
            days = _DAYS_LISTED.match(text, m.end(), end) if m.group("period") in ("月", "周", "星期") else None
            if days:
                # 每月13日、28日报送 / 每周一、三、五: as many times as days are listed
                n = len(re.findall(r"\d{1,2}[日号]|[一二三四五六日天]", days.group()))
                add(s, _clause_end(text, days.end(), end), m.group("period"), n, "=", f"{rule_id}.days_listed")
                continue
            e = _clause_end(text, m.end(), end)
            clause = text[m.end():e]
            if r.rate_quantity.search(clause) and not r.count.search(clause):
                continue  # 每天…不少于2小时: a quantity per period, a target
            count, comparator = _count_and_comparator(clause)
            before = r.at_least.search(text, max(start, s - r.at_least_longest), s)
            if before is not None and before.end() == s:
                # 至少每半年提交一份: the bound stands before 每; the raw starts with it
                s, comparator = before.start(), ">="
            add(s, e, m.group("period"), count, comparator, rule_id)
    for m in r.whole_period.finditer(text, start, end):
        e = _clause_end(text, m.end(), end)
        if r.whole_period_times.search(text, m.end(), e):  # 全年…不少于2次; never a bare 全年
            count, comparator = _count_and_comparator(text[m.end():e])
            add(m.start(), e, m.group("period"), count, comparator, "whole_period")
    for m in r.per_shape.finditer(text, start, end):
        n = parse_int(m.group("count"))
        if n:
            add(m.start(), m.end(), m.group("period"), n, "=", "per_shape")
    for m in r.one_per.finditer(text, start, end):
        add(m.start(), m.end(), m.group("period"), 1, "=", "one_per")
    for m in r.times_per.finditer(text, start, end):
        n = parse_int(m.group("count"))
        if n:
            add(m.start(), m.end(), m.group("period"), n, "=", "times_per")
    out += _shorthand(text, start, end, taken)
    out.sort(key=lambda f: f.start)
    return out


def _shorthand(text: str, start: int, end: int, taken: list[tuple[int, int]]) -> list[Frequency]:
    """班组日排查、部门周排查、厂长经理月排查: one frequency each, only as a series
    (two or more different periods close together), never inside quotes (“日周月”)."""
    r = rules()
    cands = []
    for m in r.shorthand.finditer(text, start, end):
        s = m.start()
        lo = max(start, s - r.actor_max)
        actor_start = s
        stop = None
        for st in r.actor_stop.finditer(text, lo, s):
            stop = st
        actor_start = stop.end() if stop else lo
        actor = text[actor_start:s]
        if not actor:
            # no actor (实行月调度、季通报): only right after a verb or a clause mark
            if s > start and not r.bare_after.search(text[max(start, s - 2):s]):
                continue
        elif len(actor) < 2 or any(actor.endswith(x) for x in r.actor_reject) or actor in r.actor_reject:
            continue
        elif not re.fullmatch(r"[\u4e00-\u9fff]+", actor):
            continue
        cands.append((actor_start, m.end(), m.group("period")))
    out = []
    for i, (s, e, p) in enumerate(cands):
        near = [c for c in cands if c is not cands[i] and abs(c[0] - s) <= 30 and c[2] != p]
        if not near or any(s < te and ts < e for ts, te in taken):
            continue
        period, mult = r.periods[p]
        out.append(Frequency(text[s:e], period, mult, "=", s, e, rule="shorthand"))
    return out
