"""The data dictionary: every table, column and value of a run, described next to the schemas.

``policyparse schema`` prints it and ``docs/tables.md`` is its Markdown (written by
``policyparse schema > docs/tables.md``). ``tests/test_data_dictionary.py`` fails when a
column of :mod:`policyparse.export.schema` has no description here, when a description
names a column the schema lacks, or when docs/tables.md is not what this module renders:
the schema, this text and the shipped document cannot drift apart.
"""
from __future__ import annotations

import pyarrow as pa

from ..model import PERIODS_PER_YEAR, SCHEMA_VERSION
from .schema import ALL_TABLES, PARTITION_KEY, UNKNOWN_PARTITION

_SPAN = "offset into the document's normalised text (`texts.text`), start inclusive"
_SPAN_END = "offset into the document's normalised text, end exclusive: `text[char_start:char_end]` is the record"
_RULE = "the id of the rule that produced the row (see *Rule ids*)"
_TASK_ID = "the task the row belongs to (`tasks.task_id`)"
_DOC_ID = "the document (`documents.doc_id`)"

# table → (what one row is, {column: meaning})
TABLES: dict[str, tuple[str, dict[str, str]]] = {
    "documents": ("One row per document: the bytes of a file (the same bytes at two paths are one "
                  "document). Header fields follow GB/T 9704-2012; a field the notice does not state is "
                  "null (lists: empty).", {
        "doc_id": "stable id: a hash of the file's content (16 hex digits)",
        "source_path": "the first path (sorted) the bytes were read from",
        "source_paths": "every path holding these exact bytes, sorted",
        "source_format": "the format read from the bytes: `txt`, `docx`, `doc`, `wps`, `pdf`, `html`, `ofd` …",
        "title": "标题: the 关于…的通知 line(s) joined, or the heading of the plan the copy carries",
        "doc_number": "发文字号, brackets normalised to 〔〕 (涪高新发〔2023〕28号)",
        "issuers": "发文机关: every issuing body, as written; a web page's 信息来源 when it has no signature",
        "issue_date": "成文日期: the signature date",
        "plan_year": "the year the plan is for: from the title, else from the issue date",
        "region_code": "6-digit GB/T 2260 code of the issuer's county (or city, where no county applies)",
        "region_province": "province (省/自治区/直辖市) of `region_code`",
        "region_city": "city (地级) of `region_code`; null for a municipality's districts",
        "region_county": "county-level division (区/县/县级市) of `region_code`; development zones resolve to their district",
        "recipients": "主送机关, one entry each",
        "attachments": "附件 titles, in order",
        "cc": "抄送 bodies (版记)",
        "printer": "印发机关 (版记)",
        "print_date": "印发日期 (版记)",
        "published_date": "a web page's 发布日期",
        "info_source": "a web page's 信息来源 / 来源",
        "public": "true when the notice says （此件公开发布）; null when it says nothing",
        "page_count": "pages of the source (PDF, OFD, DOCX page breaks); null for text and web pages",
        "n_tasks": "number of rows of `tasks` for this document",
        "structure": "which readers found the tasks (see *Values*)",
        "n_chars": "length of the normalised text, in characters",
        "warnings": "what the pipeline noticed but did not fail on (`W301 plan-like document, no task found` …)",
        "notice_key": "one key per notice, whatever the file: the same notice as PDF and web page, or from "
                      "two sites, shares it (normalised 发文字号 and issuers, else normalised title, issuers and "
                      "成文日期); count per notice with `count(DISTINCT notice_key)`",
        "ocr": "true when some of the text came from OCR (a scanned PDF or page)",
        "ocr_confidence": "the OCR engine's mean score over the recognised lines (0 to 1); null without OCR",
        "pipeline_version": "the policyparse version that extracted the document",
        "schema_version": f"version of these tables' columns and types ({SCHEMA_VERSION} now)",
    }),
    "texts": ("One row per document: the normalised text every `char_start`/`char_end` points into "
              "(kept apart so that reading `documents` does not read megabytes of text).", {
        "doc_id": _DOC_ID,
        "text": "the whole normalised text: full-width digits and letters as ASCII, 〔〕 in 发文字号, "
                "blocks separated by a newline, table cells by a tab",
    }),
    "tasks": ("One row per task: a work item the document assigns, the deepest numbered item that "
              "carries an action, or one row of a task table.", {
        "task_id": "stable id: `<doc_id>-t<task_index, 4 digits>`",
        "doc_id": _DOC_ID,
        "task_index": "the task's place in the document, from 0, in reading order",
        "path": "the numbering labels from the top (['三', '（二）', '3']; ['附件1', '4'] for a table row)",
        "section": "the headings above the task, joined with ` / `",
        "title": "the task's short heading where it has one (the phrase before the first 。), else null",
        "text": "the task's full text, sub-items included",
        "source": "`body` (the numbering outline) or `table` (a row of a task table)",
        "char_start": _SPAN,
        "char_end": _SPAN_END,
        "page": "the page the task starts on, where the source has pages",
        "rule": "the reader that found the task (see *Rule ids*)",
        "topics": "the work types the task's words name (gazetteers/topics/, matched on whole jieba words)",
        "hazards": "the hazard or subject domains the task's words name (same files)",
    }),
    "task_units": ("One row per unit named for a task, with its role. Units come from explicit "
                   "markers only: unit columns, 〔责任单位：…〕 notes, 牵头/负责/配合/会同 phrases.", {
        "task_id": _TASK_ID,
        "doc_id": _DOC_ID,
        "role": "`lead`, `support` or `leader` (see *Values*)",
        "unit": "the unit as the document writes it (one entry per unit; collective entries such as 各镇(街道) stay whole)",
        "unit_canonical": "the unit's full standard name from the alias lexicon (区应急局 → 区应急管理局); "
                          "the name as written when the lexicon does not know it",
        "char_start": _SPAN,
        "char_end": _SPAN_END,
        "rule": _RULE,
    }),
    "deadlines": ("One row per time limit a task states, in its text or in a 完成时限 column.", {
        "task_id": _TASK_ID,
        "doc_id": _DOC_ID,
        "raw": "the deadline as written (2023年12月底前)",
        "kind": "`by_date`, `window`, `ongoing` or `external` (see *Values*)",
        "date": "the last day the task may be done: the date named, a month's or year's last day, a window's end; "
                "null for `ongoing` and `external`",
        "start": "a window's first day (3-6月 → 1 March); null otherwise",
        "char_start": _SPAN,
        "char_end": _SPAN_END,
        "rule": _RULE,
    }),
    "frequencies": ("One row per recurring obligation of a task (每月至少开展一次检查).", {
        "task_id": _TASK_ID,
        "doc_id": _DOC_ID,
        "raw": "the frequency as written",
        "period": "`day`, `week`, `month`, `quarter`, `half_year` or `year` (每学期 counts as half_year)",
        "count": "times per period (一次 = 1)",
        "comparator": "`>=` (至少, 不少于), `=` (otherwise), `<=` (至多, 不超过)",
        "per_year": "times a year: count × periods a year (see *Values*), so that 每月 and 每季度 compare",
        "char_start": _SPAN,
        "char_end": _SPAN_END,
        "rule": _RULE,
    }),
    "targets": ("One row per quantified goal: in a task, a goal with a number; in a goals section "
                "(工作目标) outside the tasks, also a goal without one (document-level, `task_id` null).", {
        "task_id": "the task the goal belongs to; null for a document-level goal",
        "doc_id": _DOC_ID,
        "raw": "the goal as written (安全生产标准化达标率80%以上)",
        "metric": "what is measured (安全生产标准化达标率), where the text names it",
        "value": "the number (80); null for a goal without one",
        "unit": "the number's unit (`%`, 个, 人, 万元 …)",
        "comparator": "`>=`, `<=`, `=`, `zero`, `decrease`, `within_quota` or null (see *Values*)",
        "char_start": _SPAN,
        "char_end": _SPAN_END,
        "rule": _RULE,
    }),
    "failures": ("One row per input file that gave no document: the batch goes on, and the run "
                 "exits 1 so that scripts can tell.", {
        "source_path": "the file",
        "doc_id": "the content hash, null when the file could not even be read",
        "stage": "where it failed: `ingest`, `segment`, `extract`, `export`, `batch` or `pipeline`",
        "error_type": "the error's class (NoTextError, EncryptedFileError …)",
        "code": "the coded error (see *Values*)",
        "message": "what went wrong, for a person",
    }),
    "references": ("One row per document a notice cites or implements: 《title》 and the number after it "
                   "(a notice's own plan, 现将《…》印发, is not a citation).", {
        "doc_id": _DOC_ID,
        "cited_title": "the cited title, without 《》",
        "cited_number": "the 发文字号, 部令 number or standard code written after the title; null if none",
        "char_start": _SPAN,
        "char_end": _SPAN_END,
        "rule": "how the citation was read: `doc_number`, `order_number`, `standard_number` or `title`",
        "cited_doc_id": "the cited document when it is in the same run (matched by 发文字号, else by "
                        "normalised title); null otherwise",
        "cited_notice_key": "the cited document's `notice_key`, when it is in the same run",
    }),
    "task_clusters": ("One row per task that belongs to a group of near-identical obligations of at least two "
                      "different notices (an obligation one plan copied from another, with small edits). "
                      "Renderings of one notice count once.", {
        "cluster_id": "the group's id",
        "task_id": "a task of the group (`tasks.task_id`)",
        "doc_id": _DOC_ID,
        "notice_key": "the task's notice (`documents.notice_key`)",
        "representative_text": "the sentence that stands for the group (the wording most of its sentences use)",
        "member_text": "this task's sentence of the group: how this notice words the obligation",
        "similarity": "MinHash-estimated Jaccard similarity of `member_text`'s character 3-grams to the "
                      "representative's (0 to 1)",
    }),
}

