"""Units: notes, cells, repairs and canonical names, from other sectors' notices,
negatives, and the seeds' gold."""
import pytest

from policyparse.extract.units import (canonical_unit, expand_shared_suffix, find_unit_notes,
                                       split_known_concatenation, split_unit_list)
from policyparse.model import UnitMention


def notes(s):
    out = find_unit_notes(s, 0, len(s))
    for u in out:
        assert s[u.start:u.end] == u.unit
    return [(u.role, u.unit) for u in out]


def cell(s, role="lead"):
    out = split_unit_list(s, 0, len(s), role)
    for u in out:
        assert s[u.start:u.end] == u.unit
    return [(u.role, u.unit) for u in out]


@pytest.mark.parametrize("text,expected", [
    ("加强校园安全管理。〔责任单位：县教育局、县卫生健康局〕",
     [("lead", "县教育局"), ("lead", "县卫生健康局")]),
    ("推进污水处理提质增效。（牵头单位：县生态环境局；配合单位：县发展改革局、县工业和信息化局）",
     [("lead", "县生态环境局"), ("support", "县发展改革局"), ("support", "县工业和信息化局")]),
    ("【责任单位：县市场监管局牵头，县公安局、县农业农村局配合】",
     [("lead", "县市场监管局"), ("support", "县公安局"), ("support", "县农业农村局")]),
    ("(责任单位:县乡村振兴局会同县财政局负责)",
     [("lead", "县乡村振兴局"), ("support", "县财政局")]),
    ("（牵头单位：县卫健局；责任单位：各乡镇卫生院）",
     [("lead", "县卫健局"), ("support", "各乡镇卫生院")]),
    ("〔责任单位：县委办公室和县政府办公室〕", [("lead", "县委办公室"), ("lead", "县政府办公室")]),
    ("〔责任单位：县住房和城乡建设局〕", [("lead", "县住房和城乡建设局")]),
    ("〔责任单位：县教育局等县级有关部门分工负责，各乡镇（街道）〕",
     [("lead", "县教育局"), ("lead", "县级有关部门"), ("lead", "各乡镇（街道）")]),
    ("〔责任单位：县教育局、县科技局按职责分工负责〕", [("lead", "县教育局"), ("lead", "县科技局")]),
    ("由县卫生健康局牵头，县医保局、县市场监管局配合，开展专项整治。",
     [("lead", "县卫生健康局"), ("support", "县医保局"), ("support", "县市场监管局")]),
    ("由县市场监管局负责。", [("lead", "县市场监管局")]),
    ("〔责任单位：县自然资源和规划局、县粮食和物资储备中心。〕",
     [("lead", "县自然资源和规划局"), ("lead", "县粮食和物资储备中心")]),
    ("（责任单位：县教育局；完成时限：2024年6月底）", [("lead", "县教育局")]),
    ("〔牵头单位：县教育局，配合单位：县财政局〕", [("lead", "县教育局"), ("support", "县财政局")]),
    ("做好统计（区发改委牵头，区财政局、区统计局配合）。",
     [("lead", "区发改委"), ("support", "区财政局"), ("support", "区统计局")]),
    ("（责任单位：县卫健局；责任领导：张三）", [("lead", "县卫健局"), ("leader", "张三")]),
    ("（牵头单位：市经贸委，配合单位：市人力资源和社会保障局、市工商联）",
     [("lead", "市经贸委"), ("support", "市人力资源和社会保障局"), ("support", "市工商联")]),
    # A会同B, and no 负责: the units after 会同 support, the one before it leads
    ("区公安分局和区公安消防支队会同行业主管部门，对排查发现的火灾隐患进行整改。",
     [("lead", "区公安分局"), ("lead", "区公安消防支队"), ("support", "行业主管部门")]),
    ("本实施方案的操作细则由各牵头单位会同相关责任单位共同制定并负责解释。",
     [("lead", "各牵头单位"), ("support", "相关责任单位")]),
    # one label a line: 牵头负责领导 (a person), 牵头责任单位, 协同责任单位
    ("牵头负责领导：刘惠。\n牵头责任单位：省发展改革委。\n协同责任单位：省政府各部门、各直属机构。",
     [("leader", "刘惠"), ("lead", "省发展改革委"), ("support", "省政府各部门"), ("support", "各直属机构")]),
    # a semicolon typed for the colon; 各 and a kind of body is a collective unit
    ("实施改厕工程。(责任单位;住建局、畜牧局、各乡镇场)", [("lead", "住建局"), ("lead", "畜牧局"), ("lead", "各乡镇场")]),
    ("（主体责任：各营业网点，监督责任：市工商局）", [("lead", "各营业网点"), ("support", "市工商局")]),
    # a problem list's 主体责任 (the doer) and 监督责任 (who oversees it)
    ("(主体责任:白茶村委会,监督责任:市工商局)", [("lead", "白茶村委会"), ("support", "市工商局")]),
    ("（主体责任单位：咸安区永安办事处；监管责任单位：咸安区食药监局）",
     [("lead", "咸安区永安办事处"), ("support", "咸安区食药监局")]),
])
def test_notes(text, expected):
    assert notes(text) == expected


