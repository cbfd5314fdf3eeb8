"""The two-level cache that makes re-runs incremental, and cheap after a rule change.

Reading a file (OCR at 1–3 s a page, LibreOffice for a ``.doc``) costs far more
than segmenting and extracting it, and rules change far more often than readers.
So the cache keeps the two apart, in one SQLite file ``OUT/.cache/cache.sqlite``:

- **level 1, ``ingested``**: the :class:`~policyparse.model.Document` a reader
  made (text, pages, blocks, tables, source meta, OCR results), keyed by the
  content hash and the *ingest fingerprint*: a hash of the code that reads files
  (``ingest/`` and every module it imports, found from the import statements) and
  of the gazetteer files that code names (``layout.yaml``, ``html.yaml`` …), plus
  the OCR switch;
- **level 2, ``extracted``**: the rows of every table for that document, keyed by
  the level-1 key and the *extraction fingerprint*: the package's whole source,
  ``pipeline.yaml``, every gazetteer, the pipeline and schema versions.

A pattern fix (``gazetteers/patterns/deadline.yaml``) changes the extraction
fingerprint only: the next run takes every Document from level 1 and runs the
components again, with no reader, OCR or LibreOffice.

Why one SQLite file rather than a file per entry: ten thousand small files cost a
file-system block each (a 300-byte entry takes 4 KB), and a power loss can tear
any of them; SQLite packs entries into pages, commits each entry atomically and
reuses the pages pruned entries leave. Entries are compressed with zstd and a
dictionary per level trained on the file's first entries (notices share much of
their wording, which one entry alone cannot exploit). Only the batch's parent process writes; workers open the file read-only
to look up level 1 (:func:`lookup_ingested`). An entry that does not decode (a
torn page, a truncated blob) is a miss, never an error: the document is read again.

Source paths are not part of any key: a moved or copied file is not read again;
the batch writes the current paths into ``documents`` when it assembles the tables.
Failures are not cached at level 2: a failing file is tried again on the next run
(its cause may have been a missing program that is installed since).
"""
from __future__ import annotations

import ast
import contextlib
import dataclasses
import datetime as dt
import functools
import hashlib
import json
import os
import re
import shutil
import sqlite3
import struct
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.ipc as ipc
import zstandard

from .. import model
from ..model import SCHEMA_VERSION, Document
from .schema import DOC_TABLES

CACHE_DIRNAME = ".cache"
DB_NAME = "cache.sqlite"
PACKAGE_ROOT = Path(__file__).resolve().parent.parent
# what the batch hands its workers so they can look up level 1 themselves
ENV_DB = "POLICYPARSE_CACHE_DB"
ENV_INGEST_KEY = "POLICYPARSE_INGEST_KEY"
ENV_OCR_KEY = "POLICYPARSE_OCR_KEY"

_MAGIC = b"PPZ2"
ZSTD_LEVEL = 6
# a zstd dictionary per level, trained once per cache file on its first entries: notices
# share most of their wording (版头, boilerplate, the column names of Arrow IPC), which
# one document alone cannot exploit; with the dictionary an entry stores what is its own
DICT_SAMPLES = 64
DICT_BYTES = 112 * 1024


# --------------------------------------------------------------------------- fingerprints


def gazetteer_root() -> Path | None:
    from ..gazetteer import gazetteer_dir

    try:
        return gazetteer_dir()
    except Exception:  # noqa: BLE001 - no gazetteers folder: key on its absence
        return None


def _module_file(parts: list[str]) -> Path | None:
    """``["ingest", "layout"]`` → ``policyparse/ingest/layout.py`` (or a package's __init__)."""
    base = PACKAGE_ROOT.joinpath(*parts) if parts else PACKAGE_ROOT
    for cand in (base.with_suffix(".py"), base / "__init__.py"):
        if parts and cand.is_file():
            return cand
    return None


