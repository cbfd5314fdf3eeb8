"""The long-lived LibreOffice of ingest/doc.py: one start for many files, the same
output as a one-shot conversion, a restart after a crash or a hang, and no office
left behind after a run, a SIGKILL of the batch or a hang."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from policyparse.errors import CorruptFileError
from policyparse import workers as workers_module
from policyparse.ingest import doc as doc_module
from policyparse.ingest.docx import read_docx

ROOT = Path(__file__).resolve().parents[1]
DOC_FILES = sorted((ROOT / "corpus" / "renderings" / "doc").glob("*.doc"))


def _converter() -> doc_module.OfficeConverter:
    soffice = doc_module.find_soffice()
    assert soffice, "LibreOffice (soffice) is needed: scripts/setup.sh installs it"
    uno_python = doc_module.find_uno_python(soffice)
    assert uno_python, "a Python with LibreOffice's uno module is needed: scripts/setup.sh installs python3-uno"
    return doc_module.OfficeConverter(soffice, uno_python)


def _processes_mentioning(marker: str) -> list[int]:
    """Pids of live processes whose command line names ``marker`` (a private temp folder)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if marker in cmdline and state != "Z":
            pids.append(int(entry.name))
    return pids


def _offices_under(tmp_path: Path) -> list[int]:
    """Running offices (soffice.bin) whose profile lies under ``tmp_path``."""
    found = []
    for pid in _processes_mentioning(str(tmp_path)):
        try:
            if b"soffice" in Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[0]:
                found.append(pid)
        except OSError:
            continue
    return found


def _wait_until(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return predicate()


def _texts(docx: bytes) -> tuple[str, list]:
    doc = read_docx(docx, "x.docx", doc_id="x")
    return doc.text, [[(c.row, c.col, c.start, c.end, c.rowspan, c.colspan) for c in b.table.cells] for b in doc.tables()]


def test_one_office_converts_every_file_like_a_one_shot_conversion():
    conv = _converter()
    try:
        for path in DOC_FILES:
            data = path.read_bytes()
            kept = conv.convert(data, ".doc", timeout=120)
            once = doc_module.convert_to_docx(data, ".doc")
            assert _texts(kept) == _texts(once), path.name
        assert conv.starts == 1 and conv.conversions == len(DOC_FILES)
        workdir = conv.workdir
        assert workdir.is_dir()
    finally:
        conv.close()
    assert not workdir.exists()  # the profile goes with the office


def test_an_office_that_dies_is_restarted_and_the_file_converted():
    conv = _converter()
    try:
        first = conv.convert(DOC_FILES[0].read_bytes(), ".doc", timeout=120)
        dead = conv.office_pid
        os.kill(dead, signal.SIGKILL)
        again = conv.convert(DOC_FILES[0].read_bytes(), ".doc", timeout=120)
        assert _texts(again) == _texts(first)
        assert conv.starts == 2 and conv.office_pid != dead
    finally:
        conv.close()


def test_a_hung_office_costs_one_failure_and_is_replaced():
    conv = _converter()
    try:
        conv.convert(DOC_FILES[0].read_bytes(), ".doc", timeout=120)
        hung = conv.office_pid
        os.kill(hung, signal.SIGSTOP)  # the office stops answering, as on a file that hangs it
        t0 = time.monotonic()
        with pytest.raises(CorruptFileError, match="within 3 s"):
            conv.convert(DOC_FILES[1].read_bytes(), ".doc", timeout=3)
        assert time.monotonic() - t0 < 30
        assert _wait_until(lambda: not _processes_mentioning(str(conv.workdir)), 10)
        # the next file gets a fresh office
        text, _ = _texts(conv.convert(DOC_FILES[1].read_bytes(), ".doc", timeout=120))
        assert text and conv.starts == 2
    finally:
        conv.close()


def _run(tmp_path: Path, corpus: Path, workers: int) -> subprocess.Popen:
    env = {**os.environ, "TMPDIR": str(tmp_path), "PYTHONPATH": str(ROOT / "src")}
    return subprocess.Popen([sys.executable, "-m", "policyparse.cli", "run", str(corpus), "--out",
                             str(tmp_path / "out"), "--workers", str(workers), "--quiet"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _doc_corpus(tmp_path: Path, copies: int) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for k in range(copies):
        for path in DOC_FILES:  # NUL padding after the OLE2 sectors: a new file, the same text
            (corpus / f"{k:02d}-{path.name}").write_bytes(path.read_bytes() + b"\0" * k)
    return corpus


def test_no_office_is_left_after_a_run(tmp_path):
    proc = _run(tmp_path, _doc_corpus(tmp_path, 2), workers=2)
    _out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err.decode()[-2000:]
    import pyarrow.parquet as pq

    assert pq.read_table(tmp_path / "out" / "documents").num_rows == 2 * len(DOC_FILES)
    assert _wait_until(lambda: not _processes_mentioning(str(tmp_path)), 10), \
        _processes_mentioning(str(tmp_path))
    assert not list(tmp_path.glob(doc_module.WORKDIR_PREFIX + "*"))


def test_no_office_is_left_after_the_batch_is_killed(tmp_path, monkeypatch):
    proc = _run(tmp_path, _doc_corpus(tmp_path, 20), workers=2)
    try:
        # wait until the workers' offices run, then kill the batch outright
        assert _wait_until(lambda: _offices_under(tmp_path), 120)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        assert _wait_until(lambda: not _processes_mentioning(str(tmp_path)), 20), \
            _processes_mentioning(str(tmp_path))
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    # the killed run could not remove its temp folder, where its workers' offices keep their
    # profiles (policyparse.workers): the next run sweeps it, profiles and all
    left = list(tmp_path.glob(workers_module.TEMP_PREFIX + "*"))
    assert left and list(left[0].rglob(doc_module.WORKDIR_PREFIX + "*"))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    workers_module.sweep_stale_temp()
    assert not list(tmp_path.glob(workers_module.TEMP_PREFIX + "*"))
