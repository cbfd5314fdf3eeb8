"""``policyparse inspect FILE``: a file's header fields, block outline and (--tasks) its tasks.

A reading aid for analysts and for diagnosing a misread notice: it prints what
the pipeline saw, with the offsets every record carries.
"""
from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table as RichTable

from .errors import PolicyParseError
from .model import Document
from .pipeline import parse_file

HEADER_FIELDS = ("title", "doc_number", "issuers", "issue_date", "plan_year", "recipients",
                 "attachments", "cc", "printer", "print_date", "public", "published_date",
                 "info_source")


def inspect_components(console: Console | None = None) -> int:
    """The steps of the pipeline in their order (pipeline.yaml), with their layers."""
    from .components import INGEST_LAYERS
    from .pipeline import components

    console = console or Console(highlight=False, soft_wrap=True)
    table = RichTable("#", "step", "stage", "requires", "assigns", "what it does", title="pipeline.yaml")
    table.add_row("0", "ingest", "ingest", "bytes", ", ".join(INGEST_LAYERS), "every format into one Document")
    for n, step in enumerate(components(), start=1):
        table.add_row(str(n), step.name, step.stage, ", ".join(step.requires), ", ".join(step.assigns), step.summary)
    console.print(table)
    return 0


def inspect_file(path: Path, *, show_tasks: bool = False, ocr: bool = True,
                 console: Console | None = None) -> int:
    console = console or Console(highlight=False, soft_wrap=True)
    try:
        doc = parse_file(path, ocr=ocr)
    except PolicyParseError as e:
        console.print(f"[red]error[/red] {type(e).__name__} {e}")
        return 2
    print_header(doc, console)
    print_outline(doc, console)
    if show_tasks:
        print_tasks(doc, console)
    return 0


def print_header(doc: Document, console: Console) -> None:
    h = doc.header
    t = RichTable(title=f"{doc.source_path}  [{doc.source_format}]  doc_id {doc.doc_id}",
                  show_header=False, title_justify="left")
    for name in HEADER_FIELDS:
        value = getattr(h, name)
        if value in (None, [], ""):
            continue
        t.add_row(name, ", ".join(map(str, value)) if isinstance(value, list) else str(value))
    if h.region:
        r = h.region
        t.add_row("region", f"{r.code} {r.province or ''} {r.city or ''} {r.county or ''}".strip())
    t.add_row("pages / blocks", f"{len(doc.pages)} / {len(doc.blocks)}")
    if doc.warnings:
        t.add_row("warnings", "; ".join(doc.warnings))
    console.print(t)


def print_outline(doc: Document, console: Console, width: int = 60) -> None:
    console.print("[bold]blocks[/bold]")
    for i, b in enumerate(doc.blocks):
        if b.table is not None:
            console.print(f"  {i:>4} table {b.table.n_rows}×{b.table.n_cols}  [{b.start}:{b.end}] p{b.page}")
            continue
        text = doc.text[b.start:b.end].replace("\n", " ")
        style = " ".join(f"{k}={v}" for k, v in b.style.items() if k in ("align", "size", "bold", "color"))
        console.print(f"  {i:>4} [{b.start}:{b.end}] p{b.page} {style}  {text[:width]}")


def print_tasks(doc: Document, console: Console, width: int = 50) -> None:
    console.print(f"[bold]tasks[/bold] ({len(doc.tasks)})")
    for t in doc.tasks:
        text = doc.text[t.start:t.end].replace("\n", " ")
        console.print(f"  [{t.source}] {'/'.join(t.path)}  [{t.start}:{t.end}] p{t.page}  {t.title or ''}")
        console.print(f"      {text[:width]}…")
        for u in t.units:
            canon = f" → {u.canonical}" if u.canonical and u.canonical != u.unit else ""
            console.print(f"      unit {u.role}: {u.unit}{canon}")
        for d in t.deadlines:
            console.print(f"      deadline {d.kind} {d.date or ''}: {d.raw}")
        for f in t.frequencies:
            console.print(f"      frequency {f.period}×{f.count} {f.comparator} ({f.per_year}/yr): {f.raw}")
        for g in t.targets:
            console.print(f"      target {g.comparator} {g.value} {g.unit or ''} [{g.metric}]: {g.raw}")
    if doc.targets:
        console.print(f"[bold]document targets[/bold] ({len(doc.targets)})")
        for g in doc.targets:
            console.print(f"  {g.comparator} {g.value} {g.unit or ''} [{g.metric}]: {g.raw}")


def inspect_record(out: Path, ident: str, *, show_tasks: bool = False, ocr: bool = True,
                   console: Console | None = None) -> int:
    """``inspect DOC_ID`` / ``inspect TASK_ID``: find the document in the run published in
    ``out``, read its source file again and show it (a task id: that task only)."""
    from .export.load import document_records

    console = console or Console(highlight=False, soft_wrap=True)
    try:
        rows, index = document_records(out, ident)
    except PolicyParseError as e:
        console.print(f"[red]error[/red] {type(e).__name__} {e}")
        return 2
    row = rows["documents"][0]
    paths = [p for p in (row.get("source_paths") or [row["source_path"]]) if p and Path(p).is_file()]
    if not paths:
        console.print(f"[red]error[/red] the source of {row['doc_id']} ({row['source_path']}) is gone; "
                      f"`policyparse review {ident} --out {out}` shows what was published")
        return 2
    try:
        doc = parse_file(Path(paths[0]), ocr=ocr)
    except PolicyParseError as e:
        console.print(f"[red]error[/red] {type(e).__name__} {e}")
        return 2
    if doc.doc_id != row["doc_id"]:
        console.print(f"[yellow]warning[/yellow] {paths[0]} changed since the run (doc_id {doc.doc_id})")
    print_header(doc, console)
    if index is None:
        print_outline(doc, console)
        if show_tasks:
            print_tasks(doc, console)
        return 0
    if index >= len(doc.tasks):
        console.print(f"[red]error[/red] the file now gives {len(doc.tasks)} tasks, none at index {index}")
        return 2
    one = Document(doc.doc_id, doc.source_path, doc.source_format, doc.text, tasks=[doc.tasks[index]])
    print_tasks(one, console, width=400)
    return 0