def _imports_of(path: Path) -> set[Path]:
    """The package modules ``path`` imports (relative or ``policyparse.…``), at any depth
    of the file (lazy imports inside functions count: they run when a reader runs).
    Parsing the readers' sources costs a third of a second; a process that runs several
    batches (a notebook, a service, the benchmarks) parses a file again only when it changed."""
    st = path.stat()
    return set(_imports_of_version(path, st.st_mtime_ns, st.st_size))


@functools.lru_cache(maxsize=512)
def _imports_of_version(path: Path, _mtime_ns: int, _size: int) -> frozenset[Path]:
    rel = path.relative_to(PACKAGE_ROOT).with_suffix("").parts
    package = list(rel[:-1]) if path.name != "__init__.py" else list(rel[:-1])
    found: set[Path] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets: list[list[str]] = []
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[:len(package) - (node.level - 1)] if node.level > 1 else package
                mod = base + (node.module.split(".") if node.module else [])
            elif node.module and node.module.split(".")[0] == "policyparse":
                mod = node.module.split(".")[1:]
            else:
                continue
            targets.append(mod)
            targets += [mod + [a.name] for a in node.names]  # `from . import layout`
        elif isinstance(node, ast.Import):
            targets += [a.name.split(".")[1:] for a in node.names if a.name.split(".")[0] == "policyparse"]
        for mod in targets:
            f = _module_file(mod)
            if f is not None:
                found.add(f)
            # importing policyparse.ingest.x runs policyparse/ingest/__init__.py first
            for i in range(1, len(mod)):
                init = _module_file(mod[:i])
                if init is not None and init.name == "__init__.py":
                    found.add(init)
    # the package's own __init__ imports the whole pipeline for users' convenience; what a
    # reader computes does not depend on it
    found.discard(PACKAGE_ROOT / "__init__.py")
    return frozenset(found)


def ingest_sources() -> list[Path]:
    """The Python files whose code decides what a reader makes of a file: ``ingest/``,
    ``model.py`` and every module they import, transitively."""
    todo = sorted((PACKAGE_ROOT / "ingest").rglob("*.py")) + [PACKAGE_ROOT / "model.py"]
    seen: set[Path] = set()
    while todo:
        p = todo.pop()
        if p in seen:
            continue
        seen.add(p)
        todo.extend(_imports_of(p) - seen)
    return sorted(seen)


# the schema module names every gazetteer file: its names are not what a module reads
_NAMES_ONLY = {"gazetteer_schema.py"}


def ingest_gazetteers(sources: list[Path], root: Path | None) -> list[Path]:
    """The gazetteer files the reading code names (``"layout.yaml"``, ``GAZETTEER = …``)."""
    if root is None:
        return []
    names: set[str] = set()
    for p in sources:
        if p.name in _NAMES_ONLY:
            continue
        names |= set(re.findall(r"[\"']([\w/.-]+\.(?:ya?ml|csv))[\"']", p.read_text(encoding="utf-8")))
    return sorted(root / n for n in names if (root / n).is_file())


def _hash_files(h, files: list[Path], base: Path) -> None:
    for p in files:
        h.update(str(p.relative_to(base)).encode())
        h.update(b"\0")
        h.update(p.read_bytes())


def _fingerprints(gaz_root: Path | None) -> tuple[str, str, str]:
    """The ingest, extraction and code fingerprints; the package's sources are read once."""
    sources = ingest_sources()
    h = hashlib.sha256(b"ingest\0")
    _hash_files(h, sources, PACKAGE_ROOT)
    if gaz_root is not None:
        _hash_files(h, ingest_gazetteers(sources, gaz_root), gaz_root)
    ingest = h.hexdigest()[:16]
    code = hashlib.sha256()
    _hash_files(code, sorted(PACKAGE_ROOT.rglob("*.py")), PACKAGE_ROOT)
    h = hashlib.sha256(b"extract\0" + code.digest())
    _hash_files(h, [PACKAGE_ROOT / "pipeline.yaml"], PACKAGE_ROOT)
    if gaz_root is not None:
        _hash_files(h, sorted(p for p in gaz_root.rglob("*") if p.is_file()), gaz_root)
    return ingest, h.hexdigest()[:16], code.hexdigest()[:16]


