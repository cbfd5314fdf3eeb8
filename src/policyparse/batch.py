"""``policyparse run``: plan → extract (serial, processes or Dask) → assemble → publish.

1. *Plan.* Walk the inputs (sorted; hidden files, OUT itself and non-notice
   extensions skipped), hash every file. ``doc_id`` is the content hash, so the
   same bytes at two paths are one document: ``documents`` has one row per
   ``doc_id`` (its ``source_path`` the first path in sorted order, every path in
   ``source_paths``), and the file is extracted once.
2. *Extract* only the documents the cache (export/cache.py) does not hold for
   this pipeline key: in this process (``--workers 1``), in long-lived worker
   processes warmed once (``--workers N``), or on Dask (``--scheduler``). Each
   worker returns one packed row set per document; the parent stores it. A file
   that fails becomes a ``failures`` row and never stops the batch.
3. *Assemble* every table from the cache in one fixed order (documents by
   source path, then each document's records in record order), so the tables
   are the same row for row whatever the number of workers or what came from
   the cache.
4. *Publish* the run atomically (export/parquet.py). When nothing changed —
   same files, same contents, same pipeline, nothing to extract — the current
   tables are already the answer and nothing is written.

Only step 2 runs in parallel; planning, assembly and the commit stay in one
process (DESIGN.md §6.6).
"""
from __future__ import annotations

import json
import os
import signal
import sys
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
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
    """What a worker sends back for one document: packed rows or a failure."""

    path: str
    doc_id: str | None
    payload: bytes | None = None
    failure: dict | None = None
    seconds: float = 0.0


def failure_row(path: str, doc_id: str | None, exc: BaseException) -> dict:
    if isinstance(exc, PolicyParseError):
        stage, code, message = exc.stage, exc.code, exc.message
    else:
        stage, code, message = "pipeline", "E000", f"{type(exc).__name__}: {exc}"
    return {"source_path": path, "doc_id": doc_id, "stage": stage,
            "error_type": type(exc).__name__, "code": code, "message": str(message)[:MESSAGE_LIMIT]}


def extract_one(path: str, data: bytes | None = None, ocr: bool = True) -> Outcome:
    """The per-document stage: bytes → Document → packed rows. Never raises."""
    from .export.cache import pack
    from .export.tables import document_rows, rows_to_tables
    from .pipeline import PIPELINE_VERSION, parse_bytes

    t0 = time.perf_counter()
    doc_id = None
    try:
        if data is None:
            data = read_input(path)
        doc_id = content_hash(data)
        doc = parse_bytes(data, path, ocr=ocr)
        try:
            payload = pack(rows_to_tables(document_rows(doc, PIPELINE_VERSION)))
        except Exception as e:  # noqa: BLE001 - a model the schema cannot hold
            raise ExportError(f"rows: {type(e).__name__}: {e}", path=path) from e
        return Outcome(path, doc_id, payload=payload, seconds=time.perf_counter() - t0)
    except Exception as e:  # noqa: BLE001 - every failure is a row, never a crash
        return Outcome(path, doc_id, failure=failure_row(path, doc_id, e),
                       seconds=time.perf_counter() - t0)


WARMUP_NOTICE = ("关于做好2024年度重点工作的通知\n各有关单位：\n"
                 "一、加强组织领导。（一）完善工作机制。牵头单位：区应急管理局；责任单位：区财政局。"
                 "2024年6月底前完成，每季度至少开展1次检查，覆盖率达到100%。\n"
                 "XX区人民政府办公室\n2024年1月5日\n").encode("utf-8")


