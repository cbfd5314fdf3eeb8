"""The official header: seed documents in every rendering against gold, and synthetic notices.

Gold values are read from corpus/gold here (tests may read gold; code never does) and compared
after the scorer's normalisation: white space removed, NFKC.
"""
from __future__ import annotations

import datetime as dt
import functools
import json
import unicodedata
from pathlib import Path

import pytest

from policyparse.ingest import read_file
from policyparse.model import Document, DocumentBuilder, Header
from policyparse.segment.header import parse_date, read_header, rules, split_org_names, split_units

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
STEMS = sorted(p.stem for p in (CORPUS / "gold").glob("*.json"))
# rendering → (folder, extension); the seed text itself is "txt"
FORMATS = {
    "txt": ("seeds", ".txt"),
    "gbk": ("renderings/gbk", ".txt"),
    "docx": ("renderings/docx", ".docx"),
    "pdf": ("renderings/pdf", ".pdf"),
    "doc": ("renderings/doc", ".doc"),
    "html": ("renderings/html", ".html"),
}
# Scanned PDFs are OCR'd once per session by the corpus batch run; their header fields are
# held per format by tests/test_corpus_scores.py::test_document_fields_per_format.
FIELDS = ("title", "doc_number", "issuers", "issue_date", "plan_year", "region", "recipients",
          "attachments")


def _canon(v):
    if v is None:
        return None
    if isinstance(v, list):
        return sorted(_canon(x) for x in v)
    return unicodedata.normalize("NFKC", "".join(str(v).split()))


@functools.lru_cache(maxsize=None)
def _gold(stem: str) -> dict:
    return json.loads((CORPUS / "gold" / f"{stem}.json").read_text(encoding="utf-8"))["fields"]


@functools.lru_cache(maxsize=None)
def _header(fmt: str, stem: str) -> Header:
    folder, ext = FORMATS[fmt]
    doc = read_file(CORPUS / folder / f"{stem}{ext}")
    return read_header(doc)


def _value(h: Header, name: str):
    if name == "region":
        return h.region.code if h.region else None
    if name == "issue_date":
        return h.issue_date.isoformat() if h.issue_date else None
    return getattr(h, name)


def _gold_value(stem: str, name: str):
    g = _gold(stem)
    if name == "region":
        return (g.get("region") or {}).get("code")
    return g.get(name)


def _params():
    out = []
    for fmt in FORMATS:
        for stem in STEMS:
            out.append(pytest.param(fmt, stem, id=f"{fmt}-{stem[:3]}"))
    return out


@pytest.mark.parametrize("fmt,stem", _params())
def test_seed_fields_equal_gold(fmt, stem):
    h = _header(fmt, stem)
    wrong = {f: (_gold_value(stem, f), _value(h, f)) for f in FIELDS
             if _canon(_value(h, f)) != _canon(_gold_value(stem, f))}
    assert not wrong, f"{fmt}/{stem}: (gold, found) per wrong field: {wrong}"


@pytest.mark.parametrize("stem", STEMS)
def test_seed_spans_point_at_their_values(stem):
    doc = read_file(CORPUS / "seeds" / f"{stem}.txt")
    h = read_header(doc)
    for name in ("doc_number",):
        if getattr(h, name):
            s, e = h.spans[name]
            assert doc.text[s:e] == getattr(h, name)
    if h.title:
        s, e = h.spans["title"]
        assert "".join(doc.text[s:e].split()) == "".join(h.title.split())
    if h.issuers:
        s, e = h.spans["issuers"]
        assert h.issuers[0] in doc.text[s:e]


# --------------------------------------------------------------------------- synthetic notices


def _doc(*paragraphs, meta: dict | None = None, styles: dict | None = None) -> Document:
    b = DocumentBuilder("synthetic.txt", "txt")
    for i, p in enumerate(paragraphs):
        b.add_paragraph(p, style=(styles or {}).get(i))
    for key, value in (meta or {}).items():
        setattr(b.meta, key, value)
    return b.build("synthetic")


def test_environment_bureau_full_header_chinese_date_and_record_block():
    doc = _doc(
        "宁波市江北区生态环境局文件",
        "甬北环发〔2024〕7号",
        "宁波市江北区生态环境局",
        "关于印发2024年大气污染防治",
        "工作方案的通知",
        "各街道办事处，区级有关部门：",
        "现将《2024年大气污染防治工作方案》印发给你们，请认真贯彻执行。",
        "附件：1.2024年大气污染防治工作方案",
        "2.重点任务分解表（共3页）",
        "宁波市江北区生态环境局",
        "二〇二四年三月十七日",
        "（此件公开发布）",
        "一、工作目标",
        "抄送：市生态环境局，区委办、区政府办。",
        "宁波市江北区生态环境局办公室 2024年3月18日印发",
        styles={0: {"align": "center", "color": "FF0000", "bold": True}},
    )
    h = read_header(doc)
    assert h.title == "宁波市江北区生态环境局关于印发2024年大气污染防治工作方案的通知"
    assert h.doc_number == "甬北环发〔2024〕7号"
    assert h.issuers == ["宁波市江北区生态环境局"]
    assert h.issue_date == dt.date(2024, 3, 17)
    assert h.plan_year == 2024
    assert h.recipients == ["各街道办事处", "区级有关部门"]
    assert h.attachments == ["2024年大气污染防治工作方案", "重点任务分解表"]
    assert h.cc == ["市生态环境局", "区委办", "区政府办"]
    assert h.printer == "宁波市江北区生态环境局办公室"
    assert h.print_date == dt.date(2024, 3, 18)
    assert h.public is True
    # 江北区 exists in 重庆 and 宁波: the named city decides
    assert h.region is not None and h.region.code == "330205"
    assert h.region.city == "宁波市" and h.region.county == "江北区"


