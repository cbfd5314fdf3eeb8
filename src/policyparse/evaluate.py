"""Score an output folder (OUTPUT.md tables) against gold JSON files (ANNOTATION.md §7).

The matching rules are the project scorer's, restated here so that the package
evaluates on its own (the scorer lives outside the repository):

* An output document pairs with the gold file whose name, up to its first dot,
  equals the base name of ``source_path`` up to its first dot. Several output
  documents for one gold stem (one text in several formats) are each scored as
  a pair of their own; a gold file with no output document is scored as an
  empty pair in the group ``(missing)``.
* Document fields: accuracy over paired documents; list fields score their set F1.
* Tasks: greedy one to one, in gold order; a gold task takes the shortest still
  unmatched predicted task whose text contains its quote (white space removed,
  NFKC on both sides).
* Units, deadlines, frequencies and task targets are counted over matched tasks
  only (both sides); deadlines, frequencies and targets match as multisets.
* Micro P/R/F1 per scope; nothing predicted and nothing in gold scores 1.0 when
  something was compared, else 0.0.
* ``overall`` = mean(task F1, lead F1, deadline F1, frequency F1, target F1,
  mean document-field accuracy).

``grounding`` (how many record spans cut from the document text equal their own
string) is reported for the whole output; it is not part of ``overall``.
"""
from __future__ import annotations

import datetime as dt
import json
import math
import os
import re
import sys
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO, TypeVar

TABLES = ("documents", "tasks", "task_units", "deadlines", "frequencies", "targets")
# the columns the evaluation reads; a missing one counts as null
COLUMNS: dict[str, tuple[str, ...]] = {
    "documents": ("doc_id", "source_path", "source_format", "title", "doc_number", "issuers",
                  "issue_date", "plan_year", "region_code", "recipients", "attachments",
                  "region_province", "region_city", "region_county"),
    "tasks": ("task_id", "doc_id", "text", "char_start"),
    "task_units": ("task_id", "doc_id", "role", "unit"),
    "deadlines": ("task_id", "doc_id", "raw", "kind", "date"),
    "frequencies": ("task_id", "doc_id", "raw", "period", "count", "comparator"),
    "targets": ("task_id", "doc_id", "raw", "value", "unit", "comparator"),
}
# without these columns a table is useless: it counts as empty
REQUIRED: dict[str, tuple[str, ...]] = {
    "documents": ("doc_id", "source_path"),
    "tasks": ("task_id", "doc_id", "text"),
    "task_units": ("task_id", "role", "unit"),
    "deadlines": ("task_id",),
    "frequencies": ("task_id",),
    "targets": ("task_id",),
}
# (table, the column a record's span must reproduce) for grounding
GROUNDED_COLUMNS = (("task_units", "unit"), ("deadlines", "raw"), ("frequencies", "raw"), ("targets", "raw"))
DOC_FIELDS = ("title", "doc_number", "issue_date", "plan_year", "region",
              "issuers", "recipients", "attachments")
SET_FIELDS = frozenset({"issuers", "recipients", "attachments"})
ROLES = (("lead", "lead_units"), ("support", "support_units"), ("leader", "leaders"))
COUNT_KEYS = ("task", "lead", "support", "leader", "deadline", "deadline_date",
              "frequency", "target_task", "target_doc")
GROUP_BY_CHOICES = ("format", "folder", "region")
MISSING_GROUP = "(missing)"
VALUE_TOL = 1e-6

Row = dict[str, Any]
T = TypeVar("T")

# --------------------------------------------------------------------------- normalisation

# zero-width characters count as white space: they survive copy-paste from web pages
_WS = re.compile(r"[\s\u200b\u200c\u200d\u2060\ufeff]+")
_FIELD_BRACKETS = {"[": "〔", "]": "〕", "［": "〔", "］": "〕", "【": "〔", "】": "〕"}
_OPEN_CLOSE = {"(": ")", "（": "）", "〔": "〕", "[": "]", "［": "］", "【": "】",
               "<": ">", "《": "》", "{": "}", "｛": "｝", "〈": "〉"}
_CLOSE_OPEN = {v: k for k, v in _OPEN_CLOSE.items()}
_UNIT_SUFFIXES = ("分工负责", "负责", "牵头")
_UNIT_TRAILING_PUNCT = "。；;，,、：:"
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})")


def strip_ws(value: Any) -> str:
    """``str(value)`` without any white space; None gives ''."""
    return "" if value is None else _WS.sub("", str(value))


def canon(value: Any) -> str:
    """No white space, NFKC: （ and ( compare equal, as do ， and ,."""
    return unicodedata.normalize("NFKC", strip_ws(value))


def norm_field_text(value: Any) -> str:
    """title / doc_number: no white space, NFKC except 〔〕, any square bracket → 〔〕."""
    out = []
    for ch in strip_ws(value):
        # NFKC would turn 〔〕 into plain brackets; doc numbers are compared on 〔〕
        folded = ch if ch in "〔〕" else unicodedata.normalize("NFKC", ch)
        out.append("".join(_FIELD_BRACKETS.get(c, c) for c in folded))
    return "".join(out)


