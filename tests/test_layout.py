"""Text-layout recovery (ingest/layout.py): run-on lines and tables flattened to text.

The fixtures are written for these tests in the shapes crawled notices arrive in (the
real notices of those shapes are the blind set under tests/data/notices/d*, scored in
test_unseen_notices.py).
"""
from __future__ import annotations

from policyparse.ingest import read_bytes
from policyparse.ingest.layout import assign_grid, fit_cells, header_roles, recover_blocks
from policyparse.pipeline import parse_bytes


def paragraphs(text: str) -> list[str]:
    return [p for k, p in recover_blocks(text) if k == "paragraph"]


def tables(text: str) -> list[list]:
    return [p for k, p in recover_blocks(text) if k == "table"]


RUN_ON = ("某县教育局关于印发《2024年教育工作要点》的通知各乡镇中心学校，县直各学校：现将《2024年教育工作要点》"
          "印发给你们，请认真贯彻落实。某县教育局2024年3月5日2024年教育工作要点为办好人民满意的教育，制定本要点。"
          "一、总体要求坚持立德树人，全面提高教育质量。二、重点任务（一）加强学校管理1.完善校园安全制度。"
          "每月至少开展1次安全检查，合格率达到1.5%以上的增幅。（责任单位：县教育局安全股）"
          "2.推进课后服务。覆盖率达到100%，一、二级学校全部参加。（二）提升教师素质3.开展教师培训。"
          "按照〔2023〕1号文件要求，组织第一批教师参加培训，全年不少于2次。")


def test_run_on_line_splits_at_header_parts_and_label_sequences():
    paras = paragraphs(RUN_ON)
    assert paras[0] == "某县教育局关于印发《2024年教育工作要点》的通知"
    assert paras[1] == "各乡镇中心学校，县直各学校："
    assert "某县教育局" in paras and "2024年3月5日" in paras
    starts = [p[:4] for p in paras]
    for label in ("一、总体", "二、重点", "（一）加", "1.完善", "2.推进", "（二）提", "3.开展"):
        assert label in starts, (label, starts)


def test_run_on_guards_things_that_only_look_like_labels():
    joined = "\n".join(paragraphs(RUN_ON))
    # 1.5%, 一、二级, 〔2023〕1号 and 第一批 stay inside their sentences
    assert "合格率达到1.5%以上的增幅" in joined
    assert "一、二级学校全部参加" in joined
    assert "按照〔2023〕1号文件要求，组织第一批教师" in joined


def test_run_on_notice_yields_its_tasks_and_fields():
    doc = parse_bytes(RUN_ON.encode("utf-8"), "runon.txt")
    h = doc.header
    assert h.title == "某县教育局关于印发《2024年教育工作要点》的通知"
    assert h.recipients == ["各乡镇中心学校", "县直各学校"]
    assert str(h.issue_date) == "2024-03-05"
    names = [doc.text[t.start:t.end] for t in doc.tasks]
    assert len(names) == 3 and names[0].startswith("1.完善校园安全制度"), names
    assert [f.period for f in doc.tasks[0].frequencies] == ["month"]
    assert doc.structure == "outline"


def test_short_lines_keep_their_layout():
    text = "一、加强领导。（1）落实责任；（2）强化考核。"
    assert paragraphs(text) == [text]
    # labels of another style than the line's first, or with no sentence before them, stay
    text = "1.按照（一）（二）项要求执行。"
    assert paragraphs(text) == [text]


def test_a_short_line_of_two_glued_items_splits_where_its_count_goes_on():
    """A crawled copy glues the next item to a unit note (…。（省发改委负责）（二）…) on a
    line too short to be taken for run-on text: the count going on in the line's own style
    after a sentence splits it."""
    first = "（一）地区生产总值增长11%左右。（省发改委负责）"
    second = "（二）公共财政收入增长13%左右。（省财政厅主办，省国税局协办）"
    assert paragraphs(first + second) == [first, second]
    assert paragraphs("1.抓好重点项目。（市发改委主办）2.抓好园区建设") == ["1.抓好重点项目。（市发改委主办）", "2.抓好园区建设"]
    # ⑴ ⑵ (one character each, as Word numbers) count on the same way
    assert paragraphs("⑴巩固率达到97%。责任单位：省教育厅。⑵保有量保持在6120万亩。") == [
        "⑴巩固率达到97%。责任单位：省教育厅。", "⑵保有量保持在6120万亩。"]
    # a count that does not go on (1. then 3.) is no split
    assert len(paragraphs("1.完成3项。3.完成4项。")) == 1


PIPES = """| 索引号 | 001 | 发布机构 | 某市卫健委 |
2024年重点任务台账 |
序号 | 工作任务 | 责任处室 | 完成时限 | 备注 |
1 | 做好疫情信息发布工作 | 应急处 | 长期推进 |
|
2 | 推进预算信息公开工作 | 财务处、办公室 | 2024年8月前 | 无 |
|
| 二、专项工作 |  |  |  |  |
3 | 修订主动公开目录
并指导下级单位 | 办公室 | 年底 |
"""


def test_pipe_table_rows_columns_and_continuations():
    found = tables(PIPES)
    assert len(found) == 2  # the metadata pairs above the header are a table of their own
    meta, task = found
    assert meta[0][:2] == ["索引号", "001"]
    assert task[0] == ["序号", "工作任务", "责任处室", "完成时限", "备注"]
    assert task[1][:4] == ["1", "做好疫情信息发布工作", "应急处", "长期推进"]
    assert task[2] == ["2", "推进预算信息公开工作", "财务处、办公室", "2024年8月前", "无"]
    assert task[3] == [("二、专项工作", 1, 5)]
    assert task[4][1] == "修订主动公开目录\n并指导下级单位" and task[4][3] == "年底"


def test_pipe_row_that_lost_a_merged_cell_fits_its_columns():
    text = ("序号 | 工作任务 | 细化措施 | 责任处室 | 完成时限 |\n"
            "1 | 做好信息发布 | 围绕重点领域发布权威信息，回应社会关切 | 应急处 | 长期推进 |\n|\n"
            "2 | 做好疫苗接种信息公开工作 | 疾控处 | 2024年6月底 |\n|\n")
    row = tables(text)[0][2]
    assert row[3] == "疾控处" and row[4] == "2024年6月底" and row[2] == ""


CELLS = "\n\n".join(["序号", "工作任务", "牵头单位", "配合单位", "完成时限",
                     "1", "开展隐患排查", "区应急局", "各街道", "6月底前",
                     "一、监管执法", "2", "严格执法检查", "区执法大队", "", "全年",
                     "4", "强化宣传培训", "区宣传部", "区教育局", "年底"]) + "\n\n其后是正文。\n"


def test_one_cell_per_line_with_empty_cells_section_rows_and_a_skipped_number():
    rows = tables(CELLS)[0]
    assert rows[0] == ["序号", "工作任务", "牵头单位", "配合单位", "完成时限"]
    assert rows[1] == ["1", "开展隐患排查", "区应急局", "各街道", "6月底前"]
    assert rows[2] == [("一、监管执法", 1, 5)]
    assert rows[3] == ["2", "严格执法检查", "区执法大队", "", "全年"]
    assert rows[4][0] == "4"  # 序号 3 left out in drafting: the row is still read
    assert paragraphs(CELLS) == ["其后是正文。"]