def test_joint_notice_two_issuers_on_separate_and_glued_lines():
    lines = [
        "宜昌市教育局宜昌市财政局文件",
        "宜市教发〔2023〕12号",
        "关于做好2023年春季学期学生资助工作的通知",
        "各县市区教育局、财政局，市直各学校：",
        "为做好学生资助工作，现将有关事项通知如下。",
    ]
    separate = _doc(*lines, "宜昌市教育局", "宜昌市财政局", "2023年2月20日")
    h = read_header(separate)
    assert h.issuers == ["宜昌市教育局", "宜昌市财政局"]
    assert h.issue_date == dt.date(2023, 2, 20)
    assert h.recipients == ["各县市区教育局、财政局", "市直各学校"]
    assert h.region is not None and h.region.code == "420500" and h.region.county is None
    # the same signature written side by side: the spaces are gone after normalisation
    glued = _doc(*lines, "宜昌市教育局    宜昌市财政局", "2023年2月20日")
    assert read_header(glued).issuers == ["宜昌市教育局", "宜昌市财政局"]
    # no signature at all: the 发文机关标志 names both
    no_signature = _doc(*lines)
    assert read_header(no_signature).issuers == ["宜昌市教育局", "宜昌市财政局"]


def test_market_regulation_proxy_seal_is_not_an_issuer_and_longest_place_wins():
    doc = _doc(
        "关于开展2023年食品安全“双随机”抽查的通知",
        "各市场监管所、局机关各科室：",
        "根据工作安排，决定开展抽查工作。",
        "附件：抽查事项清单",
        "南京市雨花台区食品安全委员会",
        "南京市雨花台区市场监督管理局（代章）",
        "2023年5月8日",
    )
    h = read_header(doc)
    assert h.title == "关于开展2023年食品安全“双随机”抽查的通知"
    assert h.issuers == ["南京市雨花台区食品安全委员会"]
    assert h.recipients == ["各市场监管所", "局机关各科室"]
    assert h.attachments == ["抽查事项清单"]
    assert h.issue_date == dt.date(2023, 5, 8)
    assert h.region is not None and h.region.code == "320114"  # 雨花台区, not 长沙 雨花区
    assert h.doc_number is None and h.cc == [] and h.printer is None


def test_rural_revitalisation_web_page_with_information_source_only():
    doc = _doc(
        "2024年武侯区乡村振兴工作要点",
        "发布日期:2024-03-05 09:30信息来源:成都市武侯区乡村振兴局 浏览量:",
        "2024年，全区乡村振兴工作要坚持以习近平新时代中国特色社会主义思想为指导。",
        "一、巩固拓展脱贫攻坚成果",
    )
    h = read_header(doc)
    assert h.title == "2024年武侯区乡村振兴工作要点"
    assert h.info_source == "成都市武侯区乡村振兴局"
    assert h.issuers == ["成都市武侯区乡村振兴局"]
    assert h.published_date == dt.date(2024, 3, 5)
    assert h.issue_date is None  # the web 发布日期 is no 成文日期
    assert h.plan_year == 2024
    assert h.recipients == [] and h.attachments == []
    assert h.region is not None and h.region.code == "510107"


def test_web_meta_from_reader_is_used_when_the_text_has_no_info_line():
    doc = _doc("2023年全县应急管理工作要点", "一、总体要求",
               meta={"info_source": "石柱土家族自治县应急管理局", "published_date": dt.date(2023, 5, 6)})
    h = read_header(doc)
    assert h.issuers == ["石柱土家族自治县应急管理局"]
    assert h.published_date == dt.date(2023, 5, 6)
    assert h.region is not None and h.region.code == "500240" and h.region.city is None


def test_attachment_markers_without_a_list_give_titles_in_order():
    doc = _doc(
        "长寿区教育委员会",
        "关于印发校园安全工作两张清单的通知",
        "各中小学校、幼儿园：",
        "现将两张清单印发给你们，请遵照执行。",
        "长寿区教育委员会",
        "2023年9月1日",
        "附件1",
        "校园安全责任清单",
        "一、校长职责",
        "附件2",
        "校园安全隐患排查清单",
    )
    h = read_header(doc)
    assert h.attachments == ["校园安全责任清单", "校园安全隐患排查清单"]
    assert h.recipients == ["各中小学校、幼儿园"]  # 幼儿园 borrows 各
    assert h.title == "长寿区教育委员会关于印发校园安全工作两张清单的通知"


def test_collective_recipient_with_bare_unit_kinds_stays_one_entry():
    assert split_units("各科、室、站，局属各单位") == ["各科、室、站", "局属各单位"]
    assert split_units("各乡镇人民政府、各街道办事处；县级有关部门") == [
        "各乡镇人民政府", "各街道办事处", "县级有关部门"]
    assert split_units("各镇、街道") == ["各镇、街道"]


def test_dates_arabic_chinese_and_iso():
    assert parse_date("二〇二三年三月十七日") == dt.date(2023, 3, 17)
    assert parse_date("二〇二二年十二月三十一日") == dt.date(2022, 12, 31)
    assert parse_date("二○二四年十月十日") == dt.date(2024, 10, 10)
    assert parse_date("2023年3月7日") == dt.date(2023, 3, 7)
    assert parse_date("发布时间：2023-04-04 14:45") == dt.date(2023, 4, 4)
    assert parse_date("2023年2月30日") is None  # no such day


def test_issuer_names_split_only_between_full_names():
    assert split_org_names("长沙县应急管理局长沙县财政局") == ["长沙县应急管理局", "长沙县财政局"]
    # 委员会办公室 is one name: 办公室 alone does not start like a new body
    assert split_org_names("某某县安全生产委员会办公室") == ["某某县安全生产委员会办公室"]
    assert split_org_names("中共某某县委办公室 某某县人民政府办公室") == [
        "中共某某县委办公室", "某某县人民政府办公室"]