def _strip_wrapping_brackets(s: str) -> str:
    while s:
        first, last = s[0], s[-1]
        if first in _OPEN_CLOSE and _OPEN_CLOSE[first] == last and len(s) >= 2:
            s = s[1:-1]
        elif first in _OPEN_CLOSE and _OPEN_CLOSE[first] not in s[1:]:
            s = s[1:]  # an opener left from a note: "〔区应急局"
        elif last in _CLOSE_OPEN and _CLOSE_OPEN[last] not in s[:-1]:
            s = s[:-1]  # a closer left from a note: "区应急局）"
        else:
            break
    return s


def norm_unit(value: Any) -> str:
    """A unit or leader: canon, without trailing punctuation, wrapping brackets or 负责/分工负责/牵头."""
    s = canon(value)
    for _ in range(3):  # the three strippings can uncover one another
        before = s
        s = _strip_wrapping_brackets(s.rstrip(_UNIT_TRAILING_PUNCT))
        for suffix in _UNIT_SUFFIXES:
            if s.endswith(suffix) and len(s) > len(suffix):
                s = s[: -len(suffix)]
                break
        if s == before:
            break
    return s


def norm_date(value: Any) -> str | None:
    """An ISO ``YYYY-MM-DD`` string from a date, a datetime or a string; '' → None."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    s = str(value).strip()
    if not s:
        return None
    m = _ISO_DATE.match(s)
    if m:
        return "%04d-%02d-%02d" % tuple(int(x) for x in m.groups())
    return s


def norm_int(value: Any) -> int | float | str | None:
    """Counts and years: 2023, 2023.0 and '2023' (a Hive partition value) are equal."""
    if value is None:
        return None
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    try:
        f = float(str(value).strip())
    except ValueError:
        return str(value).strip() or None
    if math.isnan(f):
        return None
    if math.isinf(f):
        return f
    return int(f) if f == int(f) else f


def norm_float(value: Any) -> float | None:
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def norm_enum(value: Any) -> str | None:
    """kind, period, comparator: without white space, '' → None."""
    return strip_ws(value) or None


def stem_of(path: Any) -> str:
    """The base name of a path up to its first dot: ``corpus/pdf/000_ab.pdf`` → ``000_ab``."""
    if path is None:
        return ""
    base = str(path).replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
    return base.split(".", 1)[0]


def as_list(value: Any) -> list:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [x for x in value if x is not None]
    return [value]


def _short(value: Any, n: int = 40) -> str:
    s = strip_ws(value)
    return s if len(s) <= n else s[:n] + "…"


# --------------------------------------------------------------------------- metrics


@dataclass(frozen=True)
class PRF:
    """Micro precision, recall and F1 over ``tp`` of ``pred`` predicted and ``gold`` expected items."""

    tp: int
    pred: int
    gold: int
    p: float
    r: float
    f1: float

    @classmethod
    def of(cls, tp: int, pred: int, gold: int, *, compared: bool = True) -> PRF:
        # two empty sets agree perfectly, but only where something was compared at all
        if pred == 0 and gold == 0:
            v = 1.0 if compared else 0.0
            return cls(tp, pred, gold, v, v, v)
        p = tp / pred if pred else 0.0
        r = tp / gold if gold else 0.0
        f1 = 2 * p * r / (p + r) if p + r > 0 else 0.0
        return cls(tp, pred, gold, p, r, f1)


@dataclass
class Tally:
    tp: int = 0
    pred: int = 0
    gold: int = 0

    def add(self, tp: int, pred: int, gold: int) -> None:
        self.tp += tp
        self.pred += pred
        self.gold += gold

    def prf(self, *, compared: bool) -> PRF:
        return PRF.of(self.tp, self.pred, self.gold, compared=compared)


@dataclass(frozen=True)
class ScopeFigures:
    """The figures of one scope: a document pair, a group, or everything."""

    task: PRF
    lead: PRF
    support: PRF
    leader: PRF
    deadline: PRF
    deadline_date: PRF
    frequency: PRF
    target_task: PRF
    target_doc: PRF
    target: PRF
    fields: dict[str, float]
    field_accuracy: float
    pairs: int
    matched_docs: int
    matched_tasks: int
    merged_tasks: int
    missed_tasks: int
    components: dict[str, float]
    overall: float


@dataclass
class ScopeCounts:
    """Counts for one scope; scopes add up by :meth:`merge`, figures come from :meth:`figures`."""

    tallies: dict[str, Tally] = field(default_factory=lambda: {k: Tally() for k in COUNT_KEYS})
    pairs: int = 0
    matched_docs: int = 0
    matched_tasks: int = 0
    merged_tasks: int = 0
    missed_tasks: int = 0
    field_sums: dict[str, float] = field(default_factory=lambda: dict.fromkeys(DOC_FIELDS, 0.0))

    def merge(self, other: ScopeCounts) -> None:
        for key, tally in other.tallies.items():
            self.tallies[key].add(tally.tp, tally.pred, tally.gold)
        self.pairs += other.pairs
        self.matched_docs += other.matched_docs
        self.matched_tasks += other.matched_tasks
        self.merged_tasks += other.merged_tasks
        self.missed_tasks += other.missed_tasks
        for name, value in other.field_sums.items():
            self.field_sums[name] += value

    def figures(self) -> ScopeFigures:
        any_task = self.matched_tasks > 0
        t = self.tallies
        per_task = {k: t[k].prf(compared=any_task) for k in
                    ("lead", "support", "leader", "deadline", "deadline_date", "frequency", "target_task")}
        target = Tally(t["target_task"].tp + t["target_doc"].tp, t["target_task"].pred + t["target_doc"].pred,
                       t["target_task"].gold + t["target_doc"].gold).prf(compared=any_task)
        n = self.matched_docs
        fields = {f: (self.field_sums[f] / n if n else 0.0) for f in DOC_FIELDS}
        field_accuracy = sum(fields.values()) / len(fields) if n else 0.0
        task = t["task"].prf(compared=self.pairs > 0)
        components = {"task_f1": task.f1, "lead_f1": per_task["lead"].f1,
                      "deadline_f1": per_task["deadline"].f1, "frequency_f1": per_task["frequency"].f1,
                      "target_f1": target.f1, "field_accuracy": field_accuracy}
        return ScopeFigures(
            task=task, target_doc=t["target_doc"].prf(compared=n > 0), target=target, **per_task,
            fields=fields, field_accuracy=field_accuracy, pairs=self.pairs, matched_docs=n,
            matched_tasks=self.matched_tasks, merged_tasks=self.merged_tasks,
            missed_tasks=self.missed_tasks, components=components,
            overall=sum(components.values()) / len(components))


def match_multiset(gold: Sequence[T], pred: Sequence[T],
                   eq: Callable[[T, T], bool] = lambda a, b: a == b) -> tuple[int, list[T], list[T]]:
    """Each gold item, in order, takes the first equal unused prediction: (tp, missed gold, unused pred)."""
    left = list(pred)
    missed: list[T] = []
    tp = 0
    for g in gold:
        for i, p in enumerate(left):
            if eq(g, p):
                del left[i]
                tp += 1
                break
        else:
            missed.append(g)
    return tp, missed, left


TargetKey = tuple


def target_key(record: Row) -> TargetKey:
    """A numeric target compares on value and unit; one without a number on its comparator."""
    value = norm_float(record.get("value"))
    if value is not None:
        return ("num", value, canon(record.get("unit")))
    return ("cmp", norm_enum(record.get("comparator")))


def targets_equal(a: TargetKey, b: TargetKey) -> bool:
    if a[0] != b[0]:
        return False
    if a[0] == "num":
        return abs(a[1] - b[1]) <= VALUE_TOL and a[2] == b[2]
    return a[1] == b[1]


def deadline_key(record: Row) -> tuple[str | None, str | None]:
    return (norm_enum(record.get("kind")), norm_date(record.get("date")))


def frequency_key(record: Row) -> tuple[str | None, Any, str | None]:
    return (norm_enum(record.get("period")), norm_int(record.get("count")), norm_enum(record.get("comparator")))


# --------------------------------------------------------------------------- reading the output


def table_path(out_dir: Path, name: str) -> Path | None:
    """``OUT/name`` (a dataset directory) or else ``OUT/name.parquet``."""
    for candidate in (out_dir / name, out_dir / f"{name}.parquet"):
        if candidate.exists():
            return candidate
    return None


def _partition_keys(directory: Path) -> list[str]:
    keys: dict[str, None] = {}
    for _root, dirs, _files in os.walk(directory):
        for d in dirs:
            if "=" in d:
                keys.setdefault(d.split("=", 1)[0], None)
    return list(keys)


def read_parquet(path: Path, warnings: list[str]) -> Any:
    """A ``pyarrow.Table`` from a Parquet file or a dataset directory, or None when it holds no part files.

    Hive partition keys are read as strings, so that ids such as ``0012`` keep
    their leading zeros; when the dataset reader refuses the directory, the part
    files are read one by one and concatenated.
    """
    import pyarrow as pa
    import pyarrow.dataset as ds
    import pyarrow.parquet as pq

    if path.is_file():
        return pq.read_table(path)
    keys = _partition_keys(path)
    attempts: list[Any] = []
    if keys:
        attempts += [ds.HivePartitioning(pa.schema([(k, pa.string()) for k in keys])), "hive"]
    attempts.append(None)
    error: Exception | None = None
    for partitioning in attempts:
        try:
            return ds.dataset(str(path), format="parquet", partitioning=partitioning,
                              exclude_invalid_files=True).to_table()
        except Exception as e:  # noqa: BLE001 - the next reading may work
            error = e
    parts = []
    for root, _dirs, files in os.walk(path):
        for name in sorted(files):
            if name.endswith((".parquet", ".parq")):
                part = Path(root) / name
                try:
                    parts.append(pq.read_table(part))
                except Exception as e:  # noqa: BLE001 - one bad part file must not hide the rest
                    warnings.append(f"unreadable part file {part}: {e}")
    if parts:
        return pa.concat_tables(parts, promote_options="default")
    if error is not None:
        raise error
    return None


@dataclass(frozen=True)
class TableInfo:
    name: str
    path: Path | None
    rows: int = 0
    missing_columns: tuple[str, ...] = ()
    error: str | None = None


def load_table(out_dir: Path, name: str, warnings: list[str]) -> tuple[list[Row], TableInfo]:
    """The rows of one table as dicts of the columns the evaluation reads (absent ones None)."""
    path = table_path(out_dir, name)
    if path is None:
        warnings.append(f"table {name}: missing (counted as empty)")
        return [], TableInfo(name, None, error="missing table")
    try:
        table = read_parquet(path, warnings)
    except Exception as e:  # noqa: BLE001 - an unreadable table scores as empty, not as a crash
        warnings.append(f"table {name}: unreadable ({e}); counted as empty")
        return [], TableInfo(name, path, error=f"unreadable: {type(e).__name__}: {e}")
    if table is None:
        warnings.append(f"table {name}: no readable part files (counted as empty)")
        return [], TableInfo(name, path, error="no part files")
    have = set(table.column_names)
    missing = tuple(c for c in COLUMNS[name] if c not in have)
    if missing:
        warnings.append(f"table {name}: missing columns {list(missing)} (their values count as null)")
    if any(c not in have for c in REQUIRED[name]):
        return [], TableInfo(name, path, table.num_rows, missing, "required columns missing; table counted as empty")
    columns: dict[str, list] = {}
    for c in COLUMNS[name]:
        columns[c] = [None] * table.num_rows
        if c in have:
            try:
                columns[c] = table.column(c).to_pylist()
            except Exception as e:  # noqa: BLE001 - e.g. a type pyarrow cannot convert
                warnings.append(f"table {name}: column {c} unreadable ({e})")
    rows = [{c: columns[c][i] for c in COLUMNS[name]} for i in range(table.num_rows)]
    return rows, TableInfo(name, path, table.num_rows, missing)


@dataclass
class OutputTables:
    rows: dict[str, list[Row]]
    info: dict[str, TableInfo]
    warnings: list[str]


def load_output(out_dir: Path) -> OutputTables:
    warnings: list[str] = []
    rows, info = {}, {}
    for name in TABLES:
        rows[name], info[name] = load_table(out_dir, name, warnings)
    return OutputTables(rows, info, warnings)


# --------------------------------------------------------------------------- reading the gold


@dataclass(frozen=True)
class GoldDocument:
    stem: str
    fields: dict[str, Any]
    targets: list[dict]
    tasks: list[dict]


def load_gold(gold_dir: Path, only: set[str] | None = None) -> tuple[dict[str, GoldDocument], list[str]]:
    """Gold files by stem (sorted by file name) and the problems met; tasks without a quote are skipped."""
    golds: dict[str, GoldDocument] = {}
    problems: list[str] = []
    for path in sorted(p for p in gold_dir.iterdir() if p.name.endswith(".json")):
        stem = path.name.split(".", 1)[0]
        if only and stem not in only:
            continue
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(data, dict):
                raise ValueError("top level is not an object")
        except Exception as e:  # noqa: BLE001 - report the file and score the rest
            problems.append(f"{path.name}: {type(e).__name__}: {e}")
            continue
        tasks = []
        for t in data.get("tasks") or []:
            if not isinstance(t, dict) or not strip_ws(t.get("quote")):
                problems.append(f"{path.name}: a task without a quote was skipped")
                continue
            tasks.append(t)
        fields = data.get("fields") if isinstance(data.get("fields"), dict) else {}
        targets = [t for t in (data.get("targets") or []) if isinstance(t, dict)]
        golds[stem] = GoldDocument(stem, fields, targets, tasks)
    return golds, problems


# --------------------------------------------------------------------------- scoring one pair


@dataclass(frozen=True)
class FieldScore:
    gold: Any
    pred: Any
    score: float


@dataclass(frozen=True)
class Issue:
    """One disagreement, for --verbose: ``kind`` (task, lead, deadline, …), ``type`` (miss, fp, merge)."""

    kind: str
    type: str
    item: str
    task: str | None = None


def score_fields(gold: dict[str, Any], doc: Row) -> dict[str, FieldScore]:
    """1 or 0 per scalar field, set F1 per list field; a gold null is right only for a null output."""
    scores: dict[str, FieldScore] = {}
    for name in DOC_FIELDS:
        if name in SET_FIELDS:
            g = {canon(x) for x in as_list(gold.get(name))} - {""}
            p = {canon(x) for x in as_list(doc.get(name))} - {""}
            scores[name] = FieldScore(sorted(g), sorted(p), PRF.of(len(g & p), len(p), len(g)).f1)
            continue
        g_raw, p_raw, g_norm, p_norm = _scalar_field(name, gold, doc)
        scores[name] = FieldScore(g_raw, p_raw, 1.0 if g_norm == p_norm else 0.0)
    return scores


def _scalar_field(name: str, gold: dict[str, Any], doc: Row) -> tuple[Any, Any, Any, Any]:
    """(gold, pred, gold normalised, pred normalised) for one scalar field; null normalises to ''."""
    if name in ("title", "doc_number"):
        g, p = gold.get(name), doc.get(name)
        return g, p, norm_field_text(g), norm_field_text(p)
    if name == "issue_date":
        g, p = norm_date(gold.get(name)), norm_date(doc.get(name))
        return g, p, g or "", p or ""
    if name == "plan_year":
        g, p = gold.get(name), doc.get(name)
        gn, pn = norm_int(g), norm_int(p)
        return g, p, "" if gn is None else gn, "" if pn is None else pn
    region = gold.get("region")
    g = region.get("code") if isinstance(region, dict) else region
    p = doc.get("region_code")
    return g, p, strip_ws(g), strip_ws(p)


@dataclass(frozen=True)
class TaskAssignment:
    pred_of_gold: list[int | None]  # gold index → predicted index
    used: list[bool]  # predicted index → matched
    merged: list[int]  # predicted tasks containing more than one distinct gold quote
    missed: list[int]  # gold tasks whose quote no predicted text contains


def assign_tasks(gold_tasks: Sequence[dict], pred_tasks: Sequence[Row]) -> TaskAssignment:
    """Greedy one to one: each gold task, in order, takes the shortest unmatched predicted task
    whose text contains its quote (ties: the earliest)."""
    quotes = [canon(t.get("quote")) for t in gold_tasks]
    texts = [canon(p.get("text")) for p in pred_tasks]
    used = [False] * len(texts)
    pred_of_gold: list[int | None] = []
    for quote in quotes:
        best: int | None = None
        for j, text in enumerate(texts):
            if not used[j] and quote in text and (best is None or len(text) < len(texts[best])):
                best = j
        if best is not None:
            used[best] = True
        pred_of_gold.append(best)
    distinct = set(quotes)
    merged = [j for j, text in enumerate(texts) if sum(1 for q in distinct if q in text) > 1]
    missed = [i for i, q in enumerate(quotes) if not any(q in text for text in texts)]
    return TaskAssignment(pred_of_gold, used, merged, missed)


@dataclass(frozen=True)
class TaskChildren:
    """Child rows (units, deadlines, …) by (doc_id, task_id); a row without doc_id is found by task_id."""

    by_key: dict[tuple[Any, Any], list[Row]]

    @classmethod
    def index(cls, rows: Iterable[Row]) -> TaskChildren:
        by_key: dict[tuple[Any, Any], list[Row]] = {}
        for r in rows:
            if r.get("task_id") is not None:
                by_key.setdefault((r.get("doc_id"), r["task_id"]), []).append(r)
        return cls(by_key)

    def of(self, doc_id: Any, task_id: Any) -> list[Row]:
        found = self.by_key.get((doc_id, task_id))
        return found if found is not None else self.by_key.get((None, task_id), [])


@dataclass(frozen=True)
class OutputIndex:
    """The output arranged for scoring: tasks per document in text order, children per task."""

    tasks_by_doc: dict[Any, list[Row]]
    units: TaskChildren
    deadlines: TaskChildren
    frequencies: TaskChildren
    targets: TaskChildren
    doc_targets: dict[Any, list[Row]]

    @classmethod
    def build(cls, rows: dict[str, list[Row]]) -> OutputIndex:
        numbered: dict[Any, list[tuple[int, Row]]] = {}
        for i, t in enumerate(rows["tasks"]):
            numbered.setdefault(t["doc_id"], []).append((i, t))
        tasks_by_doc = {
            doc_id: [t for _i, t in sorted(lst, key=lambda it: (it[1].get("char_start") is None,
                                                                it[1].get("char_start") or 0, it[0]))]
            for doc_id, lst in numbered.items()}
        doc_targets: dict[Any, list[Row]] = {}
        for r in rows["targets"]:
            if r.get("task_id") is None:
                doc_targets.setdefault(r.get("doc_id"), []).append(r)
        return cls(tasks_by_doc, TaskChildren.index(rows["task_units"]), TaskChildren.index(rows["deadlines"]),
                   TaskChildren.index(rows["frequencies"]), TaskChildren.index(rows["targets"]), doc_targets)


@dataclass
class PairResult:
    """One (gold file, output document) pair; ``doc_id`` is None when the output lacks the document."""

    stem: str
    group: str
    doc_id: Any
    source_path: str | None
    fields: dict[str, FieldScore] | None
    issues: list[Issue]
    counts: ScopeCounts

    @property
    def figures(self) -> ScopeFigures:
        return self.counts.figures()


def group_of(doc: Row | None, group_by: str) -> str:
    """The group of a pair: its source format, the folder its source came from, or the region
    the pipeline read for it (province, city and county joined; ``(unknown)`` without one)."""
    if doc is None:
        return MISSING_GROUP
    if group_by == "region":
        parts = [strip_ws(doc.get(k)) for k in ("region_province", "region_city", "region_county")]
        name = "".join(dict.fromkeys(p for p in parts if p))
        return name or strip_ws(doc.get("region_code")) or "(unknown)"
    fmt = strip_ws(doc.get("source_format")).lower()
    if fmt and group_by == "format":
        return fmt
    # no format recorded: the folder is the next best name for the rendering
    path = str(doc.get("source_path") or "").replace("\\", "/").rstrip("/")
    parent = path.rsplit("/", 2)[-2] if "/" in path else ""
    return parent or "(unknown)"


def _item_text(item: Any) -> str:
    return " ".join("null" if x is None else str(x) for x in item) if isinstance(item, tuple) else str(item)


def _note(issues: list[Issue], kind: str, missed: Iterable, false_pos: Iterable, task: str | None) -> None:
    issues.extend(Issue(kind, "miss", _item_text(m), task) for m in missed)
    issues.extend(Issue(kind, "fp", _item_text(m), task) for m in false_pos)


def score_pair(gold: GoldDocument, doc: Row | None, output: OutputIndex, group_by: str) -> PairResult:
    counts = ScopeCounts(pairs=1)
    issues: list[Issue] = []
    doc_id = doc["doc_id"] if doc is not None else None
    fields = None
    preds = output.tasks_by_doc.get(doc_id, []) if doc is not None else []
    if doc is not None:
        counts.matched_docs = 1
        fields = score_fields(gold.fields, doc)
        for name, fs in fields.items():
            counts.field_sums[name] += fs.score
        gt = [target_key(t) for t in gold.targets]
        pt = [target_key(t) for t in output.doc_targets.get(doc_id, [])]
        tp, missed, false_pos = match_multiset(gt, pt, targets_equal)
        counts.tallies["target_doc"].add(tp, len(pt), len(gt))
        _note(issues, "target", missed, false_pos, None)

    assignment = assign_tasks(gold.tasks, preds)
    matched = [(i, j) for i, j in enumerate(assignment.pred_of_gold) if j is not None]
    counts.tallies["task"].add(len(matched), len(preds), len(gold.tasks))
    counts.matched_tasks = len(matched)
    counts.merged_tasks = len(assignment.merged)
    counts.missed_tasks = len(assignment.missed)
    _note_tasks(issues, gold, preds, assignment)
    for i, j in matched:
        _score_task(gold.tasks[i], preds[j], doc_id, output, counts, issues)
    return PairResult(gold.stem, group_of(doc, group_by), doc_id,
                      doc.get("source_path") if doc is not None else None, fields, issues, counts)


def _note_tasks(issues: list[Issue], gold: GoldDocument, preds: list[Row], a: TaskAssignment) -> None:
    missed = set(a.missed)
    for i, j in enumerate(a.pred_of_gold):
        if j is None:
            # "miss": no text contains the quote; "taken": the only texts holding it went to other tasks
            issues.append(Issue("task", "miss" if i in missed else "taken", _short(gold.tasks[i].get("quote"))))
    issues.extend(Issue("task", "fp", _short(preds[j].get("text"))) for j, used in enumerate(a.used) if not used)
    issues.extend(Issue("task", "merge", _short(preds[j].get("text"))) for j in a.merged)


def _score_task(gold_task: dict, pred_task: Row, doc_id: Any, output: OutputIndex,
                counts: ScopeCounts, issues: list[Issue]) -> None:
    """Units, deadlines, frequencies and targets of one matched task."""
    task_id = pred_task.get("task_id")
    label = _short(gold_task.get("quote"), 20)
    unit_rows = output.units.of(doc_id, task_id)
    for role, gold_key in ROLES:
        g = {norm_unit(x) for x in as_list(gold_task.get(gold_key))} - {""}
        p = {norm_unit(r.get("unit")) for r in unit_rows if strip_ws(r.get("role")).lower() == role} - {""}
        counts.tallies[role].add(len(g & p), len(p), len(g))
        _note(issues, role, sorted(g - p), sorted(p - g), label)

    gd = [deadline_key(x) for x in gold_task.get("deadlines") or [] if isinstance(x, dict)]
    pd = [deadline_key(r) for r in output.deadlines.of(doc_id, task_id)]
    tp, missed, false_pos = match_multiset(gd, pd)
    counts.tallies["deadline"].add(tp, len(pd), len(gd))
    _note(issues, "deadline", missed, false_pos, label)
    g_dates = [date for _kind, date in gd if date is not None]
    p_dates = [date for _kind, date in pd if date is not None]
    tp, _missed, _false_pos = match_multiset(g_dates, p_dates)
    counts.tallies["deadline_date"].add(tp, len(p_dates), len(g_dates))

    gf = [frequency_key(x) for x in gold_task.get("frequencies") or [] if isinstance(x, dict)]
    pf = [frequency_key(r) for r in output.frequencies.of(doc_id, task_id)]
    tp, missed, false_pos = match_multiset(gf, pf)
    counts.tallies["frequency"].add(tp, len(pf), len(gf))
    _note(issues, "frequency", missed, false_pos, label)

    gt = [target_key(x) for x in gold_task.get("targets") or [] if isinstance(x, dict)]
    pt = [target_key(r) for r in output.targets.of(doc_id, task_id)]
    tp, missed, false_pos = match_multiset(gt, pt, targets_equal)
    counts.tallies["target_task"].add(tp, len(pt), len(gt))
    _note(issues, "target", missed, false_pos, label)


# --------------------------------------------------------------------------- grounding


@dataclass
class Grounding:
    """How many unit/deadline/frequency/target records carry a span whose text is their own string."""

    rows: int = 0
    with_span: int = 0
    exact: int = 0
    text_found: bool = False
    examples: list[str] = field(default_factory=list)

    @property
    def share_exact(self) -> float:
        return self.exact / self.with_span if self.with_span else 0.0

    @property
    def coverage(self) -> float:
        return self.with_span / self.rows if self.rows else 0.0


def _readable_tables(out_dir: Path, name: str) -> Iterable[Any]:
    """Each readable candidate table for ``name`` (directory first, then single file)."""
    for candidate in (out_dir / name, out_dir / f"{name}.parquet"):
        if not candidate.exists():
            continue
        try:
            table = read_parquet(candidate, [])
        except Exception:  # noqa: BLE001 - grounding only reports; the scoring warned already
            continue
        if table is not None:
            yield table


def document_texts(out_dir: Path) -> dict[Any, str]:
    """The normalised text per doc_id, from ``documents.text`` or a ``texts`` table."""
    texts: dict[Any, str] = {}
    for name in ("documents", "texts"):
        for table in _readable_tables(out_dir, name):
            if "text" in table.column_names and "doc_id" in table.column_names:
                for doc_id, text in zip(table.column("doc_id").to_pylist(), table.column("text").to_pylist()):
                    if text is not None:
                        texts.setdefault(doc_id, text)
    return texts


def measure_grounding(out_dir: Path) -> Grounding:
    texts = document_texts(out_dir)
    res = Grounding(text_found=bool(texts))
    for name, column in GROUNDED_COLUMNS:
        for table in _readable_tables(out_dir, name):
            if column not in table.column_names:
                continue
            n = table.num_rows
            get = {c: (table.column(c).to_pylist() if c in table.column_names else [None] * n)
                   for c in ("doc_id", column, "char_start", "char_end")}
            for i in range(n):
                res.rows += 1
                start, end, doc_id = get["char_start"][i], get["char_end"][i], get["doc_id"][i]
                if start is None or end is None or doc_id not in texts:
                    continue
                res.with_span += 1
                cut = texts[doc_id][int(start):int(end)]
                if canon(cut) and canon(cut) == canon(get[column][i]):
                    res.exact += 1
                elif len(res.examples) < 5:
                    res.examples.append(f"{name}: {str(get[column][i])[:20]!r} vs span {cut[:20]!r}")
            break  # the directory table wins over a single file of the same name
    return res


# --------------------------------------------------------------------------- the whole evaluation


@dataclass
class Report:
    """Figures per group (source format or folder) and in total, with every pair's details."""

    out_dir: Path
    gold_dir: Path
    group_by: str
    groups: dict[str, ScopeFigures]
    total: ScopeFigures
    pairs: list[PairResult]
    grounding: Grounding
    gold_files: list[str]
    gold_problems: list[str]
    gold_without_output: list[str]
    unscored_documents: list[Row]
    tables: dict[str, TableInfo]
    warnings: list[str]

    @property
    def overall(self) -> float:
        return self.total.overall


