"""``policyparse query OUT "SQL"``: DuckDB views over a run's tables."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from typer.testing import CliRunner

from policyparse.batch import run_batch
from policyparse.cli import app
from policyparse.export import parquet as pq_out
from policyparse.export.query import connect, run_query

SEEDS = Path(__file__).resolve().parent.parent / "corpus" / "seeds"


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    o = tmp_path_factory.mktemp("q") / "out"
    run_batch([SEEDS], o, quiet=True)
    return o


def _tsv(out: Path, sql: str) -> list[list[str]]:
    buf = io.StringIO()
    assert run_query(out, sql, stream=buf) == 0
    return [line.split("\t") for line in buf.getvalue().splitlines()]


def test_every_table_is_a_view_with_the_rows_of_the_run(out):
    con = connect(out)
    for name in ("documents", "texts", "tasks", "task_units", "deadlines", "frequencies",
                 "targets", "failures"):
        n = con.execute(f"select count(*) from {name}").fetchall()[0][0]
        assert n == pq_out.read_table(out, name).num_rows, name
    con.close()


def test_a_join_and_the_year_partition_column(out):
    rows = _tsv(out, "select d.doc_id, count(t.task_id) as n from documents d "
                     "left join tasks t using (doc_id) group by d.doc_id order by d.doc_id")
    assert rows[0] == ["doc_id", "n"]
    docs = pq_out.read_table(out, "documents")
    tasks = pq_out.read_table(out, "tasks")
    want = sorted((d, str(tasks["doc_id"].to_pylist().count(d))) for d in docs["doc_id"].to_pylist())
    assert [tuple(r) for r in rows[1:]] == want
    # the partition key is a column: one year's documents without reading the others
    years = _tsv(out, "select year, plan_year from documents")
    for year, plan_year in years[1:]:
        assert year == (plan_year or "unknown")


def test_errors_and_missing_tables(out, tmp_path):
    assert run_query(out, "select * from no_such_table", stream=io.StringIO()) == 1
    assert run_query(tmp_path / "nothing", "select 1", stream=io.StringIO()) == 2


def test_cli_query_prints_the_result(out):
    res = CliRunner().invoke(app, ["query", str(out), "select count(*) as n from documents"])
    assert res.exit_code == 0
    assert res.output.splitlines()[:2] == ["n", "5"]
