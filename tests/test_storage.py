"""Inputs where the data lives (storage.py): file:// and fsspec URLs as inputs, Dask
workers that read shared storage themselves, OUT refused where it cannot be published
atomically. Everything through the real pipeline on the .txt seeds."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from policyparse.batch import run_batch
from policyparse.errors import UsageError
from policyparse.export import parquet as pq_out
from policyparse.export.schema import ALL_TABLES

SEEDS = Path(__file__).resolve().parent.parent / "corpus" / "seeds"
PATH_COLUMNS = ("source_path", "source_paths")


def _tables(out: Path) -> dict:
    return {name: pq_out.read_table(out, name) for name in ALL_TABLES}


def _parquet_files(out: Path) -> dict[str, bytes]:
    cur = out / ".current"
    return {str(p.relative_to(cur)): p.read_bytes() for p in sorted(cur.rglob("*.parquet"))}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("storage") / "notices"
    (root / "sub").mkdir(parents=True)
    for i, src in enumerate(sorted(SEEDS.glob("*.txt"))):
        (root / ("sub" if i % 2 else "") / src.name).write_bytes(src.read_bytes())
    (root / "empty.txt").write_bytes(b"")  # a failure row, the same in every run
    return root


@pytest.fixture(scope="module")
def reference(corpus, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("storage-ref") / "out"
    s = run_batch([corpus], out, quiet=True)
    assert s.documents == 5 and s.failures == 1
    return out


class _SubmitSpy:
    """Records what each Dask task carries (the client's side of the wire)."""

    def __init__(self, monkeypatch):
        from distributed import Client

        self.payloads: list[tuple[str, bytes | None]] = []
        real = Client.submit

        def submit(client, func, *args, **kw):
            if getattr(func, "__name__", "") == "extract_one":
                self.payloads.append((args[0], args[1]))
            return real(client, func, *args, **kw)

        monkeypatch.setattr(Client, "submit", submit)


def test_file_url_corpus_on_dask_gives_the_tables_of_a_local_run(corpus, reference, tmp_path, monkeypatch):
    from distributed import LocalCluster

    spy = _SubmitSpy(monkeypatch)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        shared = tmp_path / "shared"
        s = run_batch([corpus.as_uri()], (tmp_path / "shared").as_uri(), scheduler=cluster.scheduler_address,
                      shared_storage=True, quiet=True)
        sent_shared = list(spy.payloads)
        spy.payloads.clear()
        shipped = tmp_path / "shipped"
        run_batch([corpus.as_uri()], shipped, scheduler=cluster.scheduler_address, quiet=True)
        sent_shipped = list(spy.payloads)
    assert s.documents == 5 and s.failures == 1
    # shared storage: the tasks carry paths only and the workers read the files themselves;
    # without it the client sends each local file's bytes
    assert len(sent_shared) == 6 and all(data is None for _path, data in sent_shared)
    assert len(sent_shipped) == 6 and all(isinstance(data, bytes) for _path, data in sent_shipped)
    assert {p for p, _ in sent_shared} == {str(p) for p in corpus.rglob("*.txt")}
    # file:// is this machine's disk: the same source paths, the very same Parquet bytes
    for out in (shared, shipped):
        assert _parquet_files(out) == _parquet_files(reference)


def _memory_corpus(corpus: Path, root: str) -> None:
    import fsspec

    fs = fsspec.filesystem("memory")
    for p in corpus.rglob("*"):
        if p.is_file():
            fs.pipe(f"{root}/{p.relative_to(corpus).as_posix()}", p.read_bytes())
    fs.pipe(f"{root}/.hidden/skip.txt", b"not a notice")  # hidden folders are skipped
    fs.pipe(f"{root}/notes.json", b"{}")  # so are non-notice extensions


def _without_paths(tables: dict) -> dict:
    out = {}
    for name, t in tables.items():
        drop = [c for c in PATH_COLUMNS if c in t.column_names]
        out[name] = t.drop_columns(drop) if drop else t
    return out


def test_remote_urls_are_listed_hashed_and_read_through_fsspec(corpus, reference, tmp_path):
    import fsspec

    _memory_corpus(corpus, "/remote-serial")
    try:
        s = run_batch(["memory://remote-serial"], tmp_path / "out", quiet=True)
        t = _tables(tmp_path / "out")
        paths = sorted(t["documents"]["source_path"].to_pylist())
        assert s.documents == 5 and len(paths) == 5
        assert all(p.startswith("memory:///remote-serial/") for p in paths)
        assert any("/sub/" in p for p in paths)  # listed recursively
        # the documents are ordered by their URLs as they are by local paths
        ref = _tables(reference)
        assert [p.rsplit("/", 1)[1] for p in t["documents"]["source_path"].to_pylist()] == \
            [Path(p).name for p in ref["documents"]["source_path"].to_pylist()]
        mine, theirs = _without_paths(t), _without_paths(ref)
        for name in ALL_TABLES:
            assert mine[name].equals(theirs[name]), name
        assert t["failures"]["source_path"].to_pylist() == ["memory:///remote-serial/empty.txt"]
    finally:
        fsspec.filesystem("memory").rm("/remote-serial", recursive=True)


def test_dask_workers_read_remote_urls_themselves(corpus, reference, tmp_path, monkeypatch):
    import fsspec
    from distributed import LocalCluster

    # threads in this process: they see the same in-memory filesystem, as workers see a bucket
    _memory_corpus(corpus, "/remote-dask")
    spy = _SubmitSpy(monkeypatch)
    try:
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
            run_batch(["memory://remote-dask"], tmp_path / "out", scheduler=cluster.scheduler_address, quiet=True)
    finally:
        fsspec.filesystem("memory").rm("/remote-dask", recursive=True)
    assert len(spy.payloads) == 6 and all(data is None for _url, data in spy.payloads)
    assert all(url.startswith("memory:///remote-dask/") for url, _ in spy.payloads)
    mine, theirs = _without_paths(_tables(tmp_path / "out")), _without_paths(_tables(reference))
    for name in ALL_TABLES:
        assert mine[name].equals(theirs[name]), name


@pytest.mark.parametrize("out", ["s3://bucket/tables", "memory://tables"])
def test_an_out_on_object_storage_is_refused_before_anything_is_read(corpus, out):
    with pytest.raises(UsageError, match="local folder or a file:// URL"):
        run_batch([corpus], out, quiet=True)


def test_missing_url_input_and_missing_driver_are_usage_errors(tmp_path):
    with pytest.raises(UsageError, match="input not found: memory://no-such-corpus"):
        run_batch(["memory://no-such-corpus"], tmp_path / "out", quiet=True)
    with pytest.raises(UsageError, match="fsspec driver"):
        run_batch(["nosuchproto://bucket/notices"], tmp_path / "out", quiet=True)
    assert not (tmp_path / "out").exists()


def test_cli_takes_urls_and_exits_2_on_a_remote_out(corpus, reference, tmp_path):
    from typer.testing import CliRunner

    from policyparse.cli import app

    runner = CliRunner()
    res = runner.invoke(app, ["run", corpus.as_uri(), "--out", (tmp_path / "o").as_uri(), "--quiet"])
    assert res.exit_code == 1, res.output  # the empty file is a failure row
    assert _parquet_files(tmp_path / "o") == _parquet_files(reference)
    res = runner.invoke(app, ["run", str(corpus), "--out", "s3://bucket/tables"])
    assert res.exit_code == 2
    assert "local folder or a file:// URL" in res.output
    shutil.rmtree(tmp_path / "o")
