"""Check the field extractors against the seeds' gold (TEST ONLY: the code never reads gold).

For each gold task, the seed text around it is located — a body task runs from
the line holding its quote to the next task's line; a table task is its row of
the seed's tab-separated table — and the extractors run over that span (a
完成时限 cell with ``column=True``). A gold item counts as found when a record
with the same key (deadline: kind+date; frequency: period+count+comparator;
target: value+unit+comparator) is predicted for the task; multisets, as the
scorer matches them. ``python tests/seed_gold.py`` prints the figures.
"""
from __future__ import annotations

import json
import re
import sys
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "corpus" / "seeds"
GOLD = ROOT / "corpus" / "gold"

sys.path.insert(0, str(ROOT / "src"))

from policyparse.extract.deadlines import find_deadlines  # noqa: E402
from policyparse.extract.frequencies import find_frequencies  # noqa: E402
from policyparse.extract.targets import find_targets  # noqa: E402
from policyparse.extract.units import (expand_shared_suffix, find_unit_notes,  # noqa: E402
                                       split_known_concatenation, split_unit_list)

_WS = re.compile(r"\s+")


def canon(s: str) -> str:
    return unicodedata.normalize("NFKC", _WS.sub("", s or ""))


def norm_unit(s: str) -> str:
    s = canon(s).rstrip("。；;，,、：:")
    for suf in ("分工负责", "负责", "牵头"):
        if s.endswith(suf) and len(s) > len(suf):
            s = s[: -len(suf)]
    return s


@dataclass
class TaskSpan:
    gold: dict
    body: list[tuple[int, int]] = field(default_factory=list)  # spans read as running text
    column: list[tuple[int, int]] = field(default_factory=list)  # 完成时限 cells
    unit_cells: list[tuple[int, int, str]] = field(default_factory=list)  # (s, e, role)


def _cells(text: str, lo: int, hi: int) -> list[tuple[int, int]]:
    """Tab-started lines and their continuation lines, as (start, end) spans."""
    out = []
    for m in re.finditer(r"(?m)^\t", text[lo:hi]):
        out.append(lo + m.end())
    spans = []
    for i, s in enumerate(out):
        e = (out[i + 1] - 1) if i + 1 < len(out) else hi
        while e > s and text[e - 1] in "\n\t ":
            e -= 1
        spans.append((s, e))
    return spans


def seed_table_rows(text: str) -> list[tuple[list[str], list[tuple[int, int]]]]:
    """(header texts, cell spans) per data row of the seed's tab-rendered tables."""
    first = re.search(r"(?m)^\t序号", text)
    if not first:
        return []
    cells = _cells(text, first.start(), len(text))
    header, i = [], 0
    while i < len(cells) and not re.fullmatch(r"\d+", text[cells[i][0]:cells[i][1]].strip()):
        header.append(_WS.sub("", text[cells[i][0]:cells[i][1]]))
        i += 1
    rows, cur = [], None
    for s, e in cells[i:]:
        t = text[s:e].strip()
        if re.fullmatch(r"\d+", t):
            cur = [(s, e)]
            rows.append(cur)
        elif cur is not None and len(cur) < len(header):
            cur.append((s, e))
        else:
            cur = None  # a section row (一、…) between data rows
    return [(header, r) for r in rows]


def _role(head: str) -> str | None:
    if "时限" in head or "时间" in head:
        return "deadline"
    if "领导" in head:
        return "leader"
    if "配合" in head or "落实" in head or "协办" in head:
        return "support"
    if "牵头" in head or "责任" in head:
        return "lead"
    return None


def task_spans(stem: str) -> tuple[str, dict, list[TaskSpan]]:
    text = (SEEDS / f"{stem}.txt").read_text(encoding="utf-8")
    gold = json.loads((GOLD / f"{stem}.json").read_text(encoding="utf-8"))
    rows = seed_table_rows(text)
    out: list[TaskSpan] = []
    body_tasks = [t for t in gold["tasks"] if t["source"] == "body"]
    positions = []
    pos = 0
    for t in body_tasks:
        q = text.find(t["quote"], pos)
        if q == -1:
            q = text.find(t["quote"])
        positions.append(q)
        pos = max(pos, q)
    table_start = re.search(r"(?m)^\t序号", text)
    table_start = table_start.start() if table_start else len(text)
    for k, t in enumerate(body_tasks):
        q = positions[k]
        if q == -1:
            continue
        s = text.rfind("\n", 0, q) + 1
        nxt = [p for p in positions[k + 1:] if p > q]
        e = text.rfind("\n", 0, nxt[0]) if nxt else text.find("\n", q)
        if e == -1 or e < q:
            e = len(text)
        e = min(e, table_start) if q < table_start else e
        out.append(TaskSpan(t, body=[(s, e)]))
    for t in gold["tasks"]:
        if t["source"] != "table":
            continue
        for header, cells in rows:
            if any(t["quote"] in text[s:e] for s, e in cells):
                ts = TaskSpan(t)
                for head, (s, e) in zip(header, cells):
                    role = _role(head)
                    if role == "deadline":
                        ts.column.append((s, e))
                    elif role in ("lead", "support", "leader"):
                        ts.unit_cells.append((s, e, role))
                    elif head not in ("序号", "备注"):
                        ts.body.append((s, e))
                out.append(ts)
                break
    return text, gold, out


def goals_span(text: str) -> tuple[int, int] | None:
    m = re.search(r"(?m)^[一二三四五六七八九十]、\s*(?:工作目标|目标任务|主要目标)", text)
    if not m:
        return None
    nxt = re.compile(r"(?m)^[一二三四五六七八九十]、").search(text, m.end())
    return m.end(), nxt.start() if nxt else len(text)


