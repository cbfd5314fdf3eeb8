"""``policyparse.load(OUT)``: a run's tables as pandas DataFrames, for notebooks.

All tables come from one published run: the ``.current`` pointer is resolved once,
so a run published while the tables load cannot mix two runs. Types are the ones
an analyst can compute with, whatever the rows hold:

- dates arrive as ``datetime64`` (plots and ``.dt`` work on them);
- list columns (``path``, ``issuers``, ``topics`` …) as Python lists, never NumPy
  arrays (``"消防" in row.topics`` and ``explode`` behave as expected);
- integer columns (``plan_year``, ``page``, ``count`` …) as pandas' nullable
  integers (``Int32``/``Int64``): a missing page or year stays ``<NA>`` instead of
  turning the whole column into floats, so ``plan_year == 2023`` stays exact;
- ``public`` as the nullable ``boolean``.

The ``year`` partition key is not added (``plan_year`` is the column). Besides the
tables, ``tables.tasks_wide`` has everything about a task in one row: its
document's region, year and title, its units by role, deadlines, frequencies and
targets (:func:`tasks_wide`).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds

from ..errors import ExportError
from .parquet import MANIFEST_NAME, current_run_dir
from .schema import ALL_TABLES

# texts holds every document's whole text: asked for by name, not loaded by default
DEFAULT_TABLES = tuple(t for t in ALL_TABLES if t != "texts")
# what tasks_wide is built from
WIDE_SOURCES = ("documents", "tasks", "task_units", "deadlines", "frequencies", "targets")
# Arrow type → the pandas dtype that keeps nulls without changing the values
_NULLABLE = {pa.int8(): pd.Int8Dtype(), pa.int16(): pd.Int16Dtype(), pa.int32(): pd.Int32Dtype(),
             pa.int64(): pd.Int64Dtype(), pa.bool_(): pd.BooleanDtype()}


@dataclass
class Tables:
    """The DataFrames of one run, by table name (``tables.tasks``, ``tables["tasks"]``)."""

    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    manifest: dict = field(default_factory=dict)

    def __getitem__(self, name: str):
        return self.frames[name]

    def __getattr__(self, name: str):
        try:
            return self.__dict__["frames"][name]
        except KeyError:
            raise AttributeError(f"no table {name!r} loaded (loaded: {sorted(self.frames)})") from None

    def __repr__(self) -> str:
        sizes = ", ".join(f"{k}={len(v)}" for k, v in self.frames.items())
        return f"Tables({sizes})"


def to_frame(table: pa.Table) -> pd.DataFrame:
    """An Arrow table as a DataFrame with the dtypes described in the module doc."""
    frame = table.to_pandas(date_as_object=False, types_mapper=_NULLABLE.get)
    for name, column in zip(table.column_names, table.columns):
        if pa.types.is_list(column.type) or pa.types.is_large_list(column.type):
            # pyarrow hands lists over as NumPy arrays; a null list becomes []
            frame[name] = pd.Series([v if v is not None else [] for v in column.to_pylist()],
                                    index=frame.index, dtype=object)
    return frame


def read_table(run: Path, name: str) -> pa.Table:
    """One table of a run directory, its columns in schema order (an absent table is empty).

    A table this version does not know (one a newer version wrote) is read as it is."""
    folder = run / name
    schema = ALL_TABLES.get(name)
    if not folder.is_dir():
        if schema is None:
            raise ExportError(f"the run has no table {name!r}")
        return schema.empty_table()
    table = ds.dataset(str(folder), format="parquet", partitioning=None).to_table()
    if schema is not None:
        table = table.select([c for c in schema.names if c in table.column_names])
    return table


def load(out: str | Path, tables: tuple[str, ...] | list[str] | None = None) -> Tables:
    """The tables of the run published in ``out`` (all but ``texts`` unless named), and
    ``tasks_wide`` when the tables it is built from are loaded (they are by default)."""
    out = Path(out)
    run = current_run_dir(out)
    if run is None:
        raise ExportError(f"{out} holds no published policyparse run")
    names = tuple(tables) if tables is not None else DEFAULT_TABLES
    unknown = [n for n in names if n not in ALL_TABLES and n != "tasks_wide"]
    if unknown:
        raise ExportError(f"unknown tables {unknown} (tables: {list(ALL_TABLES)}, tasks_wide)")
    wanted = [n for n in names if n != "tasks_wide"]
    if "tasks_wide" in names:
        wanted += [n for n in WIDE_SOURCES if n not in wanted]
    frames = {name: to_frame(read_table(run, name)) for name in wanted}
    if all(n in frames for n in WIDE_SOURCES):
        frames["tasks_wide"] = tasks_wide(frames)
    try:
        manifest = json.loads((run / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        manifest = {}
    return Tables(frames, manifest)


# --------------------------------------------------------------------------- tasks_wide

# document columns repeated on each of its tasks (documents.title becomes doc_title)
WIDE_DOCUMENT_COLUMNS = ("region_code", "region_province", "region_city", "region_county", "plan_year",
                         "issuers", "doc_number", "issue_date", "title")
# the record columns gathered per task, in record order: (table, column, wide column)
WIDE_LISTS = (
    ("deadlines", "raw", "deadlines"),
    ("deadlines", "kind", "deadline_kinds"),
    ("frequencies", "raw", "frequencies"),
    ("targets", "raw", "targets"),
)
UNIT_ROLE_COLUMNS = {"lead": "lead_units", "support": "support_units", "leader": "leaders"}


def _unique(values) -> list:
    """The distinct values in their first order (one unit named twice in a task counts once)."""
    return list(dict.fromkeys(v for v in values if v is not None and v == v))


def _lists_by_task(frame: pd.DataFrame, column: str, unique: bool = False) -> pd.Series:
    rows = frame[frame["task_id"].notna()]
    gather = _unique if unique else (lambda s: [v for v in s if v is not None and v == v])
    return rows.groupby("task_id", sort=False)[column].agg(gather)


def tasks_wide(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per task with everything about it, for notebooks and the Excel ``tasks`` sheet.

    Columns: the task's own (``task_id`` … ``hazards``); its document's region, year,
    issuers, 发文字号, issue date and title (``doc_title``); ``lead_units``,
    ``support_units`` and ``leaders`` (canonical names where known, as written
    otherwise, each once, in order of appearance); ``deadlines``, ``deadline_kinds``,
    ``frequencies`` and ``targets`` (the raw texts, in order); ``deadline`` (the
    earliest date a deadline names, datetime64) and ``max_per_year`` (the most
    frequent obligation, times a year)."""
    tasks = frames["tasks"]
    docs = frames["documents"][["doc_id", *WIDE_DOCUMENT_COLUMNS]].rename(columns={"title": "doc_title"})
    wide = tasks.merge(docs, on="doc_id", how="left", sort=False)
    index = wide["task_id"]

    def attach(lists: pd.Series, name: str) -> None:
        # a task with no such record gets [] (not NaN): every cell of a list column is a list
        wide[name] = pd.Series([v if isinstance(v, list) else [] for v in index.map(lists)],
                               index=wide.index, dtype=object)

    units = frames["task_units"].copy()
    units["name"] = units["unit_canonical"].where(units["unit_canonical"].notna(), units["unit"])
    for role, column in UNIT_ROLE_COLUMNS.items():
        attach(_lists_by_task(units[units["role"] == role], "name", unique=True), column)
    for table, column, name in WIDE_LISTS:
        attach(_lists_by_task(frames[table], column), name)
    deadlines = frames["deadlines"]
    first = deadlines[deadlines["task_id"].notna()].groupby("task_id")["date"].min()
    wide["deadline"] = pd.to_datetime(index.map(first))
    freq = frames["frequencies"]
    wide["max_per_year"] = index.map(freq.groupby("task_id")["per_year"].max()).astype("Float64")
    wide["issuers"] = pd.Series([v if isinstance(v, list) else [] for v in wide["issuers"]],
                                index=wide.index, dtype=object)
    return wide