def test_a_cells_table_ends_where_the_body_goes_on_with_its_count():
    # 二、改革目标 announces a table written one cell a line; 三、改革任务 after it is the body's
    # next section, not a section row of the table (杨浦区排水管理体制改革实施方案, 2025)
    text = ("一、基本情况\n本区公共排水设施由区水务中心管理。\n二、改革目标\n达到如下目标：\n"
            "指标名称\n目标\n指标类型\n管道养护抽查合格率\n95%以上\n定量\n防汛抢险处置效率\n30分钟内抵达\n定性\n"
            "三、改革任务\n1.区级方案编制。区水务局牵头完成方案编制。\n")
    assert len(tables(text)) == 1 and len(tables(text)[0]) == 3  # the header and two rows
    assert paragraphs(text)[-2:] == ["三、改革任务", "1.区级方案编制。区水务局牵头完成方案编制。"]
    # a table whose own section rows count on past the body's number keeps them as rows
    own = ("一、总体要求\n二、重点任务\n序号\n工作任务\n责任单位\n一、监管执法\n1\n严格执法检查\n区执法大队\n"
           "二、隐患排查\n2\n开展隐患排查\n区应急局\n三、宣传培训\n3\n开展宣传教育\n区宣传部\n")
    assert [r for r in tables(own)[0] if isinstance(r[0], tuple)] == [
        [("一、监管执法", 1, 3)], [("二、隐患排查", 1, 3)], [("三、宣传培训", 1, 3)]]


LINES = """序号
类别
工作任务
完成时限
责任领导
责任股室
(单位)
1
公共文化
免费开放服务人次较上年增长15%。
12月底前
张三
文化股
文化馆
2
全年组织惠民演出不少于100场。
3
群众体育
举办全民健身活动10场次。
王 五
体育股
"""


def test_one_cell_per_line_without_blank_lines_and_merged_cells_left_out():
    rows = tables(LINES)[0]
    assert rows[0][5] == "责任股室(单位)"
    assert rows[1] == ["1", "公共文化", "免费开放服务人次较上年增长15%。", "12月底前", "张三", "文化股\n文化馆"]
    assert rows[2][2] == "全年组织惠民演出不少于100场。" and rows[2][1] == "" and rows[2][5] == ""
    assert rows[3][1] == "群众体育" and rows[3][4] == "王 五" and rows[3][5] == "体育股"


SPACES = """序号 重点工作任务 主要责任单位 协同配合单位
一、主要预期目标
1 地区生产总值增长6.5%左右。 区发改委 区政府各部门,各乡镇人民政府
2 一般公共预算收入增长5%左右。 区财政局
区税务局
3 固定资产投资增长7.5%左右。 区发改委 区工信局、区住建局
这是表后的正文，比较长，它不以序号开头，也不是一个单元格，所以表格在它之前结束，正文照常成段。这是表后的正文，比较长，它不以序号开头，也不是一个单元格，所以表格在它之前结束。这是表后的正文，比较长，它不以序号开头。
"""


def test_rows_on_lines_with_cells_separated_by_spaces_and_wrapped():
    rows = tables(SPACES)[0]
    assert rows[1] == [("一、主要预期目标", 1, 4)]
    assert rows[2] == ["1", "地区生产总值增长6.5%左右。", "区发改委", "区政府各部门,各乡镇人民政府"]
    assert rows[3][2] == "区财政局\n区税务局"
    assert rows[4][3] == "区工信局、区住建局"
    assert len(paragraphs(SPACES)) == 1


def test_table_glued_into_a_run_on_line():
    text = ("附件：任务分解表某县政府办公室2024年3月序号 工作任务 牵头单位 完成时限 1 开展河道清理 县水利局 6月底前 "
            "2 推进污水处理 县住建局、县环保局 年底 3 加强巡河管理，落实河长制度 各乡镇 全年正文继续写下去。") * 1
    text = text + "这是为了让这一行足够长。" * 20
    found = recover_blocks(text)
    rows = [p for k, p in found if k == "table"][0]
    assert rows[0] == ["序号", "工作任务", "牵头单位", "完成时限"]
    assert rows[1] == ["1", "开展河道清理", "县水利局", "6月底前"]
    assert rows[2] == ["2", "推进污水处理", "县住建局、县环保局", "年底"]
    assert rows[3][:3] == ["3", "加强巡河管理，落实河长制度", "各乡镇"]


def test_header_roles_need_column_words_and_a_task_column():
    assert header_roles(["序号", "工作任务", "牵头单位"]) == ["seq", "task", "lead"]
    assert header_roles(["序号", "牵头单位", "完成时限"]) is None  # no task column
    assert header_roles(["附件：任务分解表", "序号", "任务"]) is None  # a labelled line is no header cell
    assert header_roles(["序号", "工作任务", "某某列", "责任单位"]) == ["seq", "task", "unknown", "lead"]


def test_cells_fit_columns_by_role():
    roles = ["seq", "task", "lead", "deadline"]
    assert fit_cells(["1", "开展", "排查", "县应急局", "年底前"], roles) == ["1", "开展 排查", "县应急局", "年底前"]
    grid = assign_grid([("1", True), ("开展隐患排查", True), ("年底前", True), ("2", True),
                        ("推进执法检查工作", True), ("县执法大队", True)], roles)
    assert grid == [["1", "开展隐患排查", "", "年底前"], ["2", "推进执法检查工作", "县执法大队", ""]]


def test_flattened_table_is_marked_and_gives_table_tasks():
    doc = parse_bytes(CELLS.encode("utf-8"), "cells.txt")
    assert doc.structure == "flattened_table"
    assert [t.source for t in doc.tasks] == ["table"] * 3
    assert {u.unit for u in doc.tasks[0].units} == {"区应急局", "各街道"}


def test_plan_like_document_without_tasks_is_flagged():
    text = "牵头单位：县教育局\n责任单位：县财政局\n完成时限：年底\n请各单位认真落实。\n"
    doc = parse_bytes(text.encode("utf-8"), "plan.txt")
    assert doc.tasks == [] and doc.structure == "none"
    assert any(w.startswith("W301") for w in doc.warnings)
    letter = "各位同事：\n本周五下午召开全体会议，请准时参加。\n"
    doc = parse_bytes(letter.encode("utf-8"), "letter.txt")
    assert doc.tasks == [] and not any(w.startswith("W301") for w in doc.warnings)


def test_recovered_blocks_keep_offsets_honest():
    doc = read_bytes(RUN_ON.encode("utf-8"), "runon.txt")
    for b in doc.blocks:
        assert b.start <= b.end <= len(doc.text)
    assert "".join(doc.text.split()) == "".join(RUN_ON.split())


def _page(paragraphs: list[str]) -> bytes:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (f"<html><head><meta charset='utf-8'><title>通知</title></head><body>"
            f"<div class='article'>{body}</div></body></html>").encode("utf-8")


def test_web_page_with_a_table_written_one_cell_per_paragraph():
    cells = ["序号", "工作任务", "牵头单位", "完成时限", "1", "开展河道清理", "县水利局", "6月底前",
             "2", "推进污水处理", "县住建局", "年底"]
    doc = parse_bytes(_page(["某县水利局关于印发河长制工作任务的通知", "各乡镇："] + cells), "cells.html")
    assert doc.structure == "flattened_table"
    assert [(t.title, [u.unit for u in t.units]) for t in doc.tasks] == [
        ("开展河道清理", ["县水利局"]), ("推进污水处理", ["县住建局"])]


def test_web_page_with_the_whole_notice_in_one_paragraph():
    doc = parse_bytes(_page([RUN_ON]), "runon.html")
    assert len(doc.tasks) == 3 and doc.header.recipients == ["各乡镇中心学校", "县直各学校"]


def test_cells_that_each_end_with_a_pipe():
    text = "2021年赛事活动计划 |\n|||\n序号 |\n赛事名称 |\n时间 |\n备注 |\n1 |\n元旦长跑比赛 |\n1月 |\n|\n2 |\n职工乒乓球比赛 |\n5月 |\n|\n"
    blocks = recover_blocks(text)
    assert blocks[0] == ("paragraph", "2021年赛事活动计划")
    rows = [p for k, p in blocks if k == "table"][-1]
    assert rows[0] == ["序号", "赛事名称", "时间", "备注"]
    assert rows[1][:3] == ["1", "元旦长跑比赛", "1月"] and rows[2][:3] == ["2", "职工乒乓球比赛", "5月"]


