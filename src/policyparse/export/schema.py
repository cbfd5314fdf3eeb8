"""The Arrow schemas of the output tables (shared/OUTPUT.md), in one place.

Types are exact and never change without a bump of
:data:`policyparse.model.SCHEMA_VERSION`, which every ``documents`` row carries
in ``schema_version``. Columns beyond OUTPUT.md's minimum are welcome there and
are marked below; readers select by name, so adding a column is not a break.

Character offsets are ``int64`` (a long notice's text can pass 2**31 bytes only
in theory, but int64 is what Arrow and DuckDB index with); counts and page
numbers are ``int32``; dates are ``date32``.
"""
from __future__ import annotations

import pyarrow as pa

from ..model import SCHEMA_VERSION

STR = pa.string()
STRS = pa.list_(pa.string())
I32 = pa.int32()
I64 = pa.int64()
F64 = pa.float64()
DATE = pa.date32()

DOCUMENTS = pa.schema([
    ("doc_id", STR),
    ("source_path", STR),
    ("source_paths", STRS),  # extra: every path holding these exact bytes, sorted
    ("source_format", STR),
    ("title", STR),
    ("doc_number", STR),
    ("issuers", STRS),
    ("issue_date", DATE),
    ("plan_year", I32),
    ("region_code", STR),
    ("region_province", STR),
    ("region_city", STR),
    ("region_county", STR),
    ("recipients", STRS),
    ("attachments", STRS),
    # extras from the header (GB/T 9704 版记 and web metadata)
    ("cc", STRS),
    ("printer", STR),
    ("print_date", DATE),
    ("published_date", DATE),
    ("info_source", STR),
    ("public", pa.bool_()),
    ("page_count", I32),
    ("n_tasks", I32),
    ("structure", STR),  # outline | table | flattened_table (joined by +) | none
    ("n_chars", I64),
    ("warnings", STRS),
    # one notice, several files (a PDF and its web page, two sites' copies): one key, from the
    # normalised 发文字号 and issuers, else the normalised title, issuers and 成文日期
    ("notice_key", STR),
    ("ocr", pa.bool_()),  # some text came from OCR (a scan)
    ("ocr_confidence", F64),  # the OCR engine's mean score (0-1); null without OCR
    ("pipeline_version", STR),
    ("schema_version", STR),
])

# The normalised text every char_start/char_end points into (kept out of
# ``documents`` so that scanning documents does not drag megabytes of text).
TEXTS = pa.schema([
    ("doc_id", STR),
    ("text", STR),
])

TASKS = pa.schema([
    ("task_id", STR),
    ("doc_id", STR),
    ("task_index", I32),  # extra: the task's place in the document (record order)
    ("path", STRS),
    ("section", STR),
    ("title", STR),
    ("text", STR),
    ("source", STR),
    ("char_start", I64),
    ("char_end", I64),
    ("page", I32),
    ("rule", STR),  # the id of the rule (or reader) that produced the row
    ("topics", STRS),  # work types, gazetteers/topics/
    ("hazards", STRS),  # hazard or subject domains
])

TASK_UNITS = pa.schema([
    ("task_id", STR),
    ("doc_id", STR),
    ("role", STR),
    ("unit", STR),
    ("unit_canonical", STR),
    ("char_start", I64),
    ("char_end", I64),
    ("rule", STR),  # the id of the rule (or reader) that produced the row
])

DEADLINES = pa.schema([
    ("task_id", STR),
    ("doc_id", STR),
    ("raw", STR),
    ("kind", STR),
    ("date", DATE),
    ("start", DATE),
    ("char_start", I64),
    ("char_end", I64),
    ("rule", STR),  # the id of the rule (or reader) that produced the row
])

FREQUENCIES = pa.schema([
    ("task_id", STR),
    ("doc_id", STR),
    ("raw", STR),
    ("period", STR),
    ("count", I32),
    ("comparator", STR),
    ("per_year", F64),
    ("char_start", I64),
    ("char_end", I64),
    ("rule", STR),  # the id of the rule (or reader) that produced the row
])

