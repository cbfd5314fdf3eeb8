"""``policyparse run``: plan → extract (serial, processes or Dask) → assemble → publish.

1. *Plan.* Walk the inputs (sorted; hidden files, OUT itself and non-notice
   extensions skipped), hash every file. ``doc_id`` is the content hash, so the
   same bytes at two paths are one document: ``documents`` has one row per
   ``doc_id`` (its ``source_path`` the first path in sorted order, every path in
   ``source_paths``), and the file is extracted once.
2. *Extract* only the documents the cache (export/cache.py) does not hold rows
   for at this pipeline's key: in long-lived worker processes forked warm, under
   the limits of policyparse.limits (one with ``--workers 1``; policyparse.workers),
   or on Dask (``--scheduler``).
   A worker that finds the document's ingested form in the cache (level 1: the
   reading code has not changed, only rules) skips the reader, OCR and
   LibreOffice. The worker processes spread the pages of a scan that need OCR over
   the workers, one job per page, each page's result cached on its own (see
   ``_SpreadScans``); on Dask a scan stays one task.
   Each worker returns one packed row set per document, and the
   ingested Document when it had to read the file; the parent stores both, one
   committed entry at a time, so a killed run resumes where it stopped. A file
   that fails becomes a ``failures`` row and never stops the batch.
3. *Assemble* every table from the cache in one fixed order (documents by
   source path, then each document's records in record order), streaming one
   document at a time into Parquet writers (export/parquet.RunWriter), so the
   tables are the same bytes whatever the number of workers, the order in
   which documents finished or what came from the cache, and memory does not
   grow with the corpus. What needs every document (a citation's link to the cited
   document, clusters of near-identical tasks across notices) is computed from the
   staged tables read back in bounded batches.
4. *Publish* the run atomically (export/parquet.py). When nothing changed —
   same files, same contents, same pipeline, nothing to extract — the current
   tables are already the answer and nothing is written.

Only step 2 runs in parallel; planning, assembly and the commit stay in one
process (DESIGN.md §6.6).
"""
from __future__ import annotations

import gc
import json
import logging
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import pyarrow as pa

from .errors import ExportError, PolicyParseError, UsageError
from .ingest import IGNORED_EXTENSIONS, content_hash
from .storage import is_remote, is_url, list_files, local_path_of
from .storage import exists as input_exists
from .storage import out_folder
from .storage import read_bytes as read_input

MESSAGE_LIMIT = 2000


class WorkerCrashError(ExportError):
    """A worker process died (a crash in native code, the OOM killer) on this file."""

    code, stage = "E401", "batch"


class InputError(ExportError):
    """An input path that does not exist or cannot be read."""

    code, stage = "E402", "batch"


# --------------------------------------------------------------------------- results


@dataclass
class Outcome:
    """What a worker sends back for one document: packed rows or a failure, and the
    ingested Document (encoded, for the level-1 cache) when it read the file."""

    path: str
    doc_id: str | None
    payload: bytes | None = None
    failure: dict | None = None
    seconds: float = 0.0
    ingested: bytes | None = None
    # the pages (1-based) still to OCR before the document can be read: the first pass of a
    # scan in a worker (_extract_with_pages); the batch then hands those pages out one by one
    ocr_pages: list[int] | None = None


def failure_row(path: str, doc_id: str | None, exc: BaseException) -> dict:
    if isinstance(exc, PolicyParseError):
        stage, code, message = exc.stage, exc.code, exc.message
    else:
        stage, code, message = "pipeline", "E000", f"{type(exc).__name__}: {exc}"
    path = _printable(path)
    return {"source_path": path, "doc_id": doc_id, "stage": stage,
            "error_type": type(exc).__name__, "code": code,
            "message": _printable(str(message))[:MESSAGE_LIMIT]}


