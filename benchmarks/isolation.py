"""What isolation costs: every text notice of corpus/ extracted in this process
(extract_one called directly, unisolated) and in one isolated long-lived worker
(batch._run_isolated, --workers 1), best of a few rounds; prints seconds and the
overhead per document. Usage: python benchmarks/isolation.py [ROUNDS]"""
from __future__ import annotations

import sys
import time
from pathlib import Path

from policyparse.batch import _run_isolated, extract_one, warm_worker

ROOT = Path(__file__).resolve().parents[1]


def main(rounds: int = 3) -> None:
    jobs = sorted(str(p) for p in (ROOT / "corpus").rglob("*.txt"))
    warm_worker(False)
    best = {}
    def in_process(done) -> None:
        for path in jobs:
            done(extract_one(path, None, False))

    for name, run in (("in-process", in_process),
                      ("isolated", lambda done: _run_isolated(jobs, False, 1, done))):
        times = []
        for _ in range(rounds):
            got = []
            t0 = time.perf_counter()
            run(got.append)
            times.append(time.perf_counter() - t0)
            assert len(got) == len(jobs) and not any(o.failure for o in got)
        best[name] = min(times)
        print(f"{name:>10}: {best[name]:.2f} s for {len(jobs)} documents "
              f"({best[name] / len(jobs) * 1000:.1f} ms each)")
    extra = (best["isolated"] - best["in-process"]) / len(jobs) * 1000
    print(f"isolation overhead: {extra:+.1f} ms per document "
          f"(fork of the warm parent, pipe round trip, limits)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
