"""The numbering outline and which items are tasks, on small notices of other sectors."""
from __future__ import annotations

from policyparse.extract.tasks import task_items
from policyparse.ingest.text import read_text
from policyparse.segment.outline import build_outline, match_label


def outline_of(text: str):
    doc = read_text(text.encode("utf-8"), "t.txt", doc_id="t")
    return doc, build_outline(doc)


def paths(doc, outline):
    return [tuple(it.path()) for it in outline.items if it.kind == "item"]


def notice(text: str):
    """The whole pipeline over a notice written as text."""
    from policyparse.pipeline import parse_bytes

    return parse_bytes(text.encode("utf-8"), "notice.txt")


def leads(task) -> list[str]:
    return [u.unit for u in task.units if u.role == "lead"]


def test_labels_of_every_style():
    cases = {"一、加强领导": ("cn_dun", 1), "（十二）压实责任": ("cn_paren", 12), "3.开展排查": ("arabic_dot", 3),
             "（2）严格执法": ("arabic_paren", 2), "③建立台账": ("circled", 3), "第十五条 适用范围": ("article", 15),
             "2、完善制度": ("arabic_dot", 2), "⑿完善制度": ("enclosed_paren", 12), "⒊开展排查": ("enclosed_stop", 3)}
    for text, (style, num) in cases.items():
        label = match_label(text)
        assert (label.style, label.num) == (style, num), text
    assert match_label("2.5万亩高标准农田") is None  # a decimal, not item 2
    assert match_label("五一、国庆期间加强值守") is None  # May Day, not item 51


def test_depth_comes_from_the_order_styles_appear_in():
    doc, o = outline_of("一、重点任务\n1.推进河湖长制。落实巡河制度。\n2.开展清四乱。整治河道。\n二、保障措施\n"
                        "1.加强领导。各乡镇要重视。")
    assert paths(doc, o) == [("一",), ("一", "1"), ("一", "2"), ("二",), ("二", "1")]


def test_numbering_that_runs_on_across_headings_stays_nested():
    doc, o = outline_of("一、重点工作\n（一）稳就业\n1.开发公益岗位。安置就业困难人员。\n2.开展招聘活动。组织专场招聘。\n"
                        "（二）强培训\n3.实施技能提升行动。开展订单式培训。")
    assert ("一", "（二）", "3") in paths(doc, o)


def test_a_style_change_that_continues_the_count_is_a_sibling():
    doc, o = outline_of("县卫生健康局职责清单\n（1）组织开展健康教育。普及健康知识。\n（2）落实免疫规划。做好疫苗接种。\n"
                        "（三）加强院感防控。每季度开展1次督导。")
    leaves = [tuple(it.path()) for it in o.items if it.kind == "item" and it.is_leaf]
    assert [p[-1] for p in leaves] == ["（1）", "（2）", "（三）"]
    assert len({p[:-1] for p in leaves}) == 1  # one parent: the unnumbered heading


def test_sub_items_of_an_item_that_carries_work_stay_in_its_task():
    doc, o = outline_of("一、重点任务\n1.加强校园食品安全管理。督促学校落实以下措施：\n（1）严格食材采购查验。\n"
                        "（2）落实陪餐制度。\n〔责任单位：区教育局牵头，区市场监管局配合〕\n2.开展校园安全排查。每月排查一次。")
    tasks = task_items(doc, o)
    assert [it.path() for it, _ in tasks] == [["一", "1"], ["一", "2"]]
    first, end = tasks[0]
    assert "陪餐制度" in doc.text[first.start:end] and "区教育局牵头" in doc.text[first.start:end]


def test_items_under_a_heading_only_item_are_tasks():
    doc, o = outline_of("一、重点任务\n（一）强化责任落实\n1.压实属地责任。各乡镇落实属地管理。\n2.压实部门责任。")
    assert [it.path() for it, _ in task_items(doc, o)] == [["一", "（一）", "1"], ["一", "（一）", "2"]]


def test_an_attachment_starts_a_new_outline():
    doc, o = outline_of("一、总体要求\n做好工作。\n附件2\n2024年重点任务清单\n一、污染防治\n1.推进散乱污整治。全面排查。")
    items = [it for it in o.items if it.kind == "item"]
    assert items[-1].attachment == "附件2" and items[-1].path() == ["一", "1"]
    assert o.attachment_titles["附件2"] == "2024年重点任务清单"


