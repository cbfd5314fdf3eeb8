"""A finished :class:`~policyparse.model.Document` → rows of every output table.

Export only *reads* the model: nothing here calls back into ingest, segment or
extract. One function per table; :func:`document_rows` gathers them and
:func:`rows_to_tables` types them against :mod:`policyparse.export.schema`.

Stable ids: ``doc_id`` is the content hash the reader set; a task's id is the
document id and the task's place in the document (``<doc_id>-t0007``). The same
bytes always give the same ids, whatever the path, run or worker; an edit gives
a new ``doc_id`` and so new task ids (old ones never point at changed text).
"""
from __future__ import annotations

import pyarrow as pa

from ..model import SCHEMA_VERSION, Document, Task
from ..official import normalize_doc_number, normalize_title, notice_key
from .schema import DOC_TABLES


def task_id(doc_id: str, index: int) -> str:
    return f"{doc_id}-t{index:04d}"


def _page(doc: Document, task: Task) -> int | None:
    return task.page if task.page is not None else doc.page_at(task.start)


def documents_rows(doc: Document, pipeline_version: str = "") -> list[dict]:
    h = doc.header
    region = h.region
    page_count = len(doc.pages) or doc.meta.page_count
    return [{
        "doc_id": doc.doc_id,
        "source_path": doc.source_path,
        "source_paths": [doc.source_path] if doc.source_path else [],
        "source_format": doc.source_format,
        "title": h.title,
        "doc_number": h.doc_number,
        "issuers": list(h.issuers),
        "issue_date": h.issue_date,
        "plan_year": h.plan_year,
        "region_code": region.code if region else None,
        "region_province": region.province if region else None,
        "region_city": region.city if region else None,
        "region_county": region.county if region else None,
        "recipients": list(h.recipients),
        "attachments": list(h.attachments),
        "cc": list(h.cc),
        "printer": h.printer,
        "print_date": h.print_date,
        "published_date": h.published_date,
        "info_source": h.info_source,
        "public": h.public,
        "page_count": int(page_count) if page_count else None,
        "n_tasks": len(doc.tasks),
        "structure": doc.structure,
        "n_chars": len(doc.text),
        "warnings": [str(w) for w in doc.warnings],
        "notice_key": notice_key(h.doc_number, h.issuers, h.title, h.issue_date) or f"d{doc.doc_id}",
        "ocr": bool(doc.meta.ocr),
        "ocr_confidence": doc.meta.ocr_confidence,
        "pipeline_version": pipeline_version,
        "schema_version": SCHEMA_VERSION,
    }]


def texts_rows(doc: Document) -> list[dict]:
    return [{"doc_id": doc.doc_id, "text": doc.text}]


def tasks_rows(doc: Document) -> list[dict]:
    return [{
        "task_id": task_id(doc.doc_id, i),
        "doc_id": doc.doc_id,
        "task_index": i,
        "path": [str(p) for p in t.path],
        "section": t.section or None,
        "title": t.title,
        "text": doc.text[t.start:t.end],
        "source": t.source,
        "char_start": t.start,
        "char_end": t.end,
        "page": _page(doc, t),
        "rule": t.rule or None,
        "topics": list(t.topics),
        "hazards": list(t.hazards),
    } for i, t in enumerate(doc.tasks)]


def task_units_rows(doc: Document) -> list[dict]:
    return [{
        "task_id": task_id(doc.doc_id, i),
        "doc_id": doc.doc_id,
        "role": u.role,
        "unit": u.unit,
        "unit_canonical": u.canonical,
        "char_start": u.start,
        "char_end": u.end,
        "rule": u.rule or None,
    } for i, t in enumerate(doc.tasks) for u in t.units]


def deadlines_rows(doc: Document) -> list[dict]:
    return [{
        "task_id": task_id(doc.doc_id, i),
        "doc_id": doc.doc_id,
        "raw": d.raw,
        "kind": d.kind,
        "date": d.date,
        "start": d.window_start,
        "char_start": d.start,
        "char_end": d.end,
        "rule": d.rule or None,
    } for i, t in enumerate(doc.tasks) for d in t.deadlines]


def frequencies_rows(doc: Document) -> list[dict]:
    return [{
        "task_id": task_id(doc.doc_id, i),
        "doc_id": doc.doc_id,
        "raw": f.raw,
        "period": f.period,
        "count": f.count,
        "comparator": f.comparator,
        "per_year": f.per_year,
        "char_start": f.start,
        "char_end": f.end,
        "rule": f.rule or None,
    } for i, t in enumerate(doc.tasks) for f in t.frequencies]


def _target_row(doc: Document, tid: str | None, g) -> dict:
    return {
        "task_id": tid,
        "doc_id": doc.doc_id,
        "raw": g.raw,
        "metric": g.metric,
        "value": g.value,
        "unit": g.unit,
        "comparator": g.comparator,
        "char_start": g.start,
        "char_end": g.end,
        "rule": g.rule or None,
    }


def targets_rows(doc: Document) -> list[dict]:
    """Document-level targets first (task_id null), then each task's in task order."""
    rows = [_target_row(doc, None, g) for g in doc.targets]
    rows += [_target_row(doc, task_id(doc.doc_id, i), g)
             for i, t in enumerate(doc.tasks) for g in t.targets]
    return rows


