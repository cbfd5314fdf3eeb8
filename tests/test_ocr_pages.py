"""OCR at page granularity (ingest/pdf_scan.py): only the pages without a text layer of
a mixed PDF are OCR'd, one page from a PDF's bytes is a self-contained (picklable)
unit of work, and onnxruntime's threads split the cores between the workers. The batch
spreads a scan's pages over its workers, caches each page, resumes page by page and
gives the tables (and failure rows) of a whole-file read."""
from __future__ import annotations

import contextlib
import logging
import pickle
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from policyparse.batch import extract_one, run_batch
from policyparse.errors import CorruptFileError
from policyparse.export import parquet as pq_out
from policyparse.export.cache import DocCache, cache_keys
from policyparse.ingest import pdf_scan
from policyparse.ingest.pdf_text import read_pdf
from policyparse.limits import DEFAULT

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


# --------------------------------------------------------------------------- one scan over many workers
# The batch hands the pages of a scan that need OCR to whichever worker is free, caches
# each page's result, then reads the document from the cached pages (batch._SpreadScans).

SHORT_SCAN = min(sorted((ROOT / "corpus" / "renderings" / "scan").glob("*.pdf")),
                 key=lambda p: (len(__import__("pypdfium2").PdfDocument(p)), p.name))


class _PageLog(logging.Handler):
    """The batch's debug line per OCR'd page: (page, worker pid)."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.pages: list[tuple[int, int]] = []

    def emit(self, record):
        if record.msg.startswith("OCR page"):
            self.pages.append((record.args[0], record.args[3]))


@contextlib.contextmanager
def _page_log():
    log, logger = _PageLog(), logging.getLogger("policyparse.batch")
    level = logger.level
    logger.addHandler(log)
    logger.setLevel(logging.DEBUG)
    try:
        yield log
    finally:
        logger.removeHandler(log)
        logger.setLevel(level)


def _fake_ocr(slow_page: int | None = None, failing_page: int | None = None, pause: float = 0.0):
    """A stand-in for the OCR of one page (the batch's orchestration is under test, not the
    engine): one line of text, ``slow_page`` never ends, ``failing_page`` raises."""
    from policyparse.ingest.pdf_layout import PageContent, Piece

    def ocr(page, number):
        if number == slow_page:
            time.sleep(600)
        if number == failing_page:
            raise RuntimeError("the engine choked on this page")
        time.sleep(pause)
        return PageContent(number, 1654.0, 2339.0, [Piece(f"第{number}页：各单位要认真落实安全生产责任。",
                                                          200.0, 1400.0, 300.0, 340.0, 38.1)],
                           [], 13.3, scale=72 / 200, size_tol=0.3, ocr=True, ocr_confidence=0.93)
    return ocr


def _pages_of(path: Path) -> int:
    import pypdfium2 as pdfium

    return len(pdfium.PdfDocument(path.read_bytes()))


def test_a_page_result_round_trips_through_its_cache_encoding():
    content = _fake_ocr()(None, 3)
    raw = pdf_scan.encode_page(content)
    assert pdf_scan.decode_page(raw) == content
    assert pdf_scan.decode_page(raw[:-5]) is None  # torn: a miss, never an error
    assert pdf_scan.decode_page(b'[999, []]') is None  # another encoding's entry


def test_pages_of_one_scan_go_to_both_workers(tmp_path, monkeypatch):
    # forked workers inherit the stand-in: each page costs 0.3 s, so both workers get some
    monkeypatch.setattr(pdf_scan, "ocr_page_image", _fake_ocr(pause=0.3))
    with _page_log() as log:
        s = run_batch([SHORT_SCAN], tmp_path / "out", workers=2, quiet=True)
    assert s.failures == 0 and s.documents == 1
    pages = _pages_of(SHORT_SCAN)
    assert sorted(p for p, _ in log.pages) == list(range(1, pages + 1))  # every page once
    assert len({pid for _, pid in log.pages}) == 2, log.pages
    text = pq_out.read_table(tmp_path / "out", "texts").column("text")[0].as_py()
    assert all(f"第{n}页" in text for n in range(1, pages + 1))  # the document read from them
    cache = DocCache(tmp_path / "out", cache_keys(ocr=True))
    doc_id = pq_out.read_table(tmp_path / "out", "documents").column("doc_id")[0].as_py()
    assert cache.ocr_pages(doc_id) == list(range(1, pages + 1))


def test_a_page_past_the_time_limit_fails_its_document_only(tmp_path, monkeypatch):
    monkeypatch.setattr(pdf_scan, "ocr_page_image", _fake_ocr(slow_page=2))
    s = run_batch([SHORT_SCAN, TEXT_PDF], tmp_path / "out", workers=2, quiet=True,
                  limits=DEFAULT.with_overrides({"timeout_s": 4}))
    assert s.documents == 1 and s.failures == 1
    [row] = pq_out.read_table(tmp_path / "out", "failures").to_pylist()
    assert row["source_path"] == str(SHORT_SCAN) and row["code"] == "E403"
    assert row["message"].startswith("page 2: no result after 4 s")
    assert pq_out.read_table(tmp_path / "out", "documents").column("source_path").to_pylist() == [str(TEXT_PDF)]


def test_a_page_whose_ocr_fails_gives_the_whole_file_reading_failure(tmp_path, monkeypatch):
    fake = _fake_ocr(failing_page=3)
    monkeypatch.setattr(pdf_scan, "ocr_page_image", fake)
    expected = extract_one(str(SHORT_SCAN), None, True).failure  # the reader, OCR in place
    assert expected and "page 3" in expected["message"]
    s = run_batch([SHORT_SCAN], tmp_path / "out", workers=2, quiet=True, allow_empty=True)
    assert s.failures == 1
    [row] = pq_out.read_table(tmp_path / "out", "failures").to_pylist()
    assert row == {**expected, "source_path": str(SHORT_SCAN)}
    # the pages that were read are kept: the next run OCRs only what failed
    cache = DocCache(tmp_path / "out", cache_keys(ocr=True))
    assert cache.ocr_pages(expected["doc_id"]) == [n for n in range(1, _pages_of(SHORT_SCAN) + 1) if n != 3]


@pytest.fixture(scope="module")
def spread_run(tmp_path_factory):
    """The shortest bundled scan, really OCR'd, its pages spread over 2 workers."""
    out = tmp_path_factory.mktemp("spread") / "out"
    with _page_log() as log:
        s = run_batch([SHORT_SCAN], out, workers=2, quiet=True)
    assert s.failures == 0 and s.documents == 1, s.describe()
    return out, log.pages


