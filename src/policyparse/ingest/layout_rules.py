"""The layout step's cues (``gazetteers/layout.yaml``), read and checked once, for the layout
reader (layout.py) and the reader of tables whose cells were glued together (tables_glued.py),
which layout.py calls: a module of their own, so that neither imports the other."""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from ..gazetteer import alternation, compile_pattern, load_yaml, str_list

GAZETTEER = "layout.yaml"


@dataclass(frozen=True)
class LayoutRules:
    run_on_min_chars: int
    boundary_before: str
    heading_max_chars: int
    heading_punctuation: str
    meta_key: re.Pattern
    title_end: re.Pattern
    plan_title: re.Pattern
    signature: re.Pattern
    own_line_note: re.Pattern
    doc_number: re.Pattern
    print_date: re.Pattern
    attachment: re.Pattern
    unit_suffixes: tuple[str, ...]
    unit_collective_starts: tuple[str, ...]
    empty_cell_marks: frozenset[str]
    deadline_cell: re.Pattern
    unit_role_tail: re.Pattern
    jammer_lead: re.Pattern
    jammer_tail: re.Pattern
    jammer_mixed_token: re.Pattern
    jammer_min_tokens: int
    jammer_min_mixed: int
    doc_share_blurb: re.Pattern
    inline_page_mark: re.Pattern
    glued_inline_header_max_names: int
    glued_inline_header_name_max_chars: int
    inline_sub_list_styles: frozenset[str]
    # tables whose cells were glued together (tables_glued.py)
    glued_header_max_lines: int
    glued_header_line_max_chars: int
    glued_continuation_max_chars: int
    glued_min_rows: int
    glued_serial: re.Pattern  # a row's opening 序号, glued to its first word
    glued_unit_column: re.Pattern  # a unit column's name inside the glued header
    glued_unit: re.Pattern  # one unit's name at a row's end
    glued_inline_serial: str  # what may not follow a row's serial inside running text (2月, 3个)
    glued_score_column: re.Pattern  # a column of points in a glued header (分值, 得分)


def _list(data: dict, key: str) -> tuple[str, ...]:
    return str_list(GAZETTEER, data, key)


@functools.lru_cache(maxsize=1)
def rules() -> LayoutRules:
    data = load_yaml(GAZETTEER)
    date = r"(?:(?:19|20)\d{2}|[一二][〇○零][〇○零一二三四五六七八九]{2})年[0-9一二三四五六七八九十]{1,3}月(?:[0-9一二三四五六七八九十]{1,3}日)?"
    orgs = alternation(_list(data, "org_suffixes"))
    rx = functools.partial(compile_pattern, GAZETTEER)
    return LayoutRules(
        run_on_min_chars=int(data["run_on_min_chars"]),
        boundary_before=str(data["boundary_before"]),
        heading_max_chars=int(data["heading_max_chars"]),
        heading_punctuation=str(data["heading_punctuation"]),
        meta_key=rx("meta_keys", rf"(?:{alternation(_list(data, 'meta_keys'))})\s*[:：]"),
        title_end=rx("title_genres", rf"的(?:{alternation(_list(data, 'title_genres'))})(?=[^）)》”\"，。；、])"),
        plan_title=rx("plan_genres",
                      rf"^[^。，,；;：:！？!?]{{4,60}}?(?:{alternation(_list(data, 'plan_genres'))})(?=[^）)》”\"，。；;、：:])"),
        # an issuer's name glued to its 成文日期: …落实。XX办公室2022年3月15日
        signature=rx("org_suffixes", rf"(?P<org>[\u4e00-\u9fff（）()]{{2,60}}?(?:{orgs}))\s*(?:[（(]代章[）)])?\s*(?P<date>{date})", ("org", "date")),
        own_line_note=rx("own_line_notes", "|".join(f"(?:{p})" for p in _list(data, "own_line_notes"))),
        doc_number=rx("doc_number", r"[\u4e00-\u9fff]{1,12}[〔\[【（(［﹝]\s*(?:19|20)\d{2}\s*[〕\]】）)］﹞]\s*\d{1,5}\s*号"),
        print_date=rx("print_date", rf"{date}\s*印发"),
        attachment=rx("attachment", r"附\s*件\s*(?P<num>\d{1,2}(?=(?:19|20)\d{2}年)|\d{0,2})\s*[：:]?", ("num",)),
        unit_suffixes=tuple(_list(data, "unit_suffixes")),
        unit_collective_starts=tuple(_list(data, "unit_collective_starts")),
        empty_cell_marks=frozenset(_list(data, "empty_cell_marks")),
        deadline_cell=rx("deadline_cell", str(data["deadline_cell"])),
        unit_role_tail=rx("unit_role_tail", str(data["unit_role_tail"])),
        # at a line's start before two spaces or the line's end; at its end after a word
        jammer_lead=rx("jammer_run", rf"^[ \t]*(?P<run>{data['jammer_run']})(?=[ \t]{{2,}}|[ \t]*$)", ("run",)),
        jammer_tail=rx("jammer_run", rf"(?<=[^\x00-\x7f])[ \t]*(?P<run>{data['jammer_run']})[ \t]*$", ("run",)),
        jammer_mixed_token=rx("jammer_mixed_token", str(data["jammer_mixed_token"])),
        jammer_min_tokens=int(data["jammer_min_tokens"]),
        jammer_min_mixed=int(data["jammer_min_mixed"]),
        doc_share_blurb=rx("doc_share_blurb", str(data["doc_share_blurb"])),
        inline_page_mark=rx("inline_page_mark", str(data["inline_page_mark"])),
        glued_inline_header_max_names=int(data["glued_inline_header_max_names"]),
        glued_inline_header_name_max_chars=int(data["glued_inline_header_name_max_chars"]),
        inline_sub_list_styles=frozenset(_list(data, "inline_sub_list_styles")),
        glued_header_max_lines=int(data["glued_header_max_lines"]),
        glued_header_line_max_chars=int(data["glued_header_line_max_chars"]),
        glued_continuation_max_chars=int(data["glued_continuation_max_chars"]),
        glued_min_rows=int(data["glued_min_rows"]),
        glued_serial=rx("glued_row_serial", str(data["glued_row_serial"]), ("serial",)),
        glued_unit_column=rx("glued_unit_column", str(data["glued_unit_column"])),
        glued_unit=rx("glued_unit", str(data["glued_unit"])),
        glued_inline_serial=str(data["glued_inline_serial_not_before"]),
        glued_score_column=rx("glued_score_column", str(data["glued_score_column"])),
    )
