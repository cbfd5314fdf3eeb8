"""Targets: quantified (and, in goals sections, qualitative) goals from other
sectors, negatives, and the seeds' gold."""
import pytest

from policyparse.extract.targets import find_targets


def run(s, goals=False):
    out = find_targets(s, 0, len(s), goals=goals)
    for t in out:
        assert s[t.start:t.end] == t.raw
    return [(t.value, t.unit, t.comparator) for t in out]


@pytest.mark.parametrize("text,expected", [
    ("全县农村卫生厕所普及率达到85%以上", [(85, "%", ">=")]),
    ("空气质量优良天数比例不低于90%", [(90, "%", ">=")]),
    ("城乡居民医保参保率稳定在95%左右", [(95, "%", "=")]),
    ("重点企业排污许可发证率达100%", [(100, "%", "=")]),
    ("婴儿死亡率控制在5%以内", [(5, "%", "<=")]),
    ("学生体质健康达标率不低于百分之九十", [(90, "%", ">=")]),
    ("新建改扩建幼儿园5所，新增学位1200个", [(5, "所", "="), (1200, "个", "=")]),
    ("培训乡村医生300人次以上", [(300, "人次", ">=")]),
    ("确保全年食品安全抽检不少于4000批次", [(4000, "批次", ">=")]),
    ("完成20个行政村人居环境整治", [(20, "个", "=")]),
    ("完成3个示范乡镇、15个示范村创建", [(3, "个", "="), (15, "个", "=")]),
    ("农村居民人均可支配收入、农业增加值分别增长7%、4.5%", [(7, "%", "="), (4.5, "%", "=")]),
    ("特种设备定期检验率达到98%以上，持续开展隐患排查", [(98, "%", ">=")]),
    ("全县规上企业达到安全标准化二级以上水平", [(2, "级", ">=")]),
    ("优良天数比例提高5个百分点", [(5, "个百分点", "=")]),
    # a bound that counts itself: （含） between the number and its comparator
    ("管道养护抽查合格率达到95%（含）以上", [(95, "%", ">=")]),
    # numbers listed before a count share its measure word; a space may stand before it
    ("竞争性专项：上半年、三季度、四季度任务分别为80、60、60万元。", [(80, "万元", "="), (60, "万元", "="), (60, "万元", "=")]),
    ("第二三季度固定资产投资任务分别为0.1、0.1 亿元。", [(0.1, "亿元", "="), (0.1, "亿元", "=")]),
    ("新建学校分别为3、5所", [(3, "所", "="), (5, "所", "=")]),
    # a verb written with its alternatives in brackets; 开设 a count of classes
    ("新(改)建村卫生室80家。", [(80, "家", "=")]),
    ("改（扩）建幼儿园3所", [(3, "所", "=")]),
    ("开设100个暑期公益托管班。", [(100, "个", "=")]),
    # publicity made and put up: 幅 counts banners (a township's 禁毒 plan)
    ("乡政府在乡内制作5幅大型禁毒宣传布标", [(5, "幅", "=")]),
    ("悬挂横幅20条", [(20, "条", "=")]),
    # a budget a plan sets (国办函〔2016〕38号's quantified tasks), in 万亿元 too
    ("安排财政赤字2.18万亿元", [(2.18, "万亿元", "=")]),
    ("公路投资1.65万亿元", [(1.65, "万亿元", "=")]),
    ("群众满意率达90%(含)以上", [(90, "%", ">=")]),
    ("万元产值能耗控制在0.5吨标准煤（含）以下", [(0.5, "吨标准煤", "<=")]),
    ("建设高标准农田3万亩", [(3, "万亩", "=")]),
    ("创建“互联网+明厨亮灶”示范学校10所。", [(10, "所", "=")]),
    ("单台设备改造费用不超过20万元", [(20, "万元", "<=")]),
    ("Ⅰ类切口手术部位感染率控制在1.5%以下", [(1.5, "%", "<=")]),
    # talent programmes count what they train, support and select
    ("重点扶持50个市级示范性高级研修班和50场次知识更新名家讲座", [(50, "个", "="), (50, "场次", "=")]),
    ("5年内培养资助博士后研究人员不少于400名", [(400, "名", ">=")]),
    # a count inside a quoted name qualifies nothing: 20名 is the goal
    ("不少于20名具有国内领先水平的“新世纪百千万人才工程”国家级人选后备人才", [(20, "名", ">=")]),
])
def test_quantified_goals(text, expected):
    assert run(text) == expected