def test_the_units_after_each_会同_support_the_lead_an_item_names():
    # a 职责分工 item of a city's 粮食安全责任考核工作方案 (广东): 市粮食局负责… and, clause after
    # clause, 会同 the bodies that join (ANNOTATION §3: the units after 会同 support)
    s = ("（二）市粮食局负责制订实施粮食流通政府规范性文件；会同市发展改革局监督各市、区政府落实责任书；"
         "牵头会同物价部门建立粮食市场价格监测制度；牵头会同农业部门制订培育和扶持粮食产业化龙头企业政策；"
         "会同市农业局、市财政局对责任制的落实进行考评；会同配合单位制定细则。")
    assert notes(s) == [("lead", "市粮食局"), ("support", "市发展改革局"), ("support", "物价部门"),
                        ("support", "农业部门"), ("support", "市农业局"), ("support", "市财政局")]
    # an adverb between the units and 负责 is no part of their names; 主要负责同志 is a person
    assert notes("1、蓝田猿人遗址，由蓝田县猿人遗址文管所全面负责文物保护单位的安全管理工作。") == [
        ("lead", "蓝田县猿人遗址文管所")]
    assert notes("成立由区文化旅游委、区消防救援支队主要负责同志组成的领导小组。") == []
    # 负总责; a party branch's committee is a unit (总支, 支部)
    assert notes("“主题党日”工作由机关党总支负总责，各党支部书记为第一责任人。") == [("lead", "机关党总支")]
    # 发挥X牵头作用: 发挥 is no part of the unit's name
    assert notes("聚焦乡村振兴战略，发挥农业农村部门牵头作用，推进人居环境整治。") == [("lead", "农业农村部门")]
    # without a lead named in the item, 会同 alone says nothing of who leads
    assert notes("会同市发展改革局监督各市、区政府落实责任书。") == []


@pytest.mark.parametrize("text", [
    "各学校要高度重视，主要负责人要亲自抓、负总责。",   # subjects, not markers
    "县教育局要加强督导检查。",
    "配合县应急局完成以下工作：",                      # 配合 + object: no marker for this task
    "明确企业主要负责人的责任。",
    "加强管理（2024年6月底前完成）",
    "开展工作（以下简称“双随机”）",
    "（三）强化企业主体责任",
])
def test_no_units_without_markers(text):
    assert notes(text) == []


