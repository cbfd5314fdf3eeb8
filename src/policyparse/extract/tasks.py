"""Tasks: the leaves of the outline that assign work, and the rows of task tables.

Each task gets its units, deadlines, frequencies and targets from the field
extractors, all with spans into ``Document.text``. Scope follows ANNOTATION §3:
a 〔责任单位：…〕 note covers the item it stands in; a table task takes its units
from its own unit columns only; a deadline in a heading covers the items below;
a unit heading (「区教育局：」) leads the items under it.
"""
from __future__ import annotations

import re

from ..components import component
from ..model import Deadline, Document, Frequency, Target, Task, UnitMention
from ..segment.outline import (Outline, OutlineItem, carries_action, enclosing_section_kind, in_spans,
                               item_heading_text, only_sub_items_below, rules as outline_rules,
                               section_kind, short_title, subtree_end)
from ..segment.regions import zone_words
from ..segment.tables import TaskRow, TaskTable
from .deadlines import find_deadlines
from .frequencies import find_frequencies
from .targets import find_cell_targets, find_targets, indicator_unit
from .targets import rules as target_rules
from .units import rules as unit_rules
from .units import (canonical_unit, expand_shared_suffix, find_unit_notes, is_unit_like,
                    split_known_concatenation, split_unit_list)

# A document reads like a plan when it numbers items or names units or time limits; one
# that does and yields no task lost its structure somewhere: the analyst must see it.
_PLAN_CUES = re.compile(r"(?:^|[\n。；])\s*(?:[一二三四五六七八九十]{1,3}、|[（(][一二三四五六七八九十]{1,3}[）)]|\d{1,2}[、.．](?!\d))"
                        r"|牵头单位|责任单位|配合单位|完成时限|时间节点|责任部门")
NO_TASK_WARNING = "W301 plan-like document, no task found"


def task_structure(doc: Document, tasks: list[Task]) -> str:
    """Which readers found the tasks: outline, table, flattened_table (joined by +), or none."""
    kinds = {"outline" if t.source == "body" else t.rule for t in tasks}
    return "+".join(k for k in ("outline", "table", "flattened_table") if k in kinds) or "none"


def plan_like_without_tasks(doc: Document) -> bool:
    """No task, though the text numbers items or names units or time limits."""
    return not doc.tasks and len(_PLAN_CUES.findall(doc.text)) >= 2


@component("table_tasks", stage="extract", requires=("text", "task_tables", "header"), assigns=("tasks",))
def table_tasks_step(doc: Document) -> None:
    """One task per row of every task table, with the units, times and targets of its cells."""
    doc.tasks = table_tasks(doc, doc.task_tables, doc.header.plan_year)


@component("body_tasks", stage="extract", requires=("text", "outline", "header", "tasks"), assigns=("tasks",))
def body_tasks_step(doc: Document) -> None:
    """One task per outline item that assigns work, with its units, deadlines, frequencies, targets."""
    outline = doc.outline
    table = doc.tasks
    # an item that introduces a task table (四、任务分工 … 下表) is its heading, not a task
    introduces = {id(enclosing) for block_index, _a, _t, enclosing in outline.tables
                  if enclosing is not None and any(
                      doc.blocks[block_index].start <= t.start < doc.blocks[block_index].end for t in table)}
    body = [t for item, t in body_tasks(doc, outline, doc.header.plan_year) if id(item) not in introduces]
    doc.tasks = sorted(body + table, key=lambda t: t.start)


@component("settle_units", stage="extract", requires=("text", "tasks"), assigns=("tasks.units",))
def settle_units_step(doc: Document) -> None:
    """Units settled across the document: 列第一位的为牵头 orders, shared suffixes, canonical names."""
    _settle_units(doc, doc.tasks)


@component("goal_targets", stage="extract", requires=("text", "outline", "task_tables"), assigns=("targets",))
def goal_targets_step(doc: Document) -> None:
    """Document-level targets: the goals of 工作目标-like sections outside the tasks."""
    doc.targets = goal_targets(doc, doc.outline)


