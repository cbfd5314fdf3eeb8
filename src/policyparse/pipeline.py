"""The per-document pipeline: ingest → segment → extract, over one Document.

``parse_file`` is what a batch worker calls for each file; it either returns a
finished :class:`~policyparse.model.Document` or raises a coded
:class:`~policyparse.errors.PolicyParseError` naming the stage that failed.
The steps after ingest are components (:mod:`policyparse.components`) whose order
is read here, from ``pipeline.yaml``, and nowhere else.
"""
from __future__ import annotations

import functools
import importlib
from pathlib import Path
from typing import Callable

import yaml

from .components import Component, check_order, registered
from .errors import ComponentError, ExtractError, PolicyParseError, SegmentError
from .ingest import read_bytes
from .model import Document

PIPELINE_VERSION = "0.1.0"
# the order of the steps (policyparse/pipeline.yaml, shipped inside the package)
CONFIG = str(Path(__file__).resolve().parent / "pipeline.yaml")


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
    for step in components():
        try:
            step(doc)
        except PolicyParseError:
            raise
        except Exception as e:  # noqa: BLE001 - turned into a coded error with its stage
            error = SegmentError if step.stage == "segment" else ExtractError
            raise error(f"{step.name}: {type(e).__name__}: {e}", path=doc.source_path) from e


@functools.lru_cache(maxsize=None)
def components(config: str = CONFIG) -> tuple[Component, ...]:
    """The steps ``pipeline.yaml`` names, in its order, checked: every module imports,
    every name is registered there, every layer a step requires is there before it."""
    path = Path(config)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as e:
        raise ComponentError(f"{path.name}: cannot read: {e}") from e
    if not isinstance(data, dict) or set(data) != {"components"} or not isinstance(data["components"], list):
        raise ComponentError(f"{path.name}: must hold one key, components: a list of steps")
    steps: list[Component] = []
    for n, entry in enumerate(data["components"]):
        if not isinstance(entry, dict) or set(entry) != {"name", "module"}:
            raise ComponentError(f"{path.name}: step {n + 1} must be {{name: …, module: …}}, got {entry!r}")
        try:
            importlib.import_module(entry["module"])
        except ImportError as e:
            raise ComponentError(f"{path.name}: step {entry['name']!r}: cannot import {entry['module']}: {e}") from e
        step = registered(entry["name"])
        if step is None or step.func.__module__ != entry["module"]:
            raise ComponentError(f"{path.name}: no component {entry['name']!r} in {entry['module']}")
        if step in steps:
            raise ComponentError(f"{path.name}: step {step.name!r} listed twice")
        steps.append(step)
    check_order(steps)
    return tuple(steps)


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


def parse_bytes(data: bytes, source_path: str = "", *, ocr: bool = True,
                ingested: Callable[[Document], None] | None = None) -> Document:
    """Read and process one file. ``ingested`` sees the Document as the reader made it,
    before any step changes it (the batch caches it: a rule change then skips the reader)."""
    doc = read_bytes(data, source_path, ocr=ocr)
    if ingested is not None:
        ingested(doc)
    return process(doc)


def parse_file(path: str | Path, *, ocr: bool = True) -> Document:
    path = Path(path)
    return parse_bytes(path.read_bytes(), str(path), ocr=ocr)
