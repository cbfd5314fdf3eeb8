"""Faults around a run (issue 10): two runs into one OUT at once, Ctrl-C then a re-run,
a worker killed mid-run then a re-run, an OUT that cannot be written, a file changed
while the run reads it. Each ends with a clear message and exit code, the published
tables whole, no process and no temporary folder left behind."""
from __future__ import annotations

import glob
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from policyparse.batch import run_batch

ROOT = Path(__file__).resolve().parents[1]
SEEDS = sorted((ROOT / "corpus" / "seeds").glob("*.txt"))
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
TABLES = ("documents", "tasks", "deadlines", "texts")


def _slow_notice(n: int = 5_000) -> bytes:
    """A long list of numbered tasks: seconds of work, so a run can be caught mid-way."""
    return ("关于开展安全生产检查的通知\n各有关单位：\n一、工作任务\n" + "".join(
        f"{i}. 做好第{i}项检查工作，牵头单位：区应急管理局，2024年6月底前完成。\n" for i in range(1, n))).encode()


def _inputs(folder: Path, slow: bool = True) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for s in SEEDS:
        shutil.copy(s, folder / s.name)
    if slow:
        (folder / "zz_slow.txt").write_bytes(_slow_notice())
    return folder


def _cli(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "policyparse.cli", "run", *args], env=ENV,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _rows(out: Path) -> dict:
    return {t: sorted(map(str, pq.read_table(out / t).to_pylist())) for t in TABLES}


def _processes_mentioning(marker: str) -> list[int]:
    pids = []
    for d in glob.glob("/proc/[0-9]*"):
        try:
            with open(f"{d}/cmdline", "rb") as fh:
                if marker.encode() in fh.read():
                    pids.append(int(d.rsplit("/", 1)[1]))
        except OSError:
            continue
    return pids


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as fh:
            return [int(x) for x in fh.read().split()]
    except OSError:
        return []


def _wait_for_worker(proc: subprocess.Popen, timeout: float = 60) -> int:
    deadline = time.time() + timeout
    while time.time() < deadline:
        kids = _children(proc.pid)
        if kids:
            return kids[0]
        time.sleep(0.05)
    raise AssertionError("no worker process appeared")


def test_two_runs_into_one_out_at_once(tmp_path):
    src = _inputs(tmp_path / "in")
    out = tmp_path / "out"
    first = _cli(str(src), "--out", str(out), "-q")
    _wait_for_worker(first)
    second = _cli(str(src), "--out", str(out), "-q")
    _, err2 = second.communicate(timeout=120)
    _, err1 = first.communicate(timeout=300)
    assert first.returncode == 0, err1
    assert second.returncode == 2 and "another policyparse run" in err2 and "Traceback" not in err2
    assert len(pq.read_table(out / "documents")) == len(SEEDS) + 1


def test_ctrl_c_then_rerun(tmp_path):
    src = _inputs(tmp_path / "in")
    out = tmp_path / "out"
    run_batch([src], out, quiet=True)  # a published run to protect
    before = _rows(out)
    (src / "zz_slow.txt").write_bytes(_slow_notice(5_001))  # changed: the next run re-reads it
    proc = _cli(str(src), "--out", str(out), "-q")
    _wait_for_worker(proc)
    time.sleep(0.5)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130 and "interrupted" in err and "Traceback" not in err, err
    time.sleep(0.5)
    assert not _processes_mentioning(str(out)), "a worker outlived its run"
    assert not glob.glob(os.path.join(tempfile.gettempdir(), f"policyparse-run-{proc.pid}-*"))
    assert _rows(out) == before  # the interrupted run published nothing
    again = _cli(str(src), "--out", str(out), "-q")
    _, err = again.communicate(timeout=300)
    assert again.returncode == 0, err
    fresh = tmp_path / "fresh"
    run_batch([src], fresh, quiet=True)
    assert _rows(out) == _rows(fresh)


def test_a_worker_killed_mid_run_then_rerun(tmp_path):
    """The killed worker's document is retried once in a fresh worker; the run and the
    next one over the same OUT complete (no 'E400 cache entry vanished')."""
    src = _inputs(tmp_path / "in")
    out = tmp_path / "out"
    proc = _cli(str(src), "--out", str(out), "-q", "--workers", "1")
    worker = _wait_for_worker(proc)
    time.sleep(1.0)
    os.kill(worker, signal.SIGKILL)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    assert len(pq.read_table(out / "documents")) == len(SEEDS) + 1
    again = _cli(str(src), "--out", str(out), "-q")
    _, err = again.communicate(timeout=300)
    assert again.returncode == 0 and "E400" not in err, err


def test_an_out_that_cannot_be_written(tmp_path):
    """Root ignores file modes (the tests may run as root), so an OUT below a regular
    file stands for an unwritable one there; elsewhere a read-only folder is tried too."""
    src = _inputs(tmp_path / "in", slow=False)
    blocker = tmp_path / "a_file"
    blocker.write_text("x")
    targets = [blocker / "out"]
    if os.geteuid() != 0:
        ro = tmp_path / "ro"
        ro.mkdir()
        ro.chmod(0o555)
        targets.append(ro / "out")
    for out in targets:
        proc = _cli(str(src), "--out", str(out), "-q")
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 2 and "Traceback" not in err, err
        assert "cannot write" in err or "is a file" in err, err


def test_a_file_changed_while_the_run_reads_it(tmp_path, monkeypatch):
    import policyparse.batch as batch

    src = _inputs(tmp_path / "in", slow=False)
    victim = src / SEEDS[0].name
    real_plan = batch.plan

    def plan_then_change(*args, **kwargs):
        p = real_plan(*args, **kwargs)
        victim.write_bytes(victim.read_bytes() + "\n（补充）做好后续工作。\n".encode())
        return p

    monkeypatch.setattr(batch, "plan", plan_then_change)  # the workers fork after planning
    out = tmp_path / "out"
    s = run_batch([src], out, quiet=True)
    fails = pq.read_table(out / "failures").to_pylist()
    assert [(Path(f["source_path"]).name, f["code"]) for f in fails] == [(victim.name, "E402")]
    assert "changed while the run read it" in fails[0]["message"]
    assert s.documents == len(SEEDS) - 1