def test_an_item_whose_text_opens_with_a_number_continues_the_count():
    from policyparse.pipeline import parse_bytes

    text = ("2022年区政府实事项目\n1.既有多层住宅加装电梯新增400台。\n2.50个小区新增电动自行车充电设施。\n"
            "3.新增5个普惠性托育点。\n")
    doc = parse_bytes(text.encode("utf-8"), "t.txt")
    assert [t.path[-1] for t in doc.tasks] == ["1", "2", "3"]
    assert doc.text[doc.tasks[1].start:doc.tasks[1].end].startswith("2.50个小区")
    # without an open 1. list, 2.5 stays a number
    solo = parse_bytes("一、目标\n增长2.5%以上。\n".encode("utf-8"), "s.txt")
    assert all(t.path[-1] != "2" for t in solo.tasks)


def test_an_excerpt_that_opens_low_on_the_ladder_climbs_back_up():
    # a page excerpt that opens at item 123. and goes on with （七）: （七） ranks above 1.
    # on the GB/T 9704 ladder, so it closes 124. instead of nesting under it
    doc, o = outline_of("123.完善公共文体服务圈。推进书房建设。\n124.持续开展文化惠民活动。形成品牌。\n"
                        "（七）增进民生福祉\n125.加强就业兜底帮扶。统筹就业工作。")
    assert paths(doc, o) == [("123",), ("124",), ("（七）",), ("（七）", "125")]


def test_a_document_that_nests_the_ladder_its_own_way_keeps_it():
    # 1. above （一） throughout: the document's own order wins over the ladder
    doc, o = outline_of("1.重点任务\n（一）开展排查。落实整改。\n（二）严格执法。依法处罚。\n2.保障措施\n（一）加强领导。压实责任。")
    assert ("2", "（一）") in paths(doc, o)


def test_enclosed_digit_items_with_their_own_units_are_tasks():
    """⑴ ⑵ (Word's one-character (1) (2)) are a sub-item style; items of it that carry their
    own 责任单位 lines are tasks, like （1） items."""
    doc, o = outline_of("一、主要目标\n1.约束性指标。\n⑴巩固率达到97%。\n责任单位：省教育厅。\n"
                        "⑵耕地保有量保持在6120万亩。\n责任单位：省国土资源厅。\n")
    assert paths(doc, o) == [("一",), ("一", "1"), ("一", "1", "⑴"), ("一", "1", "⑵")]
    assert [tuple(it.path()) for it, _ in task_items(doc, o)] == [("一", "1", "⑴"), ("一", "1", "⑵")]


def test_an_item_whose_text_opens_with_a_year():
    from policyparse.pipeline import parse_bytes

    text = ("一、办好品牌体育赛事\n1.2013年国际铁人三项世界杯赛。4月底前签订办赛协议。\n"
            "2.全国帆船冠军赛。3月底前签订办赛协议。\n二、开展全民健身运动\n1.开展全民健身十佳评选活动。\n")
    doc = parse_bytes(text.encode("utf-8"), "year-item.txt")
    assert [t.path for t in doc.tasks] == [["一", "1"], ["一", "2"], ["二", "1"]]


def test_a_bulleted_list_is_counted_in_order():
    """● items (a problem list on a web page) are list items, numbered by their place;
    ○ in a Chinese-numeral year is no bullet."""
    doc, o = outline_of("督查发现以下问题：\n● 白茶市场存在空闲摊位乱堆乱放，水产区脏乱差。\n"
                        "（主体责任：白茶村委会，监督责任：市工商局）\n"
                        "● 明珠广场烧烤街地面油垢较厚，乱搭乱建现象突出。\n"
                        "● 星悦公馆背后建筑工地大量生活垃圾堆积，无人管理。\n")
    assert paths(doc, o) == [("1",), ("2",), ("3",)]
    assert match_label("二○二四年三月十七日") is None


def test_a_bulleted_key_line_is_a_page_infobox_not_an_item():
    doc, o = outline_of("• 索引号：11330922090963010M/2023-31395\n• 所属类目：区政府办公室文件\n• 浏览次数：\n"
                        "一、加强领导。各单位要高度重视，落实责任。\n二、强化督查。每月通报一次进展。\n")
    assert paths(doc, o) == [("一",), ("二",)]