def pair_documents(documents: list[Row], golds: dict[str, GoldDocument],
                   warnings: list[str]) -> tuple[dict[str, list[Row]], list[Row]]:
    """Output documents per gold stem (first row per doc_id kept), and those with no gold."""
    by_stem: dict[str, list[Row]] = {}
    unscored: list[Row] = []
    seen: set[Any] = set()
    for doc in documents:
        if doc["doc_id"] in seen:
            warnings.append(f"documents: duplicate doc_id {doc['doc_id']!r}; first row kept")
            continue
        seen.add(doc["doc_id"])
        stem = stem_of(doc.get("source_path"))
        if stem in golds:
            by_stem.setdefault(stem, []).append(doc)
        else:
            unscored.append({"doc_id": doc["doc_id"], "source_path": doc.get("source_path")})
    return by_stem, unscored


def evaluate(out_dir: Path | str, gold_dir: Path | str, group_by: str = "folder",
             only: set[str] | None = None) -> Report:
    """Score ``out_dir`` against the gold files in ``gold_dir`` (``only``: those stems)."""
    if group_by not in GROUP_BY_CHOICES:
        raise ValueError(f"group_by must be one of {GROUP_BY_CHOICES}, not {group_by!r}")
    out_dir, gold_dir = Path(out_dir), Path(gold_dir)
    golds, gold_problems = load_gold(gold_dir, only)
    output = load_output(out_dir)
    warnings = list(output.warnings)
    docs_by_stem, unscored = pair_documents(output.rows["documents"], golds, warnings)
    index = OutputIndex.build(output.rows)
    pairs = [score_pair(gold, doc, index, group_by)
             for stem, gold in golds.items() for doc in (docs_by_stem.get(stem) or [None])]
    total = ScopeCounts()
    groups: dict[str, ScopeCounts] = {}
    for pair in pairs:
        total.merge(pair.counts)
        groups.setdefault(pair.group, ScopeCounts()).merge(pair.counts)
    return Report(out_dir, gold_dir, group_by, {g: c.figures() for g, c in groups.items()}, total.figures(),
                  pairs, measure_grounding(out_dir), list(golds), gold_problems,
                  [s for s in golds if s not in docs_by_stem], unscored, output.info, warnings)


