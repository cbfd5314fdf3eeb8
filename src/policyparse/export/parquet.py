"""Write a run's tables and publish them atomically (dlt's temp-then-rename).

Layout of an output folder ``OUT``::

    OUT/documents  -> .current/documents      table links, made once, never rewritten
    OUT/tasks      -> .current/tasks          (…one per table, and manifest.json)
    OUT/.current   -> .runs/<run_id>          THE pointer: swapped by one os.replace
    OUT/.runs/<run_id>/documents/year=2023/part-0.parquet
                      /documents/year=unknown/part-0.parquet
                      /failures/part-0.parquet
                      /manifest.json
    OUT/.runs/<run_id>.tmp/                   a run being written (never read)
    OUT/.cache/cache.sqlite                   ingested documents and their rows (export/cache.py)
    OUT/.lock                                 one writer at a time (flock)

A run writes every part file into ``.runs/<run_id>.tmp``, fsyncs them (every file
and folder of the run together, in :func:`publish`), renames the folder to
``.runs/<run_id>`` and then replaces the ``.current`` symlink in one ``rename(2)``. Every table therefore switches from the previous run to the
new one at the same instant; a process killed at any moment leaves ``.current``
on a complete run. The run before the current one is kept, so a reader that
opened its files just before the swap can finish; older runs are removed.

Rows are written in the order they are given (the batch sorts them), one file
per partition (more only past ``MAX_ROWS_PER_FILE``), so the same input always
gives the same files, row for row.

A batch streams its rows through :class:`RunWriter`: one Parquet writer per table
and partition, each holding at most one row group's worth of rows before it
writes them (``ROW_GROUP_BYTES``), and all of them together at most
``BUFFER_BUDGET_BYTES``, so a run of a million documents needs the memory of a
few row groups, not of its tables. Where a row group ends depends only on the
rows given and their order, so the same rows in the same order give the same
bytes.
"""
from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from ..errors import ExportError
from .schema import ALL_TABLES, NO_DICTIONARY_COLUMNS, PARTITION_KEY

RUNS_DIRNAME = ".runs"
CURRENT_LINK = ".current"
LOCK_NAME = ".lock"
MANIFEST_NAME = "manifest.json"
ROW_GROUP_SIZE = 128 * 1024
MAX_ROWS_PER_FILE = 4 * 1024 * 1024
# streaming bounds, in uncompressed Arrow bytes: a row group is written once it holds this
# much; all buffered rows together stay under the budget (the largest buffer is written
# first); a part file is closed past MAX_BYTES_PER_FILE (its footer, held in memory until
# the file closes, grows with its row groups)
ROW_GROUP_BYTES = 1024 * 1024
BUFFER_BUDGET_BYTES = 4 * 1024 * 1024
MAX_BYTES_PER_FILE = 1024 * 1024 * 1024
COMPACT_EVERY = 16  # pending per-document tables of one part joined into one
FSYNC_THREADS = 16  # fsyncs waiting together (fsync_paths)
CLOSE_THREADS = 2  # parts written at once when a run's writer closes


# --------------------------------------------------------------------------- fs helpers