def test_header_cells_broken_by_spaces_are_joined_by_their_names():
    from policyparse.ingest.layout import segment_header

    tokens = "序号 重点工作任务 牵头  领导 牵头   责任单位 配合   责任单位 工作评价".split()
    assert segment_header(tokens) == ["序号", "重点工作任务", "牵头 领导", "牵头 责任单位", "配合 责任单位", "工作评价"]
    assert segment_header("序号 工作任务 牵头单位 完成时限".split()) == ["序号", "工作任务", "牵头单位", "完成时限"]


def test_an_excerpt_of_a_numbered_list_opens_anywhere_and_skips_numbers():
    text = ("序号 重点工作任务 牵头单位 配合单位\n81 落实疫情防控优化措施。 县卫健委 各乡镇\n"
            "85 新增托育机构2所以上。 县卫健委 有关乡镇\n87 创建全国中医药示范县。 县卫健委 县直有关单位\n")
    rows = tables(text)[0]
    assert [r[0] for r in rows[1:]] == ["81", "85", "87"]
    assert rows[2] == ["85", "新增托育机构2所以上。", "县卫健委", "有关乡镇"]


def test_a_hostile_row_of_thousands_of_pieces_is_grouped_not_weighed_one_by_one():
    """fit_cells weighs at most MAX_FIT_PIECES pieces (without the grouping this row took 84 s)."""
    from policyparse.ingest.layout import MAX_FIT_PIECES

    row = ["1"] + ["县应急局"] * 2000
    cells = fit_cells(row, ["seq", "task", "lead", "deadline"])
    assert len(cells) == 4 and cells[0] == "1"
    assert sum(len(c.split()) for c in cells) == len(row) > MAX_FIT_PIECES


# --- shapes met in the fourth blind set (g): fixtures written for the tests


def test_table_written_record_by_record_as_name_value_lines():
    text = ("欢迎访问本站\n"
            "具体措施: | 提高困难群体救助保障标准10%。 |\n"
            "责任单位: | 市民政局、市财政局 |\n"
            "具体措施: | 建设残疾人综合服务平台。 |\n"
            "责任单位: | 市残联 |\n"
            "其后是正文。\n")
    rows = tables(text)[0]
    assert rows[0] == ["具体措施", "责任单位"]
    assert rows[1] == ["提高困难群体救助保障标准10%。", "市民政局、市财政局"]
    assert rows[2] == ["建设残疾人综合服务平台。", "市残联"]
    assert "其后是正文。" in paragraphs(text)


def test_metadata_pairs_are_no_record_table():
    text = "索引号: 001\n发文机关: 某县政府\n成文日期: 2024-01-01\n索引号: 002\n发文机关: 某区政府\n"
    assert tables(text) == []


def test_cells_separated_by_lines_of_one_pipe():
    cells = ["序号", "重点工作任务", "责任单位", "（一）某市长牵头重点工作",
             "1", "加快建设科创走廊。", "市科技局", "2", "推进人才综合体建设。", "市人力社保局"]
    rows = tables("\n|\n".join(cells) + "\n|\n")[0]
    assert rows[0] == ["序号", "重点工作任务", "责任单位"]
    assert rows[1] == [("（一）某市长牵头重点工作", 1, 3)]
    assert rows[2] == ["1", "加快建设科创走廊。", "市科技局"]
    assert rows[3] == ["2", "推进人才综合体建设。", "市人力社保局"]


def test_task_column_named_by_its_subject_and_cells_whose_lines_are_split_by_blanks():
    cells = ["序号", "民生实事", "责任单位", "完成时限",
             "1", "启动湿地公园建设。", "县水务局", "县住建局", "12月底前",
             "2", "开工建设县老年养护楼。", "县民政局", "5月底前动工", "开工建设老年大学。", "12月底前",
             "3", "迁建县政务服务中心。", "县政务服务中心", "12月底前"]
    rows = tables("\n\n".join(cells) + "\n")[0]
    assert header_roles(rows[0]) == ["seq", "task", "lead", "deadline"]
    assert rows[1] == ["1", "启动湿地公园建设。", "县水务局\n县住建局", "12月底前"]
    assert rows[2][0] == "2" and rows[2][2] == "县民政局"  # one 序号, one row: both sentences in it
    assert "开工建设老年大学。" in "".join(rows[2]) and "5月底前动工" in "".join(rows[2])
    assert rows[3][1] == "迁建县政务服务中心。" and rows[3][2] == "县政务服务中心"  # a sentence is no unit
    doc = parse_bytes(("\n\n".join(cells) + "\n").encode(), "x.txt")
    assert len(doc.tasks) == 3 and [len(t.deadlines) for t in doc.tasks] == [1, 2, 1]


def test_header_glued_after_a_title_in_a_run_on_line():
    line = ("某市人民政府办公厅关于印发工作任务清单的通知各区县人民政府：现将清单印发给你们，请认真贯彻执行。"
            "某市人民政府办公厅   2025年5月12日   某市2025年度工作任务清单   序号   2025年度工作任务   责任单位   "
            "一、优化提升专项行动   1   加快建设数字应用，强化服务企业支撑。   市市场监管局   "
            "2   深化注册资本登记制度改革，维护市场交易安全。   市市场监管局")
    found = tables(line)
    assert found and found[0][0] == ["序号", "2025年度工作任务", "责任单位"]
    assert [r[0] for r in found[0][1:] if not isinstance(r[0], tuple)] == ["1", "2"]


def test_spaced_rows_a_wrapped_line_of_units_goes_to_the_column_that_lists_many():
    text = ("序号 重点工作任务 主要责任单位 协同配合单位\n"
            "1 地区生产总值增长6.5%左右。 区发改委 区政府各部门,各乡镇人民政府、街道办事处,区管委会。\n"
            "2 一般公共预算收入增长5%左右。 区财政局\n区税务局\n"
            "区政府有关部门,各乡镇人民政府、街道办事处,区管委会。\n"
            "3 固定资产投资增长7.5%左右。 区发改委 区工信局、区住建局、区交通局、区水利局。\n"
            "4 社会消费品零售总额增长8.2%左右。 区商务局 区发改委、区市场监管局、区统计局。\n")
    rows = tables(text)[0]
    row2 = rows[2]
    assert row2[0] == "2" and row2[2].split() == ["区财政局", "区税务局"]
    assert row2[3].startswith("区政府有关部门")


def test_a_table_drawn_with_box_characters_keeps_merged_cells_in_place():
    text = ("┌──┬────┬──────────┬─────┐\n"
            "│序号│责任单位│ 任务目标 │ 完成时间 │\n"
            "├──┼────┼──────────┼─────┤\n"
            "│ 1 │ 金水区 │1.新建绿地50万平方米。 │2006.11.30│\n"
            "│ │ ├──────────┼─────┤\n"
            "│ │ │2.新建游园5个。 │2006.11.30│\n"
            "└──┴────┴──────────┴─────┘\n")
    rows = tables(text)[0]
    assert rows[0] == ["序号", "责任单位", "任务目标", "完成时间"]
    assert rows[1] == ["1", "金水区", "1.新建绿地50万平方米。", "2006.11.30"]
    assert rows[2] == ["", "", "2.新建游园5个。", "2006.11.30"]
    doc = parse_bytes(text.encode(), "x.txt")
    # the second numbered line is a task of its own, with the unit merged down from above
    assert len(doc.tasks) == 2 and [u.unit for u in doc.tasks[1].units] == ["金水区"]
    assert [d.date.isoformat() for d in doc.tasks[1].deadlines] == ["2006-11-30"]


def test_cells_one_per_line_with_a_header_broken_over_lines_and_short_rows():
    cells = ["序号", "项目", "类别", "具 体 内 容", "牵头", "部门", "相关责任部门", "完成", "时间",
             "108", "继续全面推进素质教育", "教育局", "13个街道、镇", "2010年",
             "109", "深化推进二期课程教材改革", "教育局", "相关部门", "2010年"]
    rows = tables("\n\n".join(cells) + "\n")[0]
    assert rows[0][4:] == ["牵头 部门", "相关责任部门", "完成 时间"]
    assert rows[1] == ["108", "继续全面推进素质教育", "", "", "教育局", "13个街道、镇", "2010年"]


