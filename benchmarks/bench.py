#!/usr/bin/env python3
"""policyparse benchmarks: the PDF ratio, batch throughput, memory and re-run cost.

    python benchmarks/bench.py                 # a few minutes on 2 cores
    python benchmarks/bench.py --docs 1000 --workers 1,2,4 --with-doc --with-scan

1. PDF ratio. The whole pipeline (``run_batch``: read, segment, extract, write
   Parquet) over corpus/renderings/pdf against a bare pdfplumber
   ``extract_text`` dump of the same files to .txt, measured side by side in this
   one process, alternating, after one warm-up round of each; the median of
   ``--repeats`` rounds. ratio = pdfplumber time / pipeline time (above 1: the
   pipeline is faster than the bare dump).
2. Batch. The bundled corpus (seeds + renderings; .doc and scans only with
   --with-doc / --with-scan, for time) copied into a temp folder until it holds
   ``--docs`` documents, each copy with a tiny byte change that leaves the text
   alone (whitespace, a PDF comment, NUL padding after a ZIP or OLE2 container),
   so every copy is a new document. For each worker count: a first run in a fresh
   child process (documents per second, wall time of ``run_batch``, peak RSS of
   the process and of its largest worker), then a re-run with nothing changed, as a
   share of the first run (``run_batch`` time and the command's whole wall time,
   Python start-up included).
3. .doc rate (``--doc-rate N``): N copies of the bundled .doc renderings through
   ``run_batch`` in a fresh process for each worker count, office start-up
   included; ``--doc-oneshot`` adds the same with a LibreOffice start per file.
4. OCR rate (``--ocr-rate N``): N copies of the bundled scans, seconds per page
   for each worker count (onnxruntime threads = cores / workers).
   ``--ocr-long-scan P``: one scan of P pages (the bundled scans' pages, shortest scan
   first, in one PDF) for each worker count: its pages are spread over the workers;
   seconds per page, the load average around each run, and whether the tables are the
   same bytes for every worker count.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"


# --------------------------------------------------------------------------- child


def child(args) -> None:
    """One run in this fresh process; prints its figures as JSON on the last line."""
    from policyparse.batch import run_batch

    t0 = time.perf_counter()
    s = run_batch([args.inputs], args.out, workers=args.workers, ocr=args.with_scan, quiet=True)
    seconds = time.perf_counter() - t0
    me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    from policyparse.export.parquet import read_table

    pages = sum(n or 0 for n in read_table(Path(args.out), "documents")["page_count"].to_pylist())
    print(json.dumps({"seconds": seconds, "documents": s.documents, "extracted": len(s.extracted), "pages": pages,
                      "failures": s.failures, "published": s.published,
                      "maxrss_self_mb": me / 1024, "maxrss_children_mb": kids / 1024}))


def run_child(inputs: Path, out: Path, workers: int, with_scan: bool, env: dict | None = None) -> dict:
    cmd = [sys.executable, __file__, "--_child", "--inputs", str(inputs), "--out", str(out),
           "--workers", str(workers)] + (["--with-scan"] if with_scan else [])
    t0 = time.perf_counter()
    res = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, **(env or {})})
    wall = time.perf_counter() - t0
    if res.returncode != 0:
        raise SystemExit(f"benchmark child failed:\n{res.stderr[-3000:]}")
    fig = json.loads(res.stdout.strip().splitlines()[-1])
    fig["wall"] = wall
    return fig


# --------------------------------------------------------------------------- corpus


def bundled_files(with_doc: bool, with_scan: bool) -> list[Path]:
    files = sorted((CORPUS / "seeds").glob("*.txt"))
    fmts = ["docx", "html", "gbk", "pdf"] + (["doc"] if with_doc else []) + (["scan"] if with_scan else [])
    for fmt in fmts:
        files += sorted(p for p in (CORPUS / "renderings" / fmt).iterdir() if p.is_file())
    return files


def tiny_change(data: bytes, suffix: str, k: int) -> bytes:
    """Copy ``k`` of a file: new bytes, same text (k == 0: the original)."""
    if k == 0:
        return data
    if suffix == ".pdf":
        return data + f"\n%policyparse-bench-copy {k}\n".encode()
    if suffix in (".docx", ".doc"):
        return data + b"\0" * k  # after the ZIP end record / the OLE2 sectors: ignored by readers
    return data + (b"\r\n" if b"\r\n" in data[:4096] else b"\n") * k


def make_corpus(dest: Path, n_docs: int, with_doc: bool, with_scan: bool) -> int:
    files = bundled_files(with_doc, with_scan)
    copies = -(-n_docs // len(files))
    n = 0
    for k in range(copies):
        for f in files:
            sub = dest / f"copy{k:03d}" / f.parent.name
            sub.mkdir(parents=True, exist_ok=True)
            (sub / f.name).write_bytes(tiny_change(f.read_bytes(), f.suffix.lower(), k))
            n += 1
    return n


# --------------------------------------------------------------------------- pdf ratio


def _pipeline_round(folder: Path, n_files: int, out: Path) -> float:
    """Seconds for one whole run (read, segment, extract, write Parquet) over ``folder``."""
    from policyparse.batch import run_batch

    t0 = time.perf_counter()
    s = run_batch([folder], out, workers=1, ocr=False, quiet=True)
    dt = time.perf_counter() - t0
    assert s.documents == n_files and s.failures == 0, s.describe()
    shutil.rmtree(out)
    return dt


def pdf_ratio(repeats: int, tmp: Path) -> dict:
    import pdfplumber

    from policyparse.batch import warm_worker

    pdfs = sorted((CORPUS / "renderings" / "pdf").glob("*.pdf"))
    warm_worker(ocr=False)

    # CPU seconds too: both sides run one at a time, so on a machine shared with other work
    # (where wall time swings with the load) their ratio is the steadier figure; the
    # wall-time ratio stays the headline. The pipeline's CPU is this process's and its
    # worker's (the isolated worker is a child, reaped before run_batch returns: counted in
    # RUSAGE_CHILDREN); until 2026-12-07 only this process's was counted, which left out
    # the extraction itself once it moved into the worker
    cpu: dict[str, list[float]] = {"pipeline": [], "pdfplumber": []}

    def children_cpu() -> float:
        ru = resource.getrusage(resource.RUSAGE_CHILDREN)
        return ru.ru_utime + ru.ru_stime

    def pipeline(i: int) -> float:
        c0, k0 = time.process_time(), children_cpu()
        dt = _pipeline_round(CORPUS / "renderings" / "pdf", len(pdfs), tmp / f"pdf-out-{i}")
        if i >= 0:
            cpu["pipeline"].append(time.process_time() - c0 + children_cpu() - k0)
        return dt

    def plumber(i: int) -> float:
        dump = tmp / f"plumber-{i}"
        dump.mkdir()
        c0 = time.process_time()
        t0 = time.perf_counter()
        for p in pdfs:
            with pdfplumber.open(p) as pdf:
                text = "\n".join(page.extract_text() or "" for page in pdf.pages)
            (dump / f"{p.stem}.txt").write_text(text, encoding="utf-8")
        dt = time.perf_counter() - t0
        if i >= 0:
            cpu["pdfplumber"].append(time.process_time() - c0)
        shutil.rmtree(dump)
        return dt

    pipeline(-1), plumber(-1)  # warm-up round: imports, font caches, file cache
    ours, theirs = [], []
    for i in range(repeats):
        ours.append(pipeline(i))
        theirs.append(plumber(i))
    o, t = statistics.median(ours), statistics.median(theirs)
    oc, tc = statistics.median(cpu["pipeline"]), statistics.median(cpu["pdfplumber"])
    return {"files": len(pdfs), "pipeline_s": o, "pdfplumber_s": t, "ratio": t / o,
            "pipeline_rounds": ours, "pdfplumber_rounds": theirs,
            "pipeline_cpu_s": oc, "pdfplumber_cpu_s": tc, "ratio_cpu": tc / oc}


# --------------------------------------------------------------------------- docx ratio


def docx_ratio(repeats: int, tmp: Path) -> dict:
    """The DOCX reader against python-docx, the design card's library: the whole pipeline
    (read with lxml, segment, extract, write Parquet) against a bare python-docx dump of
    the paragraphs and the tables' cells (``pip install -e .[bench]``)."""
    import docx  # python-docx

    from policyparse.batch import warm_worker

    folder = CORPUS / "renderings" / "docx"
    files = sorted(folder.glob("*.docx"))
    warm_worker(ocr=False)

    def pipeline(i: int) -> float:
        return _pipeline_round(folder, len(files), tmp / f"docx-out-{i}")

    def python_docx(i: int) -> float:
        dump = tmp / f"python-docx-{i}"
        dump.mkdir()
        t0 = time.perf_counter()
        for p in files:
            d = docx.Document(str(p))
            parts = [para.text for para in d.paragraphs]
            parts += [cell.text for table in d.tables for row in table.rows for cell in row.cells]
            (dump / f"{p.stem}.txt").write_text("\n".join(parts), encoding="utf-8")
        dt = time.perf_counter() - t0
        shutil.rmtree(dump)
        return dt

    from policyparse.ingest import read_bytes

    blobs = [(str(p), p.read_bytes()) for p in files]

    def reader(i: int) -> float:
        t0 = time.perf_counter()
        for name, data in blobs:
            read_bytes(data, name, ocr=False)
        return time.perf_counter() - t0

    pipeline(-1), python_docx(-1), reader(-1)
    ours, theirs, read = [], [], []
    for i in range(repeats):
        ours.append(pipeline(i))
        theirs.append(python_docx(i))
        read.append(reader(i))
    o, t, r = statistics.median(ours), statistics.median(theirs), statistics.median(read)
    return {"files": len(files), "pipeline_s": o, "python_docx_s": t, "ratio": t / o,
            "reader_s": r, "reader_ratio": t / r}


