"""``policyparse compare``: run on a small run of three notices (one of them in two files), its
figures checked against the published tables read with pandas."""
from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from policyparse.batch import run_batch
from policyparse.export.compare import compare, compare_cli, region_label
from policyparse.export.load import load

YUBEI_2022 = """重庆市渝北区应急管理局关于印发2022年安全生产工作要点的通知
渝北应急发〔2022〕3号
各镇街、各有关单位：
一、压实安全责任
（一）严格“三个责任人”履职标准，行政负责人、行业监管部门负责人每月至少开展1次检查指导，每半年完成1次挂牌企业指导检查全覆盖。牵头单位：区应急管理局；配合单位：各镇街。
（二）开展有限空间作业专项整治，全面排查涉有限空间作业企业的安全隐患，建立隐患清单并督促整改到位。牵头单位：区经济信息委。2022年6月底前完成。
（三）组织开展安全生产月宣传活动，在全区范围内普及安全生产法律法规知识和应急避险常识。牵头单位：区应急管理局。
重庆市渝北区应急管理局
2022年2月10日
"""
YUBEI_2023 = """重庆市渝北区应急管理局关于印发2023年安全生产工作要点的通知
渝北应急发〔2023〕5号
各镇街、各有关单位：
一、压实安全责任
（一）严格“三个责任人”履职标准，行政负责人、行业负责人每季度至少开展1次检查指导，每半年完成1次挂牌企业指导检查全覆盖。牵头单位：区应急管理局。
（二）推进燃气安全专项整治，对餐饮场所瓶装液化石油气使用情况开展全覆盖检查，2023年9月底前完成燃气报警装置安装。牵头单位：区城市管理局；配合单位：区市场监管局。
（三）健全森林防火责任体系，加强重点时段野外火源管控和巡护值守，确保不发生重大森林火灾。牵头单位：区林业局。
重庆市渝北区应急管理局
2023年2月15日
"""
FULING_2023 = """重庆市涪陵区应急管理局关于印发2023年工贸行业安全生产工作要点的通知
涪应急发〔2023〕10号
各乡镇街道、各有关单位：
一、重点任务
（一）开展粉尘涉爆企业专项检查，每季度至少开展1次除尘系统隐患排查，发现问题立即整改。牵头单位：区应急管理局。
（二）组织工贸企业主要负责人安全培训，年内培训覆盖率达到100%。牵头单位：区应急管理局；配合单位：区人力社保局。
重庆市涪陵区应急管理局
2023年3月1日
"""