@dataclass(frozen=True)
class CacheKeys:
    ingest: str  # level 1: the reading code and its gazetteers, and the OCR switch
    rows: str  # level 2: the level-1 key and the extraction fingerprint
    parts: dict


# the fingerprints this process computed last, with the state of the files they read: a
# process that runs several batches (a notebook, a service, the benchmarks) reads and
# hashes the package and the gazetteers again only when a file changed (10-15 ms a run)
_last_fingerprints: dict[Path | None, tuple[tuple, tuple[str, str, str, str]]] = {}


def _files_state(gaz_root: Path | None) -> tuple:
    """Path, size, mtime, ctime and inode of every file the fingerprints read (the package's
    ``.py`` files and ``pipeline.yaml``, every gazetteer file): a write, a new file, a
    removed or a replaced one changes it."""
    from ..gazetteer import gazetteer_dir

    try:
        installed = gazetteer_dir()  # what gazetteer.fingerprint reads (gaz_root, but for tests)
    except Exception:  # noqa: BLE001
        installed = None
    state = []
    roots = [(PACKAGE_ROOT, (".py", ".yaml")), (gaz_root, None)]
    if installed != gaz_root:
        roots.append((installed, None))
    for root, wanted in roots:
        if root is None:
            continue
        for folder, subfolders, names in os.walk(root):
            subfolders[:] = sorted(d for d in subfolders if d != "__pycache__")
            for name in sorted(names):
                if wanted is None or name.endswith(wanted):
                    path = os.path.join(folder, name)
                    try:
                        st = os.stat(path)
                    except OSError:
                        continue
                    state.append((path, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino))
    return tuple(state)


def _all_fingerprints(root: Path | None) -> tuple[str, str, str, str]:
    """The ingest, extraction and code fingerprints and the gazetteers' (_fingerprints and
    gazetteer.fingerprint), from this process's last computation when no file changed."""
    from ..gazetteer import fingerprint as gazetteer_fingerprint

    state = _files_state(root)
    last = _last_fingerprints.get(root)
    if last is not None and last[0] == state:
        return last[1]
    ingest_fp, extract_fp, code_fp = _fingerprints(root)
    try:
        gaz = gazetteer_fingerprint()
    except Exception:  # noqa: BLE001 - no gazetteers folder yet: key on its absence
        gaz = "none"
    _last_fingerprints.clear()
    _last_fingerprints[root] = (state, (ingest_fp, extract_fp, code_fp, gaz))
    return ingest_fp, extract_fp, code_fp, gaz


def cache_keys(*, ocr: bool) -> CacheKeys:
    """The keys of both levels for the code and data installed now."""
    from ..pipeline import PIPELINE_VERSION

    ingest_fp, extract_fp, code_fp, gaz = _all_fingerprints(gazetteer_root())
    ingest = hashlib.sha256(json.dumps([ingest_fp, bool(ocr)]).encode()).hexdigest()[:16]
    parts = {"pipeline_version": PIPELINE_VERSION, "schema_version": SCHEMA_VERSION,
             "code_fingerprint": code_fp, "gazetteer_fingerprint": gaz, "ocr": bool(ocr),
             "ingest_fingerprint": ingest_fp, "extraction_fingerprint": extract_fp}
    rows = hashlib.sha256(json.dumps([ingest, extract_fp, PIPELINE_VERSION, SCHEMA_VERSION]).encode()
                          ).hexdigest()[:16]
    return CacheKeys(ingest, rows, parts)


def ocr_sources() -> list[Path]:
    """The Python files one page's OCR runs: ``ingest/pdf_scan.py`` (which holds the page
    encoding and its version) and every module it imports, transitively."""
    todo, seen = [PACKAGE_ROOT / "ingest" / "pdf_scan.py"], set()
    while todo:
        p = todo.pop()
        if p not in seen:
            seen.add(p)
            todo.extend(_imports_of(p) - seen)
    return sorted(seen)


