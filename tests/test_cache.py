"""The two-level cache and streaming assembly (issue 11): a rule change re-runs
extraction only, the reading code's change re-reads; the tables are the same bytes
whatever the number of workers, the row-group bounds hit, or a SIGKILL and resume;
a torn entry is a miss; pruning keeps only what the current run references.

Everything goes through the real pipeline on the seed texts and real renderings.
"""
from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

import policyparse.export.cache as cache_mod
import policyparse.pipeline as pipeline
from policyparse.batch import run_batch
from policyparse.export import parquet as pq_out
from policyparse.export.schema import ALL_TABLES
from policyparse.gazetteer import gazetteer_dir
from procs import kill_mid_extraction

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "corpus" / "seeds"
DOCX = ROOT / "corpus" / "renderings" / "docx"


def parquet_files(out: Path) -> dict[str, bytes]:
    run = out / ".current"
    return {str(p.relative_to(run)): p.read_bytes() for p in sorted(run.rglob("*.parquet"))}


def tables(out: Path) -> dict:
    return {name: pq_out.read_table(out, name) for name in ALL_TABLES}


def small_corpus(dest: Path, copies: int = 1) -> Path:
    """The five seed texts (with ``copies`` variants each) and two DOCX renderings."""
    dest.mkdir(parents=True, exist_ok=True)
    for src in sorted(SEEDS.glob("*.txt")):
        for k in range(copies):
            (dest / f"{src.stem}.{k}.txt").write_bytes(src.read_bytes() + b"\n" * k)
    for src in sorted(DOCX.glob("*.docx"))[:2]:
        shutil.copy(src, dest / src.name)
    return dest


@pytest.fixture
def counted_reads(tmp_path, monkeypatch):
    """Every call of the reader (ingest.read_bytes, as the pipeline calls it) appends its
    path to a file, so calls made in forked worker processes count too."""
    log = tmp_path / "reads.log"
    real = pipeline.read_bytes

    def reading(data, source_path="", **kw):
        with open(log, "a", encoding="utf-8") as fh:
            fh.write(source_path + "\n")
        return real(data, source_path, **kw)

    monkeypatch.setattr(pipeline, "read_bytes", reading)

    def reads() -> list[str]:
        n = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
        log.unlink(missing_ok=True)
        return [p for p in n if not p.endswith("warmup.txt")]

    return reads


@pytest.fixture
def gazetteer_copy(tmp_path, monkeypatch) -> Path:
    """The cache fingerprints the gazetteers of this copy (the pipeline still reads the
    real ones: touching a file changes the key, as an edit would, not the rules)."""
    gaz = tmp_path / "gazetteers"
    shutil.copytree(gazetteer_dir(), gaz)
    monkeypatch.setattr(cache_mod, "gazetteer_root", lambda: gaz)
    return gaz


def touch(path: Path) -> None:
    path.write_bytes(path.read_bytes() + b"\n# touched\n")


@pytest.mark.parametrize("workers", [1, 2])
def test_a_rule_change_reruns_extraction_only_and_equals_a_fresh_run(
        tmp_path, counted_reads, gazetteer_copy, workers):
    src = small_corpus(tmp_path / "in")
    out = tmp_path / "out"
    first = run_batch([src], out, workers=workers, quiet=True)
    assert first.documents == 7 and len(counted_reads()) == 7

    touch(gazetteer_copy / "patterns" / "deadline.yaml")  # an extraction rule file
    again = run_batch([src], out, workers=workers, quiet=True)
    assert len(again.extracted) == 7  # every document's rows were made again …
    assert counted_reads() == []  # … from level 1: no file was read, no reader ran
    fresh = tmp_path / "fresh"
    run_batch([src], fresh, workers=workers, quiet=True)
    counted_reads()
    assert parquet_files(out) == parquet_files(fresh)  # the very same bytes

    touch(gazetteer_copy / "layout.yaml")  # a file the text reader uses: read again
    third = run_batch([src], out, workers=workers, quiet=True)
    assert len(third.extracted) == 7 and len(counted_reads()) == 7
    assert parquet_files(out) == parquet_files(fresh)


def test_keys_are_computed_again_only_when_a_file_changed(gazetteer_copy, monkeypatch):
    """A process that runs several batches reads the package and the gazetteers once, and
    again after any edit, even one that keeps the file's size."""
    computed = []
    real = cache_mod._fingerprints
    monkeypatch.setattr(cache_mod, "_fingerprints", lambda root: computed.append(root) or real(root))
    cache_mod._last_fingerprints.clear()
    first = cache_mod.cache_keys(ocr=False)
    assert cache_mod.cache_keys(ocr=False) == first and len(computed) == 1
    rule = gazetteer_copy / "patterns" / "deadline.yaml"
    text = rule.read_bytes()
    rule.write_bytes(text[:-1] + (b"#" if text[-1:] != b"#" else b" "))  # same size
    edited = cache_mod.cache_keys(ocr=False)
    assert len(computed) == 2 and edited.rows != first.rows and edited.ingest == first.ingest
    rule.write_bytes(text)
    assert cache_mod.cache_keys(ocr=False) == first and len(computed) == 3


