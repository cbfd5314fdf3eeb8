"""``task_clusters``: the same obligation in the tasks of several notices.

A city's plan travels into its districts' and parks' plans with small edits: the
“三个责任人” monthly inspections stand almost word for word in a park's 工作要点 and a
district's 商贸安全工作要点. An analyst asks which notices adopted an obligation and how
they changed its frequency or deadline; this table answers the first half (join
``tasks``, ``frequencies`` and ``deadlines`` on ``task_id`` for the second).

What a cluster is:

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
* **One node per wording.** Sentences with the same characters (boilerplate repeated word
  for word, a notice copied whole) are one *node*, named by a hash of its characters and
  hashed once (its MinHash, datasketch, :data:`NUM_PERM` values).
* **Candidates by LSH bands** (:data:`BANDS` bands of :data:`ROWS` values: datasketch's
  choice for :data:`THRESHOLD` and 64 values): nodes that agree on every value of one band
  share that band's *bucket*. Within a bucket, nodes are taken in the order of their
  hashes; each joins the first of the bucket's *leaders* whose MinHash estimate of the
  Jaccard similarity reaches :data:`THRESHOLD` (an edge), or becomes a leader itself (at
  most :data:`LEADERS_PER_BUCKET`). Comparing with a bucket's leaders rather than with
  every member keeps the work linear when a sentence has thousands of near-copies (the
  boilerplate every plan repeats); a near-copy that missed the leaders of one bucket meets
  them in another band.
* **Components** of the edges are the candidate clusters. Each has a *representative*:
  the node most sentences of the run use, then the most connected, then the smallest
  hash. **No chains**: a member whose similarity to the representative falls under
  :data:`MEMBER_FLOOR` joined only through a chain of small edits and is dropped.
* **Across notices only**: one row per task and cluster (the task's sentence most similar
  to the representative), and only clusters whose tasks come from at least two notices
  (``documents.notice_key``) are kept: an obligation repeated inside one notice is not a
  copy, and singletons would be every task.
* **Renderings**: the same notice as PDF, web page and DOCX has several ``doc_id`` but
  one ``notice_key``. Only the first document of each notice in the run's order (by
  source path) speaks for it, so a cluster counts notices, never files; the other files
  of a notice are found through ``documents.notice_key``.

Every step is a function of the *set* of speaking documents' sentences, never of the
order in which they were read or hashed (leaders and representatives are chosen by
content, ties by hash): so the index can be kept from run to run and brought up to date
with the documents that came, went or changed, and give the bytes a fresh run gives. The
cluster's id names its first member in the run's order (``c`` + task id + sentence number)
and its representative's text is that node's first sentence in the run's order.

Where it lives (:class:`ClusterIndex`): in SQLite (the run's cache file,
export/cache.py, at the level-2 key: a rule change starts it afresh), not in memory —
each speaking document's sentences (task, sentence number, node), each node's MinHash,
occurrence count, component and similarity to its representative, the band buckets, the
edges, and where each sentence a row named lies in its task. A run, in one transaction
(a run killed meanwhile leaves the index as the last run left it):

1. drops the sentences of documents that no longer speak, adds those of new ones, hashing
   only wordings the index does not hold;
2. removes wordings no sentence uses, and makes again the edges of every node in a bucket
   that a wording entered or left;
3. makes again every component such a node, or a node whose count changed, was in (a
   walk over the edges' index holding the component's node ids only).

Then SQL reads the rows out (a pass over the speaking documents' sentences, on disk) and
the written sentences are sliced from the staged tasks. Python holds a slice of tasks, a
few thousand buckets' members or one component's node ids at a time. What is not
incremental: the rows' SQL pass and the slicing read every clustered sentence of the run again (linear, on disk, without
hashing); a component with thousands of near-copies is walked again whenever one joins.

The threshold was chosen by reading every multi-notice cluster of the bundled corpus
(tests/test_clusters.py lists them): at 0.5 all are the same obligation reworded; the
first pairs below it are sentences on one theme but different acts (推进专项整治三年行动
vs 开展专项整治三年行动回头看 sit at 0.48-0.53 before the length floor drops them).
"""
from __future__ import annotations

import hashlib
import re
import sqlite3
from typing import Callable, Iterable, Iterator, Mapping

import pyarrow as pa

from .schema import TASK_CLUSTERS

THRESHOLD = 0.5  # MinHash-estimated Jaccard of two sentences' 3-gram sets to join them
MEMBER_FLOOR = 0.4  # a member's least similarity to its cluster's representative
MIN_SENTENCE_CHARS = 20  # letters and digits of a sentence, below which it is a slogan
SHINGLE = 3
NUM_PERM = 64
SEED = 1
# LSH bands × values per band: what datasketch's MinHashLSH picks for THRESHOLD 0.5 and 64
# values (the least weighted sum of false positives and negatives); 56 of the 64 are used
BANDS, ROWS = 14, 4
# a bucket's members compare with at most this many leaders: a bucket holds near-copies of
# one wording, so more than a few dissimilar groups in one is chance, not a lead to follow
LEADERS_PER_BUCKET = 8
SLICE_ROWS = 2048  # tasks cut and hashed at a time (a staged batch holds 64k)
SIG_BATCH = 4096  # bucket members whose MinHash values are read together

