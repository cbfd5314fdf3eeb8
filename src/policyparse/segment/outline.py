"""Rebuild a notice's numbering outline (一、 → （一） → 1. → （1） → ①).

Depth is not fixed by the style: it comes from the order in which styles appear
(a stack, as in any nested list), so 1. directly under 一、 works as well as
（一） under 一、. Two habits of real notices are handled on purpose:

- a style change that continues the count is a sibling, not a child: （三）
  after （2） (a drafter switched brackets half-way through a list);
- a short unnumbered line followed by numbered items is a heading of its own
  (「园区分管负责人安全生产职责清单」 above （1）（2）…), and 附件N starts a new
  outline with the attachment as its root.

Paragraphs without a label continue the item above them until a boundary
(a table, an attachment, a signature or date line, a heading). The result is a
flat list of :class:`OutlineItem` in reading order with parent links; tasks are
the leaves (see :mod:`policyparse.extract.tasks`).
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from ..numbering import Label, match_label
from ..numbering import rules as numbering_rules
from ..components import component
from ..gazetteer import compile_pattern, load_yaml
from ..model import Block, Document

@dataclass(frozen=True)
class OutlineRules:
    attachment: re.Pattern
    attachment_list: re.Pattern
    contact_line: re.Pattern | None
    bullet_key_line: re.Pattern | None
    bullet_menu_item: re.Pattern | None
    non_task_sections: tuple[str, ...]
    goal_sections: tuple[str, ...]
    unit_only_sections: tuple[str, ...]
    citation_only: re.Pattern | None
    heading_max_chars: int
    heading_end_punct: str
    heading_bad_start: str
    unit_heading: re.Pattern
    duty_section: re.Pattern | None
    sub_item_styles: tuple[str, ...]
    list_only_styles: tuple[str, ...] = ()
    work_too: re.Pattern | None = None
    duty_paragraph: re.Pattern | None = None


@functools.lru_cache(maxsize=1)
def rules() -> OutlineRules:
    name = "outline.yaml"
    data = load_yaml(name)
    numbering_rules()  # the label styles of this file are checked where they are read
    head = data.get("unnumbered_heading") or {}
    return OutlineRules(
        attachment=compile_pattern(name, "attachment", data["attachment"], ("num",)),
        attachment_list=compile_pattern(name, "attachment_list", data["attachment_list"]),
        contact_line=compile_pattern(name, "contact_line", data["contact_line"]) if data.get("contact_line") else None,
        bullet_key_line=(compile_pattern(name, "bullet_key_line", data["bullet_key_line"])
                         if data.get("bullet_key_line") else None),
        bullet_menu_item=(compile_pattern(name, "bullet_menu_item", data["bullet_menu_item"])
                          if data.get("bullet_menu_item") else None),
        non_task_sections=tuple(data.get("non_task_sections") or ()),
        goal_sections=tuple(data.get("goal_sections") or ()),
        unit_only_sections=tuple(data.get("unit_only_sections") or ()),
        citation_only=compile_pattern(name, "citation_only", data["citation_only"]) if data.get("citation_only") else None,
        heading_max_chars=int(head.get("max_chars", 40)),
        heading_end_punct=str(head.get("end_punctuation", "。；;，,：:")),
        heading_bad_start=str(head.get("bad_start", "〔【[（(")),
        unit_heading=compile_pattern(name, "unit_heading", data["unit_heading"], ("unit",)),
        duty_section=compile_pattern(name, "duty_section", data["duty_section"]) if data.get("duty_section") else None,
        sub_item_styles=tuple(data.get("sub_item_styles") or ()),
        list_only_styles=tuple(data.get("list_only_styles") or ()),
        work_too=compile_pattern(name, "work_too", data["work_too"]) if data.get("work_too") else None,
        duty_paragraph=(compile_pattern(name, "duty_paragraph", data["duty_paragraph"], ("unit",))
                        if data.get("duty_paragraph") else None),
    )


@dataclass
class OutlineItem:
    """A numbered item or an unnumbered heading, with its own text span.

    ``start``/``end`` cover the label paragraph and its continuation
    paragraphs, not the children. ``head_end`` ends the first paragraph.
    """

    kind: str  # "item" | "heading"
    label: Label | None
    start: int
    head_end: int
    end: int
    parent: "OutlineItem | None"
    attachment: str | None  # "附件2" where the item sits in an attachment
    children: list["OutlineItem"] = field(default_factory=list)
    page: int | None = None

    @property
    def is_leaf(self) -> bool:
        return not self.children

    @property
    def text_start(self) -> int:
        """Where the item's own words begin, after its label."""
        return self.start + (self.label.end if self.label else 0)

    def ancestors(self) -> list["OutlineItem"]:
        out, p = [], self.parent
        while p is not None:
            out.append(p)
            p = p.parent
        return out[::-1]

    def path(self) -> list[str]:
        labels = []
        for node in self.ancestors() + [self]:
            labels.append(node.label.path_label if node.label else "")
        return labels