@component("structure", stage="extract", requires=("text", "tasks"), assigns=("structure", "warnings"))
def structure_step(doc: Document) -> None:
    """Which readers found the tasks; a plan-like document without any task gets W301."""
    doc.structure = task_structure(doc, doc.tasks)
    if plan_like_without_tasks(doc):
        # a silent zero would hide a layout the readers did not recover
        doc.warnings.append(f"{NO_TASK_WARNING}: numbering labels or unit and time cues are "
                            "present but neither the outline nor a table gave a task")


# ----------------------------------------------------------------------------- body


def task_items(doc: Document, outline: Outline) -> list[tuple[OutlineItem, int]]:
    """The items that are tasks, each with the end of its text.

    A leaf is a task; so is an item that carries an action and has only
    sub-items ((1), ①) below it: those stay in its text (ANNOTATION §2)."""
    out: list[tuple[OutlineItem, int]] = []
    inside: set[int] = set()
    for item in outline.items:
        if item.kind != "item" or any(id(a) in inside for a in item.ancestors()):
            continue
        if item.is_leaf:
            out.append((item, item.end))
        elif carries_action(doc, item) and only_sub_items_below(item):
            inside.add(id(item))
            out.append((item, subtree_end(item)))
    return out


def body_tasks(doc: Document, outline: Outline, plan_year: int | None) -> list[tuple[OutlineItem, Task]]:
    text = doc.text
    out: list[tuple[OutlineItem, Task]] = []
    unit_heading, citation = outline_rules().unit_heading, outline_rules().citation_only
    for item, end in task_items(doc, outline):
        if citation is not None and citation.match(text[item.text_start:end].strip()):
            continue  # 1、《XX管理办法》: a citation, no work
        units = find_unit_notes(text, item.start, end)
        kind = enclosing_section_kind(doc, item)
        if kind == "non_task" or (kind in ("goal", "unit_only") and not units):
            continue
        ancestors = item.ancestors()
        section_parts = []
        if item.attachment:
            title = outline.attachment_titles.get(item.attachment)
            section_parts.append(title or item.attachment)
        deadlines: list[Deadline] = []
        for anc in ancestors:
            head = item_heading_text(doc, anc)
            section_parts.append(head)
            hs = anc.text_start
            deadlines += [_from_heading(d) for d in find_deadlines(text, hs, anc.head_end, plan_year)]
            m = unit_heading.match(head)
            if m and not any(u.role == "lead" for u in units):
                us = text.find(m.group("unit"), hs)
                units.append(UnitMention("lead", m.group("unit"), us, us + len(m.group("unit")),
                                         rule="unit_heading"))
            # 一、杨松县长牵头重点工作: the leader a heading names leads the items under it
            if not any(u.role == "leader" for u in units):
                units += [_from_heading(u) for u in find_unit_notes(text, hs, anc.head_end) if u.role == "leader"]
        owner = _duty_owner(doc, item, ancestors) or _share_paragraph_owner(doc, item)
        if owner is not None:
            leads = [u for u in units if u.role == "lead"]
            if leads and all(owner.unit.endswith(u.unit) for u in leads):
                # 1.街道消委办。… 消委办负责…: the part's own unit, named short again inside it
                units = [u for u in units if u.role != "lead"]
                leads = []
            if not leads:
                units.insert(0, owner)
        elif not any(u.role == "lead" for u in units):
            units = _title_units(doc, item) + units
        duty_units = _duty_paragraph_units(doc, item, end, units)
        if duty_units:
            units = sorted(units + duty_units, key=lambda u: u.start)  # in the order the parts stand
        deadlines += find_deadlines(text, item.start, end, plan_year)
        path = ([item.attachment] if item.attachment else []) + [
            a.label.path_label if a.label else item_heading_text(doc, a)
            for a in ancestors + [item]]
        out.append((item, Task(
            path=path, section=" / ".join(p for p in section_parts if p),
            title=short_title(doc, item), source="body", start=item.start, end=end,
            rule="outline_leaf" if item.is_leaf else "outline_item_with_sub_items",
            page=doc.page_at(item.start), units=units, deadlines=deadlines,
            frequencies=find_frequencies(text, item.start, end),
            targets=find_targets(text, item.text_start, end))))  # the label (2.) is no part of 2.50个
    _share_closing_notes(text, out)
    return out