# --------------------------------------------------------------------------- .doc rate


def doc_rate(n_files: int, workers: list[int], tmp: Path, oneshot: bool) -> list[dict]:
    """.doc files per second through ``run_batch`` in a fresh process (office start-up
    included): the bundled .doc renderings copied (NUL padding after the OLE2 sectors:
    new bytes, same text) to ``n_files`` files; with the long-lived office of
    ingest/doc.py and, with ``oneshot``, with a LibreOffice start per file."""
    corpus = tmp / "doc-corpus"
    files = sorted((CORPUS / "renderings" / "doc").glob("*.doc"))
    corpus.mkdir()
    for i in range(n_files):
        src = files[i % len(files)]
        (corpus / f"{i:05d}-{src.name}").write_bytes(tiny_change(src.read_bytes(), ".doc", i // len(files)))
    rows = []
    modes = [("long-lived", {})] + ([("one-shot", {"POLICYPARSE_UNO_PYTHON": "none"})] if oneshot else [])
    for mode, env in modes:
        for w in workers:
            out = tmp / f"doc-out-{mode}-{w}"
            fig = run_child(corpus, out, w, False, env)
            assert fig["documents"] == n_files and fig["failures"] == 0, fig
            rows.append({"mode": mode, "workers": w, "files": n_files, "seconds": fig["seconds"],
                         "files_per_s": n_files / fig["seconds"], "wall": fig["wall"]})
            shutil.rmtree(out)
    return rows


# --------------------------------------------------------------------------- OCR rate


def ocr_rate(n_files: int, workers: list[int], tmp: Path) -> list[dict]:
    """Seconds per scanned page through ``run_batch`` in a fresh process: the bundled
    scans copied (a PDF comment appended: new bytes, same pages) to ``n_files`` files.
    Each worker count runs with its own onnxruntime threads (cores / workers)."""
    import pypdfium2 as pdfium

    corpus = tmp / "scan-corpus"
    # the shortest scans first, so that a small N still gives every worker a like share
    files = sorted((CORPUS / "renderings" / "scan").glob("*.pdf"),
                   key=lambda p: (len(pdfium.PdfDocument(p)), p.name))
    corpus.mkdir()
    for i in range(n_files):
        src = files[i % len(files)]
        (corpus / f"{i:05d}-{src.name}").write_bytes(tiny_change(src.read_bytes(), ".pdf", i // len(files)))
    rows = []
    for w in workers:
        out = tmp / f"scan-out-{w}"
        fig = run_child(corpus, out, w, True)
        assert fig["documents"] == n_files and fig["failures"] == 0, fig
        rows.append({"workers": w, "files": n_files, "pages": fig["pages"], "seconds": fig["seconds"],
                     "seconds_per_page": fig["seconds"] / max(fig["pages"], 1)})
        shutil.rmtree(out)
    return rows


def long_scan(pages: int, dest: Path) -> Path:
    """One PDF of ``pages`` scanned pages: the bundled scans' pages, shortest scan first."""
    import pypdfium2 as pdfium

    files = sorted((CORPUS / "renderings" / "scan").glob("*.pdf"),
                   key=lambda p: (len(pdfium.PdfDocument(p)), p.name))
    out = pdfium.PdfDocument.new()
    n = i = 0
    while n < pages:
        src = pdfium.PdfDocument(files[i % len(files)].read_bytes())
        take = min(len(src), pages - n)
        out.import_pages(src, list(range(take)))
        n, i = n + take, i + 1
    dest.mkdir(parents=True, exist_ok=True)
    path = dest / f"long-scan-{pages}p.pdf"
    out.save(str(path))
    return path


def ocr_long_scan(pages: int, workers: list[int], tmp: Path) -> list[dict]:
    """Seconds per page of one long scan through ``run_batch`` in a fresh process per
    worker count (its pages spread over the workers)."""
    import hashlib

    folder = tmp / "long-scan"
    long_scan(pages, folder)
    rows = []
    for w in workers:
        out = tmp / f"long-scan-out-{w}"
        load_before = os.getloadavg()[0]
        fig = run_child(folder, out, w, True)
        load_after = os.getloadavg()[0]
        assert fig["documents"] == 1 and fig["failures"] == 0 and fig["pages"] == pages, fig
        tables = hashlib.sha256()
        for f in sorted((out / ".current").rglob("*.parquet")):
            tables.update(str(f.relative_to(out / ".current")).encode() + b"\0" + f.read_bytes())
        rows.append({"workers": w, "pages": pages, "seconds": fig["seconds"],
                     "seconds_per_page": fig["seconds"] / pages, "load_before": load_before,
                     "load_after": load_after, "tables_sha256": tables.hexdigest()[:16]})
        shutil.rmtree(out)
    return rows


# --------------------------------------------------------------------------- main


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", type=int, default=500, help="documents in the batch corpus (default 500)")
    ap.add_argument("--workers", default="1,2", help="worker counts to measure (default 1,2)")
    ap.add_argument("--repeats", type=int, default=3, help="rounds of the PDF ratio (default 3)")
    ap.add_argument("--with-scan", action="store_true", help="include scanned PDFs (OCR: slow)")
    ap.add_argument("--with-doc", action="store_true", help="include .doc files (LibreOffice: slow)")
    ap.add_argument("--skip-pdf-ratio", action="store_true")
    ap.add_argument("--docx-ratio", action="store_true",
                    help="also time the DOCX reader against python-docx (needs the bench extra)")
    ap.add_argument("--skip-batch", action="store_true")
    ap.add_argument("--doc-rate", type=int, metavar="N", default=0,
                    help="also time N .doc files (the bundled renderings, copied) per worker count")
    ap.add_argument("--ocr-rate", type=int, metavar="N", default=0,
                    help="also time N scanned PDFs (the bundled scans, copied) per worker count")
    ap.add_argument("--ocr-long-scan", type=int, metavar="PAGES", default=0,
                    help="also time one scan of PAGES pages (the bundled scans' pages in one PDF) "
                         "per worker count: its pages spread over the workers")
    ap.add_argument("--doc-oneshot", action="store_true",
                    help="with --doc-rate: also time a LibreOffice start per file, for comparison")
    ap.add_argument("--json", help="also write the figures here")
    ap.add_argument("--_child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--inputs", help=argparse.SUPPRESS)
    ap.add_argument("--out", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args._child:
        args.workers = int(args.workers)
        child(args)
        return 0

    report: dict = {"cpus": os.cpu_count(), "python": sys.version.split()[0]}
    with tempfile.TemporaryDirectory(prefix="policyparse-bench-") as tmpd:
        tmp = Path(tmpd)
        if not args.skip_pdf_ratio:
            r = pdf_ratio(args.repeats, tmp)
            report["pdf_ratio"] = r
            print(f"PDF ratio: pipeline {r['pipeline_s']:.2f} s vs pdfplumber extract_text "
                  f"{r['pdfplumber_s']:.2f} s on {r['files']} PDFs (median of {args.repeats}): "
                  f"ratio {r['ratio']:.2f} (CPU time, the worker's included: {r['pipeline_cpu_s']:.2f} s vs "
                  f"{r['pdfplumber_cpu_s']:.2f} s, ratio {r['ratio_cpu']:.2f})", flush=True)
        if args.docx_ratio:
            r = docx_ratio(args.repeats, tmp)
            report["docx_ratio"] = r
            print(f"DOCX ratio: pipeline {r['pipeline_s']:.2f} s vs python-docx text dump "
                  f"{r['python_docx_s']:.2f} s on {r['files']} DOCX (median of {args.repeats}): "
                  f"ratio {r['ratio']:.2f}; the DOCX reader alone {r['reader_s']:.3f} s: "
                  f"ratio {r['reader_ratio']:.2f}", flush=True)
        if args.doc_rate:
            report["doc_rate"] = doc_rate(args.doc_rate, [int(x) for x in args.workers.split(",")],
                                          tmp, args.doc_oneshot)
            for r in report["doc_rate"]:
                print(f".doc rate ({r['mode']} LibreOffice), workers {r['workers']}: {r['files']} files "
                      f"in {r['seconds']:.1f} s = {r['files_per_s']:.1f} files/s "
                      f"(whole command {r['wall']:.1f} s)", flush=True)
        if args.ocr_rate:
            report["ocr_rate"] = ocr_rate(args.ocr_rate, [int(x) for x in args.workers.split(",")], tmp)
            for r in report["ocr_rate"]:
                print(f"OCR, workers {r['workers']}: {r['files']} scans, {r['pages']} pages in "
                      f"{r['seconds']:.1f} s = {r['seconds_per_page']:.2f} s per page", flush=True)
        if args.ocr_long_scan:
            report["ocr_long_scan"] = ocr_long_scan(args.ocr_long_scan,
                                                    [int(x) for x in args.workers.split(",")], tmp)
            for r in report["ocr_long_scan"]:
                print(f"OCR of one {r['pages']}-page scan, workers {r['workers']}: {r['seconds']:.1f} s = "
                      f"{r['seconds_per_page']:.2f} s per page (load average {r['load_before']:.1f} "
                      f"before, {r['load_after']:.1f} after; tables {r['tables_sha256']})", flush=True)
        if not args.skip_batch:
            corpus = tmp / "corpus"
            n = make_corpus(corpus, args.docs, args.with_doc, args.with_scan)
            print(f"batch corpus: {n} files (bundled corpus repeated"
                  f"{', with .doc' if args.with_doc else ''}{', with scans' if args.with_scan else ''})",
                  flush=True)
            report["batch"] = []
            for w in [int(x) for x in args.workers.split(",")]:
                out = tmp / f"out-w{w}"
                first = run_child(corpus, out, w, args.with_scan)
                again = run_child(corpus, out, w, args.with_scan)
                row = {"workers": w, "first": first, "rerun": again,
                       "docs_per_s": first["documents"] / first["seconds"],
                       "rerun_share": again["seconds"] / first["seconds"],
                       "rerun_share_wall": again["wall"] / first["wall"]}
                report["batch"].append(row)
                print(f"workers {w}: {first['documents']} documents in {first['seconds']:.1f} s = "
                      f"{row['docs_per_s']:.1f} docs/s ({first['failures']} failures); peak RSS "
                      f"{first['maxrss_self_mb']:.0f} MB parent, {first['maxrss_children_mb']:.0f} MB "
                      f"largest worker; re-run with nothing changed {again['seconds']:.2f} s = "
                      f"{100 * row['rerun_share']:.1f}% of the first run "
                      f"({100 * row['rerun_share_wall']:.1f}% counting Python start-up: "
                      f"{again['wall']:.2f} s vs {first['wall']:.1f} s)", flush=True)
                shutil.rmtree(out)
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
