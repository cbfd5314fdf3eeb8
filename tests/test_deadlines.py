"""Deadlines: shapes from notices of other sectors (education, ecology, market
regulation, rural revitalisation, health), negatives, and the seeds' gold."""
import datetime as dt

import pytest

from policyparse.extract.deadlines import find_deadlines

D = dt.date


def run(s, year=2024, column=False):
    out = find_deadlines(s, 0, len(s), year, column=column)
    for d in out:
        assert s[d.start:d.end] == d.raw
    return [(d.raw, d.kind, d.date) for d in out]


@pytest.mark.parametrize("text,expected", [
    ("2024年6月底前，全面完成中小学校舍安全隐患排查整治。",
     [("2024年6月底前", "by_date", D(2024, 6, 30))]),
    ("各乡镇于9月30日前将自查报告报县生态环境局。", [("9月30日前", "by_date", D(2024, 9, 30))]),
    ("力争2025年底前实现城乡医疗废物集中处置全覆盖", [("2025年底前", "by_date", D(2025, 12, 31))]),
    ("十一月底前完成冬季大气污染防治攻坚方案编制", [("十一月底前", "by_date", D(2024, 11, 30))]),
    ("第三季度末前完成食品安全监督抽检任务", [("第三季度末前", "by_date", D(2024, 9, 30))]),
    ("上半年完成乡村振兴示范村创建申报", [("上半年完成", "by_date", D(2024, 6, 30))]),
    ("年内完成县级疾控中心实验室改造", [("年内完成", "by_date", D(2024, 12, 31))]),
    ("2月份启动农村集体产权制度改革回头看", [("2月份", "by_date", D(2024, 2, 29))]),
    ("2024年，建成县域医共体信息平台。", [("2024年", "by_date", D(2024, 12, 31))]),
])
def test_body_dates_with_a_limit_cue(text, expected):
    assert run(text) == expected


def test_window_of_months():
    s = "5-6月和10-11月期间开展校园食品安全专项检查"
    (d,) = find_deadlines(s, 0, len(s), 2024)
    assert (d.raw, d.kind, d.date, d.window_start) == ("5-6月和10-11月期间", "window", D(2024, 11, 30), D(2024, 5, 1))


def test_window_of_days():
    s = "2024年3月15日至6月30日，开展农村饮水安全排查。"
    (d,) = find_deadlines(s, 0, len(s), 2024)
    assert (d.kind, d.date, d.window_start) == ("window", D(2024, 6, 30), D(2024, 3, 15))


def test_column_cell_with_three_limits():
    s = "6月30日前完成摸底；9月份完成整改，年底全面验收。"
    assert run(s, column=True) == [("6月30日前", "by_date", D(2024, 6, 30)),
                                   ("9月份完成", "by_date", D(2024, 9, 30)),
                                   ("年底", "by_date", D(2024, 12, 31))]


@pytest.mark.parametrize("cell,kind", [("长期", "ongoing"), ("全年", "ongoing"), ("持续推进", "ongoing"),
                                       ("常态化开展", "ongoing"), ("按省厅要求完成", "external"),
                                       ("按上级部署推进", "external"), ("按国家规定时限完成", "external")])
def test_column_states(cell, kind):
    (d,) = find_deadlines(cell, 0, len(cell), 2024, column=True)
    assert (d.kind, d.date, d.raw) == (kind, None, cell)


def test_column_numeric_dates_and_merged_states():
    assert run("2024.6.30", column=True) == [("2024.6.30", "by_date", D(2024, 6, 30))]
    assert run("全年持续推进", column=True) == [("全年持续推进", "ongoing", None)]
    assert run("每年年底前报送", column=True) == []


def test_column_year_alone_is_its_last_day():
    assert run("2025年", column=True) == [("2025年", "by_date", D(2025, 12, 31))]


def test_offsets_are_absolute():
    s = "前言。工作要求：10月底前完成验收。"
    (d,) = find_deadlines(s, 5, len(s), 2024)
    assert (d.start, d.end, s[d.start:d.end]) == (8, 13, "10月底前")


@pytest.mark.parametrize("text,column", [
    ("根据《关于做好2024年全国生态环境保护工作的通知》（环办〔2024〕3号）要求", False),
    ("2023年全县共排查企业1200家，整改隐患3000余处。", False),   # a past year
    ("对2024年3月后新建的项目，一律实行备案管理。", False),       # a starting point
    ("2024年是实施“十四五”规划的关键一年。", False),
    ("自2024年1月1日起施行。", False),
    ("全年", False), ("持续推进", False),                         # states count only in a column
    ("结合5月12日防灾减灾日开展宣传。", False),
    ("2月30日前完成", False),                                      # no such day
    ("每季度一次", True), ("按季度、按比例完成", True),           # frequencies, not deadlines
    ("按照省市场监管局要求，规范检查程序", False),
])
def test_not_deadlines(text, column):
    assert run(text, column=column) == []


def test_without_plan_year_a_yearless_date_has_no_date():
    (d,) = find_deadlines("6月底前完成", 0, 6, None)
    assert d.kind == "by_date" and d.date is None