# what opens a paragraph that is a unit note alone: （责任单位： / 〔牵头单位: / 责任单位：
_NOTE_PARAGRAPH_OPENING = re.compile(r"[ \t\u3000]*[（(〔【\[]?[\u4e00-\u9fff]{2,8}[:：][ \t\u3000]*")


def _share_closing_notes(text: str, out: list[tuple[OutlineItem, Task]]) -> None:
    """A unit note on a paragraph of its own after the last of a list's items, where no item of
    the list has a note of its own, closes the item the list belongs to:
    「1.完善应急预案体系 / (1)… / (4)… / （责任单位：市直各有关单位、…）」: its units are every item's
    (ANNOTATION §3: a note covers the numbered item it stands in, here 1.)."""
    by_parent: dict[int, list[Task]] = {}
    for item, task in out:
        if item.parent is not None and item.is_leaf:
            by_parent.setdefault(id(item.parent), []).append(task)
    for tasks in by_parent.values():
        last = tasks[-1]
        noted = [u for u in last.units if u.rule == "note" and u.role in ("lead", "support")]
        if len(tasks) < 2 or not noted or any(u.role != "leader" for t in tasks[:-1] for u in t.units):
            continue
        first = min(noted, key=lambda u: u.start)
        line_start = text.rfind("\n", last.start, first.start) + 1
        if line_start == 0 or not _NOTE_PARAGRAPH_OPENING.fullmatch(text, line_start, first.start):
            continue  # the note ends the last item's own paragraph: that item's alone
        for t in tasks[:-1]:
            t.units += [UnitMention(u.role, u.unit, u.start, u.end, rule="note.closing_list") for u in noted]


def _share_paragraph_owner(doc: Document, item: OutlineItem) -> UnitMention | None:
    """The unit that opens a paragraph of an unnumbered share-out (区委农办要结合…，负责…): the
    outline made the paragraph an item for that unit (segment.outline, ``duty_paragraph``)."""
    rx = outline_rules().duty_paragraph
    if rx is None or item.label is None or item.label.style != "bullet" or item.label.text:
        return None
    m = rx.match(doc.text[item.text_start:item.end])  # (the pattern is anchored: no match at a pos)
    if m is None:
        return None
    s = item.text_start + m.start("unit")
    return UnitMention("lead", m.group("unit"), s, s + len(m.group("unit")), rule="share_paragraph")


def _duty_owner(doc: Document, item: OutlineItem, ancestors: list[OutlineItem]) -> UnitMention | None:
    """In a section that shares out duties (职责分工), an item titled by a unit's name
    (2.派出所。配合开展…) is that unit's part: the unit leads it."""
    if not ancestors or not _shares_duties(doc, ancestors[-1]):
        return None
    # the unit's name closes the item's title: 1.街道消委办。… or (一)区城管执法局：负责…, or is
    # the whole first line, the duty below it: (一)区建设管理委（区水务局） / 负责制定…
    head = item_heading_text(doc, item)
    # (由保洁公司负责…: 由 introduces the unit, it is no part of its name)
    candidates = [m.group().strip().removeprefix("由") for m in (re.match(r"[^。：:，,；;]{2,20}(?=[。：:])", head),
                                                               _DUTY_SUBJECT.match(head)) if m]
    if 2 <= len(head) <= 24 and item.end > item.head_end:
        candidates.append(head)
    title = next((c for c in candidates if is_unit_like(c) and not find_unit_notes(c, 0, len(c))), None)
    if title is None:
        return None
    start = doc.text.find(title, item.text_start)
    return UnitMention("lead", title, start, start + len(title), rule="duty_title") if start >= 0 else None