def ocr_fingerprint() -> str:
    """The key of the per-page OCR entries: :func:`ocr_sources` and the gazetteer files
    they name. Narrower than the ingest fingerprint on purpose: a change to the text-PDF
    reader, the DOCX reader or a rule re-reads documents from the cached pages instead of
    OCRing them again."""
    sources, root = ocr_sources(), gazetteer_root()
    h = hashlib.sha256(b"ocr-page\0")
    _hash_files(h, sources, PACKAGE_ROOT)
    if root is not None:
        _hash_files(h, ingest_gazetteers(sources, root), root)
    return h.hexdigest()[:16]


# --------------------------------------------------------------------------- compression


# (de)compressors by dictionary: making one digests its dictionary, so each is made once
_compressors: dict[int, zstandard.ZstdCompressor] = {}
_decompressors: dict[int, zstandard.ZstdDecompressor] = {}


def _coder(table: dict, make, zdict):
    key = id(zdict) if zdict is not None else 0
    entry = table.get(key)
    if entry is None or entry[0] is not zdict:  # the entry holds its dictionary: no id reuse
        if len(table) > 8:
            table.clear()
        entry = table[key] = (zdict, make(zdict))
    return entry[1]


def compress(raw: bytes, dict_id: int = 0, zdict: zstandard.ZstdCompressionDict | None = None) -> bytes:
    """``raw`` → an entry: magic, the dictionary's id (0: none), raw size, a zstd frame."""
    c = _coder(_compressors, lambda d: zstandard.ZstdCompressor(level=ZSTD_LEVEL, dict_data=d)
               if d is not None else zstandard.ZstdCompressor(level=ZSTD_LEVEL), zdict)
    return _MAGIC + struct.pack("<IQ", dict_id, len(raw)) + c.compress(raw)


def entry_dict_id(blob: bytes) -> int:
    if len(blob) < 16 or blob[:4] != _MAGIC:
        raise ValueError("not a cache entry")
    return struct.unpack_from("<I", blob, 4)[0]


def decompress(blob: bytes, zdict: zstandard.ZstdCompressionDict | None = None) -> bytes:
    """The raw bytes, or ValueError for anything torn or foreign."""
    entry_dict_id(blob)
    (size,) = struct.unpack_from("<Q", blob, 8)
    try:
        d = _coder(_decompressors, lambda z: zstandard.ZstdDecompressor(dict_data=z)
                   if z is not None else zstandard.ZstdDecompressor(), zdict)
        raw = d.decompress(memoryview(blob)[16:], max_output_size=size)
    except zstandard.ZstdError as e:
        raise ValueError(f"torn cache entry: {e}") from e
    if len(raw) != size:
        raise ValueError("torn cache entry")
    return raw


# --------------------------------------------------------------------------- level 2: rows


def pack(tables: dict[str, pa.Table]) -> bytes:
    """Every table of one document → one byte string: each table's rows as an Arrow
    IPC record-batch message *without* its schema (the schema is :data:`DOC_TABLES`,
    so it is not repeated ten thousand times), framed by lengths. The cache
    compresses it (:func:`compress`)."""
    frames = []
    for name, schema in DOC_TABLES.items():
        t = tables[name].cast(schema)
        batch = pa.RecordBatch.from_arrays([c.combine_chunks() for c in t.columns], schema=schema)
        frames.append(batch.serialize().to_pybytes())
    head = struct.pack(f"<{len(frames) + 1}Q", len(frames), *map(len, frames))
    return head + b"".join(frames)


def unpack(data: bytes | pa.Buffer) -> dict[str, pa.Table]:
    """The inverse of :func:`pack`; ValueError when the blob is torn."""
    raw = bytes(data)
    try:
        (n,) = struct.unpack_from("<Q", raw, 0)
        if n != len(DOC_TABLES):
            raise ValueError("a cache entry of another schema")
        sizes = struct.unpack_from(f"<{n}Q", raw, 8)
        pos = 8 * (n + 1)
        out = {}
        for (name, schema), size in zip(DOC_TABLES.items(), sizes):
            batch = ipc.read_record_batch(pa.py_buffer(raw[pos:pos + size]), schema)
            out[name] = pa.Table.from_batches([batch], schema=schema)
            pos += size
    except (struct.error, pa.ArrowException) as e:
        raise ValueError(f"torn cache entry: {e}") from e
    if pos != len(raw):
        raise ValueError("torn cache entry")
    return out