def test_an_only_child_numbered_past_one_is_text_of_its_item():
    """「2. …进度表」 alone under 三、 (an attachment line that lost 附件：) opens no list, and
    三 stays a task; the 联系人 line ends 三 before it."""
    doc, o = outline_of("一、加强统筹。各单位切实加大资金投入，确保按时完成。\n二、实行月报。于每月5号前报送上月进度。\n"
                        "三、适时通报。市教体局适时对工程进展情况予以通报。\n联系人：赵子铭\n联系电话：2629960\n"
                        "2. 2020年教育重点规划建设任务月进度表\n")
    assert paths(doc, o) == [("一",), ("二",), ("三",)]
    third = o.items[2]
    assert "联系人" not in doc.text[third.start:third.end]


def test_a_count_that_runs_through_the_sections_keeps_a_lone_item():
    doc, o = outline_of("一、优化公共服务\n1.教育提升工程。推进新一中建成投用。\n2.医疗提升工程。完成门诊楼一期。\n"
                        "二、提升环境品质\n3.水生态提升工程。完成一河三渠生态修复治理。\n")
    assert paths(doc, o) == [("一",), ("一", "1"), ("一", "2"), ("二",), ("二", "3")]


def test_a_count_running_through_sections_nests_under_the_next_heading():
    """1. under 一、, then （一） under 二、 followed by 2.: the 2. goes on from the 1. above, it is
    a child of （一）, not its sibling because （一） happens to be number 1."""
    doc, o = outline_of("一、总体目标\n1.目标。5年内实施六大人才行动计划。\n二、实施行动计划\n"
                        "（一）产业提升人才行动计划。实施如下重点项目：\n2.紧缺人才开发项目。引进1万名紧缺人才。\n"
                        "3.企业家培养项目。培养100名优秀企业家。\n（二）科技创新人才行动计划。实施如下重点项目：\n"
                        "4.领军人才项目。引进50名领军人才。\n")
    assert paths(doc, o) == [("一",), ("一", "1"), ("二",), ("二", "（一）"), ("二", "（一）", "2"),
                             ("二", "（一）", "3"), ("二", "（二）"), ("二", "（二）", "4")]


def test_items_titled_by_a_unit_in_a_duty_section_are_led_by_it():
    """二、职责分工 / 1.街道消委办。牵头开展… / 2.派出所。配合开展…: each unit's part is its task."""
    from policyparse.pipeline import parse_bytes

    doc = parse_bytes("二、职责分工\n1.街道消委办。牵头开展独居老人消防安全关爱工作。\n"
                      "2.派出所。配合开展独居老人消防安全关爱工作，负责隐患的确认。\n"
                      "三、工作要求\n1.加强领导。各单位要高度重视。\n".encode("utf-8"), "duty.txt")
    leads = {tuple(t.path): [u.unit for u in t.units if u.role == "lead"] for t in doc.tasks}
    assert leads[("二", "1")] == ["街道消委办"] and leads[("二", "2")] == ["派出所"]
    assert leads[("三", "1")] == []  # 加强领导 is no unit, and 三 shares out no duties


def test_closing_provisions_are_tasks_only_where_they_charge_a_unit():
    from policyparse.pipeline import parse_bytes

    doc = parse_bytes("一、行动任务\n1.推进产教融合。建设10个实训基地。（牵头单位：区教育局）\n二、支持范围\n"
                      "重点支持在本区办学的高等院校、区内重点科研平台载体，以及符合条件的企业。\n四、附则\n"
                      "1.本实施方案的操作细则由各牵头单位会同相关责任单位共同制定并负责解释。\n"
                      "2.本实施方案自2024年3月10日起实施，有效期至2026年12月31日。\n".encode("utf-8"), "rules.txt")
    assert [tuple(t.path) for t in doc.tasks] == [("一", "1"), ("四", "1")]
    assert [(u.role, u.unit) for u in doc.tasks[1].units] == [("lead", "各牵头单位"), ("support", "相关责任单位")]


def test_an_item_whose_text_opens_with_a_date():
    assert match_label("1.9月30日前，区建设管理委完成排查").num == 1
    assert match_label("2.10月底前完成整改").num == 2
    assert match_label("1.5万亩高标准农田") is None