@pytest.mark.parametrize("text,role,expected", [
    ("——", "support", []), ("无", "support", []), ("/", "lead", []), ("", "lead", []),
    ("县教育局\n县财政局", "lead", [("lead", "县教育局"), ("lead", "县财政局")]),
    ("县局\n\n基教科", "lead", [("lead", "县局\n\n基教科")]),
    ("各部、办、中心", "support", [("support", "各部、办、中心")]),
    # a collective head and bare unit types joined by 、 are one group, whatever the types
    ("区教育局、13个街道、镇", "support", [("support", "区教育局"), ("support", "13个街道、镇")]),
    ("各股、室、站", "support", [("support", "各股、室、站")]),
    ("市疫情防控指挥部各工作组", "support", [("support", "市疫情防控指挥部各工作组")]),  # its own groups
    # …but a type followed by more name is a scope of that name, and a named unit stays apart
    ("各乡、镇人民政府", "lead", [("lead", "各乡、镇人民政府")]),
    ("13个街道、区民政局", "support", [("support", "13个街道"), ("support", "区民政局")]),
    ("张三、李四", "leader", [("leader", "张三"), ("leader", "李四")]),
    # a post alone names nobody (ANNOTATION §3); a surname with a post does
    ("区长", "leader", []), ("金水区常务副区长", "leader", []), ("各镇镇长", "leader", []),
    ("王局长、副县长", "leader", [("leader", "王局长")]),
    ("县疾控中心牵头，各乡镇卫生院配合", "lead", [("lead", "县疾控中心"), ("support", "各乡镇卫生院")]),
    ("县乡村振兴局（牵头）、县财政局（配合）", "lead", [("lead", "县乡村振兴局"), ("support", "县财政局")]),
    ("县文旅局（主办）、县财政局（协办）", "lead", [("lead", "县文旅局"), ("support", "县财政局")]),
    ("办公室牵头，各科室、局属各单位具体落实", "lead",
     [("lead", "办公室"), ("support", "各科室"), ("support", "局属各单位")]),
    # 按照职责分工负责 is no part of the name (ANNOTATION §3: an entry without 负责 / 分工负责)
    ("各股室按照职责分工负责", "lead", [("lead", "各股室")]),
    ("各成员单位根据职责分工负责", "lead", [("lead", "各成员单位")]),
    # a progress column's status misread into the leaders' cell names nobody
    ("刘佳\n已完成", "leader", [("leader", "刘佳")]),
])
def test_cells(text, role, expected):
    assert cell(text, role) == expected


def test_shared_suffix_expansion():
    s = "政策法规、综合执法科负责。\n政策法规科\t综合执法科"
    ms = split_unit_list(s, 0, 10, "lead")
    known = {"政策法规科", "综合执法科"} | {u.unit for u in ms}
    out = expand_shared_suffix(ms, known)
    assert [u.unit for u in out] == ["政策法规科", "综合执法科"]
    grounded = expand_shared_suffix(ms, known, text=s)
    assert [u.unit for u in grounded] == ["政策法规科", "综合执法科"]
    assert all(s[u.start:u.end] == u.unit for u in grounded)


def test_shared_prefix_expansion():
    s = "县局\n办公室、执法大队"
    ms = split_unit_list(s, 0, len(s), "lead")
    out = expand_shared_suffix(ms, {"县局办公室", "县局执法大队"})
    assert [u.unit.replace("\n", "") for u in out] == ["县局办公室", "县局执法大队"]


def test_no_expansion_without_evidence():
    s = "安全生产、规划建设部"
    ms = split_unit_list(s, 0, len(s), "lead")
    assert [u.unit for u in expand_shared_suffix(ms, {u.unit for u in ms})] == ["安全生产", "规划建设部"]


def test_known_concatenation():
    s = "县直有关部门各乡镇（街道）"
    m = UnitMention("support", s, 0, len(s))
    out = split_known_concatenation(m, {"县直有关部门", "各乡镇（街道）", s})
    assert [(u.unit, s[u.start:u.end]) for u in out] == [("县直有关部门", "县直有关部门"),
                                                          ("各乡镇（街道）", "各乡镇（街道）")]
    assert split_known_concatenation(m, {"县直有关部门"}) == [m]


