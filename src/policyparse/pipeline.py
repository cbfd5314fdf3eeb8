"""The per-document pipeline: ingest → segment → extract, over one Document.

``parse_file`` is what a batch worker calls for each file; it either returns a
finished :class:`~policyparse.model.Document` or raises a coded
:class:`~policyparse.errors.PolicyParseError` naming the stage that failed.
Stages are imported here and nowhere else, so the order can be read in one place.
"""
from __future__ import annotations

from pathlib import Path

from .errors import ExtractError, PolicyParseError, SegmentError
from .ingest import read_bytes
from .model import Document

PIPELINE_VERSION = "0.1.0"


def process(doc: Document) -> Document:
    """Run segmentation and extraction over an ingested document, in place.

    A notice served in traditional characters is read through its simplified shadow
    (:mod:`policyparse.hanzi`: same length, so every span holds) and its records get
    the original characters back afterwards."""
    from .hanzi import is_traditional, to_simplified

    shadow = to_simplified(doc.text)
    original = doc.text if is_traditional(doc.text, shadow) else None
    if original is not None:
        doc.text = shadow
        doc.meta.traditional = True
    try:
        _segment_and_extract(doc)
    finally:
        if original is not None:
            doc.text = original
            _restore_originals(doc, shadow, original)
    return doc


def _segment_and_extract(doc: Document) -> None:
    from .extract.tasks import NO_TASK_WARNING, extract_tasks, plan_like_without_tasks, task_structure
    from .segment.header import read_header

    try:
        doc.header = read_header(doc)
    except PolicyParseError:
        raise
    except Exception as e:  # noqa: BLE001 - turned into a coded error with its stage
        raise SegmentError(f"header: {type(e).__name__}: {e}", path=doc.source_path) from e
    try:
        doc.tasks, doc.targets = extract_tasks(doc)
        doc.structure = task_structure(doc, doc.tasks)
        if plan_like_without_tasks(doc):
            # a silent zero would hide a layout the readers did not recover
            doc.warnings.append(f"{NO_TASK_WARNING}: numbering labels or unit and time cues are "
                                "present but neither the outline nor a table gave a task")
    except PolicyParseError:
        raise
    except Exception as e:  # noqa: BLE001
        raise ExtractError(f"tasks: {type(e).__name__}: {e}", path=doc.source_path) from e


def _restore_originals(doc: Document, shadow: str, original: str) -> None:
    """Every string read from the shadow, in the document's own characters."""
    from .hanzi import restore

    h = doc.header
    for name in ("title", "doc_number", "printer", "info_source"):
        setattr(h, name, restore(getattr(h, name), shadow, original, h.spans.get(name, (None,))[0]))
    for name in ("issuers", "recipients", "attachments", "cc"):
        setattr(h, name, [restore(v, shadow, original) for v in getattr(h, name)])
    for t in doc.tasks:
        t.title = restore(t.title, shadow, original)
        t.section = restore(t.section, shadow, original)
        for u in t.units:
            u.unit = restore(u.unit, shadow, original, u.start)
        for rec in (*t.deadlines, *t.frequencies):
            rec.raw = restore(rec.raw, shadow, original, rec.start)
    for tg in [tg for t in doc.tasks for tg in t.targets] + doc.targets:
        if tg.unit:
            at = shadow.find(tg.unit, tg.start, tg.end)
            tg.unit = original[at:at + len(tg.unit)] if at >= 0 else tg.unit
        tg.raw = restore(tg.raw, shadow, original, tg.start)
        tg.metric = restore(tg.metric, shadow, original)


def parse_bytes(data: bytes, source_path: str = "", *, ocr: bool = True) -> Document:
    return process(read_bytes(data, source_path, ocr=ocr))


def parse_file(path: str | Path, *, ocr: bool = True) -> Document:
    path = Path(path)
    return parse_bytes(path.read_bytes(), str(path), ocr=ocr)
