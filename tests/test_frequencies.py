"""Frequencies: routines as other sectors write them, negatives, and the seeds' gold."""
import pytest

from policyparse.extract.frequencies import find_frequencies


def run(s):
    out = find_frequencies(s, 0, len(s))
    for f in out:
        assert s[f.start:f.end] == f.raw
    return [(f.raw, f.period, f.count, f.comparator) for f in out]


@pytest.mark.parametrize("text,expected", [
    ("县卫生健康局每季度至少开展1次医疗机构院感防控督导检查，发现问题及时整改。",
     [("每季度至少开展1次医疗机构院感防控督导检查", "quarter", 1, ">=")]),
    ("各中小学每学期开展不少于2次应急疏散演练。", [("每学期开展不少于2次应急疏散演练", "half_year", 2, ">=")]),
    ("每周通报一次空气质量排名；", [("每周通报一次空气质量排名", "week", 1, "=")]),
    ("每月召开一次乡村振兴工作调度会", [("每月召开一次乡村振兴工作调度会", "month", 1, "=")]),
    ("抽检结果按月向社会公布。", [("按月向社会公布", "month", 1, "=")]),
    ("每年组织两次全县市场监管业务培训", [("每年组织两次全县市场监管业务培训", "year", 2, "=")]),
    ("每旬报送一次进展情况", [("每旬报送一次进展情况", "month", 3, "=")]),
    ("网格员每日巡查不少于1次", [("每日巡查不少于1次", "day", 1, ">=")]),
    ("养老机构每半年至少开展一次消防演练并形成记录", [("每半年至少开展一次消防演练", "half_year", 1, ">=")]),
    ("每月上报水质监测数据", [("每月上报水质监测数据", "month", 1, "=")]),
    ("每年开展3次以上联合执法", [("每年开展3次以上联合执法", "year", 3, ">=")]),
    ("河长巡河一年两次", [("一年两次", "year", 2, "=")]),
    ("每季度", [("每季度", "quarter", 1, "=")]),
    # a count of times over the whole year is a yearly frequency
    ("县级林长全年巡林不少于2次；", [("全年巡林不少于2次", "year", 2, ">=")]),
    # a table's 频次 cell and 按月度
    ("1次/年", [("1次/年", "year", 1, "=")]),
    ("2次／季度", [("2次／季度", "quarter", 2, "=")]),
    ("是否按月度公开补贴发放信息", [("按月度公开补贴发放信息", "month", 1, "=")]),
])
def test_periodic_obligations(text, expected):
    assert run(text) == expected


def test_shorthand_series():
    s = "推行班级日检查、年级周检查、学校月检查制度"
    assert run(s) == [("班级日检查", "day", 1, "="), ("年级周检查", "week", 1, "="), ("学校月检查", "month", 1, "=")]


def test_slogan_shapes():
    assert run("实行一月一调度、一季一通报制度") == [("一月一调度", "month", 1, "="), ("一季一通报", "quarter", 1, "=")]
    assert run("实行月调度、季通报") == [("月调度", "month", 1, "="), ("季通报", "quarter", 1, "=")]


def test_two_in_one_sentence_and_absolute_offsets():
    s = "要求：县级每月听取汇报不少于1次，乡镇每周至少调度2次。"
    out = find_frequencies(s, 3, len(s))
    assert [(f.period, f.count, f.comparator) for f in out] == [("month", 1, ">="), ("week", 2, ">=")]
    assert all(s[f.start:f.end] == f.raw and f.start >= 3 for f in out)


def test_per_year_is_derived():
    (f,) = find_frequencies("每季度通报两次", 0, 7)
    assert f.per_year == 8.0


@pytest.mark.parametrize("text", [
    "定期开展执法检查，至少组织1次联合执法。",      # no period
    "落实“日周月”巡查要求",                        # a slogan, not a series
    "每个乡镇建设1个示范点",                         # 每 + a noun
    "按年度计划推进",
    "节假日检查",
    "节假日检查、工作日巡查",
    "开展第二次全国污染源普查",
    "年度考核结果",
    "全年持续推进河湖清四乱工作",                     # 全年 without a count: a state
    "全年完成固定资产投资30亿元",                     # a target, not a routine
    "全年举办大型文旅活动不少于10场",                 # events counted: a target
    "每年提升2%左右或不低于全省平均水平",             # a rate of change, a target
])
def test_not_frequencies(text):
    assert run(text) == []


def test_seed_gold_recall():
    from seed_gold import evaluate
    rep = evaluate()["frequency"]
    assert rep["r"] >= 0.95 and rep["p"] >= 0.9, rep


@pytest.mark.parametrize("text,expected", [
    # a slogan of routines in quotes, each with its verb: week, month, quarter
    ("建立“周调度、月通报、季考核”工作推进机制。",
     {("week", 1, "="), ("month", 1, "="), ("quarter", 1, "=")}),
    ("推行“日管控、周排查、月调度”工作机制", {("day", 1, "="), ("week", 1, "="), ("month", 1, "=")}),
])
def test_routine_slogans_with_verbs(text, expected):
    assert {(p, c, k) for _raw, p, c, k in run(text)} == expected


def test_a_quantity_per_period_is_a_rate_not_a_frequency():
    assert run("保障中小学生每天校内体育活动时间不少于2小时。") == []
    assert run("每天开展不少于1次晨午检。") == [("每天开展不少于1次晨午检", "day", 1, ">=")]


def test_a_routine_recurs_on_each_day_it_lists():
    from policyparse.extract.frequencies import find_frequencies

    for text, period, count in (("每月13日、28日定期报送进展情况", "month", 2), ("每周一、三、五开展巡查", "week", 3),
                                ("每月10日前报送", "month", 1)):
        assert [(f.period, f.count) for f in find_frequencies(text, 0, len(text))] == [(period, count)], text


def test_items_issued_each_period_count_as_times():
    text = "专栏每月至少更新2条信息，每季度出版1期简报。"
    got = [(f.period, f.count, f.comparator) for f in find_frequencies(text, 0, len(text))]
    assert got == [("month", 2, ">="), ("quarter", 1, "=")]


def test_shorthand_with_du_in_a_series():
    text = "实行“月度盘点+季度研判”动态监管。年度考核按规定执行。"
    got = [(f.period, f.count) for f in find_frequencies(text, 0, len(text))]
    assert got == [("month", 1), ("quarter", 1)]  # 年度考核 alone, no period series: none


def test_a_quantity_per_period_is_a_target_not_a_frequency():
    for text in ("每年力争完成旅游项目投资30亿元以上。", "每季度完成发明专利30件。", "每月不少于2条"):
        got = find_frequencies(text, 0, len(text))
        assert (got == []) == (not text.startswith("每月")), text


def test_a_money_amount_per_period_and_item_is_a_funding_standard_not_a_frequency():
    from policyparse.extract.frequencies import find_frequencies

    for s in ("管养经费按照每年每公里5000元的标准安排。", "对独居老人每人每月补贴300元。"):
        assert find_frequencies(s, 0, len(s)) == [], s
    s = "每季度召开1次联席会议。"
    assert [(f.period, f.count) for f in find_frequencies(s, 0, len(s))] == [("quarter", 1)]


def test_a_lower_bound_written_before_every_period():
    # 至少每半年…: the bound stands before 每 (ANNOTATION §5: 至少 gives >=), and the raw starts with it
    assert run("②每名入党积极分子至少每半年提交一份思想汇报；③党务不少于每季度公开一次。") == [
        ("至少每半年提交一份思想汇报", "half_year", 1, ">="), ("不少于每季度公开一次", "quarter", 1, ">=")]