@pytest.mark.slow
def test_a_real_scan_is_ocrd_by_both_workers_into_the_tables_of_a_whole_file_read(spread_run):
    from policyparse.export.cache import unpack

    out, pages = spread_run
    assert sorted(p for p, _ in pages) == list(range(1, _pages_of(SHORT_SCAN) + 1))
    assert len({pid for _, pid in pages}) == 2, pages
    # what the reader gives with OCR in place (the whole file in one process, as before)
    whole = extract_one(str(SHORT_SCAN), None, True)
    assert whole.failure is None
    doc_id = pq_out.read_table(out, "documents").column("doc_id")[0].as_py()
    spread = DocCache(out, cache_keys(ocr=True)).get(doc_id)
    for name, table in unpack(whole.payload).items():
        assert spread[name].equals(table), name


@pytest.mark.slow
def test_a_run_killed_mid_scan_resumes_page_by_page(spread_run, tmp_path):
    import sqlite3

    out = tmp_path / "out"
    db = out / ".cache" / "cache.sqlite"
    proc = subprocess.Popen([sys.executable, "-m", "policyparse.cli", "run", str(SHORT_SCAN), "--out", str(out),
                             "--workers", "1", "--quiet"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.time() + 300
    cached: list[int] = []
    try:
        while time.time() < deadline and len(cached) < 2:
            time.sleep(0.2)
            if db.exists():
                with contextlib.suppress(sqlite3.Error):
                    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
                    cached = [r[0] for r in conn.execute("SELECT page FROM ocr_pages")]
                    conn.close()
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    conn = sqlite3.connect(db)
    cached = sorted(r[0] for r in conn.execute("SELECT page FROM ocr_pages"))
    conn.close()
    pages = _pages_of(SHORT_SCAN)
    assert 2 <= len(cached) < pages, cached  # killed in the middle of the scan
    assert not (out / "documents").exists()  # nothing was published
    with _page_log() as log:
        s = run_batch([SHORT_SCAN], out, workers=1, quiet=True)
    assert s.failures == 0
    assert sorted(p for p, _ in log.pages) == [n for n in range(1, pages + 1) if n not in cached]
    # one worker, resumed, gives the same bytes as two workers at once
    assert parquet_files(out) == parquet_files(spread_run[0])


def parquet_files(out: Path) -> dict[str, bytes]:
    run = out / ".current"
    return {str(p.relative_to(run)): p.read_bytes() for p in sorted(run.rglob("*.parquet"))}
