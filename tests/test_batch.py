"""Batch runs analysts can trust: idempotent, incremental, crash-safe, the same
tables with 1 or 2 workers and on Dask, bad files as rows.

Inputs are the .txt seeds and small copies of them (a byte appended, so each
copy is a new document); everything goes through the real pipeline.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from policyparse.batch import run_batch
from policyparse.export import parquet as pq_out
from policyparse.export.schema import ALL_TABLES
from procs import kill_mid_extraction

SEEDS = Path(__file__).resolve().parent.parent / "corpus" / "seeds"


def tables(out: Path) -> dict:
    return {name: pq_out.read_table(out, name) for name in ALL_TABLES}


def assert_same_tables(a: Path, b: Path) -> None:
    ta, tb = tables(a), tables(b)
    for name in ALL_TABLES:
        x, y = ta[name], tb[name]
        if name == "failures":  # paths differ between two input folders only by their root
            x, y = x.drop_columns(["source_path"]), y.drop_columns(["source_path"])
        assert x.schema.equals(y.schema), name
        assert x.equals(y), f"table {name} differs (rows {x.num_rows} vs {y.num_rows})"


def seed_copies(dest: Path, n_copies: int = 1) -> list[Path]:
    """The seeds, plus copies of each with k newlines appended (new bytes, same text)."""
    dest.mkdir(parents=True, exist_ok=True)
    made = []
    for src in sorted(SEEDS.glob("*.txt")):
        data = src.read_bytes()
        for k in range(n_copies):
            p = dest / (src.name if k == 0 else f"{src.stem}.copy{k:02d}.txt")
            p.write_bytes(data + b"\n" * k)
            made.append(p)
    return made


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("corpus")
    seed_copies(root / "notices")
    (root / "notices" / "bad").mkdir()
    (root / "notices" / "bad" / "empty.txt").write_bytes(b"")
    with zipfile.ZipFile(root / "notices" / "bad" / "not_a_docx.docx", "w") as z:
        z.writestr("hello.txt", "not a word document")
    return root / "notices"


@pytest.fixture(scope="module")
def reference(corpus, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("ref") / "out"
    summary = run_batch([corpus], out, workers=1, quiet=True)
    assert summary.published and summary.documents == 5
    return out


def test_tables_failures_and_manifest(reference):
    t = tables(reference)
    assert t["documents"].num_rows == 5 and t["texts"].num_rows == 5
    assert t["tasks"].num_rows > 0 and t["task_units"].num_rows > 0
    assert set(t["tasks"]["doc_id"].to_pylist()) <= set(t["documents"]["doc_id"].to_pylist())
    # bad files are rows with their stage and code; the batch went on
    fails = {os.path.basename(r["source_path"]): r for r in t["failures"].to_pylist()}
    assert set(fails) == {"empty.txt", "not_a_docx.docx"}
    assert fails["empty.txt"]["code"] == "E101" and fails["empty.txt"]["stage"] == "ingest"
    assert fails["not_a_docx.docx"]["code"] == "E102"
    # documents are in (year partition, source path) order, each with its schema version
    keys = [(str(y) if y is not None else "unknown", p) for y, p in
            zip(t["documents"]["plan_year"].to_pylist(), t["documents"]["source_path"].to_pylist())]
    assert keys == sorted(keys)
    m = pq_out.read_manifest(reference)
    assert m["counts"]["documents"] == 5 and m["counts"]["failures"] == 2
    assert m["pipeline_version"] and m["schema_version"] == t["documents"]["schema_version"][0].as_py()


def test_rerun_is_identical_and_retries_only_the_failures(corpus, reference, tmp_path):
    out = tmp_path / "out"
    first = run_batch([corpus], out, quiet=True)
    again = run_batch([corpus], out, quiet=True)
    # failures are not cached: the two bad files are tried again, no document is
    assert sorted(os.path.basename(p) for p in again.extracted) == ["empty.txt", "not_a_docx.docx"]
    assert again.from_cache == 5 and first.counts == again.counts
    assert_same_tables(out, reference)


def test_two_workers_give_the_same_tables(corpus, reference, tmp_path):
    out = tmp_path / "out2"
    s = run_batch([corpus], out, workers=2, quiet=True)
    assert len(s.extracted) == 7
    assert_same_tables(out, reference)
    # not only equal rows: the very same Parquet bytes, file for file
    ref_files = sorted(p.relative_to(reference / ".current") for p in (reference / ".current").rglob("*.parquet"))
    assert ref_files == sorted(p.relative_to(out / ".current") for p in (out / ".current").rglob("*.parquet"))
    for rel in ref_files:
        assert (reference / ".current" / rel).read_bytes() == (out / ".current" / rel).read_bytes(), rel


def test_dask_local_cluster_gives_the_same_tables(corpus, reference, tmp_path):
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster:
        out = tmp_path / "outd"
        run_batch([corpus], out, scheduler=cluster.scheduler_address, quiet=True)
    assert_same_tables(out, reference)


def test_incremental_add_change_remove_equals_a_fresh_run(tmp_path):
    src = tmp_path / "in"
    files = seed_copies(src, 2)  # 10 documents
    out = tmp_path / "out"
    s1 = run_batch([src], out, quiet=True)
    assert len(s1.extracted) == 10
    removed, changed = files[0], files[3]
    removed.unlink()
    changed.write_bytes(changed.read_bytes() + "\n（此件公开发布）\n".encode())
    added = src / "sub" / "new.txt"
    added.parent.mkdir()
    added.write_bytes(files[5].read_bytes() + b"\n\n\n")
    s2 = run_batch([src], out, quiet=True)
    assert sorted(s2.extracted) == sorted([str(changed), str(added)])
    assert s2.from_cache == 8
    fresh = tmp_path / "fresh"
    run_batch([src], fresh, quiet=True)
    assert_same_tables(out, fresh)
    docs = pq_out.read_table(out, "documents")["source_path"].to_pylist()
    assert str(removed) not in docs and str(added) in docs
    # the cache holds exactly the current documents
    from policyparse.export.cache import DocCache, cache_keys

    cache = DocCache(out, cache_keys(ocr=True))
    current = set(pq_out.read_table(out, "documents")["doc_id"].to_pylist())
    assert cache.doc_ids(level=2) == current and cache.doc_ids(level=1) == current
    cache.close()
    # with nothing changed, nothing is extracted and nothing is written
    files_before = sorted(p for p in out.rglob("*") if ".cache" not in p.parts)
    s3 = run_batch([src], out, quiet=True)
    assert s3.extracted == [] and not s3.published
    assert sorted(p for p in out.rglob("*") if ".cache" not in p.parts) == files_before


def test_same_bytes_at_two_paths_is_one_document_with_both_paths(tmp_path):
    src = tmp_path / "in"
    (src / "a").mkdir(parents=True)
    (src / "b").mkdir()
    seed = sorted(SEEDS.glob("*.txt"))[0]
    shutil.copy(seed, src / "a" / seed.name)
    shutil.copy(seed, src / "b" / seed.name)
    out = tmp_path / "out"
    s = run_batch([src], out, quiet=True)
    assert s.files == 2 and s.documents == 1 and len(s.extracted) == 1
    row = pq_out.read_table(out, "documents").to_pylist()[0]
    assert row["source_path"] == str(src / "a" / seed.name)
    assert row["source_paths"] == [str(src / "a" / seed.name), str(src / "b" / seed.name)]
    # moving the file needs no extraction, only new paths
    shutil.move(src / "a" / seed.name, src / "c.txt")
    s = run_batch([src], out, quiet=True)
    assert s.extracted == [] and s.published
    assert pq_out.read_table(out, "documents")["source_paths"].to_pylist() == [
        [str(src / "b" / seed.name), str(src / "c.txt")]]


def _run_cli(args, **kw):
    return subprocess.Popen([sys.executable, "-m", "policyparse.cli", "run", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


def test_sigkill_mid_run_leaves_the_previous_tables_and_the_next_run_completes(tmp_path):
    src = tmp_path / "in"
    files = seed_copies(src, 6)  # 30 documents
    out = tmp_path / "out"
    run_batch([src], out, workers=2, quiet=True)
    before = tables(out)
    for f in files:  # every document changes: the next run has all 30 to extract
        f.write_bytes(f.read_bytes() + b" ")
    proc = _run_cli([str(src), "--out", str(out), "--workers", "2"])
    seen = kill_mid_extraction(proc, 60)
    assert "files," in seen, seen
    after = tables(out)
    for name in ALL_TABLES:
        assert after[name].equals(before[name]), name
    # kill a second run at other moments, including assembly and publishing
    for delay in (0.3, 1.2):
        p = _run_cli([str(src), "--out", str(out), "--workers", "2", "--quiet"])
        time.sleep(delay)
        p.send_signal(signal.SIGKILL)
        p.wait()
        now = tables(out)  # whichever run is current, it is whole and readable
        assert now["documents"].num_rows == 30
    s = run_batch([src], out, workers=2, quiet=True)
    fresh = tmp_path / "fresh"
    run_batch([src], fresh, workers=2, quiet=True)
    assert_same_tables(out, fresh)
    assert not any(p.name.endswith(".tmp") for p in (out / ".runs").iterdir())
    assert s.documents == 30


def test_progress_is_log_lines_off_a_terminal_and_silent_when_quiet():
    import io

    from policyparse.batch import Progress

    buf = io.StringIO()
    p = Progress(3, quiet=False, stream=buf)
    for ok in (True, False, True):
        p.advance(ok)
    p.close()
    lines = buf.getvalue().splitlines()
    assert lines[0] == "policyparse: extracting 3 file(s)"
    assert lines[-1].startswith("policyparse: 3/3 files, 1 failed,") and "files/s" in lines[-1]
    quiet = io.StringIO()
    q = Progress(3, quiet=True, stream=quiet)
    q.advance(True)
    q.close()
    assert quiet.getvalue() == ""


def test_a_worker_that_dies_is_a_failure_row_and_the_others_complete(tmp_path, monkeypatch):
    """A file that kills its worker process (a native crash, the OOM killer) breaks
    the pool; the pool is rebuilt, the other files complete, the file is a row."""
    import policyparse.pipeline as pipeline

    src = tmp_path / "in"
    seed_copies(src)
    (src / "poison.txt").write_bytes((SEEDS / sorted(p.name for p in SEEDS.glob("*.txt"))[0]).read_bytes()
                                     + b"\n\n\n\n\n\n\n")
    real = pipeline.parse_bytes

    def crashing(data, source_path="", **kw):
        if source_path.endswith("poison.txt"):
            os._exit(3)  # the worker process vanishes, as after a segfault
        return real(data, source_path, **kw)

    monkeypatch.setattr(pipeline, "parse_bytes", crashing)  # inherited by the forked workers
    out = tmp_path / "out"
    s = run_batch([src], out, workers=2, quiet=True)
    assert s.documents == 5
    fails = pq_out.read_table(out, "failures").to_pylist()
    assert [(os.path.basename(f["source_path"]), f["code"]) for f in fails] == [("poison.txt", "E401")]


# ----------------------------------------------------------------------------- user mistakes


def _snapshot(out: Path) -> dict:
    """Every file under OUT (the published run, its symlinks, the cache) with its bytes."""
    snap = {}
    for root, _dirs, names in os.walk(out):
        for n in names:
            p = Path(root) / n
            snap[str(p.relative_to(out))] = p.read_bytes() if not p.is_symlink() else os.readlink(p)
    return snap


def test_a_mistyped_input_path_publishes_nothing_and_keeps_the_cache(tmp_path):
    from policyparse.errors import UsageError

    src = tmp_path / "notices"
    seed_copies(src)
    out = tmp_path / "out"
    run_batch([src], out, quiet=True)
    before = _snapshot(out)
    with pytest.raises(UsageError, match="input not found"):
        run_batch([tmp_path / "noticez"], out, quiet=True)
    assert _snapshot(out) == before


def test_an_input_without_a_readable_notice_publishes_nothing_unless_asked(tmp_path):
    from policyparse.errors import UsageError

    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "empty.txt").write_bytes(b"")
    out = tmp_path / "out"
    with pytest.raises(UsageError, match="no document could be read"):
        run_batch([bad], out, quiet=True)
    assert not (out / "documents").exists()
    s = run_batch([bad], out, quiet=True, allow_empty=True)
    assert s.published and s.failures == 1 and s.documents == 0


def test_an_output_folder_that_is_a_file_is_refused(tmp_path):
    from policyparse.errors import UsageError

    src = tmp_path / "notices"
    seed_copies(src)
    out = tmp_path / "out.parquet"
    out.write_bytes(b"not a folder")
    with pytest.raises(UsageError, match="is a file"):
        run_batch([src], out, quiet=True)
    assert out.read_bytes() == b"not a folder"


def test_run_exit_codes_tell_scripts_what_happened(tmp_path):
    from typer.testing import CliRunner

    from policyparse.cli import app

    runner = CliRunner()
    good = tmp_path / "good"
    seed_copies(good)
    res = runner.invoke(app, ["run", str(good), "--out", str(tmp_path / "o1"), "--quiet"])
    assert res.exit_code == 0, res.output
    mixed = tmp_path / "mixed"
    seed_copies(mixed)
    (mixed / "empty.txt").write_bytes(b"")
    res = runner.invoke(app, ["run", str(mixed), "--out", str(tmp_path / "o2"), "--quiet"])
    assert res.exit_code == 1, res.output  # published, with a failures row
    assert (tmp_path / "o2" / "documents").exists()
    res = runner.invoke(app, ["run", str(tmp_path / "typo"), "--out", str(tmp_path / "o1"), "--quiet"])
    assert res.exit_code == 2 and "input not found" in res.output