# a task table as a web page's text converter writes it when cells span rows: the header
# broken over two lines, group cells (一、…) only on a group's first row, and unit cells
# shared by two rows left out of the second (fixture written for this test)
PIPES_MERGED = ("工作任务 | 具体要求\n| 责任单位 |\n"
                "一、做好规划公开。 | 1.主动公开规划纲要和政策解读。 | 区直有关部门;各镇(街) |\n"
                "2.做好历年规划的归集整理。 | 区发展改革局牵头,区直有关部门配合;各镇(街)参照落实 |\n"
                "二、做好财政信息公开。 | 3.推进部门预算、决算公开。 | 区财政局牵头,区直各部门落实 |\n"
                "4.持续深化政府债务信息公开,定期公开债务限额和余额。 |\n"
                "5.加强行政执法信息公开。 | 区司法局;各镇(街) |\n")


def test_a_pipe_header_broken_over_two_lines_and_rows_that_lost_merged_cells():
    rows = tables(PIPES_MERGED)[0]
    assert rows[0] == ["工作任务", "具体要求", "责任单位"]
    assert rows[1][0] == "一、做好规划公开。" and rows[1][1].startswith("1.")
    # a row that lost its group cell: its item goes where the other items stand
    assert rows[2][0] == "" and rows[2][1].startswith("2.") and rows[2][2].startswith("区发展改革局牵头")
    # a short item and its units: numbered as the second column numbers, so not a group name
    assert rows[5][0] == "" and rows[5][1] == "5.加强行政执法信息公开。" and rows[5][2] == "区司法局;各镇(街)"
    # one cell closed by its pipe is that row's item, not a section row spanning the table
    assert rows[4][1].startswith("4.持续深化") and rows[4][2] == ""


def test_tasks_of_a_pipe_table_that_lost_merged_cells():
    doc = parse_bytes(PIPES_MERGED.encode("utf-8"), "merged.txt")
    items = [t for t in doc.tasks if t.source == "table"]
    assert len(items) == 5
    second = items[1]
    assert [(u.role, u.unit) for u in second.units] == [
        ("lead", "区发展改革局"), ("support", "区直有关部门"), ("support", "各镇（街）")]
    third = items[2]
    assert [(u.role, u.unit) for u in third.units] == [("lead", "区财政局"), ("support", "区直各部门")]


# one cell per line, each cell closed by a line of one pipe, rows ended by lines of pipes
# alone; 序号 and 项目 span the rows of a group, whose items are numbered 1. 2. 3. in the
# task column (fixture written for this test)
_CELL_ROWS = [["序号", "项目", "重点工作目标任务", "牵头领导", "责任单位"], ["||||"],
              ["1", "主要预期目标", "1.地区生产总值增长5%以上。", "张 三", "★区发改委、统计局"],
              ["2.一般公共预算收入增长6%以上。", "★区财政局、税务局"], ["|||"],
              ["3.规上工业总产值增长5%左右。", "李 四", "★区工信局、统计局"], ["||"],
              ["1", "扩大有效投资", "4.新开工重大项目30个。", "王 嵘\n方 勇", "★区发改委"], ["||"]]
CELLS_MERGED = "\n".join(line for row in _CELL_ROWS for cell in row
                         for line in ([cell] if set(cell) == {"|"} else [cell, "|"])) + "\n"


def test_one_cell_per_line_rows_that_lost_their_merged_serial_and_group_cells():
    rows = tables(CELLS_MERGED)[0]
    assert rows[0] == ["序号", "项目", "重点工作目标任务", "牵头领导", "责任单位"]
    assert rows[1] == ["1", "主要预期目标", "1.地区生产总值增长5%以上。", "张 三", "★区发改委、统计局"]
    assert rows[2] == ["", "", "2.一般公共预算收入增长6%以上。", "", "★区财政局、税务局"]
    assert rows[3] == ["", "", "3.规上工业总产值增长5%左右。", "李 四", "★区工信局、统计局"]
    # the serial numbered again from 1 in the next group opens a row of its own
    assert rows[4][:3] == ["1", "扩大有效投资", "4.新开工重大项目30个。"]


def test_a_starred_unit_leads_and_a_leader_cell_names_one_person_a_line():
    doc = parse_bytes(CELLS_MERGED.encode("utf-8"), "starred.txt")
    tasks = [t for t in doc.tasks if t.source == "table"]
    assert len(tasks) == 4
    assert [(u.role, u.unit) for u in tasks[0].units if u.role != "leader"] == [
        ("lead", "区发改委"), ("support", "统计局")]
    assert sorted(u.unit.replace(" ", "") for u in tasks[3].units if u.role == "leader") == ["方勇", "王嵘"]


def test_run_on_body_kept_between_the_rows_of_a_pages_layout_table_is_still_split():
    # a page's layout table (metadata rows, a lone "|||" row) with the body as one line between
    text = ("索引号: | 0025/2023-01 | 公开方式: | 主动公开 |\n发布单位: | 区交通运输局 | 有效性: |\n|||\n"
            "一、制定背景 2023年是全面贯彻落实党的二十大精神的开局之年，做好新一年交通运输工作意义重大、影响深远。"
            " 二、重要举措 (一)基础设施提升行动。 1.扎实推进一批在建项目。 2.确保新开工一批项目。"
            " 3.力争转化一批前期项目。 4.深入谋划一批储备项目。 (二)平安交通强基行动。 1.深化道路客货运领域安全整治。"
            " 2.深化道路(水路)交通安全整治。 3.狠抓工程建设安全整治。 4.抓好后疫情时代保通保畅工作。"
            " (三)营商环境提质行动。 1.强化数字赋能。 2.加强各项纾困政策宣贯。 3.提高政务服务水平。"
            " 4.提升路域路况水平。 5.推进交通品质工程建设。 (四)绿色共富攻坚行动。 1.推进交通运输装备低碳转型。"
            " 2.引导培育绿色低碳的交通运输方式。 3.坚持“公交先行”战略。 4.持续完善农村路网。\n|||\n")
    paras = paragraphs(text)
    assert "1.扎实推进一批在建项目。" in paras and "2.确保新开工一批项目。" in paras
    assert "1.深化道路客货运领域安全整治。" in paras


def test_a_header_whose_names_lost_their_merged_cells_on_the_left():
    # 具体要求 | 责任科室 over rows of four: the names belong to the last columns; the
    # serial column and the group column have none
    text = ("具 体 要 求 | 责任科室 | ||\n"
            "一、抓好主动公开。 | 1 | 深化民生领域信息公开，及时回应关切。 | 办公室牵头，局各股室配合 |\n"
            "二、抓好政策解读 | 2 | 严格落实政策解读与政策文件同步起草。 | 办公室牵头，局各股室配合 |\n"
            "3 | 科学确定解读范围，做到应解读尽解读。 | 办公室牵头，局各股室配合 | |\n")
    rows = tables(text)[0]
    assert rows[0] == ["", "", "具 体 要 求", "责任科室"]
    assert rows[3] == ["", "3", "科学确定解读范围，做到应解读尽解读。", "办公室牵头，局各股室配合"]
    doc = parse_bytes(text.encode("utf-8"), "shifted.txt")
    table_tasks = [t for t in doc.tasks if t.source == "table"]
    assert len(table_tasks) == 3
    assert [(u.role, u.unit) for u in table_tasks[2].units] == [("lead", "办公室"), ("support", "局各股室")]


def test_rows_of_one_units_share_of_a_longer_list_skip_serials():
    # a department's rows taken out of a county's list: 6, 52, 53 (one cell per line)
    cells = ["序号", "目标任务", "牵头责任单位", "计划完成时间", "目前完成情况",
             "6", "农村居民人均可支配收入与经济增长同步。", "经管站", "2023年底", "三季度增幅7.4%",
             "52", "建成高标准农田8.3万亩。", "农田建设管理股、农业股", "2023年底", "正在施工中",
             "53", "完成“一村一块田”改革试验20万亩。", "经管站", "2023年底", "已累计完成31.7万亩"]
    rows = tables("\n\n".join(cells) + "\n")[0]
    assert [r[0] for r in rows[1:]] == ["6", "52", "53"]
    assert rows[2][2] == "农田建设管理股、农业股" and rows[2][3] == "2023年底"