def fsync_path(path: Path) -> None:
    """fsync a file or a directory (a directory's fsync makes its entries durable)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_paths(paths) -> None:
    """fsync every file or directory in ``paths``, all at once from a few threads; returns
    when each is durable. The same guarantee as one ``fsync_path`` after another, at the
    cost of one or two journal commits: the file system folds fsyncs that wait at the same
    time into one commit, where one after another each waits for its own (measured on
    this ext4 disk, shared with other work: 64 fsyncs 125-205 ms one by one, 6-13 ms
    together)."""
    paths = list(paths)
    if len(paths) < 2:
        for p in paths:
            fsync_path(p)
        return
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=min(FSYNC_THREADS, len(paths))) as pool:
        list(pool.map(fsync_path, paths))  # list(): the first error is raised here


def write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


@contextlib.contextmanager
def out_lock(out: Path):
    """Hold ``OUT/.lock`` for the whole run: two runs on one OUT would race on
    ``.current``. A POSIX record lock (lockf), not flock: it belongs to this
    process alone, so forked workers do not inherit it, and the kernel drops it
    when the process dies, so a run killed with SIGKILL leaves no stale lock."""
    out.mkdir(parents=True, exist_ok=True)
    fh = open(out / LOCK_NAME, "a+")
    try:
        try:
            fcntl.lockf(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as e:
            raise ExportError("another policyparse run is writing this output folder",
                              path=str(out)) from e
        yield
    finally:
        fh.close()


# --------------------------------------------------------------------------- writing


def _dictionary_columns(schema: pa.Schema) -> list[str]:
    """Parquet leaf paths of the string columns worth dictionary-encoding."""
    cols = []
    for f in schema:
        if f.name in NO_DICTIONARY_COLUMNS:
            continue
        if pa.types.is_string(f.type):
            cols.append(f.name)
        elif pa.types.is_list(f.type) and pa.types.is_string(f.type.value_type):
            cols.append(f"{f.name}.list.element")
    return cols


def _writer_options(schema: pa.Schema) -> dict:
    return {"compression": "zstd", "use_dictionary": _dictionary_columns(schema), "write_statistics": True}


def _write_file(table: pa.Table, path: Path, *, sync: bool = True) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path, row_group_size=ROW_GROUP_SIZE, **_writer_options(table.schema))
    if sync:
        fsync_path(path)


class _PartWriter:
    """The rows of one table and partition: a buffer of at most a row group, and the
    open part file it goes to."""

    def __init__(self, dest: Path, sub: str, schema: pa.Schema):
        self.dest, self.sub, self.schema = dest, sub, schema
        self.pending: list[pa.Table] = []
        self.pending_rows = self.pending_bytes = 0
        self.files: list[str] = []
        self._writer: pq.ParquetWriter | None = None
        self._file_rows = self._file_bytes = 0

    def add(self, table: pa.Table) -> None:
        self.pending.append(table)
        self.pending_rows += table.num_rows
        self.pending_bytes += table.get_total_buffer_size()
        if len(self.pending) >= COMPACT_EVERY:
            # one document's rows of a small table are a few hundred bytes of data but
            # kilobytes of objects and of the cache entry they were read from: copy the
            # pending rows into one table so that what is held is what is counted
            self.pending = [pa.concat_tables(self.pending).combine_chunks()]

    def flush(self) -> None:
        if not self.pending:
            return
        table = pa.concat_tables(self.pending)
        self.pending, self.pending_rows, self.pending_bytes = [], 0, 0
        while table.num_rows:
            if self._writer is None or self._file_rows >= MAX_ROWS_PER_FILE \
                    or self._file_bytes >= MAX_BYTES_PER_FILE:
                self._open()
            n = min(table.num_rows, MAX_ROWS_PER_FILE - self._file_rows)
            part = table.slice(0, n)
            self._writer.write_table(part, row_group_size=ROW_GROUP_SIZE)
            self._file_rows += n
            self._file_bytes += part.get_total_buffer_size()
            table = table.slice(n)

    def _open(self) -> None:
        self._close_file()
        name = f"part-{len(self.files)}.parquet"
        rel = str(Path(self.sub) / name) if self.sub else name
        path = self.dest / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        self._writer = pq.ParquetWriter(path, self.schema, **_writer_options(self.schema))
        self._file_rows = self._file_bytes = 0
        self.files.append(rel)

    def _close_file(self) -> None:
        if self._writer is not None:
            self._writer.close()  # made durable with the whole run by publish()
            self._writer = None

    def close(self) -> list[str]:
        self.flush()
        if not self.files:  # no row at all: one empty file keeps the table readable
            self._open()
        self._close_file()
        return self.files


class RunWriter:
    """Streams the rows of a run's tables into the staging folder of
    :func:`staging_dir`, bounded in memory (see the module note). Its files are made
    durable by :func:`publish`, with every other file of the run, before the run is
    renamed into place."""

    def __init__(self, staging: Path, schemas: dict[str, pa.Schema]):
        self.staging = staging
        self.schemas = schemas
        self.counts = {name: 0 for name in schemas}
        self._parts: dict[tuple[str, str], _PartWriter] = {}
        self._buffered = 0

    def write(self, name: str, table: pa.Table, partition: str | None = None) -> None:
        """Append ``table``'s rows to table ``name``, in ``year=<partition>`` if given."""
        if table.num_rows == 0:
            return
        key = (name, f"{PARTITION_KEY}={partition}" if partition is not None else "")
        part = self._parts.get(key)
        if part is None:
            part = self._parts[key] = _PartWriter(self.staging / name, key[1], self.schemas[name])
        before = part.pending_bytes
        part.add(table)
        self.counts[name] += table.num_rows
        if part.pending_rows >= ROW_GROUP_SIZE or part.pending_bytes >= ROW_GROUP_BYTES:
            part.flush()
        self._buffered += part.pending_bytes - before
        while self._buffered > BUFFER_BUDGET_BYTES:
            largest = max(self._parts.values(), key=lambda p: p.pending_bytes)
            self._buffered -= largest.pending_bytes
            largest.flush()

    def close(self) -> dict[str, list[str]]:
        """Write what is buffered and close every file; the files of each table (relative
        to its folder). A table without rows gets one empty ``part-0.parquet``."""
        from concurrent.futures import ThreadPoolExecutor

        parts = sorted(self._parts.items())
        empty = [name for name in self.schemas if name not in {n for (n, _sub), _p in parts}]
        parts += [((name, ""), _PartWriter(self.staging / name, "", self.schemas[name])) for name in empty]
        # each part writes its own files, and Arrow encodes and compresses without the GIL:
        # two threads close a run's dozens of small parts in about half the time
        with ThreadPoolExecutor(max_workers=CLOSE_THREADS) as pool:
            closed = list(pool.map(lambda item: item[1].close(), parts))  # the first error is raised here
        files: dict[str, list[str]] = {}
        for ((name, _sub), _part), names in zip(parts, closed):
            files.setdefault(name, []).extend(names)
        self._parts.clear()
        self._buffered = 0
        return {name: files[name] for name in self.schemas}

    def abort(self) -> None:
        """Close open files without caring for their content (the staging folder is
        then removed by the caller or by the next run's :func:`clean_stale_staging`)."""
        for part in self._parts.values():
            with contextlib.suppress(Exception):
                if part._writer is not None:
                    part._writer.close()
        self._parts.clear()


