"""Shared fixtures. The whole bundled corpus is run through the batch ONCE per test
session (OCR of the scanned PDFs dominates the cost); tests that need its output
use ``corpus_output`` instead of reading the files again."""
from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
GOLD = CORPUS / "gold"


@pytest.fixture(scope="session")
def corpus_output(tmp_path_factory) -> Path:
    """`policyparse run corpus/ --out OUT` with two workers; returns OUT."""
    from policyparse.batch import run_batch

    out = tmp_path_factory.mktemp("corpus_out")
    summary = run_batch([CORPUS], out, workers=2, quiet=True)
    assert summary.failures == 0, f"the bundled corpus must read without failures: {summary.describe()}"
    return out


@pytest.fixture(scope="session")
def seeds_output(tmp_path_factory) -> Path:
    """`policyparse run corpus/seeds --out OUT` (five notices, every record kind); returns OUT.
    A small real run for the analyst's side: export, load, review page, notebook."""
    from policyparse.batch import run_batch

    out = tmp_path_factory.mktemp("seeds_out")
    summary = run_batch([CORPUS / "seeds"], out, workers=1, quiet=True)
    assert summary.failures == 0, summary.describe()
    return out
