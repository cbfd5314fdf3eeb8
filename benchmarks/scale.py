#!/usr/bin/env python3
"""Scale benchmark (issue 11): throughput, memory slope, cache size and the cost of a
re-run after a rule change, on N synthetic notices made from the bundled corpus.

    python benchmarks/scale.py --n 1000 10000 --workers 1 2 --dask     # the issue's grid
    python benchmarks/scale.py --n 300 3000 --formats txt --workers 1  # the memory slope
    python benchmarks/scale.py --corpus-rerun                          # bundled corpus, scans + .doc

*Synthetic notices.* Copy k of a seed text gets its years shifted by k % 7 (so plan
years, and partitions, vary), its first district name replaced by one of a list, and
a line with its serial number: every copy is a new document with its own text. DOCX
copies get the same edits inside ``word/document.xml``; PDF copies (``--formats
mixed``) are the bundled text-layer PDFs with a comment appended after ``%%EOF`` (new
bytes, the same text). ``--formats txt`` makes text notices only (the memory bar).

*Each run* is ``policyparse run`` in a child process; its peak memory is the largest
sum of the resident sizes of the process and all its descendants (workers, a Dask
cluster), sampled every 50 ms from /proc. For each N and worker count: a first run
into a fresh OUT, then a re-run after appending a comment line to one extraction
gazetteer file (``gazetteers/patterns/deadline.yaml``, restored afterwards): every
document's rows are made again from the level-1 cache, no file is read. Between the
two, a run with one new file (planning, one extraction, the assembly of all N
documents from the cache: the part of a run that stays on the client). Printed:
documents/s, peak MB, the re-run's share of the first run, the cache's size on disk
against the published tables' (Parquet) size, and per N pair the memory slope in KB
per added document.
"""
from __future__ import annotations

import argparse
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
RULE_FILE = ROOT / "gazetteers" / "patterns" / "deadline.yaml"
DISTRICTS = ["朝阳区", "海淀区", "丰台区", "石景山区", "通州区", "顺义区", "昌平区", "大兴区", "怀柔区",
             "平谷区", "密云区", "延庆区", "东城区", "西城区", "门头沟区", "房山区"]
YEAR = re.compile(r"20[12]\d(?=年)")
DISTRICT = re.compile(r"[\u4e00-\u9fa5]{2}区(?=[\u4e00-\u9fa5])")


def vary(text: str, k: int) -> str:
    shift = k % 7
    text = YEAR.sub(lambda m: str(int(m.group()) + shift), text)
    text = DISTRICT.sub(DISTRICTS[k % len(DISTRICTS)], text, count=1)
    return text


def make_corpus(dest: Path, n: int, formats: str) -> dict[str, int]:
    """N notices under ``dest``; returns how many of each format."""
    dest.mkdir(parents=True)
    seeds = [p.read_text(encoding="utf-8") for p in sorted((CORPUS / "seeds").glob("*.txt"))]
    docx = [p.read_bytes() for p in sorted((CORPUS / "renderings" / "docx").glob("*.docx"))]
    pdf = [p.read_bytes() for p in sorted((CORPUS / "renderings" / "pdf").glob("*.pdf"))]
    made = {"txt": 0, "docx": 0, "pdf": 0}
    for i in range(n):
        sub = dest / f"{i // 1000:04d}"
        sub.mkdir(exist_ok=True)
        k, s = divmod(i, len(seeds))
        kind = "txt" if formats == "txt" else ("txt", "txt", "txt", "txt", "txt", "txt", "docx", "docx", "pdf",
                                               "txt")[i % 10]
        if kind == "txt":
            body = vary(seeds[s], k) + f"\n（编号：{i:07d}）\n"
            (sub / f"n{i:07d}.txt").write_text(body, encoding="utf-8")
        elif kind == "docx":
            src = zipfile.ZipFile(io.BytesIO(docx[s]))
            buf = io.BytesIO()
            with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
                for info in src.infolist():
                    data = src.read(info.filename)
                    if info.filename == "word/document.xml":
                        data = vary(data.decode("utf-8"), k).encode("utf-8")
                    z.writestr(info, data)
            (sub / f"n{i:07d}.docx").write_bytes(buf.getvalue())
        else:
            (sub / f"n{i:07d}.pdf").write_bytes(pdf[s] + f"\n% copy {i}\n".encode())
        made[kind] += 1
    return made