def test_the_ingest_fingerprint_covers_the_readers_and_their_data_not_the_rules():
    sources = {str(p.relative_to(cache_mod.PACKAGE_ROOT)) for p in cache_mod.ingest_sources()}
    assert {"ingest/text.py", "ingest/layout.py", "ingest/pdf_scan.py", "model.py", "normalize.py",
            "hanzi.py"} <= sources
    assert not any(s.startswith(("extract/", "segment/", "export/")) for s in sources)
    assert "pipeline.py" not in sources and "__init__.py" not in sources
    gaz = {p.name for p in cache_mod.ingest_gazetteers(cache_mod.ingest_sources(), gazetteer_dir())}
    assert {"layout.yaml", "html.yaml", "t2s_chars.csv"} <= gaz
    assert "deadline.yaml" not in gaz and "units.yaml" not in gaz


def test_the_ocr_page_fingerprint_covers_the_ocr_code_only(tmp_path, monkeypatch):
    sources = {str(p.relative_to(cache_mod.PACKAGE_ROOT)) for p in cache_mod.ocr_sources()}
    assert {"ingest/pdf_scan.py", "ingest/pdf_layout.py", "limits.py"} <= sources
    # the other readers are not what a page's OCR runs: changing them re-reads documents
    # from their cached pages, it does not OCR them again
    assert not {"ingest/pdf_text.py", "ingest/docx.py", "ingest/html.py"} & sources
    assert not any(s.startswith(("extract/", "segment/", "export/")) for s in sources)
    before = cache_mod.ocr_fingerprint()
    copy = tmp_path / "pkg"
    shutil.copytree(cache_mod.PACKAGE_ROOT, copy)
    monkeypatch.setattr(cache_mod, "PACKAGE_ROOT", copy)
    touch(copy / "ingest" / "pdf_text.py")
    assert cache_mod.ocr_fingerprint() == before
    touch(copy / "ingest" / "pdf_scan.py")
    assert cache_mod.ocr_fingerprint() != before