_SENTENCE_END = re.compile(r"[。；;！!？?\n\t]+")
# the numbering label at a sentence's start: 1、 （3） 二、 ① 10.
_LABEL = re.compile(r"^\s*(?:[（(]?[0-9一二三四五六七八九十]{1,3}[）)、.．]|[①-⑳])\s*")
_NOT_LETTER = re.compile(r"[^\u3400-\u9fffA-Za-z0-9]+")
_CN_COUNT = re.compile(r"[一两二三四五六七八九](?=[次项个轮批])")
_CN_DIGIT = {c: str(i) for i, c in enumerate("〇一二三四五六七八九")} | {"两": "2"}
# Word's bookmarks leak into text exported from some DOCX (“[bookmark: _GoBack]”)
_BOOKMARK = re.compile(r"\[bookmark:[^\]]*\]")


def sentence_spans(text: str) -> tuple[str, list[tuple[int, int, str]]]:
    """A task's text without Word's bookmarks, and ``(start, end, letters)`` of each of its
    sentences in it, slogans left out: the sentence as written is ``clean[start:end]``, so an
    index can keep where a sentence is rather than its text."""
    clean = _BOOKMARK.sub("", text or "")
    out = []
    pos = 0
    for m in [*_SENTENCE_END.finditer(clean), None]:
        start, end = pos, (m.start() if m else len(clean))
        pos = m.end() if m else len(clean)
        label = _LABEL.match(clean[start:end])  # its ^ holds at a slice's start, not at a pos
        start += label.end() if label else 0
        written = clean[start:end]
        start += len(written) - len(written.lstrip())
        written = written.strip()
        letters = _NOT_LETTER.sub("", _CN_COUNT.sub(lambda m: _CN_DIGIT[m.group()], written))
        if len(letters) >= MIN_SENTENCE_CHARS:
            out.append((start, start + len(written), letters))
    return clean, out


def sentences(text: str) -> list[tuple[str, str]]:
    """``(sentence as written, its letters for shingling)`` of a task's text, slogans left out."""
    clean, spans = sentence_spans(text)
    return [(clean[a:b], letters) for a, b, letters in spans]


def node_of(letters: str) -> int:
    """A wording's node: 8 bytes of the BLAKE2b of its letters, as SQLite's signed integer
    (a collision among ten million wordings has odds of about 1 in 200,000)."""
    return int.from_bytes(hashlib.blake2b(letters.encode("utf-8"), digest_size=8).digest(), "little", signed=True)


def _mix(x):
    """splitmix64's finaliser over a uint64 array (wrapping arithmetic): every bit of the
    input moves every bit of the output."""
    import numpy as np

    x = x + np.uint64(0x9E3779B97F4A7C15)
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


_permutations: list = []
_gram_hashes: dict[str, int] = {}
GRAM_CACHE = 1 << 16  # 3-grams whose SHA-1 is kept (cleared when full: ~10 MB at most)
HASH_CHUNK = 64  # wordings whose 3-grams go through numpy together (a 3-gram × value matrix)