def _title_units(doc: Document, item: OutlineItem) -> list[UnitMention]:
    """An item titled by the units whose part it is, wherever it stands ((十七)首都综治办、市委督查室、
    市监察局、市政府督查室。负责组织…; a page that lost the 职责分工 heading above it): every name of
    the title reads as a unit and one opens with a place or 各 (成立领导小组。 is no unit's part)."""
    head = item_heading_text(doc, item)
    m = re.match(r"[^。：:，,；;（(]{2,40}(?=[。：:])", head)
    if m is None:
        return []
    start = item.text_start + (doc.text[item.text_start:item.head_end].find(m.group()))
    pieces = [(p.start() + start, p.end() + start) for p in re.finditer(r"[^、]+", m.group())]
    names = [doc.text[a:b] for a, b in pieces]
    # (a zone names a place the work is done in, 乡村振兴齐鲁样板示范区, not the body that does it)
    if not names or not all(is_unit_like(n) and not n.endswith(zone_words()) for n in names) or not any(
            unit_rules().unit_prefix.match(n) for n in names):
        return []
    return [UnitMention("lead", n, a, b, rule="unit_title") for n, (a, b) in zip(names, pieces)]


# the unit that opens a part of a 职责分工 section, before its charge
_UNIT_BEFORE_CHARGE = r"[^，。；：:、\s（(]{2,20}?"
# a paragraph of such a part: 区财政局负责…, 区住房保障房屋管理局是…牵头部门
_DUTY_PARAGRAPH = re.compile(rf"(?:^|\n)[ \t\u3000]*(?P<unit>{_UNIT_BEFORE_CHARGE})(?=负责|牵头|是)")
# …and an item of it that opens the same way: （1）区水务局负责… / （2）区财政局会同区水务局…
_DUTY_SUBJECT = re.compile(rf"{_UNIT_BEFORE_CHARGE}(?=负责|牵头|会同|是)")


def _shares_duties(doc: Document, node: OutlineItem) -> bool:
    """Is ``node`` a section that shares out duties (二、职责分工, 部门职责 …)?"""
    duty = outline_rules().duty_section
    return duty is not None and duty.search(item_heading_text(doc, node)[:12]) is not None


def _duty_paragraph_units(doc: Document, item: OutlineItem, end: int,
                          found: list[UnitMention]) -> list[UnitMention]:
    """A 职责分工 part written as paragraphs, each opening with a unit (七、职责分工 / 区财政局
    负责… / 乡镇人民政府负责…): each such unit leads its part of the item (ANNOTATION §3: a part
    headed by a unit's name in a 职责分工 section)."""
    if not _shares_duties(doc, item):
        return []
    have = {(u.start, u.end) for u in found}
    out = []
    for m in _DUTY_PARAGRAPH.finditer(doc.text, item.text_start, end):
        name = m.group("unit")
        if is_unit_like(name) and (m.start("unit"), m.end("unit")) not in have:
            out.append(UnitMention("lead", name, m.start("unit"), m.end("unit"), rule="duty_title"))
    return out


def _from_heading(record):
    """A record read in a heading above the task: its rule id says so."""
    record.rule = f"heading.{record.rule}"
    return record


def goal_targets(doc: Document, outline: Outline) -> list[Target]:
    """Goals of 工作目标-like sections (at any level) outside the tasks; value null allowed."""
    targets: list[Target] = []
    for item in outline.items:
        if item.kind != "item" or section_kind(item_heading_text(doc, item)) != "goal":
            continue
        if any(a.kind == "item" and section_kind(item_heading_text(doc, a)) == "goal"
               for a in item.ancestors()):
            continue  # read once, with the outermost goals section
        spans = [(item.text_start, item.end)]
        stack = list(item.children)
        while stack:
            child = stack.pop()
            if find_unit_notes(doc.text, child.start, subtree_end(child)):
                continue  # an item with its own units is a task, not a goal
            spans.append((child.start, child.end))
            stack.extend(child.children)
        spans += _goal_table_lines(doc, outline, item) + _goal_table_cells(doc, outline, item)
        for s, e in sorted(spans):
            targets += find_targets(doc.text, s, e, goals=True)
    return _preamble_targets(doc, outline) + targets


