"""Targets (ANNOTATION §6): quantified goals, as pure functions over a span.

Patterns are in ``gazetteers/patterns/target.yaml``. A percentage is a goal
wherever it stands outside a title or citation; a count (102个, 3000人, 三级) is
a goal only after a goal verb (完成, 建成, 确保满足 …) close before it, so that
counts in names (“三个责任人”), conditions (30人以下的企业), durations (三年行动)
and list numbers stay out. With ``goals=True`` (a 工作目标 section) a clause
without a number can be a goal too: zero / decrease / within_quota / null.
"""
from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass

from ..model import Target
from ..numerals import parse_number
from .rules import alternation, compile_rule, inside_brackets, pattern_file

FILE = "target.yaml"
_TITLE_BRACKETS = (("《", "》"), ("〈", "〉"), ("“", "”"), ('"', '"'))
_PARENS = (("（", "）"), ("(", ")"))


@dataclass(frozen=True)
class _Rules:
    percent: re.Pattern
    count: re.Pattern
    verbs: re.Pattern
    cn_verbs: re.Pattern
    gap: int
    gap_at_end: int
    after_ge: re.Pattern
    after_le: re.Pattern
    after_eq: re.Pattern
    before_ge: re.Pattern
    before_le: re.Pattern
    reject_unit_after: re.Pattern
    reject_before: re.Pattern
    reject_condition: re.Pattern
    reject_idiom: re.Pattern
    reject_fact: re.Pattern
    clause_end: re.Pattern
    metric_head: re.Pattern
    metric_tail: re.Pattern
    qualitative: tuple[tuple[str, str | None, re.Pattern], ...]
    harm: re.Pattern
    label_head: re.Pattern
    empty_metric: re.Pattern
    per_period: re.Pattern
    per_period_units: frozenset[str]
    indicator_unit: re.Pattern | None
    qualified_noun: re.Pattern | None
    counted_units: frozenset[str]
    cover_note: re.Pattern | None = None


@functools.lru_cache(maxsize=None)
def rules() -> _Rules:
    d = pattern_file(FILE)
    c = lambda key, groups=(): compile_rule(FILE, key, d[key], groups)  # noqa: E731
    qual = tuple((q["id"], q.get("comparator"), compile_rule(FILE, q["id"], q["pattern"]))
                 for q in d["qualitative"])
    return _Rules(c("percent"), c("count", ("value", "unit")),
                  compile_rule(FILE, "count_verbs", f"(?:{alternation(d['count_verbs'])})"),
                  compile_rule(FILE, "cn_count_verbs", f"(?:{alternation(d['cn_count_verbs'])})"),
                  int(d["count_gap_max"]), int(d["count_gap_max_at_clause_end"]), c("after_ge"), c("after_le"), c("after_eq"),
                  c("before_ge"), c("before_le"), c("reject_unit_after"), c("reject_before"),
                  c("reject_condition"), c("reject_idiom"), c("reject_fact"), c("clause_end"), c("metric_strip_head"),
                  c("metric_strip_tail"), qual, c("harm_object"),
                  c("label_head"), c("empty_metric"), c("per_period"),
                  frozenset(d["per_period_units"]),
                  compile_rule(FILE, "indicator_unit", d["indicator_unit"], ("unit",))
                  if d.get("indicator_unit") else None,
                  compile_rule(FILE, "qualified_noun", d["qualified_noun"]) if d.get("qualified_noun") else None,
                  frozenset(d.get("counted_units") or ()),
                  compile_rule(FILE, "cover_note", d["cover_note"]) if d.get("cover_note") else None)


CLAUSE_MAX = 300


@functools.lru_cache(maxsize=4)
def _clause_ends(text: str, start: int, end: int) -> tuple[list[int], list[int]]:
    """Starts and ends of every clause break in text[start:end], found once per span:
    scanning from the span's start for each number made a line of n numbers cost n²."""
    starts, ends = [], []
    for m in rules().clause_end.finditer(text, start, end):
        starts.append(m.start())
        ends.append(m.end())
    return starts, ends