def test_a_unit_cell_whose_names_a_converter_joined_with_spaces():
    text = ("序号 | 任务内容 | 责任单位 |\n1 | 建立由主要领导牵头的农产品质量安全工作领导机构。 | 市府办 县(市、区)政府 |\n"
            "2 | 制定领导小组成员单位职责分工文件。 | 市农业农村局 |\n")
    doc = parse_bytes(text.encode("utf-8"), "spaced-units.txt")
    first = [t for t in doc.tasks if t.source == "table"][0]
    assert [u.unit for u in first.units] == ["市府办", "县（市、区）政府"]


def test_column_names_for_points_by_level_and_for_progress_reached():
    # 一级要点 / 二级要点 name the work; 当前进度 reports progress (80%), not a schedule
    assert header_roles(["工作要求", "一级要点", "二级要点", "责任科室"]) == ["detail", "detail", "detail", "lead"]
    assert header_roles(["序号", "项目内容", "当前进度", "牵头单位"]) == ["seq", "detail", "note", "lead"]
    assert header_roles(["序号", "工作任务", "进度安排", "牵头单位"])[2] == "deadline"


# inspection plans (双随机抽查计划), fixtures written for these tests in the shapes the
# published plans take


def test_the_columns_of_an_inspection_plan():
    roles = header_roles(["序号", "计划名称", "抽查类别", "抽查对象", "抽查比例", "检查方式", "检查主体",
                          "抽查事项", "实施时间", "备注"])
    assert roles == ["seq", "task", "category", "note", "target", "note", "lead", "task", "deadline", "note"]
    # an assessment table's indicators by level: the finest level is the task
    assert header_roles(["一级指标", "二级指标", "三级指标", "责任科室、单位"]) == ["category", "category", "task", "lead"]


def test_the_inspecting_bureau_yields_to_the_office_in_charge():
    text = ("序号 | 检查主体 | 年度计划名称 | 股室 | 抽查比例 |\n"
            "1 | 某县市场监督管理局 | 对特种设备作业人员的行政检查 | 特种设备股 | 5% |\n"
            "2 | 某县市场监督管理局 | 对经营者价格活动的行政检查 | 价监股 | 5% |\n")
    doc = parse_bytes(text.encode("utf-8"), "offices.txt")
    assert [[(u.role, u.unit) for u in t.units] for t in doc.tasks] == [[("lead", "特种设备股")], [("lead", "价监股")]]
    alone = ("序号 | 抽查事项 | 检查主体 | 实施时间 |\n1 | 对排污单位的行政检查 | 某区生态环境局 | 4-11月 |\n"
             "2 | 对重型柴油车的检查 | 某区生态环境局 | 全年 |\n")
    doc = parse_bytes(alone.encode("utf-8"), "bureau.txt")
    assert [[(u.role, u.unit) for u in t.units] for t in doc.tasks] == [[("lead", "某区生态环境局")]] * 2


def test_a_header_whose_every_name_a_narrow_column_broke_over_lines():
    cells = ["序号", "任务名称", "抽查", "户数", "抽查", "比例", "检查", "方式", "牵头部门", "参与部门",
             "1", "单用途商业预付卡", "3", "20%", "现场检查", "商务局", "市场监管局",
             "2", "汽车流通市场", "6", "10%", "现场抽查", "商务局", "市场监管局"]
    rows = tables("\n\n".join(cells) + "\n")[0]
    assert [c.replace(" ", "") for c in rows[0]] == ["序号", "任务名称", "抽查户数", "抽查比例", "检查方式",
                                                     "牵头部门", "参与部门"]
    assert rows[1] == ["1", "单用途商业预付卡", "3", "20%", "现场检查", "商务局", "市场监管局"]


def test_a_unit_column_set_before_the_serial_is_merged_down_the_rows():
    cells = ["抽查单位", "序号", "抽查任务名称", "抽查数量", "抽取日期",
             "某市卫生健康局", "1", "学校卫生国家随机监督抽查", "5户", "2023年1月至12月",
             "2", "公共场所卫生国家随机监督抽查", "49户", "2023年1月至12月",
             "3", "生活饮用水卫生国家随机监督抽查", "22户", "2023年1月至12月"]
    rows = tables("\n\n".join(cells) + "\n")[0]
    assert [r[:3] for r in rows[1:]] == [["某市卫生健康局", "1", "学校卫生国家随机监督抽查"],
                                         ["某市卫生健康局", "2", "公共场所卫生国家随机监督抽查"],
                                         ["某市卫生健康局", "3", "生活饮用水卫生国家随机监督抽查"]]


def test_space_separated_rows_one_a_line_that_lost_merged_cells():
    text = ("检查类别 检查事项 检查依据 检查主体 检查方式 检查比例 检查周期\n"
            "一般检查 开展各类专项执法检查 环境保护法律法规 某区生态环境局 现场检查 按市局要求比例 全年\n"
            "双随机检查 排污许可证落实情况抽查 环境保护法律法规 某区生态环境局 随机抽取现场检查 每月抽查5% 全年\n"
            "排污单位治理设施运行情况抽查 环境保护法律法规 某区生态环境局 随机抽取现场检查 全年\n")
    rows = tables(text)[0]
    assert rows[1][0] == "一般检查" and rows[2][5] == "每月抽查5%"
    # a row that lost its merged 类别 and 比例 cells: each repeated value back in its column
    assert rows[3] == ["", "排污单位治理设施运行情况抽查", "环境保护法律法规", "某区生态环境局", "随机抽取现场检查", "", "全年"]


def test_column_names_with_a_closing_note_and_a_table_of_yearly_goals():
    # a note in brackets closing the name lets it be longer; a bracket opening the line is a title's
    assert header_roles(["序号", "重点工作任务(民生实事项目)", "牵头单位", "负责人", "计划完成时间",
                         "进展情况(一季度)"]) == ["seq", "task", "lead", "leader", "deadline", "note"]
    assert header_roles(["(2024-2027年)主要目标任务", "序号", "指标名称"]) is None
    # 年度目标任务 the only column of work: its cells are the tasks
    assert header_roles(["序号", "年度目标任务", "进展情况", "责任单位"]) == ["seq", "task", "note", "lead"]
    assert header_roles(["序号", "指标名称", "前三年目标任务", "责任单位"]) == ["seq", "task", "target", "lead"]
    # an assessment table's score column
    assert header_roles(["项 目", "分值", "目标任务", "责任单位"]) == ["task", "note", "detail", "lead"]


def test_a_forums_anti_copy_strings_are_dropped_from_line_ends():
    """Discuz! hides random ASCII between a post's lines; a crawled copy keeps them at a line's
    start and end, and in lines of their own. A pipe row of one-character cells stays."""
    text = ("关于做好疫情防控工作的通知\n"
            "! p( ~+ w/ M  ~9 q$ Y, G; P        一、各演出场馆暂停演出。各镇自行组织的活动一律停止。9 K& c  m$ }( s' Z9 [\n"
            "        二、全县文博单位从今日起闭馆，原有活动延期或取消。\n"
            "1 p- V9 Q, D( R; ?+ v9 G: B9 F\n"
            "5 l- V3 Y8 C  O2 `, @         2020年1月24日\n")
    paras = paragraphs(text)
    assert paras[1].startswith("一、各演出场馆") and paras[1].endswith("一律停止。")
    assert not any("p(" in p or "V9" in p or "l-" in p for p in paras)
    assert "2020年1月24日" in paras
    assert tables("| 序号 | 任务 | 牵头单位 |\n| 1 | 2 | 3 |\n")  # kept: a lone | is a border


def test_markdown_heading_marks_are_no_part_of_the_text():
    assert paragraphs("# 关于印发2019年工作要点的通知\n\n## 一、工作目标\n")[:2] == [
        "关于印发2019年工作要点的通知", "一、工作目标"]