def _goal_table_lines(doc: Document, outline: Outline, item: OutlineItem) -> list[tuple[int, int]]:
    """The paragraphs between a goals section and the next item or heading: an indicator
    table that a crawler wrote one cell a line (指标名称 / 目标 / 指标类型 / 管道养护抽查合格率 /
    95%（含）以上 / 定量 …). Its short cell lines end the section's own text (a short line
    alone is read as a signature or a title), yet they are the section's goals. Only where
    another item follows: after the last one the lines are the signature and the date."""
    end = subtree_end(item)
    after = [it.start for it in outline.items if it.start >= end and it.attachment == item.attachment]
    if not after:
        return []
    stop = min(after)
    spans = list(doc.header.spans.values())
    return [(b.start, b.end) for b in doc.blocks
            if b.kind == "paragraph" and end <= b.start and b.end <= stop and not in_spans(b, spans)]


def _goal_table_cells(doc: Document, outline: Outline, item: OutlineItem) -> list[tuple[int, int]]:
    """The cells of the tables a goals section holds that are no task tables (an indicator
    table without a unit column: segment.tables leaves it to the goals)."""
    tasked = {tt.block_index for tt in doc.task_tables}
    out: list[tuple[int, int]] = []
    for block_index, _attachment, _title, enclosing in outline.tables:
        table = doc.blocks[block_index].table
        if (table is None or block_index in tasked or enclosing is None
                or not (enclosing is item or item in enclosing.ancestors())):
            continue
        out += [(c.start, c.end) for c in table.cells if c.end > c.start]
    return out


def _preamble_targets(doc: Document, outline: Outline) -> list[Target]:
    """The numbered goals a plan states in its opening paragraph, before its first item
    (…高质量完成各项工作：全区完成18个高标准小区、…达标率稳定在95%以上): every quantified goal
    counts (ANNOTATION §6). Header matter (title, 主送, the cover note's 现将…印发) is left out;
    what was done (已完成, 共建成) the target rules reject."""
    first = next((it for it in outline.items if it.kind == "item"), None)
    if first is None:
        return []
    spans = list(doc.header.spans.values())
    out: list[Target] = []
    for b in doc.blocks:
        if b.kind != "paragraph" or b.start >= first.start or in_spans(b, spans):
            continue
        cover = target_rules().cover_note
        notes = [(m.start(), m.end()) for m in cover.finditer(doc.text, b.start, b.end)] if cover else []
        out += [t for t in find_targets(doc.text, b.start, b.end)
                if t.value is not None and not any(s <= t.start < e for s, e in notes)]
    return out


# ----------------------------------------------------------------------------- tables


def table_tasks(doc: Document, tables: list[TaskTable], plan_year: int | None) -> list[Task]:
    out: list[Task] = []
    for tt in tables:
        reader = "flattened_table" if doc.blocks[tt.block_index].style.get("flattened") else "table"
        for n, row in enumerate(tt.rows, start=1):
            if _TOTAL_ROW.fullmatch(_cells_text(doc, row, "lead")):
                continue  # 全县合计 | 7000: a table by subject's total row sums the tasks, it is none
            task = _table_task(doc, row, n, tt.attachment, tt.attachment_title, plan_year,
                               tt.columns.header_texts)
            task.rule = reader
            out.append(task)
    return out


_TOTAL_ROW = re.compile(r"(?:全[省市县区乡镇]|总)?(?:合计|总计|小计|总数)")


def _cells_text(doc: Document, row: TaskRow, role: str) -> str:
    return "".join(doc.text[c.start:c.end] for c in row.cells.get(role, [])).strip()


# an indicator's name is a short phrase (拥有发明专利, 技术合同成交额), not a requirement's text
INDICATOR_NAME_MAX_CHARS = 30


