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
    """Run segmentation and extraction over an ingested document, in place."""
    from .extract.tasks import extract_tasks
    from .segment.header import read_header

    try:
        doc.header = read_header(doc)
    except PolicyParseError:
        raise
    except Exception as e:  # noqa: BLE001 - turned into a coded error with its stage
        raise SegmentError(f"header: {type(e).__name__}: {e}", path=doc.source_path) from e
    from .extract.tasks import NO_TASK_WARNING, plan_like_without_tasks, task_structure

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
    return doc


def parse_bytes(data: bytes, source_path: str = "", *, ocr: bool = True) -> Document:
    return process(read_bytes(data, source_path, ocr=ocr))


def parse_file(path: str | Path, *, ocr: bool = True) -> Document:
    path = Path(path)
    return parse_bytes(path.read_bytes(), str(path), ocr=ocr)