def test_the_bodys_numbering_after_a_one_cell_per_line_table_is_no_row_of_it():
    """An indicator table flattened one cell per line, then 三、改革任务 / （一）… / 1．…: the body
    goes on; a table whose rows are grouped under 一、 / （一） from its first row stays whole."""
    text = ("二、改革目标\n\n指标名称\n\n目标\n\n指标类型\n\n管道养护抽查合格率\n\n95%以上\n\n定量\n\n"
            "防汛抢险处置效率\n\n不发生积水\n\n定性\n\n三、改革任务\n\n（一）推进平稳有序移交\n\n"
            "1．区级动员部署：建立区级排水管理体制改革工作小组，压实工作责任。\n")
    assert "三、改革任务" in paragraphs(text) and any(p.startswith("1．区级动员部署") for p in paragraphs(text))
    grouped = ("工作任务\n\n具体要求\n\n牵头处室\n\n配合处室\n\n一、以公开助力经济平稳健康发展\n\n"
               "（一）加强涉及市场主体的信息公开。\n\n1.加大帮扶政策的公开力度，促进稳就业。\n\n局道路运输处\n\n"
               "市交通管理总站\n\n2.建立审批问题的办理和反馈机制。\n\n局计划投资处\n\n局审批管理处\n")
    assert tables(grouped) and "一、以公开助力经济平稳健康发展" not in paragraphs(grouped)


def test_a_table_whose_cells_were_glued_together():
    """No separator between cells: the header's names run together over short lines, each row
    is a line opened by its 序号 glued to its first word, the units' names close the row."""
    text = ("山西省2021年度部门联合双随机抽查工作计划（修订版）\n地市序号抽查任务名称抽查\n类型\n抽查事项抽查对象\n抽查检查起止时间发起部门配合部门\n\n\n"
            "1绿化施工企业的双随机抽查定向园林绿化工程建设太原市园林绿化企业抽查比例不低于10%市园林局市市场监管局\n"
            "2对旅行社经营情况的双随机抽查定向证照情况太原市旅行社3%市文旅局市交通局、\n市市场监管局\n"
            "3对农药生产经营主体的双随机抽查定向1.农药生产经营许可证;2.农药产品标签太原市农药生产经营主体"
            "抽查比例不低于5%市农业农村局市委办公室\n")
    blocks = recover_blocks(text)
    tables = [b for kind, b in blocks if kind == "table"]
    assert len(tables) == 1
    header, *rows = tables[0]
    assert header == ["地市序号", "抽查任务名称", "抽查类型抽查事项抽查对象抽查检查起止时间", "发起部门", "配合部门"]
    assert [r[0] for r in rows] == ["1", "2", "3"]
    assert rows[0][1].startswith("绿化施工企业") and rows[0][1].endswith("抽查比例不低于10%")
    assert rows[0][3:] == ["市园林局", "市市场监管局"]
    assert rows[1][3:] == ["市文旅局", "市交通局、市市场监管局"]  # the wrapped cell joins its row
    assert rows[2][3:] == ["市农业农村局", "市委办公室"]  # 市委办 is no name when 公室 follows


def test_lines_opened_by_numbers_are_no_glued_table_without_its_header():
    text = "工作安排\n1月底前完成摸底排查工作。\n2月底前制定整改方案。\n3月底前完成整改。\n"
    assert all(kind == "paragraph" for kind, _ in recover_blocks(text))
    text = "序号抽查任务名称发起部门\n1月份完成摸底\n2月份制定方案\n3月份完成整改\n"  # months, not serials
    assert all(kind == "paragraph" for kind, _ in recover_blocks(text))


def test_a_page_of_a_paginated_copy_opens_its_list_past_one():
    """[接上页] 33.… 34.… 三、… （八）… 36.…: an excerpt of a longer list, all on one line."""
    text = ("[接上页] 33.建设农村学校教师周转房,解决教师住宿问题。(教育厅、财政厅) 34.推进农村寄宿制学校建设,"
            "改善农村就学环境。(教育厅、发展改革委) 35.加大对欠发达地区义务教育的财政转移支付力度。(财政厅) "
            "三、创新发展职业教育 (八)大力发展职业教育 36.把职业教育摆在更加突出的位置。(教育厅、人力资源和社会保障厅)")
    paras = [p for k, p in recover_blocks(text) if k == "paragraph"]
    assert [p[:3] for p in paras] == ["[接上", "33.", "34.", "35.", "三、创", "(八)", "36."]
    # a number that no later label continues opens nothing
    text = "今年完成改造工作。 12.5万平方米的任务已下达各街道。 另有3.2万平方米待定。"
    assert len([p for k, p in recover_blocks(text) if k == "paragraph"]) == 1


def test_a_document_sharing_sites_copy_with_a_table_glued_into_its_running_text():
    """The site's page marks (1、 2、 …) open each page, even inside a cell; the table's header
    and rows run on in one line with no separator: rows are cut at the serials glued to a word,
    units read from what follows each row's last sentence."""
    text = ("重点任务责任分工表.docx\n《重点任务责任分工表.docx》由会员分享,可在线阅读,更多相关《重点任务责任分工表.docx》"
            "请在第壹文秘上搜索。\n1、重点任务责任分工表序号工作内容目标任务责任单位备注1加强生活垃圾分类宣传发动。"
            "2021年2月底前,知晓率达90%以上。市委宣传部(市文明办)、市城管委,市文广旅局等部门,各区(市)县政府"
            "2完善生活垃圾回收利用体系,优化社区回收设施布局。2021年2月底前,基本建成回收利用体系。市商务局,市\n"
            "2、住建局、市城管委3加强家庭源危险废物处置的规范化管理,完善处置体系。市生态环境局,各区(市)县政府\n")
    tables = [b for kind, b in recover_blocks(text) if kind == "table"]
    assert len(tables) == 1
    header, *rows = tables[0]
    assert header == ["序号", "工作内容", "目标任务", "责任单位", "备注"]
    assert [r[0] for r in rows] == ["1", "2", "3"]  # 2021年2月 holds no serial
    assert rows[1][3] == "市商务局,市住建局、市城管委"  # the page mark inside the cell is gone
    assert rows[0][1].endswith("知晓率达90%以上。") and rows[2][3] == "市生态环境局,各区(市)县政府"


def test_a_one_cell_per_line_table_with_sub_rows_by_year_and_a_category_set_one_character_a_line():
    cells = ["类别", "序号", "主要任务", "节点", "指标数", "责任单位", "配合单位",
             "1.\n分\n类\n投\n放", "1", "创建达标分类小区（累计数）", "2018年", "345个", "各街道办事处",
             "区文明办\n区绿化市容局", "2019年", "440个", "2020年", "618个",
             "2", "完成居住区垃圾箱房四分类标识改造（累计数）", "2018年", "314个", "区绿化市容局\n各街道办事处",
             "2019年", "628个",
             "2.\n分\n类\n运\n输", "1", "湿垃圾车辆新增（累计数）", "2018年", "25辆", "区绿化市容局", "区商务委",
             "2019年", "35辆"]
    header, *rows = tables("附件\n\n" + "\n\n".join(cells) + "\n")[0]
    assert header == ["类别", "序号", "主要任务", "节点", "指标数", "责任单位", "配合单位"]
    plain = [r for r in rows if not isinstance(r[0], tuple)]
    assert plain[0] == ["1.分类投放", "1", "创建达标分类小区（累计数）", "2018年\n2019年\n2020年",
                        "345个\n440个\n618个", "各街道办事处", "区文明办\n区绿化市容局"]
    # the empty 配合单位 cell before the sub-rows is absent: the pairs are read from the row's end
    assert plain[1][3:] == ["2018年\n2019年", "314个\n628个", "区绿化市容局\n各街道办事处", ""]
    assert [r[0][0] for r in rows if isinstance(r[0], tuple)] == ["2.分类运输"]
    assert plain[2] == ["2.分类运输", "1", "湿垃圾车辆新增（累计数）", "2018年\n2019年", "25辆\n35辆", "区绿化市容局", "区商务委"]