def _clause_bounds(text: str, pos: int, start: int, end: int) -> tuple[int, int]:
    r = rules()
    starts, ends = _clause_ends(text, start, end)
    i = bisect.bisect_right(ends, pos)  # the breaks that end at or before pos
    lo = ends[i - 1] if i else start
    j = bisect.bisect_left(starts, pos)  # the first break at or after pos
    hi = starts[j] if j < len(starts) else end
    # a "clause" without a break for hundreds of characters is no clause (a run of
    # numbers, a glued table): bounded, so the searches over it stay linear overall
    lo, hi = max(lo, pos - CLAUSE_MAX), min(hi, pos + CLAUSE_MAX)
    label = r.label_head.match(text, lo, pos)
    if label:
        lo = label.end()
    return lo, hi


def _comparator(text: str, s: int, e: int, clause_lo: int) -> tuple[str, int]:
    """(comparator, end of the raw) from the cues around the number text[s:e]."""
    r = rules()
    after = text[e:e + 6]
    before = text[max(clause_lo, s - 6):s]
    for rx, cmp in ((r.after_ge, ">="), (r.after_le, "<="), (r.after_eq, "=")):
        m = rx.match(after)
        if m:
            return cmp, e + m.end()
    if r.before_ge.search(before):
        return ">=", e
    if r.before_le.search(before):
        return "<=", e
    return "=", e


# the lower end of a range written before a number: 10至 / 3- / 90%～ (ANNOTATION §6 is silent on
# ranges; the annotators of sets I and T read 3-5% and 10至20个 as at least the lower end)
_RANGE_LOW = re.compile(r"(?P<low>\d+(?:\.\d+)?)\s*%?\s*(?:至|到|~|～|－|—|-)\s*$")


def _range_low(text: str, s: int, clause_lo: int) -> tuple[float, int] | None:
    """``(lower end, its offset)`` when the number at ``s`` closes a range, else None."""
    m = _RANGE_LOW.search(text, max(clause_lo, s - 14), s)
    if m is None:
        return None
    low = parse_number(m.group("low"))
    return (low, m.start("low")) if low is not None else None


def _in_title_or_citation(text: str, pos: int, lo: int) -> bool:
    if inside_brackets(text, pos, max(lo, pos - 200), _TITLE_BRACKETS):
        return True
    opener = inside_brackets(text, pos, max(lo, pos - 200), _PARENS)
    if opener:
        close = {"（": "）", "(": ")"}[opener]
        j = text.find(close, pos, pos + 60)
        inner = text[text.rfind(opener, 0, pos):j if j != -1 else pos + 30]
        return bool(re.search(r"号|〔|〕|版", inner))
    return False


def _metric(text: str, lo: int, hi: int) -> str | None:
    r = rules()
    s = text[lo:hi].strip(" 　——-、")
    for _ in range(3):
        s2 = r.metric_tail.sub("", r.metric_head.sub("", s)).strip(" 　，,")
        if s2 == s:
            break
        s = s2
    return s or None


def _number_ok(text: str, s: int, start: int = 0) -> bool:
    """Not the tail of a longer token (PM2.5, V2, 3-6, 1/2); what stands before the span
    read (an item's own label, 2.) does not count."""
    prev = text[s - 1] if s > start else ""
    return not (prev and prev.isascii() and (prev.isalnum() or prev in ".-/~"))