def test_metric_and_raw():
    s = "其中，乡镇卫生院标准化建设达标率90%以上；"
    (t,) = find_targets(s, 0, len(s))
    assert t.raw == "乡镇卫生院标准化建设达标率90%以上"
    assert t.metric == "乡镇卫生院标准化建设达标率"


@pytest.mark.parametrize("text", [
    "对30人以下的小型企业开展帮扶",                  # a condition, not a goal
    "实施“三个一批”行动",                             # a name
    "开展第二次全国污染源普查",                       # an ordinal
    "根据《关于印发2024年生态环境工作要点的通知》（环发〔2024〕5号）",
    "1、加强组织领导",
    "聚焦“两品一械”监管，落实“四个最严”要求",
    "近三年发生过事故的企业列为重点",
    "全区共有学校86所、学生5.2万人",                  # a fact, no goal verb
    "每年组织1次培训",                                # 次 is a frequency
    "运行超过20年的老旧管网",
    "分行业创建一批示范单位",                         # indefinite quantity
    "（2019版）检测规范",
    "全县已完成改厕1.2万户",                         # a fact already done
    "全年共排查隐患300处",
])
def test_not_targets(text):
    assert run(text) == []


def test_goals_section_qualitative():
    s = ("全年不发生重大食品安全事故，坚决防范较大以上安全事故，传染病发病率持续下降，"
         "完成市下达的耕地保护目标任务，主要污染物排放总量控制在市下达指标以内，"
         "全力防范化解重大风险，确保全县教育系统安全稳定。")
    assert run(s, goals=True) == [(None, None, "zero"), (None, None, None), (None, None, "decrease"),
                                  (None, None, "within_quota"), (None, None, "within_quota")]


def test_qualitative_only_in_goals_sections():
    assert run("坚决遏制较大以上事故，不发生重大事故") == []


def test_goals_mix_numbers_and_words():
    s = "力争义务教育巩固率达到99%，实现校园安全事故零发生。"
    assert run(s, goals=True) == [(99, "%", "="), (None, None, "zero")]


def test_seed_gold_recall():
    from seed_gold import evaluate
    rep = evaluate()
    assert rep["target"]["r"] >= 0.95 and rep["target"]["p"] >= 0.9, rep["target"]
    assert rep["target_doc"]["r"] >= 0.95, rep["target_doc"]


@pytest.mark.parametrize("text,expected", [
    ("细颗粒物平均浓度控制在32微克/立方米以内", [(32, "微克/立方米", "<=")]),
    ("孕产妇死亡率控制在12/10万以下", [(12, "/10万", "<=")]),
    ("婴儿死亡率控制在4.5‰以下", [(4.5, "‰", "<=")]),
    ("公开招聘乡村医生45名", [(45, "名", "=")]),
    ("全县粮食播种面积稳定在22.5万亩以上", [(22.5, "万亩", ">=")]),
    # 万 before any measure word of things counted one by one; 组 and 盏 count too
    ("完成5万间教室照明改造", [(5, "万间", "=")]),
    ("新增路灯1200盏", [(1200, "盏", "=")]),
    # 实现 states a goal as 达到 does
    ("实现社会消费品零售总额1600亿元", [(1600, "亿元", "=")]),
    # a bracketed aside inside the object does not push the number away from its verb
    ("新增设智能回收箱（或者具备智能回收功能的回收屋）1000组以上", [(1000, "组", ">=")]),
    ("打通县城人民大道（苍南大道至山海大道）等12条断头路", [(12, "条", "=")]),
    ("新增学位3800位", [(3800, "位", "=")]),
    ("实施万安路双向共4对公交站台优化改造工程", [(4, "对", "=")]),
    ("改造老旧小区3.5万平米", [(3.5, "万平米", "=")]),
])
def test_measures_and_verbs_of_other_sectors(text, expected):
    assert run(text) == expected