def test_development_zone_belongs_to_the_district_it_names():
    doc = _doc(
        "重庆长寿经济技术开发区管理委员会",
        "关于印发2023年园区消防安全工作方案的通知",
        "各部门，入园企业：",
        "现印发给你们，请认真落实。",
        "重庆长寿经济技术开发区管理委员会",
        "2023年4月3日",
    )
    h = read_header(doc)
    assert h.region is not None and h.region.code == "500115"


def test_park_without_a_district_in_its_name_takes_the_district_the_text_names():
    doc = _doc(
        "湖北省某某工业园区管理委员会",
        "关于做好2023年汛期安全工作的通知",
        "园区各企业：",
        "根据《宜都市防汛抗旱指挥部关于做好2023年防汛工作的通知》要求，结合宜都市实际，现通知如下。",
        "请各企业按宜都市应急管理局要求报送信息。",
        "湖北省某某工业园区管理委员会",
        "2023年5月20日",
    )
    h = read_header(doc)
    assert h.region is not None and h.region.code == "420581"


@pytest.mark.parametrize("paragraphs", [
    (),
    ("",),
    ("附件：",),
    ("关于",),
    ("2023年3月17日",),
    ("抄送：", "印发"),
    ("\t\t\t",),
    ("关于" * 200,),
])
def test_odd_documents_never_raise(paragraphs):
    doc = _doc(*paragraphs)
    h = read_header(doc)
    assert isinstance(h, Header)


def test_header_document_without_blocks_uses_its_text():
    doc = Document("x", "x.txt", "txt", "某某县水利局\n关于加强2023年水库安全管理的通知\n各乡镇：\n正文。\n某某县水利局\n2023年6月1日")
    h = read_header(doc)
    assert h.title == "某某县水利局关于加强2023年水库安全管理的通知"
    assert h.issue_date == dt.date(2023, 6, 1)
    assert h.recipients == ["各乡镇"]


def test_rules_load_and_patterns_have_their_groups():
    r = rules()
    assert r.doc_number_line.match("渝府办发〔2023〕12号").group("doc_number") == "渝府办发〔2023〕12号"
    assert r.doc_number_line.match("根据渝府办发〔2023〕12号文件") is None
    assert r.title_end.search("关于印发2023年工作要点的通知")


def test_wrapped_recipient_list_and_loosened_title_genres():
    doc = _doc(
        "关于做好2024年春节期间安全防范工作的紧急通知",
        "各区县（自治县）人民政府，市政府各部门，",
        "有关单位：",
        "春节将至，现就有关事项通知如下。",
    )
    h = read_header(doc)
    assert h.title == "关于做好2024年春节期间安全防范工作的紧急通知"
    assert h.recipients == ["各区县（自治县）人民政府", "市政府各部门", "有关单位"]
    assert h.plan_year == 2024 and h.issue_date is None


def test_attachment_titles_wrapped_over_lines_are_joined():
    doc = _doc(
        "某某县乡村振兴局",
        "关于印发两项工作清单的通知",
        "各乡镇：",
        "现印发给你们，请抓好落实。",
        "附件：1.2024年巩固拓展脱贫攻坚成果",
        "重点工作清单",
        "2.驻村帮扶工作责任清单",
        "某某县乡村振兴局",
        "2024年2月1日",
    )
    h = read_header(doc)
    assert h.attachments == ["2024年巩固拓展脱贫攻坚成果重点工作清单", "驻村帮扶工作责任清单"]
    # a single attachment whose title wraps
    doc = _doc("关于印发安全检查方案的通知", "各股室：", "现印发给你们。", "附件：2024年汛期安全",
               "检查工作方案", "某某县水利局", "2024年5月6日")
    assert read_header(doc).attachments == ["2024年汛期安全检查工作方案"]


def test_red_letter_mark_without_wenjian_names_the_issuer():
    doc = _doc("某某市生态环境局", "某环函〔2023〕9号", "关于报送2023年环境监测数据的函", "各区县分局：",
               "请于3月底前报送数据。", styles={0: {"align": "center", "color": "E60012", "bold": True}})
    h = read_header(doc)
    assert h.issuers == ["某某市生态环境局"]
    assert h.title == "关于报送2023年环境监测数据的函"  # the red mark is not part of the title
    assert h.doc_number == "某环函〔2023〕9号"


def test_sealed_notice_without_written_signature_takes_the_date_under_the_body():
    doc = _doc("关于开展2023年防灾减灾宣传周活动的通知", "各乡镇、街道：",
               "现将有关事项通知如下，请认真组织实施。", "2023年5月6日", "一、活动主题",
               "（一）时间安排")
    h = read_header(doc)
    assert h.issue_date == dt.date(2023, 5, 6)
    assert h.issuers == []  # no name is written: none is guessed
    # a plan heading (no 关于 title) with a date inside its body has no 成文日期
    plan = _doc("2023年防灾减灾工作要点", "一、总体要求。", "2023年5月6日", "二、重点任务")
    assert read_header(plan).issue_date is None


def test_the_title_repeated_with_its_doc_number_glued_is_no_recipient_line():
    h = read_header(_doc("鞍立政发〔2023〕2号", "立山区人民政府关于印发《重点工作任务分解方案》的通知",
                         "鞍立政发〔2023〕2号立山区人民政府关于印发重点工作任务分解方案的通知",
                         "立山经济开发区，各街道办事处，各区直部门：", "经区政府同意，现印发给你们。"))
    assert h.recipients == ["立山经济开发区", "各街道办事处", "各区直部门"]


def test_a_units_label_line_is_no_recipient_line_and_a_menu_item_no_title():
    h = read_header(_doc("• 政府信息公开", "县卫健委2021年政府工作报告任务分解",
                         "1.落实积极应对人口老龄化国家战略，加快发展服务业。", "牵头责任单位：县卫健委、县民政局",
                         "主要协作单位：各乡镇人民政府"))
    assert h.title == "县卫健委2021年政府工作报告任务分解"
    assert h.recipients == []