@dataclass
class Outline:
    items: list[OutlineItem]
    # (block index, attachment label, attachment title, enclosing item) per table block
    tables: list[tuple[int, str | None, str | None, OutlineItem | None]]
    attachment_titles: dict[str, str]


def _is_short_unpunctuated(text: str) -> bool:
    r = rules()
    t = text.strip()
    return 0 < len(t) <= r.heading_max_chars and t[-1] not in r.heading_end_punct


def _may_be_heading(text: str) -> bool:
    """An unnumbered heading is a short line of words: not a bracketed note
    (〔责任单位：…〕), not a labelled line (责任单位：…), not a date or a number."""
    t = text.strip()
    # (a line that a fixed width broke mid-sentence, 规范化建设，由镇党建办公室…依托“灯塔—党建在, has its
    # commas inside: no heading, title or signature)
    return (_is_short_unpunctuated(t) and t[0] not in rules().heading_bad_start
            and "：" not in t and ":" not in t and not _INNER_CLAUSE_MARK.search(t))


_INNER_CLAUSE_MARK = re.compile(r"[，。；;]")


def build_outline(doc: Document, skip: list[tuple[int, int]] | None = None) -> Outline:
    """Walk the blocks in reading order and rebuild the numbering outline.

    ``skip`` lists spans (header matter: title, recipients, the attachment list,
    signature, dates) whose paragraphs neither open items nor continue them.
    """
    r = rules()
    skip = skip or []
    blocks = doc.blocks
    items: list[OutlineItem] = []
    tables: list = []
    attachment_titles: dict[str, str] = {}
    stack: list[OutlineItem] = []
    current: OutlineItem | None = None  # the item that unlabeled paragraphs continue
    attachment: str | None = None
    expect_attachment_title = False
    child_styles: dict[str | None, str] = {}
    counted: set[tuple[str, int]] = set()  # (style, number) of every label so far
    duty_run = False  # the paragraph before was a unit's part of an unnumbered share-out

    def open_item(kind: str, label: Label | None, b: Block, lead: int,
                  parent: OutlineItem | None) -> OutlineItem:
        item = OutlineItem(kind, label, b.start + lead, b.end, b.end, parent, attachment, page=b.page)
        if parent is not None:
            parent.children.append(item)
        stack.append(item)
        items.append(item)
        return item

    def labeled(i: int) -> bool:
        b = blocks[i]
        return b.kind == "paragraph" and match_label(doc.text[b.start:b.end].strip()) is not None

    n = len(blocks)
    for i, b in enumerate(blocks):
        if b.kind == "table":
            tables.append((i, attachment, attachment_titles.get(attachment or ""), stack[-1] if stack else None))
            current = None
            continue
        raw = doc.text[b.start:b.end]
        text = raw.strip()
        lead = len(raw) - len(raw.lstrip())
        if in_spans(b, skip):
            current = None
            if r.attachment_list.match(text):
                stack, child_styles = [], {}  # 附件：… (header matter) ends the body's numbering
            continue
        m_att = r.attachment.match(text)
        if m_att:
            attachment = "附件" + (m_att.group("num") or "")
            stack, current, child_styles = [], None, {}
            expect_attachment_title = True
            continue
        if r.attachment_list.match(text):
            # 附件：… ends the body's numbering: the attachments have their own
            stack, current, child_styles = [], None, {}
            continue
        label = match_label(text) or _continued_count(text, stack) or _lost_number(doc, blocks, i, text, stack)
        if label is None and r.duty_paragraph is not None and i > 0 and r.duty_paragraph.match(text) and (
                duty_run or not stack and doc.text[blocks[i - 1].start:blocks[i - 1].end].rstrip().endswith(("：", ":"))):
            # 现将…任务作如下明确： / 区住建局负责… / 区财政局负责…: each unit's paragraph is an item,
            # counted in order as a bulleted list is
            label = Label("bullet", 0, "", 0)
        duty_run = label is not None and label.style == "bullet" and not label.text
        if (label is not None and label.style == "bullet" and r.bullet_key_line is not None
                and r.bullet_key_line.match(text[label.end:])):
            label = None  # • 索引号：… a page's metadata line, no list item
        if (label is not None and label.style == "bullet" and r.bullet_menu_item is not None
                and r.bullet_menu_item.match(text[label.end:])):
            continue  # • 休闲生活: a page's menu entry, neither an item nor a heading
        if expect_attachment_title and label is None and _is_short_unpunctuated(text):
            attachment_titles[attachment or ""] = text
            expect_attachment_title = False
            continue
        expect_attachment_title = False
        if label is not None:
            parent = _place(stack, label, child_styles, counted)
            counted.add((label.style, label.num))
            if label.style == "bullet":  # bullets are counted in order among their siblings
                siblings = parent.children if parent is not None else [it for it in items if it.parent is None]
                label.num = 1 + sum(1 for it in siblings if it.label is not None and it.label.style == "bullet")
            child_styles.setdefault(_style_of(parent), label.style)
            current = open_item("item", label, b, lead, parent)
            continue
        next_labeled = i + 1 < n and labeled(i + 1)
        if _may_be_heading(text) and next_labeled:
            # an unnumbered heading: siblings of each other, parents of the items below
            while stack and stack[-1].kind != "heading":
                stack.pop()
            if stack:
                stack.pop()
            open_item("heading", None, b, lead, stack[-1] if stack else None)
            current = None
            continue
        if current is None:
            continue
        if r.contact_line is not None and r.contact_line.match(text):
            current = None  # 联系人：… below the items: the item ended above it
            continue
        if _may_be_heading(text) and not _continues(doc, blocks, i, skip):
            current = None  # a title, a signature or a date: the item ended above it
            continue
        current.end = b.end
    _fold_lone_later_items(doc, items)
    return Outline(items, tables, attachment_titles)