def test_zero_goals_name_their_harm_themselves():
    assert run("确保不发生规模性返贫。", goals=True) == [(None, None, "zero")]
    assert run("完成省下达目标任务。", goals=True) == [(None, None, "within_quota")]


@pytest.mark.parametrize("text", [
    "实行“一户一策”精准帮扶，确保出现一户、帮扶一户、清零一户。",
    "每季度至少举办1场专场招聘会。",
])
def test_idioms_and_frequency_counts_are_no_targets(text):
    assert run(text) == []


def test_ten_thousands_of_a_measure_word():
    assert run("县级储备防汛编织袋10万条以上") == [(10, "万条", ">=")]


def test_a_count_that_opens_its_clause_before_the_goal_verb():
    from policyparse.extract.targets import find_targets

    text = "为10个老旧小区实施消防设施改造；50个小区新增电动自行车充电设施。共有3个部门参加会议。"
    found = [(t.value, t.unit) for t in find_targets(text, 0, len(text))]
    assert (10.0, "个") in found and (50.0, "个") in found
    assert (3.0, "个") not in found  # a fact (共有…), and no goal verb after it


def test_a_count_that_sums_up_an_enumeration_after_its_verb():
    from policyparse.extract.targets import find_targets

    text = "结合乡镇实际,制定出台镇级林长会议制度、林长工作制度、林长制考核办法等6项制度。"
    assert [(t.value, t.unit) for t in find_targets(text, 0, len(text))] == [(6.0, "项")]


def test_a_quantity_column_states_the_rows_goal():
    from policyparse.extract.targets import find_cell_targets

    assert [(t.value, t.unit, t.comparator) for t in find_cell_targets("5%", 0, 2)] == [(5.0, "%", "=")]
    cell = "1户(实际以联合双随机牵头单位抽查数为准。)"
    assert [(t.raw, t.value, t.unit) for t in find_cell_targets(cell, 0, len(cell))] == [("1户", 1.0, "户")]
    assert [(t.value, t.comparator) for t in find_cell_targets("≥90%", 0, 4)] == [(90.0, ">=")]
    assert find_cell_targets("=1", 0, 2) == []


def test_goals_of_a_list_each_with_its_own_verb_or_the_shared_one():
    from policyparse.extract.targets import find_targets

    text = "粮食播种面积不低于1079万亩、总产量稳定在97亿斤以上。新培育科技型中小企业50家以上、高新技术企业30家以上。"
    got = [(t.value, t.unit, t.raw) for t in find_targets(text, 0, len(text))]
    assert (97.0, "亿斤", "稳定在97亿斤以上") in got  # its own verb, not 播种 of the goal before
    assert any(v == 30.0 and u == "家" for v, u, _ in got)  # 新培育 shared by the list
    text = "争创2个国家生猪调出大县，打造省级乡村振兴集中推进区1个、示范区2个。"
    got = [(t.value, t.unit) for t in find_targets(text, 0, len(text))]
    assert (2.0, "个") in got and (1.0, "个") in got


def test_the_next_goals_of_a_list_name_only_their_object():
    from policyparse.extract.targets import find_targets

    text = "新植乔木2万株，月季10万株，立体绿化10万株。新建行政村公共厕所120座、旅游厕所8座。"
    got = [(t.raw, t.value, t.unit, t.metric) for t in find_targets(text, 0, len(text))]
    assert ("月季10万株", 10.0, "万株", "月季") in got and ("立体绿化10万株", 10.0, "万株", "立体绿化") in got
    assert ("旅游厕所8座", 8.0, "座", "旅游厕所") in got  # the shared verb's raw opens after the goal before
    # a clause with a verb of its own is no listed object: 开展检查3次 counts times, not a goal
    assert find_targets("开展检查3次，发现问题5个。", 0, 13) == []