def test_a_numbered_plan_heading_is_the_title_without_its_label():
    h = read_header(_doc("一、10件民生实事任务分解表", "序号 | 具体工作任务和要求 | 责任单位 |"))
    assert h.title == "10件民生实事任务分解表"
    h = read_header(_doc("一、重点任务", "1.开展排查。"))
    assert h.title is None  # a section of the body names no plan


def test_a_bulleted_infobox_line_is_no_recipient_line():
    h = read_header(_doc("某县人民政府关于印发实施方案的通知", "• 中文名：某某工程", "各乡镇人民政府：",
                         "现印发给你们。"))
    assert h.recipients == ["各乡镇人民政府"]


def _header_of(text: str) -> Header:
    from policyparse.pipeline import parse_bytes

    return parse_bytes(text.encode("utf-8"), "page.txt").header


def test_a_metadata_table_flattened_to_pipes_gives_the_doc_number_and_the_recipients_below_it():
    """A web page's metadata table written as pipe rows (文号 | X | 索引号 | Y) above a copy
    that has no title line: its 文号 is the 发文字号, and the 主送 stands below it."""
    h = _header_of("文号 | 某政办〔2013〕11号 | 索引号 | 005452065/2013-00024 | 关键词 | |\n"
                   "主题分类 | 政府办文件 | 体裁分类 | 服务对象 |\n"
                   "各县（市、区）人民政府，市人民政府各部门：\n"
                   "现将重点工作任务分解如下：\n一、加快产业转型\n1.做好产销对接服务。\n牵头单位：市工业和信息化局\n")
    assert h.doc_number == "某政办〔2013〕11号"
    assert h.recipients == ["各县（市、区）人民政府", "市人民政府各部门"]  # 、 inside brackets joins


def test_the_title_repeated_over_several_lines_is_passed_over_on_the_way_to_the_recipients():
    h = _header_of("首页 > 通知公告\n某省人民政府关于印发2021年重点任务分工方案的通知\n时间 : 2021-05-14 来源 : 本网\n"
                   "【打印】\n某省人民政府关于印发2021年\n重点任务\n分工方案的通知\n某府〔2021〕22号\n"
                   "各地级以上市人民政府，省政府各部门：\n现将方案印发给你们。\n")
    assert h.recipients == ["各地级以上市人民政府", "省政府各部门"]


def test_site_furniture_and_led_sections_are_no_plan_heading():
    h = _header_of("导航菜单\n\n（湖北省）某市2023年目标任务责任分解方案\n\n1.推进学前教育发展。（牵头单位：市教育局）\n")
    assert h.title == "（湖北省）某市2023年目标任务责任分解方案"
    h = _header_of("四、某某副省长牵头重点工作\n1.优化企业发展环境，落实惠企政策。\n责任单位：省经信厅\n")
    assert h.title is None
    h = _header_of("某市民政局2023年10月份重点工作\n发布时间:2023-10-09 10:55\n（一）切实加强政治学习\n深入学习贯彻会议精神。\n")
    assert h.title == "某市民政局2023年10月份重点工作" and h.plan_year == 2023


def test_an_attachment_published_alone_is_headed_by_it_and_a_span_of_years_names_no_plan_year():
    h = _header_of("附件:某市创新计划(2011-2015年)目标任务分解表\n| 任务内容\n| 牵头部门\n|\n1\n| 拥有发明专利(件)\n| 市知识产权局\n|\n")
    assert h.title == "某市创新计划（2011-2015年）目标任务分解表"
    assert h.plan_year is None  # 2011-2015: several years, no one plan year (and no issue date)
    assert h.attachments == [h.title]


def test_a_body_sentence_ending_in_a_colon_is_no_recipient_line():
    h = _header_of("区政府各委、办、局，各街道办事处：\n现将《2023年区政府重点工作安排》印发给你们。\n某区人民政府\n"
                   "2023年2月27日\n2023年区政府重点工作安排\n根据市委、市政府决策部署，2023年区政府重点工作安排如下：\n"
                   "一、推动高质量发展\n1.推动经济稳定增长。\n")
    assert h.recipients == ["区政府各委、办、局", "各街道办事处"]


def test_a_heading_with_the_pages_metadata_glued_after_it():
    h = _header_of("当前位置: 首页 > 信息公开\n2017年某省文化厅重点任务分工方案 发布时间:2017-03-16   来源:   浏览次数:\n"
                   "根据会议精神，制定以下分工方案。\n一、推进党风廉政建设\n1.深入学习贯彻讲话精神。（责任部门：机关党委）\n")
    assert h.title == "2017年某省文化厅重点任务分工方案" and h.plan_year == 2017


def test_plan_headings_of_other_genres_and_the_block_name_over_a_shorter_heading():
    h = _header_of("怀远县医疗保障局2025年度政务公开重点工作清单及分工\n序号 | 工作任务 | 责任科室 |\n"
                   "1 | 深化民生领域信息公开。 | 办公室 |\n")
    assert h.title == "怀远县医疗保障局2025年度政务公开重点工作清单及分工" and h.plan_year == 2025
    h = _header_of("2022年度市县民生实事未完成项目进度表(截至10月31日)\n序号 | 项目内容 | 牵头单位 |\n"
                   "1 | 新建公办园5所。 | 县教育局 |\n")
    assert h.title == "2022年度市县民生实事未完成项目进度表（截至10月31日）"
    # the page's 名称 names the plan whose heading follows, issuer and all: the fuller form
    h = _header_of("名 称: 某省卫生健康委2021年政务公开工作重点任务台账\n发文日期: 2021年03月16日\n"
                   "2021 年政务公开工作重点任务台账 |\n序号 | 工作任务 | 责任处室 | 完成时限 |\n"
                   "1 | 做好疫情信息发布 | 应急处 | 长期推进 |\n")
    assert h.title == "某省卫生健康委2021年政务公开工作重点任务台账"


