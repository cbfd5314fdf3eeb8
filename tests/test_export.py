"""Export: Document → typed rows → Parquet, and the atomic publish.

Documents are built by hand through the model, so these tests pin the export
contract (OUTPUT.md) without depending on what the extractors find.
"""
from __future__ import annotations

import datetime as dt
import os
from collections import OrderedDict
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from policyparse.export import parquet as pq_out
from policyparse.export.cache import DocCache, cache_keys, pack, unpack
from policyparse.export.schema import (ALL_TABLES, DOC_TABLES, PARTITION_KEY, SCHEMA_VERSION,
                                       UNKNOWN_PARTITION)
from policyparse.export.tables import document_rows, rows_to_tables, task_id
from policyparse.model import (Deadline, DocumentBuilder, Frequency, Header, Region, Target, Task,
                               UnitMention)


def _span(text: str, needle: str, after: int = 0) -> tuple[int, int]:
    i = text.index(needle, after)
    return i, i + len(needle)


def make_doc(doc_id: str, plan_year: int | None = 2024, path: str = "in/a.txt"):
    b = DocumentBuilder(path, "txt")
    b.start_page(1)
    b.add_paragraph("关于印发2024年安全生产工作要点的通知")
    b.add_paragraph("一、强化责任落实。区应急局牵头，2024年6月底前完成，每季度至少开展1次检查。")
    b.start_page(2)
    b.add_paragraph("二、全年事故起数下降10%。区住建局负责，长期坚持。")
    doc = b.build(doc_id)
    t = doc.text
    doc.header = Header(title="关于印发2024年安全生产工作要点的通知", doc_number="X政办〔2024〕1号",
                        issuers=["XX区人民政府办公室"], issue_date=dt.date(2024, 1, 5),
                        plan_year=plan_year, recipients=["各街道"], attachments=[], cc=["区委办"],
                        public=True, region=Region("110105", "北京市", None, "朝阳区"))
    s1, e1 = _span(t, "一、强化责任落实。区应急局牵头，2024年6月底前完成，每季度至少开展1次检查。")
    s2, e2 = _span(t, "二、全年事故起数下降10%。区住建局负责，长期坚持。")
    u1 = _span(t, "区应急局")
    d1 = _span(t, "2024年6月底前")
    f1 = _span(t, "每季度至少开展1次")
    u2 = _span(t, "区住建局")
    d2 = _span(t, "长期坚持")
    g = _span(t, "全年事故起数下降10%")
    doc.tasks = [
        Task(path=["一、"], section="", title="强化责任落实", source="body", start=s1, end=e1,
             units=[UnitMention("lead", "区应急局", *u1, canonical="区应急管理局")],
             deadlines=[Deadline("2024年6月底前", "by_date", dt.date(2024, 6, 30), *d1)],
             frequencies=[Frequency("每季度至少开展1次", "quarter", 1, ">=", *f1)]),
        Task(path=["二、"], section="", title=None, source="body", start=s2, end=e2,
             units=[UnitMention("lead", "区住建局", *u2)],
             deadlines=[Deadline("长期坚持", "ongoing", None, *d2)],
             targets=[Target("下降10%", "事故起数", 10.0, "%", "decrease", *_span(t, "下降10%"))]),
    ]
    doc.targets = [Target("全年事故起数下降10%", "事故起数", 10.0, "%", "decrease", *g)]
    return doc