def test_a_bare_number_in_a_target_column_takes_the_indicators_unit():
    from policyparse.extract.targets import find_cell_targets, indicator_unit

    cell = "新增规上工业企业(家)"
    assert indicator_unit(cell, 0, len(cell)) == ("新增规上工业企业", "家")
    cell = "研发投入强度（%）"
    assert indicator_unit(cell, 0, len(cell)) == ("研发投入强度", "%")
    cell = "培养技能型人才(千人)"
    assert indicator_unit(cell, 0, len(cell))[1] == "千人"
    assert indicator_unit("建设各县(区)示范点", 0, 9) == (None, None)  # a bracket inside the name
    got = find_cell_targets("12", 0, 2, unit="家", metric="新增规上工业企业")
    assert [(t.raw, t.value, t.unit, t.comparator, t.metric) for t in got] == [
        ("12", 12.0, "家", "=", "新增规上工业企业")]
    assert [(t.value, t.comparator) for t in find_cell_targets("50以上", 0, 4, unit="个")] == [(50.0, ">=")]
    assert find_cell_targets("12", 0, 2) == []  # no measure anywhere: no goal
    assert find_cell_targets("待定", 0, 2, unit="个") == []  # no number


def test_target_columns_are_named_by_a_period_or_year_before_their_goal():
    from policyparse.columns import column_role

    for name in ("前三年目标任务", "五年目标任务", "2023年目标", "目标值", "预期目标", "年度目标（万元）"):
        assert column_role(name) == "target", name
    for name in ("目标", "工作目标", "主要目标", "目标任务", "2022年预期目标"):
        assert column_role(name) != "target", name  # a goal's text, not its value


def test_an_indicator_table_row_gives_one_target_per_target_column():
    from policyparse.pipeline import parse_bytes

    lines = ["附件：指标分解表", "| 类别", "| 指标名称", "| 牵头单位", "| 配合单位", "| 2024年目标", "| 2025年目标", "|",
             "1", "| 经济指标", "| 新增规上工业企业(家)", "| 县工信局", "| 县统计局", "| 12", "| 15", "|",
             "2", "| 研发投入强度（%）", "| 县科技局", "| 县统计局", "| 2.1%", "| 2.5%", "|"]
    doc = parse_bytes(("\n".join(lines) + "\n").encode("utf-8"), "t.txt")
    got = sorted([(g.value, g.unit, g.raw) for g in t.targets] for t in doc.tasks)
    assert got == [[(2.1, "%", "2.1%"), (2.5, "%", "2.5%")], [(12.0, "家", "12"), (15.0, "家", "15")]]


def test_a_quantity_that_qualifies_a_counted_noun_is_not_the_goal():
    from policyparse.extract.targets import find_targets

    def got(text):
        return [(t.value, t.unit) for t in find_targets(text, 0, len(text))]

    # the amount says which projects / firms are counted; the count is the goal
    assert got("安排投资5亿元以上工业重大项目120个。") == [(120.0, "个")]
    assert got("培育超十亿元龙头企业8家。") == [(8.0, "家")]
    assert got("建成5万吨级泊位2个。") == [(2.0, "个")]
    # two goals of one clause parted by a break, or a verb between them, stay two goals
    assert got("完成投资5亿元，建设项目3个。") == [(5.0, "亿元"), (3.0, "个")]
    assert (8.0, "亿元") in got("完成投资8亿元新建厂房2个。")


def test_a_compound_measure_is_read_whole():
    from policyparse.extract.targets import find_targets

    text = "淘汰落后企业50家，腾出用地5万亩、用能120万吨标准煤。"
    got = [(t.value, t.unit) for t in find_targets(text, 0, len(text))]
    assert (120.0, "万吨标准煤") in got and (120.0, "万吨") not in got