def test_a_unit_named_before_a_colon_in_a_duty_section_leads_its_item():
    doc = notice("六、部门职责\n(一)区城管执法局：负责年度查处工作计划的制定、组织协调。\n"
                 "(二)区房管局：指导街镇督促物业服务企业落实日常管理职责。\n")
    assert [leads(t) for t in doc.tasks] == [["区城管执法局"], ["区房管局"]]


def test_an_item_that_only_cites_a_document_is_no_task():
    doc = notice("一、加强执法。区城管执法局每月开展一次联合执法。\n附件：\n\n主要法律法规清单\n\n"
                 "1、《住宅室内装饰装修管理办法》\n\n2、《上海市城市管理综合行政执法条例》及其《实施办法》\n\n"
                 "三、改造对象\n改造对象为本区不成套职工住宅，共3.3万平方米，分两年实施。\n")
    assert [tuple(t.path) for t in doc.tasks] == [("一",)]


def test_a_duty_section_written_as_paragraphs_opening_with_units():
    doc = notice("六、保障措施\n区财政局要加强资金保障。\n七、职责分工\n\n区住房保障房屋管理局是旧住房成套改造工作牵头部门，负责编制计划。\n\n"
                 "区财政局负责区级财政资金的保障和落实工作。\n\n乡镇人民政府负责统筹推进辖区内改造工作。\n")
    by_path = {tuple(t.path): leads(t) for t in doc.tasks}
    assert by_path[("七",)] == ["区住房保障房屋管理局", "区财政局", "乡镇人民政府"]
    assert by_path[("六",)] == []  # 区财政局要… outside a duty section is a subject, no unit


def test_small_full_stop_labels_and_a_unit_heading_line_in_a_duty_section():
    assert match_label("1﹒全省生产总值增长7%以上。").num == 1
    doc = notice("四、职责分工\n\n（一）区建设管理委（区水务局）\n\n负责制定区级排水管理体制改革实施方案。\n\n"
                 "（二）区财政局\n\n负责落实移交排水设施日常运维资金。\n")
    assert [leads(t) for t in doc.tasks] == [["区建设管理委（区水务局）"], ["区财政局"]]


def test_a_duty_item_that_opens_with_its_unit_and_a_background_section():
    doc = notice("一、基本情况\n（一）拟移交设施情况。本区公共排水设施目前主要由区水务管理事务中心管理。\n"
                 "二、职责分工\n（1）区水务局负责本行政区域内河湖、泵闸的管理。\n"
                 "（2）区财政局会同区水务局积极争取市补资金，并分配下达资金。\n")
    assert [tuple(t.path) for t in doc.tasks] == [("二", "（1）"), ("二", "（2）")]
    assert [leads(t) for t in doc.tasks] == [["区水务局"], ["区财政局"]]


def test_a_heading_that_is_a_units_name_leads_the_items_under_it():
    """十五、省商务厅 / (一)… (二)…: a part headed by a unit's name (its place, a body's suffix)
    makes the unit the lead of its items; a topic heading that ends like a unit does not."""
    doc = notice("十五、省人力资源和社会保障厅\n(一)积极开展新型农村社会养老保险试点工作。\n"
                 "(二)研究制定新型农村社会养老保险实施方案。\n十六、省商务厅\n(一)“家电下乡”销售达到10亿元。\n"
                 "十七、打造区域物流中心\n(一)建设公路港物流园区。\n(二)完善冷链配送网络。\n"
                 "十八、区域医疗中心\n(一)推进医联体建设。\n(二)提升急诊急救能力。\n")
    by_path = {tuple(t.path): leads(t) for t in doc.tasks}
    assert by_path[("十五", "（一）")] == by_path[("十五", "（二）")] == ["省人力资源和社会保障厅"]
    assert by_path[("十六", "（一）")] == ["省商务厅"]
    assert by_path[("十七", "（一）")] == by_path[("十八", "（一）")] == []


def test_a_duty_part_keeps_its_own_unit_when_it_names_it_short_again():
    doc = notice("二、职责分工\n1.街道消委办。牵头开展独居老人消防安全关爱工作。消委办负责加强微型消防站建设。\n"
                 "2.派出所。配合开展消防安全关爱工作，负责隐患的确认。\n")
    by_path = {tuple(t.path): leads(t) for t in doc.tasks}
    assert by_path[("二", "1")] == ["街道消委办"] and by_path[("二", "2")] == ["派出所"]