# --------------------------------------------------------------------------- the printed report

_ROW_HEADER = (f"{'scope':<36} {'fields':>6} {'gold':>5} {'pred':>5} {'match':>5} {'task':>6} {'lead':>6} "
               f"{'supp':>6} {'ldr':>6} {'ddl':>6} {'freq':>6} {'tgt':>6} {'overall':>7}")


def _row(name: str, s: ScopeFigures) -> str:
    fields = f"{s.field_accuracy:.3f}" if s.matched_docs else "  -  "
    return (f"{name[:36]:<36} {fields:>6} {s.task.gold:>5} {s.task.pred:>5} {s.task.tp:>5} "
            f"{s.task.f1:>6.3f} {s.lead.f1:>6.3f} {s.support.f1:>6.3f} {s.leader.f1:>6.3f} "
            f"{s.deadline.f1:>6.3f} {s.frequency.f1:>6.3f} {s.target.f1:>6.3f} {s.overall:>7.3f}")


def _pair_details(pair: PairResult) -> list[str]:
    lines = []
    for name, fs in (pair.fields or {}).items():
        if fs.score < 1.0:
            lines.append(f"    FIELD {name}: gold={fs.gold!r} pred={fs.pred!r} score={fs.score:.3f}")
    for issue in pair.issues:
        where = f"  in {issue.task}" if issue.task else ""
        lines.append(f"    {issue.type.upper():<6} {issue.kind:<9} {issue.item}{where}")
    return lines