def test_an_ingested_document_round_trips_exactly():
    from policyparse.ingest import read_bytes

    for path in [sorted(SEEDS.glob("*.txt"))[1], sorted(DOCX.glob("*.docx"))[1]]:
        doc = read_bytes(path.read_bytes(), str(path))
        raw = cache_mod.encode_document(doc)
        assert raw is not None and cache_mod.decode_document(raw) == doc
        entry = cache_mod.compress(raw)
        assert len(entry) < len(doc.text.encode("utf-8"))  # text, blocks and all, compressed
        assert cache_mod.decode_document(cache_mod.decompress(entry)) == doc
        assert cache_mod.decode_document(raw[: len(raw) // 2]) is None  # torn: a miss
        with pytest.raises(ValueError):
            cache_mod.decompress(entry[: len(entry) // 2])


def test_streaming_bounds_give_the_same_bytes_with_one_or_two_workers(tmp_path, monkeypatch):
    # tiny row-group and buffer bounds, so that rows are flushed many times mid-run
    monkeypatch.setattr(pq_out, "ROW_GROUP_BYTES", 8_000)
    monkeypatch.setattr(pq_out, "BUFFER_BUDGET_BYTES", 30_000)
    src = small_corpus(tmp_path / "in", copies=3)
    one, two = tmp_path / "one", tmp_path / "two"
    run_batch([src], one, workers=1, quiet=True)
    run_batch([src], two, workers=2, quiet=True)
    assert parquet_files(one) == parquet_files(two)
    texts = [p for p in (one / ".current" / "texts").rglob("*.parquet")]
    assert max(pq.ParquetFile(p).num_row_groups for p in texts) > 1  # the bounds were hit
    whole = tmp_path / "whole"  # default bounds: other row groups, the same rows
    monkeypatch.undo()
    run_batch([src], whole, workers=1, quiet=True)
    for name, t in tables(whole).items():
        assert t.equals(tables(one)[name]), name


def test_read_staged_batches_reads_a_table_back_in_bounded_batches(tmp_path):
    src = small_corpus(tmp_path / "in", copies=2)
    out = tmp_path / "out"
    run_batch([src], out, quiet=True)
    run = out / ".current"
    batches = list(pq_out.read_staged_batches(run, "tasks", ["task_id", "doc_id", "text"], batch_size=7))
    assert batches and max(b.num_rows for b in batches) <= 7
    assert batches[0].schema.names == ["task_id", "doc_id", "text"]
    ids = [i for b in batches for i in b.column("task_id").to_pylist()]
    assert ids == pq_out.read_table(out, "tasks")["task_id"].to_pylist()


def test_a_torn_or_vanished_entry_is_a_miss_and_the_run_completes(tmp_path):
    src = small_corpus(tmp_path / "in")
    out = tmp_path / "out"
    run_batch([src], out, quiet=True)
    fresh = parquet_files(out)
    db = sqlite3.connect(out / ".cache" / "cache.sqlite")
    ids = [r[0] for r in db.execute("SELECT doc_id FROM extracted ORDER BY doc_id")]
    db.execute("UPDATE extracted SET blob = substr(blob, 1, 20) WHERE doc_id = ?", (ids[0],))
    db.execute("DELETE FROM ingested WHERE doc_id = ?", (ids[0],))
    db.commit()
    db.close()
    # a new run name: publish again (the tables are assembled), with the torn entry
    s = run_batch([src, str(src) + "/"], out, quiet=True)
    assert s.published and s.failures == 0 and s.documents == 7
    assert parquet_files(out) == fresh


def test_pruning_keeps_only_the_current_documents_and_keys(tmp_path, gazetteer_copy):
    src = small_corpus(tmp_path / "in", copies=2)
    out = tmp_path / "out"
    run_batch([src], out, quiet=True)
    for f in sorted(src.glob("*.1.txt")):
        f.unlink()
    touch(gazetteer_copy / "patterns" / "deadline.yaml")
    s = run_batch([src], out, quiet=True)
    assert s.documents == 7
    db = sqlite3.connect(out / ".cache" / "cache.sqlite")
    docs = set(pq_out.read_table(out, "documents")["doc_id"].to_pylist())
    for table in ("ingested", "extracted"):
        rows = db.execute(f"SELECT doc_id, key FROM {table}").fetchall()  # noqa: S608
        assert {d for d, _ in rows} == docs and len(rows) == 7 and len({k for _, k in rows}) == 1, table
    db.close()
    assert [p.name for p in (out / ".cache").iterdir() if not p.name.startswith("cache.sqlite")] == []


def test_a_run_resumed_after_sigkill_gives_byte_identical_tables(tmp_path):
    src = small_corpus(tmp_path / "in", copies=5)  # 27 documents
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "policyparse.cli", "run", str(src), "--out", str(out),
                             "--workers", "2"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seen = kill_mid_extraction(proc, 120)
    assert "files," in seen, seen
    assert not (out / "documents").exists()  # nothing was published
    resumed = run_batch([src], out, workers=2, quiet=True)
    assert resumed.documents == 27
    assert 0 < resumed.from_cache and len(resumed.extracted) < 27  # it went on from the cache
    fresh = tmp_path / "fresh"
    run_batch([src], fresh, workers=1, quiet=True)
    assert parquet_files(out) == parquet_files(fresh)


def test_entries_share_a_trained_dictionary_and_workers_read_them(tmp_path, monkeypatch):
    from policyparse.export.cache import DocCache, cache_keys, lookup_ingested
    from policyparse.ingest import read_bytes

    monkeypatch.setattr(cache_mod, "DICT_SAMPLES", 8)
    seed = sorted(SEEDS.glob("*.txt"))[2].read_bytes()
    docs = []
    for k in range(12):  # twelve variants of one notice: what one entry cannot share
        doc = read_bytes(seed + f"\n（编号：{k}）\n".encode(), f"in/{k}.txt")
        docs.append((doc.doc_id, cache_mod.encode_document(doc), doc))
    cache = DocCache(tmp_path, cache_keys(ocr=True))
    for doc_id, raw, _ in docs:
        cache.put_ingested(doc_id, raw)
    db = sqlite3.connect(tmp_path / ".cache" / "cache.sqlite")
    assert db.execute("SELECT count(*) FROM dictionaries WHERE level='ingested'").fetchone() == (1,)
    sizes = dict(db.execute("SELECT doc_id, length(blob) FROM ingested"))
    db.close()
    plain = len(cache_mod.compress(docs[-1][1]))
    assert sizes[docs[-1][0]] < plain / 3  # with the dictionary, a fraction of zstd alone
    assert sizes[docs[0][0]] < plain / 3  # the samples were compressed again with it
    for doc_id, _, doc in docs:
        assert cache.get_ingested(doc_id) == doc
    with cache.shared_with_workers():  # what a worker process sees
        assert lookup_ingested(docs[3][0]) == docs[3][2]
        assert lookup_ingested("0000000000000000") is None
    assert lookup_ingested(docs[3][0]) is None  # nothing shared outside a run
    cache.close()
