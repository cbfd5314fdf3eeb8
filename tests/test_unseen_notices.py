"""Notices from other sectors, provinces and years, annotated per ANNOTATION.md by
annotators who did not see the code (tests/data/notices: 生态环境 浙江, 教育 湖北,
市场监管 山东, 乡村振兴 贵州, 卫生健康 福建, 住建 陕西; .txt, a DOCX and a GB18030 web page).

They were written after the rules were built on the five seeds. Sets A and B (first
run: overall 0.903) showed general gaps (sub-items kept inside their task, unit notes
on their own line, 分工负责 beside 牵头, measures like 微克/立方米 and ‰); set C
(水利 江西, 文旅 重庆, 人社 河北), written after those fixes as a held-out check, scored
0.917 on its first run and found a crash on ① labels. All were fixed as patterns of the
genre, not of these files. The bar below is a floor against regressions, set under
what the pipeline reaches on them.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from policyparse.batch import run_batch
from policyparse.evaluate import evaluate

NOTICES = Path(__file__).resolve().parent / "data" / "notices"


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("unseen")
    summary = run_batch([NOTICES], out, workers=1, quiet=True)
    assert summary.failures == 0
    return evaluate(out, NOTICES, group_by="format")


def test_every_notice_is_read_and_scored(report):
    assert report.gold_without_output == []
    renderings = [p for p in NOTICES.rglob("*") if p.suffix in (".txt", ".docx", ".html")]
    assert sum(g.pairs for g in report.groups.values()) == len(renderings) >= 11


def test_fields_and_tasks_carry_over_to_other_sectors(report):
    t = report.total
    assert t.field_accuracy >= 0.95, t.fields
    assert t.task.f1 >= 0.95, t.task
    assert t.lead.f1 >= 0.90, t.lead
    assert t.deadline.f1 >= 0.90 and t.frequency.f1 >= 0.90 and t.target.f1 >= 0.85, t.components
    assert t.overall >= 0.93, t.components


def test_every_record_is_grounded(report):
    assert report.grounding.coverage == 1.0 and report.grounding.share_exact == 1.0