def test_an_attachment_list_names_no_plan_heading_and_a_sites_notes_no_recipients():
    h = _header_of("各乡镇人民政府，县直各有关单位：\n现将任务分解印发给你们。\n附件:1.2025年县政府工作报告任务清单\n"
                   "2.2025年十五件民盼实事任务分解\n某县人民政府办公室\n2025年5月18日\n附件1\n"
                   "2025年县政府工作报告任务清单\n一、县示范区管委会牵头工作\n1.建设工厂化循环水养殖基地。\n")
    assert h.title == "2025年县政府工作报告任务清单"
    h = _header_of("某市创建任务分解表\nUSHUI.NET®提示:根据《通知》规定,继续有效。\n导语:本文来源于网友上传。\n"
                   "一、加强组织领导\n1.成立领导机构。\n")
    assert h.recipients == []


def test_a_metadata_table_with_bracketed_keys_and_a_plans_task_table_heading():
    h = _header_of("[ 索引号 ] | 1150/2024-00059 | [ 发文字号 ] | |\n[ 发布机构 ] | 某区生态环境局 | [ 有效性 ] | 有效 |\n"
                   "[ 成文日期 ] | 2024-03-06 | [ 发布日期 ] | 2024-03-06 |\n某区2024年度生态环境抽查计划任务表\n"
                   "序号 | 发起部门 | 抽查事项名称 | 抽查比例 |\n1 | 污防科 | 水污染防治设施运行情况 | 25% |\n")
    assert h.issue_date is not None and h.issue_date.isoformat() == "2024-03-06"
    assert h.title == "某区2024年度生态环境抽查计划任务表" and h.plan_year == 2024


def test_a_closing_formula_and_an_attachment_note_below_the_body_are_no_heading():
    h = _header_of("各乡镇人民政府，区级各有关部门：\n现将全区2016年度目标任务下达你们，请确保按时完成。\n特此通知\n"
                   "附件：某区2016年度经济社会发展任务分解表\n某区人民政府\n2016年8月18日\n附件\n"
                   "某区2016年度经济社会发展目标任务分解表\n项 目 | 分值 | 目标任务 | 责任单位 |\n"
                   "地区生产总值增长率 | 3 | 年终综合考核 | 区发改局 |\n")
    assert h.title == "某区2016年度经济社会发展目标任务分解表"


def test_the_urgency_before_a_doc_number_is_no_part_of_it():
    """A 明电's 版头 sets 等级 加急 before the number on one line (GB/T 9704 §7.2.2)."""
    from policyparse.ingest.text import read_text

    doc = read_text("等级 加 急 平教体办明电〔 2020 〕10号\n平顶山市教育体育局\n关于下达教育重点规划建设任务的通知\n"
                    "各县（市、区）教体局：\n正文。\n2020年3月11日\n".encode("utf-8"), "x.txt", doc_id="x")
    assert read_header(doc).doc_number == "平教体办明电〔2020〕10号"
    assert rules().doc_number_line.match("特急 豫政明电〔2020〕3号").group("doc_number") == "豫政明电〔2020〕3号"


def test_a_numbered_section_after_the_bodys_first_items_is_no_plan_heading():
    from policyparse.ingest.text import read_text

    doc = read_text("为深入贯彻科学发展观，就推进人才集聚工程提出以下实施意见。\n一、总体目标\n"
                    "1.目标。5年内实施六大人才行动计划。\n二、实施六大人才行动计划\n"
                    "（一）产业提升人才行动计划。实施如下重点项目。\n".encode("utf-8"), "x.txt", doc_id="x")
    assert read_header(doc).title is None


def test_the_attachment_list_of_a_plan_below_its_notices_signature():
    """A 印发 notice signs above the plan it carries; the plan's 附件说明 closes the plan."""
    from policyparse.ingest.text import read_text

    doc = read_text("上海市宝山区人民政府办公室关于印发垃圾分类实施方案的通知\n\n各镇人民政府，各街道办事处：\n\n"
                    "《实施方案》已经区政府同意，现印发给你们，请认真按照执行。\n\n上海市宝山区人民政府办公室\n\n"
                    "2019年5月5日\n\n关于推进全程分类体系建设的实施方案\n\n一、工作目标\n\n分类全覆盖。\n\n"
                    "附件：1.2019年成员单位工作任务清单\n\n2.2019年街镇（园区）目标任务分解表\n\n"
                    "3.2019年减量推进工作指标\n".encode("utf-8"), "x.txt", doc_id="x")
    assert read_header(doc).attachments == ["2019年成员单位工作任务清单", "2019年街镇（园区）目标任务分解表",
                                            "2019年减量推进工作指标"]


def test_a_title_line_in_book_title_marks_is_the_title():
    from policyparse.ingest.text import read_text

    doc = read_text("《成都市人民政府办公厅关于印发2019年〈政府工作报告〉确定的主要目标任务责任分解方案的通知》\n"
                    "成办发〔2019〕5号\n各区(市)县政府,市政府各部门:\n经市政府研究同意,现将方案印发你们。\n"
                    "成都市人民政府办公厅\n2019年2月19日\n".encode("utf-8"), "x.txt", doc_id="x")
    h = read_header(doc)
    assert h.title == "成都市人民政府办公厅关于印发2019年〈政府工作报告〉确定的主要目标任务责任分解方案的通知"
    assert doc.text[h.spans["title"][0]:h.spans["title"][1]] == h.title


