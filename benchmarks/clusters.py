"""How task_clusters (export/clusters.py) scales: synthetic tasks built from the seeds' sentences,
each notice a random mix with random edits, clustered at growing sizes; prints tasks, sentences,
seconds, rows, the time per task (flat when the cost is near-linear) and the process's peak
memory so far (it only grows: run one size alone for its own figure).

    python benchmarks/clusters.py [--sizes 5000 10000 20000]
"""
from __future__ import annotations

import argparse
import random
import resource
import time
from pathlib import Path

import pyarrow as pa

from policyparse.export.clusters import build_task_clusters, sentences
from policyparse.pipeline import parse_file

SEEDS = Path(__file__).resolve().parent.parent / "corpus" / "seeds"
TASKS_PER_NOTICE = 25


def pool() -> list[str]:
    out = []
    for p in sorted(SEEDS.glob("*.txt")):
        doc = parse_file(p)
        for t in doc.tasks:
            out += [s for s, _ in sentences(doc.text[t.start:t.end])]
    return out


def synthetic(n_tasks: int, sentences_pool: list[str], rng: random.Random):
    """Batches of n_tasks tasks: 3 sentences each, one character in ten replaced at random."""
    alphabet = "".join(sorted(set("".join(sentences_pool))))
    rows = {"task_id": [], "doc_id": [], "text": []}
    for i in range(n_tasks):
        doc = f"d{i // TASKS_PER_NOTICE:06d}"
        picked = rng.sample(sentences_pool, 3)
        text = "。".join("".join(c if rng.random() > 0.1 else rng.choice(alphabet) for c in s) for s in picked)
        rows["task_id"].append(f"{doc}-t{i % TASKS_PER_NOTICE:04d}")
        rows["doc_id"].append(doc)
        rows["text"].append(text)
        if len(rows["task_id"]) == 2000:
            yield pa.RecordBatch.from_pydict(rows)
            rows = {k: [] for k in rows}
    if rows["task_id"]:
        yield pa.RecordBatch.from_pydict(rows)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[5000, 10000, 20000])
    args = ap.parse_args()
    sentences_pool = pool()
    print(f"{len(sentences_pool)} seed sentences to draw from")
    print(f"{'tasks':>8} {'seconds':>8} {'ms/task':>8} {'rows':>8} {'max RSS MB':>10}")
    for n in args.sizes:
        rng = random.Random(n)
        t0 = time.perf_counter()
        table = build_task_clusters(synthetic(n, sentences_pool, rng))
        dt = time.perf_counter() - t0
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB
        print(f"{n:>8} {dt:>8.1f} {1000 * dt / n:>8.2f} {table.num_rows:>8} {rss:>10.0f}")


if __name__ == "__main__":
    main()