def test_a_target_column_may_name_the_measure_of_its_numbers():
    from policyparse.pipeline import parse_bytes

    lines = ["附件：指标分解表", "| 指标名称", "| 牵头单位", "| 2024年目标（万元）", "| 2025年目标（万元）", "|",
             "1", "| 技术合同成交额", "| 县科技局", "| 800", "| 1000", "|",
             "2", "| 招商引资到位资金", "| 县商务局", "| 5000", "| 6000", "|"]
    doc = parse_bytes(("\n".join(lines) + "\n").encode("utf-8"), "t.txt")
    got = sorted([(g.value, g.unit, g.metric) for g in t.targets] for t in doc.tasks)
    assert got == [[(800.0, "万元", "技术合同成交额(2024年目标)"), (1000.0, "万元", "技术合同成交额(2025年目标)")],
                   [(5000.0, "万元", "招商引资到位资金(2024年目标)"), (6000.0, "万元", "招商引资到位资金(2025年目标)")]]


def test_a_measure_column_gives_the_unit_and_is_no_unit_of_government():
    from policyparse.pipeline import parse_bytes

    lines = ["附件：指标分解表", "| 序号", "| 指标名称", "| 单位", "| 2024年目标", "| 责任单位", "|",
             "| 1", "| 新增规上工业企业", "| 家", "| 12", "| 县工信局", "|",
             "| 2", "| 研发投入强度", "| %", "| 2.1", "| 县科技局", "|",
             "| 3", "| 技术合同成交额", "| 万元", "| 800", "| 县科技局", "|"]
    doc = parse_bytes(("\n".join(lines) + "\n").encode("utf-8"), "t.txt")
    got = sorted((g.value, g.unit) for t in doc.tasks for g in t.targets)
    assert got == [(2.1, "%"), (12.0, "家"), (800.0, "万元")]
    leads = sorted(u.unit for t in doc.tasks for u in t.units if u.role == "lead")
    assert leads == ["县工信局", "县科技局", "县科技局"]


def test_two_counted_goals_joined_by_a_conjunction_are_two_goals():
    """建设32所学校和55个专业: 和 before the second number ends the first goal's object, the
    second shares the verb; a count is no qualifier of the next across a conjunction."""
    text = "立项建设32所市级优秀中等职业学校和55个市级优质专业。"
    found = [(t.raw, t.value, t.unit) for t in find_targets(text, 0, len(text))]
    assert found == [("建设32所市级优秀中等职业学校", 32.0, "所"), ("55个市级优质专业", 55.0, "个")]


def test_a_quantity_cell_gives_a_goal_for_each_part_it_sets_apart():
    from policyparse.extract.targets import find_cell_targets

    s = "重点污染源每月抽查总数的9%，每年全部检查一次；特殊污染源每月抽查市级总数的5%；一般污染源每月比例为2:1"
    assert [(t.value, t.unit) for t in find_cell_targets(s, 0, len(s))] == [(9, "%"), (5, "%")]


def test_goals_stated_in_a_plans_opening_paragraph_are_document_targets():
    """Every quantified goal counts (ANNOTATION §6): the opening paragraph's, before the first item,
    too; what was done (已建成) is no goal, and the header's cover note is left out."""
    from policyparse.pipeline import parse_bytes

    doc = parse_bytes("静安区2025年生活垃圾分类工作实施方案\n\n为深入贯彻落实生活垃圾管理条例，已建成52个高标准小区，"
                      "高质量完成各项工作：全区完成18个高标准生活垃圾分类小区、9个可回收物惠民回收服务点；"
                      "居住小区和单位生活垃圾分类达标率稳定在95%以上。\n\n一、重点任务\n"
                      "1.推进源头减量。完成289个投放点微更新。（责任单位：区绿化市容局）\n".encode("utf-8"), "p.txt")
    assert sorted((t.value, t.unit) for t in doc.targets) == [(9, "个"), (18, "个"), (95, "%")]
    assert [(t.value, t.unit) for t in doc.tasks[0].targets] == [(289, "个")]