def signatures(wordings: list[str]) -> list[bytes]:
    """The MinHash values of each wording's character 3-grams, as NUM_PERM little-endian
    uint32: bit for bit datasketch 2.0's ``MinHash(num_perm=NUM_PERM, seed=SEED)`` (scheme
    "affine32": SHA-1's first 4 bytes of the UTF-8 3-gram, MurmurHash3's fmix32, then
    ``a·h + b`` mod 2³² with the permutations its RandomState(SEED) draws), computed without
    importing datasketch (and scipy through it: 1.4 s a run) and a chunk of wordings at a
    time through numpy; a 3-gram's SHA-1 is looked up in a bounded dictionary first, as the
    same 3-grams come back in wording after wording."""
    import numpy as np

    if not _permutations:
        rng = np.random.RandomState(SEED)
        a = rng.randint(0, 1 << 31, NUM_PERM, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
        _permutations.append((a, rng.randint(0, 1 << 32, NUM_PERM, dtype=np.uint32)))
    a, b = _permutations[0]
    out: list[bytes] = []
    for first in range(0, len(wordings), HASH_CHUNK):
        hashes: list[int] = []
        starts: list[int] = []
        for letters in wordings[first:first + HASH_CHUNK]:  # MIN_SENTENCE_CHARS letters: never no 3-gram
            starts.append(len(hashes))
            for i in range(len(letters) - SHINGLE + 1):
                gram = letters[i:i + SHINGLE]
                h = _gram_hashes.get(gram)
                if h is None:
                    if len(_gram_hashes) >= GRAM_CACHE:
                        _gram_hashes.clear()
                    h = _gram_hashes[gram] = int.from_bytes(
                        hashlib.sha1(gram.encode("utf-8")).digest()[:4], "little")  # noqa: S324 - a hash, no secret
                hashes.append(h)
        hv = np.array(hashes, dtype=np.uint32)
        hv ^= hv >> np.uint32(16)  # fmix32
        hv *= np.uint32(0x85EBCA6B)
        hv ^= hv >> np.uint32(13)
        hv *= np.uint32(0xC2B2AE35)
        hv ^= hv >> np.uint32(16)
        values = hv[:, None] * a[None, :] + b[None, :]
        out += [row.tobytes() for row in np.minimum.reduceat(values, np.asarray(starts), axis=0).astype("<u4")]
    return out


def band_keys(sig: bytes) -> list[tuple[int, int]]:
    """``(band, bucket)`` of a signature in each LSH band: the band's ROWS values mixed into
    a signed 64-bit integer (SQLite's)."""
    return list(enumerate(band_keys_many([sig])[0]))


def band_keys_many(sigs: list[bytes]) -> list[list[int]]:
    """:func:`band_keys`' buckets of many signatures at once, one numpy pass over them all
    (a call per signature cost more than the hashing itself on a small run)."""
    import numpy as np

    if not sigs:
        return []
    v = np.frombuffer(b"".join(sigs), "<u4").reshape(len(sigs), -1)[:, :BANDS * ROWS]
    v = v.astype(np.uint64).reshape(len(sigs), BANDS, ROWS)
    key = np.broadcast_to(np.arange(BANDS, dtype=np.uint64), (len(sigs), BANDS))
    for r in range(ROWS):
        key = _mix(key ^ (v[:, :, r] << np.uint64(32 * (r % 2))))
    return key.view(np.int64).tolist()


def similarity(a: bytes, b: bytes) -> float:
    """The share of equal MinHash values: the estimate of the 3-gram sets' Jaccard similarity."""
    import numpy as np

    return np.count_nonzero(np.frombuffer(a, "<u4") == np.frombuffer(b, "<u4")) / NUM_PERM


# The index (in the cache file of a run; in a temporary database for build_task_clusters).
# A node is a wording; comp is its component's smallest node, rep its representative, size
# the component's node count, sim the node's similarity to rep. Edges are stored once, a < b.
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS cluster_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS cluster_doc (doc_no INTEGER PRIMARY KEY, doc_id TEXT NOT NULL UNIQUE)",
    "CREATE TABLE IF NOT EXISTS cluster_occ (doc_no INTEGER NOT NULL, task_no INTEGER NOT NULL, "
    "sent_no INTEGER NOT NULL, node INTEGER NOT NULL, PRIMARY KEY (doc_no, task_no, sent_no)) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS cluster_node (node INTEGER PRIMARY KEY, sig BLOB NOT NULL, refs INTEGER NOT NULL, "
    "comp INTEGER, rep INTEGER, size INTEGER, degree INTEGER, sim REAL)",
    "CREATE INDEX IF NOT EXISTS cluster_node_comp ON cluster_node (comp)",
    "CREATE TABLE IF NOT EXISTS cluster_band (band INTEGER NOT NULL, bucket INTEGER NOT NULL, node INTEGER NOT NULL, "
    "PRIMARY KEY (band, bucket, node)) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS cluster_edge (a INTEGER NOT NULL, b INTEGER NOT NULL, PRIMARY KEY (a, b)) "
    "WITHOUT ROWID",
    # the task id and where in the task's text each sentence a run's rows named lies (a member
    # or a representative), so the next run slices it out instead of cutting the task again
    "CREATE TABLE IF NOT EXISTS cluster_span (doc_no INTEGER NOT NULL, task_no INTEGER NOT NULL, "
    "sent_no INTEGER NOT NULL, task_id TEXT NOT NULL, start INTEGER NOT NULL, stop INTEGER NOT NULL, "
    "PRIMARY KEY (doc_no, task_no, sent_no)) WITHOUT ROWID",
    "CREATE INDEX IF NOT EXISTS cluster_edge_b ON cluster_edge (b)",
)
_STATE_TABLES = ("cluster_doc", "cluster_occ", "cluster_node", "cluster_band", "cluster_edge", "cluster_span")
# working tables of one run (TEMP: on disk beside the cache when large, gone with the connection)
_WORK = {
    "run_doc": "ord INTEGER PRIMARY KEY, doc_id TEXT NOT NULL, notice TEXT NOT NULL",
    "speaker": "doc_id TEXT PRIMARY KEY, ord INTEGER NOT NULL, notice TEXT NOT NULL",
    "gone": "doc_no INTEGER PRIMARY KEY",
    "fresh": "doc_id TEXT PRIMARY KEY",
    "lost": "node INTEGER PRIMARY KEY, n INTEGER NOT NULL",  # occurrences that went with gone documents
    "changed": "node INTEGER PRIMARY KEY",  # nodes whose occurrence count changed
    "touched": "band INTEGER, bucket INTEGER, PRIMARY KEY (band, bucket)",  # buckets a node entered or left
    "moved": "node INTEGER PRIMARY KEY",  # the members of touched buckets: their edges are made again
    "redo": "band INTEGER, bucket INTEGER, PRIMARY KEY (band, bucket)",  # the buckets of moved nodes
    "redo_comp": "comp INTEGER PRIMARY KEY",  # components made again
    "pending": "node INTEGER PRIMARY KEY",  # nodes whose component is not made yet
    "need": "doc_no INTEGER, task_no INTEGER, sent_no INTEGER, task_id TEXT, start INTEGER, stop INTEGER, text TEXT, "
            "PRIMARY KEY (doc_no, task_no, sent_no)",
}