# --------------------------------------------------------------------------- one record

TASK_ID_SEPARATOR = "-t"  # task ids are <doc_id>-t<index> (export/tables.task_id)


def split_task_id(ident: str) -> tuple[str, int | None]:
    """``(doc_id, task_index)`` of a task id, ``(ident, None)`` of a doc id."""
    doc_id, sep, index = ident.rpartition(TASK_ID_SEPARATOR)
    if sep and doc_id and index.isdigit():
        return doc_id, int(index)
    return ident, None


def document_records(out: str | Path, ident: str) -> tuple[dict[str, list[dict]], int | None]:
    """Every table's rows of one document of the run published in ``out``, found by its
    ``doc_id`` or by one of its ``task_id`` s; and that task's index (None for a doc id).

    Rows come back as lists of dicts, the shape :func:`policyparse.export.tables.document_rows`
    gives for a freshly parsed document, so the review page reads either."""
    import pyarrow.compute as pc

    run = current_run_dir(Path(out))
    if run is None:
        raise ExportError(f"{out} holds no published policyparse run")
    doc_id, index = split_task_id(ident)
    rows: dict[str, list[dict]] = {}
    for name in ("documents", "texts", "tasks", "task_units", "deadlines", "frequencies", "targets"):
        table = read_table(run, name)
        rows[name] = table.filter(pc.equal(table["doc_id"], doc_id)).to_pylist()
    if not rows["documents"]:
        raise ExportError(f"no document {doc_id!r} in the run published in {out} "
                          "(give a doc_id or task_id of its documents table, or a file path)")
    if index is not None and not any(t["task_index"] == index for t in rows["tasks"]):
        raise ExportError(f"document {doc_id} has no task {ident!r}")
    return rows, index
