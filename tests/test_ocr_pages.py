"""OCR at page granularity (ingest/pdf_scan.py): only the pages without a text layer of
a mixed PDF are OCR'd, one page from a PDF's bytes is a self-contained (picklable)
unit of work, and onnxruntime's threads split the cores between the workers."""
from __future__ import annotations

import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from policyparse.errors import CorruptFileError
from policyparse.ingest import pdf_scan
from policyparse.ingest.pdf_text import read_pdf

ROOT = Path(__file__).resolve().parents[1]
TEXT_PDF = sorted((ROOT / "corpus" / "renderings" / "pdf").glob("*.pdf"))[0]
SCAN_PDF = sorted((ROOT / "corpus" / "renderings" / "scan").glob("*.pdf"))[0]


def test_ocr_threads_split_the_cores_between_workers(monkeypatch):
    monkeypatch.delenv(pdf_scan.THREADS_ENV, raising=False)
    monkeypatch.setattr(pdf_scan, "_usable_cores", lambda: 8)
    monkeypatch.setenv(pdf_scan.WORKERS_ENV, "1")
    assert pdf_scan.ocr_threads() == 8
    monkeypatch.setenv(pdf_scan.WORKERS_ENV, "3")
    assert pdf_scan.ocr_threads() == 2  # 3 workers × 2 threads fit 8 cores
    monkeypatch.setenv(pdf_scan.WORKERS_ENV, "16")
    assert pdf_scan.ocr_threads() == 1
    monkeypatch.setenv(pdf_scan.THREADS_ENV, "5")  # an explicit choice wins
    assert pdf_scan.ocr_threads() == 5
    monkeypatch.setenv(pdf_scan.THREADS_ENV, "lots")  # nonsense is ignored
    assert pdf_scan.ocr_threads() == 1


def test_the_engine_is_built_with_those_threads():
    # a fresh process: this one's engine may exist already
    code = ("from policyparse.ingest import pdf_scan; e = pdf_scan.ocr_engine(); "
            "print(e.text_det.infer.session.get_session_options().intra_op_num_threads, "
            "e.text_rec.session.session.get_session_options().intra_op_num_threads)")
    env = {"PYTHONPATH": str(ROOT / "src"), pdf_scan.THREADS_ENV: "1", "PATH": "/usr/bin:/bin"}
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert res.returncode == 0, res.stderr[-2000:]
    assert res.stdout.split() == ["1", "1"]


def test_a_page_outside_the_pdf_is_a_coded_error():
    with pytest.raises(CorruptFileError, match="no page 99"):
        pdf_scan.ocr_page(SCAN_PDF.read_bytes(), 98)


def _mixed_pdf() -> bytes:
    """Page 1 of a text PDF, then page 1 of a scan: a digital notice with a scanned annex."""
    import io

    import pypdfium2 as pdfium

    out = pdfium.PdfDocument.new()
    for src in (TEXT_PDF, SCAN_PDF):
        doc = pdfium.PdfDocument(src.read_bytes())
        out.import_pages(doc, [0])
    buf = io.BytesIO()
    out.save(buf)
    return buf.getvalue()


@pytest.mark.slow
def test_a_mixed_pdf_ocrs_only_the_page_without_text():
    data = _mixed_pdf()
    with_ocr = read_pdf(data, "mixed.pdf", doc_id="m")
    assert with_ocr.meta.ocr_pages == [2]  # the text page is read from its text layer
    without = read_pdf(data, "mixed.pdf", doc_id="m", ocr=False)
    assert not without.meta.ocr_pages and any("OCR is off" in w for w in without.warnings)
    # the text page reads the same either way; OCR adds the scanned page's text after it
    assert with_ocr.text.startswith(without.text[:150])
    scanned = with_ocr.text[len(without.text):]
    assert len(scanned) > 100 and "安全生产工作要点" in scanned


@pytest.mark.slow
def test_one_page_from_bytes_is_a_self_contained_picklable_result():
    import pypdfium2 as pdfium

    data = SCAN_PDF.read_bytes()
    result = pdf_scan.ocr_page(data, 0)
    assert result.ocr and result.number == 1 and len(result.pieces) > 10
    # the same as OCR on the page of an open document (what read_pdf does)
    doc = pdfium.PdfDocument(data)
    assert pdf_scan.ocr_rendered_page(doc[0], 1) == result
    # a cacheable value: it survives pickling (a process pool, a cache file) unchanged
    assert pickle.loads(pickle.dumps(result)) == result