# --------------------------------------------------------------------------- measuring


def _tree_rss_kb(pid: int) -> int:
    """Resident KB of ``pid`` and all its descendants (from /proc)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as fh:
                stat = fh.read()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{d}/statm") as fh:
                rss[int(d)] = int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(d))
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        total += rss.get(p, 0)
        todo += children.get(p, [])
    return total


def run_policyparse(inputs: Path, out: Path, workers: int, dask: bool) -> dict:
    cmd = [sys.executable, "-m", "policyparse.cli", "run", str(inputs), "--out", str(out),
           "--workers", str(workers), "--quiet"] + (["--scheduler", "local"] if dask else [])
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", "")}
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = [0]

    def sample():
        while proc.poll() is None:
            peak[0] = max(peak[0], _tree_rss_kb(proc.pid))
            time.sleep(0.05)

    t = threading.Thread(target=sample, daemon=True)
    t.start()
    stdout, stderr = proc.communicate()
    seconds = time.perf_counter() - t0
    t.join()
    if proc.returncode not in (0, 1):
        raise SystemExit(f"policyparse run failed ({proc.returncode}):\n{stderr[-3000:]}")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return {"seconds": seconds, "peak_mb": peak[0] / 1024, "documents": manifest["counts"]["documents"],
            "failures": manifest["counts"]["failures"], "extracted": manifest["extracted"]}


def du(path: Path) -> int:
    """Bytes on disk (allocated blocks) under ``path``."""
    return sum(p.lstat().st_blocks * 512 for p in path.rglob("*") if p.is_file() and not p.is_symlink()) \
        if path.exists() else 0


def tables_bytes(out: Path) -> int:
    return du((out / ".current").resolve())


def parquet_bytes(out: Path) -> dict[str, bytes]:
    run = (out / ".current").resolve()
    return {str(p.relative_to(run)): p.read_bytes() for p in sorted(run.rglob("*.parquet"))}


class touched_rule:
    """Append a comment line to one extraction gazetteer file, and put it back."""

    def __enter__(self):
        self.before = RULE_FILE.read_bytes()
        RULE_FILE.write_bytes(self.before + b"\n# scale benchmark: touched\n")

    def __exit__(self, *exc):
        RULE_FILE.write_bytes(self.before)


# --------------------------------------------------------------------------- scenarios


def grid(args) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="pp-scale-"))
    rows = []
    try:
        for n in args.n:
            inputs = tmp / f"in-{n}"
            made = make_corpus(inputs, n, args.formats)
            print(f"# N={n}: {made}", flush=True)
            modes = [(w, False) for w in args.workers] + ([(args.dask_workers, True)] if args.dask else [])
            for workers, dask in modes:
                out = tmp / f"out-{n}-{workers}-{int(dask)}"
                first = run_policyparse(inputs, out, workers, dask)
                row = {"n": n, "workers": workers, "dask": dask, **first,
                       "docs_per_s": first["documents"] / first["seconds"],
                       "cache_mb": du(out / ".cache") / 1e6, "tables_mb": tables_bytes(out) / 1e6}
                # one new file: plan, one extraction, and the whole assembly of N documents
                # from the cache (the client's serial share of a distributed run)
                extra = inputs / "extra.txt"
                extra.write_text(vary((CORPUS / "seeds" / "000_3b1496d5f7dcc5e1.txt").read_text(encoding="utf-8"),
                                      n + 1) + "\n（新增）\n", encoding="utf-8")
                one = run_policyparse(inputs, out, workers, dask)
                extra.unlink()
                row["one_new_seconds"] = one["seconds"]
                if args.rerun:
                    with touched_rule():
                        again = run_policyparse(inputs, out, workers, dask)
                    row["rerun_seconds"] = again["seconds"]
                    row["rerun_share"] = again["seconds"] / first["seconds"]
                    row["rerun_extracted"] = again["extracted"]
                rows.append(row)
                print(json.dumps(row), flush=True)
                shutil.rmtree(out)
            shutil.rmtree(inputs)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("\n| N | workers | docs/s | peak MB | cache MB | tables MB | cache/tables | one new file | rule re-run |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        w = f"Dask local ×{r['workers']}" if r["dask"] else str(r["workers"])
        rr = f"{r['rerun_share']:.0%} ({r['rerun_seconds']:.1f} s)" if "rerun_share" in r else "-"
        print(f"| {r['n']:,} | {w} | {r['docs_per_s']:.1f} | {r['peak_mb']:.0f} | {r['cache_mb']:.1f} | "
              f"{r['tables_mb']:.1f} | {r['cache_mb'] / max(r['tables_mb'], 1e-9):.2f} | "
              f"{r['one_new_seconds']:.1f} s | {rr} |")
    by = {}
    for r in rows:
        by.setdefault((r["workers"], r["dask"]), []).append(r)
    for (w, dask), rs in by.items():
        rs.sort(key=lambda r: r["n"])
        for a, b in zip(rs, rs[1:]):
            slope = (b["peak_mb"] - a["peak_mb"]) * 1024 / (b["n"] - a["n"])
            print(f"memory slope, {'Dask ' if dask else ''}{w} worker(s), N {a['n']:,} → {b['n']:,}: "
                  f"{slope:.2f} KB per added document")


def corpus_rerun(args) -> None:
    """The bundled corpus, scans and .doc included: a first run, then a re-run after
    touching one extraction gazetteer file, and whether its tables equal the first's
    (the touched line is a comment: the rules, and so the rows, are the same)."""
    tmp = Path(tempfile.mkdtemp(prefix="pp-corpus-"))
    try:
        out = tmp / "out"
        first = run_policyparse(CORPUS, out, args.workers[0], False)
        before = parquet_bytes(out)
        with touched_rule():
            again = run_policyparse(CORPUS, out, args.workers[0], False)
        same = parquet_bytes(out) == before
        print(json.dumps({"first": first, "rerun": again, "share": again["seconds"] / first["seconds"],
                          "byte_identical": same, "cache_mb": du(out / ".cache") / 1e6,
                          "tables_mb": tables_bytes(out) / 1e6}))
        print(f"bundled corpus ({first['documents']} documents, {first['failures']} failures), "
              f"{args.workers[0]} worker(s): first run {first['seconds']:.1f} s, re-run after touching "
              f"{RULE_FILE.relative_to(ROOT)} {again['seconds']:.1f} s = {again['seconds'] / first['seconds']:.1%}"
              f" of it ({again['extracted']} documents re-extracted); tables byte-identical: {same}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, nargs="+", default=[1000, 10000],
                    help="corpus sizes (100000 is an option: hours on 2 cores)")
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--dask", action="store_true", help="also run with --scheduler local")
    ap.add_argument("--dask-workers", type=int, default=2)
    ap.add_argument("--formats", choices=["mixed", "txt"], default="mixed")
    ap.add_argument("--no-rerun", dest="rerun", action="store_false",
                    help="skip the re-run after a rule change")
    ap.add_argument("--corpus-rerun", action="store_true",
                    help="only the bundled-corpus re-run after a rule change (scans and .doc)")
    args = ap.parse_args()
    corpus_rerun(args) if args.corpus_rerun else grid(args)


if __name__ == "__main__":
    main()
