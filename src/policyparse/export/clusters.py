"""``task_clusters``: the same obligation in the tasks of several notices.

A city's plan travels into its districts' and parks' plans with small edits: the
“三个责任人” monthly inspections stand almost word for word in a park's 工作要点 and a
district's 商贸安全工作要点. An analyst asks which notices adopted an obligation and how
they changed its frequency or deadline; this table answers the first half (join
``tasks``, ``frequencies`` and ``deadlines`` on ``task_id`` for the second).

How:

* **An obligation is a sentence, not a whole task.** A task item often bundles several
  obligations (a 职责 paragraph with five sentences); two districts copy one of them and
  write the rest in their own words, so whole tasks share a third of their text at most
  while the copied sentence shares most of its own. Each task is cut into sentences
  (。；！？, line and cell breaks), the numbering label dropped; sentences under
  :data:`MIN_SENTENCE_CHARS` Chinese characters are slogans and headings (扎实推进安全
  生产专项整治三年行动) that every plan repeats without naming one obligation, and are
  left out.
* **Shingles**: character 3-grams of the sentence's characters (punctuation and spaces
  dropped, 一次 read as 1次): robust to the edits copying makes (区 for 市, 行业负责人 for
  行业监管部门负责人) without a word segmenter's choices.
* **MinHash + LSH** (datasketch): each sentence is queried against the ones before it,
  then inserted; a candidate becomes an edge when the MinHash estimate of the Jaccard
  similarity reaches :data:`THRESHOLD`. Edges join sentences into components (union-find).
  Cost grows with the number of sentences, not its square: a sentence repeated word for
  word is joined through a dictionary, and a cluster keeps at most
  :data:`INDEXED_PER_CLUSTER` sentences in the index, so the boilerplate every plan repeats
  does not make each query return all its copies (benchmarks/clusters.py).
* **No chains**: a component's representative is its most connected sentence; a member
  whose similarity to the representative falls under :data:`MEMBER_FLOOR` joined only
  through a chain of small edits and is dropped.
* **Across notices only**: one row per task and cluster, and only clusters whose tasks
  come from at least two notices (``documents.notice_key``) are kept: an obligation
  repeated inside one notice is not a copy, and singletons would be every task.
* **Renderings**: the same notice as PDF, web page and DOCX has several ``doc_id`` but
  one ``notice_key``. Only the first document of each notice in the run's order (by
  source path) speaks for it, so a cluster counts notices, never files; the other files
  of a notice are found through ``documents.notice_key``.

The threshold was chosen by reading every multi-notice cluster of the bundled corpus
(tests/test_clusters.py lists them): at 0.5 all are the same obligation reworded; the
first pairs below it are sentences on one theme but different acts (推进专项整治三年行动
vs 开展专项整治三年行动回头看 sit at 0.48-0.53 before the length floor drops them).
"""
from __future__ import annotations

import re
from typing import Iterable, Mapping

import pyarrow as pa

from .schema import TASK_CLUSTERS

THRESHOLD = 0.5  # MinHash-estimated Jaccard of two sentences' 3-gram sets to join them
MEMBER_FLOOR = 0.4  # a member's least similarity to its cluster's representative
MIN_SENTENCE_CHARS = 20  # letters and digits of a sentence, below which it is a slogan
# at most this many sentences of one cluster go into the index: a new copy of an obligation
# finds the cluster through them, and boilerplate repeated in thousands of plans keeps each
# query's candidate list short instead of growing with every copy
INDEXED_PER_CLUSTER = 16
SHINGLE = 3
NUM_PERM = 64
SEED = 1

_SENTENCE_END = re.compile(r"[。；;！!？?\n\t]+")
# the numbering label at a sentence's start: 1、 （3） 二、 ① 10.
_LABEL = re.compile(r"^\s*(?:[（(]?[0-9一二三四五六七八九十]{1,3}[）)、.．]|[①-⑳])\s*")
_NOT_LETTER = re.compile(r"[^\u3400-\u9fffA-Za-z0-9]+")
_CN_COUNT = re.compile(r"[一两二三四五六七八九](?=[次项个轮批])")
_CN_DIGIT = {c: str(i) for i, c in enumerate("〇一二三四五六七八九")} | {"两": "2"}
# Word's bookmarks leak into text exported from some DOCX (“[bookmark: _GoBack]”)
_BOOKMARK = re.compile(r"\[bookmark:[^\]]*\]")


def sentences(text: str) -> list[tuple[str, str]]:
    """``(sentence as written, its letters for shingling)`` of a task's text, slogans left out."""
    out = []
    for piece in _SENTENCE_END.split(_BOOKMARK.sub("", text or "")):
        piece = _LABEL.sub("", piece).strip()
        letters = _NOT_LETTER.sub("", _CN_COUNT.sub(lambda m: _CN_DIGIT[m.group()], piece))
        if len(letters) >= MIN_SENTENCE_CHARS:
            out.append((piece, letters))
    return out


def _shingles(letters: str) -> list[bytes]:
    return [letters[i:i + SHINGLE].encode("utf-8") for i in range(len(letters) - SHINGLE + 1)]


