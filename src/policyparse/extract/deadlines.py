"""Deadlines (ANNOTATION §4): time limits a task states, as pure functions over a span.

The shapes live in ``gazetteers/patterns/deadline.yaml``. In body text a date
counts only with a limit cue (…前, …底前, …完成, 在…, a task sentence
"2023年12月底前，完成…") and never inside a title or citation, in the past, or
as a starting point (2022年5月后). In a deadline column (``column=True``) every
date shape is a limit, and so are states (全年 → ongoing) and references to
someone else's schedule (按上级要求 → external).
"""
from __future__ import annotations

import bisect
import calendar
import datetime as dt
import functools
import re
from dataclasses import dataclass

from ..model import Deadline
from ..numerals import parse_int
from .rules import compile_rule, inside_brackets, pattern_file

FILE = "deadline.yaml"
QUARTERS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}


@dataclass(frozen=True)
class _Rules:
    dates: tuple[tuple[str, str, re.Pattern], ...]  # (id, kind, regex)
    suffix_in_raw: re.Pattern
    suffix_done: re.Pattern
    cue_after: re.Pattern
    cue_before: re.Pattern
    reject_after: re.Pattern
    reject_before: re.Pattern
    citation_brackets: tuple[tuple[str, str], ...]
    paren_pairs: tuple[tuple[str, str], ...]
    citation_paren_marks: re.Pattern
    ongoing: re.Pattern
    external: re.Pattern
    external_body: re.Pattern


@functools.lru_cache(maxsize=None)
def rules() -> _Rules:
    data = pattern_file(FILE)
    dates = tuple((r["id"], r.get("kind", "by_date"), compile_rule(FILE, r["id"], r["pattern"]))
                  for r in data["dates"])
    c = lambda key: compile_rule(FILE, key, data[key])  # noqa: E731
    one, joiner = data["ongoing"], data["ongoing_joiner"]
    ongoing = compile_rule(FILE, "ongoing", f"(?:{one})(?:{joiner}(?:{one}))*")
    return _Rules(dates, c("suffix_in_raw"), c("suffix_done"), c("cue_after"), c("cue_before"),
                  c("reject_after"), c("reject_before"),
                  tuple(tuple(p) for p in data["citation_brackets"]),
                  tuple(tuple(p) for p in data["paren_pairs"]),
                  c("citation_paren_marks"), ongoing, c("external"), c("external_body"))


_TIME_LABEL = re.compile(r"(?:完成时限|完成时间|办结时限|时间节点|时限要求|时限)\s*[:：]\s*")
_TIME_VALUE_END = re.compile(r"[，,；;）)\]】。\n]")
_BARE_YEAR_CELL = re.compile(r"\s*(?P<raw>(?P<year>(?:19|20)\d{2})\s*(?:年度?)?)\s*")
_EXPLICIT_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年(?!代)")


def _year_before(text: str, start: int, pos: int) -> int | None:
    """The last year written in ``text[start:pos]`` (2022年), or None."""
    starts, ends, years = _years_in(text)
    i = bisect.bisect_right(ends, pos)
    if i and starts[i - 1] >= start:
        return years[i - 1]
    return None


@functools.lru_cache(maxsize=4)
def _years_in(text: str) -> tuple[list[int], list[int], list[int]]:
    """Every explicit year of ``text`` (match starts, ends, values), found once per
    text: searching from the span start for each of n deadlines made a list cost n²."""
    starts, ends, years = [], [], []
    for m in _EXPLICIT_YEAR.finditer(text):
        starts.append(m.start())
        ends.append(m.end())
        years.append(int(m.group(1)))
    return starts, ends, years