TARGETS = pa.schema([
    ("task_id", STR),  # null for a document-level target
    ("doc_id", STR),
    ("raw", STR),
    ("metric", STR),
    ("value", F64),
    ("unit", STR),
    ("comparator", STR),
    ("char_start", I64),
    ("char_end", I64),
    ("rule", STR),  # the id of the rule (or reader) that produced the row
])

# The documents a notice cites: 《title》 and the number after it (extract/references.py).
# cited_doc_id / cited_notice_key are filled at publish time when the cited document is in
# the same run (matched by 发文字号, else by normalised title; export/tables.reference_linker).
REFERENCES = pa.schema([
    ("doc_id", STR),
    ("cited_title", STR),
    ("cited_number", STR),  # 发文字号, 部令 number or standard code after the title; null if none
    ("char_start", I64),
    ("char_end", I64),
    ("rule", STR),  # doc_number | order_number | standard_number | title
    ("cited_doc_id", STR),
    ("cited_notice_key", STR),
])

# Near-identical obligations across notices (export/clusters.py): one row per task and
# cluster, only clusters whose tasks come from at least two notices.
TASK_CLUSTERS = pa.schema([
    ("cluster_id", STR),
    ("task_id", STR),
    ("doc_id", STR),
    ("notice_key", STR),
    ("representative_text", STR),  # the cluster's obligation: the wording most of its sentences use
    ("member_text", STR),  # this task's sentence of the cluster (how this notice words it)
    ("similarity", F64),  # MinHash-estimated Jaccard of member_text's 3-grams to the representative's
])

# One row per input file that produced no document.
FAILURES = pa.schema([
    ("source_path", STR),
    ("doc_id", STR),  # the content hash, null when the file could not even be read
    ("stage", STR),  # ingest | segment | extract | export | batch | pipeline
    ("error_type", STR),  # the exception class
    ("code", STR),  # E1xx ingest, E2xx segment, E3xx extract, E4xx export/batch
    ("message", STR),
])

# Tables built from each document, in the order they are written.
DOC_TABLES: dict[str, pa.Schema] = {
    "documents": DOCUMENTS,
    "texts": TEXTS,
    "tasks": TASKS,
    "task_units": TASK_UNITS,
    "deadlines": DEADLINES,
    "frequencies": FREQUENCIES,
    "targets": TARGETS,
    "references": REFERENCES,
}
# Every table of a run (task_clusters is built over all the run's tasks, not per document).
ALL_TABLES: dict[str, pa.Schema] = {**DOC_TABLES, "failures": FAILURES, "task_clusters": TASK_CLUSTERS}

# Hive partition key of every per-document table: the document's plan year, or
# UNKNOWN_PARTITION. It is a *directory* key named apart from the ``plan_year``
# column on purpose: a directory key that repeats a file column makes
# ``pyarrow.parquet.read_table`` (and pandas) fail to merge int32 with the
# inferred dictionary type, and ``__HIVE_DEFAULT_PARTITION__`` (null) makes pandas
# fail to unify dictionaries with nulls. With a separate name and a non-null
# token every reader (pyarrow.dataset with or without hive, pq.read_table,
# pandas, DuckDB, the scorer) reads the tables whole.
PARTITION_KEY = "year"
UNKNOWN_PARTITION = "unknown"

# Columns whose strings are long and unique: Parquet dictionary pages only cost there.
NO_DICTIONARY_COLUMNS = {"text", "message", "member_text"}

__all__ = ["SCHEMA_VERSION", "DOC_TABLES", "ALL_TABLES", "PARTITION_KEY", "UNKNOWN_PARTITION",
           "DOCUMENTS", "TEXTS", "TASKS", "TASK_UNITS", "DEADLINES", "FREQUENCIES", "TARGETS",
           "FAILURES", "REFERENCES", "TASK_CLUSTERS", "NO_DICTIONARY_COLUMNS"]