def test_a_forwarding_notice_without_guanyu_and_seven_joint_issuers():
    from policyparse.ingest.text import read_text

    doc = read_text("上海市崇明区人民政府办公室转发区消防安全委员会制定的《上海市崇明区高层建筑消防安全综合治理工作方案》的通知\n\n"
                    "各乡、镇人民政府，区政府各委、办、局：\n\n区消防安全委员会制定的工作方案已经区政府同意，现转发给你们，请认真按照执行。\n\n"
                    "2017年9月6日\n\n".encode("utf-8"), "x.txt", doc_id="x")
    h = read_header(doc)
    assert h.title.startswith("上海市崇明区人民政府办公室转发") and h.issuers == ["上海市崇明区人民政府办公室"]
    assert h.issue_date == dt.date(2017, 9, 6)
    bureaus = ["上海市奉贤区发展和改革委员会", "上海市奉贤区经济委员会", "上海市奉贤区科学技术委员会", "上海市奉贤区财政局",
               "上海市奉贤区人力资源和社会保障局", "上海市奉贤区建设和管理委员会", "上海市奉贤区住房保障和房屋管理局"]
    doc = read_text(("奉贤区促进产教融合高质量发展实施方案\n\n各镇人民政府，街道办事处：\n\n现印发给你们，请认真贯彻执行。\n\n特此通知。\n\n"
                     + "\n\n".join(bureaus) + "\n\n2024年2月2日\n\n附件：\n\n1.1   2025年工作任务清单\n").encode("utf-8"),
                    "y.txt", doc_id="y")
    h = read_header(doc)
    assert sorted(h.issuers) == sorted(bureaus)
    assert h.attachments == ["2025年工作任务清单"]


def test_a_supervision_office_signs_and_heads_its_notice():
    """督查室 (a government's supervision office) issues 督查通知: its name is an issuer's, and
    a 附件说明 above it does not swallow it."""
    from policyparse.ingest.text import read_text

    doc = read_text("铁西区人民政府督查室\n\n关于对城区环境卫生综合整治工作检查情况的\n\n整改通知\n\n"
                    "仁兴街道办事处、区住建局：\n\n请于5月20日前将问题整改完成。\n\n附件：存在问题\n\n"
                    "四平市铁西区人民政府督查室\n\n2019年5月15日\n".encode("utf-8"), "x.txt", doc_id="x")
    h = read_header(doc)
    assert h.title == "铁西区人民政府督查室关于对城区环境卫生综合整治工作检查情况的整改通知"
    assert h.issuers == ["四平市铁西区人民政府督查室"] and h.attachments == ["存在问题"]


def test_a_sites_greeting_line_is_no_recipient_line():
    from policyparse.ingest.text import read_text

    doc = read_text("今天是：\n\n加入收藏 | 繁體中文\n\n省政府印发2020年政府工作报告重点工作责任分解通知\n\n"
                    "一、袁家军省长主抓重点工作\n".encode("utf-8"), "x.txt", doc_id="x")
    assert read_header(doc).recipients == []


def test_the_recipients_after_a_pages_metadata_table_and_a_damaged_doc_number():
    from policyparse.pipeline import parse_bytes

    # the title only in a metadata table (a Markdown copy of the page's infobox): the 主送 follows it
    doc = parse_bytes("标题: | 博山区教体局2021年抽查计划 | ||\n---|---|---|---|\n索引号: | /2021-5168325 | 文号: | |\n"
                      "发文日期: | 2021-03-08 | 发布机构: | 博山区教育和体育局 |\n全区各学校,校外培训机构,机关各科室、中心:\n"
                      "为全面推动监管全覆盖,现制定抽查工作计划:\n一、抽查时间安排\n2021年抽查计划在12月份前完成。\n"
                      .encode("utf-8"), "meta.txt")
    assert doc.header.recipients == ["全区各学校", "校外培训机构", "机关各科室、中心"]
    # a 发文字号 that lost its 〕 and 号 in the copy stands between the title and the 主送
    doc = parse_bytes("关于印发《省民政厅2020年政务公开工作要点》的通知\n辽民办函〔2020〕111号\n 辽民函〔2020111 \n"
                      "机关各处室,省民政事务服务中心: \n现将《省民政厅2020年政务公开工作要点》印发给你们,请认真贯彻落实。\n"
                      .encode("utf-8"), "damaged.txt")
    assert doc.header.recipients == ["机关各处室", "省民政事务服务中心"]


def test_a_pages_title_with_its_sites_name_after_a_dash():
    from policyparse.pipeline import parse_bytes

    doc = parse_bytes("六安市人民政府关于2021年重点工作及责任分解的通知-欧洲杯网络平台\n字号:\n"
                      "各县区人民政府,市开发区管委,市政府各部门、各直属机构:\n一、确保完成全年主要预期目标\n"
                      "1.地区生产总值增长8.5%以上。\n".encode("utf-8"), "site.txt")
    assert doc.header.title == "六安市人民政府关于2021年重点工作及责任分解的通知"
    assert doc.header.issuers == ["六安市人民政府"]


def test_a_metadata_block_one_key_or_value_a_line_with_its_editors_and_a_bare_doc_number():
    from policyparse.pipeline import parse_bytes

    doc = parse_bytes("索引号\n691794937/2023-39628\n发布机构\n随县农业农村局\n发文字号\n〔2023〕20号\n效力状态\n有效\n"
                      "编辑\n审核\n随县政府网编辑部\n关于印发全县农业系统2023年度双随机抽查工作计划的通知\n\n"
                      "局机关各股室,局属相关二级单位:\n为做好监管工作,现下达抽查工作计划。\n一、抽查时限\n"
                      "本年度抽查计划须于11月中旬前完成。\n".encode("utf-8"), "meta_lines.txt")
    h = doc.header
    assert h.title == "关于印发全县农业系统2023年度双随机抽查工作计划的通知"  # the 审核 value is no issuer line
    assert h.issuers == ["随县农业农村局"] and h.doc_number == "〔2023〕20号"