def read_staged_batches(staging: Path, name: str, columns: list[str] | None = None,
                        batch_size: int = 64 * 1024):
    """Read back a table already written to ``staging``, a bounded batch at a time, in
    the order it was written: for tables computed across documents at publish time
    (e.g. task clusters from ``tasks``) without holding the table in memory."""
    dataset = ds.dataset(str(staging / name), format="parquet", partitioning=None)
    def order(f: str) -> tuple:  # year=… folders in order, part-N within each by N
        head, name = os.path.split(f)
        return head, int(name[len("part-"):-len(".parquet")]) if name.startswith("part-") else -1, name

    for f in sorted(dataset.files, key=order):
        pf = pq.ParquetFile(f)
        yield from pf.iter_batches(batch_size=batch_size, columns=columns)


def rewrite_staged(staging: Path, name: str, files: list[str], change) -> None:
    """Rewrite each staged file of table ``name`` as ``change(table)`` (same rows, some
    columns filled): for columns that need every document of the run, such as a citation's
    link to the cited document. One file is in memory at a time; :func:`publish` makes
    them durable with the rest of the run."""
    for f in files:
        path = staging / name / f
        _write_file(change(pq.ParquetFile(path).read()), path, sync=False)


def write_table(table: pa.Table, dest: Path, partitions: pa.Array | None = None) -> list[str]:
    """Write ``table`` under the folder ``dest``; returns the files written (relative).

    With ``partitions`` (one string per row) rows go to ``dest/year=<value>/``,
    keeping their order; an empty table is one empty ``part-0.parquet`` so that
    the table stays readable with its schema.
    """
    dest.mkdir(parents=True, exist_ok=True)
    written: list[str] = []
    if partitions is None or table.num_rows == 0:
        groups = [("", table)]
    else:
        groups = [(f"{PARTITION_KEY}={value}", table.filter(pc.equal(partitions, value)))
                  for value in sorted(set(partitions.to_pylist()))]
    for sub, part in groups:
        for n, offset in enumerate(range(0, max(part.num_rows, 1), MAX_ROWS_PER_FILE)):
            rel = Path(sub) / f"part-{n}.parquet" if sub else Path(f"part-{n}.parquet")
            _write_file(part.slice(offset, MAX_ROWS_PER_FILE), dest / rel)
            written.append(str(rel))
    for d in sorted({dest / Path(w).parent for w in written}, reverse=True):
        fsync_path(d)
    fsync_path(dest)
    return written


