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
