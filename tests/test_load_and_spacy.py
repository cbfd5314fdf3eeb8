"""What analysts and NLP teams read a run through: ``policyparse.load`` (pandas) and the
spaCy export (a DocBin with a span group per record kind, every span exact)."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import policyparse
from policyparse.batch import run_batch
from policyparse.errors import ExportError
from policyparse.export.spacy_docs import SPAN_GROUPS, docs_from_run, render_spans, write_docbin

SEEDS = Path(__file__).resolve().parent.parent / "corpus" / "seeds"


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    assert run_batch([SEEDS], out, workers=1, quiet=True).failures == 0
    return out


def test_load_gives_dataframes_of_one_run(out):
    tables = policyparse.load(out)
    assert isinstance(tables.tasks, pd.DataFrame) and len(tables.documents) == 5
    assert "texts" not in tables.frames  # asked for by name only
    assert tables.tasks.doc_id.isin(tables.documents.doc_id).all()
    assert pd.api.types.is_datetime64_any_dtype(tables.deadlines["date"])
    assert tables.manifest.get("counts")
    assert len(policyparse.load(out, ["texts"]).texts) == 5
    with pytest.raises(ExportError):
        policyparse.load(out, ["nope"])
    with pytest.raises(ExportError):
        policyparse.load(out / "missing")


def test_spacy_docs_hold_every_record_as_an_exact_span(out, tmp_path):
    tables = policyparse.load(out, ["texts", "task_units", "deadlines", "tasks"])
    texts = dict(zip(tables.texts.doc_id, tables.texts.text))
    docs = list(docs_from_run(out))
    assert len(docs) == 5
    for doc in docs:
        text = texts[doc.user_data["doc_id"]]
        assert doc.text == text
        assert set(doc.spans) == set(SPAN_GROUPS)
        for span in doc.spans["unit"]:
            assert span.label_ in ("lead", "support", "leader") and span.id_
    n_units = sum(len(d.spans["unit"]) for d in docs)
    assert n_units == len(tables.task_units)  # char tokens: no record lost to alignment
    units = tables.task_units
    exact = [d.text[s.start_char:s.end_char] for d in docs for s in d.spans["unit"]]
    assert sorted(exact) == sorted(units.unit)
    dest = tmp_path / "seeds.spacy"
    assert write_docbin(out, dest) == 5 and dest.stat().st_size > 0
    from spacy.tokens import DocBin

    from policyparse.export.spacy_docs import blank_chinese

    back = list(DocBin().from_disk(dest).get_docs(blank_chinese().vocab))
    assert [len(d.spans["task"]) for d in back] == [len(d.spans["task"]) for d in docs]
    page = render_spans(docs[0])
    first = docs[0].spans["unit"][0]
    assert page.startswith("<!DOCTYPE html>") and first.label_.upper() in page.upper()
    assert all(ch in page for ch in first.text)
