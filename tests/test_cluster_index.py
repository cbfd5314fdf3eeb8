"""The clusters' index kept from run to run (export/clusters.ClusterIndex, in the run's cache):
an incremental run gives the bytes a fresh run gives after files are added, removed and
changed; it hashes only the new wordings; the order documents arrive in does not matter; a
rule change starts the index afresh; a run killed inside the step leaves the published
tables as they were and the next run is right.

Everything goes through the real pipeline on the seed texts and copies of them edited as
a district would (benchmarks/scale.vary: years shifted, the district renamed)."""
from __future__ import annotations

import os
import random
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pytest

import policyparse.export.cache as cache_mod
from policyparse.batch import run_batch
from policyparse.export import clusters
from policyparse.export import parquet as pq_out
from policyparse.export.clusters import ClusterIndex, build_task_clusters, sentences
from policyparse.export.tables import document_rows, rows_to_tables
from policyparse.gazetteer import gazetteer_dir
from policyparse.pipeline import parse_file
from procs import kill_when_printed

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "corpus" / "seeds").glob("*.txt"))
sys.path.insert(0, str(ROOT / "benchmarks"))
from scale import vary  # noqa: E402 - the benchmark's copy of a notice by another district


def corpus(dest: Path) -> Path:
    """The five seeds and a district's copy of three of them."""
    dest.mkdir(parents=True)
    for p in SEEDS:
        shutil.copy(p, dest / p.name)
    for k in (1, 2, 3):
        (dest / f"v{k}_{SEEDS[k].name}").write_text(vary(SEEDS[k].read_text(encoding="utf-8"), k), encoding="utf-8")
    return dest


def cross_document_bytes(out: Path) -> dict[str, bytes]:
    run = pq_out.current_run_dir(out)
    return {str(p.relative_to(run)): p.read_bytes()
            for name in ("task_clusters", "references") for p in sorted((run / name).rglob("*.parquet"))}


def fresh_bytes(src: Path, dest: Path) -> dict[str, bytes]:
    shutil.rmtree(dest, ignore_errors=True)
    run_batch([src], dest, quiet=True)
    return cross_document_bytes(dest)


@pytest.fixture
def hashed(monkeypatch):
    """The wordings hashed (MinHash) in this process, where the run's cross-document step runs."""
    seen: list[str] = []
    real = clusters.signatures

    def counting(wordings: list[str]) -> list[bytes]:
        seen.extend(wordings)
        return real(wordings)

    monkeypatch.setattr(clusters, "signatures", counting)
    return seen


def wordings(path: Path) -> set[str]:
    doc = parse_file(path)
    return {letters for t in doc.tasks for _, letters in sentences(doc.text[t.start:t.end])}


def test_an_incremental_run_gives_a_fresh_runs_bytes_after_adding_removing_and_changing(tmp_path, hashed):
    src = corpus(tmp_path / "in")
    out = tmp_path / "out"
    first = run_batch([src], out, quiet=True)
    assert first.counts["task_clusters"] > 0
    assert len(hashed) == len(set(hashed))  # each wording hashed once, however often it is used
    assert cross_document_bytes(out) == fresh_bytes(src, tmp_path / "fresh")

    hashed.clear()
    new = src / "v9_new.txt"
    new.write_text(vary(SEEDS[2].read_text(encoding="utf-8"), 5), encoding="utf-8")  # years moved by 5
    run_batch([src], out, quiet=True)
    # only the new document's wordings that no other document uses were hashed
    others = set().union(*(wordings(p) for p in src.iterdir() if p != new))
    assert hashed and set(hashed) == wordings(new) - others
    assert cross_document_bytes(out) == fresh_bytes(src, tmp_path / "fresh")

    (src / SEEDS[4].name).unlink()  # a notice withdrawn: its clusters lose it
    hashed.clear()
    run_batch([src], out, quiet=True)
    assert hashed == []
    assert cross_document_bytes(out) == fresh_bytes(src, tmp_path / "fresh")

    changed = src / SEEDS[0].name  # one obligation reworded
    reworded = changed.read_text(encoding="utf-8").replace("每月至少开展一次检查指导", "每季度至少开展两次联合检查指导")
    changed.write_text(reworded, encoding="utf-8")
    hashed.clear()
    after = run_batch([src], out, quiet=True)
    assert 0 < len(hashed) <= len(wordings(changed))
    got = cross_document_bytes(out)
    assert got == fresh_bytes(src, tmp_path / "fresh")
    rows = pq_out.read_table(out, "task_clusters").to_pylist()
    assert len(rows) == after.counts["task_clusters"]
    assert any("每季度至少开展2次联合检查指导" in r["member_text"].replace("两", "2") for r in rows)


def _tasks_of(paths: list[Path]) -> tuple[list[tuple[str, str]], dict[str, pa.Table]]:
    documents, tasks = [], {}
    for p in paths:
        tables = rows_to_tables(document_rows(parse_file(p)))
        d = tables["documents"].to_pylist()[0]
        documents.append((d["doc_id"], d["notice_key"]))
        tasks[d["doc_id"]] = tables["tasks"]
    return documents, tasks