def _die_with_parent(parent_pid: int) -> None:
    """Linux: have the kernel kill this worker when the process that started it
    dies, so a run killed with SIGKILL leaves no orphaned workers behind."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        PR_SET_PDEATHSIG = 1
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except Exception:  # noqa: BLE001 - best effort; the pool still works without it
        return
    if os.getppid() != parent_pid:  # the parent died before prctl took effect
        os._exit(1)


def warm_worker(ocr: bool = True, parent_pid: int | None = None) -> None:
    """Load the gazetteers, compiled patterns and any lazy model (jieba's
    dictionary, if a stage segments words) once per worker process, by running
    the pipeline over a tiny notice, so no document pays for it. Called in the
    parent before a fork-started pool, the children inherit it all warm."""
    import logging

    if parent_pid is not None:
        _die_with_parent(parent_pid)
    logging.getLogger("jieba").setLevel(logging.WARNING)
    extract_one("warmup.txt", WARMUP_NOTICE, ocr)


# --------------------------------------------------------------------------- planning


@dataclass
class Plan:
    sources: list[tuple[str, str | None]]  # (path, doc_id), sorted by path; None: unreadable
    failures: list[dict]  # input problems found while planning
    primary: dict[str, str]  # doc_id -> first path holding it


def discover(inputs: Iterable[str | Path], out: Path) -> tuple[list[str], list[dict]]:
    """Every candidate file under ``inputs`` (sorted), and rows for missing inputs."""
    out_real = os.path.realpath(out)
    seen: set[str] = set()
    files: list[str] = []
    failures: list[dict] = []

    def add(p: str) -> None:
        real = os.path.realpath(p)
        if real in seen or real == out_real or real.startswith(out_real + os.sep):
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
        if os.path.isfile(inp):
            add(inp)
        elif os.path.isdir(inp):
            for root, dirs, names in os.walk(inp):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(names):
                    if name.startswith(".") or os.path.splitext(name)[1].lower() in IGNORED_EXTENSIONS:
                        continue
                    add(os.path.join(root, name))
        else:
            failures.append(failure_row(inp, None, InputError("input not found", path=inp)))
    files.sort()
    return files, failures


def plan(inputs: Iterable[str | Path], out: Path) -> Plan:
    files, failures = discover(inputs, out)
    sources: list[tuple[str, str | None]] = []
    primary: dict[str, str] = {}
    for path in files:
        try:
            doc_id = content_hash(read_input(path))
        except OSError as e:
            failures.append(failure_row(path, None, InputError(f"cannot read: {e.strerror or e}", path=path)))
            sources.append((path, None))
            continue
        sources.append((path, doc_id))
        primary.setdefault(doc_id, path)
    return Plan(sources, failures, primary)


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


def _run_serial(jobs: list[str], ocr: bool, done: Callable[[Outcome], None]) -> None:
    for path in jobs:
        done(extract_one(path, None, ocr))


def _run_processes(jobs: list[str], ocr: bool, workers: int, done: Callable[[Outcome], None]) -> None:
    """Long-lived worker processes, warmed once; a bounded window of files in flight
    keeps memory flat; a pool broken by a dying worker is rebuilt and the files it
    held are tried once more, one at a time, so one poison file cannot sink others."""
    warm_worker(ocr)  # inherited by forked workers; their own warm-up is then a no-op
    pending = list(reversed(jobs))
    retry: list[str] = []
    window = workers * 4
    while pending or retry:
        solo = not pending  # the second chance: one file per fresh pool round
        queue = [retry.pop()] if solo else pending
        with ProcessPoolExecutor(max_workers=1 if solo else workers, initializer=warm_worker,
                                 initargs=(ocr, os.getpid())) as pool:
            inflight: dict = {}
            try:
                while queue or inflight:
                    while queue and len(inflight) < window:
                        path = queue.pop()
                        inflight[pool.submit(extract_one, path, None, ocr)] = path
                    finished, _ = wait(inflight, return_when=FIRST_COMPLETED)
                    for fut in finished:
                        path = inflight.pop(fut)
                        try:
                            done(fut.result())
                        except BrokenProcessPool as e:
                            if solo:
                                done(Outcome(path, None, failure=failure_row(
                                    path, None, WorkerCrashError(f"worker process died: {e}", path=path))))
                            else:
                                retry.append(path)
            except BrokenProcessPool:
                retry.extend(inflight.values())


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


def assemble(plan_: Plan, cache, failed_ids: set[str]) -> tuple[dict[str, pa.Table], dict[str, pa.Array]]:
    """Every table from the cache, in document order (first source path), with the
    current paths written into ``documents``; and each table's partition values."""
    from .export.schema import DOC_TABLES

    paths_of: dict[str, list[str]] = {}
    for path, doc_id in plan_.sources:
        if doc_id is not None:
            paths_of.setdefault(doc_id, []).append(path)
    order = sorted((p, d) for d, p in plan_.primary.items() if d not in failed_ids)
    parts: dict[str, list[pa.Table]] = {name: [] for name in DOC_TABLES}
    years: dict[str, list[str]] = {name: [] for name in DOC_TABLES}
    for path, doc_id in order:
        tables = cache.get(doc_id)
        if tables is None:
            raise ExportError(f"cache entry vanished for {doc_id}", path=path)
        docs = tables["documents"]
        docs = docs.set_column(docs.schema.get_field_index("source_path"), "source_path",
                               pa.array([path], pa.string()))
        docs = docs.set_column(docs.schema.get_field_index("source_paths"), "source_paths",
                               pa.array([sorted(paths_of[doc_id])], pa.list_(pa.string())))
        tables["documents"] = docs
        year = _year_of(docs)
        for name in DOC_TABLES:
            parts[name].append(tables[name])
            years[name].extend([year] * tables[name].num_rows)
    out = {name: (pa.concat_tables(parts[name]).combine_chunks() if parts[name] else schema.empty_table())
           for name, schema in DOC_TABLES.items()}
    return out, {name: pa.array(years[name], pa.string()) for name in DOC_TABLES}


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
              allow_empty: bool = False, shared_storage: bool = False) -> RunSummary:
    """Run the batch and publish its tables atomically. A usage mistake raises
    :class:`UsageError` before anything is written; a run in which no document could be
    read publishes nothing unless ``allow_empty``. Inputs may be fsspec URLs and OUT a
    ``file://`` URL (storage.py); ``shared_storage``: Dask workers read the input paths
    themselves."""
    from .export import parquet as pq_out
    from .export.cache import DocCache, run_key
    from .export.schema import FAILURES

    t0 = time.perf_counter()
    started = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    out = out_folder(out)
    inputs = [str(i) for i in inputs]
    check_usage(inputs, out)
    with pq_out.out_lock(out):
        pq_out.clean_stale_staging(out)
        key, key_parts = run_key(ocr=ocr)
        cache = DocCache(out, key)
        plan_ = plan(inputs, out)
        todo = [path for doc_id, path in sorted(plan_.primary.items(), key=lambda kv: kv[1])
                if not cache.has(doc_id)]
        sources = [[p, d] for p, d in plan_.sources]

        previous = pq_out.read_manifest(out)
        if (not todo and previous is not None and previous.get("run_key") == key
                and previous.get("sources") == sources and previous.get("inputs") == inputs):
            return RunSummary(out, len(plan_.sources), len(plan_.primary),
                              from_cache=len(plan_.primary), failures=previous.get("counts", {}).get("failures", 0),
                              seconds=time.perf_counter() - t0, published=False,
                              run_id=previous.get("run_id"), counts=previous.get("counts", {}))

        progress = Progress(len(todo), quiet=quiet)
        failed_ids: set[str] = set()
        extract_failures: list[dict] = []
        paths_of: dict[str, list[str]] = {}
        for p, d in plan_.sources:
            if d is not None:
                paths_of.setdefault(d, []).append(p)

        planned = dict(plan_.sources)

        def done(o: Outcome) -> None:
            doc_id = planned.get(o.path)
            if o.payload is not None and o.doc_id == doc_id:
                cache.put(doc_id, o.payload)
            else:
                if o.payload is not None:  # the bytes read are not the ones planned
                    o = Outcome(o.path, doc_id, failure=failure_row(o.path, doc_id, InputError(
                        "the file changed while the run read it; run again", path=o.path)))
                failed_ids.add(doc_id)
                for p in paths_of.get(doc_id, [o.path]):
                    extract_failures.append({**o.failure, "source_path": p, "doc_id": doc_id})
            progress.advance(o.failure is None)

        from .ingest.pdf_scan import WORKERS_ENV

        # the processes started below split the cores between their OCR threads (pdf_scan.ocr_threads)
        os.environ[WORKERS_ENV] = str(max(workers, 1))
        try:
            if scheduler and todo:
                _run_dask(todo, ocr, workers, scheduler, done, shared_storage=shared_storage)
            elif workers > 1 and len(todo) > 1:
                _run_processes(todo, ocr, workers, done)
            else:
                _run_serial(todo, ocr, done)
        finally:
            progress.close()

        if not allow_empty and not (set(plan_.primary) - failed_ids):
            raise UsageError(f"no document could be read from {', '.join(inputs)} "
                             f"({len(plan_.sources)} file(s), {len(failed_ids) + len(plan_.failures)} "
                             "failure(s)); nothing was published (--allow-empty publishes an empty run)")
        tables, partitions = assemble(plan_, cache, failed_ids)
        failure_rows = sorted(plan_.failures + extract_failures, key=lambda r: (r["source_path"], r["code"]))
        tables["failures"] = pa.Table.from_pylist(failure_rows, schema=FAILURES)

        run_id = pq_out.new_run_id()
        staging = pq_out.staging_dir(out, run_id)
        files = {}
        for name, table in tables.items():
            files[name] = pq_out.write_table(table, staging / name, partitions.get(name))
        counts = {name: t.num_rows for name, t in tables.items()}
        manifest = {
            "run_id": run_id, "run_key": key, **key_parts,
            "started": started, "finished": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "seconds": round(time.perf_counter() - t0, 3),
            "inputs": inputs, "workers": workers, "scheduler": scheduler,
            "files": len(plan_.sources), "documents": counts["documents"],
            "extracted": len(todo), "from_cache": len(plan_.primary) - len(todo),
            "counts": counts, "layout": {"partition_key": pq_out.PARTITION_KEY, "files": files},
            "sources": sources,
        }
        pq_out.write_atomic(staging / pq_out.MANIFEST_NAME,
                            json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8"))
        pq_out.publish(out, staging)
        cache.prune({d for d in plan_.primary if d not in failed_ids})
        return RunSummary(out, len(plan_.sources), counts["documents"], extracted=todo,
                          from_cache=len(plan_.primary) - len(todo), failures=counts["failures"],
                          seconds=time.perf_counter() - t0, published=True, run_id=run_id, counts=counts)


__all__ = ["run_batch", "RunSummary", "extract_one", "warm_worker", "plan", "discover"]