def _fold_lone_later_items(doc: Document, items: list[OutlineItem]) -> None:
    """An only child numbered past the first (a 「2. …」 alone under 三、) opens no list: its
    1. is missing because it is no list item at all (a line of an attachment list that lost
    its 附件：, a decimal), and the item above it stays a task. Its text joins that item's
    where it follows on directly; after a boundary (联系人：…) it belongs to neither. A number
    that goes on from an item of its style before (8. under 二、 after 1.–7. under 一、: a count
    that runs through the sections) is a list item."""
    list_only = set(rules().list_only_styles)
    for k, item in reversed(list(enumerate(items))):
        parent = item.parent
        if parent is None or item.label is None:
            continue
        # 一是… alone under an item: its 二是 runs on inside the same paragraph, no list of paragraphs
        alone = item.label.style in list_only and parent.children == [item] and parent.kind == "item"
        if alone or (item.label.num > 1 and item.label.style != "bullet" and parent.children == [item]
                     and not item.children and parent.kind == "item"
                     and not any(it.label is not None and it.label.style == item.label.style
                                 and it.label.num == item.label.num - 1 for it in items[:k])):
            if item.children:
                continue
            parent.children = []
            if not doc.text[parent.end:item.start].strip():
                parent.end = max(parent.end, item.end)
            items.remove(item)


_DIGIT_AFTER_DOT = re.compile(r"^(?P<label>(?P<num>\d{1,2})[.．])(?=\d)")