def test_seed_gold_recall():
    from seed_gold import evaluate
    rep = evaluate()["deadline"]
    assert rep["r"] >= 0.95 and rep["p"] >= 0.9, rep


def test_a_window_standing_alone_in_brackets_is_a_time_frame():
    assert run("（三）开展汛期地质灾害隐患巡查（6月至9月）") == [
        ("6月至9月", "window", dt.date(2024, 9, 30))]
    assert run("开展6月至9月汛期巡查") == []  # in running text a bare window needs a cue


def test_a_quarter_named_as_a_period_is_a_window_its_end_a_date():
    assert run("第三季度集中开展农村饮水安全排查") == [("第三季度", "window", dt.date(2024, 9, 30))]
    assert run("一季度末前完成问题整改", column=True) == [("一季度末前", "by_date", dt.date(2024, 3, 31))]


def test_without_a_plan_year_a_date_takes_the_year_the_task_last_named():
    text = "2022年汛前完成水毁工程修复。17项工程2月底前要完成初设审批，上半年要全面开工。"
    got = [(d.raw, d.date) for d in find_deadlines(text, 0, len(text), None)]
    assert ("2月底前", dt.date(2022, 2, 28)) in got
    # with a plan year, the plan year decides
    got = [d.date for d in find_deadlines("2月底前完成审批。", 0, 9, 2024)]
    assert got == [dt.date(2024, 2, 29)]


def test_column_states_ranges_and_times_counted_from_another_event():
    def col(s, year=2016):
        return [(d.kind, d.date, d.window_start) for d in find_deadlines(s, 0, len(s), year, column=True)]

    assert col("2016—2018年底前") == [("window", dt.date(2018, 12, 31), dt.date(2016, 1, 1))]
    assert col("常态工作") == [("ongoing", None, None)]
    assert col("省出台文件后2个月完成") == [("external", None, None)]
    assert col("2024", 2024) == [("window", dt.date(2024, 12, 31), dt.date(2024, 1, 1))]
    # in running text a bare year is no deadline
    assert find_deadlines("投资2024万元", 0, 8, 2024) == []


def test_a_labelled_time_limit_in_a_note_reads_as_a_deadline_cell():
    text = "严格执行发布审查程序。(责任单位:各部门、各街镇,完成时限:全年)"
    got = [(d.kind, d.raw, d.rule) for d in find_deadlines(text, 0, len(text), 2025)]
    assert got == [("ongoing", "全年", "label.ongoing")]
    text = "（牵头单位：区教育局，完成时限：2024年6月底前）"
    assert [d.date for d in find_deadlines(text, 0, len(text), 2024)] == [dt.date(2024, 6, 30)]


def test_a_limit_counted_from_an_event_is_external_and_no_target():
    from policyparse.extract.targets import find_targets

    text = "（二）抽查公示。在抽查检查完成之日起15个工作日内，将抽查检查结果录入检查工作平台。"
    found = find_deadlines(text, 0, len(text), 2021)
    assert [(d.kind, d.date) for d in found] == [("external", None)]
    assert find_targets(text, 0, len(text)) == []  # 15个工作日 is a time, not a goal


def test_a_window_whose_end_names_its_year_again():
    text = "（一）推进平稳有序移交（2025年1月-2025年12月）"
    assert [(d.kind, d.date, d.window_start) for d in find_deadlines(text, 0, len(text), 2025)] == [
        ("window", dt.date(2025, 12, 31), dt.date(2025, 1, 1))]
    # a window that starts in the year before the plan's ends in it: a limit, not history
    text = "2024年11月-2025年3月完成冬春修工程。"
    assert [(d.kind, d.date, d.window_start) for d in find_deadlines(text, 0, len(text), 2025)] == [
        ("window", dt.date(2025, 3, 31), dt.date(2024, 11, 1))]


def test_a_window_spaced_around_its_dash_and_one_that_ends_the_next_year():
    found = find_deadlines("2026年2月24日 -2026年11月30日", 0, 25, 2026, column=True)
    assert [(d.kind, d.date, d.window_start) for d in found] == [
        ("window", dt.date(2026, 11, 30), dt.date(2026, 2, 24))]
    # 秋粮收购 10月-次年3月 in a plan for 2022: the season runs into the next year
    found = find_deadlines("10月-次年3月", 0, 8, 2022, column=True)
    assert [(d.kind, d.date, d.window_start) for d in found] == [
        ("window", dt.date(2023, 3, 31), dt.date(2022, 10, 1))]


def test_a_time_cell_that_leaves_the_time_to_events_is_external():
    # 检查时间 cells of an inspection plan
    for cell in ("根据政策性粮食出库时间确定", "根据监管需要确定"):
        found = find_deadlines(cell, 0, len(cell), 2022, column=True)
        assert [(d.raw, d.kind, d.date) for d in found] == [(cell, "external", None)]
    # in running text 根据需要 sets no time limit
    assert find_deadlines("根据需要，适时开展督查。", 0, 12, 2022) == []