@pytest.mark.parametrize("name,full", [
    ("县应急局", "县应急管理局"), ("区市场监管局", "区市场监督管理局"), ("县卫健委", "县卫生健康委员会"),
    ("市人社局", "市人力资源和社会保障局"), ("区住房城乡建委", "区住房和城乡建设委员会"),
    ("县发改局", "县发展和改革局"), ("区经济信息委", "区经济和信息化委员会"), ("区安办", "区安全生产委员会办公室"),
    ("团县委", "共青团县委员会"), ("县教育局", "县教育局"), ("县某某专班", "县某某专班"),
    ("区规资局", "区规划和自然资源局"), ("县文广旅局", "县文化广电旅游局"),
])
def test_canonical_names(name, full):
    assert canonical_unit(name) == full


def test_seed_gold_units():
    from seed_gold import evaluate
    rep = evaluate()
    for role in ("lead", "support", "leader"):
        assert rep[role]["r"] >= 0.9 and rep[role]["p"] >= 0.9, (role, rep[role])


def test_note_with_swapped_closing_bracket_ends_at_any_closer():
    # OCR and hurried typing swap bracket shapes: 〔…】, [ … 〕, 【…）
    text = "强化医疗废物处置监管。【责任单位：县卫生健康局、县生态环境局分工负责）。开展专项检查。"
    found = [(u.role, u.unit) for u in find_unit_notes(text, 0, len(text))]
    assert found == [("lead", "县卫生健康局"), ("lead", "县生态环境局")]


def test_note_without_any_closer_stops_at_the_sentence_end():
    text = "推进校园食品安全守护行动。[责任单位：区教育局、区市场监管局按职责分工负责。严格落实陪餐制度。"
    found = [u.unit for u in find_unit_notes(text, 0, len(text))]
    assert found == ["区教育局", "区市场监管局"]


def test_units_that_share_the_work_beside_a_lead_unit_support_it():
    # with a 牵头 unit named, those who 按职责分工负责 beside it are its support (ANNOTATION §3)
    text = "健全返贫监测机制（县乡村振兴局牵头，县民政局、县医保局按职责分工负责）。"
    found = [(u.role, u.unit) for u in find_unit_notes(text, 0, len(text))]
    assert found == [("lead", "县乡村振兴局"), ("support", "县民政局"), ("support", "县医保局")]


def test_units_sharing_the_work_without_a_lead_all_lead():
    text = "推进农村改厕（县农业农村局、县卫生健康局按职责分工负责）。"
    assert {u.role for u in find_unit_notes(text, 0, len(text))} == {"lead"}


def test_a_unit_marked_lead_in_brackets_leads_and_those_beside_it_support():
    text = "做好防汛物资储备。\n责任单位：县水利局（牵头），县应急管理局、县粮食局\n"
    assert [(u.role, u.unit) for u in find_unit_notes(text, 0, len(text))] == [
        ("lead", "县水利局"), ("support", "县应急管理局"), ("support", "县粮食局")]


def test_joint_phrase_in_running_text():
    text = "区人社局会同区教育局负责高校毕业生就业服务，开展校园招聘。"
    assert [(u.role, u.unit) for u in find_unit_notes(text, 0, len(text))] == [
        ("lead", "区人社局"), ("support", "区教育局")]
    text = "单位负责人会同有关人员负责落实。"  # people, not units
    assert find_unit_notes(text, 0, len(text)) == []


def test_a_note_of_several_sentences_keeps_labelled_ones_and_drops_remarks():
    text = ("1.全面完成除险加固任务。（牵头单位：各乡（镇）人民政府。配合单位：县水利局。"
            "以下均需各乡（镇）人民政府落实，不再列出）")
    units = find_unit_notes(text, 0, len(text))
    assert [(u.role, u.unit) for u in units] == [("lead", "各乡（镇）人民政府"), ("support", "县水利局")]


def test_a_person_named_with_a_post_leads_as_leader():
    text = "尽快完成实施方案的编制和报批工作，由杨志武副市长负责，市发改委牵头。"
    units = find_unit_notes(text, 0, len(text))
    assert ("leader", "杨志武") in [(u.role, u.unit) for u in units]
    assert ("lead", "市发改委") in [(u.role, u.unit) for u in units]
    post_only = "由分管副市长负责推进。"
    assert not [u for u in find_unit_notes(post_only, 0, len(post_only)) if u.role == "leader"]