# the *Values* section: (heading, [(value, meaning)])
VALUES: list[tuple[str, list[tuple[str, str]]]] = [
    ("task_units.role", [
        ("lead", "leads or is responsible: 牵头单位, 责任单位 (when no separate 牵头单位 is named), 责任部室, "
                 "the unit before 牵头 / 负责"),
        ("support", "supports: 配合单位, 协办, 落实单位, 参与单位, the units after 配合 / 会同; 责任单位 "
                    "when a 牵头单位 is also named"),
        ("leader", "a named person in a 责任领导 column (a leader, not a unit)"),
    ]),
    ("deadlines.kind", [
        ("by_date", "done by a date: 2023年12月底前 → 2023-12-31, 年底前 → the plan year's 12-31, "
                    "10月底前 → that month's last day"),
        ("window", "done within periods: 3-6月和9-12月期间; `date` the last window's end, `start` the first's start"),
        ("ongoing", "no end: 全年, 长期, 持续推进, 常态化; `date` null"),
        ("external", "a limit set elsewhere: 按市局规定时限推进, 按实际要求完成; `date` null"),
    ]),
    ("frequencies.period and per_year", [
        (period, f"per_year = count × {per_year:g}") for period, per_year in PERIODS_PER_YEAR.items()
    ]),
    ("frequencies.comparator", [
        (">=", "at least: 至少, 不少于"), ("=", "exactly, or no qualifier"), ("<=", "at most: 至多, 不超过"),
    ]),
    ("targets.comparator", [
        (">=", "at least: 以上, 不低于, 达到 (达标率80%以上)"),
        ("<=", "at most: 以内, 以下, 控制在…以下"),
        ("=", "a count to reach or an amount: 完成102个, 左右"),
        ("zero", "none at all: 杜绝, 不发生, 清零 (value null)"),
        ("decrease", "down: 下降, 减少 (value null, or the size of the decrease)"),
        ("within_quota", "within the assigned quota: 控制在…指标以内"),
        ("null", "a goal with no measurable comparison: 遏制, 防范"),
    ]),
    ("tasks.source", [("body", "an item of the numbering outline 一、→（一）→1.→（1）→①"),
                      ("table", "a row of a task table (a header naming the work: 工作任务, 重点任务 …)")]),
    ("documents.structure", [
        ("outline", "tasks from the numbering outline"),
        ("table", "tasks from real tables (DOCX, PDF, HTML, OFD)"),
        ("flattened_table", "tasks from a table that lost its layout (tabs, pipes, one cell per line, spaced rows)"),
        ("a+b", "several readers, joined with `+` (outline+table)"),
        ("none", "no task found; a plan-like document then carries warning W301"),
    ]),
    ("failures.code", [
        ("E0xx", "usage or environment (the run stops and publishes nothing; no failures row)"),
        ("E1xx", "ingest: E101 empty file, E102 unsupported format, E103 corrupt file, E104 encrypted, "
                 "E105 missing dependency (LibreOffice for .doc/.wps, the OCR extra), E106 undecodable text, "
                 "E107 no text layer and OCR off; limits and other reader failures in the same range"),
        ("E2xx", "segment (header, outline, tables)"),
        ("E3xx", "extract (tasks, units, deadlines, frequencies, targets, topics); E302 a pipeline.yaml "
                 "step requires a layer no earlier step assigns"),
        ("E4xx", "export and batch (cache, Parquet, publication, a worker that died)"),
    ]),
]

