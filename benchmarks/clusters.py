"""How task_clusters (export/clusters.py) scales: synthetic notices built from the seeds'
sentences (25 tasks each, 3 sentences a task, one character in ten replaced at random, so
nearly every sentence is a wording of its own and each seed sentence has thousands of
near-copies), clustered through the index a run keeps in its cache (ClusterIndex, on disk).

Each size runs in a fresh child process that reads the tasks from a Parquet file a batch at
a time, as the run reads its staged tables: printed are the documents, task sentences, the
seconds of a fresh index, the rows, and the peak memory of the step (the largest resident
size sampled every 20 ms during it, less the resident size before it: what the index's
buffers and SQLite's caches took); then the seconds of an incremental update after one more notice arrives
(index kept, rows read out again). ``--tracemalloc`` also prints the peak of Python's own
allocations during the fresh step (slower).

    python benchmarks/clusters.py [--docs 3000 10000] [--tracemalloc]
"""
from __future__ import annotations

import argparse
import json
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from policyparse.export.clusters import ClusterIndex, sentences
from policyparse.pipeline import parse_file

SEEDS = Path(__file__).resolve().parent.parent / "corpus" / "seeds"
TASKS_PER_NOTICE = 25
SCHEMA = pa.schema([("task_id", pa.string()), ("doc_id", pa.string()), ("task_index", pa.int32()),
                    ("text", pa.string())])


def pool() -> list[str]:
    out = []
    for p in sorted(SEEDS.glob("*.txt")):
        doc = parse_file(p)
        for t in doc.tasks:
            out += [s for s, _ in sentences(doc.text[t.start:t.end])]
    return out


def synthetic(n_docs: int, sentences_pool: list[str], rng: random.Random, first: int = 0):
    """Batches of tasks of n_docs notices: 3 sentences each, one character in ten replaced."""
    alphabet = "".join(sorted(set("".join(sentences_pool))))
    rows = {"task_id": [], "doc_id": [], "task_index": [], "text": []}
    for d in range(first, first + n_docs):
        doc = f"d{d:07d}"
        for i in range(TASKS_PER_NOTICE):
            picked = rng.sample(sentences_pool, 3)
            text = "。".join("".join(c if rng.random() > 0.1 else rng.choice(alphabet) for c in s) for s in picked)
            rows["task_id"].append(f"{doc}-t{i:04d}")
            rows["doc_id"].append(doc)
            rows["task_index"].append(i)
            rows["text"].append(text)
        if len(rows["task_id"]) >= 5000:
            yield pa.RecordBatch.from_pydict(rows, schema=SCHEMA)
            rows = {k: [] for k in rows}
    if rows["task_id"]:
        yield pa.RecordBatch.from_pydict(rows, schema=SCHEMA)


def write_tasks(path: Path, n_docs: int) -> None:
    sentences_pool = pool()
    with pq.ParquetWriter(path, SCHEMA) as w:
        for batch in synthetic(n_docs + 1, sentences_pool, random.Random(n_docs)):  # one more: the late notice
            w.write_batch(batch)


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * resource.getpagesize() / 2**20


def measure(tasks_file: Path, db: Path, n_docs: int, trace: bool) -> dict:
    """In this (fresh) process: a fresh index of n_docs notices, then one more notice."""
    def tasks():  # the late notice's tasks are there from the start: the index reads its documents' only
        return pq.ParquetFile(tasks_file).iter_batches(batch_size=4096)  # as the run reads them

    def docs(n):
        return ((f"d{d:07d}", None) for d in range(n))

    # as a run does (batch.run_batch): Arrow's default allocator keeps the segments it freed
    pa.set_memory_pool(pa.system_memory_pool())
    conn = sqlite3.connect(str(db), isolation_level=None)
    index = ClusterIndex(conn, "bench")
    before = rss_mb()
    peak_rss = [before]
    running = [True]

    def sample() -> None:  # the resident size every 20 ms while the step runs
        while running[0]:
            peak_rss[0] = max(peak_rss[0], rss_mb())
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    if trace:
        import tracemalloc

        tracemalloc.start()
    t0 = time.perf_counter()
    rows = sum(t.num_rows for t in index.update(docs(n_docs), tasks))
    fresh_s = time.perf_counter() - t0
    running[0] = False
    sampler.join()
    peak = peak_rss[0] - before
    out = {"docs": n_docs, "fresh_s": round(fresh_s, 1), "rows": rows, "step_peak_mb": round(peak, 1),
           **{f"fresh_{k}": v for k, v in index.stats.items()}}
    if trace:
        out["python_peak_mb"] = round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
        tracemalloc.stop()
    t0 = time.perf_counter()
    rows = sum(t.num_rows for t in index.update(docs(n_docs + 1), tasks))
    out.update({"one_more_s": round(time.perf_counter() - t0, 2), "rows_after": rows,
                **{f"one_more_{k}": v for k, v in index.stats.items()}})
    out["sentences"] = conn.execute("SELECT count(*) FROM cluster_occ").fetchone()[0]
    out["wordings"] = conn.execute("SELECT count(*) FROM cluster_node").fetchone()[0]
    out["index_mb"] = round(db.stat().st_size / 2**20, 1)
    conn.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, nargs="+", default=[3000, 10000])
    ap.add_argument("--tracemalloc", action="store_true")
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)  # the child's size
    ap.add_argument("--dir", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one is not None:
        d = Path(args.dir)
        print(json.dumps(measure(d / "tasks.parquet", d / "index.sqlite", args.one, args.tracemalloc)))
        return
    print(f"{'docs':>7} {'sentences':>9} {'wordings':>9} {'fresh s':>8} {'rows':>8} {'step peak MB':>12} "
          f"{'one more s':>10} {'index MB':>8}" + (f" {'py peak MB':>10}" if args.tracemalloc else ""))
    for n in args.docs:
        with tempfile.TemporaryDirectory(prefix="pp-clusters-") as tmp:
            write_tasks(Path(tmp) / "tasks.parquet", n)
            cmd = [sys.executable, __file__, "--one", str(n), "--dir", tmp]
            cmd += ["--tracemalloc"] if args.tracemalloc else []
            r = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
        print(f"{r['docs']:>7} {r['sentences']:>9} {r['wordings']:>9} {r['fresh_s']:>8} {r['rows']:>8} "
              f"{r['step_peak_mb']:>12} {r['one_more_s']:>10} {r['index_mb']:>8}"
              + (f" {r['python_peak_mb']:>10}" if args.tracemalloc else ""), flush=True)
        print("  " + json.dumps(r), flush=True)


if __name__ == "__main__":
    main()