# --------------------------------------------------------------------------- level 1: documents

_MODEL_CLASSES = {c.__name__: c for c in (
    model.Page, model.Cell, model.Table, model.Block, model.SourceMeta, model.Region, model.Header,
    model.UnitMention, model.Deadline, model.Frequency, model.Target, model.Task, model.Document)}


def _enc(v):
    if v is None or isinstance(v, (bool, int, str)):
        return v
    if isinstance(v, float):
        if v != v or v in (float("inf"), float("-inf")):
            raise TypeError("a non-finite float")  # JSON cannot hold it exactly
        return v
    if isinstance(v, list):
        return [_enc(x) for x in v]
    if isinstance(v, tuple):
        return {"t": [_enc(x) for x in v]}
    if isinstance(v, dict):
        if not all(isinstance(k, str) for k in v):
            raise TypeError("a dict with non-string keys")
        return {"m": {k: _enc(x) for k, x in v.items()}}
    if isinstance(v, dt.datetime):
        return {"dt": v.isoformat()}
    if isinstance(v, dt.date):
        return {"d": v.isoformat()}
    cls = _MODEL_CLASSES.get(type(v).__name__)
    if cls is type(v):
        return {"c": cls.__name__, "f": [_enc(getattr(v, f.name)) for f in dataclasses.fields(v)]}
    raise TypeError(f"cannot cache a {type(v).__name__}")


def _dec(v):
    if isinstance(v, list):
        return [_dec(x) for x in v]
    if not isinstance(v, dict):
        return v
    if "c" in v:
        return _MODEL_CLASSES[v["c"]](*[_dec(x) for x in v["f"]])
    if "m" in v:
        return {k: _dec(x) for k, x in v["m"].items()}
    if "t" in v:
        return tuple(_dec(x) for x in v["t"])
    if "d" in v:
        return dt.date.fromisoformat(v["d"])
    if "dt" in v:
        return dt.datetime.fromisoformat(v["dt"])
    raise ValueError(f"unknown cache tag {sorted(v)}")