def predict(text: str, ts: TaskSpan, plan_year: int | None):
    ddl, frq, tgt = [], [], []
    for s, e in ts.body:
        ddl += find_deadlines(text, s, e, plan_year)
        frq += find_frequencies(text, s, e)
        tgt += find_targets(text, s, e)
    for s, e in ts.column:
        ddl += find_deadlines(text, s, e, plan_year, column=True)
        frq += find_frequencies(text, s, e)
    return ddl, frq, tgt


def _prf(tp, npred, ngold):
    return {"tp": tp, "pred": npred, "gold": ngold,
            "p": tp / npred if npred else 1.0, "r": tp / ngold if ngold else 1.0}


def _match(gold_keys, pred_keys):
    left = Counter(pred_keys)
    tp = 0
    for g in gold_keys:
        if left[g] > 0:
            left[g] -= 1
            tp += 1
    return tp


def evaluate(stems: list[str] | None = None) -> dict:
    stems = stems or sorted(p.stem for p in GOLD.glob("*.json"))
    acc = {k: [0, 0, 0] for k in ("deadline", "frequency", "target", "target_doc", "lead", "support", "leader")}
    raw_exact = {k: [0, 0] for k in ("deadline", "frequency", "target")}
    misses: list[str] = []
    for stem in stems:
        text, gold, spans = task_spans(stem)
        year = gold["fields"].get("plan_year")
        # units first: every mention of the document, then the document-wide repairs
        per_task_units = []
        for ts in spans:
            us = []
            if ts.gold["source"] == "body":
                for s, e in ts.body:
                    us += find_unit_notes(text, s, e)
            for s, e, role in ts.unit_cells:
                us += split_unit_list(text, s, e, role)
            per_task_units.append(us)
        known = {u.unit for us in per_task_units for u in us}
        for ts, us in zip(spans, per_task_units):
            g = ts.gold
            fixed = []
            for u in us:
                fixed += split_known_concatenation(u, known)
            fixed = expand_shared_suffix(fixed, known, text=text)
            for role, key in (("lead", "lead_units"), ("support", "support_units"), ("leader", "leaders")):
                gs = {norm_unit(x) for x in g[key]}
                ps = {norm_unit(u.unit) for u in fixed if u.role == role}
                acc[role][0] += len(gs & ps)
                acc[role][1] += len(ps)
                acc[role][2] += len(gs)
                for x in sorted(gs - ps):
                    misses.append(f"{stem} {g['path']} {role} MISS {x}")
                for x in sorted(ps - gs):
                    misses.append(f"{stem} {g['path']} {role} FP {x}")
            ddl, frq, tgt = predict(text, ts, year)
            fams = (
                ("deadline", [(d["kind"], d["date"]) for d in g["deadlines"]],
                 [(d.kind, d.date.isoformat() if d.date else None) for d in ddl],
                 [d["raw"] for d in g["deadlines"]], [d.raw for d in ddl]),
                ("frequency", [(f["period"], f["count"], f["comparator"]) for f in g["frequencies"]],
                 [(f.period, f.count, f.comparator) for f in frq],
                 [f["raw"] for f in g["frequencies"]], [f.raw for f in frq]),
                ("target", [(float(t["value"]), t["unit"], t["comparator"]) for t in g["targets"]],
                 [(t.value, t.unit, t.comparator) for t in tgt],
                 [t["raw"] for t in g["targets"]], [t.raw for t in tgt]),
            )
            for fam, gk, pk, graws, praws in fams:
                tp = _match(gk, pk)
                acc[fam][0] += tp
                acc[fam][1] += len(pk)
                acc[fam][2] += len(gk)
                raw_exact[fam][0] += sum(1 for r in graws if canon(r) in {canon(p) for p in praws})
                raw_exact[fam][1] += len(graws)
                for x in Counter(gk) - Counter(pk):
                    misses.append(f"{stem} {g['path']} {fam} MISS {x}")
                for x in Counter(pk) - Counter(gk):
                    misses.append(f"{stem} {g['path']} {fam} FP {x}")
        span = goals_span(text)
        gk = [(float(t["value"]) if t["value"] is not None else None, t["unit"], t["comparator"])
              for t in gold["targets"]]
        pk = []
        if span:
            pk = [(t.value, t.unit, t.comparator) for t in find_targets(text, *span, goals=True)]
        tp = _match(gk, pk)
        acc["target_doc"][0] += tp
        acc["target_doc"][1] += len(pk)
        acc["target_doc"][2] += len(gk)
        for x in Counter(gk) - Counter(pk):
            misses.append(f"{stem} (doc) target MISS {x}")
        for x in Counter(pk) - Counter(gk):
            misses.append(f"{stem} (doc) target FP {x}")
    report = {k: _prf(*v) for k, v in acc.items()}
    for k, (hit, n) in raw_exact.items():
        report[k]["raw_exact"] = hit / n if n else 1.0
    report["misses"] = misses
    return report


if __name__ == "__main__":
    rep = evaluate()
    for k, v in rep.items():
        if k != "misses":
            extra = f"  raw-exact {v['raw_exact']:.3f}" if "raw_exact" in v else ""
            print(f"{k:<11} R {v['r']:.3f}  P {v['p']:.3f}  (tp {v['tp']}, pred {v['pred']}, gold {v['gold']}){extra}")
    for m in rep["misses"]:
        print("  ", m)