def test_rows_have_exact_types_stable_ids_and_grounded_spans():
    doc = make_doc("d0")
    rows = document_rows(doc, "9.9")
    tables = rows_to_tables(rows)
    for name, schema in DOC_TABLES.items():
        assert tables[name].schema.equals(schema), name
    assert DOC_TABLES["documents"].field("issue_date").type == pa.date32()
    assert DOC_TABLES["documents"].field("plan_year").type == pa.int32()
    assert DOC_TABLES["frequencies"].field("per_year").type == pa.float64()
    assert DOC_TABLES["documents"].field("issuers").type == pa.list_(pa.string())

    d = rows["documents"][0]
    assert d["schema_version"] == SCHEMA_VERSION and d["pipeline_version"] == "9.9"
    assert d["region_code"] == "110105" and d["page_count"] == 2 and d["n_tasks"] == 2
    assert [t["task_id"] for t in rows["tasks"]] == [task_id("d0", 0), task_id("d0", 1)]
    assert rows["tasks"][1]["page"] == 2 and rows["tasks"][0]["page"] == 1
    assert rows["frequencies"][0]["per_year"] == 4.0
    assert rows["task_units"][0]["unit_canonical"] == "区应急管理局"
    # document-level targets come first, with a null task_id
    assert [r["task_id"] for r in rows["targets"]] == [None, task_id("d0", 1)]
    text = rows["texts"][0]["text"]
    for name, col in (("task_units", "unit"), ("deadlines", "raw"), ("frequencies", "raw"),
                      ("targets", "raw")):
        for r in rows[name]:
            assert text[r["char_start"]:r["char_end"]] == r[col], (name, r)
    for r in rows["tasks"]:
        assert text[r["char_start"]:r["char_end"]] == r["text"]
    # the same document built twice gives the same rows (ids from content and place)
    assert rows_to_tables(document_rows(make_doc("d0"), "9.9"))["tasks"].equals(tables["tasks"])


def test_pack_unpack_round_trip_keeps_rows_and_types():
    tables = rows_to_tables(document_rows(make_doc("d1")))
    back = unpack(pack(tables))
    for name in DOC_TABLES:
        assert back[name].equals(tables[name]), name
    empty = make_doc("d2")
    empty.tasks, empty.targets = [], []
    back = unpack(pack(rows_to_tables(document_rows(empty))))
    assert back["tasks"].num_rows == 0 and back["tasks"].schema.equals(DOC_TABLES["tasks"])


