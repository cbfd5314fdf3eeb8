"""Task topics and hazards (extract/topics.py): keywords of gazetteers/topics/ matched on
jieba words, never inside another word and never in a unit's name."""
from __future__ import annotations

from pathlib import Path

from policyparse.extract.topics import taxonomies, topics_of
from policyparse.pipeline import parse_bytes, parse_file

SEEDS = Path(__file__).resolve().parent.parent / "corpus" / "seeds"


def test_the_safety_taxonomy_loads_with_its_sector():
    sectors = {t.sector for t in taxonomies()}
    assert "安全生产" in sectors
    safety = next(t for t in taxonomies() if t.sector == "安全生产")
    assert {"隐患排查治理", "考核问责"} <= {name for name, _ in safety.work_types}
    assert {"危险化学品", "消防", "燃气"} <= {name for name, _ in safety.hazards}


def test_keywords_count_as_whole_words_only():
    work, hazards = topics_of("开展消防安全检查，排查燃气管道隐患")
    assert "消防" in hazards and "燃气" in hazards
    assert "监管执法" in work and "隐患排查治理" in work
    # 消防 inside a unit's name or another word is no 消防 task
    assert "消防" not in topics_of("区消防救援大队组织召开会议")[1]


def test_a_units_name_is_blanked_before_matching():
    text = "一、重点任务\n1.召开年度工作会议。（责任单位：县燃气公司）\n"
    assert "燃气" in topics_of(text)[1]  # read whole, the unit's name would count
    doc = parse_bytes(text.encode(), "x.txt")
    assert len(doc.tasks) == 1 and [u.unit for u in doc.tasks[0].units] == ["县燃气公司"]
    assert doc.tasks[0].hazards == []


def test_every_seed_task_gets_a_work_type():
    tasks = [t for p in sorted(SEEDS.glob("*.txt")) for t in parse_file(p).tasks]
    with_topic = [t for t in tasks if t.topics]
    assert len(with_topic) == len(tasks), [t.title for t in tasks if not t.topics]


def test_compound_words_that_jieba_keeps_whole_still_name_their_work():
    # jieba reads 安全检查 and 隐患清单 as one word each: the compounds are keywords of their own,
    # so a plan written with them is not left without a work type
    work, _ = topics_of("督促燃气经营企业落实用户安全检查责任，对居民用户每年至少开展1次入户安全检查")
    assert "监管执法" in work
    work, hazards = topics_of("加快推进城市燃气管道老化更新改造，督促餐饮场所安装燃气泄漏报警装置")
    assert "本质安全提升" in work and "燃气" in hazards
    work, _ = topics_of("健全森林防火责任体系，加强重点时段野外火源管控和巡护值守")
    assert {"责任落实", "监管执法", "应急预案与演练"} <= set(work)