def _table_task(doc: Document, row: TaskRow, n: int, attachment: str | None,
                attachment_title: str | None, plan_year: int | None,
                header_texts: tuple[str, ...] = ()) -> Task:
    text = doc.text
    units: list[UnitMention] = []
    for role in ("lead", "support", "leader"):
        for c in row.cells.get(role, []):
            units += split_unit_list(text, c.start, c.end, role)
    if row.section_cell is not None and not any(u.role == "leader" for u in units):
        # （一）刘忻市长牵头重点工作: the leader a section row names leads its rows, as a
        # heading does in the outline
        s = row.section_cell
        units += [_from_heading(u) for u in find_unit_notes(text, s.start, s.end) if u.role == "leader"]
    deadlines: list[Deadline] = []
    frequencies: list[Frequency] = []
    targets: list[Target] = []
    for role in ("task", "detail"):
        for c in row.cells.get(role, []):
            deadlines += find_deadlines(text, c.start, c.end, plan_year)
            frequencies += find_frequencies(text, c.start, c.end)
            targets += find_targets(text, c.start, c.end)
    for c in row.cells.get("deadline", []):
        deadlines += find_deadlines(text, c.start, c.end, plan_year, column=True)
        frequencies += find_frequencies(text, c.start, c.end)
    for c in row.cells.get("note", []) + row.cells.get("target", []):
        # a 备注 / 推进情况 cell says how often the work recurs (每月月底公开…), not when it ends;
        # so may a quantity cell (抽查比例: 重点污染源每月抽查总数的9%)
        frequencies += find_frequencies(text, c.start, c.end)
    # an indicator table's row names its indicator with its measure (拥有发明专利(件)): the
    # unit of the bare numbers in its target columns (前三年目标任务 3000)
    indicator, unit = next((found for c in row.cells.get("task", []) + row.cells.get("detail", [])
                            if (found := indicator_unit(text, c.start, c.end))[1]), (None, None))
    # a measure column (单位: 家, %, 万元) states the unit outright
    unit = _cells_text(doc, row, "measure").strip() or unit
    # the metric is the indicator the row names: its task cell, where that is a name
    named = _cells_text(doc, row, "task") or _cells_text(doc, row, "detail")
    indicator = indicator or (named if 0 < len(named) <= INDICATOR_NAME_MAX_CHARS else None)
    for c in row.cells.get("target", []):
        # a quantity column (抽查比例 5%, 抽查数量 1户): its number is the row's goal; a column
        # may name the measure of all its numbers instead (2023年目标（万元）)
        header = header_texts[c.col] if c.col < len(header_texts) else ""
        column, column_unit = indicator_unit(header, 0, len(header))
        column = column or header or None
        metric = f"{indicator}({column})" if indicator and column else indicator or column
        targets += find_cell_targets(text, c.start, c.end, unit=unit or column_unit, metric=metric)
    name = _cells_text(doc, row, "task") or None
    if name is None and row.cells.get("lead") and targets:
        # a table by subject: the row's body and the quota its column names (长安镇 新种任务)
        name = f"{_cells_text(doc, row, 'lead')} {targets[0].metric or ''}".strip()
    section = " / ".join(p for p in (attachment_title or attachment, row.section) if p)
    return Task(path=[attachment or "表", row.seq or str(n)], section=section,
                title=name, source="table", start=row.start, end=row.end,
                page=doc.page_at(row.start), units=units, deadlines=deadlines,
                frequencies=frequencies, targets=targets)


# ----------------------------------------------------------------------------- units


def _first_listed_leads(doc: Document, tasks: list[Task]) -> None:
    """（省发展改革委、省编办…等负责，列第一位的为牵头部门，下同）: where the document
    declares that the first unit of a note leads, the others of each later note support."""
    m = unit_rules().first_listed_leads.search(doc.text)
    if m is None:
        return
    for t in tasks:
        if t.end <= m.start() or t.source != "body":
            continue
        noted = [u for u in t.units if u.role == "lead" and u.rule in ("note", "bare_note", "line_note")]
        for u in sorted(noted, key=lambda u: u.start)[1:]:
            u.role, u.rule = "support", f"{u.rule}.first_listed_leads"


def _settle_units(doc: Document, tasks: list[Task]) -> None:
    """Expand shared-suffix lists and split run-together lists against the unit
    names the document itself writes in full, then fill canonical names."""
    _first_listed_leads(doc, tasks)
    known = {u.unit for t in tasks for u in t.units}
    for t in tasks:
        units: list[UnitMention] = []
        for u in t.units:
            units += split_known_concatenation(u, known)
        units = expand_shared_suffix(units, known, text=doc.text)
        seen: set[tuple[str, str]] = set()
        t.units = []
        for u in units:
            if (u.role, u.unit) in seen:
                continue
            seen.add((u.role, u.unit))
            if u.canonical is None and u.role != "leader":
                u.canonical = canonical_unit(u.unit)
            t.units.append(u)
