"""Column roles of task tables (责任清单, 任务分解表): one vocabulary for two readers.

``ingest`` uses it to find the header row of a table that a converter flattened into
text (a run of cells whose words all name columns); ``segment.tables`` uses it to
give every column of a real table its role. Offices name their columns in many ways
(牵头单位, 主要责任单位, 责任科室, 协同部门, 完成时限, 时间节点 …), so a role comes
from an exact name, from a cue inside the name, or from a head word made of a role
modifier and a unit noun (主办 + 部门, 配合 + 科室): see gazetteers/table_roles.yaml.
"""
from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from .errors import GazetteerError
from .gazetteer import compile_pattern, load_yaml, str_list
from .hanzi import to_simplified

ROLES = ("seq", "category", "task", "detail", "target", "measure", "lead", "support", "leader", "deadline", "note")
GAZETTEER = "table_roles.yaml"
# a column name is a short phrase: a cell longer than this is data, never a header
MAX_HEADER_CHARS = 12
# a column name is no sentence and no labelled line (附件：任务分解表 is no header cell)
_SENTENCE_MARKS = re.compile(r"[：:，,。；;！？!?]")


@dataclass(frozen=True)
class RoleRules:
    exact: dict[str, str]
    contains: tuple[tuple[str, str], ...]
    unit_nouns: tuple[str, ...]
    lead_modifiers: tuple[str, ...]
    support_modifiers: tuple[str, ...]
    header_search_rows: int
    target_column: re.Pattern | None = None
    measure_cell: re.Pattern | None = None
    year_column: re.Pattern | None = None
    inspecting_body: tuple[str, ...] = ()


@functools.lru_cache(maxsize=1)
def rules() -> RoleRules:
    data = load_yaml(GAZETTEER)
    for cue, role in list(data["exact"].items()) + [tuple(x) for x in data["contains"]]:
        if role not in ROLES:
            raise GazetteerError(f"{GAZETTEER}: cue {cue!r} has unknown role {role!r} (roles: {ROLES})")
    head = data.get("head_words") or {}
    return RoleRules(dict(data["exact"]), tuple((c, r) for c, r in data["contains"]),
                     *(str_list(GAZETTEER, head, k, required=False) for k in ("unit_nouns", "lead", "support")),
                     int(data.get("header_search_rows", 4)),
                     compile_pattern(GAZETTEER, "target_column", str(data["target_column"]))
                     if data.get("target_column") else None,
                     compile_pattern(GAZETTEER, "measure_cell", str(data["measure_cell"]))
                     if data.get("measure_cell") else None,
                     compile_pattern(GAZETTEER, "year_column", str(data["year_column"]))
                     if data.get("year_column") else None,
                     str_list(GAZETTEER, data, "inspecting_body", required=False))


def is_measure_word(text: str) -> bool:
    """A cell that is a measure word alone (家, %, 万元): an indicator table's 单位 cell."""
    rx = rules().measure_cell
    return rx is not None and rx.match(squash(text)) is not None


def squash(s: str) -> str:
    return re.sub(r"\s+", "", s)


def column_role(header_text: str) -> str | None:
    """The role of one header cell ("牵头\\n单位" → lead, "主办部门" → lead), or None.
    A header in traditional characters (責任單位) is read through its simplified form."""
    r = rules()
    t = squash(to_simplified(header_text))
    # a note in brackets closing the name (重点工作任务（民生实事项目）) may make it longer; a
    # bracket opening a line is a title's, not a column's ((2024-2027年)主要目标任务)
    named = re.sub(r"[（(][^（）()]*[）)]$", "", t) if not t.startswith(("（", "(")) else t
    if not t or len(named or t) > MAX_HEADER_CHARS or _SENTENCE_MARKS.search(t):
        return None
    if t in r.exact:
        return r.exact[t]
    # a quota named with its measure (新种任务(亩)): the bracket is what makes it a column of numbers
    if r.target_column is not None and r.target_column.search(t):
        return "target"
    # 责任股室（单位）, 完成时限（月）: the bracket qualifies the name, the head word decides
    t = re.sub(r"[（(][^（）()]*[）)]", "", t) or t
    if t in r.exact:
        return r.exact[t]
    if r.target_column is not None and r.target_column.search(t):
        return "target"  # 前三年目标任务, 2023年目标: goal values, where 目标 alone names a goal's text
    for cue, role in r.contains:
        if cue in t:
            return role
    if t.endswith(r.unit_nouns):
        if any(m in t for m in r.support_modifiers):
            return "support"
        if any(m in t for m in r.lead_modifiers):
            return "lead"
    return None