def encode_document(doc: Document) -> bytes | None:
    """An ingested Document → compact JSON bytes (the cache compresses them); None when
    it holds something this encoding cannot give back exactly (then it is not cached)."""
    try:
        raw = json.dumps(_enc(doc), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        if decode_document(raw) != doc:
            return None
    except (TypeError, ValueError, RecursionError):
        return None
    return raw


def decode_document(raw: bytes) -> Document | None:
    try:
        doc = _dec(json.loads(raw))
    except (ValueError, KeyError, TypeError, IndexError, RecursionError):
        return None
    return doc if isinstance(doc, Document) else None


# --------------------------------------------------------------------------- store

_SCHEMA = """
CREATE TABLE IF NOT EXISTS ingested (doc_id TEXT PRIMARY KEY, key TEXT NOT NULL, blob BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS extracted (doc_id TEXT PRIMARY KEY, key TEXT NOT NULL, blob BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS dictionaries (id INTEGER PRIMARY KEY, level TEXT NOT NULL, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS ocr_pages (doc_id TEXT NOT NULL, page INTEGER NOT NULL, key TEXT NOT NULL,
                                      blob BLOB NOT NULL, PRIMARY KEY (doc_id, page));
"""


class _Dictionaries:
    """The zstd dictionaries of one cache file, loaded once each."""

    def __init__(self, conn_of):
        self._conn_of = conn_of
        self._by_id: dict[int, zstandard.ZstdCompressionDict] = {}

    def get(self, dict_id: int) -> zstandard.ZstdCompressionDict | None:
        if dict_id == 0:
            return None
        if dict_id not in self._by_id:
            row = self._conn_of().execute("SELECT data FROM dictionaries WHERE id=?", (dict_id,)).fetchone()
            if row is None:
                raise ValueError(f"cache dictionary {dict_id} is missing")
            self._by_id[dict_id] = zstandard.ZstdCompressionDict(row[0])
        return self._by_id[dict_id]

    def current(self, level: str) -> tuple[int, zstandard.ZstdCompressionDict | None]:
        row = self._conn_of().execute("SELECT max(id) FROM dictionaries WHERE level=?", (level,)).fetchone()
        dict_id = row[0] or 0
        return dict_id, self.get(dict_id)

    def read(self, blob: bytes) -> bytes:
        return decompress(blob, self.get(entry_dict_id(blob)))



def _connect(path: Path, *, readonly: bool = False) -> sqlite3.Connection:
    if readonly:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
    else:
        conn = sqlite3.connect(str(path), timeout=30, isolation_level=None)
        # auto_vacuum must be set before the first table exists; WAL lets workers read
        # while the parent writes; NORMAL sync survives a killed process (not a power
        # loss of the last commits, which are then re-extracted)
        conn.execute("PRAGMA auto_vacuum=INCREMENTAL")
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.executescript(_SCHEMA)
    return conn


class DocCache:
    """``OUT/.cache/cache.sqlite``: level 1 (ingested documents) and level 2 (rows)."""

    def __init__(self, out: Path, keys: CacheKeys | str):
        self.root = Path(out) / CACHE_DIRNAME
        self.keys = keys if isinstance(keys, CacheKeys) else CacheKeys(keys, keys, {})
        self.db = self.root / DB_NAME
        self._conn: sqlite3.Connection | None = None
        self._dicts = _Dictionaries(lambda: self.conn)
        self._current: dict[str, tuple[int, zstandard.ZstdCompressionDict | None]] = {}
        self._samples: dict[str, list[tuple[str, str, bytes]]] = {"ingested": [], "extracted": []}
        self._untrainable: set[str] = set()

    @property
    def conn(self) -> sqlite3.Connection:
        if self._conn is None:
            self.root.mkdir(parents=True, exist_ok=True)
            try:
                self._conn = _connect(self.db)
            except sqlite3.DatabaseError:  # not a database (a torn header): start afresh
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{self.db}{suffix}").unlink(missing_ok=True)
                self._conn = _connect(self.db)
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _blob(self, table: str, doc_id: str, key: str) -> bytes | None:
        """The raw bytes of an entry, or None: absent, torn, or its dictionary lost."""
        try:
            row = self.conn.execute(f"SELECT blob FROM {table} WHERE doc_id=? AND key=?",  # noqa: S608
                                    (doc_id, key)).fetchone()
            return self._dicts.read(row[0]) if row else None
        except (sqlite3.DatabaseError, ValueError, zstandard.ZstdError):
            return None

    def _put(self, table: str, doc_id: str, key: str, raw: bytes) -> None:
        if table not in self._current:
            self._current[table] = self._dicts.current(table)
        dict_id, zdict = self._current[table]
        self.conn.execute(f"INSERT OR REPLACE INTO {table} (doc_id, key, blob) VALUES (?, ?, ?)",  # noqa: S608
                          (doc_id, key, compress(raw, dict_id, zdict)))
        if dict_id == 0 and table not in self._untrainable:
            self._learn(table, doc_id, key, raw)

    def _learn(self, table: str, doc_id: str, key: str, raw: bytes) -> None:
        """Collect the first entries of a level; once there are enough, train its
        dictionary and compress them again with it."""
        samples = self._samples[table]
        samples.append((doc_id, key, raw))
        if len(samples) < DICT_SAMPLES:
            return
        self._samples[table] = []
        try:
            zdict = zstandard.train_dictionary(DICT_BYTES, [r for _, _, r in samples], level=ZSTD_LEVEL)
        except zstandard.ZstdError:  # too little to learn from: go on without one
            self._untrainable.add(table)
            return
        conn = self.conn
        conn.execute("BEGIN")
        try:
            dict_id = conn.execute("INSERT INTO dictionaries (level, data) VALUES (?, ?)",
                                   (table, zdict.as_bytes())).lastrowid
            for d, k, r in samples:
                conn.execute(f"UPDATE {table} SET blob=? WHERE doc_id=? AND key=?",  # noqa: S608
                             (compress(r, dict_id, zdict), d, k))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        self._current[table] = (dict_id, zdict)

    # level 2
    def has(self, doc_id: str) -> bool:
        try:
            return self.conn.execute("SELECT 1 FROM extracted WHERE doc_id=? AND key=?",
                                     (doc_id, self.keys.rows)).fetchone() is not None
        except sqlite3.DatabaseError:
            return False

    def get(self, doc_id: str) -> dict[str, pa.Table] | None:
        blob = self._blob("extracted", doc_id, self.keys.rows)
        try:
            return unpack(blob) if blob is not None else None
        except (ValueError, OSError, pa.ArrowException):  # a torn entry fails in whichever Arrow check it meets first
            return None

    def put(self, doc_id: str, payload: bytes) -> None:
        """Store the packed rows of a document (:func:`pack`)."""
        self._put("extracted", doc_id, self.keys.rows, payload)

    # level 1
    def get_ingested(self, doc_id: str) -> Document | None:
        raw = self._blob("ingested", doc_id, self.keys.ingest)
        return decode_document(raw) if raw is not None else None

    def put_ingested(self, doc_id: str, raw: bytes) -> None:
        """Store an ingested document (:func:`encode_document`'s bytes)."""
        self._put("ingested", doc_id, self.keys.ingest, raw)

    # level 1, one scanned page at a time (a batch spreads a long scan's pages over workers)
    @functools.cached_property
    def ocr_key(self) -> str:
        return ocr_fingerprint()

    def put_ocr_page(self, doc_id: str, page: int, raw: bytes) -> None:
        """Store the OCR result of page ``page`` (1-based) of the document
        (:func:`~policyparse.ingest.pdf_scan.encode_page`'s bytes), committed at once: a
        run killed in the middle of a long scan resumes page by page."""
        self.conn.execute("INSERT OR REPLACE INTO ocr_pages (doc_id, page, key, blob) VALUES (?, ?, ?, ?)",
                          (doc_id, page, self.ocr_key, compress(raw)))

    def ocr_pages(self, doc_id: str) -> list[int]:
        """The pages of the document whose OCR result is cached at the current key."""
        try:
            return [r[0] for r in self.conn.execute(
                "SELECT page FROM ocr_pages WHERE doc_id=? AND key=? ORDER BY page", (doc_id, self.ocr_key))]
        except sqlite3.DatabaseError:
            return []

    def doc_ids(self, level: int = 2) -> set[str]:
        table = "extracted" if level == 2 else "ingested"
        key = self.keys.rows if level == 2 else self.keys.ingest
        return {r[0] for r in self.conn.execute(f"SELECT doc_id FROM {table} WHERE key=?", (key,))}  # noqa: S608

    def prune(self, keep: set[str] | list[str]) -> int:
        """Drop entries of other keys and of documents no longer in the input, give the
        freed pages back to the file system, and remove what older cache layouts or a
        killed run left in ``.cache``. Returns how many entries and files were removed."""
        removed = 0
        if self.root.is_dir():
            for other in self.root.iterdir():
                if other.name in (DB_NAME, f"{DB_NAME}-wal", f"{DB_NAME}-shm"):
                    continue
                shutil.rmtree(other, ignore_errors=True) if other.is_dir() else other.unlink(missing_ok=True)
                removed += 1
        conn = self.conn
        conn.execute("BEGIN")
        try:
            conn.execute("CREATE TEMP TABLE IF NOT EXISTS keep (doc_id TEXT PRIMARY KEY)")
            conn.execute("DELETE FROM keep")
            conn.executemany("INSERT OR IGNORE INTO keep VALUES (?)", ((d,) for d in keep))
            for table, key in (("ingested", self.keys.ingest), ("extracted", self.keys.rows),
                               ("ocr_pages", self.ocr_key)):
                removed += conn.execute(
                    f"DELETE FROM {table} WHERE key != ? OR doc_id NOT IN (SELECT doc_id FROM keep)",  # noqa: S608
                    (key,)).rowcount
            conn.execute("DELETE FROM keep")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("PRAGMA incremental_vacuum")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return removed

    # task clusters (export/clusters.py): each speaking document's task sentences, their
    # wordings' MinHash, band buckets, edges and components, kept in this file at the level-2
    # key (a rule change starts the index afresh), so a run hashes new documents only
    def cluster_index(self):
        from .clusters import ClusterIndex

        return ClusterIndex(self.conn, self.keys.rows)

    def size_bytes(self) -> int:
        return sum(p.stat().st_size for p in self.root.rglob("*") if p.is_file()) if self.root.is_dir() else 0

    # workers
    @contextlib.contextmanager
    def shared_with_workers(self):
        """Tell worker processes (forked, spawned or a local Dask cluster: they inherit
        the environment) where level 1 is, so they skip the reader on a hit."""
        self.conn  # the file and its tables exist before a worker opens it read-only
        saved = {k: os.environ.get(k) for k in (ENV_DB, ENV_INGEST_KEY, ENV_OCR_KEY)}
        os.environ[ENV_DB] = str(self.db.resolve())
        os.environ[ENV_INGEST_KEY] = self.keys.ingest
        os.environ[ENV_OCR_KEY] = self.ocr_key
        try:
            yield
        finally:
            close_reader()  # this process's read connection, if the serial run opened one
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v


_reader: tuple[int, str, sqlite3.Connection, _Dictionaries] | None = None
_inherited: list[sqlite3.Connection] = []


def close_reader() -> None:
    global _reader
    if _reader is not None and _reader[0] == os.getpid():
        with contextlib.suppress(sqlite3.Error):
            _reader[2].close()
        _reader = None


def lookup_ingested(doc_id: str) -> Document | None:
    """In a worker: the cached Document for ``doc_id`` at the current ingest key, or None
    (no cache shared with this process, a miss, or an entry that does not decode)."""
    db, key = os.environ.get(ENV_DB), os.environ.get(ENV_INGEST_KEY)
    if not db or not key:
        return None
    try:
        reader = _shared_reader(db)
        row = reader[2].execute("SELECT blob FROM ingested WHERE doc_id=? AND key=?", (doc_id, key)).fetchone()
        return decode_document(reader[3].read(row[0])) if row else None
    except (sqlite3.Error, ValueError, zstandard.ZstdError):
        return None


def _shared_reader(db: str) -> tuple[int, str, sqlite3.Connection, _Dictionaries]:
    """This process's read-only connection to the batch's cache file."""
    global _reader
    if _reader is None or _reader[0] != os.getpid() or _reader[1] != db:
        if _reader is not None and _reader[0] != os.getpid():
            # a connection inherited through fork is neither used nor closed here
            # (closing it could touch the parent's locks): it is kept, unused
            _inherited.append(_reader[2])
        elif _reader is not None:
            close_reader()
        conn = _connect(Path(db), readonly=True)
        _reader = (os.getpid(), db, conn, _Dictionaries(lambda: conn))
    return _reader


def lookup_ocr_page(doc_id: str, page: int) -> bytes | None:
    """In a worker: the cached OCR result of page ``page`` (1-based) of the document, as
    :func:`~policyparse.ingest.pdf_scan.encode_page` made it, or None."""
    db, key = os.environ.get(ENV_DB), os.environ.get(ENV_OCR_KEY)
    if not db or not key:
        return None
    try:
        reader = _shared_reader(db)
        row = reader[2].execute("SELECT blob FROM ocr_pages WHERE doc_id=? AND page=? AND key=?",
                                (doc_id, page, key)).fetchone()
        return reader[3].read(row[0]) if row else None
    except (sqlite3.Error, ValueError, zstandard.ZstdError):
        return None
