"""task_clusters (export/clusters.py): the same obligation in the tasks of several notices,
by sentence shingles with MinHash/LSH; renderings of one notice count once."""
from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from policyparse.export import parquet as pq_out
from policyparse.export.clusters import build_task_clusters, sentences
from policyparse.export.tables import document_rows, rows_to_tables
from policyparse.official import notice_key
from policyparse.pipeline import parse_file

SEEDS = Path(__file__).resolve().parent.parent / "corpus" / "seeds"
RENDERINGS = SEEDS.parent / "renderings"

# Every multi-notice cluster of the five seeds, read by hand (each member's sentence is the
# same obligation reworded): the representative's opening words → the seeds it joins.
EXPECTED = {
    "根据安全风险和规模大小，分级明确行政负责人": {"002", "004"},
    "严格企业法定代表人、实际控制人、主要负责人": {"002", "004"},
    "以标准化为统领，构建符合企业生产实际的安全": {"002", "004"},
    "“三个责任人”每月至少开展一次检查指导，每": {"000", "002", "004"},
    "强化一线岗位规范操作，按照全员、全过程、全": {"000", "002", "004"},
    "依照区级年度安全生产考核办法和考核评分细则": {"000", "004"},
}


def _tasks_and_notices(paths):
    tasks, notices, seed_of = [], {}, {}
    for p in paths:
        doc = parse_file(p)
        tables = rows_to_tables(document_rows(doc))
        tasks.append(tables["tasks"])
        d = tables["documents"].to_pylist()[0]
        notices[d["doc_id"]] = d["notice_key"]
        seed_of[d["doc_id"]] = p.name[:3]
    return pa.concat_tables(tasks), notices, seed_of


def test_every_multi_notice_cluster_of_the_seeds_is_one_obligation():
    tasks, notices, seed_of = _tasks_and_notices(sorted(SEEDS.glob("*.txt")))
    clusters = build_task_clusters(tasks.to_batches(max_chunksize=7), notices)
    got: dict[str, set[str]] = {}
    for row in clusters.to_pylist():
        got.setdefault(row["representative_text"][:21], set()).add(seed_of[row["doc_id"]])
        assert 0.4 <= row["similarity"] <= 1.0
    for rep, seeds in sorted(got.items()):  # printed for the reader (pytest -s)
        print(sorted(seeds), rep)
    assert got == EXPECTED
    # the 三个责任人 monthly inspections of seeds 000 and 004 in one cluster
    three = [r for r in clusters.to_pylist() if "每月至少开展" in r["member_text"] and "三个责任人" in r["member_text"]]
    assert {seed_of[r["doc_id"]] for r in three} >= {"000", "004"} and len({r["cluster_id"] for r in three}) == 1


def test_renderings_of_one_notice_count_once():
    seeds = sorted(SEEDS.glob("00[04]_*.txt"))
    copies = [RENDERINGS / "gbk" / seeds[0].name, RENDERINGS / "html" / seeds[1].with_suffix(".html").name]
    tasks, notices, seed_of = _tasks_and_notices(seeds + copies)
    assert len(set(notices.values())) == 2 and len(notices) == 4
    clusters = build_task_clusters(tasks.to_batches(), notices)
    assert clusters.num_rows
    # one file speaks for each notice: never two rows of one notice in a cluster
    for cid in set(clusters["cluster_id"].to_pylist()):
        rows = [r for r in clusters.to_pylist() if r["cluster_id"] == cid]
        assert len({r["notice_key"] for r in rows}) == len(rows) == 2
    # without notice keys the renderings would pair with each other
    alone = build_task_clusters(tasks.to_batches())
    assert alone.num_rows > clusters.num_rows


def test_a_theme_is_not_an_obligation():
    rows = pa.table({"task_id": ["a-t0", "b-t0", "c-t0"], "doc_id": ["a", "b", "c"], "text": [
        "扎实推进安全生产专项整治三年行动。",  # a slogan: too short to name one obligation
        "开展安全生产专项整治三年行动回头看。",
        "每季度至少开展1次危险化学品企业安全检查，发现隐患立即整改到位。"]})
    assert build_task_clusters(rows.to_batches()).num_rows == 0
    assert sentences("1.扎实推进安全生产专项整治三年行动") == []


def test_a_copied_obligation_with_a_changed_frequency_is_still_one():
    rows = pa.table({"task_id": ["a-t0", "b-t3"], "doc_id": ["a", "b"], "text": [
        "（2）“三个责任人”每月至少开展一次检查指导，每半年完成一次挂牌企业指导检查全覆盖。",
        "3.强化监管。“三个责任人”每季度至少开展1次检查指导，每半年完成1次挂牌企业指导检查全覆盖。"]})
    table = build_task_clusters(rows.to_batches(), {"a": notice_key(None, ["甲区"], "甲", None),
                                                    "b": notice_key(None, ["乙区"], "乙", None)})
    assert sorted(table["task_id"].to_pylist()) == ["a-t0", "b-t3"]
    assert len(set(table["cluster_id"].to_pylist())) == 1


@pytest.mark.slow
def test_the_bundled_corpus_run_clusters_notices_not_renderings(corpus_output):
    """The published run of corpus/ (each seed in ~10 renderings): the same clusters as the
    seeds alone, one file per notice in each."""
    clusters = pq_out.read_table(corpus_output, "task_clusters").to_pylist()
    docs = {d["doc_id"]: d for d in pq_out.read_table(corpus_output, "documents").to_pylist()}
    got: dict[str, set[str]] = {}
    for row in clusters:
        assert docs[row["doc_id"]]["notice_key"] == row["notice_key"]
        got.setdefault(row["cluster_id"], set()).add(Path(docs[row["doc_id"]]["source_path"]).name[:3])
    by_rep = {}
    for row in clusters:
        by_rep[row["representative_text"][:21]] = got[row["cluster_id"]]
    assert {frozenset(v) for v in by_rep.values()} == {frozenset(v) for v in EXPECTED.values()}
    for cid, seeds in got.items():
        rows = [r for r in clusters if r["cluster_id"] == cid]
        assert len({r["notice_key"] for r in rows}) == len(rows) == len(seeds)
