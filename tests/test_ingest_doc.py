"""Legacy Word (.doc/.wps/RTF) through LibreOffice, and the errors when it is missing or fails."""
from __future__ import annotations

import functools
import stat
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from policyparse.errors import CorruptFileError, MissingDependencyError
from policyparse.ingest import doc as doc_module
from policyparse.ingest import read_bytes, read_file
from textcheck import recovery

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus" / "renderings"
SEEDS = ROOT / "corpus" / "seeds"
DOC_FILES = sorted((CORPUS / "doc").glob("*.doc"))


@functools.lru_cache(maxsize=None)
def converted(path: Path):
    """Each corpus .doc converted once for this file's tests (LibreOffice takes seconds)."""
    return read_file(path)


@pytest.mark.parametrize("path", DOC_FILES, ids=lambda p: p.stem[:3])
def test_corpus_doc_recovers_seed_text(path):
    doc = converted(path)
    assert doc.source_format == "doc"  # converted through DOCX, reported as what it was
    assert doc.meta.converted_by == "libreoffice"
    seed = (SEEDS / f"{path.stem}.txt").read_text(encoding="utf-8")
    assert recovery(seed, doc.text) >= 0.99


def test_doc_keeps_tables_and_style_hints():
    doc = converted(CORPUS / "doc" / "002_6cf0c48ced16b0a2.doc")
    tables = [b.table for b in doc.tables()]
    assert len(tables) == 1 and tables[0].n_cols == 7
    assert any(c.colspan == 7 for c in tables[0].cells)  # section rows stay merged
    assert doc.blocks[0].style.get("align") == "center"


def test_wps_extension_and_parallel_conversions(tmp_path):
    """Two conversions at once: each uses its own LibreOffice profile."""
    src = DOC_FILES[0].read_bytes()
    wps = tmp_path / "notice.wps"
    wps.write_bytes(src)
    with ThreadPoolExecutor(2) as pool:
        a, b = pool.map(lambda p: read_file(p), [wps, DOC_FILES[0]])
    assert a.text == b.text and a.source_format == "doc"


def test_rtf_saved_as_doc():
    rtf = rb"{\rtf1\ansi\deff0{\fonttbl{\f0 SimSun;}}\f0 \u20851?\u20110?\u21360?\u21457?\u30340?\u36890?\u30693?\par}"
    doc = read_bytes(rtf, "old.doc")
    assert doc.source_format == "doc"
    assert "关于印发的通知" in doc.text


def test_missing_libreoffice_is_a_clear_error(monkeypatch):
    monkeypatch.delenv("POLICYPARSE_SOFFICE", raising=False)
    monkeypatch.setattr(doc_module.shutil, "which", lambda name: None)
    with pytest.raises(MissingDependencyError) as e:
        read_file(DOC_FILES[0])
    assert e.value.code == "E105"
    assert "libreoffice-writer-nogui" in str(e.value)
    assert str(DOC_FILES[0]) in str(e.value)


def test_missing_libreoffice_via_empty_path(monkeypatch):
    monkeypatch.delenv("POLICYPARSE_SOFFICE", raising=False)
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(MissingDependencyError):
        read_file(DOC_FILES[0])


def _fake_soffice(tmp_path: Path, body: str) -> str:
    script = tmp_path / "soffice"
    script.write_text("#!/bin/sh\n" + body + "\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return str(script)


def test_converter_that_hangs_is_stopped(tmp_path, monkeypatch):
    monkeypatch.setenv("POLICYPARSE_SOFFICE", _fake_soffice(tmp_path, "sleep 30"))
    with pytest.raises(CorruptFileError, match="within 1 s"):
        doc_module.convert_to_docx(b"\xd0\xcf\x11\xe0", timeout=1)


def test_converter_without_output_is_corrupt(tmp_path, monkeypatch):
    monkeypatch.setenv("POLICYPARSE_SOFFICE", _fake_soffice(tmp_path, "echo 'Error: source file could not be loaded' >&2"))
    with pytest.raises(CorruptFileError, match="could not be loaded"):
        read_bytes(DOC_FILES[0].read_bytes(), "x.doc")
