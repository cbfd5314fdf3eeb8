"""Isolated workers: every document is parsed in a child process that may die.

A hostile file can crash native code (pdfium on recursive form XObjects aborts the
process), allocate without bound or never finish. In the batch's own process any of
these loses the whole run; here each costs one ``failures`` row:

* the children are forked from the warmed parent (gazetteers, patterns and the
  pipeline already loaded), so starting or replacing one costs milliseconds, and they
  stay alive from document to document (``--workers 1`` is one such child);
* each child gets an address-space limit (``RLIMIT_AS``: what it mapped at start plus
  ``address_space_mb``), so one giant allocation fails at once with a MemoryError,
  and the parent watches each child's resident memory (``memory_mb``) and wall clock
  (``timeout_s``) and kills the child's whole process group (a LibreOffice it started
  included) when it runs past either;
* a child that dies by itself (a signal, an abort) gets its document retried once in a
  fresh child while nothing else runs, then recorded; the batch goes on either way;
* children die with the parent (``PR_SET_PDEATHSIG``) and write temporary files under
  one folder per run, removed when the pool closes; a folder left by a run killed
  with SIGKILL is removed by the next run (its owner pid is gone).

The module is generic (a job is a path, or any picklable value with a ``path``; the work
a function run in the child) so it imports nothing of the batch. ``done`` may answer a
job with follow-up jobs, handed out next (the batch turns a long scan into one job per page
that needs OCR, then one that reads the document from the pages' results), and
:meth:`WorkerPool.cancel` drops queued jobs that no longer matter.
"""
from __future__ import annotations

import glob
import multiprocessing
import os
import shutil
import signal
import tempfile
import time
from dataclasses import dataclass
from multiprocessing.connection import wait as wait_ready
from typing import Callable

from .errors import PolicyParseError, WorkerMemoryError, WorkerTimeoutError
from .limits import Limits, activate
from .processes import die_with_parent, pid_alive

TEMP_PREFIX = "policyparse-run-"
POLL_S = 0.05  # how often the parent looks at its children's memory while it waits
PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


class WorkerDied(PolicyParseError):
    """A child that ended without an answer (``exitcode`` < 0: killed by that signal)."""

    code, stage = "E401", "batch"


def _vm_size() -> int:
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[0]) * PAGE
    except OSError:
        return 0


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as fh:
            return int(fh.read().split()[1]) * PAGE
    except (OSError, IndexError, ValueError):
        return 0


def _child(conn, work: Callable, limits: Limits, parent_pid: int, tmp: str,
           recycle: Callable[[object], bool]) -> None:
    """The child's loop: a job in, a result out, until told to stop (None)."""
    try:
        os.setpgid(0, 0)  # its own group: a kill on timeout reaches what it started
    except OSError:
        pass
    die_with_parent(parent_pid)
    try:
        import faulthandler

        faulthandler.disable()  # a native crash is reported as a failures row, not a dump
    except (ImportError, RuntimeError):
        pass
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    os.environ["TMPDIR"] = tmp
    os.environ["ORT_DISABLE_TELEMETRY"] = "1"  # no OneDS telemetry from onnxruntime (OCR)
    tempfile.tempdir = tmp
    activate(limits)
    try:
        import resource

        start = _vm_size()
        if start:
            cap = start + limits.address_space_mb * 2**20
            resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    except (ImportError, ValueError, OSError):
        pass
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            break
        if job is None:
            break
        result = work(job)
        try:
            conn.send(result)
        except (OSError, ValueError):
            break
        if recycle(result):  # a MemoryError leaves a heap no one should trust
            break
    os._exit(0)


@dataclass
class _Slot:
    process: multiprocessing.process.BaseProcess
    conn: object
    job: str | None = None
    started: float = 0.0
    solo: bool = False  # a retry: nothing else runs beside it