def test_cache_is_keyed_by_pipeline_and_survives_a_torn_file(tmp_path):
    keys = cache_keys(ocr=True)
    assert cache_keys(ocr=False).rows != keys.rows  # OCR changes what a scan yields
    assert {"pipeline_version", "gazetteer_fingerprint", "code_fingerprint"} <= set(keys.parts)
    cache = DocCache(tmp_path, cache_keys(ocr=True))
    payload = pack(rows_to_tables(document_rows(make_doc("abcd"))))
    cache.put("abcd", payload)
    assert cache.has("abcd") and cache.get("abcd")["tasks"].num_rows == 2
    cache.put("abcd", payload[: len(payload) // 2])  # a torn entry
    assert cache.has("abcd") and cache.get("abcd") is None  # a miss, not an error
    cache.put("abcd", payload)
    other = DocCache(tmp_path, cache_keys(ocr=False))  # another key in the same file
    other.put("zz99", payload)
    (tmp_path / ".cache" / "oldlayout").mkdir()  # what an older cache layout left
    assert cache.prune(keep={"abcd"}) >= 2
    assert cache.has("abcd") and not other.has("zz99") and not (tmp_path / ".cache" / "oldlayout").exists()
    cache.close()
    other.close()
    # a cache file that is no database at all (torn header) is started afresh
    (tmp_path / ".cache" / "cache.sqlite").write_bytes(b"garbage" * 100)
    for suffix in ("-wal", "-shm"):
        (tmp_path / ".cache" / f"cache.sqlite{suffix}").unlink(missing_ok=True)
    fresh = DocCache(tmp_path, cache_keys(ocr=True))
    assert not fresh.has("abcd")
    fresh.put("abcd", payload)
    assert fresh.get("abcd")["documents"].num_rows == 1
    fresh.close()


def _publish(out: Path, docs) -> Path:
    """Write hand-built documents as one run, the way the batch does."""
    parts = {n: [] for n in DOC_TABLES}
    years = {n: [] for n in DOC_TABLES}
    for doc in docs:
        t = rows_to_tables(document_rows(doc))
        y = str(doc.header.plan_year) if doc.header.plan_year else UNKNOWN_PARTITION
        for n in DOC_TABLES:
            parts[n].append(t[n])
            years[n] += [y] * t[n].num_rows
    run = pq_out.staging_dir(out, pq_out.new_run_id())
    for n, schema in DOC_TABLES.items():
        pq_out.write_table(pa.concat_tables(parts[n]), run / n, pa.array(years[n], pa.string()))
    pq_out.write_table(ALL_TABLES["failures"].empty_table(), run / "failures")
    pq_out.write_atomic(run / pq_out.MANIFEST_NAME, b"{}")
    return pq_out.publish(out, run)


def test_partitioned_layout_reads_whole_in_every_reader(tmp_path):
    out = tmp_path / "out"
    _publish(out, [make_doc("a1", 2024, "x/a.txt"), make_doc("b2", None, "x/b.txt"),
                   make_doc("c3", 2023, "x/c.txt")])
    assert (out / "documents" / f"{PARTITION_KEY}=2024" / "part-0.parquet").is_file()
    assert (out / "documents" / f"{PARTITION_KEY}={UNKNOWN_PARTITION}" / "part-0.parquet").is_file()
    want = {"a1": 2024, "b2": None, "c3": 2023}
    # OUTPUT.md's reading: the file columns, plan_year int32 with its null
    t = ds.dataset(out / "documents").to_table()
    assert t.schema.field("plan_year").type == pa.int32()
    assert dict(zip(t["doc_id"].to_pylist(), t["plan_year"].to_pylist())) == want
    # the scorer's reading: Hive keys forced to strings
    scorer = ds.dataset(out / "documents", format="parquet",
                        partitioning=ds.HivePartitioning(pa.schema([(PARTITION_KEY, pa.string())])))
    st = scorer.to_table()
    assert dict(zip(st["doc_id"].to_pylist(), st["plan_year"].to_pylist())) == want
    assert set(st[PARTITION_KEY].to_pylist()) == {"2024", "2023", UNKNOWN_PARTITION}
    # inferred hive, pq.read_table and pandas (the traps a key named like a column falls into)
    assert ds.dataset(out / "tasks", partitioning="hive").to_table().num_rows == 6
    assert pq.read_table(out / "documents").num_rows == 3
    assert len(pd.read_parquet(out / "task_units")) == 6
    # DuckDB through the links
    import duckdb
    n = duckdb.sql(f"select count(*) from read_parquet('{out}/tasks/**/*.parquet', hive_partitioning=true) "
                   f"where {PARTITION_KEY} = '2024'").fetchall()[0][0]
    assert n == 2


def test_strings_are_dictionary_encoded_and_texts_are_not(tmp_path):
    out = tmp_path / "out"
    _publish(out, [make_doc("a1")])
    meta = pq.ParquetFile(next((out / "task_units").rglob("*.parquet"))).metadata.row_group(0)
    enc = {meta.column(i).path_in_schema: meta.column(i).encodings for i in range(meta.num_columns)}
    assert "RLE_DICTIONARY" in enc["role"] and "RLE_DICTIONARY" in enc["unit"]
    tmeta = pq.ParquetFile(next((out / "texts").rglob("*.parquet"))).metadata.row_group(0)
    tenc = {tmeta.column(i).path_in_schema: tmeta.column(i).encodings for i in range(tmeta.num_columns)}
    assert "RLE_DICTIONARY" not in tenc["text"]


def _snapshot(out: Path) -> dict:
    return OrderedDict((n, pq_out.read_table(out, n)) for n in DOC_TABLES)


def test_publish_swaps_all_tables_at_once_and_a_failed_publish_leaves_the_old_run(tmp_path, monkeypatch):
    out = tmp_path / "out"
    first = _publish(out, [make_doc("a1"), make_doc("b2", 2023)])
    before = _snapshot(out)
    # a crash at the pointer swap: the new run is written but .current still names the old one
    real_replace = os.replace

    def crash_on_pointer(src, dst):
        if str(dst).endswith(pq_out.CURRENT_LINK):
            raise KeyboardInterrupt("killed at the swap")
        return real_replace(src, dst)

    monkeypatch.setattr(pq_out.os, "replace", crash_on_pointer)
    with pytest.raises(KeyboardInterrupt):
        _publish(out, [make_doc("c3")])
    monkeypatch.setattr(pq_out.os, "replace", real_replace)
    after = _snapshot(out)
    for n in DOC_TABLES:
        assert after[n].equals(before[n]), n
    assert pq_out.current_run_dir(out) == first
    # the next publish completes and removes what is older than the previous run
    second = _publish(out, [make_doc("c3")])
    third = _publish(out, [make_doc("d4")])
    assert pq_out.read_table(out, "documents")["doc_id"].to_pylist() == ["d4"]
    runs = sorted(p.name for p in (out / pq_out.RUNS_DIRNAME).iterdir())
    assert runs == sorted([second.name, third.name])


def _write_run(staging: Path, docs) -> dict:
    """Stream hand-built documents through a RunWriter, the way the batch assembles."""
    writer = pq_out.RunWriter(staging, dict(ALL_TABLES))
    for doc in docs:
        t = rows_to_tables(document_rows(doc))
        y = str(doc.header.plan_year) if doc.header.plan_year else UNKNOWN_PARTITION
        for n in DOC_TABLES:
            writer.write(n, t[n], y)
    return writer.close()


def test_publish_makes_every_file_and_folder_of_the_run_durable_before_the_rename(tmp_path, monkeypatch):
    """The run's files are fsynced together at publication rather than one by one as they
    are closed: when the staged run is renamed into place, every file and folder in it
    (tables, partitions, manifest) has been fsynced all the same; an fsync that fails
    stops the publication and the previous run stays current."""
    import threading

    out = tmp_path / "out"
    first = _publish(out, [make_doc("a1")])
    synced: set[Path] = set()
    lock = threading.Lock()
    real_fsync, real_rename = pq_out.fsync_path, pq_out.os.rename

    def record(path):
        real_fsync(path)
        with lock:
            synced.add(Path(path))

    unsynced_at_rename = []

    def rename(src, dst):
        if Path(src).name.endswith(".tmp"):  # the staged run going into place
            staged = {p for p in Path(src).rglob("*")} | {Path(src)}
            unsynced_at_rename.append(staged - synced)
        return real_rename(src, dst)

    monkeypatch.setattr(pq_out, "fsync_path", record)
    monkeypatch.setattr(pq_out.os, "rename", rename)
    staging = pq_out.staging_dir(out, pq_out.new_run_id())
    files = _write_run(staging, [make_doc("a1", 2024), make_doc("b2", 2023), make_doc("c3", None)])
    (staging / pq_out.MANIFEST_NAME).write_bytes(b"{}")
    assert sum(len(f) for f in files.values()) > len(ALL_TABLES)  # year= partitions
    second = pq_out.publish(out, staging)
    assert unsynced_at_rename == [set()]
    assert pq_out.current_run_dir(out) == second != first

    def failing(path):
        if Path(path).name == "part-0.parquet" and Path(path).parent.name == f"{PARTITION_KEY}=2023":
            raise OSError(5, "Input/output error")
        real_fsync(path)

    monkeypatch.setattr(pq_out, "fsync_path", failing)
    staging = pq_out.staging_dir(out, pq_out.new_run_id())
    _write_run(staging, [make_doc("d4", 2023)])
    with pytest.raises(OSError):
        pq_out.publish(out, staging)
    assert pq_out.current_run_dir(out) == second
    assert sorted(pq_out.read_table(out, "documents")["doc_id"].to_pylist()) == ["a1", "b2", "c3"]


def test_a_foreign_folder_at_a_table_path_is_replaced_by_the_link(tmp_path):
    out = tmp_path / "out"
    (out / "documents").mkdir(parents=True)
    pq.write_table(pa.table({"x": [1]}), out / "documents" / "old.parquet")
    _publish(out, [make_doc("a1")])
    assert (out / "documents").is_symlink()
    assert pq_out.read_table(out, "documents")["doc_id"].to_pylist() == ["a1"]


def test_one_writer_at_a_time(tmp_path):
    """A second process cannot take OUT's lock while a run holds it, and gets it
    as soon as that run's process is gone (even killed)."""
    import subprocess
    import sys

    from policyparse.errors import ExportError

    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from pathlib import Path; "
         "from policyparse.export.parquet import out_lock\n"
         "with out_lock(Path(sys.argv[1])):\n print('locked', flush=True); time.sleep(60)",
         str(tmp_path)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(ExportError):
            with pq_out.out_lock(tmp_path):
                pass
    finally:
        holder.kill()
        holder.wait()
    with pq_out.out_lock(tmp_path):  # released by the kernel when the holder died
        pass