# what may stand before a count that opens its clause: nothing, a label, 为 / 对 / 给
# a separator and the short object of the next goal of a list (，月季 / 、旅游厕所)
# (…项目8个，其中50亿元以上项目2个、100亿元以上项目1个: the object may carry the amount that
# qualifies it, and 其中 opens the breakdown of the goal before)
_LISTED_OBJECT = re.compile(r"[、，,]\s*(?:[\u4e00-\u9fff“”]|\d+(?:\.\d+)?[万亿]?美?元(?:及以上|以上)?){1,10}")
_OPENS_CLAUSE = re.compile(r"\s*(?:[（(]?\d{1,2}[)）.．、]|[（(][一二三四五六七八九十]{1,3}[）)]|[一二三四五六七八九十]{1,3}、)?\s*[为对给向]?")
# a clause that is an indicator's name alone, after an item's label (3.全员劳动生产率)
_INDICATOR_CLAUSE = re.compile(r"\s*(?:[（(]?\d{1,2}[)）.．、]|[（(][一二三四五六七八九十]{1,3}[）)])?\s*(?P<name>[\u4e00-\u9fff]{2,16})")
# …and the goal verb stands this close after it (50个小区新增…)
OBJECT_FIRST_VERB_MAX = 20


# an aside in brackets, or a quoted name (完成“木里藏区牧民定居行动计划”5个定居点): neither is the
# object's length
_BRACKETED = re.compile(r"[（(][^（()）]{1,40}[）)]|“[^“”]{1,30}”")


def _bracketed_chars(text: str, lo: int, hi: int) -> int:
    """How many characters of text[lo:hi] stand in brackets or quotes closed before ``hi``."""
    return sum(len(m.group()) for m in _BRACKETED.finditer(text, lo, hi))