def _json(values) -> str:
    import json

    return json.dumps(list(values), ensure_ascii=False)


def _task_rows(batch) -> Iterator[tuple[str, str, int | None, str]]:
    """``(doc_id, task_id, task_index or None, text)`` of a batch of tasks."""
    names = batch.schema.names
    cols = [batch.column(n).to_pylist() if n in names else [None] * batch.num_rows
            for n in ("doc_id", "task_id", "task_index", "text")]
    return zip(*cols)


class _TaskNumbers:
    """A task's place in its document: the ``task_index`` column, or its count in the stream."""

    def __init__(self) -> None:
        self.doc: str | None = None
        self.seen = 0

    def __call__(self, doc_id: str, task_index: int | None) -> int:
        if doc_id != self.doc:
            self.doc, self.seen = doc_id, 0
        self.seen += 1
        return task_index if task_index is not None else self.seen - 1


class ClusterIndex:
    """The task sentences of a run's speaking documents, their MinHash, band buckets, edges
    and components, kept in SQLite (``conn``, in autocommit mode) from run to run at ``key``
    (another key: the index starts afresh). :meth:`update` brings it to the run's documents
    and yields the ``task_clusters`` rows."""

    def __init__(self, conn: sqlite3.Connection, key: str = "", *, threshold: float = THRESHOLD):
        self.conn = conn
        self.threshold = threshold
        self.key = f"{key}/{threshold}/{NUM_PERM}x{BANDS}x{ROWS}"
        self.stats: dict[str, int] = {}
        for statement in _SCHEMA:
            conn.execute(statement)

    def update(self, documents: Iterable[tuple[str, str | None]],
               tasks: Callable[[], Iterable[pa.RecordBatch]], *, chunk_rows: int = 10_000) -> Iterator[pa.Table]:
        """Bring the index to ``documents`` (``(doc_id, notice_key)`` in the run's order) whose
        tasks ``tasks()`` streams (``doc_id``, ``task_id``, ``text``, optionally
        ``task_index``; each document's tasks together, in order; called once or twice), then
        yield the table's rows in order, ``chunk_rows`` at a time. The index is changed in one
        transaction: a process killed meanwhile leaves it as the last run left it."""
        c = self.conn
        for name, columns in _WORK.items():
            c.execute(f"DROP TABLE IF EXISTS temp.{name}")
            c.execute(f"CREATE TEMP TABLE {name} ({columns})")
        c.execute("BEGIN IMMEDIATE")
        try:
            row = c.execute("SELECT value FROM cluster_meta WHERE name = 'key'").fetchone()
            if row is None or row[0] != self.key:
                for table in _STATE_TABLES:
                    c.execute(f"DELETE FROM {table}")  # noqa: S608 - names from this module
                c.execute("INSERT OR REPLACE INTO cluster_meta VALUES ('key', ?)", (self.key,))
            c.executemany("INSERT INTO run_doc VALUES (?, ?, ?)",
                          ((i, d, n or d) for i, (d, n) in enumerate(documents)))
            # the first document of each notice in the run's order speaks for it (SQLite takes
            # a bare column from the row that gives min())
            c.execute("INSERT INTO speaker SELECT doc_id, min(ord), notice FROM run_doc GROUP BY notice")
            self._forget_gone()
            self._add_fresh(tasks)
            self._edges()
            self._components()
            c.execute("COMMIT")
        except BaseException:
            c.execute("ROLLBACK")
            raise
        yield from self._rows(tasks, chunk_rows)

    # ------------------------------------------------------------------ documents

    def _forget_gone(self) -> None:
        """Drop the sentences of documents that no longer speak in the run."""
        c = self.conn
        c.execute("INSERT INTO gone SELECT doc_no FROM cluster_doc WHERE doc_id NOT IN (SELECT doc_id FROM speaker)")
        c.execute("INSERT INTO lost SELECT node, count(*) FROM cluster_occ "
                  "WHERE doc_no IN (SELECT doc_no FROM gone) GROUP BY node")
        c.execute("UPDATE cluster_node SET refs = refs - (SELECT n FROM lost WHERE lost.node = cluster_node.node) "
                  "WHERE node IN (SELECT node FROM lost)")
        c.execute("INSERT OR IGNORE INTO changed SELECT node FROM lost")
        c.execute("DELETE FROM cluster_occ WHERE doc_no IN (SELECT doc_no FROM gone)")
        c.execute("DELETE FROM cluster_span WHERE doc_no IN (SELECT doc_no FROM gone)")
        self.stats["documents_gone"] = c.execute(
            "DELETE FROM cluster_doc WHERE doc_no IN (SELECT doc_no FROM gone)").rowcount

    def _add_fresh(self, tasks: Callable[[], Iterable[pa.RecordBatch]]) -> None:
        """Cut the new speaking documents' tasks into sentences; hash the wordings the index
        does not hold yet and put them in their band buckets."""
        c = self.conn
        c.execute("INSERT INTO fresh SELECT doc_id FROM speaker WHERE doc_id NOT IN (SELECT doc_id FROM cluster_doc)")
        c.execute("INSERT INTO cluster_doc (doc_id) SELECT doc_id FROM fresh")
        self.from_empty = c.execute("SELECT 1 FROM cluster_node LIMIT 1").fetchone() is None
        self.stats["documents_new"] = c.execute("SELECT count(*) FROM fresh").fetchone()[0]
        self.stats["wordings_hashed"] = 0
        if not self.stats["documents_new"]:
            return
        number = _TaskNumbers()
        for batch in tasks():
            for offset in range(0, batch.num_rows, SLICE_ROWS):  # a slice's sentences at a time
                self._add_slice(batch.slice(offset, SLICE_ROWS), number)

    def _add_slice(self, batch: pa.RecordBatch, number: _TaskNumbers) -> None:
        c = self.conn
        ids = list(dict.fromkeys(batch.column("doc_id").to_pylist()))
        doc_no = dict(c.execute("SELECT d.doc_id, d.doc_no FROM cluster_doc d JOIN fresh f ON f.doc_id = d.doc_id "
                                "WHERE d.doc_id IN (SELECT value FROM json_each(?))", (_json(ids),)))
        if not doc_no:
            return
        occ: list[tuple[int, int, int, int]] = []
        count: dict[int, int] = {}
        letters_of: dict[int, str] = {}
        for did, _tid, index, text in _task_rows(batch):
            if did not in doc_no:
                continue
            task_no = number(did, index)
            for k, (_written, letters) in enumerate(sentences(text)):
                node = node_of(letters)
                occ.append((doc_no[did], task_no, k, node))
                count[node] = count.get(node, 0) + 1
                letters_of.setdefault(node, letters)
        c.executemany("INSERT INTO cluster_occ VALUES (?, ?, ?, ?)", occ)
        known = {r[0] for r in c.execute("SELECT node FROM cluster_node WHERE node IN "
                                         "(SELECT value FROM json_each(?))", (_json(count),))}
        c.executemany("UPDATE cluster_node SET refs = refs + ? WHERE node = ?",
                      [(n, node) for node, n in count.items() if node in known])
        born = [node for node in count if node not in known]
        sigs = list(zip(born, signatures([letters_of[node] for node in born])))
        self.stats["wordings_hashed"] += len(sigs)
        c.executemany("INSERT INTO cluster_node (node, sig, refs) VALUES (?, ?, ?)",
                      [(node, sig, count[node]) for node, sig in sigs])
        bands = [(b, bucket, node) for (node, _), keys in zip(sigs, band_keys_many([sig for _, sig in sigs]))
                 for b, bucket in enumerate(keys)]
        c.executemany("INSERT INTO cluster_band VALUES (?, ?, ?)", bands)
        if not self.from_empty:  # from an empty index every bucket is made, none needs naming
            c.executemany("INSERT OR IGNORE INTO touched VALUES (?, ?)", [(b, k) for b, k, _ in bands])
            c.executemany("INSERT OR IGNORE INTO changed VALUES (?)", [(node,) for node in count])

    # ------------------------------------------------------------------ edges

    def _edges(self) -> None:
        """Remove the wordings no sentence uses any more, then make again the edges of every
        node in a bucket that a wording entered or left (and of every other bucket of those
        nodes: edges are stored without their bucket)."""
        c = self.conn
        died = c.execute("SELECT node, sig, comp FROM cluster_node WHERE refs <= 0 "
                         "AND node IN (SELECT node FROM changed)").fetchall()
        for node, sig, comp in died:
            keys = band_keys(sig)
            c.executemany("INSERT OR IGNORE INTO touched VALUES (?, ?)", keys)
            c.executemany("DELETE FROM cluster_band WHERE band = ? AND bucket = ? AND node = ?",
                          [(b, k, node) for b, k in keys])
            if comp is not None:
                c.execute("INSERT OR IGNORE INTO redo_comp VALUES (?)", (comp,))
        c.executemany("DELETE FROM cluster_edge WHERE a = ?", [(n,) for n, _, _ in died])
        c.executemany("DELETE FROM cluster_edge WHERE b = ?", [(n,) for n, _, _ in died])
        c.executemany("DELETE FROM cluster_node WHERE node = ?", [(n,) for n, _, _ in died])
        c.executemany("DELETE FROM changed WHERE node = ?", [(n,) for n, _, _ in died])
        self.stats["wordings_gone"] = len(died)

        # CROSS JOIN keeps SQLite's order: the small working table outside (it has no statistics,
        # and a scan of every bucket would cost what the whole index holds)
        c.execute("INSERT OR IGNORE INTO moved SELECT b.node FROM touched t "
                  "CROSS JOIN cluster_band b ON b.band = t.band AND b.bucket = t.bucket")
        cur = c.execute("SELECT n.sig FROM moved m CROSS JOIN cluster_node n ON n.node = m.node")
        while rows := cur.fetchmany(1000):
            c.executemany("INSERT OR IGNORE INTO redo VALUES (?, ?)",
                          [(b, k) for keys in band_keys_many([sig for (sig,) in rows]) for b, k in enumerate(keys)])
        c.execute("DELETE FROM cluster_edge WHERE a IN (SELECT node FROM moved)")
        c.execute("DELETE FROM cluster_edge WHERE b IN (SELECT node FROM moved)")

        # each bucket's members in the order of their nodes (the buckets' own order: no sort);
        # buckets of two nodes or more are held as node ids until SIG_BATCH nodes wait, then
        # their MinHash values are read in one query. From an empty index: every bucket
        cur = c.execute("SELECT band, bucket, node FROM cluster_band ORDER BY band, bucket, node") \
            if self.from_empty else \
            c.execute("SELECT r.band, r.bucket, b.node FROM redo r "
                      "CROSS JOIN cluster_band b ON b.band = r.band AND b.bucket = r.bucket "
                      "ORDER BY r.band, r.bucket, b.node")
        groups: list[list[int]] = []
        edges: list[tuple[int, int]] = []
        current, members, held = None, [], 0
        while rows := cur.fetchmany(5000):
            for band, bucket, node in rows:
                if (band, bucket) != current:
                    if len(members) > 1:
                        groups.append(members)
                        held += len(members)
                    current, members = (band, bucket), []
                members.append(node)
            if held >= SIG_BATCH:
                self._join_buckets(groups, edges)
                held = 0
        if len(members) > 1:
            groups.append(members)
        self._join_buckets(groups, edges)
        self.stats["buckets_redone"] = c.execute("SELECT count(*) FROM redo").fetchone()[0]

    def _join_buckets(self, groups: list[list[int]], edges: list[tuple[int, int]]) -> None:
        """Each bucket's members (in node order) join the first of its leaders they are
        similar enough to, or lead; the edges are stored and the lists emptied."""
        sig_of = dict(self.conn.execute("SELECT node, sig FROM cluster_node WHERE node IN "
                                        "(SELECT value FROM json_each(?))", (_json({n for g in groups for n in g}),)))
        for members in groups:
            leaders: list[int] = []
            for node in members:
                for leader in leaders:
                    if similarity(sig_of[leader], sig_of[node]) >= self.threshold:
                        edges.append((leader, node))
                        break
                else:
                    if len(leaders) < LEADERS_PER_BUCKET:
                        leaders.append(node)
        groups.clear()
        self.conn.executemany("INSERT OR IGNORE INTO cluster_edge VALUES (?, ?)", edges)
        edges.clear()

    # ------------------------------------------------------------------ components

    def _components(self) -> None:
        """Make again every component that a moved node, a node whose count changed or a
        removed node was in: its nodes, representative and members' similarities."""
        c = self.conn
        for nodes in ("moved", "changed"):  # driven by the small tables, never a scan of every node
            c.execute(f"INSERT OR IGNORE INTO redo_comp SELECT n.comp FROM {nodes} m "  # noqa: S608
                      "CROSS JOIN cluster_node n ON n.node = m.node WHERE n.comp IS NOT NULL")
        c.execute("INSERT OR IGNORE INTO pending SELECT n.node FROM redo_comp r "
                  "CROSS JOIN cluster_node n ON n.comp = r.comp")
        c.execute("INSERT OR IGNORE INTO pending SELECT node FROM moved")
        c.execute("INSERT OR IGNORE INTO pending SELECT node FROM changed")
        if self.from_empty:
            c.execute("INSERT OR IGNORE INTO pending SELECT node FROM cluster_node")
        # no label of a component being made again is left to be mistaken for a new one's
        c.execute("UPDATE cluster_node SET comp = NULL WHERE node IN (SELECT node FROM pending)")
        # nodes without an edge are components of one, made in one statement
        alone = ("SELECT p.node FROM pending p WHERE NOT EXISTS (SELECT 1 FROM cluster_edge e WHERE e.a = p.node) "
                 "AND NOT EXISTS (SELECT 1 FROM cluster_edge e WHERE e.b = p.node)")
        c.execute("UPDATE cluster_node SET comp = node, rep = node, size = 1, degree = 0, sim = 1.0 "
                  f"WHERE node IN ({alone})")  # noqa: S608 - a query of this module
        c.execute(f"DELETE FROM pending WHERE node IN ({alone})")  # noqa: S608
        made = 0
        while (start := c.execute("SELECT min(node) FROM pending").fetchone()[0]) is not None:
            self._component(start)
            made += 1
        self.stats["components_redone"] = made

    def _component(self, start: int) -> None:
        """Walk the component of ``start`` over the edges' index, holding only its node ids;
        its degrees and label are written as the walk goes, then its representative (the
        wording most sentences use, then the most connected, then the smallest node) is
        found with SQL and the members' similarities to it computed SIG_BATCH at a time."""
        c = self.conn
        seen = {start}
        todo = [start]
        degrees: list[tuple[int, int]] = []
        while todo:
            node = todo.pop()
            n = 0
            for (other,) in c.execute("SELECT b FROM cluster_edge WHERE a = ? UNION ALL "
                                      "SELECT a FROM cluster_edge WHERE b = ?", (node, node)):
                n += 1
                if other not in seen:
                    seen.add(other)
                    todo.append(other)
            degrees.append((n, node))
            if len(degrees) >= SIG_BATCH or not todo:
                c.executemany("UPDATE cluster_node SET degree = ? WHERE node = ?", degrees)
                c.executemany("DELETE FROM pending WHERE node = ?", [(node,) for _, node in degrees])
                degrees.clear()
        comp, size = min(seen), len(seen)
        members = sorted(seen)
        del seen
        for i in range(0, size, SIG_BATCH):
            c.execute("UPDATE cluster_node SET comp = ? WHERE node IN (SELECT value FROM json_each(?))",
                      (comp, _json(members[i:i + SIG_BATCH])))
        del members
        rep, rep_sig = c.execute("SELECT node, sig FROM cluster_node WHERE comp = ? "
                                 "ORDER BY refs DESC, degree DESC, node LIMIT 1", (comp,)).fetchone()
        after = None
        while True:  # by node within the component (the comp index holds the node): a page at a time
            page = c.execute("SELECT node, sig FROM cluster_node WHERE comp = ? AND node > ? ORDER BY node LIMIT ?",
                             (comp, after if after is not None else -(1 << 63), SIG_BATCH)).fetchall() \
                if after is not None else \
                c.execute("SELECT node, sig FROM cluster_node WHERE comp = ? ORDER BY node LIMIT ?",
                          (comp, SIG_BATCH)).fetchall()
            if not page:
                break
            c.executemany("UPDATE cluster_node SET rep = ?, size = ?, sim = ? WHERE node = ?",
                          [(rep, size, 1.0 if node == rep else similarity(sig, rep_sig), node) for node, sig in page])
            after = page[-1][0]

    # ------------------------------------------------------------------ rows

    def _rows(self, tasks: Callable[[], Iterable[pa.RecordBatch]], chunk_rows: int) -> Iterator[pa.Table]:
        """The table's rows from the index: per cluster and task the task's sentence most
        similar to the representative (the first on a tie), clusters of two notices or more."""
        c = self.conn
        for name in ("member", "kept", "cluster"):
            c.execute(f"DROP TABLE IF EXISTS temp.{name}")
        # the speaking documents' sentences whose wording is in a component of two wordings
        # or used twice, close enough to their representative
        c.execute("CREATE TEMP TABLE member AS SELECT n.rep AS rep, n.node AS node, s.ord AS ord, "
                  "s.notice AS notice, d.doc_no AS doc_no, o.task_no AS task_no, o.sent_no AS sent_no, n.sim AS sim "
                  "FROM speaker s JOIN cluster_doc d ON d.doc_id = s.doc_id JOIN cluster_occ o ON o.doc_no = d.doc_no "
                  "JOIN cluster_node n ON n.node = o.node WHERE (n.size >= 2 OR n.refs >= 2) AND n.sim >= ?",
                  (MEMBER_FLOOR,))
        c.execute("CREATE TEMP TABLE kept AS SELECT rep, ord, notice, doc_no, task_no, sent_no, sim FROM "
                  "(SELECT *, row_number() OVER (PARTITION BY rep, doc_no, task_no ORDER BY sim DESC, sent_no) AS k "
                  "FROM member) WHERE k = 1 AND rep IN "
                  "(SELECT rep FROM member GROUP BY rep HAVING count(DISTINCT notice) >= 2)")
        # per cluster: its first member in the run's order (its id) and the representative's
        # first sentence (its text)
        c.execute("CREATE TEMP TABLE cluster AS SELECT f.rep AS rep, f.doc_no AS f_doc, f.task_no AS f_task, "
                  "f.sent_no AS f_sent, r.doc_no AS r_doc, r.task_no AS r_task, r.sent_no AS r_sent FROM "
                  "(SELECT *, row_number() OVER (PARTITION BY rep ORDER BY ord, task_no, sent_no) AS k FROM kept) f "
                  "JOIN (SELECT *, row_number() OVER (PARTITION BY rep ORDER BY ord, task_no, sent_no) AS k "
                  "FROM member WHERE node = rep AND rep IN (SELECT rep FROM kept)) r ON r.rep = f.rep AND r.k = 1 "
                  "WHERE f.k = 1")
        c.execute("INSERT OR IGNORE INTO need (doc_no, task_no, sent_no) SELECT doc_no, task_no, sent_no FROM kept")
        c.execute("INSERT OR IGNORE INTO need (doc_no, task_no, sent_no) SELECT r_doc, r_task, r_sent FROM cluster")
        c.execute("UPDATE need SET task_id = t.task_id, start = t.start, stop = t.stop FROM cluster_span t "
                  "WHERE t.doc_no = need.doc_no AND t.task_no = need.task_no AND t.sent_no = need.sent_no")
        if c.execute("SELECT 1 FROM need LIMIT 1").fetchone():
            self._texts(tasks)
        cur = c.execute(
            "SELECT 'c' || fn.task_id || '-s' || cl.f_sent AS cluster_id, nk.task_id AS task_id, d.doc_id, k.notice, "
            "rn.text, nk.text, k.sim FROM kept k JOIN cluster cl ON cl.rep = k.rep "
            "JOIN need nk ON nk.doc_no = k.doc_no AND nk.task_no = k.task_no AND nk.sent_no = k.sent_no "
            "JOIN need fn ON fn.doc_no = cl.f_doc AND fn.task_no = cl.f_task AND fn.sent_no = cl.f_sent "
            "JOIN need rn ON rn.doc_no = cl.r_doc AND rn.task_no = cl.r_task AND rn.sent_no = cl.r_sent "
            "JOIN cluster_doc d ON d.doc_no = k.doc_no ORDER BY cluster_id, task_id")
        while rows := cur.fetchmany(chunk_rows):
            cols = list(zip(*rows))
            cols[-1] = [round(s, 4) for s in cols[-1]]
            yield pa.Table.from_arrays([pa.array(col, f.type) for col, f in zip(cols, TASK_CLUSTERS)],
                                       schema=TASK_CLUSTERS)
        for name in ("member", "kept", "cluster"):
            c.execute(f"DROP TABLE IF EXISTS temp.{name}")

    def _texts(self, tasks: Callable[[], Iterable[pa.RecordBatch]]) -> None:
        """The written sentences the rows name, sliced from the tasks read again where an
        earlier run kept the sentence's place (``cluster_span``), else cut anew and kept."""
        c = self.conn
        number = _TaskNumbers()
        slices = (b.slice(i, SLICE_ROWS) for b in tasks() for i in range(0, b.num_rows, SLICE_ROWS))
        for batch in slices:
            ids = list(dict.fromkeys(batch.column("doc_id").to_pylist()))
            doc_no = dict(c.execute("SELECT doc_id, doc_no FROM cluster_doc WHERE doc_id IN "
                                    "(SELECT value FROM json_each(?)) AND doc_no IN (SELECT doc_no FROM need)",
                                    (_json(ids),)))
            if not doc_no:
                continue
            wanted: dict[tuple[int, int], list[tuple[int, int | None, int | None]]] = {}
            for dn, task_no, sent_no, start, stop in c.execute(
                    "SELECT doc_no, task_no, sent_no, start, stop FROM need WHERE doc_no IN "
                    "(SELECT value FROM json_each(?))", (_json(doc_no.values()),)):
                wanted.setdefault((dn, task_no), []).append((sent_no, start, stop))
            found, spans = [], []
            for did, tid, index, text in _task_rows(batch):
                if did not in doc_no:
                    continue
                key = (doc_no[did], number(did, index))
                if key not in wanted:
                    continue
                if all(start is not None for _, start, _ in wanted[key]):
                    clean = _BOOKMARK.sub("", text or "")
                    found += [(tid, clean[start:stop], *key, k) for k, start, stop in wanted[key]]
                    continue
                clean, cut = sentence_spans(text)
                for k, _start, _stop in wanted[key]:
                    if k < len(cut):
                        found.append((tid, clean[cut[k][0]:cut[k][1]], *key, k))
                        spans.append((*key, k, tid, cut[k][0], cut[k][1]))
            c.executemany("UPDATE need SET task_id = ?, text = ? WHERE doc_no = ? AND task_no = ? AND sent_no = ?",
                          found)
            if spans:  # one commit a batch: autocommit would sync the file at every row
                c.execute("BEGIN")
                c.executemany("INSERT OR REPLACE INTO cluster_span VALUES (?, ?, ?, ?, ?, ?)", spans)
                c.execute("COMMIT")