RULE_IDS: list[tuple[str, str]] = [
    ("tasks", "`outline_leaf` (a leaf of the numbering outline), `outline_item_with_sub_items` (an item whose "
              "sub-items stay in its text), `table` (a row of a real table), `flattened_table` (a row of a table "
              "rebuilt from text)"),
    ("task_units", "`column` (a unit column of a task table; `column.known_split`, `column.shared_suffix` when a "
                   "cell was split by the lexicon or a shared suffix was expanded), `note` (a 〔责任单位：…〕 "
                   "note), `inline_joint`, `inline_support`, `inline_leader` (牵头/负责/配合/会同 phrases), "
                   "`unit_heading` (a part headed by a unit's name), `duty_title` (an item of a 职责分工 section "
                   "titled by a unit's name: 2.派出所。配合开展…)"),
    ("deadlines", "the pattern ids of `gazetteers/patterns/deadline.yaml` (`ymd`, `ym`, `y_end`, `y_only`, `md`, `m`, "
                  "`year_end`, `half`, `quarter`, `window_months`, `window_years` …); `column.<id>` when read from "
                  "a 完成时限 column (`column.md`, `column.ongoing`, `column.external` …)"),
    ("frequencies", "`every` (每月至少一次), `by_period` (按季度), `shorthand` (班组日排查、部门周排查 …)"),
    ("targets", "`percent`, `count.verb` (完成102个), `count.continued` (a list sharing the first goal's verb); "
                "`qualitative.<id>` for goals without a number, ids from `gazetteers/patterns/target.yaml` "
                "(`qualitative.zero`, `qualitative.decrease`, `qualitative.curb`, `qualitative.within_quota_control` …)"),
]


