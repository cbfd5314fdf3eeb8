"""Units (ANNOTATION §3): who leads and who supports, from explicit markers only.

- :func:`find_unit_notes`: inline notes in running text — 〔责任单位：A、B〕,
  （牵头单位：A；配合单位：B、C）, 【…】, (…) — a 责任单位：… line, and the phrases
  「由A牵头，B配合」, 「A牵头，B、C按职责分工负责」, 「由A负责」. The grammatical
  subject of a sentence (各单位要…) is never a unit.
- :func:`split_unit_list`: one unit column cell of a task table.
- :func:`expand_shared_suffix`, :func:`split_known_concatenation`: repair lists
  against the names the same document writes in full elsewhere.
- :func:`canonical_unit`: the standard full name from ``gazetteers/units.yaml``.

Every mention's ``unit`` is ``text[start:end]`` (white space inside a name, as
in a wrapped table cell "区局\\n工贸科", is kept: the scorer and
:func:`canonical_unit` drop it). The one exception is an expanded shared affix,
see :func:`expand_shared_suffix`.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Iterable

from ..gazetteer import load_yaml
from ..model import UnitMention
from ..normalize import split_outside_brackets
from .rules import alternation, compile_rule, pattern_file

FILE = "unit_cue.yaml"
_WS = re.compile(r"\s+")
_TRIM = " \t\n\u3000。.，,；;、：:"


@dataclass(frozen=True)
class _Rules:
    label_role: dict[str, str]
    demoted: frozenset[str]
    lead_marks: tuple[str, ...]
    note_start: re.Pattern
    line_note: re.Pattern
    label_in_segment: re.Pattern
    label_anywhere: re.Pattern
    pairs: dict[str, str]
    lead_tail: re.Pattern
    support_tail: re.Pattern
    joint: re.Pattern
    lead_head: re.Pattern
    unit_descriptor: re.Pattern  # 包片单位 before the names
    separators: re.Pattern
    conjunctions: re.Pattern
    etc_collective: re.Pattern
    unit_suffix: re.Pattern
    unit_prefix: re.Pattern
    atomic: re.Pattern
    empty_cell: re.Pattern
    inline_lead: re.Pattern
    inline_support: re.Pattern
    inline_by: re.Pattern
    leader_labels: frozenset[str]
    other_label: re.Pattern
    bare_note_cue: re.Pattern
    bare_note_max: int
    opener_rx: re.Pattern
    role_mark: re.Pattern
    support_marks: frozenset[str]
    lead_prefix_mark: re.Pattern  # ★ before the lead unit's name
    role_mark_after: re.Pattern  # the same mark right after a name, anywhere in a list
    inline_joint: re.Pattern
    inline_charge: re.Pattern  # 竹阳镇负责对…: a clause opened by its units and 负责
    inline_leader: re.Pattern
    bare_bodies: frozenset[str]
    leader_not_person: re.Pattern
    first_listed_leads: re.Pattern  # 列第一位的为牵头部门: the first of each note leads
    role_noun: re.Pattern  # 配合单位: a column's role word, no unit


@functools.lru_cache(maxsize=None)
def rules() -> _Rules:
    d = pattern_file(FILE)
    label_role = {w: role for role in ("lead", "support") for w in d["labels"][role]}
    label_role.update({w: "leader" for w in d["leader_labels"]})
    labels = alternation(list(label_role))
    opens = "".join(re.escape(o) for o in d["openers"])
    c = lambda key, groups=(): compile_rule(FILE, key, d[key], groups)  # noqa: E731
    return _Rules(
        label_role=label_role,
        demoted=frozenset(d["demoted_when_lead_named"]),
        lead_marks=tuple(d["lead_label_marks"]),
        # 〔责任单位；A、B〕: a semicolon typed for the colon right after an opening bracket
        note_start=compile_rule(FILE, "note_start", f"(?P<open>[{opens}])\\s*(?P<label>{labels})\\s*[:：;；]",
                                ("open", "label")),
        line_note=compile_rule(FILE, "line_note", f"(?:^|(?<=[\\n。；;]))[ \\t\\u3000]*(?P<label>{labels})\\s*[:：]",
                               ("label",)),
        label_in_segment=compile_rule(FILE, "label_in_segment", f"^\\s*(?P<label>{labels})\\s*[:：]", ("label",)),
        label_anywhere=compile_rule(FILE, "label_anywhere", f"(?P<label>{labels})\\s*[:：]", ("label",)),
        pairs=dict(zip(d["openers"], d["closers"])),
        lead_tail=c("lead_tail"), support_tail=c("support_tail"), joint=c("joint"), lead_head=c("lead_head"), unit_descriptor=c("unit_descriptor"),
        separators=c("separators"), conjunctions=c("conjunctions"), etc_collective=c("etc_collective"),
        unit_suffix=c("unit_suffix"), unit_prefix=c("unit_prefix"),
        atomic=compile_rule(FILE, "atomic", f'{alternation(d["atomic"])}|{d["collective_list"]}|{d["collective_name"]}'),
        empty_cell=c("empty_cell"),
        inline_lead=c("inline_lead", ("list",)), inline_support=c("inline_support", ("list",)),
        inline_by=c("inline_by", ("list",)), inline_charge=c("inline_charge", ("list",)),
        leader_labels=frozenset(d["leader_labels"]), other_label=c("other_label"),
        bare_note_cue=c("bare_note_cue"), bare_note_max=int(d["bare_note_max"]),
        opener_rx=compile_rule(FILE, "openers", f"[{opens}]"), role_mark=c("role_mark", ("mark",)), lead_prefix_mark=c("lead_prefix_mark"),
        support_marks=frozenset(d["support_marks"]),
        role_mark_after=compile_rule(FILE, "role_mark_after", d["role_mark"].rstrip("$"), ("mark",)),
        inline_joint=c("inline_joint", ("list", "with")),
        inline_leader=c("inline_leader", ("name",)),
        bare_bodies=frozenset(d["bare_bodies"]),
        leader_not_person=c("leader_not_person"),
        first_listed_leads=c("first_listed_leads"), role_noun=c("role_noun"))


_PERSON_NAME = re.compile(r"[\u4e00-\u9fff]{2,4}")


def _norm(s: str) -> str:
    return _WS.sub("", s)


def is_unit_like(name: str) -> bool:
    """Does ``name`` end like a unit (局, 委, 办, 中心, 大队, 各镇(街道) …)?"""
    n = _norm(name)
    r = rules()
    return len(n) >= 2 and (bool(r.unit_suffix.search(n)) or bool(r.atomic.fullmatch(n)))


# ----------------------------------------------------------------------------- lists


def _closer_of(text: str, open_pos: int, limit: int) -> int:
    """Index of the bracket closing the one at ``open_pos`` (nesting-aware), or -1."""
    pairs = rules().pairs
    opener = text[open_pos]
    closer = pairs[opener]
    depth = 0
    for i in range(open_pos, limit):
        ch = text[i]
        if ch == opener and (opener != closer):
            depth += 1
        elif ch == closer:
            depth -= 1
            if depth == 0:
                return i
    return -1


def _loose_note_end(text: str, pos: int, limit: int) -> int:
    """Where a labeled note ends when its own closer is missing: the first closer of
    any kind at depth 0, or a 。 or line break. OCR and hurried typing swap bracket
    shapes (〔责任单位：…】, [责任单位：…〕), and a note never holds a sentence end."""
    pairs = rules().pairs
    opens, closes = set(pairs), set(pairs.values())
    depth = 0
    for i in range(pos, limit):
        ch = text[i]
        if ch in opens:
            depth += 1
        elif ch in closes:
            if depth == 0:
                return i
            depth -= 1
        elif ch in "。\n":
            return i
    return -1


def _split_depth0(text: str, s: int, e: int, rx: re.Pattern) -> list[tuple[int, int]]:
    """Split text[s:e] at matches of ``rx`` outside brackets and outside atomic collectives."""
    r = rules()
    protected = [m.span() for m in r.atomic.finditer(text, s, e)]
    return split_outside_brackets(text, s, e, rx, r.pairs, protected)


def _trim(text: str, s: int, e: int) -> tuple[int, int]:
    """Drop edge punctuation, a leading 由 and the role words at the tail (负责, 牵头 …)."""
    r = rules()
    for _ in range(4):
        before = (s, e)
        while s < e and text[s] in _TRIM:
            s += 1
        while e > s and text[e - 1] in _TRIM:
            e -= 1
        m = r.lead_head.match(text[s:e])
        if m:
            s += m.end()
        m = r.unit_descriptor.match(text[s:e])
        if m and m.end() < e - s:
            s += m.end()
        for rx in (r.lead_tail, r.support_tail):
            m = rx.search(text[s:e])
            if m and m.start() > 0:
                e = s + m.start()
        if text[s:e].endswith("等") and e - s > 1:
            e -= 1
        elif text[s:e].endswith(("等部门", "等单位")) and e - s > 3:
            e -= 3  # 市文广旅局等部门: the unit named, 等部门 the ones left unnamed
        if (s, e) == before:
            break
    return s, e


def _items(text: str, s: int, e: int) -> list[tuple[int, int]]:
    """:func:`_split_items`, with a bare scope (各区、县人民政府: 各区 names no body) kept
    together with the name that completes it, as one collective entry."""
    items = _split_items(text, s, e)
    out: list[tuple[int, int]] = []
    k = 0
    while k < len(items):
        j = k  # bare scopes in a row (市、县、乡三级政府) all wait for the name that completes them
        while (j + 1 < len(items) and _BARE_SCOPE.fullmatch(text[items[j][0]:items[j][1]])
               and text[items[j][1]:items[j + 1][0]].strip() == "、"):
            j += 1
        out.append((items[k][0], items[j][1]))
        k = j + 1
    return out


# a scope that names no body (各区、县人民政府; 相关市、县政府; 市、区生态环境部门): completed by
# the next name
_BARE_SCOPE = re.compile(r"(?:各|相关|有关)?[省区县市乡镇州旗盟]")
# a collective glued to the unit before it (县教体局各相关乡镇政府), unless it is that
# unit's own parts (区政府各部门, 市委有关部门, 指挥部各工作组)
_GLUED_COLLECTIVE = re.compile(r"各|有关|相关")
_OWN_PARTS = re.compile(r"(?:各|有关|相关)+(?:直属|下属|所属|成员|职能|专项)?(?:部门|单位|科室|处室|股室|机构|部门和单位|单位和部门|工作组|小组|专班)")


def _split_items(text: str, s: int, e: int) -> list[tuple[int, int]]:
    """The unit names of one list: split on 、 ， / ；, on 等 before a collective, and on
    和/及/line breaks only where both sides are unit names (住房和城乡建设局 stays whole)."""
    r = rules()
    out: list[tuple[int, int]] = []
    for ps, pe in _split_depth0(text, s, e, r.separators):
        ps, pe = _trim(text, ps, pe)
        if pe <= ps:
            continue
        # 等 + collective
        sub: list[tuple[int, int]] = []
        pos = ps
        for m in r.etc_collective.finditer(text, ps, pe):
            sub.append((pos, m.start()))
            pos = m.end()
        sub.append((pos, pe))
        for qs, qe in sub:
            qs, qe = _trim(text, qs, qe)
            if qe <= qs:
                continue
            for cs, ce in _split_conjunctions(text, qs, qe):
                out += _split_glued_collective(text, cs, ce)
    return out


def _split_glued_collective(text: str, s: int, e: int) -> list[tuple[int, int]]:
    """A unit and a collective written without a separator (县教体局各相关乡镇政府):
    split where a whole unit name ends and 各 / 有关 / 相关 opens another."""
    r = rules()
    for m in _GLUED_COLLECTIVE.finditer(text, s + 2, e - 2):
        left, right = text[s:m.start()], text[m.start():e]
        if (r.unit_suffix.search(_norm(left)) and is_unit_like(left) and is_unit_like(right)
                and not _OWN_PARTS.fullmatch(_norm(right))):
            return [(s, m.start()), (m.start(), e)]
    return [(s, e)]


def _split_conjunctions(text: str, s: int, e: int) -> list[tuple[int, int]]:
    r = rules()
    for m in r.conjunctions.finditer(text, s, e):
        left, right = (s, m.start()), (m.end(), e)
        lt, rt = text[left[0]:left[1]], text[right[0]:right[1]]
        if not lt.strip() or not rt.strip():
            continue
        newline = "\n" in m.group(0)
        if _norm(rt) in r.bare_bodies:
            continue  # 各县（市、区）党委和人民政府: one body's two organs, named once
        # a line break splits two whole names (文化宣传股 / 文化馆) but not a name a narrow
        # column wrapped (区局 / 工贸科: the first piece too short to be a name of its own)
        if is_unit_like(lt) and is_unit_like(rt) and (
                r.unit_prefix.match(_norm(rt)) or len(_norm(lt)) >= 3 and (not newline or len(_norm(rt)) >= 3)):
            return [_trim(text, *left)] + _split_conjunctions(text, *_trim(text, *right))
    return [(s, e)]


def _role_clause(text: str, s: int, e: int, default: str) -> list[UnitMention]:
    """One clause of a note: A牵头 / B配合 / A会同B负责 / A、B分工负责 / plain list."""
    r = rules()
    e0 = e
    while e0 > s and text[e0 - 1] in _TRIM:
        e0 -= 1
    clause = text[s:e0]
    out: list[UnitMention] = []
    joint = r.joint.search(clause)
    if joint and joint.start() > 0:
        for a, b in _items(text, s, s + joint.start()):
            out.append(UnitMention("lead", text[a:b], a, b))
        for a, b in _items(text, s + joint.end(), e0):
            out.append(UnitMention("support", text[a:b], a, b))
        return out
    role = default
    if r.support_tail.search(clause):
        role = "support"
    elif re.search(r"牵头(?:负责|落实|实施)?$", clause):
        role = "lead"
    for a, b in _items(text, s, e0):
        item_role = role
        mark = r.role_mark.search(text[a:b])
        if mark and mark.start() > 0:
            item_role = "support" if mark.group("mark") in r.support_marks else "lead"
            b = a + mark.start()
        star = r.lead_prefix_mark.match(text[a:b])
        if star and star.end() < b - a:
            item_role, a = "lead", a + star.end()
        out.append(UnitMention(item_role, text[a:b], a, b))
    return out


def _starred(text: str, start: int) -> bool:
    """The name at ``start`` follows a lead mark (★区发改委)."""
    j = start
    while j > 0 and text[j - 1].isspace():
        j -= 1
    return j > 0 and rules().lead_prefix_mark.fullmatch(text[j - 1:start]) is not None


def _split_at_glued_labels(text: str, s: int, e: int, clauses: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Clauses split again before a label glued to the names in front of it
    (牵头单位：区教育局责任单位：区财政局): a label starts a clause of its own."""
    r = rules()
    out: list[tuple[int, int]] = []
    for cs, ce in clauses:
        cuts = [m.start("label") for m in r.label_anywhere.finditer(text, cs, ce) if m.start("label") > cs
                and text[cs:m.start("label")].strip(_TRIM)]
        for a, b in zip([cs] + cuts, cuts + [ce]):
            out.append((a, b))
    return out


def _parse_list(text: str, s: int, e: int, default: str, demote: bool = False) -> list[UnitMention]:
    """A note body or a cell: segments (；) that may carry their own label, clauses (，)."""
    r = rules()
    out: list[UnitMention] = []
    role = default
    stopped = False
    led = False  # a clause named a 牵头 unit
    shared: list[UnitMention] = []  # units of clauses that end in 负责 / 分工负责
    for ss, se in _split_depth0(text, s, e, re.compile(r"[；;]")):
        for cs, ce in _split_at_glued_labels(text, ss, se, [(a, b) for a, b in
                                             _split_depth0(text, ss, se, re.compile(r"[，,]"))]):
            lab = r.label_in_segment.match(text[cs:ce])
            if lab:
                label = lab.group("label")
                role = r.label_role[label]
                if demote and label in r.demoted:
                    role = "support"
                cs += lab.end()
                stopped = False
            elif r.other_label.match(text[cs:ce]):
                stopped = True  # 完成时限：… inside the note is no unit
            if stopped or not text[cs:ce].strip(_TRIM):
                continue
            found = _role_clause(text, cs, ce, role)
            clause = text[cs:ce].rstrip(_TRIM)
            starred = [u for u in found if _starred(text, u.start)]
            if re.search(r"牵头(?:负责)?$", clause):
                led = True
            elif starred:
                led = True  # ★A、B: the starred unit leads, the others beside it support
                shared.extend(u for u in found if u.role == "lead" and u not in starred)
            elif r.lead_tail.search(clause) and not r.joint.search(clause):
                shared.extend(u for u in found if u.role == "lead")
            elif default == "lead" and not r.joint.search(clause):
                for u in found:
                    mark = r.role_mark_after.match(text, u.end, ce)
                    if mark and mark.group("mark") not in r.support_marks:
                        led = True  # 县水利局（牵头）
                    elif u.role == "lead" and not mark:
                        shared.append(u)  # listed beside a unit marked （牵头）
            out += found
    if led:
        # A牵头，B、C按职责分工负责 / A（牵头），B、C: with a 牵头 unit named, those listed
        # or 负责 beside it support it, as a 责任单位 beside a 牵头单位 does (ANNOTATION §3)
        for u in shared:
            u.role = "support"
    return [u for u in out if _norm(u.unit)]


def split_unit_list(text: str, start: int, end: int, role: str) -> list[UnitMention]:
    """The units of one table cell (a 牵头单位 / 配合单位 / 责任领导 column).

    '——', '/', '无' give none. ``role`` applies unless the cell says otherwise
    (「A牵头，B配合」 inside one cell). Leaders (names of people) split the same way."""
    r = rules()
    if r.empty_cell.match(text[start:end]):
        return []
    if role == "leader":
        # one person a line, a two-character name spaced to the width of three (王 嵘 / 方 勇)
        lines = [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", text[start:end]) if m.group().strip()]
        if len(lines) > 1 and all(_PERSON_NAME.fullmatch(_norm(text[start + a:start + b])) for a, b in lines):
            return [u for a, b in lines for u in split_unit_list(text, start + a, start + b, role)]
    return _tagged([u for u in _parse_list(text, start, end, role)
                    if u.role != "leader" or not r.leader_not_person.search(u.unit)], "column")


def _tagged(mentions: list[UnitMention], rule: str) -> list[UnitMention]:
    """The mentions with ``rule`` as the id of the rule that found them."""
    for u in mentions:
        u.rule = u.rule or rule
    return mentions


# ----------------------------------------------------------------------------- notes


def find_unit_notes(text: str, start: int, end: int) -> list[UnitMention]:
    """Units named by explicit markers in ``text[start:end]`` (absolute offsets)."""
    r = rules()
    out: list[UnitMention] = []
    covered: list[tuple[int, int]] = []
    for m in r.note_start.finditer(text, start, end):
        if any(cs <= m.start() < ce for cs, ce in covered):
            continue
        close = _closer_of(text, m.start("open"), end)
        if close == -1:
            close = _loose_note_end(text, m.end(), end)
        body_end = close if close != -1 else _line_end(text, m.end(), end)
        # the label's role carries the units; a label closed by a semicolon is read past it
        body_start = m.end() if text[m.end() - 1] in ";；" else m.end("open")
        out += _tagged(_note(text, body_start, body_end, m.group("label")), "note")
        covered.append((m.start(), body_end + 1))
    line_notes: list[tuple[str, list[UnitMention]]] = []
    for m in r.line_note.finditer(text, start, end):
        if any(cs <= m.start("label") < ce for cs, ce in covered):
            continue
        body_end = _line_end(text, m.end(), end)
        found = _tagged(_note(text, m.start("label"), body_end, m.group("label")), "line_note")
        line_notes.append((m.group("label"), found))
        out += found
        covered.append((m.start("label"), body_end))
    # 牵头单位：A on one line and 责任单位：B on the next: with a 牵头 unit named, the
    # 责任 units support it (ANNOTATION §3), as they do inside one note
    if any(any(mark in label for mark in r.lead_marks) and r.label_role[label] == "lead"
           for label, _ in line_notes):
        for label, found in line_notes:
            if label in r.demoted:
                for u in found:
                    if u.role == "lead":
                        u.role, u.rule = "support", "line_note.demoted"
    out += _tagged(_bare_notes(text, start, end, covered), "bare_note")
    out += _inline_phrases(text, start, end, covered)
    out = [u for u in out if u.role != "leader" or not r.leader_not_person.search(u.unit)]
    out.sort(key=lambda u: u.start)
    return out


def _bare_notes(text: str, start: int, end: int, covered: list[tuple[int, int]]) -> list[UnitMention]:
    """（区发改委牵头，区财政局、区统计局配合） — a bracket with no label whose content is
    made only of unit names and role words."""
    r = rules()
    out: list[UnitMention] = []
    for m in r.opener_rx.finditer(text, start, end):
        if any(cs <= m.start() < ce for cs, ce in covered):
            continue
        close = _closer_of(text, m.start(), min(end, m.start() + r.bare_note_max))
        if close == -1:
            continue
        # …等负责，列第一位的为牵头部门，下同: the declaration of order names no unit
        declared = r.first_listed_leads.search(text, m.end(), close)
        names_end = close
        if declared:
            names_end = declared.start()
            while names_end > m.end() and text[names_end - 1] in "，,；; ":
                names_end -= 1
        body = text[m.end():names_end].strip()
        # a bracket of names alone closing an item's sentence (…增长8%左右。（工资处、就管中心）) or
        # the law it names (（二）《中华人民共和国监狱法》（监狱管理局）, a 普法责任清单) is how 分解方案
        # name the responsible units; elsewhere a role word must say so
        k = m.start()
        while k > start and text[k - 1] in " \u3000":
            k -= 1
        closing = (k > start and text[k - 1] in "。；;》"
                   and not text[close + 1:_line_end(text, close + 1, end)].strip())
        if not body or not (r.bare_note_cue.search(body) or closing):
            continue
        found = _parse_list(text, m.end(), names_end, "lead")
        # every name ends like a unit, or most do and the last does (相关市、县政府负责);
        # a bracket without a role word: every name
        if found and (all(is_unit_like(u.unit) for u in found) or (
                r.bare_note_cue.search(body) and is_unit_like(found[-1].unit)
                and 2 * sum(is_unit_like(u.unit) for u in found) > len(found))):
            out += found
            covered.append((m.start(), close + 1))
    return out


def _line_end(text: str, pos: int, end: int) -> int:
    j = text.find("\n", pos, end)
    return j if j != -1 else end


def _note(text: str, s: int, e: int, first_label: str) -> list[UnitMention]:
    """A note's units. A note may hold several sentences: 牵头单位：A。配合单位：B。以下均需…
    Each sentence after the first counts only where it carries its own label; a remark
    (下同, 不再列出, 具体任务均涉及…) names no unit. Every unit must end like one."""
    r = rules()
    body = text[s:e]
    demote = any(mark in lab for lab, role in r.label_role.items() if role == "lead"
                 for mark in r.lead_marks if lab in body)
    out: list[UnitMention] = []
    pos = s
    first = True
    for m in list(re.finditer(r"。", body)) + [None]:
        stop = s + m.start() if m else e
        if first:
            out += _parse_list(text, pos, stop, r.label_role[first_label], demote=demote)
        else:
            lab = r.label_in_segment.match(text[pos:stop])
            if lab:
                out += _parse_list(text, pos, stop, r.label_role[lab.group("label")], demote=demote)
        first = False
        pos = stop + 1
    return [u for u in out if u.role == "leader" or is_unit_like(u.unit)]


def _all_units(text: str, spans: list[tuple[int, int]]) -> bool:
    return bool(spans) and all(is_unit_like(text[a:b]) for a, b in spans)


def _inline_phrases(text: str, start: int, end: int,
                    covered: list[tuple[int, int]]) -> list[UnitMention]:
    """由A牵头，B配合 / A牵头，B、C按职责分工负责 / 由A负责 in running text: only where
    every listed name ends like a unit, so 主要负责人 or 各单位要… never count."""
    r = rules()
    out: list[UnitMention] = []
    seen: list[tuple[int, int]] = list(covered)
    for m in r.inline_joint.finditer(text, start, end):
        ls, le = m.span("list")
        if any(cs <= ls < ce for cs, ce in seen):
            continue
        by = text.rfind("由", ls, le)
        if by >= 0:
            ls = by + 1  # …的操作细则由A会同B负责: the units stand after 由
        leads = _items(text, ls, le)
        while leads and not is_unit_like(text[leads[0][0]:leads[0][1]]):
            leads = leads[1:]  # the lazy match starts at the clause: drop words before the units
        sups = _items(text, *m.span("with"))
        if _all_units(text, leads) and _all_units(text, sups):
            out += [UnitMention("lead", text[a:b], a, b, rule="inline_joint") for a, b in leads]
            out += [UnitMention("support", text[a:b], a, b, rule="inline_joint") for a, b in sups]
            seen.append((ls, m.end()))
    for m in r.inline_leader.finditer(text, start, end):
        if not any(cs <= m.start("name") < ce for cs, ce in seen):
            out.append(UnitMention("leader", m.group("name"), m.start("name"), m.end("name"), rule="inline_leader"))
            seen.append(m.span())
    for rule_id, rx in (("inline_by", r.inline_by), ("inline_lead", r.inline_lead), ("inline_charge", r.inline_charge)):
        for m in rx.finditer(text, start, end):
            ls, le = m.span("list")
            if any(cs <= ls < ce for cs, ce in seen):
                continue
            # the list starts after the last clause mark before 牵头 (the regex is lazy from the left)
            items = _items(text, ls, le)
            while items and not is_unit_like(text[items[0][0]:items[0][1]]):
                items = items[1:]
            if not _all_units(text, items):
                continue
            out += [UnitMention("lead", text[a:b], a, b, rule=rule_id) for a, b in items]
            seen.append((ls, m.end()))
            sm = r.inline_support.match(text[m.end():min(end, m.end() + 2000)])  # bounded: n² otherwise
            if sm:
                ss, se = m.end() + sm.start("list"), m.end() + sm.end("list")
                sup = _items(text, ss, se)
                if _all_units(text, sup):
                    out += [UnitMention("support", text[a:b], a, b, rule="inline_support") for a, b in sup]
                    seen.append((ss, se))
    if any(u.role == "lead" for u in out):
        out += _with_phrases(text, start, end, seen)
    return out


# how far after 会同 the names of the units that join the work are looked for
WITH_SCAN_CHARS = 40


def _with_phrases(text: str, start: int, end: int, seen: list[tuple[int, int]]) -> list[UnitMention]:
    """…市粮食局负责…；会同市发展改革局监督…；牵头会同物价部门建立…: with the item's lead
    named, the units after each 会同 support it (ANNOTATION §3), the verb of their work
    right after the names: the first run of names that all read as units, as far as it
    goes on reading so (会同物价部门建立… is 物价部门, not 物价部, nor a name running on to the
    企业 of its object)."""
    out: list[UnitMention] = []
    for m in re.finditer("会同", text[start:end]):
        s0 = start + m.end()
        if any(cs <= s0 < ce for cs, ce in seen):
            continue
        stop = min(end, s0 + WITH_SCAN_CHARS)
        brk = re.search(r"[，。；;,:：\n“”《》（(〔【）)〕】]", text[s0:stop])
        if brk:
            stop = s0 + brk.start()
        best: list[tuple[int, int]] | None = None
        for k in range(s0 + 2, stop + 1):
            if k < stop and text[k] in "、和及与":
                continue  # the list of names goes on
            items = _items(text, s0, k)
            if (items and items[-1][1] == k and _all_units(text, items)
                    and not any(rules().role_noun.match(text[a:b]) for a, b in items)):
                best = items  # 农业部, then 农业部门: the name grows while it reads as a unit
            elif best is not None:
                break
        if best:
            out += [UnitMention("support", text[a:b], a, b, rule="inline_with") for a, b in best]
            seen.append((s0, best[-1][1]))
    return out


# ----------------------------------------------------------------------------- repairs


def _siblings(m: UnitMention, mentions: list[UnitMention], text_gap: int = 3) -> list[UnitMention]:
    return [o for o in mentions if o is not m and o.role == m.role
            and (0 <= o.start - m.end <= text_gap or 0 <= m.start - o.end <= text_gap)]


def expand_shared_suffix(mentions: list[UnitMention], known_units: Iterable[str], *,
                         text: str | None = None) -> list[UnitMention]:
    """Expand list pieces that share an affix with a sibling: 安全生产、规划建设部 →
    安全生产部, 规划建设部; 区局工贸科、执法大队 → 区局工贸科, 区局执法大队 — only where the
    full name is one the document writes elsewhere (``known_units``).

    Representation (decided for the scorer, which compares ``unit`` with the gold
    名称 '安全生产部'): the expanded mention's ``unit`` is the full name. Its span
    points at an occurrence of that full name in ``text`` when ``text`` is given
    (so ``text[start:end] == unit`` still holds, as the evidence that licensed the
    expansion); without ``text`` it stays on the written piece, and then ``unit``
    differs from the span by the shared affix. ``canonical`` is left for
    :func:`canonical_unit`.
    """
    known = {_norm(k) for k in known_units}
    out: list[UnitMention] = []
    for m in mentions:
        piece = _norm(m.unit)
        # the piece may itself be "known" (the same list in another row): what licenses the
        # expansion is the full name written elsewhere, not the piece's absence
        if m.role == "leader" or not piece:
            out.append(m)
            continue
        full = None
        for sib in _siblings(m, mentions):
            q = _norm(sib.unit)
            for k in range(1, min(len(q), 8)):
                if sib.start > m.start and not is_unit_like(piece) and piece + q[-k:] in known:
                    full = piece + q[-k:]
                    break
                if sib.start < m.start and q[:k] + piece in known:
                    full = q[:k] + piece
                    break
            if full:
                break
        if full is None:
            out.append(m)
            continue
        s, e = m.start, m.end
        if text is not None:
            pos = _find_normalised(text, full, m.start)
            if pos is not None:
                s, e = pos
        out.append(UnitMention(m.role, text[s:e] if text is not None and _norm(text[s:e]) == full else full,
                               s, e, m.canonical, rule=f"{m.rule}.shared_suffix"))
    return out


def _find_normalised(text: str, name: str, near: int) -> tuple[int, int] | None:
    """The occurrence of ``name`` in ``text`` (white space inside allowed) nearest ``near``."""
    rx = re.compile(r"\s*".join(re.escape(ch) for ch in name))
    best = None
    for m in rx.finditer(text):
        if best is None or abs(m.start() - near) < abs(best[0] - near):
            best = m.span()
    return best


def split_known_concatenation(mention: UnitMention, known_units: Iterable[str]) -> list[UnitMention]:
    """Split a run-together list (区直有关行业主管部门园区各街（镇）) into names the
    document writes separately elsewhere; the mention itself when no full cover exists."""
    known = {_norm(k) for k in known_units} - {""}
    whole = _norm(mention.unit)
    if not whole or whole in known and not _coverable(whole, known - {whole}):
        return [mention]
    parts = _segment(whole, known - {whole})
    if not parts or len(parts) < 2:
        return [mention]
    # map normalised positions back to the written text (white space inside kept out)
    index = [i for i, ch in enumerate(mention.unit) if not ch.isspace()]
    out, pos = [], 0
    for p in parts:
        a = index[pos]
        b = index[pos + len(p) - 1] + 1
        out.append(UnitMention(mention.role, mention.unit[a:b], mention.start + a, mention.start + b,
                               mention.canonical, rule=f"{mention.rule}.known_split"))
        pos += len(p)
    return out


def _coverable(s: str, known: set[str]) -> bool:
    return _segment(s, known) is not None


def _segment(s: str, known: set[str]) -> list[str] | None:
    """The cover of ``s`` by the fewest known names (dynamic programming), or None."""
    best: list[list[str] | None] = [None] * (len(s) + 1)
    best[0] = []
    for i in range(1, len(s) + 1):
        for j in range(i):
            prev = best[j]
            if prev is not None and s[j:i] in known:
                cand = prev + [s[j:i]]
                if best[i] is None or len(cand) < len(best[i]):
                    best[i] = cand
    return best[len(s)] if best[len(s)] and len(best[len(s)]) >= 2 else None


# ----------------------------------------------------------------------------- canonical


@functools.lru_cache(maxsize=None)
def _lexicon() -> tuple[dict[str, str], dict[str, str], tuple[str, ...]]:
    d = load_yaml("units.yaml")
    return dict(d.get("aliases") or {}), dict(d.get("whole") or {}), tuple(d.get("prefixes") or ())


@functools.lru_cache(maxsize=4096)
def canonical_unit(name: str) -> str:
    """The full standard name: 区应急局 → 区应急管理局, 县发改委 → 县发展和改革委员会.

    The administrative prefix (区/县/市/镇 …) is kept and the core mapped through
    ``gazetteers/units.yaml``; a name the lexicon does not know comes back without
    white space and with its brackets normalised (（ → ( is left to NFKC users)."""
    n = _norm(name).strip(_TRIM)
    aliases, whole, prefixes = _lexicon()
    if n in whole:
        return whole[n]
    if n in aliases:
        return aliases[n]
    for p in prefixes:
        if n.startswith(p) and n[len(p):] in aliases:
            return p + aliases[n[len(p):]]
    return n