def test_an_offices_heading_with_its_other_names_in_brackets_leads_its_items():
    doc = notice("（一）综合办公室(党群工作部、监察室、督查室、财务室)\n（1）年度主要任务与要求:\n"
                 "①积极宣传推介园区，完成上稿8篇；②每月拿出部门当月小结和下月计划。\n"
                 "（二）建设社区服务中心（站）\n1.完善服务设施。\n2.提升服务能力。\n")
    by_task = [leads(t) for t in doc.tasks]
    assert by_task[0] == ["综合办公室"]
    assert by_task[-1] == []  # a topic ending like a unit, its bracket no list of offices


def test_a_unit_note_on_its_own_line_after_a_list_covers_every_item_of_the_list():
    doc = notice("关于印发责任分解的通知\n各县(市、区)人民政府:\n"
                 "一、“一案三制”建设\n1.完善应急预案体系\n"
                 "(1)加强应急预案管理,规范应急预案编制、审批、发布工作。\n"
                 "(2)推进政府及其部门应急预案“精编化”,及时修订完善现有应急预案。\n"
                 "(3)加强应急预案演练,完善演练管理制度。\n"
                 "(责任单位:市直各有关单位、各开发区管委会)\n"
                 "2.健全应急管理体制\n"
                 "(1)深入推进应急管理办事机构建设。(责任单位:市应急局)\n"
                 "(2)加强基层应急管理组织建设,落实专职人员。\n")
    first_list = [t for t in doc.tasks if t.path[-2:-1] == ["1"]]
    assert len(first_list) == 3
    for task in first_list:
        assert leads(task) == ["市直各有关单位", "各开发区管委会"]
    # a note at the end of an item's own paragraph is that item's alone
    second = [t for t in doc.tasks if t.path[-2:-1] == ["2"]]
    assert [leads(t) for t in second] == [["市应急局"], []]


def test_the_cover_notes_count_of_the_plans_items_is_no_goal():
    doc = notice("关于印发规划责任分解的通知\n各有关单位:\n"
                 "为提高应对突发事件的能力,根据《规划》精神,现将《规划》中明确提出的9项具体建设任务和7项重点建设项目"
                 "进行责任分解。到2020年,全市应急平台覆盖率达到100%。\n"
                 "一、完善应急预案体系\n1.加强应急预案管理,规范应急预案编制。(责任单位:市应急局)\n"
                 "2.推进应急预案精编化,修订完善现有预案。(责任单位:市应急局)\n")
    assert [(t.value, t.unit) for t in doc.targets] == [(100.0, "%")]


def test_a_bracket_of_units_after_the_law_an_item_names_leads_it():
    # a 普法责任清单: each item a law, the department that teaches it in brackets
    doc = notice("上海市司法局普法责任清单\n一、重点普法内容及责任部门\n"
                 "(一)《中华人民共和国宪法》(全系统各单位、各部门)\n(二)《中华人民共和国监狱法》(监狱管理局)\n"
                 "(三)《中华人民共和国仲裁法》(市局法制处)\n(四)《中华人民共和国民法典》(2020年5月28日通过)\n")
    assert [leads(t) for t in doc.tasks[:3]] == [["全系统各单位", "各部门"], ["监狱管理局"], ["市局法制处"]]
    assert all(not leads(t) for t in doc.tasks[3:])  # a date in brackets names nobody


def test_yi_shi_paragraphs_are_a_list_and_a_lone_one_stays_in_its_item():
    doc = notice("关于县级领导包抓重点项目建设工作的通知\n各镇党委、政府:\n一、重点任务\n(一)加强组织领导。\n"
                 "一是建立工作制度,明确工作责任;二是强化督查考核,每季度通报一次。\n"
                 "(二)完善工作机制。建立联席会议制度,定期研究解决问题。\n二、包抓工作任务\n"
                 "一是抓组织协调。调动各方力量,组建机构。\n二是抓施工进度。围绕目标任务,制定节点推进计划。\n")
    assert [t.path for t in doc.tasks] == [["一", "（一）"], ["一", "（二）"], ["二", "一是"], ["二", "二是"]]
    assert "二是强化督查考核" in doc.text[doc.tasks[0].start:doc.tasks[0].end]