def _continued_count(text: str, stack: list[OutlineItem]) -> Label | None:
    """「2.50个小区新增…」 after item 1.: a label followed by a number reads as a decimal
    (2.50) unless it continues the count of a 1. 2. list open above it."""
    m = _DIGIT_AFTER_DOT.match(text)
    if not m:
        return None
    num = int(m.group("num"))
    if any(it.label is not None and it.label.style == "arabic_dot" and it.label.num == num - 1
           for it in stack):
        return Label("arabic_dot", num, m.group("label"), m.end())
    return None


# the paragraphs after a bullet searched for the number that would follow its lost one
LOST_NUMBER_LOOKAHEAD = 4
# a Markdown bullet opening a paragraph: - 建立…
_MARKDOWN_BULLET = re.compile(r"^[-*＊]\s+(?=[\u4e00-\u9fff“《])")


def _lost_number(doc: Document, blocks: list[Block], i: int, text: str, stack: list[OutlineItem]) -> Label | None:
    """「1.…」「- …」「3.…」: a bullet standing where a numbered list's next number belongs, the
    number after it coming next, is that item (a page converter wrote every other item of an
    ordered list as a bullet); so is one that ends such a list."""
    m = _MARKDOWN_BULLET.match(text)
    if not m or not stack or stack[-1].label is None:
        return None
    last = stack[-1]
    style, num = last.label.style, last.label.num
    lost = Label(style, num + 1, m.group().strip(), m.end())
    # …and the list's last item, where a bullet stood for a number before in the same list
    siblings = last.parent.children if last.parent is not None else []
    before = any(it.label is not None and it.label.style == style and it.label.text in ("-", "*", "＊")
                 for it in siblings)
    # (a few paragraphs ahead at most: a long bulleted list under an item costs no quadratic scan)
    for b in blocks[i + 1:i + 1 + LOST_NUMBER_LOOKAHEAD]:
        if b.kind != "paragraph":
            return lost if before else None
        nxt = match_label(doc.text[b.start:b.end].strip())
        if nxt is not None:
            return lost if (nxt.style, nxt.num) == (style, num + 2) or (before and nxt.style != style) else None
    return lost if before else None


def in_spans(b: Block, spans: list[tuple[int, int]]) -> bool:
    """Does block ``b`` overlap any of ``spans`` (header matter, say)?"""
    return any(b.start < e and s < b.end for s, e in spans)


def _continues(doc: Document, blocks: list[Block], i: int, skip) -> bool:
    """A short unpunctuated paragraph continues an item only where body text follows it
    (a sentence a layout broke), not another heading, a label, a table or the end."""
    if i + 1 >= len(blocks):
        return False
    nb = blocks[i + 1]
    if nb.kind != "paragraph" or in_spans(nb, skip):
        return False
    nxt = doc.text[nb.start:nb.end].strip()
    return not (match_label(nxt) or _is_short_unpunctuated(nxt) or rules().attachment.match(nxt))


def _style_of(item: OutlineItem | None) -> str | None:
    if item is None:
        return None
    return item.label.style if item.label else "heading"


def _place(stack: list[OutlineItem], label: Label, child_styles: dict,
           counted: set[tuple[str, int]] = frozenset()) -> OutlineItem | None:
    """Pop the stack to where ``label`` belongs and return its parent.

    ``child_styles`` remembers which style has appeared under which: a document
    that numbers 1、2、 under （一） and goes on with 3、 under （二） keeps 3、 a child.
    ``counted``: the (style, number) of every label before this one.
    """
    styles = [_style_of(it) for it in stack]
    if label.style in styles:
        k = len(styles) - 1 - styles[::-1].index(label.style)
        # same style higher up the stack: a sibling of that item, unless a heading lies
        # between (an unnumbered heading restarts the numbering below it)
        if "heading" not in styles[k + 1:]:
            del stack[k:]
            return stack[-1] if stack else None
    top = stack[-1] if stack else None
    if (top is not None and top.label is not None and top.label.style != label.style
            and child_styles.get(top.label.style) != label.style
            and label.num > 1 and label.num == top.label.num + 1
            and (label.style, label.num - 1) not in counted):
        # the count continues in another style: （三） after （2） is a sibling (but 2. under
        # （一） goes on from a 1. of its own style above: a count that runs through the sections)
        stack.pop()
        return stack[-1] if stack else None
    rank = _ladder_rank(label.style)
    if (top is not None and rank is not None and label.num > 1
            and child_styles.get(_style_of(top)) != label.style
            and all(_ladder_rank(_style_of(it)) is not None and _ladder_rank(_style_of(it)) > rank
                    for it in stack)):
        # every open item ranks below the label on the GB/T 9704 ladder (一、→（一）→1.→（1）)
        # and the label is not a first one (a （一） may open a level under 1.): an excerpt
        # that opens at 123. and goes on with （七） climbs back up, it does not nest
        stack.clear()
        return None
    return top