def test_a_page_mark_after_the_blank_line_a_site_sets_between_pages_joins_the_sentence_it_breaks():
    text = ("《重点工作安排》由会员分享,可在线阅读,更多相关《重点工作安排》请在金锄头文库上搜索。\n\n"
            "1、重点工作安排一、真抓实干1、倾力推进沿线绿化工程。2、积极探索国省干道两侧区域绿化\n\n"
            "2、美化示范性建设,打造立体景观长廊。3、抓好日常监管运行。\n")
    paras = [p for k, p in recover_blocks(text) if k == "paragraph"]
    assert paras[1] == ("重点工作安排一、真抓实干1、倾力推进沿线绿化工程。2、积极探索国省干道两侧区域绿化"
                        "美化示范性建设,打造立体景观长廊。3、抓好日常监管运行。")


def test_a_table_header_glued_before_a_label_and_page_marks_inside_a_run_on_line():
    # a document-sharing copy of an assessment table read cell by cell: the header row glued
    # to the title and the first label, a page's running header between its two page marks,
    # the header row again after the page break
    line = ("第0页共8页编号:时间:2021年x月x日书山有路勤为径,学海无涯苦作舟页码:第0页共8页"
            "2011年度全县党的基层组织建设工作考核评价项目(村党组织)类别项目要求责任单位一、党员群众服务中心建设"
            "1、一面国旗。室外悬挂国旗。2、一套广播喇叭。有广播喇叭并定期播放,发挥政策宣传、信息发布、文化娱乐等作用。"
            "3、一个卫生室。办公场所附近建有卫生室,为群众提供基本医疗服务。"
            "4、一个说事(谈心)室。设立说事(谈心)室并配备相应的设施。第1页共8页第0页共8页编号:时间:2021年x月x日"
            "书山有路勤为径,学海无涯苦作舟页码:第1页共8页类别项目要求责任单位5、一个多功能活动室。配备桌椅。"
            "—34—6、一个农资超市。为群众提供日常生产、生活资料采买服务。")
    paras = paragraphs(line + "\n")
    assert paras[0] == "2011年度全县党的基层组织建设工作考核评价项目(村党组织)"
    assert paras[1] == "类别项目要求责任单位"
    assert paras[2] == "一、党员群众服务中心建设"
    assert paras[3].startswith("1、一面国旗")
    assert paras[6] == "4、一个说事(谈心)室。设立说事(谈心)室并配备相应的设施。"  # no page furniture left
    assert paras[7] == "类别项目要求责任单位"
    assert paras[8] == "5、一个多功能活动室。配备桌椅。"
    assert paras[9].startswith("6、一个农资超市") and not any("页" in p or "—" in p for p in paras)


def test_prose_that_ends_in_column_like_words_is_no_table_header():
    from policyparse.ingest.layout import glued_header_at_end

    assert glued_header_at_end("(村党组织)类别项目要求责任单位") == len("(村党组织)")
    assert glued_header_at_end("。序号工作任务责任单位完成时限") == 1
    assert glued_header_at_end("。做好工作任务内容") is None  # no 序号, unit or time column
    assert glued_header_at_end("进一步落实工作任务责任单位") is None  # not after a boundary
    assert glued_header_at_end("我们一起做好工作") is None


def test_circled_sub_items_that_run_on_after_an_items_short_title_stay_inside_it():
    line = ("二、基本队伍建设好(3)一个好书记机关党委书记配备。机关(单位)内设的机关党委书记由本部门党员负责人兼任。"
            "(4)一个好班子机关党组织领导班子健全。①机关党组织领导班子通过选举产生;②机关党组织领导班子按规定人数配齐。"
            "(5)一支好队伍做好入党积极分子培养教育工作。①为每名入党积极分子确定培养人;"
            "②每名入党积极分子至少每半年提交一份思想汇报;③规范填写入党积极分子培养考察表。"
            "三、年度主要任务与要求:①积极宣传推介园区,完成上稿8篇;②积极协调落实单位“三定方案”,理顺园区体制机制。")
    paras = paragraphs(line + "\n")
    assert paras[2] == "(4)一个好班子机关党组织领导班子健全。①机关党组织领导班子通过选举产生;②机关党组织领导班子按规定人数配齐。"
    assert paras[3].startswith("(5)一支好队伍") and paras[3].endswith("③规范填写入党积极分子培养考察表。")
    # after a heading that introduces a list (…要求:) the circled items are paragraphs, as before
    assert paras[-2:] == ["①积极宣传推介园区,完成上稿8篇;", "②积极协调落实单位“三定方案”,理顺园区体制机制。"]


def test_a_flattened_assessment_tables_scores_and_methods_glued_before_the_next_rows_label():
    # 考核内容 | 考核标准 | 扣分标准 | 考核方式, and 类别 | 内容 | 分值: the last cell of each row (a score,
    # the way it is checked) glued between the row's sentence and the next row's serial
    paras = paragraphs(
        "考核内容考核标准扣分标准考核方式得分社区自治(10分)1、依法按期完成社区村委会换届选举,资料齐全(3分)。"
        "延期换届的扣1分。查资料2、社区村委会有办公场所和标识,办公设施齐全(2分)。无标识扣0.5分。看现场"
        "社区设施(10分)1、社区服务中心建筑面积不低于1000平方米(2分)。每有一项不达标扣0.5分。看现场"
        "2、“一站式”综合服务厅面积不低于40平方米(1分)。每有一项不达标扣0.5分。看现场"
        "一、政策制度(20分)(1)各部门要将“河长制”工作纳入重要议事日程。10(2)建立河湖水库长效管理机制并组织实施。5"
        "二、水资源保护(10分)(1)按要求编制河湖水库保护计划。2(2)做好景区水资源保护工作。4\n")
    rows = [p[:6] for p in paras if p[:1] in "12一二(" or p.startswith("(")]
    assert rows == ["1、依法按期", "2、社区村委", "1、社区服务", "2、“一站式", "一、政策制度", "(1)各部门",
                    "(2)建立河", "二、水资源保", "(1)按要求", "(2)做好景"]
    # the score stays with the row it closes; the heading of the next part numbers its rows afresh
    assert "(1)各部门要将“河长制”工作纳入重要议事日程。10" in paras
    assert paras[1] == "1、依法按期完成社区村委会换届选举,资料齐全(3分)。延期换届的扣1分。查资料"


def test_a_horizontal_rule_inside_a_line_breaks_it():
    paras = paragraphs("关于印发考核标准的通知正文:" + "-" * 40 + " 国家税务总局政策法规司关于印发考核标准的通知\n"
                       "| 序号 | 任务 |\n|----------|----------|\n| 1 | 建立制度 |\n")
    assert paras[:2] == ["关于印发考核标准的通知正文:", "国家税务总局政策法规司关于印发考核标准的通知"]


def test_a_document_sharing_copy_without_its_blurb_still_loses_its_page_marks():
    # page 1's mark opens the copy with the plan's heading; page 2's opens a line inside a score
    text = ("1、林业局履行职能目标任务分解表 表格编号: 填表日期: 填表人: 审核人: 批准人: 重点工作目标(一类目标40分)"
            "1.做好建设林地审批工作。(20\n2、23分)2.实施东部山体覆绿工程,建成2个集中连片示范基地。(4分)\n")
    paras = paragraphs(text)
    assert paras[0] == "林业局履行职能目标任务分解表"
    assert "(2023分)" in "".join(paras) and not any(p.startswith("2、") for p in paras)
    assert "表格编号:" in paras and "审核人:" in paras  # an empty form's fields, one a line
    # a list whose first line is no heading keeps its 2、
    assert paragraphs("1、加强组织领导,明确责任\n2、强化督查考核\n")[1].startswith("2、")