def _printable(text: str) -> str:
    """A name read from disk that is not UTF-8 (surrogate escapes) as visible escapes."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def extract_one(path: str, data: bytes | None = None, ocr: bool = True, doc_id: str | None = None) -> Outcome:
    """The per-document stage: bytes → Document → packed rows. Never raises.
    ``doc_id``: the content hash of ``data`` when the caller has it already.

    The Document comes from the level-1 cache when the batch shared one with this
    process and it holds these bytes for the current reading code; otherwise the
    reader makes it, and it is sent back encoded for the parent to cache (also
    when a later step fails: a rule fixed next time then skips the reader)."""
    from . import pipeline
    from .export.cache import encode_document, lookup_ingested, pack
    from .export.tables import document_rows, rows_to_tables

    t0 = time.perf_counter()
    ingested: list[bytes | None] = [None]
    try:
        if data is None:
            data = read_input(path)
        doc_id = doc_id or content_hash(data)
        doc = lookup_ingested(doc_id)
        if doc is not None:
            doc.source_path = path
            doc = pipeline.process(doc)
        else:
            doc = pipeline.parse_bytes(data, path, ocr=ocr,
                                       ingested=lambda d: ingested.__setitem__(0, encode_document(d)))
        try:
            payload = pack(rows_to_tables(document_rows(doc, pipeline.PIPELINE_VERSION)))
        except Exception as e:  # noqa: BLE001 - a model the schema cannot hold
            raise ExportError(f"rows: {type(e).__name__}: {e}", path=path) from e
        return Outcome(path, doc_id, payload=payload, seconds=time.perf_counter() - t0,
                       ingested=ingested[0])
    except Exception as e:  # noqa: BLE001 - every failure is a row, never a crash
        return Outcome(path, doc_id, failure=failure_row(path, doc_id, e),
                       seconds=time.perf_counter() - t0, ingested=ingested[0])


WARMUP_NOTICE = ("关于做好2024年度重点工作的通知\n各有关单位：\n"
                 "一、加强组织领导。（一）完善工作机制。牵头单位：区应急管理局；责任单位：区财政局。"
                 "2024年6月底前完成，每季度至少开展1次检查，覆盖率达到100%。\n"
                 "XX区人民政府办公室\n2024年1月5日\n").encode("utf-8")


_warmed: set[bool] = set()  # the OCR switches this process has warmed up for


def warm_worker(ocr: bool = True) -> None:
    """Load the gazetteers, compiled patterns and any lazy model (jieba's
    dictionary, if a stage segments words) once per worker process, by running
    the pipeline over a tiny notice, so no document pays for it, and import the
    PDF reader's libraries (the notice is text: they would otherwise load in every
    forked worker on its first PDF, 30-40 ms each time). Called in the parent
    before a fork-started pool, the children inherit it all warm. A second call in
    the same process does nothing: what it loads stays loaded (the parent of many
    runs, a notebook or the benchmarks, paid 5-10 ms per run for the tiny notice)."""
    import logging

    if ocr in _warmed:
        return
    logging.getLogger("jieba").setLevel(logging.WARNING)
    extract_one("warmup.txt", WARMUP_NOTICE, ocr)
    from .ingest.pdf_text import warm_pdf_reader

    warm_pdf_reader()
    _warmed.add(ocr)


# --------------------------------------------------------------------------- planning


@dataclass
class Plan:
    sources: list[tuple[str, str | None]]  # (path, doc_id), sorted by path; None: unreadable
    failures: list[dict]  # input problems found while planning
    primary: dict[str, str]  # doc_id -> first path holding it


def _inside(real: str, roots: list[str]) -> bool:
    return any(real == r or real.startswith(r.rstrip(os.sep) + os.sep) for r in roots)


def discover(inputs: Iterable[str | Path], out: Path, *,
             follow_symlinks: bool = False) -> tuple[list[str], list[dict]]:
    """Every candidate file under ``inputs`` (sorted), and rows for the inputs that are
    not read: missing paths, devices, FIFOs and sockets (never opened: /dev/zero never
    ends, a FIFO blocks), symbolic links that loop or lead outside the input folders
    (not followed unless ``follow_symlinks``: a link to /etc/passwd is no notice)."""
    import stat

    from .errors import SpecialFileError, SymlinkEscapeError

    out_real = os.path.realpath(out)
    inputs = [str(i) for i in inputs]
    local_inputs = [local_path_of(i) for i in inputs]  # file:// URLs as the paths they name
    roots = [os.path.realpath(p) for p in local_inputs if p is not None and os.path.isdir(p)]
    seen: set[str] = set()
    files: list[str] = []
    failures: list[dict] = []

    def add(p: str, walked: bool) -> None:
        real = os.path.realpath(p)
        if real in seen or real == out_real or real.startswith(out_real + os.sep):
            return
        if os.path.islink(p) and walked and not follow_symlinks and not _inside(real, roots):
            failures.append(failure_row(p, None, SymlinkEscapeError(
                f"a symbolic link that leads outside the input folders ({real}); not followed "
                "(--follow-symlinks follows it)", path=p)))
            return
        try:
            mode = os.stat(p).st_mode
        except OSError as e:  # a loop (ELOOP), a dangling link
            err = (SymlinkEscapeError if os.path.islink(p) else InputError)(
                f"cannot follow: {e.strerror}", path=p)
            failures.append(failure_row(p, None, err))
            return
        if not stat.S_ISREG(mode):
            kind = ("a FIFO" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode)
                    else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "not a regular file")
            failures.append(failure_row(p, None, SpecialFileError(f"{kind}: skipped, never opened", path=p)))
            return
        seen.add(real)
        files.append(p)

    for inp in inputs:
        inp = str(inp)
        if is_url(inp):  # fsspec URLs (storage.py): file:// is a local path, others listed remotely
            local = local_path_of(inp)
            if local is None:
                listed = list_files(inp, IGNORED_EXTENSIONS)
                if listed is None:
                    failures.append(failure_row(inp, None, InputError("input not found", path=inp)))
                for url in listed or ():
                    if url not in seen:
                        seen.add(url)
                        files.append(url)
                continue
            inp = local
        if os.path.isdir(inp):
            for root, dirs, names in os.walk(inp):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(names):
                    if name.startswith(".") or os.path.splitext(name)[1].lower() in IGNORED_EXTENSIONS:
                        continue
                    add(os.path.join(root, name), True)
        elif os.path.lexists(inp):
            add(inp, False)
        else:
            failures.append(failure_row(inp, None, InputError("input not found", path=inp)))
    files.sort()
    return files, failures


def _hash_file(path: str, limit_bytes: int) -> str:
    """The content hash, read in chunks (never more than the file-size limit)."""
    import hashlib

    h = hashlib.sha256()
    size = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            size += len(chunk)
            if size > limit_bytes:
                from .limits import current

                current().check("file_mb", size / 2**20, "file size (MB)", path=path)
            h.update(chunk)
    return h.hexdigest()[:16]


def plan(inputs: Iterable[str | Path], out: Path, *, follow_symlinks: bool = False,
         limits=None) -> Plan:
    from .limits import current

    lim = limits or current()
    files, failures = discover(inputs, out, follow_symlinks=follow_symlinks)
    sources: list[tuple[str, str | None]] = []
    primary: dict[str, str] = {}
    for path in files:
        if not _utf8(path):
            failures.append(failure_row(path, None, InputError(
                "the file name is not valid UTF-8 (an archive unpacked from another system?); "
                "rename it to read it", path=path)))
            continue
        try:
            if is_remote(path):  # listed through fsspec: read whole (no local stat to check first)
                data = read_input(path)
                lim.check("file_mb", len(data) / 2**20, "file size (MB)", path=path)
                doc_id = content_hash(data)
            else:
                size = os.path.getsize(path)
                lim.check("file_mb", size / 2**20, "file size (MB)", path=path)
                doc_id = _hash_file(path, lim.file_mb * 2**20)
        except OSError as e:
            failures.append(failure_row(path, None, InputError(f"cannot read: {e.strerror or e}", path=path)))
            sources.append((path, None))
            continue
        except PolicyParseError as e:
            failures.append(failure_row(path, None, e))
            continue
        sources.append((path, doc_id))
        primary.setdefault(doc_id, path)
    return Plan(sources, failures, primary)


def _utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
        return True
    except UnicodeEncodeError:
        return False


# --------------------------------------------------------------------------- progress


class Progress:
    """A rich progress bar on a terminal, plain log lines otherwise, nothing if quiet."""

    LOG_EVERY_S = 5.0

    def __init__(self, total: int, *, quiet: bool, stream=None):
        self.total, self.done, self.failed = total, 0, 0
        self.quiet = quiet
        self.stream = stream or sys.stderr
        self.t0 = time.perf_counter()
        self._last_log = 0.0
        self._bar = None
        if quiet or total == 0:
            return
        if getattr(self.stream, "isatty", lambda: False)():
            from rich.console import Console
            from rich.progress import (BarColumn, MofNCompleteColumn, Progress as RichProgress,
                                       TextColumn, TimeElapsedColumn, TimeRemainingColumn)

            self._bar = RichProgress(
                TextColumn("extracting"), BarColumn(), MofNCompleteColumn(),
                TextColumn("{task.fields[failed]} failed"), TextColumn("{task.fields[rate]} files/s"),
                TimeElapsedColumn(), TimeRemainingColumn(),
                console=Console(file=self.stream), transient=False)
            self._task = self._bar.add_task("extract", total=total, failed=0, rate="-")
            self._bar.start()
        else:
            self.log(f"extracting {total} file(s)")

    def log(self, message: str) -> None:
        if not self.quiet:
            print(f"policyparse: {message}", file=self.stream, flush=True)

    def rate(self) -> float:
        dt = time.perf_counter() - self.t0
        return self.done / dt if dt > 0 else 0.0

    def advance(self, ok: bool) -> None:
        self.done += 1
        self.failed += 0 if ok else 1
        if self.quiet or self.total == 0:
            return
        if self._bar is not None:
            self._bar.update(self._task, advance=1, failed=self.failed, rate=f"{self.rate():.1f}")
            return
        now = time.perf_counter()
        step = max(1, self.total // 20)
        if self.done == self.total or self.done % step == 0 or now - self._last_log >= self.LOG_EVERY_S:
            self._last_log = now
            self.log(f"{self.done}/{self.total} files, {self.failed} failed, {self.rate():.1f} files/s")

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None


# --------------------------------------------------------------------------- executors


def _in_worker(ocr: bool, extract: Callable[[str], Outcome] | None = None) -> Callable[[str], Outcome]:
    """The work a worker process does for one path: :func:`extract_one` (or ``extract``), with
    the two Python-level resource failures named by their limit (they are caught as any
    other exception inside extract_one, so they arrive here as rows)."""
    from .errors import WorkerMemoryError
    from .limits import NestingLimitError

    def work(path: str) -> Outcome:
        o = extract(path) if extract is not None else extract_one(path, None, ocr)
        kind = (o.failure or {}).get("error_type")
        if kind == "MemoryError":
            o.failure = failure_row(path, o.doc_id, WorkerMemoryError(
                "out of memory under the worker's address-space limit (limit address_space_mb)", path=path))
        elif kind == "RecursionError":
            o.failure = failure_row(path, o.doc_id, NestingLimitError(
                "nested deeper than the reader can follow (limit nesting_depth)", path=path,
                limit="nesting_depth"))
        return o

    return work


def _recycle(o) -> bool:
    return bool(o.failure) and o.failure.get("code") == "E404"


# --------------------------------------------------------------------------- one scan, many workers
#
# A scan of 30 pages at a few seconds a page would keep one worker busy for minutes while
# the others idle. So a PDF goes through the workers in three kinds of job, each under
# the same isolation, time and memory limits as a whole file:
#   1. the file (a path): read as usual, except that a page without a usable text layer is
#      not OCR'd: its cached OCR result is used, or it is noted (pdf_scan.page_source). A
#      file with no such page (nearly all) is done in this one job, at no extra cost;
#   2. one OcrPageJob per noted page, handed to whichever worker is free; each result is
#      a level-1 cache entry of its own (content hash, page, OCR fingerprint), committed
#      at once, so a killed run resumes page by page;
#   3. once every page has its result, a ReadJob reads the document with the cached pages
#      (no OCR in it) and extracts it like any file.
# A page job that times out, runs out of memory or kills its worker twice fails the whole
# document with that code (E403, E404, E401), as the file would have; a page whose OCR
# raises is simply not cached: the ReadJob OCRs it in place and meets the same error the
# reader meets, so the failure row is the one a whole-file read gives.

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class OcrPageJob:
    path: str
    doc_id: str
    page: int  # 1-based


@dataclass(frozen=True)
class ReadJob:
    path: str
    doc_id: str


@dataclass
class PageOutcome:
    path: str
    doc_id: str
    page: int
    encoded: bytes | None = None  # pdf_scan.encode_page's bytes; None when OCR failed
    failure: dict | None = None
    seconds: float = 0.0
    pid: int = 0


class _CachedPages:
    """A pdf_scan.page_source: a page's cached OCR result when the cache holds one; else,
    when ``defer``, an empty page noted in ``missing`` (the first pass), or OCR here."""

    def __init__(self, doc_id: str, *, defer: bool):
        self.doc_id, self.defer = doc_id, defer
        self.missing: list[int] = []

    def __call__(self, page, number: int):
        from .export.cache import lookup_ocr_page
        from .ingest import pdf_scan
        from .ingest.pdf_layout import PageContent

        raw = lookup_ocr_page(self.doc_id, number)
        content = pdf_scan.decode_page(raw) if raw is not None else None
        if content is not None:
            return content
        if self.defer:
            self.missing.append(number)
            return PageContent(number, page.get_width(), page.get_height(), [], [], 1.0, ocr=True)
        return pdf_scan.ocr_page_image(page, number)


def _extract_with_pages(path: str, ocr: bool, *, defer: bool) -> Outcome:
    """:func:`extract_one` with the document's OCR pages taken from the cache; the first
    pass (``defer``) answers with the pages still to OCR instead of a document."""
    from .ingest import pdf_scan

    try:
        data = read_input(path)
    except Exception:  # noqa: BLE001 - extract_one reads it again and makes the failure row
        return extract_one(path, None, ocr)
    source = _CachedPages(content_hash(data), defer=defer)
    with pdf_scan.page_source(source):
        o = extract_one(path, data, ocr, doc_id=source.doc_id)
    if source.missing:  # a partial reading: neither its rows nor its Document are kept
        return Outcome(path, o.doc_id, seconds=o.seconds, ocr_pages=sorted(set(source.missing)))
    return o


def _ocr_one_page(job: OcrPageJob) -> PageOutcome:
    """A page job in a worker: OCR one page of the file from its bytes."""
    from .ingest import pdf_scan

    t0 = time.perf_counter()
    try:
        data = read_input(job.path)
        if content_hash(data) != job.doc_id:
            raise InputError("the file changed while the run read it; run again", path=job.path)
        encoded = pdf_scan.encode_page(pdf_scan.ocr_page(data, job.page - 1))
        return PageOutcome(job.path, job.doc_id, job.page, encoded,
                           seconds=time.perf_counter() - t0, pid=os.getpid())
    except Exception as e:  # noqa: BLE001 - the ReadJob meets it again, as the reader would
        from .errors import WorkerMemoryError

        if isinstance(e, MemoryError):  # the worker's heap is not to be trusted: recycle it
            e = WorkerMemoryError(f"page {job.page}: out of memory under the worker's address-space "
                                  "limit (limit address_space_mb)", path=job.path)
        return PageOutcome(job.path, job.doc_id, job.page, failure=failure_row(job.path, job.doc_id, e),
                           seconds=time.perf_counter() - t0, pid=os.getpid())


def _in_worker_by_page(ocr: bool) -> Callable[[object], object]:
    """The work of a worker when scans are spread page by page: the three kinds of job."""
    first_pass = _in_worker(ocr, lambda path: _extract_with_pages(path, ocr, defer=True))
    read_from_pages = _in_worker(ocr, lambda path: _extract_with_pages(path, ocr, defer=False))

    def work(job):
        if isinstance(job, OcrPageJob):
            return _ocr_one_page(job)
        if isinstance(job, ReadJob):
            return read_from_pages(job.path)
        return first_pass(job)

    return work


class _SpreadScans:
    """The parent's side of spreading scans page by page (see the comment above
    OcrPageJob): which pages each document still waits for, the page results into the
    cache, and the follow-up jobs."""

    def __init__(self, cache):
        self.cache = cache
        self.pool = None  # set once the pool exists: a failed page cancels its siblings
        self.waiting: dict[str, set[int]] = {}  # doc_id -> its pages not answered yet

    def answer(self, job, result, error):
        """``(job, result, error, follow-ups)`` for the batch to record as a document's
        outcome, or ``job`` None when there is no document outcome yet."""
        if isinstance(job, OcrPageJob):
            return self._page(job, result, error)
        if error is None and isinstance(result, Outcome) and result.ocr_pages:
            self.waiting[result.doc_id] = set(result.ocr_pages)
            return None, None, None, [OcrPageJob(result.path, result.doc_id, n) for n in result.ocr_pages]
        return job, result, error, []

    def _page(self, job: OcrPageJob, result: PageOutcome | None, error):
        left = self.waiting.get(job.doc_id)
        if error is not None:
            if left is None:  # the document failed already
                return None, None, None, []
            del self.waiting[job.doc_id]
            if self.pool is not None:  # its other pages would only cost time
                self.pool.cancel(lambda j: isinstance(j, OcrPageJob) and j.doc_id == job.doc_id)
            return job.path, None, type(error)(f"page {job.page}: {error.message}", path=job.path), []
        if result.encoded is not None:
            self.cache.put_ocr_page(job.doc_id, job.page, result.encoded)
        logger.debug("OCR page %d of %s (%s): worker pid %d, %.2f s%s", job.page, job.path, job.doc_id,
                     result.pid, result.seconds, " (failed: read again in place)" if result.failure else "")
        if left is None:
            return None, None, None, []
        left.discard(job.page)
        if left:
            return None, None, None, []
        del self.waiting[job.doc_id]
        return None, None, None, [ReadJob(job.path, job.doc_id)]


def _run_isolated(jobs: list[str], ocr: bool, workers: int, done: Callable[[Outcome], None],
                  limits=None, cache=None) -> None:
    """Every document in a worker process (also with ``--workers 1``: one long-lived
    child), under the wall-clock and memory limits (policyparse.workers): a crash, an
    abort, a hang or a runaway allocation costs that file one failures row. The parent
    warms up once before forking, so the children start warm. With OCR on and a
    ``cache`` for the page results, the pages of a scan are spread over the workers
    (:class:`_SpreadScans`)."""
    from .limits import current
    from .workers import WorkerPool

    warm_worker(ocr)
    # the forked workers share the warm parent's pages until they write to them: keep the
    # collector from writing to every warm object (gazetteers, jieba's dictionary) in each
    # child (measured: 0.60-0.66 s instead of 0.70-0.84 s for the 5 bundled PDFs).
    # Only the young generations are collected first (the warm-up's and the last run's
    # leftovers): a full collection walks every warm object, 65-100 ms of each run's
    # parent, and garbage frozen in the old generation is only held until the unfreeze
    # below hands it back to the collector
    gc.collect(1)
    gc.freeze()

    scans = _SpreadScans(cache) if ocr and cache is not None else None

    def finished(job, result, error) -> list:
        more: list = []
        if scans is not None:
            job, result, error, more = scans.answer(job, result, error)
            if job is None:
                return more
        path = getattr(job, "path", job)
        if error is not None:
            if error.code == "E401":
                error = WorkerCrashError(error.message, path=path)
            result = Outcome(path, None, failure=failure_row(path, None, error))
        done(result)
        return more

    # spreading: one file may become as many jobs as pages (the pool starts a child only for a job)
    size = workers if scans is not None else min(workers, len(jobs))
    work = _in_worker_by_page(ocr) if scans is not None else _in_worker(ocr)
    try:
        with WorkerPool(size, work, limits or current(), recycle=_recycle) as pool:
            if scans is not None:
                scans.pool = pool
            pool.run(jobs, finished)
    finally:
        gc.unfreeze()  # this process may run more batches: let the collector see it all again


def _run_dask(jobs: list[str], ocr: bool, workers: int, scheduler: str,
              done: Callable[[Outcome], None], shared_storage: bool = False) -> None:
    """The per-document stage on Dask distributed. A local file's bytes travel with its
    task, so workers need policyparse installed but no view of the input folders; with
    ``shared_storage`` (the workers see the same paths) and for remote URLs (s3://, …)
    the task carries only the path or URL and the worker reads the file itself, so the
    client never ships the corpus through the scheduler."""
    from distributed import Client, LocalCluster, as_completed

    cluster = None
    if scheduler == "local":
        import logging

        cluster = LocalCluster(n_workers=max(workers, 1), threads_per_worker=1, processes=True,
                               dashboard_address=None, silence_logs=logging.WARNING)
        client = Client(cluster)
    else:
        try:
            client = Client(scheduler, timeout="30s")
        except OSError as e:
            raise ExportError(f"cannot reach the Dask scheduler {scheduler}: {e}") from e
    try:
        client.run(warm_worker, ocr)
        n_workers = max(len(client.scheduler_info().get("workers", {})), 1)
        window = n_workers * 4
        queue = list(reversed(jobs))

        def submit(path: str):
            data = None  # shared storage or a remote URL: the worker reads the file itself
            if not (shared_storage or is_remote(path)):
                try:
                    data = read_input(path)
                except OSError:
                    pass  # gone since planning: the worker's own read makes it this file's failure row
            return client.submit(extract_one, path, data, ocr, pure=False)

        path_of = {}
        for _ in range(min(window, len(queue))):
            path = queue.pop()
            path_of[submit(path)] = path
        stream = as_completed(list(path_of))
        for fut in stream:
            path = path_of.pop(fut)
            try:
                done(fut.result())
            except Exception as e:  # noqa: BLE001 - a lost worker or a task error
                done(Outcome(path, None, failure=failure_row(
                    path, None, WorkerCrashError(f"{type(e).__name__}: {e}", path=path))))
            fut.release()
            if queue:
                path = queue.pop()
                nxt = submit(path)
                path_of[nxt] = path
                stream.add(nxt)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


# --------------------------------------------------------------------------- assembly


def _year_of(documents: pa.Table) -> str:
    from .export.schema import UNKNOWN_PARTITION

    y = documents.column("plan_year")[0].as_py() if documents.num_rows else None
    return str(y) if y is not None else UNKNOWN_PARTITION


def shared_paths(plan_: Plan) -> dict[str, list[str]]:
    """Every path of each document held at more than one path (sorted); documents at
    one path only, nearly all of them, take no room here."""
    more: dict[str, list[str]] = {}
    for path, doc_id in plan_.sources:
        if doc_id is not None and plan_.primary[doc_id] != path:
            more.setdefault(doc_id, [plan_.primary[doc_id]]).append(path)
    return more


def keep_outcome(o: Outcome, doc_id: str | None, cache, more_paths: dict[str, list[str]]) -> list[dict]:
    """Store what a worker made of the planned document ``doc_id`` in the cache; or, when
    it failed or read other bytes than were planned (the file changed meanwhile), return
    its failure rows, one per path of the document."""
    if o.ingested is not None and o.doc_id is not None:
        cache.put_ingested(o.doc_id, o.ingested)  # by content: right even if the file changed
    if o.payload is not None and o.doc_id == doc_id:
        cache.put(doc_id, o.payload)
        return []
    failure = o.failure if o.payload is None else failure_row(o.path, doc_id, InputError(
        "the file changed while the run read it; run again", path=o.path))
    return [{**failure, "source_path": p, "doc_id": doc_id} for p in more_paths.get(doc_id, [o.path])]


def assemble(plan_: Plan, cache, failed_ids: set[str], writer, *, ocr: bool = True) -> list[dict]:
    """Stream every table from the cache into ``writer`` (export.parquet.RunWriter), one
    document at a time in document order (first source path), with the current paths
    written into ``documents``. An entry that vanished or does not read back (a torn
    page) is a miss: the document is extracted again here. Returns failure rows for
    documents that then failed."""
    from .export.cache import unpack
    from .export.schema import DOC_TABLES

    more_paths = shared_paths(plan_)
    failures: list[dict] = []
    for path, doc_id in plan_.sources:
        if doc_id is None or doc_id in failed_ids or plan_.primary[doc_id] != path:
            continue
        tables = cache.get(doc_id)
        if tables is None:
            o = extract_one(path, None, ocr)
            failed = keep_outcome(o, doc_id, cache, more_paths)
            if failed:
                failures += failed
                continue
            tables = unpack(o.payload)
        docs = tables["documents"]
        docs = docs.set_column(docs.schema.get_field_index("source_path"), "source_path",
                               pa.array([path], pa.string()))
        docs = docs.set_column(docs.schema.get_field_index("source_paths"), "source_paths",
                               pa.array([more_paths.get(doc_id, [path])], pa.list_(pa.string())))
        tables["documents"] = docs
        year = _year_of(docs)
        for name in DOC_TABLES:
            writer.write(name, tables[name], year)
    return failures


# Tables and columns that need every document of the run: written after the per-document
# tables are staged, from those tables read back in bounded batches.
CROSS_DOCUMENT_TABLES = ("task_clusters",)


def write_cross_document_tables(staging: Path, files: dict[str, list[str]], cache=None) -> tuple[dict, dict]:
    """Link each citation to the cited document when it is in the run (``references``
    rewritten in place) and group near-identical tasks of different notices
    (``task_clusters``). The clusters' index lives in ``cache`` (export/cache.DocCache) from
    run to run, so a run hashes only the sentences of new documents (export/clusters.py);
    without one, in a temporary database. Both indexes are SQLite tables, so memory is
    bounded buffers (a batch of documents, one staged references file, one bucket's
    leaders or one component's node ids). Returns the new tables' files and row counts."""
    import contextlib
    import sqlite3
    import tempfile

    from .export import parquet as pq_out
    from .export.clusters import ClusterIndex
    from .export.schema import ALL_TABLES
    from .export.tables import reference_linker

    writer = pq_out.RunWriter(staging, {name: ALL_TABLES[name] for name in CROSS_DOCUMENT_TABLES})
    with contextlib.ExitStack() as stack:
        if cache is not None:
            index = cache.cluster_index()
        else:
            folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="policyparse-clusters-"))
            conn = sqlite3.connect(str(Path(folder) / "clusters.sqlite"), isolation_level=None)
            stack.callback(conn.close)
            index = ClusterIndex(conn)
        # the references' index in TEMP tables of the same database (on disk when large)
        link = reference_linker(pq_out.read_staged_batches(
            staging, "documents", ["doc_id", "doc_number", "title", "notice_key"]), index.conn)
        pq_out.rewrite_staged(staging, "references", files["references"], link)
        in_order = ((d, n) for b in pq_out.read_staged_batches(staging, "documents", ["doc_id", "notice_key"])
                    for d, n in zip(b.column("doc_id").to_pylist(), b.column("notice_key").to_pylist()))
        try:
            # tasks in small batches: the task texts are the largest buffers the step reads
            for table in index.update(in_order, lambda: pq_out.read_staged_batches(
                    staging, "tasks", ["task_id", "doc_id", "task_index", "text"], batch_size=4096)):
                writer.write("task_clusters", table)
            return writer.close(), dict(writer.counts)
        except BaseException:
            writer.abort()
            raise


def sources_digest(plan_: Plan) -> str:
    """One hash of every (path, doc_id) of the plan: the manifest keeps this rather than
    the list, which would grow with the corpus (the paths are in ``documents``)."""
    import hashlib

    h = hashlib.sha256()
    for path, doc_id in plan_.sources:
        h.update(f"{path}\0{doc_id}\n".encode("utf-8", "surrogateescape"))
    return h.hexdigest()


# --------------------------------------------------------------------------- the run


@dataclass
class RunSummary:
    out: Path
    files: int
    documents: int
    extracted: list[str] = field(default_factory=list)  # paths read by the pipeline this run
    from_cache: int = 0
    failures: int = 0
    seconds: float = 0.0
    published: bool = True  # False: nothing had changed, the current tables stand
    run_id: str | None = None
    counts: dict = field(default_factory=dict)

    def describe(self) -> str:
        rate = len(self.extracted) / self.seconds if self.seconds else 0.0
        what = (f"published run {self.run_id}" if self.published
                else "nothing changed; the current tables stand")
        counts = ", ".join(f"{k} {v}" for k, v in self.counts.items())
        return (f"{self.files} file(s), {self.documents} document(s): {len(self.extracted)} extracted "
                f"({rate:.1f}/s), {self.from_cache} from cache, {self.failures} failure(s) "
                f"in {self.seconds:.1f} s; {what} in {self.out}" + (f"\n  rows: {counts}" if counts else ""))


def check_usage(inputs: list[str], out: Path) -> None:
    """Stop before anything is touched when the command itself is wrong: a missing input
    path (a typo would otherwise publish an empty run over the good tables), or an OUT
    that is a file."""
    missing = [i for i in inputs if not input_exists(i)]
    if missing:
        raise UsageError("input not found: " + ", ".join(missing) + "; nothing was published")
    if not inputs:
        raise UsageError("no input given; nothing was published")
    if out.exists() and not out.is_dir():
        raise UsageError(f"the output folder {out} is a file; nothing was published")


def run_batch(inputs: Iterable[str | Path], out: str | Path, *, workers: int = 1,
              scheduler: str | None = None, ocr: bool = True, quiet: bool = False,
              allow_empty: bool = False, limits=None, follow_symlinks: bool = False,
              shared_storage: bool = False) -> RunSummary:
    """Run the batch and publish its tables atomically. A usage mistake raises
    :class:`UsageError` before anything is written; a run in which no document could be
    read publishes nothing unless ``allow_empty``. Inputs may be fsspec URLs and OUT a
    ``file://`` URL (storage.py); ``shared_storage``: Dask workers read the input paths
    themselves."""
    from .export import parquet as pq_out
    from .export.cache import DocCache, cache_keys

    t0 = time.perf_counter()
    started = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    out = out_folder(out)
    inputs = [str(i) for i in inputs]
    check_usage(inputs, out)
    with pq_out.out_lock(out):
        pq_out.clean_stale_staging(out)
        keys = cache_keys(ocr=ocr)
        key, key_parts = keys.rows, keys.parts
        cache = DocCache(out, keys)
        # Arrow's default allocator (mimalloc) keeps the segments a long assembly freed:
        # measured, tens of MB more at 1,500 documents than at 300. The system allocator
        # hands them back, so the run's peak memory stays flat.
        pool = pa.default_memory_pool()
        pa.set_memory_pool(pa.system_memory_pool())
        from .ingest.pdf_scan import WORKERS_ENV

        # the processes started below split the cores between their OCR threads (pdf_scan.ocr_threads)
        os.environ[WORKERS_ENV] = str(max(workers, 1))
        try:
            return _run_locked(inputs, out, cache, key, key_parts, t0, started, workers=workers,
                               scheduler=scheduler, ocr=ocr, quiet=quiet, allow_empty=allow_empty,
                               limits=limits, follow_symlinks=follow_symlinks, shared_storage=shared_storage)
        finally:
            pa.set_memory_pool(pool)
            cache.close()


def _run_locked(inputs: list[str], out: Path, cache, key: str, key_parts: dict, t0: float, started: str,
                *, workers: int, scheduler: str | None, ocr: bool, quiet: bool, allow_empty: bool,
                limits=None, follow_symlinks: bool = False, shared_storage: bool = False) -> RunSummary:
    from bisect import bisect_left

    from .export import parquet as pq_out
    from .export.schema import ALL_TABLES, FAILURES

    plan_ = plan(inputs, out, follow_symlinks=follow_symlinks, limits=limits)
    todo = [path for path, doc_id in plan_.sources
            if doc_id is not None and plan_.primary[doc_id] == path and not cache.has(doc_id)]
    digest = sources_digest(plan_)

    previous = pq_out.read_manifest(out)
    if (not todo and previous is not None and previous.get("run_key") == key
            and previous.get("sources_digest") == digest and previous.get("inputs") == inputs):
        return RunSummary(out, len(plan_.sources), len(plan_.primary),
                          from_cache=len(plan_.primary), failures=previous.get("counts", {}).get("failures", 0),
                          seconds=time.perf_counter() - t0, published=False,
                          run_id=previous.get("run_id"), counts=previous.get("counts", {}))

    progress = Progress(len(todo), quiet=quiet)
    failed_ids: set[str] = set()
    extract_failures: list[dict] = []
    more_paths = shared_paths(plan_)
    source_paths = [p for p, _ in plan_.sources]  # sorted: the planned doc_id of a path by bisection

    def planned_id(path: str) -> str | None:
        i = bisect_left(source_paths, path)
        return plan_.sources[i][1] if i < len(source_paths) and source_paths[i] == path else None

    def done(o: Outcome) -> None:
        doc_id = planned_id(o.path)
        failed = keep_outcome(o, doc_id, cache, more_paths)
        if failed:
            failed_ids.add(doc_id)
            extract_failures.extend(failed)
        progress.advance(not failed)

    try:
        with cache.shared_with_workers():
            if scheduler and todo:
                _run_dask(todo, ocr, workers, scheduler, done, shared_storage=shared_storage)
            elif todo:
                _run_isolated(todo, ocr, workers, done, limits, cache=cache)
    finally:
        progress.close()

    if not allow_empty and not (set(plan_.primary) - failed_ids):
        raise UsageError(f"no document could be read from {', '.join(inputs)} "
                         f"({len(plan_.sources)} file(s), {len(failed_ids) + len(plan_.failures)} "
                         "failure(s)); nothing was published (--allow-empty publishes an empty run)")

    run_id = pq_out.new_run_id()
    staging = pq_out.staging_dir(out, run_id)
    per_document = {name: schema for name, schema in ALL_TABLES.items() if name not in CROSS_DOCUMENT_TABLES}
    writer = pq_out.RunWriter(staging, per_document)
    try:
        with cache.shared_with_workers():
            extract_failures += assemble(plan_, cache, failed_ids, writer, ocr=ocr)
        failure_rows = sorted(plan_.failures + extract_failures, key=lambda r: (r["source_path"], r["code"]))
        writer.write("failures", pa.Table.from_pylist(failure_rows, schema=FAILURES))
        files = writer.close()
        counts = dict(writer.counts)
        cross_files, cross_counts = write_cross_document_tables(staging, files, cache)
        files.update(cross_files)
        counts.update(cross_counts)
    except BaseException:
        writer.abort()
        raise
    manifest = {
        "run_id": run_id, "run_key": key, **key_parts,
        "started": started, "finished": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "seconds": round(time.perf_counter() - t0, 3),
        "inputs": inputs, "workers": workers, "scheduler": scheduler,
        "files": len(plan_.sources), "documents": counts["documents"],
        "extracted": len(todo), "from_cache": len(plan_.primary) - len(todo),
        "counts": counts, "layout": {"partition_key": pq_out.PARTITION_KEY, "files": files},
        "sources_digest": digest,
    }
    # written plainly: publish() fsyncs every file of the staged run before renaming it
    (staging / pq_out.MANIFEST_NAME).write_bytes(json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8"))
    pq_out.publish(out, staging)
    cache.prune(plan_.primary.keys())
    return RunSummary(out, len(plan_.sources), counts["documents"], extracted=todo,
                      from_cache=len(plan_.primary) - len(todo), failures=counts["failures"],
                      seconds=time.perf_counter() - t0, published=True, run_id=run_id, counts=counts)


__all__ = ["run_batch", "RunSummary", "extract_one", "warm_worker", "plan", "discover"]
