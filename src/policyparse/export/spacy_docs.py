"""A run's extractions as spaCy ``Doc`` objects, for NLP teams: ``policyparse spacy OUT FILE``.

Each document's normalised text becomes a ``Doc`` made by ``spacy.blank("zh")``:
its default character segmenter makes one token per character (no model, no
download), so every record's ``[char_start, char_end)`` is a token span and comes
back exactly. One span group per kind of record:

=========== ================================= ========================
span key     label                              ``span.id_``
=========== ================================= ========================
``task``     ``body`` / ``table``               the task's rule (reader)
``unit``     ``lead`` / ``support`` / ``leader`` the rule that found it
``deadline`` ``by_date`` / ``window`` / …       the rule
``frequency`` ``day`` … ``year``                the rule
``target``   the comparator (or ``target``)     the rule
=========== ================================= ========================

``doc.user_data`` holds ``doc_id``, ``title``, ``region_code`` and ``plan_year``.
The ``DocBin`` written by :func:`write_docbin` is what ``spacy train`` reads for a
span categorizer (``spans_key``), and displaCy's span renderer shows one document.
"""
from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Iterator

import pyarrow.dataset as ds

from ..errors import ExportError
from .parquet import current_run_dir

# span key → (table, column giving the label)
SPAN_GROUPS: dict[str, tuple[str, str]] = {
    "task": ("tasks", "source"),
    "unit": ("task_units", "role"),
    "deadline": ("deadlines", "kind"),
    "frequency": ("frequencies", "period"),
    "target": ("targets", "comparator"),
}


def blank_chinese():
    """spaCy's Chinese language with its character segmenter (no model download)."""
    import spacy

    return spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "char"}}})


def _rows(run: Path, table: str, columns: list[str]) -> list[dict]:
    folder = run / table
    if not folder.is_dir():
        return []
    return ds.dataset(str(folder), format="parquet", partitioning=None).to_table(columns=columns).to_pylist()


def docs_from_run(out: str | Path, nlp=None) -> Iterator:
    """One ``Doc`` per document of the run published in ``out``, in doc_id order."""
    run = current_run_dir(Path(out))
    if run is None:
        raise ExportError(f"{out} holds no published policyparse run")
    nlp = nlp or blank_chinese()
    records: dict[str, dict[str, list[dict]]] = defaultdict(lambda: defaultdict(list))
    for key, (table, label) in SPAN_GROUPS.items():
        for r in _rows(run, table, ["doc_id", "char_start", "char_end", label, "rule"]):
            records[r["doc_id"]][key].append(r)
    meta = {r["doc_id"]: r for r in _rows(run, "documents", ["doc_id", "title", "region_code", "plan_year"])}
    for t in sorted(_rows(run, "texts", ["doc_id", "text"]), key=lambda r: r["doc_id"]):
        doc = nlp.make_doc(t["text"])
        doc.user_data.update({k: v for k, v in meta.get(t["doc_id"], {"doc_id": t["doc_id"]}).items()})
        for key, (_table, label) in SPAN_GROUPS.items():
            spans = []
            for r in records[t["doc_id"]][key]:
                span = doc.char_span(r["char_start"], r["char_end"], label=r[label] or key,
                                     alignment_mode="expand")
                if span is None:  # a record of white space only: nothing to show
                    continue
                span.id_ = r["rule"] or ""
                spans.append(span)
            doc.spans[key] = spans
        yield doc


def write_docbin(out: str | Path, dest: str | Path) -> int:
    """Write every document of the run to ``dest`` (a ``.spacy`` DocBin); the count."""
    from spacy.tokens import DocBin

    bin_ = DocBin(store_user_data=True)
    n = 0
    for doc in docs_from_run(out):
        bin_.add(doc)
        n += 1
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    bin_.to_disk(dest)
    return n


def render_spans(doc, key: str = "unit") -> str:
    """displaCy's span rendering of one span group, as HTML (a page to check by eye)."""
    from spacy import displacy

    return displacy.render(doc, style="span", options={"spans_key": key}, page=True)