# an office names the task column by its subject (民生实事, 重点项目): a short name
SUBJECT_COLUMN_MAX_CHARS = 8


# a column name closed by its measure in brackets (新种任务(亩), 任务数（个）)
_MEASURE_BRACKET = re.compile(r"[（(][^（）()]{1,6}[）)]$")


def by_subject(roles: Sequence[str | None]) -> bool:
    """A table by subject (乡镇 | 新种任务(亩)): its first column names the body each row
    charges and a quantity column its quota, which together are the row's task. ``roles``
    in column order."""
    return bool(roles) and roles[0] == "lead" and "target" in roles


def subject_task_column(texts: list[str], roles: list[str | None]) -> int | None:
    """The column that holds the tasks although its name is no column word: the one
    named column the vocabulary does not know, in a header that names unit or time
    columns but no task column (序号 | 民生实事 | 责任单位 | 完成时限)."""
    if {"task", "detail"} & set(roles) or not {"lead", "support", "deadline"} & set(roles):
        return None
    goals = [c for c, r in enumerate(roles) if r == "target" and "任务" in squash(texts[c])]
    if by_subject(roles) and all(_MEASURE_BRACKET.search(squash(texts[c])) for c in goals):
        goals = []  # 乡镇 | 新种任务(亩): a table by subject, its quota column holds numbers, not tasks
    if len(goals) == 1:
        # 年度目标任务 the only column of work (序号 | 年度目标任务 | 进展情况 | 责任单位): its
        # cells are the tasks, their goals inside them
        return goals[0]
    levels = [c for c, r in enumerate(roles) if r == "category"]
    if len(levels) >= 2:
        # an assessment table's indicators level by level (一级指标 | … | 五级指标 | 责任科室):
        # the finest level is what each row asks to be done
        return levels[-1]
    unknown = [c for c, (t, r) in enumerate(zip(texts, roles)) if r is None and squash(t)]
    if len(unknown) != 1 or not coined_column_name(texts[unknown[0]]):
        return None
    return unknown[0]


def is_year_column(text: str) -> bool:
    """A header cell that is a bare year (2025年): a value column of an indicator table."""
    rx = rules().year_column
    return rx is not None and rx.match(squash(text)) is not None


# the earliest of this many bare-year columns is the baseline, not a goal
BASELINE_YEAR_MIN_COLUMNS = 3


def year_column_roles(texts: list[str], roles: list[str | None]) -> list[str | None]:
    """``roles`` with the bare-year columns of an indicator table named (指标名称 | 单位 |
    2022年 | 2025年 | 2027年): targets, the earliest of three or more the baseline (a note).
    Only beside a task or indicator column; other roles are kept."""
    years = [c for c, (t, r) in enumerate(zip(texts, roles)) if r is None and is_year_column(t)]
    if not years or not {"task", "detail", "category"} & set(roles):
        return roles
    out = list(roles)
    for c in years:
        out[c] = "target"
    if len(years) >= BASELINE_YEAR_MIN_COLUMNS:
        earliest = min(years, key=lambda c: squash(texts[c]))
        out[earliest] = "note"
    return out


def coined_column_name(text: str) -> bool:
    """A short name of Chinese characters alone: an office's own column name (民生实事)."""
    name = squash(text)
    return len(name) <= SUBJECT_COLUMN_MAX_CHARS and re.fullmatch(r"[\u4e00-\u9fff]+", name) is not None