class WorkerPool:
    """``size`` isolated children running ``work(job)``; see the module docstring.

    ``done(job, result, error)`` is called once per job in the parent: ``result`` from
    the child, or ``error`` (a coded error) when the child timed out, ran out of
    memory or died twice. It may return more jobs: they are handed out before the
    jobs still queued, in their order.
    """

    def __init__(self, size: int, work: Callable[[str], object], limits: Limits, *,
                 recycle: Callable[[object], bool] = lambda r: False):
        self.size = max(1, size)
        self.work, self.limits, self.recycle = work, limits, recycle
        self.ctx = multiprocessing.get_context("fork")
        self.slots: list[_Slot] = []
        self.tmp: str | None = None
        self._queue: list = []  # the jobs not handed out yet, the next one last
        self._retry: list = []

    # ------------------------------------------------------------------ lifecycle

    def __enter__(self) -> "WorkerPool":
        sweep_stale_temp()
        self.tmp = tempfile.mkdtemp(prefix=f"{TEMP_PREFIX}{os.getpid()}-")
        return self

    def __exit__(self, exc_type, *exc) -> None:
        if exc_type is not None:  # Ctrl-C or an error: no worker finishes its document
            for slot in list(self.slots):
                self._kill(slot)
        self.close()

    def _spawn(self) -> _Slot:
        parent, child = self.ctx.Pipe(duplex=True)
        proc = self.ctx.Process(target=_child, daemon=True,
                                args=(child, self.work, self.limits, os.getpid(), self.tmp, self.recycle))
        proc.start()
        child.close()
        slot = _Slot(proc, parent)
        self.slots.append(slot)
        return slot

    def _kill(self, slot: _Slot) -> None:
        pid = slot.process.pid
        for target in (lambda: os.killpg(pid, signal.SIGKILL), lambda: os.kill(pid, signal.SIGKILL)):
            try:
                target()
            except (ProcessLookupError, PermissionError, OSError):
                pass
        slot.process.join(5)
        self._drop(slot)

    def _drop(self, slot: _Slot) -> None:
        try:
            slot.conn.close()
        except OSError:
            pass
        if slot in self.slots:
            self.slots.remove(slot)

    def close(self) -> None:
        for slot in list(self.slots):
            try:
                slot.conn.send(None)
            except (OSError, ValueError):
                pass
        deadline = time.monotonic() + 5
        for slot in list(self.slots):
            slot.process.join(max(0.0, deadline - time.monotonic()))
            if slot.process.is_alive():
                self._kill(slot)
            else:
                # the group may hold a grandchild (a converter) that outlived its worker
                try:
                    os.killpg(slot.process.pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError, OSError):
                    pass
                self._drop(slot)
        if self.tmp:
            shutil.rmtree(self.tmp, ignore_errors=True)
            self.tmp = None

    # ------------------------------------------------------------------ the run

    def cancel(self, drop: Callable[[object], bool]) -> None:
        """Forget the queued jobs (retries included) for which ``drop(job)`` is true; a job
        that runs already finishes."""
        self._queue[:] = [j for j in self._queue if not drop(j)]
        self._retry[:] = [j for j in self._retry if not drop(j)]

    def _answer(self, done, job, result, error) -> None:
        more = done(job, result, error)
        if more:
            self._queue.extend(reversed(list(more)))

    def run(self, jobs: list, done: Callable[[object, object, PolicyParseError | None], object]) -> None:
        self._queue = queue = list(reversed(jobs))
        self._retry = retry = []
        lim = self.limits
        while queue or retry or any(s.job for s in self.slots):
            busy = [s for s in self.slots if s.job is not None]
            solo_running = any(s.solo for s in busy)
            # hand out work: the normal queue first; a retry only runs alone
            if not solo_running:
                if queue:
                    # no more children than jobs to give them: a follow-up may start one later
                    for slot in self._idle(min(self.size - len(busy), len(queue))):
                        if not queue:
                            break
                        self._assign(slot, queue.pop(), solo=False, done=done)
                elif retry and not busy:
                    self._assign(self._idle(1)[0], retry.pop(), solo=True, done=done)
            busy = [s for s in self.slots if s.job is not None]
            if not busy:
                continue
            now = time.monotonic()
            nearest = min(s.started + lim.timeout_s for s in busy) - now
            ready = wait_ready([s.conn for s in busy] + [s.process.sentinel for s in busy],
                               timeout=max(0.0, min(POLL_S, nearest)))
            for slot in busy:
                if slot.conn in ready:
                    try:
                        result = slot.conn.recv()
                    except (EOFError, OSError):
                        result = _DIED
                    if result is not _DIED:
                        job, slot.job = slot.job, None
                        self._answer(done, job, result, None)
                        if self.recycle(result):
                            slot.process.join(5)
                            self._kill(slot)
                        continue
                    self._died(slot, retry, done)
                elif slot.process.sentinel in ready:
                    self._died(slot, retry, done)
                elif time.monotonic() - slot.started > lim.timeout_s:
                    job = slot.job
                    self._kill(slot)
                    self._answer(done, job, None, WorkerTimeoutError(
                        f"no result after {lim.timeout_s:g} s (limit timeout_s); the worker was "
                        "killed and replaced", path=_path_of(job)))
                else:
                    rss = _rss(slot.process.pid)
                    if rss > lim.memory_mb * 2**20:
                        job = slot.job
                        self._kill(slot)
                        self._answer(done, job, None, WorkerMemoryError(
                            f"the worker used {rss / 2**20:,.0f} MB, over the limit memory_mb="
                            f"{lim.memory_mb}; it was killed and replaced", path=_path_of(job)))

    def _idle(self, want: int) -> list[_Slot]:
        idle = [s for s in self.slots if s.job is None and s.process.is_alive()]
        for s in [s for s in self.slots if s.job is None and not s.process.is_alive()]:
            self._drop(s)
        while len(idle) < want and len(self.slots) < self.size:
            idle.append(self._spawn())
        return idle[:want]

    def _assign(self, slot: _Slot, job: str, *, solo: bool, done) -> None:
        slot.job, slot.started, slot.solo = job, time.monotonic(), solo
        try:
            slot.conn.send(job)
        except (OSError, ValueError):  # died while idle: replace it and try once more
            self._drop(slot)
            slot = self._idle(1)[0]
            slot.job, slot.started, slot.solo = job, time.monotonic(), solo
            slot.conn.send(job)

    def _died(self, slot: _Slot, retry: list[str], done) -> None:
        job, solo = slot.job, slot.solo
        slot.process.join(5)
        code = slot.process.exitcode
        self._kill(slot)
        if not solo:
            retry.append(job)  # maybe not its fault (the OOM killer picks): once more, alone
            return
        how = (f"killed by signal {signal.Signals(-code).name}" if code is not None and code < 0
               else f"exit status {code}")
        if code == -signal.SIGKILL:
            self._answer(done, job, None, WorkerMemoryError(
                "the worker was killed (SIGKILL: the kernel's out-of-memory killer?) twice on "
                "this file", path=_path_of(job)))
            return
        self._answer(done, job, None, WorkerDied(f"the worker process died ({how}) twice on this file; "
                                                 "a crash in native code", path=_path_of(job)))


_DIED = object()


def _path_of(job) -> str:
    return getattr(job, "path", job)


def sweep_stale_temp() -> None:
    """Remove the temporary folders of runs whose process is gone (killed by SIGKILL)."""
    for path in glob.glob(os.path.join(tempfile.gettempdir(), TEMP_PREFIX + "*")):
        try:
            pid = int(os.path.basename(path)[len(TEMP_PREFIX):].split("-")[0])
        except ValueError:
            continue
        if pid != os.getpid() and not pid_alive(pid):
            shutil.rmtree(path, ignore_errors=True)


__all__ = ["WorkerPool", "WorkerDied", "sweep_stale_temp"]