@pytest.fixture(scope="module")
def small_run(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("compare")
    (root / "site_a").mkdir()
    (root / "site_b").mkdir()
    (root / "site_a" / "yubei_2022.txt").write_text(YUBEI_2022, encoding="utf-8")
    (root / "site_a" / "yubei_2023.txt").write_text(YUBEI_2023, encoding="utf-8")
    # the same 2023 notice from a second site, other bytes: one notice, two files
    (root / "site_b" / "yubei_2023.txt").write_text(YUBEI_2023.replace("\n", "\r\n"), encoding="utf-8")
    (root / "site_b" / "fuling_2023.txt").write_text(FULING_2023, encoding="utf-8")
    out = root / "out"
    summary = run_batch([root / "site_a", root / "site_b"], out, quiet=True)
    assert summary.failures == 0 and summary.documents == 4
    return out


def _expected(out: Path):
    """The figures recomputed from the tables with pandas: one document per notice_key."""
    t = load(out)
    docs = t.documents.sort_values("source_path").drop_duplicates("notice_key")
    docs = docs.assign(region=[region_label(p, c, k, code) for p, c, k, code in zip(
        docs.region_province, docs.region_city, docs.region_county, docs.region_code)])
    tasks = t.tasks.merge(docs[["doc_id", "region", "plan_year"]], on="doc_id")
    return t, docs, tasks


def test_counts_are_per_notice_and_match_the_tables(small_run):
    t, docs, tasks = _expected(small_run)
    assert len(t.documents) == 4 and t.documents.notice_key.nunique() == 3
    views = compare(small_run)
    coverage = views["coverage"].set_index("region")
    yubei = region_label("重庆市", None, "渝北区")
    assert set(coverage.index) == set(docs.region) and yubei in coverage.index
    for region, row in coverage.iterrows():
        mine = tasks[tasks.region == region]
        assert row.notices == docs[docs.region == region].notice_key.nunique()
        assert row.tasks == len(mine)  # the second file of a notice adds no task
        lead = set(t.task_units[t.task_units.role == "lead"].task_id)
        assert row.share_lead == pytest.approx(round(mine.task_id.isin(lead).mean(), 3))
        assert row.share_deadline == pytest.approx(round(mine.task_id.isin(set(t.deadlines.task_id)).mean(), 3))
        assert row.share_frequency == pytest.approx(round(mine.task_id.isin(set(t.frequencies.task_id)).mean(), 3))
    assert coverage.loc[yubei, "files"] == 3 and coverage.loc[yubei, "notices"] == 2
    # region x topic: every (region, topic) count is the number of tasks listing the topic
    topics = views["topics"]
    for row in topics.itertuples():
        column = "topics" if row.kind == "work_type" else "hazards"
        mine = tasks[tasks.region == row.region][column]
        want = sum(1 for v in mine if (row.topic in list(v)) or (row.topic == "(none)" and len(v) == 0))
        assert row.tasks == want, row
    assert topics[topics.kind == "work_type"].tasks.sum() >= len(tasks)
    # lead units: tasks led, canonical names, most first
    leads = views["leads"]
    top = leads[leads.region == yubei].iloc[0]
    units = t.task_units.merge(tasks[["task_id", "region"]], on="task_id")
    led = units[(units.role == "lead") & (units.region == yubei)]
    counts = led.assign(name=led.unit_canonical.fillna(led.unit)).groupby("name").task_id.nunique()
    assert top.unit == counts.idxmax() and top.tasks == counts.max()


def test_year_and_region_filters(small_run):
    _, docs, tasks = _expected(small_run)
    only_2022 = compare(small_run, year=2022)["coverage"]
    assert only_2022.tasks.sum() == len(tasks[tasks.plan_year == 2022]) and len(only_2022) == 1
    fuling = compare(small_run, region="涪陵区")["coverage"]
    assert list(fuling.region) == [region_label("重庆市", None, "涪陵区")]
    code = docs[docs.region_county == "涪陵区"].region_code.iloc[0]
    assert compare(small_run, region=code)["coverage"].equals(fuling)


def test_year_over_year_matches_tasks_through_clusters(small_run):
    t, docs, tasks = _expected(small_run)
    yoy = compare(small_run, region="渝北区")["yoy"]
    assert set(yoy.year_from) == {2022} and set(yoy.year_to) == {2023}
    total = yoy[yoy.kind == "all"].iloc[0]
    before = tasks[(tasks.region.str.endswith("渝北区")) & (tasks.plan_year == 2022)]
    after = tasks[(tasks.region.str.endswith("渝北区")) & (tasks.plan_year == 2023)]
    clusters = t.task_clusters
    members = clusters.groupby("cluster_id").task_id.apply(set)
    kept = {a for a in after.task_id if any(a in m and m & set(before.task_id) for m in members)}
    matched_before = {b for b in before.task_id if any(b in m and m & set(after.task_id) for m in members)}
    assert total.kept == len(kept) == 1  # the 三个责任人 inspections, monthly in 2022, quarterly in 2023
    assert total.added == len(after) - len(kept) == 2
    assert total.dropped == len(before) - len(matched_before) == 2
    # the kept obligation changed its frequency: the cluster shows both wordings
    row = clusters[clusters.task_id.isin(kept)].iloc[0]
    both = clusters[clusters.cluster_id == row.cluster_id].member_text.tolist()
    assert any("每月" in s for s in both) and any("每季度" in s for s in both)
    # by topic: the 责任落实 task was kept
    duty = yoy[(yoy.kind == "work_type") & (yoy.topic == "责任落实")].iloc[0]
    assert duty.kept == 1 and duty.dropped == 0
    # no earlier year: an empty view, not an error
    assert compare(small_run, region="涪陵区")["yoy"].empty


def test_csv_and_json_outputs(small_run, tmp_path, capsys):
    assert compare_cli(small_run, region="渝北区", csv_dir=tmp_path / "csv") == 0
    with open(tmp_path / "csv" / "coverage.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert rows[0]["region"].endswith("渝北区") and int(rows[0]["tasks"]) == 6
    assert (tmp_path / "csv" / "coverage.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert {p.name for p in (tmp_path / "csv").iterdir()} == {"topics.csv", "coverage.csv", "leads.csv", "yoy.csv"}
    capsys.readouterr()
    assert compare_cli(small_run, as_json=True) == 0
    data = json.loads(capsys.readouterr().out)
    assert sum(r["tasks"] for r in data["coverage"]) == 8 and data["yoy"] == []


def test_the_command_line_prints_a_table_and_refuses_an_empty_folder(small_run, tmp_path):
    cmd = [sys.executable, "-m", "policyparse.cli", "compare", str(small_run), "--region", "渝北区"]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Year over year" in done.stdout and "区应急管理局" in done.stdout
    empty = subprocess.run([sys.executable, "-m", "policyparse.cli", "compare", str(tmp_path)],
                           capture_output=True, text=True, timeout=120)
    assert empty.returncode == 2 and "no published policyparse run" in empty.stderr