class _UnionFind:
    def __init__(self) -> None:
        self.parent: list[int] = []

    def add(self) -> int:
        self.parent.append(len(self.parent))
        return len(self.parent) - 1

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _similarity(a, b) -> float:
    import numpy as np

    # the share of equal MinHash values (count_nonzero: a third of ndarray.mean's cost here)
    return np.count_nonzero(a == b) / len(a)


def build_task_clusters(batches: Iterable[pa.RecordBatch], notice_of: Mapping[str, str] | None = None, *,
                        threshold: float = THRESHOLD) -> pa.Table:
    """The ``task_clusters`` table of the tasks in ``batches`` (RecordBatches or Tables with
    ``task_id``, ``doc_id``, ``text``; read one batch at a time, so a streaming writer can feed
    it). ``notice_of`` maps ``doc_id`` to ``notice_key`` (without it every document is its own
    notice). Rows are sorted by cluster, then by task id; cluster ids are stable for the same
    input (``c`` + the task id and sentence number of the cluster's first sentence in input order)."""
    from datasketch import MinHash, MinHashLSH

    notice_of = notice_of or {}
    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    template = MinHash(num_perm=NUM_PERM, seed=SEED)
    uf = _UnionFind()
    # per sentence: its task's index, its text, its MinHash values
    task_of: list[int] = []
    ordinal_of: list[int] = []  # the sentence's place in its task
    text_of: list[str] = []
    values: list = []
    edges: list[tuple[int, int]] = []
    first_with: dict[str, int] = {}  # a sentence's letters -> the first sentence with them
    indexed: dict[int, int] = {}  # a component's root -> how many of its sentences are in the index
    tasks: list[tuple[str, str, str]] = []  # (task_id, doc_id, notice_key)
    speaker: dict[str, str] = {}  # notice_key -> the doc_id that speaks for it
    for batch in batches:
        cols = batch.select(["task_id", "doc_id", "text"]).to_pydict() if isinstance(batch, pa.Table) \
            else {n: batch.column(n).to_pylist() for n in ("task_id", "doc_id", "text")}
        for tid, did, text in zip(cols["task_id"], cols["doc_id"], cols["text"]):
            notice = notice_of.get(did) or did
            if speaker.setdefault(notice, did) != did:
                continue  # another file of a notice already read
            ti = len(tasks)
            tasks.append((tid, did, notice))
            for k, (written, letters) in enumerate(sentences(text)):
                si = uf.add()
                task_of.append(ti)
                ordinal_of.append(k)
                text_of.append(written)
                same = first_with.setdefault(letters, si)
                if same != si:  # boilerplate repeated word for word: one entry in the index
                    values.append(values[same])
                    uf.union(same, si)
                    edges.append((same, si))
                    continue
                mh = MinHash(num_perm=NUM_PERM, seed=SEED, permutations=template.permutations,
                             scheme=template.scheme)
                mh.update_batch(_shingles(letters))
                values.append(mh.hashvalues)
                for other in lsh.query(mh):
                    if uf.find(other) != uf.find(si) and _similarity(values[other], mh.hashvalues) >= threshold:
                        uf.union(other, si)
                        edges.append((other, si))
                root = uf.find(si)
                if indexed.get(root, 0) < INDEXED_PER_CLUSTER:
                    lsh.insert(si, mh, check_duplication=False)
                    indexed[root] = indexed.get(root, 0) + 1

    members: dict[int, list[int]] = {}
    for a, _b in edges:
        members.setdefault(uf.find(a), [])
    for si in range(len(task_of)):
        root = uf.find(si)
        if root in members:
            members[root].append(si)
    degree: dict[int, int] = {}
    for a, b in edges:
        degree[a] = degree.get(a, 0) + 1
        degree[b] = degree.get(b, 0) + 1

    rows = []
    for root, group in members.items():
        rep = max(group, key=lambda s: (degree.get(s, 0), -s))
        best: dict[int, tuple[float, int]] = {}  # task index -> (similarity, sentence)
        for s in group:
            sim = 1.0 if s == rep else _similarity(values[s], values[rep])
            if sim < MEMBER_FLOOR:
                continue
            if task_of[s] not in best or sim > best[task_of[s]][0]:
                best[task_of[s]] = (sim, s)
        if len({tasks[t][2] for t in best}) < 2:
            continue
        first = min(s for _sim, s in best.values())
        cluster_id = f"c{tasks[task_of[first]][0]}-s{ordinal_of[first]}"
        for t, (sim, s) in best.items():
            tid, did, notice = tasks[t]
            rows.append({"cluster_id": cluster_id, "task_id": tid, "doc_id": did, "notice_key": notice,
                         "representative_text": text_of[rep], "member_text": text_of[s],
                         "similarity": round(sim, 4)})
    rows.sort(key=lambda r: (r["cluster_id"], r["task_id"]))
    return pa.Table.from_pylist(rows, schema=TASK_CLUSTERS)


__all__ = ["build_task_clusters", "sentences", "THRESHOLD", "MEMBER_FLOOR", "MIN_SENTENCE_CHARS"]