def _last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _resolve(m: re.Match, plan_year: int | None) -> tuple[dt.date | None, dt.date | None] | None:
    """(date, window_start) for a date match; None when the numbers are no date."""
    g = m.groupdict()
    year = parse_int(g["year"]) if g.get("year") else plan_year
    if year is not None and not 1900 <= year <= 2100:
        return None
    if g.get("y1"):  # a window of whole years: 2016—2018年
        y1 = parse_int(g["y1"])
        if year is None or y1 is None or not 1900 <= y1 <= year:
            return None
        return dt.date(year, 12, 31), dt.date(y1, 1, 1)
    if g.get("m1"):  # window
        m1 = parse_int(g["m1"])
        last = parse_int(g.get("m4") or g["m2"])
        if not (m1 and last and 1 <= m1 <= 12 and 1 <= last <= 12):
            return None
        if year is None:
            return None, None
        # 10月-次年3月: the window ends in the year after it starts (a season that spans the new year)
        year2 = parse_int(g["y2"]) if g.get("y2") else year + 1 if g.get("next") else year
        d1 = parse_int(g["d1"]) if g.get("d1") else 1
        d2 = parse_int(g["d2"]) if g.get("d2") else _last_day(year2, last)
        if not (1 <= d1 <= _last_day(year, m1) and 1 <= d2 <= _last_day(year2, last)):
            return None
        return dt.date(year2, last, d2), dt.date(year, m1, d1)
    month = parse_int(g["month"]) if g.get("month") else None
    if month is not None and not 1 <= month <= 12:
        return None
    day = parse_int(g["day"]) if g.get("day") else None
    if year is None:
        return None, None
    if g.get("half"):
        return (dt.date(year, 6, 30) if g["half"] == "上半年" else dt.date(year, 12, 31)), None
    if g.get("quarter"):
        q = QUARTERS[g["quarter"]]
        return dt.date(year, 3 * q, _last_day(year, 3 * q)), None
    if month is None:  # a whole year, 年底, 年末, 年内
        return dt.date(year, 12, 31), None
    if day is not None:
        if not 1 <= day <= _last_day(year, month):
            return None
        return dt.date(year, month, day), None
    part = g.get("part") or ""
    day = {"上旬": 10, "中旬": 20}.get(part, _last_day(year, month))
    return dt.date(year, month, day), None


def _is_citation(text: str, pos: int, lo: int, r: _Rules) -> bool:
    if inside_brackets(text, pos, lo, r.citation_brackets):
        return True
    opener = inside_brackets(text, pos, lo, r.paren_pairs)
    if opener:
        close = {"（": "）", "(": ")"}[opener]
        end = text.find(close, pos, pos + 200)  # bounded: an unclosed bracket made n²
        inner = text[text.rfind(opener, lo, pos):end if end != -1 else pos + 40]
        return bool(r.citation_paren_marks.search(inner))
    return False


# every date shape holds one of these (2023年, 6月, 第三季度, 上半年, 2023-06-30): a span
# without any is read by no date rule
_DATE_CHARS = re.compile(r"[年月季\d]")


def _matches(text: str, start: int, end: int) -> list[tuple[int, int, str, str, re.Match]]:
    """Leftmost-longest, non-overlapping date matches in the span."""
    if not _DATE_CHARS.search(text, start, end):
        return []
    found = []
    for rule_id, kind, rx in rules().dates:
        for m in rx.finditer(text, start, end):
            if m.end() > m.start():
                found.append((m.start(), m.end(), rule_id, kind, m))
    found.sort(key=lambda f: (f[0], -(f[1] - f[0])))
    out, last_end = [], -1
    for f in found:
        if f[0] >= last_end:
            out.append(f)
            last_end = f[1]
    return out


# how far after a date its cues (前完成, 底前, 以前) are looked for
AFTER_MAX = 300


class _Spans:
    """Non-overlapping taken spans, sorted: an overlap test is one bisection (a list
    scanned per match made a task with n dates cost n²)."""

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []

    def overlaps(self, s: int, e: int) -> bool:
        i = bisect.bisect_left(self.starts, e)  # spans starting before e
        return bool(i) and self.ends[i - 1] > s

    def add(self, span: tuple[int, int]) -> None:
        i = bisect.bisect_left(self.starts, span[0])
        self.starts.insert(i, span[0])
        self.ends.insert(i, span[1])