def test_neither_the_order_of_arrival_nor_the_history_changes_the_table(tmp_path):
    """Documents added to one index in a random order, some removed and added back, give at
    every step the table a fresh index gives for the same documents."""
    paths = SEEDS + [tmp_path / f"v{k}.txt" for k in range(6)]
    for k, p in enumerate(paths[len(SEEDS):]):
        p.write_text(vary(SEEDS[k % len(SEEDS)].read_text(encoding="utf-8"), k + 1), encoding="utf-8")
    documents, tasks = _tasks_of(paths)
    conn = sqlite3.connect(str(tmp_path / "index.sqlite"), isolation_level=None)
    index = ClusterIndex(conn, "k")
    rng = random.Random(11)
    present: set[str] = set()
    for step in range(8):
        order = [d for d, _ in documents]
        rng.shuffle(order)
        present |= set(order[:3])  # a few arrive …
        present -= set(order[3:5]) if step % 3 == 2 else set()  # … and sometimes some leave
        run = [(d, n) for d, n in documents if d in present]  # the run's order: its documents' order
        got = pa.concat_tables(list(index.update(run, lambda: iter([tasks[d] for d, _ in run]))) or
                               [clusters.TASK_CLUSTERS.empty_table()])
        fresh = build_task_clusters([tasks[d] for d, _ in run], dict(run))
        assert got.equals(fresh), step
    assert got.num_rows > 0
    conn.close()


@pytest.fixture
def gazetteer_copy(tmp_path, monkeypatch) -> Path:
    """The cache fingerprints the gazetteers of this copy (as tests/test_cache.py does)."""
    gaz = tmp_path / "gazetteers"
    shutil.copytree(gazetteer_dir(), gaz)
    monkeypatch.setattr(cache_mod, "gazetteer_root", lambda: gaz)
    return gaz


def test_a_rule_change_hashes_every_wording_again(tmp_path, hashed, gazetteer_copy):
    src = corpus(tmp_path / "in")
    out = tmp_path / "out"
    run_batch([src], out, quiet=True)
    first = sorted(hashed)
    assert first
    hashed.clear()
    rule = gazetteer_copy / "patterns" / "deadline.yaml"
    rule.write_bytes(rule.read_bytes() + b"\n# touched\n")
    run_batch([src], out, quiet=True)
    assert sorted(hashed) == first  # the index was made afresh at the new level-2 key
    db = sqlite3.connect(str(out / ".cache" / "cache.sqlite"))
    (key,) = db.execute("SELECT value FROM cluster_meta WHERE name = 'key'").fetchone()
    (rows_key,) = db.execute("SELECT DISTINCT key FROM extracted").fetchone()
    db.close()
    assert key.startswith(rows_key + "/")
    assert cross_document_bytes(out) == fresh_bytes(src, tmp_path / "fresh")


# stops the run inside the cross-document step: before the index's transaction commits
# (components) or after it (the rows' texts), then waits to be killed
_STOPPED = """
import sys, time
from policyparse.export import clusters
real = getattr(clusters.ClusterIndex, sys.argv[3])
def stop(self, *a, **k):
    real(self, *a, **k)
    print("IN THE CLUSTERS STEP", file=sys.stderr, flush=True)
    time.sleep(120)
setattr(clusters.ClusterIndex, sys.argv[3], stop)
from policyparse.batch import run_batch
run_batch([sys.argv[1]], sys.argv[2], quiet=True)
"""


@pytest.mark.parametrize("where", ["_components", "_texts"])
def test_a_run_killed_in_the_step_leaves_the_tables_and_the_next_run_is_right(tmp_path, where):
    src = corpus(tmp_path / "in")
    out = tmp_path / "out"
    run_batch([src], out, quiet=True)
    published = cross_document_bytes(out)
    manifest = (out / ".current" / "manifest.json").read_bytes()

    (src / "v9_new.txt").write_text(vary(SEEDS[2].read_text(encoding="utf-8"), 9), encoding="utf-8")
    (src / SEEDS[3].name).unlink()
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", "")}
    proc = subprocess.Popen([sys.executable, "-c", _STOPPED, str(src), str(out), where], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seen = kill_when_printed(proc, "IN THE CLUSTERS STEP", 180)
    assert "IN THE CLUSTERS STEP" in seen, seen
    assert cross_document_bytes(out) == published  # the published run stands
    assert (out / ".current" / "manifest.json").read_bytes() == manifest

    again = run_batch([src], out, quiet=True)
    assert again.published
    assert cross_document_bytes(out) == fresh_bytes(src, tmp_path / "fresh")


def test_minhash_values_estimate_the_jaccard_similarity_of_3_grams():
    """signatures() (datasketch's values, computed in numpy) on every pair of the seeds'
    task sentences: the share of equal values tracks the exact Jaccard similarity of the
    3-gram sets, and a wording's values do not depend on the wordings hashed with it."""
    words = sorted(set().union(*(wordings(p) for p in SEEDS)))
    sigs = clusters.signatures(words)
    assert sigs[:5] == [clusters.signatures([w])[0] for w in words[:5]]
    grams = [{w[i:i + 3] for i in range(len(w) - 2)} for w in words]
    errors, close = [], 0
    for i in range(len(words)):
        for j in range(i + 1, len(words)):
            exact = len(grams[i] & grams[j]) / len(grams[i] | grams[j])
            if exact >= 0.2:
                close += 1
                errors.append(abs(clusters.similarity(sigs[i], sigs[j]) - exact))
    assert close >= 20
    assert sum(errors) / len(errors) < 0.06 and max(errors) < 0.25  # 64 values: σ ≤ 0.0625


def test_band_keys_of_many_signatures_at_once_equal_one_at_a_time():
    from policyparse.export.clusters import band_keys, band_keys_many, signatures

    sigs = signatures(["加强安全生产监督检查工作", "每月至少开展一次检查指导工作", "落实三个责任人制度要求"])
    assert band_keys_many(sigs) == [[k for _, k in band_keys(s)] for s in sigs]
    assert band_keys_many([]) == []
