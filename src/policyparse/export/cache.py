"""The per-document cache that makes re-runs incremental.

A document's rows depend only on its bytes and on the code and data that read
them, so the cache is keyed by exactly that:

- the directory ``OUT/.cache/<run_key>/`` names the pipeline: pipeline version,
  schema version, a hash of the package's own source files (a rule changed
  without a version bump must not serve stale rows), the gazetteer fingerprint,
  and the OCR switch (a scan read without OCR fails, with OCR it has text);
- the file ``<doc_id[:2]>/<doc_id>.arrow`` inside it names the content
  (``doc_id`` is :func:`policyparse.ingest.content_hash`).

Source paths are not part of the key: a moved or copied file is not extracted
again; the batch writes its current paths into ``documents`` when it assembles
the tables.

One file per document holds every table's rows: an Arrow IPC file of one row
whose columns are ``list<struct<table schema>>``, so the rows stay typed and a
file is read in one call. Files are written temp-then-rename; a file that does
not read back (a torn write after a power loss) is a cache miss, never an error.
Failures are not cached: a failing file is tried again on the next run (its
cause may have been a missing program that is installed since).
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.ipc as ipc

from ..model import SCHEMA_VERSION
from .schema import DOC_TABLES

CACHE_DIRNAME = ".cache"


def code_fingerprint() -> str:
    """A hash of the package's Python sources (sorted by path)."""
    root = Path(__file__).resolve().parent.parent
    h = hashlib.sha256()
    for p in sorted(root.rglob("*.py")):
        h.update(str(p.relative_to(root)).encode())
        h.update(p.read_bytes())
    return h.hexdigest()[:16]


def run_key(*, ocr: bool) -> tuple[str, dict]:
    """The cache key of this pipeline, and what it was made from (for the manifest)."""
    from ..gazetteer import fingerprint as gazetteer_fingerprint
    from ..pipeline import PIPELINE_VERSION

    try:
        gaz = gazetteer_fingerprint()
    except Exception:  # noqa: BLE001 - no gazetteers folder yet: key on its absence
        gaz = "none"
    parts = {"pipeline_version": PIPELINE_VERSION, "schema_version": SCHEMA_VERSION,
             "code_fingerprint": code_fingerprint(), "gazetteer_fingerprint": gaz, "ocr": bool(ocr)}
    key = hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:16]
    return key, parts


# --------------------------------------------------------------------------- packing


def pack(tables: dict[str, pa.Table]) -> bytes:
    """Every table of one document → one IPC file's bytes."""
    arrays, fields = [], []
    for name, schema in DOC_TABLES.items():
        t = tables[name].cast(schema).combine_chunks()
        struct = pa.StructArray.from_arrays(
            [t.column(i).chunk(0) if t.column(i).num_chunks else pa.array([], f.type)
             for i, f in enumerate(schema)],
            fields=list(schema)) if t.num_rows else pa.array([], pa.struct(list(schema)))
        arrays.append(pa.ListArray.from_arrays(pa.array([0, len(struct)], pa.int32()), struct))
        fields.append(pa.field(name, pa.list_(pa.struct(list(schema)))))
    batch = pa.RecordBatch.from_arrays(arrays, schema=pa.schema(fields))
    sink = pa.BufferOutputStream()
    with ipc.new_file(sink, batch.schema) as writer:
        writer.write_batch(batch)
    return sink.getvalue().to_pybytes()


def unpack(data: bytes | pa.Buffer) -> dict[str, pa.Table]:
    """The inverse of :func:`pack`."""
    batch = ipc.open_file(pa.BufferReader(data)).get_batch(0)
    out = {}
    for name, schema in DOC_TABLES.items():
        values = batch.column(name).values
        out[name] = pa.Table.from_batches([pa.RecordBatch.from_struct_array(values)], schema=schema) \
            if len(values) else schema.empty_table()
    return out


# --------------------------------------------------------------------------- store


class DocCache:
    """``OUT/.cache/<run_key>/``: one packed file per document id."""

    def __init__(self, out: Path, key: str):
        self.root = Path(out) / CACHE_DIRNAME
        self.dir = self.root / key

    def path(self, doc_id: str) -> Path:
        return self.dir / doc_id[:2] / f"{doc_id}.arrow"

    def has(self, doc_id: str) -> bool:
        return self.path(doc_id).is_file()

    def get(self, doc_id: str) -> dict[str, pa.Table] | None:
        try:
            with pa.memory_map(str(self.path(doc_id))) as src:
                return unpack(src.read_buffer())
        except (OSError, pa.ArrowException, KeyError):
            return None

    def put(self, doc_id: str, payload: bytes) -> None:
        path = self.path(doc_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        with open(tmp, "wb") as fh:
            fh.write(payload)
        os.replace(tmp, path)

    def prune(self, keep: set[str]) -> int:
        """Drop entries of other pipeline keys, documents no longer in the input and
        temp files left by a killed run. Returns how many files were removed."""
        removed = 0
        if self.root.is_dir():
            for other in self.root.iterdir():
                if other != self.dir:
                    shutil.rmtree(other, ignore_errors=True) if other.is_dir() else other.unlink(missing_ok=True)
                    removed += 1
        if not self.dir.is_dir():
            return removed
        for shard in self.dir.iterdir():
            if not shard.is_dir():
                continue
            for f in shard.iterdir():
                doc_id = f.name.split(".", 1)[0]
                if f.name.endswith(".tmp") or doc_id not in keep:
                    f.unlink(missing_ok=True)
                    removed += 1
        return removed