def test_bullets_standing_for_the_even_numbers_of_a_list_are_its_items():
    # a page converter wrote items 2, 4 and 6 of an ordered list as Markdown bullets
    doc = notice("铜陵市财政局创建省级文明单位工作制度\n一、组织领导制度\n1.成立文明单位创建领导小组,明确职责。\n"
                 "- 建立文明单位创建办公室,选配工作人员。\n3.建立健全文明单位创建的各项制度。\n"
                 "- 坚持“两手抓、两手硬”,推进创建工作。\n二、分工负责制度\n1.建立文明单位创建工作责任制。\n"
                 "2.主要负责人总揽文明单位创建的全局。\n")
    # (the path keeps the label as printed)
    assert [t.path[-2:] for t in doc.tasks] == [["一", "1"], ["一", "-"], ["一", "3"], ["一", "-"], ["二", "1"],
                                                ["二", "2"]]
    # a bullet list of its own is no lost number
    other = notice("工作要点\n一、重点任务\n1.加强组织领导,明确责任。\n- 建立工作台账\n二、保障措施\n1.强化督查考核。\n")
    assert [t.path[-2:] for t in other.tasks] == [["一", "1"], ["二", "1"]]


def test_a_scope_heading_that_names_the_work_too_holds_tasks():
    doc = notice("三、实施范围和主要内容\n全省县级统计机构和乡(镇、街道)政府统计活动。主要内容是:\n"
                 "1.加强统计岗位(机构),完善统计网络。乡(镇、街道)政府要设置统计工作岗位。\n"
                 "2.加强统计人员管理。要选用热爱统计工作的人员。\n四、适用范围\n1.本方案适用于全省各乡镇。\n")
    assert [t.path for t in doc.tasks] == [["三", "1"], ["三", "2"]]  # 适用范围 alone is no work


def test_an_unnumbered_share_out_gives_each_units_paragraph_as_a_task():
    doc = notice("为确保按时完成村庄环境整治任务,现将各单位在村庄环境整治工作中的任务作如下明确:\n"
                 "区住建局负责全区村庄环境整治总协调工作,指导督查康居乡村的创建。\n"
                 "区委农办要结合全区“三新”建设任务,负责指导督查新社区建设。\n"
                 "区财政局负责村庄环境整治专项经费的落实。\n"
                 "各单位要加强协作,形成合力。\n")
    assert [leads(t) for t in doc.tasks] == [["区住建局"], ["区委农办"], ["区财政局"]]
    # without the sentence that announces the share-out, paragraphs stay paragraphs
    plain = notice("关于做好工作的通知\n区住建局负责全区村庄环境整治总协调工作。\n区财政局负责专项经费的落实。\n")
    assert plain.tasks == []


def test_an_item_titled_by_the_units_whose_part_it_is():
    # 北京市城市环境秩序百日整治行动方案 on a law database, its 职责分工 heading on the page before
    doc = notice("（十六）各区县政府和地区管委会。落实属地责任，制定专项整治方案和应急预案。\n"
                 "（十七）首都综治办、市委督查室、市监察局、市政府督查室。负责组织对整治行动进行专项督查。\n"
                 "（十八）成立领导小组。统筹协调整治工作。\n"
                 "（十九）乡村振兴齐鲁样板示范区。坚持市县联动梯次推进创建。\n")
    assert [leads(t) for t in doc.tasks] == [["各区县政府和地区管委会"], ["首都综治办", "市委督查室", "市监察局", "市政府督查室"],
                                             [], []]


def test_lines_a_fixed_width_broke_mid_sentence_continue_their_item():
    # a township's 党建工作要点 as a document-sharing site stored it: every line cut at a width
    doc = notice("一、夯实党建基础，实施党支部“强基固本工程”\n1、深化党支部“堡垒指数”考核。深入推进党支部标准化\n"
                 "规范化建设，由镇党建办公室每月25日前依托“灯塔—党建在\n线”平台，对各党支部“三会一课”、党员发展和党员教\n"
                 "育情况每月进行一次考核，每季度进行一次排名，镇党委对排名\n后3名的党支部书记进行约谈。\n"
                 "2、细化党员“先锋指数”考核。各党支部对党员实行常态化积分考评。\n")
    first = doc.text[doc.tasks[0].start:doc.tasks[0].end]
    assert "".join(first.split()).endswith("党支部书记进行约谈。") and len(doc.tasks) == 2
