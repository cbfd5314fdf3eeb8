"""Rows of flattened tables that carry fewer or more cells than the header: merged
(rowspan) cells are left out at the left, a serial the header does not name opens the
row. Each rendering (one cell per line closed by a pipe line, pipe rows, spaced rows)
must place the cells in the columns they fit."""
from policyparse.ingest.layout import align_row, recover_blocks, with_unheaded_serial

HEADER = ["类别", "指标名称", "牵头单位", "配合单位", "2024年目标", "2025年目标"]
# data rows as a converter writes them: a serial the header has no cell for, the
# 类别 cell only on the first row of its group (merged down over the group)
ROWS = [
    ["1", "经济指标", "新增规上工业企业(家)", "县工信局", "县统计局、各乡镇", "12", "15"],
    ["2", "招引亿元以上项目(个)", "县商务局", "县发改局、县自然资源局", "8", "10"],
    ["3", "二、民生指标", "新建村级养老服务站(个)", "县民政局", "各乡镇", "20", "30"],
    ["4", "城镇调查失业率(%)", "县人社局", "县统计局", "5.5%", "5.5%"],
]
EXPECTED = [
    ["", "类别", "指标名称", "牵头单位", "配合单位", "2024年目标", "2025年目标"],
    ["1", "经济指标", "新增规上工业企业(家)", "县工信局", "县统计局、各乡镇", "12", "15"],
    ["2", "", "招引亿元以上项目(个)", "县商务局", "县发改局、县自然资源局", "8", "10"],
    ["3", "二、民生指标", "新建村级养老服务站(个)", "县民政局", "各乡镇", "20", "30"],
    ["4", "", "城镇调查失业率(%)", "县人社局", "县统计局", "5.5%", "5.5%"],
]


def _tables(text):
    return [b for kind, b in recover_blocks(text) if kind == "table"]


def _one_cell_per_line():
    lines = ["附件：指标分解表"] + [f"| {h}" for h in HEADER] + ["|"]
    for r in ROWS:
        lines += [r[0]] + [f"| {c}" for c in r[1:]] + ["|"]
    return "\n".join(lines) + "\n"


def test_one_cell_per_line_rows_closed_by_pipe_lines_are_aligned_right():
    rows = _tables(_one_cell_per_line())[0]
    assert rows == EXPECTED


def test_pipe_rows_with_an_unnamed_serial_and_merged_group_cells():
    text = ("附件：指标分解表\n| " + " | ".join(HEADER) + " |\n|---|---|---|---|---|---|\n"
            + "".join("| " + " | ".join(r) + " |\n" for r in ROWS))
    assert _tables(text)[0] == EXPECTED


def test_spaced_rows_with_an_unnamed_serial_and_merged_group_cells():
    text = "附件：指标分解表\n" + " ".join(HEADER) + "\n" + "".join(" ".join(r) + "\n" for r in ROWS)
    assert _tables(text)[0] == EXPECTED


def test_align_row_puts_units_in_unit_columns_and_numbers_in_target_columns():
    roles = ["seq", "category", "task", "lead", "support", "target", "target"]
    row = align_row(["2", "招引亿元以上项目(个)", "县商务局", "县发改局、县自然资源局", "8", "10"], roles)
    assert row == ["2", "", "招引亿元以上项目(个)", "县商务局", "县发改局、县自然资源局", "8", "10"]


def test_align_row_keeps_the_task_column_when_an_inner_detail_cell_is_missing():
    # the task name is no grouping cell: the missing cell is the details' one
    roles = ["seq", "task", "detail", "lead", "deadline"]
    row = align_row(["2", "做好疫苗接种信息公开工作", "疾控处", "2024年6月底"], roles)
    assert row == ["2", "做好疫苗接种信息公开工作", "", "疾控处", "2024年6月底"]


def test_unheaded_serial_needs_rows_counting_from_one():
    header, roles = ["工作任务", "牵头单位", "完成时限"], ["task", "lead", "deadline"]
    counted = [["1", "开展排查", "区应急局", "6月底前"], ["2", "开展检查", "区消防救援大队", "年底"]]
    assert with_unheaded_serial(header, roles, counted)[1] == ["seq", "task", "lead", "deadline"]
    quantities = [["300", "开展排查", "区应急局"], ["12", "开展检查", "区消防救援大队"]]
    assert with_unheaded_serial(header, roles, quantities) == (header, roles)


# an indicator list as a converter writes it one cell per line, each cell closed by a pipe and
# nothing between the rows: the header names its value columns by bare years
INDICATORS = """某县人均预期寿命提升行动计划主要目标责任清单
序号 |
指标名称 |
单位 |
2022年 |
2025年 |
2027年 |
牵头单位 |
1 |
人均预期寿命 |
岁 |
2 |
≥79.2 |
≥80 |
县卫健局 |
2 |
孕产妇死亡率 |
/10万 |
2 |
持续改善 |
持续改善 |
县卫健局 |
3 |
居民健康素养水平 |
% |
21.6 |
≥31.5 |
≥33 |
县卫健局 |
"""


def test_rows_that_open_with_their_serial_are_read_without_row_breaks_and_year_columns_hold_targets():
    rows = _tables(INDICATORS)[0]
    assert rows[0] == ["序号", "指标名称", "单位", "2022年", "2025年", "2027年", "牵头单位"]
    # a value cell that happens to be the next serial (row 1's baseline 2, a value after it)
    # opens no row
    assert rows[1:] == [["1", "人均预期寿命", "岁", "2", "≥79.2", "≥80", "县卫健局"],
                        ["2", "孕产妇死亡率", "/10万", "2", "持续改善", "持续改善", "县卫健局"],
                        ["3", "居民健康素养水平", "%", "21.6", "≥31.5", "≥33", "县卫健局"]]
    from policyparse.pipeline import parse_bytes

    doc = parse_bytes(INDICATORS.encode("utf-8"), "indicators.txt")
    first = doc.tasks[0]
    # 2025年 and 2027年 are targets in the row's measure (单位: 岁), 2022年 the baseline
    assert [(t.value, t.unit, t.comparator) for t in first.targets] == [(79.2, "岁", ">="), (80.0, "岁", ">=")]
    assert [u.unit for u in first.units] == ["县卫健局"]


def test_a_rectification_list_names_its_work_in_a_problem_column():
    text = "序号 |\n路段名称 |\n问题描述 |\n责任单位 |\n备注 |\n1 |\n湘北大道 |\n沿线街道车辆违停严重 |\n停车办 |\n|\n" \
           "2 |\n赶山西路 |\n交叉口路面积水严重 |\n市政维护管理处 |\n|\n"
    rows = _tables(text)[0]
    assert rows[1][:4] == ["1", "湘北大道", "沿线街道车辆违停严重", "停车办"]
    assert rows[2][:4] == ["2", "赶山西路", "交叉口路面积水严重", "市政维护管理处"]