def find_targets(text: str, start: int, end: int, *, goals: bool = False) -> list[Target]:
    """Quantified goals in ``text[start:end]`` (absolute offsets, raw == text[s:e]).

    ``goals=True``: the span is a goals section outside the tasks, where goals
    without a number also count (value None, comparator zero / decrease /
    within_quota / None)."""
    r = rules()
    out: list[Target] = []
    # percentages
    last_in_clause: dict[int, int] = {}
    for m in r.percent.finditer(text, start, end):
        s, e = m.span()
        vtext = m.group("value") or m.group("cnvalue")
        value = parse_number(vtext)
        if value is None or _in_title_or_citation(text, s, start):
            continue
        lo, hi = _clause_bounds(text, s, start, end)
        if r.reject_fact.search(text, lo, s):
            continue
        cmp, raw_end = _comparator(text, s, e, lo)
        low = _range_low(text, s, lo)
        floor_read = None
        if low is not None and low[0] <= value:
            # 3-5% / 90%～95%: the range's floor is the goal
            value, cmp = low[0], ">="
            if out and out[-1].unit == "%" and out[-1].start <= low[1] < out[-1].end:
                floor_read = out.pop()  # the floor read as a goal of its own (90% of 90%～95%)
        raw_start = floor_read.start if floor_read else last_in_clause.get(lo, lo)
        while raw_start < s and text[raw_start] in "、和及 ":
            raw_start += 1
        metric = _metric(text, raw_start, s) or (out[-1].metric if out and out[-1].end > lo else None)
        out.append(Target(text[raw_start:raw_end], metric, value, "%", cmp, raw_start, raw_end, rule="percent"))
        last_in_clause[lo] = raw_end
    # counts
    prev_count_end = -1
    for m in r.count.finditer(text, start, end):
        s, e = m.span()
        vs = m.start("value")
        value = parse_number(m.group("value"))
        unit = m.group("unit")
        if value is None or not _number_ok(text, vs, start) or r.reject_idiom.match(m.group(0)):
            continue
        if any(t.start <= s < t.end for t in out):
            continue
        after = text[e:min(end, e + CLAUSE_MAX)]  # a window: slicing to the span end was n²
        if r.reject_unit_after.match(after) or r.reject_condition.match(after):
            continue
        lo, hi = _clause_bounds(text, s, start, end)
        if r.reject_before.search(text[max(lo, vs - 2):vs]) or _in_title_or_citation(text, s, start):
            continue
        if r.reject_fact.search(text, lo, vs):
            continue
        if unit in r.per_period_units and r.per_period.search(text, lo, vs):
            continue  # 每季度至少举办1场招聘会: the count of a frequency
        is_cn = not m.group("value")[0].isdigit()
        verbs = r.cn_verbs if is_cn else r.verbs
        cmp_probe, cmp_probe_end = _comparator(text, vs, e, lo)
        gap = r.gap_at_end if cmp_probe_end >= hi or text[cmp_probe_end:cmp_probe_end + 1] == "、" else r.gap
        # a bracketed aside in the object (智能回收箱（或者具备…的回收屋）1000组) does not count
        window_lo = max(lo, vs - gap - 4 - _bracketed_chars(text, lo, vs))
        near = [vm for vm in verbs.finditer(text, window_lo, vs)
                if vs - vm.end() - _bracketed_chars(text, vm.end(), vs) <= gap]
        # a verb of its own after the previous goal wins (…不低于1079万亩、总产量稳定在97亿斤);
        # else the first, which the goals of a list share (新培育…50家以上，高新技术企业30家)
        prev_goal_end = max([t.end for t in out if t.end <= vs], default=window_lo)
        own = [vm for vm in near if vm.start() >= prev_goal_end]
        verb_m = own[0] if own else (near[0] if near else None)
        between = text[prev_count_end:vs] if prev_count_end != -1 else ""
        continued = bool(between) and re.fullmatch(r"[、和及]|以及", between) is not None
        # …新植乔木2万株，月季10万株，立体绿化10万株: the next goal of the list names only its
        # object before its number, the verb of the first serving all
        listed = (verb_m is None and not is_cn and not continued and bool(between)
                  and _LISTED_OBJECT.fullmatch(between) is not None and not verbs.search(between))
        # the count opens its clause and the goal verb follows it, as 实事 lists write goals:
        # 50个小区新增充电设施 / 为10个老旧小区实施消防设施改造
        object_first = (verb_m is None and not is_cn and _OPENS_CLAUSE.fullmatch(text[lo:vs])
                        and verbs.search(text, e, min(hi, e + OBJECT_FIRST_VERB_MAX)) is not None)
        # …制定出台A制度、B制度…等6项制度: the count that sums up an enumeration after the verb
        summed = (verb_m is None and text[max(lo, vs - 1):vs] == "等"
                  and verbs.search(text, lo, vs) is not None)
        if summed:
            verb_m = next(verbs.finditer(text, lo, vs))
        # 3.全员劳动生产率46000元/人以上: a goal list names its indicator and its value, no verb;
        # the comparator after the number (以上, 以内, 左右) and a clause of the indicator alone say so
        stated = (_INDICATOR_CLAUSE.fullmatch(text, lo, vs)
                  if verb_m is None and not is_cn and cmp_probe_end > e else None)
        if verb_m is None and not continued and not object_first and not listed and not stated:
            continue
        cmp, cmp_end = _comparator(text, vs, e, lo)
        if cmp_end > e and cmp == ">=" and text[cmp_end:cmp_end + 1] == "的":
            continue
        low = _range_low(text, vs, lo)
        if low is not None and low[0] <= value:
            value, cmp = low[0], ">="  # 遴选10至20个: the range's floor is the goal
        if _qualifies_a_counted_noun(text, e, hi, verbs):
            continue  # 投资10亿元以上制造业重大项目611个: the goal is the 611个 that follows
        # the raw: verb … number unit … object, up to 、 or the clause end
        obj_end = hi
        # (…32所学校和55个专业: 和 / 及 before another number ends this goal's object too)
        sep = re.search(r"[、]|以及|[和及与](?=\d)", text[cmp_end:hi])
        if sep:
            obj_end = cmp_end + sep.start()
        raw_start = verb_m.start() if verb_m is not None else (prev_count_end + 1 if listed else vs)
        if stated and not (continued or listed or object_first):
            raw_start = stated.start("name")  # the indicator's name
        if listed and text.startswith("其中", raw_start):
            raw_start += 2  # the breakdown's opener is no part of its goal
        shared = verb_m is not None and verb_m.start() < prev_goal_end
        if shared:
            # a verb the list shares: this goal's raw opens after the goal before it
            raw_start = prev_goal_end
            while raw_start < vs and text[raw_start] in "、，,；; 和及":
                raw_start += 1
        if "确保" not in text[raw_start:vs] and text[max(lo, raw_start - 2):raw_start] == "确保":
            raw_start -= 2
        metric = text[cmp_end:obj_end].strip()
        if r.empty_metric.match(metric):
            metric = text[(verb_m.end() if verb_m and not shared else raw_start):vs].strip()
        metric = metric or None
        how = ("summed" if summed else "verb") if verb_m is not None else (
            "continued" if continued else "listed" if listed else "object_first" if object_first else "stated")
        # 分别为80、60、60万元 / 3、5所: the numbers listed before this one share its measure
        # word (ANNOTATION §6, 分别增长6%、6.5%: a goal each)
        chain = _SHARED_UNIT_CHAIN.search(text, max(raw_start, vs - SHARED_UNIT_CHAIN_MAX), vs)
        if chain is not None:
            for nm in _CHAIN_NUMBER.finditer(text, chain.start(), chain.end()):
                listed_value = parse_number(nm.group())
                if listed_value is not None and _number_ok(text, nm.start(), start):
                    # the raw of the whole list, as for the last number (the goals in their order)
                    out.append(Target(text[raw_start:obj_end], metric, listed_value, unit, cmp, raw_start,
                                      obj_end, rule=f"count.{how}.shared_unit"))
        out.append(Target(text[raw_start:obj_end], metric, value, unit, cmp, raw_start, obj_end,
                          rule=f"count.{how}"))
        prev_count_end = obj_end
    if goals:
        out += _qualitative(text, start, end, out)
    out.sort(key=lambda t: t.start)
    return out