# --------------------------------------------------------------------------- runs


def new_run_id() -> str:
    """Sortable and unique: UTC time to the microsecond, then the process id."""
    t = time.time()
    return time.strftime("%Y%m%dT%H%M%S", time.gmtime(t)) + f".{int(t % 1 * 1e6):06d}Z-{os.getpid()}"


def staging_dir(out: Path, run_id: str) -> Path:
    d = out / RUNS_DIRNAME / f"{run_id}.tmp"
    d.mkdir(parents=True, exist_ok=False)
    return d


def current_run_dir(out: Path) -> Path | None:
    link = out / CURRENT_LINK
    if not link.is_symlink():
        return None
    target = (out / os.readlink(link))
    return target if target.is_dir() else None


def read_manifest(out: Path) -> dict | None:
    run = current_run_dir(out)
    if run is None:
        return None
    try:
        return json.loads((run / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _replace_symlink(link: Path, target: str) -> None:
    tmp = link.with_name(f"{link.name}.{os.getpid()}.tmp")
    with contextlib.suppress(FileNotFoundError):
        os.unlink(tmp)
    os.symlink(target, tmp)
    os.replace(tmp, link)


def _ensure_table_links(out: Path, names) -> None:
    """``OUT/<table> -> .current/<table>``; a real folder there (an older layout,
    another tool's output) is moved aside first."""
    for name in names:
        link = out / name
        target = f"{CURRENT_LINK}/{name}"
        if link.is_symlink():
            if os.readlink(link) == target:
                continue
        elif link.exists():
            aside = out / RUNS_DIRNAME / f"replaced-{new_run_id()}-{name}"
            os.rename(link, aside)
        _replace_symlink(link, target)


def sync_tree(folder: Path) -> None:
    """fsync every file and folder under ``folder``, and ``folder`` itself, all at once
    (:func:`fsync_paths`)."""
    paths: list[str] = []
    for parent, folders, names in os.walk(folder):
        paths += [os.path.join(parent, n) for n in names]
        paths += [os.path.join(parent, d) for d in folders]
    paths.append(str(folder))
    fsync_paths(paths)


def publish(out: Path, staging: Path) -> Path:
    """Make the fully written ``staging`` run the current one; returns its folder.

    Every file and folder written into ``staging`` (the tables, the manifest, whatever a
    step added) is fsynced before the rename, all together: one or two journal commits
    where an fsync per file as it was closed cost one each (about 50 for a small run)."""
    runs = out / RUNS_DIRNAME
    final = runs / staging.name[:-len(".tmp")]
    sync_tree(staging)
    os.rename(staging, final)
    fsync_path(runs)
    previous = current_run_dir(out)
    _replace_symlink(out / CURRENT_LINK, f"{RUNS_DIRNAME}/{final.name}")
    fsync_path(out)
    names = [p.name for p in sorted(final.iterdir()) if p.is_dir() or p.name == MANIFEST_NAME]
    _ensure_table_links(out, names)
    fsync_path(out)
    _remove_old_runs(runs, keep={final.name, previous.name if previous else ""})
    return final


def _remove_old_runs(runs: Path, keep: set[str]) -> None:
    for d in runs.iterdir():
        if d.name not in keep:
            shutil.rmtree(d, ignore_errors=True) if d.is_dir() and not d.is_symlink() else d.unlink(missing_ok=True)


def clean_stale_staging(out: Path) -> None:
    """Remove half-written runs (``*.tmp``) a killed process left; call under the lock."""
    runs = out / RUNS_DIRNAME
    if runs.is_dir():
        for d in runs.iterdir():
            if d.name.endswith(".tmp"):
                shutil.rmtree(d, ignore_errors=True)


# --------------------------------------------------------------------------- reading


def table_path(out: Path, name: str) -> Path:
    return Path(out) / name


def read_table(out: Path, name: str) -> pa.Table:
    """One table of OUT, whole, with the file columns only (no partition column),
    in the order it was written."""
    path = table_path(out, name)
    if not path.exists():
        raise ExportError(f"no table {name!r} in {out}")
    dataset = ds.dataset(str(path), format="parquet", partitioning=None)
    table = dataset.to_table()
    schema = ALL_TABLES.get(name)
    return table.select(schema.names) if schema is not None else table