def _type(t: pa.DataType) -> str:
    return {"string": "string", "int32": "int32", "int64": "int64", "double": "float64",
            "date32[day]": "date32", "bool": "bool"}.get(str(t), str(t).replace("list<item: string>", "list<string>")
                                                         .replace("list<element: string>", "list<string>"))


def table_markdown(name: str) -> str:
    """One table's section: what a row is, then every column with its type and meaning."""
    schema = ALL_TABLES[name]
    what, columns = TABLES[name]
    lines = [f"## `{name}`", "", what, "", "| column | type | meaning |", "|---|---|---|"]
    for field in schema:
        lines.append(f"| `{field.name}` | {_type(field.type)} | {columns[field.name]} |")
    return "\n".join(lines)


def render_markdown() -> str:
    """The whole dictionary as Markdown (docs/tables.md)."""
    parts = [
        "# The tables of a run",
        "",
        "<!-- generated by `policyparse schema > docs/tables.md` from src/policyparse/export/dictionary.py "
        "and export/schema.py; tests/test_data_dictionary.py keeps them equal -->",
        "",
        f"Schema version {SCHEMA_VERSION}. `policyparse run INPUT --out OUT` writes one Parquet dataset per "
        f"table under `OUT/<table>/`. Every per-document table is Hive-partitioned by the document's plan "
        f"year in a folder key named `{PARTITION_KEY}` (`{PARTITION_KEY}=2023/part-0.parquet`, "
        f"`{PARTITION_KEY}={UNKNOWN_PARTITION}/` when the year is not known); the key is a folder name only, "
        "`plan_year` is the column. `failures` is one file. `OUT/manifest.json` holds the pipeline and "
        "schema versions, the counts and the time of the run. Offsets (`char_start`, `char_end`) are "
        "characters of `texts.text`, never bytes, so `text[char_start:char_end]` of every unit, "
        "deadline, frequency and target row is its own `unit` or `raw`.",
        "",
        "Read them with `policyparse.load(OUT)` (pandas; `tables.tasks_wide` has a task's units, "
        "deadlines, frequencies and targets in one row), `policyparse query OUT \"SQL\"` (DuckDB), "
        "`policyparse export OUT --xlsx FILE` (Excel, WPS) or any Parquet reader.",
        "",
    ]
    for name in ALL_TABLES:
        parts += [table_markdown(name), ""]
    parts += ["## Values", ""]
    for heading, values in VALUES:
        parts += [f"### `{heading}`" if " " not in heading else f"### {heading}", "",
                  "| value | meaning |", "|---|---|"]
        parts += [f"| `{value}` | {meaning} |" for value, meaning in values]
        parts.append("")
    parts += ["## Rule ids", "",
              "Every row of `tasks`, `task_units`, `deadlines`, `frequencies` and `targets` names in `rule` "
              "what produced it, so that an analyst can filter on it and the team can measure each rule's "
              "precision against the gold.", "", "| table | rule ids |", "|---|---|"]
    parts += [f"| `{table}` | {ids} |" for table, ids in RULE_IDS]
    return "\n".join(parts) + "\n"


def undescribed() -> list[str]:
    """``table.column`` of every schema column without a description (empty when all are)."""
    return [f"{name}.{f.name}" for name, schema in ALL_TABLES.items() for f in schema
            if not TABLES.get(name, ("", {}))[1].get(f.name)]


def stale() -> list[str]:
    """``table.column`` described here that the schema of a table it has does not have."""
    return [f"{name}.{column}" for name, (_, columns) in TABLES.items() if name in ALL_TABLES
            for column in columns if column not in ALL_TABLES[name].names]