def find_deadlines(text: str, start: int, end: int, plan_year: int | None, *,
                   column: bool = False) -> list[Deadline]:
    """Time limits in ``text[start:end]``; offsets are absolute, ``raw == text[s:e]``.

    ``column=True``: the span is a 完成时限 cell, so bare dates, 全年/长期 (ongoing)
    and 按…要求完成 (external) count; frequencies written there (每半年一次, 按季度)
    are left to :func:`policyparse.extract.frequencies.find_frequencies`.
    """
    r = rules()
    out: list[Deadline] = []
    taken = _Spans()
    if not column:
        # a labelled time limit in running text (（责任单位：…，完成时限：全年）) reads as a
        # 完成时限 cell: its states (全年, 长期) and bare dates count
        for m in _TIME_LABEL.finditer(text, start, end):
            stop = _TIME_VALUE_END.search(text, m.end(), end)
            value_end = stop.start() if stop else end
            for d in find_deadlines(text, m.end(), value_end, plan_year, column=True):
                d.rule = "label." + d.rule.removeprefix("column.")
                out.append(d)
                taken.add((d.start, d.end))
    for s, e, rule_id, kind, m in _matches(text, start, end):
        if taken.overlaps(s, e):
            continue
        after = text[e:min(end, e + AFTER_MAX)]  # a window: slicing to the span end was n²
        before = text[max(start, s - 8):s]
        if r.reject_after.match(after) or r.reject_before.search(before):
            continue
        if _is_citation(text, s, max(start, s - 200), r):
            continue
        g = m.groupdict()
        # (a window's end decides: 2024年11月-2025年3月 is a limit of 2025)
        explicit_year = parse_int(g.get("y2") or g["year"]) if g.get("year") else None
        if explicit_year and plan_year and explicit_year < plan_year:
            continue  # a past year is history, not a limit
        raw_end = e
        suf = r.suffix_in_raw.match(after)
        if suf:
            raw_end = e + suf.end()
        else:
            done = r.suffix_done.match(after)
            if done:
                raw_end = e + done.end()
        cue = bool(suf) or raw_end > e or bool(r.cue_after.match(after)) or bool(r.cue_before.search(before))
        if not column:
            if kind == "window":
                # 3-6月期间, or a window standing alone in brackets: （5月至9月）
                alone = s > start and text[s - 1] in "（(" and e < end and text[e] in "）)"
                cue = cue or bool(g.get("tail")) or alone
            elif g.get("part") == "份":
                cue = True  # 6月份清零: 月份 names a time limit on its own
            if not cue:
                continue
        # without a plan year, a date without a year is in the year the task last named
        # (2022年汛前完成…，2月底前完成初设审批)
        resolved = _resolve(m, plan_year if plan_year is not None else _year_before(text, start, s))
        if resolved is None:
            continue
        date, wstart = resolved
        if g.get("quarter") and date and raw_end == e and not text[s:e].endswith(("末", "底")):
            # 第三季度集中开展… names the quarter as a period (a window), 一季度末前 its end
            kind, wstart = "window", date.replace(month=date.month - 2, day=1)
        out.append(Deadline(text[s:raw_end], kind, date, s, raw_end, wstart,
                            rule=f"{'column.' if column else ''}{rule_id}"))
        taken.add((s, raw_end))
    if column and not out:
        whole = _BARE_YEAR_CELL.fullmatch(text, start, end)
        if whole:
            # a time column that gives only a year (建设时间 2024) names the year's work: a window
            year = int(whole.group("year"))
            s, e = whole.span("raw")
            out.append(Deadline(text[s:e], "window", dt.date(year, 12, 31), s, e, dt.date(year, 1, 1),
                                rule="column.year"))
            taken.add((s, e))
    extra = [(r.external, "external", "column.external")] if column else [
        (r.external_body, "external", "external_body")]
    if column:
        extra.append((r.ongoing, "ongoing", "column.ongoing"))
    for rx, kind, rule_id in extra:
        for m in rx.finditer(text, start, end):
            s, e = m.span()
            if taken.overlaps(s, e):
                continue
            if kind == "ongoing" and s > start and text[s - 1] in "每按":
                continue
            out.append(Deadline(text[s:e], kind, None, s, e, rule=rule_id))
            taken.add((s, e))
    out.sort(key=lambda d: d.start)
    return out