def test_separate_lead_and_responsible_lines_make_the_responsible_units_support():
    text = "1.地区生产总值增长5%以上。\n牵头领导：省政府分管领导同志\n牵头单位：省发展改革委\n责任单位：省商务厅，各市人民政府"
    units = [(u.role, u.unit) for u in find_unit_notes(text, 0, len(text))]
    assert ("lead", "省发展改革委") in units
    assert ("support", "省商务厅") in units and ("support", "各市人民政府") in units
    assert not [u for u in units if u[0] == "leader"]  # a post is no person


def test_labels_glued_to_the_names_before_them():
    text = "1.加强管理。牵头单位：区教育局责任单位：区财政局、区人社局"
    units = [(u.role, u.unit) for u in find_unit_notes(text, 0, len(text))]
    assert units == [("lead", "区教育局"), ("support", "区财政局"), ("support", "区人社局")]


def test_a_bare_scope_before_a_comma_of_enumeration_stays_with_its_name():
    text = "责任单位：各区、县人民政府，市直有关部门"
    units = [u.unit for u in find_unit_notes(text, 0, len(text))]
    assert units == ["各区、县人民政府", "市直有关部门"]


def test_a_bare_scope_is_completed_by_the_next_name():
    assert cell("省发改委、相关市、县政府") == [("lead", "省发改委"), ("lead", "相关市、县政府")]


def test_a_collective_glued_to_a_unit_is_split_but_a_units_own_parts_are_not():
    assert cell("县教体局各相关乡镇政府") == [("lead", "县教体局"), ("lead", "各相关乡镇政府")]
    assert cell("区政府各部门") == [("lead", "区政府各部门")]
    assert cell("省农业厅等省直有关部门") == [("lead", "省农业厅"), ("lead", "省直有关部门")]


def test_first_listed_unit_leads_where_the_document_says_so():
    from policyparse.pipeline import parse_bytes

    text = ("一、重点任务\n1.推进简政放权。（省发展改革委、省编办、省林业厅等负责，列第一位的为牵头部门，下同）\n"
            "2.鼓励企业并购。（人民银行长春中心支行、省财政厅负责）\n")
    doc = parse_bytes(text.encode(), "x.txt")
    roles = [[(u.role, u.unit) for u in t.units] for t in doc.tasks]
    assert roles == [[("lead", "省发展改革委"), ("support", "省编办"), ("support", "省林业厅")],
                     [("lead", "人民银行长春中心支行"), ("support", "省财政厅")]]


def test_a_bracket_of_names_closing_an_item_names_its_units():
    assert notes("5.城镇居民人均可支配收入增长9%左右。 (工资处、就管中心)") == [("lead", "工资处"), ("lead", "就管中心")]
    assert notes("加强监管。（含市直单位、县区）") == []  # not names alone
    assert notes("组织县公安局（交警大队）开展检查，每月一次。") == []  # inside the sentence


def test_etc_before_a_bodys_collective_splits():
    assert cell("区财政局等区政府有关部门") == [("lead", "区财政局"), ("lead", "区政府有关部门")]
    assert cell("立山经济开发区，全区经济运行各专班") [0] == ("lead", "立山经济开发区")


def test_host_and_co_hosts_of_a_task_lead_and_support():
    """主办 / 协办: how 政府工作报告 breakdowns name the unit that hosts a task and those that
    help, in a bracketed note without a label."""
    text = "公共财政收入增长13%左右。（省财政厅主办，省国税局、省地税局协办）"
    found = [(u.role, u.unit) for u in find_unit_notes(text, 0, len(text))]
    assert found == [("lead", "省财政厅"), ("support", "省国税局"), ("support", "省地税局")]


def test_a_lead_mark_before_a_name_and_angle_brackets_inside_a_name():
    # ★ marks the lead of a cell (标★的为牵头单位): the names beside it support
    assert cell("★区发改委、人社局、统计局") == [("lead", "区发改委"), ("support", "人社局"), ("support", "统计局")]
    assert cell("区财政局、★区税务局") == [("support", "区财政局"), ("lead", "区税务局")]
    assert cell("区财政局、区税务局") == [("lead", "区财政局"), ("lead", "区税务局")]
    # 〈〉 are brackets: 、 inside them joins
    assert cell("相关处〈室、局〉、机关党委") == [("lead", "相关处〈室、局〉"), ("lead", "机关党委")]