def format_report(report: Report, *, verbose: bool = False) -> list[str]:
    """The report as lines: warnings, per-pair rows (with details when verbose), per-group rows,
    totals and the component figures; ``overall: X.XXX`` is the last line."""
    lines = [f"warning: {w}" for w in report.warnings]
    lines += [f"gold skipped/partial: {p}" for p in report.gold_problems]
    if report.gold_without_output:
        lines.append(f"gold documents with no output document: {', '.join(report.gold_without_output)}")
    if report.unscored_documents:
        lines.append(f"output documents with no gold (not scored): {len(report.unscored_documents)}")
    rule = "-" * len(_ROW_HEADER)
    lines += [_ROW_HEADER, rule]
    if verbose:
        for pair in report.pairs:
            lines.append(_row(f"{pair.stem} [{pair.group}]", pair.figures))
            lines += _pair_details(pair)
        lines.append(rule)
    for name, figures in report.groups.items():
        lines.append(_row(f"{report.group_by} {name}", figures))
    lines += [rule, _row("TOTAL", report.total), ""]
    t = report.total
    lines.append(f"{'tasks':<12}P {t.task.p:.3f}  R {t.task.r:.3f}  F1 {t.task.f1:.3f}  (matched {t.task.tp}, "
                 f"predicted {t.task.pred}, gold {t.task.gold}, merged {t.merged_tasks}, missed {t.missed_tasks})")
    for label, m in (("lead units", t.lead), ("support", t.support), ("leaders", t.leader),
                     ("deadlines", t.deadline), ("ddl dates", t.deadline_date), ("frequencies", t.frequency),
                     ("tgt task", t.target_task), ("tgt doc", t.target_doc), ("targets", t.target)):
        lines.append(f"{label:<12}P {m.p:.3f}  R {m.r:.3f}  F1 {m.f1:.3f}  (tp {m.tp}, pred {m.pred}, gold {m.gold})")
    lines.append(f"{'fields':<12}" + "  ".join(f"{f} {v:.3f}" for f, v in t.fields.items())
                 + f"  | mean {t.field_accuracy:.3f} over {t.matched_docs} matched doc(s)")
    lines.append(f"{'components':<12}" + "  ".join(f"{k} {v:.3f}" for k, v in t.components.items()))
    g = report.grounding
    lines.append(f"{'grounding':<12}{g.exact} of {g.with_span} spans equal their record ({g.share_exact:.3f}); "
                 f"{g.coverage:.3f} of {g.rows} records carry a span"
                 + ("" if g.text_found else " (no documents.text or texts table found)"))
    if verbose:
        lines += [f"  span mismatch: {e}" for e in g.examples]
    lines.append(f"overall: {t.overall:.3f}")
    return lines


def evaluate_cli(out: Path, gold: Path, *, group_by: str = "folder", verbose: bool = False,
                 stream: TextIO | None = None) -> int:
    """``policyparse evaluate``: print the report; 0 when scored, 2 on unusable arguments."""
    stream = stream or sys.stdout
    if group_by not in GROUP_BY_CHOICES:
        print(f"error: --group-by must be one of {', '.join(GROUP_BY_CHOICES)}, not {group_by!r}", file=sys.stderr)
        return 2
    if not Path(gold).is_dir():
        print(f"error: gold directory not found: {gold}", file=sys.stderr)
        return 2
    if not Path(out).is_dir():
        print(f"warning: output folder not found: {out} (scored as empty output)", file=sys.stderr)
    report = evaluate(out, gold, group_by=group_by)
    if not report.gold_files:
        for problem in report.gold_problems:
            print(f"gold skipped: {problem}", file=sys.stderr)
        print("error: no usable gold files", file=sys.stderr)
        return 2
    for line in format_report(report, verbose=verbose):
        print(line, file=stream)
    return 0