# numbers listed with 、 right before a count's number, sharing its measure word (80、60、60万元)
_SHARED_UNIT_CHAIN = re.compile(r"(?:\d+(?:\.\d+)?\s*、\s*)+$")
_CHAIN_NUMBER = re.compile(r"\d+(?:\.\d+)?")
SHARED_UNIT_CHAIN_MAX = 60


_CELL_QUANTITY = re.compile(r"(?P<value>\d+(?:\.\d+)?)\s*(?P<unit>%|[\u4e00-\u9fff]{1,3}(?=[（(\s]|$))")


def _qualifies_a_counted_noun(text: str, e: int, hi: int, verbs: re.Pattern) -> bool:
    """The quantity ending at ``e`` stands inside a noun phrase that a later count of the
    same clause counts (超百亿元数字企业40家): only the words naming the thing, no verb and
    no break, stand between it and a count of things one by one."""
    r = rules()
    if r.qualified_noun is None:
        return False
    nxt = r.count.search(text, e, hi)
    if nxt is None or nxt.group("unit") not in r.counted_units:
        return False
    between = text[e:nxt.start()]
    if between.count("“") > between.count("”") or "的" in between:
        # a later count inside a quoted name (“新世纪百千万人才工程”) counts nothing; and 20名具有…的
        # 人才: a 的 phrase describes what the number before it counts
        return False
    return r.qualified_noun.match(between) is not None and not verbs.search(between)


# a cell that is one number (3000, 74, ≥20, 50以上): its unit is the indicator's
_CELL_BARE_NUMBER = re.compile(r"\s*[≥≤<>＞＜]?\s*(?P<value>\d+(?:\.\d+)?)\s*(?:以上|以下|以内|左右)?\s*$")


def indicator_unit(text: str, start: int, end: int) -> tuple[str | None, str | None]:
    """(indicator name, unit) of an indicator cell that names its measure in brackets at
    its end (拥有发明专利(件) → 拥有发明专利, 件), else (None, None)."""
    rx = rules().indicator_unit
    cell = text[start:end].strip()
    m = rx.search(cell) if rx is not None else None
    if m is None:
        return None, None
    return cell[:m.start()].strip() or None, m.group("unit")