def test_a_copy_sites_menu_upload_line_and_source_are_no_tasks_recipients_or_issuers():
    from policyparse.pipeline import parse_bytes

    doc = parse_bytes("• 休闲生活\n  • 教育教学\n  • 经济贸易\n  • 当前位置: 达达文档网 > 达达文库 > 正文\n"
                      "我县落实市县长环保目标责任分解细则\n时间:2021-10-31 17:29:06 来源:达达文档网 本文已影响 达达文档网手机站\n"
                      "上传人:shaoy****1971 文档编号:108179335\n根据目标责任状的要求，结合我县实际，制定如下细则：\n"
                      "一、完善生态功能保护区划界立标工作，6月末前完成。\n二、加强饮用水源地保护，开展水质监测。\n"
                      .encode("utf-8"), "copy_site.txt")
    assert doc.header.issuers == [] and doc.header.recipients == []
    assert [t.path for t in doc.tasks] == [["一"], ["二"]]  # the menu's bullets are no items


def test_a_pages_name_value_that_opens_with_the_document_number():
    # 名称 as a county site fills it: the 发文字号, then the title
    h = _header_of("[ 发布机构 ] | 靖边县人民政府办公室 | [ 发文日期 ] | 2025-02-28 |\n"
                   "[ 文 号 ] | 靖政发〔2025〕17号 |\n"
                   "[ 名 称 ] | 靖政发〔2025〕17号 靖边县人民政府 关于建立重点工作调度机制的通知 |\n"
                   "各镇人民政府,县政府各工作部门:\n一、将重点工作纳入月调度机制,由县长主持。\n")
    assert h.title == "靖边县人民政府关于建立重点工作调度机制的通知"
    assert h.doc_number == "靖政发〔2025〕17号"


def test_a_title_line_that_a_web_copy_closes_with_the_document_number():
    h = _header_of("合集下载\n国家税务总局政策法规司关于印发《税收执法检查工作考核标准》的通知-国税法函[1998]26号\n"
                   "各省、自治区、直辖市和计划单列市国家税务局、地方税务局:\n"
                   "为了做好税收执法检查的总结评比工作,特制定《税收执法检查工作考核标准》。现印发给你们,请贯彻执行。\n")
    assert h.title == "国家税务总局政策法规司关于印发《税收执法检查工作考核标准》的通知"
    assert h.doc_number == "国税法函〔1998〕26号"
    assert h.issuers == ["国家税务总局政策法规司"]  # a ministry's department (司) issues in its own name


def test_a_departments_plan_for_the_year_its_division_as_issuer_and_a_table_row_is_no_recipient():
    # the shapes of set AJ's notices: a 工作思路 headed by the city's short name (2023年晋城民政
    # 工作思路), a metadata table naming a bureau's 处 as 发布机构, and a scoring table whose row
    # holds a colon (统战重点工作任务 (55分) | 第一季度：…)
    h = _header_of("2023年某城民政工作思路\n2023年是全面贯彻落实的开局之年。\n1.强化社会救助水平\n(1)科学提高救助标准。\n")
    assert h.title == "2023年某城民政工作思路" and h.plan_year == 2023
    h = _header_of("2022年某市交通运输工作要点\n索 引 号 | 01089065X/2022-14603 | 发布日期 | 2022-04-17 |\n"
                   "---|---|---|---|\n发布机构 | 市交通运输局规划处 | 公开范围 | 面向社会 |\n"
                   "一、推进交通强国建设\n1.谋划推进全市一盘棋的工作机制。\n")
    assert h.issuers == ["市交通运输局规划处"]
    h = _header_of("某部门2020年度目标责任书\n工作任务 | 目标及质量要求 |\n"
                   "统战重点工作任务 (55分) | 第一季度：开展宗教活动场所安全检查1次。 |\n")
    assert h.recipients == []


def test_a_recipients_list_of_every_provincial_division_is_one_entry():
    h = _header_of("水利部办公厅关于印发2022年水文工作要点的通知\n办水文〔2022〕77号\n"
                   "各省、自治区、直辖市水利（水务）厅（局），新疆生产建设兵团水利局，部机关有关司局，部直属有关单位：\n"
                   "现将《2022年水文工作要点》印发给你们，请结合实际认真贯彻落实。\n")
    assert h.recipients == ["各省、自治区、直辖市水利（水务）厅（局）", "新疆生产建设兵团水利局", "部机关有关司局",
                            "部直属有关单位"]


def test_zones_sharing_their_organ_and_a_metadata_line_without_separators():
    # 许政〔2020〕20号 (a repost): three zones before the 管委会 they share are one 主送 entry
    h = _header_of("某市人民政府关于分解2020年重点工作任务的通知\n某政〔2020〕20号\n"
                   "各县（市、区）人民政府，市城乡一体化示范区、经济技术开发区、东城区管委会，市人民政府各部门：\n"
                   "现将《政府工作报告》提出的2020年重点工作任务予以分解。\n")
    assert h.recipients == ["各县（市、区）人民政府", "市城乡一体化示范区、经济技术开发区、东城区管委会", "市人民政府各部门"]
    # a city's page whose metadata keys and values run together (發文機構武漢市…發文字號武政辦〔2020〕1號)
    # and whose title names the issuer without its place: the block's full name and number
    h = _header_of("索引号 000014348/2020-00052 主题分类 综合政务\n发文机构武汉市人民政府办公厅发文字号武政办〔2020〕1号\n"
                   "成文日期2020年01月17日\n市人民政府办公厅关于印发2020年主要目标任务责任分解方案的通知\n"
                   "各区人民政府，市人民政府各部门：\n现将方案印发给你们。\n")
    assert h.issuers == ["武汉市人民政府办公厅"] and h.doc_number == "武政办〔2020〕1号"


def test_a_run_on_copy_with_the_doc_number_in_brackets_after_the_title():
    # 鄂州政办发〔2010〕10号 as a site stored it: title, (发文字号), 主送 and body on one line
    h = _header_of("鄂州市人民政府办公室关于印发工作目标分解落实意见的通知 (鄂州政办发〔2010〕10号) 各区人民政府、"
                   "开发区管委会,各街道办事处,市政府各部门: 市六届人大四次会议审议通过的《政府工作报告》,确定了指导思想。"
                   "现就有关事项通知如下: 一、2010年是收官年,要加强领导。 二、各单位要抓紧制定方案。")
    assert h.doc_number == "鄂州政办发〔2010〕10号"
    assert h.recipients == ["各区人民政府", "开发区管委会", "各街道办事处", "市政府各部门"]