def test_units_that_carry_the_work_out_beside_a_lead():
    # 落实单位 (ANNOTATION §3): …落实 / …参照落实 beside a 牵头 unit support it, without the role words
    assert cell("市财政局牵头，市直各部门落实；各镇（街）参照落实") == [
        ("lead", "市财政局"), ("support", "市直各部门"), ("support", "各镇（街）")]
    assert cell("区教育局落实") == [("lead", "区教育局")]


def test_bare_scopes_wait_for_the_name_that_completes_them():
    assert cell("市、区生态环境部门") == [("lead", "市、区生态环境部门")]
    assert cell("市、县、乡三级政府") == [("lead", "市、县、乡三级政府")]
    assert cell("区财政局、区税务局") == [("lead", "区财政局"), ("lead", "区税务局")]


def test_a_role_descriptor_before_the_names_is_no_part_of_them():
    assert notes("整改要求：由包片单位县气象局负责清除。") == [("lead", "县气象局")]


@pytest.mark.parametrize("text,expected", [
    # key-value lines of an inspection plan: 牵头科室 / 配合科室, 发起部门
    ("牵头科室：学前教育和职业教育科\n配合科室：各有关科室\n", [("lead", "学前教育和职业教育科"), ("support", "各有关科室")]),
    ("（发起部门：市园林局；配合部门：市市场监管局）", [("lead", "市园林局"), ("support", "市市场监管局")]),
    # 分别牵头 / 分别负责: each unit leads its part; 分别 is no part of a name
    ("（审批处、人事处分别牵头，各有关处室配合）", [("lead", "审批处"), ("lead", "人事处"), ("support", "各有关处室")]),
    ("（救助处、养老处分别负责）", [("lead", "救助处"), ("lead", "养老处")]),
])
def test_inspection_labels_and_separate_leads(text, expected):
    assert notes(text) == expected


def test_a_triangle_marks_the_lead_unit_of_a_cell():
    # Zhejiang's 责任清单: ▲发改局，各部门 (带▲的为牵头单位): the marked unit leads, the others support
    assert cell("▲税务局,财政局,各镇乡(街道)") == [("lead", "税务局"), ("support", "财政局"), ("support", "各镇乡(街道)")]


def test_industrial_parks_are_units_and_townships_and_streets_one_collective():
    assert notes("(牵头单位:县政府园区发展服务中心;责任单位:新材料产业园、商贸物流园等)") == [
        ("lead", "县政府园区发展服务中心"), ("support", "新材料产业园"), ("support", "商贸物流园")]
    assert notes("（责任单位：县农业农村局、各乡镇、街道）") == [("lead", "县农业农村局"), ("lead", "各乡镇、街道")]


def test_a_name_followed_by_etc_departments_is_that_unit():
    assert cell("市住建局、市文广旅局等部门,各区(市)县政府") == [
        ("lead", "市住建局"), ("lead", "市文广旅局"), ("lead", "各区(市)县政府")]


@pytest.mark.parametrize("text,expected", [
    # a clause opened by its unit and 负责 is a 负责 phrase (ANNOTATION §3)
    ("（一）建立考评制度。竹阳镇负责对县城区每月进行一次考核评比。", [("lead", "竹阳镇")]),
    ("由县城管办负责县城主要街道的工作，竹阳镇负责小街小巷的工作。", [("lead", "县城管办"), ("lead", "竹阳镇")]),
    ("企业主要负责人要亲自抓，各单位负责同志要到场。", []),  # people, not units
    ("1.由保洁公司负责组织各村保洁人员开展整治。", [("lead", "保洁公司")]),
])
def test_a_clause_opened_by_its_unit_and_fu_ze(text, expected):
    assert notes(text) == expected
