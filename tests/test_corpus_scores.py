"""The bars of issues 2 and 3, held on the bundled corpus with `policyparse evaluate`.

Every rendering folder (seeds = txt, gbk, docx, pdf, doc, html, scan, and the four
layouts crawled text arrives in: runon, cells, pipes, spaces — issue 8) is scored
against corpus/gold, the project's copy of the gold answers. The seeds are the
development corpus, so these figures show that nothing regressed on it; how
the rules generalise is held by the per-family unit tests written from other
sectors and by tests/test_unseen_notices.py.
"""
from __future__ import annotations

from pathlib import Path

import pyarrow.dataset as ds
import pytest

from policyparse.evaluate import evaluate
from textcheck import recovery

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
GOLD = CORPUS / "gold"

TEXT_FOLDERS = ("seeds", "gbk", "docx", "pdf", "doc", "html")
ALL_FOLDERS = TEXT_FOLDERS + ("scan",)
# text that lost its layout (issue 8); in pipes and spaces the three seeds without a
# table are byte-identical to the seed text, so those folders hold two documents of their own
LAYOUT_FOLDERS = ("runon", "cells", "pipes", "spaces")
DOC_FIELDS = ("title", "doc_number", "issue_date", "plan_year", "region", "issuers",
              "recipients", "attachments")


@pytest.fixture(scope="module")
def report(corpus_output):
    return evaluate(corpus_output, GOLD, group_by="folder")


@pytest.mark.slow
def test_every_rendering_of_every_seed_is_scored(report):
    assert report.gold_without_output == []
    for folder in ALL_FOLDERS:
        assert report.groups[folder].pairs == 5, folder


@pytest.mark.slow
@pytest.mark.parametrize("folder", TEXT_FOLDERS)
def test_extraction_bar_per_text_format(report, folder):
    g = report.groups[folder]
    assert g.task.f1 >= 0.95, (folder, g.task)
    assert g.lead.f1 >= 0.95, (folder, g.lead)
    assert g.deadline.f1 >= 0.90, (folder, g.deadline)
    assert g.frequency.f1 >= 0.90, (folder, g.frequency)
    assert g.target.f1 >= 0.90, (folder, g.target)
    assert g.overall >= 0.93, (folder, g.overall)


@pytest.mark.slow
@pytest.mark.parametrize("folder", LAYOUT_FOLDERS)
def test_extraction_bar_per_lost_layout(report, folder):
    g = report.groups[folder]
    assert g.pairs >= 2, folder
    assert g.task.f1 >= 0.95 and g.lead.f1 >= 0.95, (folder, g.task, g.lead)
    assert g.overall >= 0.93, (folder, g.overall)
    low = {f: v for f, v in g.fields.items() if v < 0.9}
    assert not low, (folder, low)


@pytest.mark.slow
def test_extraction_bar_scanned_pdfs(report):
    assert report.groups["scan"].overall >= 0.85, report.groups["scan"]


@pytest.mark.slow
@pytest.mark.parametrize("folder", ALL_FOLDERS)
def test_document_fields_per_format(report, folder):
    fields = report.groups[folder].fields
    low = {f: v for f, v in fields.items() if v < 0.95}
    assert not low, (folder, low)


@pytest.mark.slow
def test_records_are_grounded_in_the_text(report):
    assert report.grounding.coverage == 1.0
    assert report.grounding.share_exact >= 0.99


@pytest.mark.slow
def test_scanned_pdfs_recover_the_text(corpus_output):
    """Issue 2: ≥ 95% of each seed's non-space characters, in order, from the OCR'd scans
    (punctuation width folded: a recogniser writes ， where 003 printed ,)."""
    docs = ds.dataset(corpus_output / "documents", partitioning="hive").to_table(
        columns=["doc_id", "source_path"]).to_pylist()
    texts = dict(zip(*ds.dataset(corpus_output / "texts", partitioning="hive").to_table(
        columns=["doc_id", "text"]).to_pydict().values()))
    scans = [d for d in docs if "/scan/" in d["source_path"]]
    assert len(scans) == 5
    for d in scans:
        stem = d["source_path"].rsplit("/", 1)[-1].split(".")[0]
        seed = (CORPUS / "seeds" / f"{stem}.txt").read_text(encoding="utf-8")
        assert recovery(seed, texts[d["doc_id"]], fold_width=True) >= 0.95, stem