def test_a_breakdown_after_its_goal_and_an_amount_in_dollars():
    text = "力争引进10亿元以上项目8个，其中50亿元以上项目2个、100亿元以上项目1个，实际利用外资2.25亿美元以上。"
    got = [(t.raw, t.value, t.unit, t.comparator) for t in find_targets(text, 0, len(text))]
    assert got == [("力争引进10亿元以上项目8个", 8.0, "个", "="), ("50亿元以上项目2个", 2.0, "个", "="),
                   ("100亿元以上项目1个", 1.0, "个", "="), ("实际利用外资2.25亿美元以上", 2.25, "亿美元", ">=")]


@pytest.mark.parametrize("text,expected", [
    ("区城管执法局遴选10至20个住宅小区先行先试。", [("遴选10至20个住宅小区先行先试", 10.0, "个", ">=")]),
    ("按照“四上”企业数量的3-5%抽查企业", [("按照“四上”企业数量的3-5%", 3.0, "%", ">=")]),
    ("抽查比例达到90%～95%。", [("抽查比例达到90%～95%", 90.0, "%", ">=")]),
    ("2024-2026年建成30个示范点。", [("建成30个示范点", 30.0, "个", "=")]),  # years, not a range of points
])
def test_a_range_is_a_goal_of_at_least_its_lower_end(text, expected):
    assert [(t.raw, t.value, t.unit, t.comparator) for t in find_targets(text, 0, len(text))] == expected


def test_an_indicator_and_its_value_with_a_comparator_need_no_verb():
    text = "3.全员劳动生产率46000元/人以上。"
    assert [(t.raw, t.value, t.unit, t.comparator) for t in find_targets(text, 0, len(text))] == [
        ("全员劳动生产率46000元/人以上", 46000.0, "元/人", ">=")]
    text = "城区绿地面积120公顷。"  # no comparator, no verb: no goal is stated
    assert find_targets(text, 0, len(text)) == []


def test_a_quoted_name_between_the_verb_and_its_count_is_no_part_of_the_gap():
    text = "2.完成“木里藏区牧民定居行动计划”5个定居点、212户定居房建设任务。"
    assert [(t.value, t.unit) for t in find_targets(text, 0, len(text))] == [(5.0, "个"), (212.0, "户")]


def test_an_indicator_table_written_one_cell_a_line_in_a_goals_section():
    # the layout of a district's 实施方案 as a crawler stored it (杨浦区排水管理体制改革实施方案, 2025):
    # the goals section announces a table whose cells stand one a line before the next item
    from policyparse.pipeline import parse_bytes

    text = ("关于印发《排水管理体制改革实施方案》的通知\n"
            "一、基本情况\n本区公共排水设施由区水务管理事务中心管理。\n"
            "二、改革目标\n2026年底前实现厂站网一体化运维管理，达到如下运营管理目标：\n"
            "指标名称\n目标\n指标\n类型\n管道养护\n抽查合格率\n95%（含）以上\n定量\n"
            "防汛抢险\n处置效率\n中心城区道路标准以内降雨不发生积水\n定性\n"
            "三、改革任务\n1.区级方案编制。区水务局牵头完成区级实施方案编制。\n"
            "上海市某区人民政府\n2025年8月28日\n")
    doc = parse_bytes(text.encode("utf-8"), "notice.txt")
    assert [(t.value, t.comparator) for t in doc.targets] == [(95, ">="), (None, "zero")]
    # after the last item the short lines are the signature, the date and the print note:
    # nothing there is a goal
    last = parse_bytes(("二、改革目标\n实现厂站网一体化运维管理。\n"
                        "上海市某区人民政府\n2025年8月28日\n（新建50个站点）\n").encode("utf-8"), "n.txt")
    assert [(t.value, t.comparator) for t in last.targets] == []