def _ladder_rank(style: str | None) -> int | None:
    """The place of a label style on the ladder of outline.yaml (0 the top), or None."""
    ids = [s.id for s in numbering_rules().styles]
    return ids.index(style) if style in ids else None


def carries_action(doc: Document, item: OutlineItem) -> bool:
    """An item whose own paragraph says what to do, beyond a heading: a sentence
    after its short title (「1.加强管理。督促…」) or a long first paragraph."""
    head = item_heading_text(doc, item)
    return len(head) > rules().heading_max_chars or bool(re.search(r"[。；;！!？?].", head))


def subtree_end(item: OutlineItem) -> int:
    end = item.end
    for child in item.children:
        end = max(end, subtree_end(child))
    return end


def only_sub_items_below(item: OutlineItem) -> bool:
    """Every descendant is numbered in a sub-item style ((1), ①, 1)), the styles
    ANNOTATION §2 keeps inside their task."""
    minor = set(rules().sub_item_styles)
    stack = list(item.children)
    while stack:
        child = stack.pop()
        if child.label is None or child.label.style not in minor:
            return False
        stack.extend(child.children)
    return True


def item_heading_text(doc: Document, item: OutlineItem) -> str:
    """The item's own first paragraph without its label: the heading of its children."""
    return doc.text[item.text_start:item.head_end].strip()


def short_title(doc: Document, item: OutlineItem) -> str | None:
    """The short heading of an item: the phrase before the first 。 of
    ``1、健全行业部门监管职责。…``, or a first paragraph that is only a heading."""
    head = item_heading_text(doc, item)
    m = re.match(r"^([^。；;！!？?]{2,40}?)[。；;！!？?]", head)
    if m and "，" not in m.group(1) and "," not in m.group(1):
        return m.group(1).strip()
    if head and _is_short_unpunctuated(head) and item.end > item.head_end:
        return head
    return None


def section_kind(title: str) -> str:
    """"non_task", "goal", "unit_only" (附则: its items are tasks only where they charge a
    unit) or "work" for a section heading's text."""
    r = rules()
    t = re.sub(r"\s", "", title)[:20]
    if any(t.startswith(k) or t == k for k in r.goal_sections):
        return "goal"
    if any(t.startswith(k) for k in r.non_task_sections) and not (r.work_too and r.work_too.search(t)):
        return "non_task"
    if any(t.startswith(k) for k in r.unit_only_sections):
        return "unit_only"
    return "work"


def enclosing_section_kind(doc: Document, item: OutlineItem) -> str:
    """The kind of the nearest section around the item that is not plain work:
    a 工作目标 nested in 总体要求 is a goals section, an item under 指导思想 is not a task."""
    for node in ([item] + item.ancestors()[::-1]):
        kind = section_kind(item_heading_text(doc, node))
        if kind != "work":
            return kind
    return "work"


@component("outline", stage="segment", requires=("text", "blocks", "header"), assigns=("outline",))
def outline_step(doc: Document) -> None:
    """The numbering outline (一、→（一）→1.→（1）→①), attachments, and where task tables stand."""
    # every span the header reader took (title, 主送, 附件说明, signature, dates …) is
    # header matter: its paragraphs neither open nor continue an item
    doc.outline = build_outline(doc, list(doc.header.spans.values()))
