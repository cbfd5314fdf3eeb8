"""Worker isolation (policyparse.workers): a crash, an abort, a hang or a runaway
allocation in one document costs that document a coded failure; the others finish,
the pool replaces its worker and leaves no child and no temporary folder behind."""
from __future__ import annotations

import glob
import os
import signal
import tempfile
import time

import pytest

from policyparse.limits import DEFAULT
from policyparse.workers import TEMP_PREFIX, WorkerPool


def _work(job: str):
    if job.startswith("abort"):
        os.abort()
    if job.startswith("segv"):
        os.kill(os.getpid(), signal.SIGSEGV)
    if job.startswith("hang"):
        time.sleep(600)
    if job.startswith("hog"):  # resident memory grows page by page (the watchdog's case)
        blocks = []
        while True:
            blocks.append(bytearray(32 * 2**20))
    if job.startswith("huge"):  # one allocation beyond the address-space limit
        try:
            bytearray(64 * 2**30)
        except MemoryError:
            return ("MemoryError", os.getpid())
    if job.startswith("tmp"):
        fd, name = tempfile.mkstemp()
        os.close(fd)
        return ("tmp", name)
    return ("ok", os.getpid(), job)


def _run(jobs, size=1, **limits):
    results, errors = {}, {}

    def done(job, result, error):
        assert job not in results and job not in errors  # each job answered once
        if error is not None:
            errors[job] = error
        else:
            results[job] = result

    with WorkerPool(size, _work, DEFAULT.with_overrides(limits)) as pool:
        pool.run(jobs, done)
        children = [s.process for s in pool.slots]
    return results, errors, children


@pytest.mark.parametrize("size", [1, 2])
def test_a_crash_costs_one_document(size):
    jobs = ["a", "abort", "b", "segv", "c"]
    t0 = time.monotonic()
    results, errors, _ = _run(jobs, size)
    assert time.monotonic() - t0 < 60
    assert sorted(results) == ["a", "b", "c"]
    assert {j: e.code for j, e in errors.items()} == {"abort": "E401", "segv": "E401"}
    assert "SIGABRT" in errors["abort"].message and "twice" in errors["abort"].message


def test_a_hang_is_killed_at_the_timeout():
    t0 = time.monotonic()
    results, errors, _ = _run(["a", "hang", "b"], 1, timeout_s=2)
    assert time.monotonic() - t0 < 30
    assert sorted(results) == ["a", "b"]
    assert errors["hang"].code == "E403" and "timeout_s" in errors["hang"].message


def test_resident_memory_watchdog():
    results, errors, _ = _run(["hog", "a"], 1, memory_mb=300, address_space_mb=8192)
    assert errors["hog"].code == "E404" and "memory_mb=300" in errors["hog"].message
    assert results["a"][0] == "ok"


def test_address_space_limit_turns_a_giant_allocation_into_memoryerror():
    results, _, _ = _run(["huge"], 1)
    assert results["huge"][0] == "MemoryError"


def test_one_long_lived_worker_serves_every_document():
    results, _, _ = _run(["a", "b", "c"], 1)
    assert len({r[1] for r in results.values()}) == 1 and results["a"][1] != os.getpid()


def test_no_child_and_no_temp_folder_left():
    results, errors, children = _run(["tmp", "abort", "a"], 2)
    leftover = results["tmp"][1]
    assert not os.path.exists(leftover)
    assert not glob.glob(os.path.join(tempfile.gettempdir(), f"{TEMP_PREFIX}{os.getpid()}-*"))
    for p in children:
        assert not p.is_alive()


def test_follow_up_jobs_go_first_and_cancelled_jobs_never_run():
    # the batch answers a scan's first pass with one job per page, and drops the pages
    # of a document that failed already
    answered = []

    def done(job, result, error):
        assert error is None and result[2] == job  # every job ran in a worker
        answered.append(job)
        if job == "scan":
            return ["page-1", "page-2"]
        if job == "page-1":
            pool.cancel(lambda j: j.startswith("drop"))
        return None

    with WorkerPool(1, _work, DEFAULT) as pool:
        pool.run(["scan", "a", "drop-1", "drop-2", "b"], done)
    assert answered == ["scan", "page-1", "page-2", "a", "b"]