def test_a_breadcrumb_a_keyed_doc_number_and_a_body_label_above_the_recipients():
    h = _header_of("政府信息公开 > 政策文件 > 其他文件 >\n索引号 002969042/2024-116185\n"
                   "某市某区人民政府办公室关于印发2024年政府工作报告目标任务责任分解的通知\n"
                   "发布时间:2024-02-02 17:48 信息来源: 区政府办\n\n文件编号 某政办发〔2024〕2号\n正文内容\n\n"
                   "各镇政府、街道办事处,区政府各部门、直属单位:\n\n《目标任务分解清单》已经区政府同意，现予印发。\n")
    assert h.doc_number == "某政办发〔2024〕2号"
    assert h.recipients == ["各镇政府", "街道办事处", "区政府各部门", "直属单位"]
    h = _header_of("首页\n>> 政务公开 >> 重点实事\n2024年某区政府民生实事项目\n发布时间: 2024-03-29 12:33\n"
                   "序号\n事项名称\n牵头单位\n1\n新建学校\n区教体局\n")
    assert h.title == "2024年某区政府民生实事项目"


def test_metadata_keys_spaced_to_their_column_and_key_value_cells_of_a_pipe_table():
    # 洪政办〔2025〕1号 as stored: keys spaced to the column's width; the 标题 line is metadata,
    # the title is the line below it
    h = _header_of("文      号 洪政办〔2025〕1号 信息分类: 综合政务\n发布机构 洪山区人民政府办公室 有 效 性 有效\n"
                   "标     题 区人民政府办公室关于印发2025年目标任务责任分解方案的通知\n\n"
                   "区人民政府办公室关于印发2025年目标任务责任分解方案的通知\n\n"
                   "各街道办事处、乡人民政府，区人民政府各部门：\n方案已经区人民政府同意，现印发给你们。\n")
    assert h.title == "区人民政府办公室关于印发2025年目标任务责任分解方案的通知"
    assert h.doc_number == "洪政办〔2025〕1号" and h.issuers == ["洪山区人民政府办公室"]
    # 玉政办电〔2019〕11号: a Markdown table whose cells hold key and value, site buttons, then
    # a 主送 whose words would name a column (承办单位) but which lists the bodies addressed
    h = _header_of("| 索 引 号:123456/2019-00448 | 效力状态: |\n| 发文单位:玉林市人民政府办公室 | 成文日期:2019年03月08日 |\n"
                   "| 标 题: 玉林市人民政府办公室关于办理代表建议的通知 | |\n| 发文字号:玉政办电〔2019〕11号 | 发布日期:2019年03月08日 |\n"
                   "我要收藏\n文章分享\n各承办(主办、协办)单位:\n市政府办公室共收到代表建议93件。\n")
    assert h.doc_number == "玉政办电〔2019〕11号" and h.issuers == ["玉林市人民政府办公室"]
    assert h.issue_date.isoformat() == "2019-03-08"
    assert h.recipients == ["各承办（主办、协办）单位"]


def test_a_copy_that_opens_with_its_recipients():
    h = _header_of("各系院，各处室：\n现就学校领导小组梳理调整工作有关情况通知如下：\n一、工作范围\n本次梳理调整工作的范围是各类领导小组。\n")
    assert h.recipients == ["各系院", "各处室"]
    # a label of the body opening a copy is no 主送
    h = _header_of("整改要求：\n1.立即清理乱堆乱放。\n2.修复破损路面。\n")
    assert h.recipients == []


def test_an_issuer_that_issues_about_and_a_keyed_number_with_square_brackets():
    # 吉粮办发〔2022〕7号: 省粮食和物资储备局印发关于…的通知, its 主送 a scope widened by brackets
    h = _header_of("省粮食和物资储备局印发关于解决“地趴粮”问题推进方案(2022年度)的通知\n吉粮办发〔2022〕7号\n"
                   "各市(州)、县(市、区)粮食和物资储备局:\n为认真落实有关要求，现印发给你们。\n")
    assert h.title == "省粮食和物资储备局印发关于解决“地趴粮”问题推进方案（2022年度）的通知"
    assert h.recipients == ["各市（州）、县（市、区）粮食和物资储备局"]
    # 锡政发[2011]21号 under the key 发布文号 (the brackets read as 〔〕)
    h = _header_of("发布文号: 锡政发[2011]21号\n各市(县)和各区人民政府,市各委、办、局,市各直属单位:\n"
                   "市十四届人大四次会议批准了市政府工作报告。\n")
    assert h.doc_number == "锡政发〔2011〕21号"
    assert h.recipients == ["各市（县）和各区人民政府", "市各委、办、局", "市各直属单位"]


def test_a_breadcrumb_with_separators_inside_is_no_heading():
    h = _header_of("政务公开 > 平昌县农业农村局 > 规划计划\n\n平昌县农业农村局2020年工作计划\n\n2019-12-25 16:39\n"
                   "一、加快乡村振兴\n（一）发挥农业农村部门牵头作用。\n")
    assert h.title == "平昌县农业农村局2020年工作计划" and h.plan_year == 2020


def test_a_markdown_bullet_before_the_title():
    h = _header_of("- 关于建立“主题党日”制度的通知\n- 发布日期: 2016-06-13 阅读次数:次 【关闭窗口】\n各党支部:\n"
                   "为扎实推进学习教育，决定建立“主题党日”制度。\n一、时间安排\n每月的第二个星期五为主题党日。\n")
    assert h.title == "关于建立“主题党日”制度的通知" and h.recipients == ["各党支部"]