def references_rows(doc: Document) -> list[dict]:
    """The cited documents; the links to documents of the run are added at publish time."""
    return [{
        "doc_id": doc.doc_id,
        "cited_title": r.title,
        "cited_number": r.number,
        "char_start": r.start,
        "char_end": r.end,
        "rule": r.rule or None,
        "cited_doc_id": None,
        "cited_notice_key": None,
    } for r in doc.references]


def reference_linker(documents, conn=None):
    """A function that fills ``cited_doc_id`` and ``cited_notice_key`` of a ``references``
    table where the cited document is one of the run's ``documents`` (a Table, or
    RecordBatches read a bounded batch at a time, with ``doc_id``, ``doc_number``, ``title``,
    ``notice_key``): by normalised 发文字号 first, else by normalised title (the document's
    title, or a plan its title issues: 关于印发《X》的通知 is cited as 《X》 too). Several
    files of one notice: the first in document order. A notice never links to itself.

    The index over ``documents`` is built once, for every staged file of the table, in
    TEMP tables of the SQLite connection ``conn`` (autocommit; a private one in memory if
    None), so a national run does not hold its documents' numbers and titles in memory:
    each file's distinct keys are looked up in one query."""
    import json
    import re
    import sqlite3

    conn = conn or sqlite3.connect(":memory:", isolation_level=None)
    for name, columns in (("ref_target", "kind INTEGER, norm TEXT, doc_id TEXT NOT NULL, notice TEXT, "
                                         "PRIMARY KEY (kind, norm)"),
                          ("ref_notice", "doc_id TEXT PRIMARY KEY, notice TEXT")):
        conn.execute(f"DROP TABLE IF EXISTS temp.{name}")
        conn.execute(f"CREATE TEMP TABLE {name} ({columns}) WITHOUT ROWID")
    BY_NUMBER, BY_TITLE = 0, 1  # noqa: N806 - the two kinds of key
    batches = documents.to_batches() if isinstance(documents, pa.Table) else documents
    conn.execute("BEGIN")
    try:
        for batch in batches:
            cols = [batch.column(n).to_pylist() for n in ("doc_id", "doc_number", "title", "notice_key")]
            keys = []
            for doc_id, number, title, notice in zip(*cols):
                number = normalize_doc_number(number)
                if number:
                    keys.append((BY_NUMBER, number, doc_id, notice))
                title = title or ""
                keys += [(BY_TITLE, norm, doc_id, notice) for norm in
                         map(normalize_title, [title, *re.findall(r"《([^《》]+)》", title)]) if norm]
            # the first document holding a key keeps it (document order)
            conn.executemany("INSERT OR IGNORE INTO ref_target VALUES (?, ?, ?, ?)", keys)
            conn.executemany("INSERT OR IGNORE INTO ref_notice VALUES (?, ?)", zip(cols[0], cols[3]))
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise

    def lookup(sql: str, values) -> dict:
        return {r[0]: r[1:] for r in conn.execute(sql, (json.dumps(sorted(values), ensure_ascii=False),))}

    def link(references: pa.Table) -> pa.Table:
        rows = references.select(["doc_id", "cited_title", "cited_number"]).to_pylist()
        numbers = [normalize_doc_number(r["cited_number"]) or "" for r in rows]
        titles = [normalize_title(r["cited_title"]) or "" for r in rows]
        targets = ("SELECT norm, doc_id, notice FROM ref_target WHERE kind = {} "
                   "AND norm IN (SELECT value FROM json_each(?))")
        by_number = lookup(targets.format(BY_NUMBER), set(numbers))
        by_title = lookup(targets.format(BY_TITLE), set(titles))
        key_of = lookup("SELECT doc_id, notice FROM ref_notice WHERE doc_id IN (SELECT value FROM json_each(?))",
                        {r["doc_id"] for r in rows})
        cited_doc, cited_key = [], []
        for row, number, title in zip(rows, numbers, titles):
            hit = by_number.get(number) or by_title.get(title)
            if hit and hit[1] == key_of.get(row["doc_id"], (None,))[0]:
                hit = None
            cited_doc.append(hit[0] if hit else None)
            cited_key.append(hit[1] if hit else None)
        out = references.set_column(references.schema.get_field_index("cited_doc_id"), "cited_doc_id",
                                    pa.array(cited_doc, pa.string()))
        return out.set_column(out.schema.get_field_index("cited_notice_key"), "cited_notice_key",
                              pa.array(cited_key, pa.string()))

    return link


def document_rows(doc: Document, pipeline_version: str = "") -> dict[str, list[dict]]:
    """Every table's rows for one document, in record order."""
    return {
        "documents": documents_rows(doc, pipeline_version),
        "texts": texts_rows(doc),
        "tasks": tasks_rows(doc),
        "task_units": task_units_rows(doc),
        "deadlines": deadlines_rows(doc),
        "frequencies": frequencies_rows(doc),
        "targets": targets_rows(doc),
        "references": references_rows(doc),
    }


def rows_to_tables(rows: dict[str, list[dict]]) -> dict[str, pa.Table]:
    """Type each table's rows against its schema (a wrong type fails here, loudly)."""
    return {name: pa.Table.from_pylist(rows.get(name, []), schema=schema)
            for name, schema in DOC_TABLES.items()}