def test_an_assessment_table_glued_into_a_line_whose_serials_follow_each_rows_score():
    text = ("1、村庄环境卫生评分表(乡镇查村)序号检查内容分值得分备注1村两委成员中有专人分管卫生保洁工作(1分),"
            "每月组织开展一次农村清洁工程活动周活动(2分)。102有固定的卫生宣传栏或宣传牌(2分),且有记录(3分)。"
            "53落实农户、村办公楼等“门前三包”责任制.104村主干道平整(2分),路两边无垃圾(3分)。15\n")
    tables = [b for kind, b in recover_blocks(text) if kind == "table"]
    assert len(tables) == 1
    header, *rows = tables[0]
    assert [r[0] for r in rows] == ["1", "2", "3", "4"]  # (1分), (2分): a score is no serial
    assert rows[1][1].startswith("有固定的卫生宣传栏") and rows[2][1].startswith("落实农户")
    assert "(2分)。10" in rows[0][1] and "责任制.10" in rows[2][1]  # each row keeps its score


def test_an_assessment_tables_standard_column_is_its_requirement():
    roles = header_roles(["项目", "序号", "标准", "分值", "计分办法", "检查记录", "得分"])
    assert roles is not None and roles[2] == "detail" and roles[4] == "note"


def test_a_one_cell_per_line_table_that_writes_empty_cells_as_nothing():
    # an inspection plan whose cells are separated as a cell's lines are, its empty cells left out
    header = ["序号", "检查事项", "检查时间", "抽查比例", "抽查频次", "是否双随机一公开", "是否联合检查", "备注"]
    rows = [["1", "政策性粮食销售出库监督检查", "根据政策性粮食出库时间确定", "全年抽查比例不低于5%", "至少1次"],
            ["2", "春季粮油安全普查", "3月-6月", "至少1次"], ["3", "秋粮收购监督检查", "10月-次年3月", "至少1次"]]
    text = ("乳山市发展和改革局2022年粮食领域监督检查计划\n\n" + "\n\n".join(header) + "\n\n"
            + "\n\n\n".join("\n\n".join(r) for r in rows) + "\n")
    header, *rows = tables(text)[0]
    assert header[5:7] == ["是否双随机一公开", "是否联合检查"]  # yes/no columns are columns too
    # each line to the column it fits; a time left to events (根据…确定) is a time cell too
    assert [r[2] for r in rows] == ["根据政策性粮食出库时间确定", "3月-6月", "10月-次年3月"]


def test_a_long_list_whose_lines_each_name_a_column_is_no_table_header():
    # each line holds a column word (台账): a header of 30 names is a list, not a table
    lines = [f"建立工作台账第{i}项" for i in range(30)]
    assert header_roles(lines) is None
    blocks = recover_blocks("工作要点\n一、重点任务\n" + "\n".join(lines) + "\n")
    assert all(kind == "paragraph" for kind, _ in blocks) and len(blocks) == 32


def test_cells_each_closed_by_a_pipe_line_lost_spaces_and_a_second_header_row():
    # a university office's monthly table as a mirror stored it (set AJ): every cell on its
    # own line followed by a line of one pipe, empty cells written "? |" (a no-break space a
    # GBK conversion could not write), and 完成情况 over 已完成 / 部分完成 / 未完成及其原因
    text = ("部门\n|\n序号\n|\n工作内容\n|\n完成时间\n|\n责任人\n|\n完成情况\n|\n已完成\n|\n部分完成\n|\n"
            "未完成及其原因\n|\n"
            "1\n|\n配合开展无偿献血工作\n|\n3月\n|\n刘佳\n|\n? |\n已完成\n|\n? |\n? |\n"
            "2\n|\n举办大学生脱口秀大赛\n|\n3月\n|\n刘佳\n|\n? |\n? |\n已完成作品征集\n|\n? |\n"
            "3\n|\n开展学雷锋活动月系列活动\n|\n3月\n|\n刘佳\n|\n? |\n已完成\n|\n? |\n? |\n")
    rows = tables(text)[0]
    assert not any("?" in c for r in rows for c in r if isinstance(c, str))
    assert [next(c for c in r if c.startswith(("配合", "举办", "开展"))) for r in rows
            if any(isinstance(c, str) and c.startswith(("配合", "举办", "开展")) for c in r)] == [
        "配合开展无偿献血工作", "举办大学生脱口秀大赛", "开展学雷锋活动月系列活动"]
    doc = parse_bytes(text.encode("utf-8"), "t.txt")
    # the second header row is no task; each numbered row is one
    assert [doc.text[t.start:t.end].split()[0] for t in doc.tasks] == ["1", "2", "3"]


def test_a_unit_cell_that_ends_by_sharing_the_work_out_by_duty_reads_as_units():
    # 落实科室(部门) cells of a 政务公开 分工方案 (中山市医疗保障局, 2021) end with 按职责分工落实:
    # still a list of units, so a row's cells fall into their own columns
    text = ("工作任务\n\n具体要求\n\n落实科室(部门)\n\n做好各类规划主动公开\n\n"
            "1.主动公开各类规划原文和政策解读等相关信息。\n\n各科室、医疗保障事业管理中心按职责分工落实\n\n"
            "2.加强数据互联互通工作，集中发布规划原文和政策解读等相关信息。\n\n办公室\n")
    rows = tables(text)[0]
    assert rows[1][2] == "各科室、医疗保障事业管理中心按职责分工落实"
    assert rows[2][1].startswith("2.") and rows[2][2] == "办公室"


def test_items_that_go_on_with_the_rows_count_inside_one_row_are_rows_of_their_own():
    # 中山市医疗保障局2021年政务公开工作要点分工方案 as stored: items 3. 4. 5. share a merged task
    # name and unit cell, so the copy wrote them as one row's cells; each is a task (with the
    # shared units), while 1. 2. 3. inside one cell that open their own count stay one task
    text = ("工作任务\n\n具体要求\n\n落实科室(部门)\n\n做好各类规划主动公开\n\n"
            "1.主动公开各类规划原文和政策解读等相关信息。\n\n办公室\n\n"
            "2.加强数据互联互通工作，集中发布规划原文。\n\n办公室\n\n做好执法信息公开\n\n"
            "3.主动公开全国统一的市场准入负面清单。\n\n4.及时公开定点医药机构管理相关政策规定。\n\n"
            "5.强化行政执法信息公开，定期公布监督检查结果。\n\n法规和基金监管科、医药服务管理科\n")
    doc = parse_bytes(text.encode("utf-8"), "t.txt")
    firsts = [doc.text[t.start:t.end].strip().split("\t")[-1][:2] for t in doc.tasks]
    assert len(doc.tasks) == 5, firsts
    assert [u.unit for u in doc.tasks[4].units] == ["法规和基金监管科", "医药服务管理科"]
    assert [u.unit for u in doc.tasks[2].units] == ["法规和基金监管科", "医药服务管理科"]
    own = ("工作任务\n\n具体要求\n\n责任单位\n\n做好规划公开\n\n"
           "1.公开各类规划原文。\n2.公开政策解读。\n3.公开实施情况。\n\n办公室\n\n"
           "做好执法公开\n\n1.公开执法结果。\n2.公开违法案件。\n\n法规科\n")
    assert len(parse_bytes(own.encode("utf-8"), "o.txt").tasks) == 2


def test_a_lead_column_beside_a_support_column_each_unit_a_block():
    # 2024年金东区政府民生实事任务分解方案 as stored: cells parted by blank lines, the units of a
    # row too; 牵头单位 leads with one body, the others are 协同单位's
    text = ("序号\n\n事项名称\n\n项目内容\n\n牵头单位\n\n协同单位\n\n"
            "1\n\n新建一批中小学校\n\n实施新(改、扩)建中小学校5家。\n\n区教体局\n\n东孝街道\n\n孝顺镇\n\n区资规分局\n\n"
            "2\n\n中小学校清廉阳光厨房建设\n\n对28所中小学校食堂安装数字化验收平台。\n\n区教体局\n\n/\n")
    rows = tables(text)[0]
    assert rows[1][3] == "区教体局" and rows[1][4].split("\n") == ["东孝街道", "孝顺镇", "区资规分局"]
    assert rows[2][3:] == ["区教体局", "/"]