def build_task_clusters(batches: Iterable[pa.RecordBatch], notice_of: Mapping[str, str] | None = None, *,
                        threshold: float = THRESHOLD) -> pa.Table:
    """The ``task_clusters`` table of the tasks in ``batches`` (RecordBatches or Tables with
    ``task_id``, ``doc_id``, ``text``, each document's tasks together), in a fresh index in
    memory. ``notice_of`` maps ``doc_id`` to ``notice_key`` (without it every document is its
    own notice). Rows are sorted by cluster, then by task id; cluster ids are stable for the
    same input (``c`` + the task id and sentence number of the cluster's first member in input
    order). A run keeps its index in its cache instead (:class:`ClusterIndex`)."""
    notice_of = notice_of or {}
    held = [b.to_batches() if isinstance(b, pa.Table) else [b] for b in batches]
    held = [b for bs in held for b in bs]
    documents = dict.fromkeys(d for b in held for d in b.column("doc_id").to_pylist())
    conn = sqlite3.connect(":memory:", isolation_level=None)
    try:
        index = ClusterIndex(conn, threshold=threshold)
        parts = list(index.update(((d, notice_of.get(d)) for d in documents), lambda: iter(held)))
    finally:
        conn.close()
    return pa.concat_tables(parts) if parts else TASK_CLUSTERS.empty_table()


__all__ = ["build_task_clusters", "ClusterIndex", "sentences", "THRESHOLD", "MEMBER_FLOOR", "MIN_SENTENCE_CHARS"]