def find_cell_targets(text: str, start: int, end: int, unit: str | None = None,
                      metric: str | None = None) -> list[Target]:
    """The goals a quantity column states (抽查比例 5%, 抽查数量 1户(…), 目标值 ≥90%): the
    first number and its measure word of each part the cell sets apart with ；
    (重点污染源每月抽查总数的9%；特殊污染源每月抽查市级总数的5%), no verb needed; its
    comparator from the cues. ``unit``: the measure the row's indicator names (拥有发明专利(件)),
    for a cell that is a bare number (3000 under 五年目标任务); ``metric``: that indicator."""
    out: list[Target] = []
    lo = start
    for m in [*_CELL_PART_END.finditer(text, start, end), None]:
        hi = m.start() if m is not None else end
        if hi > lo:
            out += _cell_target(text, lo, hi, unit, metric)
        lo = m.end() if m is not None else end
    return out


_CELL_PART_END = re.compile(r"[；;]")


def _cell_target(text: str, start: int, end: int, unit: str | None, metric: str | None) -> list[Target]:
    m = _CELL_QUANTITY.search(text, start, end)
    if m is not None and any(rx.match(m.group("unit")) for rx in (rules().after_ge, rules().after_le, rules().after_eq)):
        m = None  # 50以上: a comparator, no measure word
    if m is None and unit is not None:
        bare = _CELL_BARE_NUMBER.match(text, start, end)
        if bare is not None and bare.end() == end and _number_ok(text, bare.start("value"), start):
            value = parse_number(bare.group("value"))
            s = bare.start() + len(bare.group(0)) - len(bare.group(0).lstrip())
            e = end - (len(text[start:end]) - len(text[start:end].rstrip()))
            if value is None:
                return []
            cmp, _ = _comparator(text, bare.start("value"), bare.end("value"), start)
            if re.search(r"[≥>＞]", text[s:bare.start("value")]):
                cmp = ">="
            elif re.search(r"[≤<＜]", text[s:bare.start("value")]):
                cmp = "<="
            return [Target(text[s:e], metric, value, unit, cmp, s, e, rule="column.indicator")]
    if m is None or not _number_ok(text, m.start("value"), start):
        return []
    value = parse_number(m.group("value"))
    if value is None:
        return []
    s, e = m.span()
    cmp, raw_end = _comparator(text, m.start("value"), e, start)
    before = text[start:s]
    if re.search(r"[≥>]|不低于|不少于|至少", before):
        cmp = ">="
    elif re.search(r"[≤<]|不超过|不高于", before):
        cmp = "<="
    return [Target(text[s:raw_end], metric, value, m.group("unit"), cmp, s, raw_end, rule="column.quantity")]


def _qualitative(text: str, start: int, end: int, numeric: list[Target]) -> list[Target]:
    r = rules()
    out: list[Target] = []
    bounds, lo = [], start
    for m in r.clause_end.finditer(text, start, end):
        bounds.append((lo, m.start()))
        lo = m.end()
    bounds.append((lo, end))
    for lo, hi in bounds:
        while lo < hi and text[lo] in " 　—-\u2014":
            lo += 1
        label = r.label_head.match(text, lo, hi)
        if label:
            lo = label.end()
        while hi > lo and text[hi - 1] in " 　":
            hi -= 1
        if hi - lo < 4 or any(lo <= t.start < hi for t in numeric):
            continue
        clause = text[lo:hi]
        for rule_id, cmp, rx in r.qualitative:
            m = rx.search(clause)
            if not m:
                continue
            if rule_id.startswith("within_quota"):
                metric = clause[:m.start()] if rule_id == "within_quota_control" else clause[m.start() + 2:]
            else:
                # 不发生 / 杜绝 / 清零 name a harm by themselves; 下降 and 遏制 need one
                # (下降 of 事故起数 is a goal, 防范化解风险 is work)
                if cmp != "zero" and not r.harm.search(clause):
                    continue
                metric = clause[m.end():] or clause[:m.start()]
            metric = _metric(metric, 0, len(metric)) if metric else None
            out.append(Target(clause, metric, None, None, cmp, lo, hi, rule=f"qualitative.{rule_id}"))
            break
    return out
