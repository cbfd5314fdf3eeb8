"""`policyparse export OUT --xlsx FILE --csv DIR` (issue 9): the workbook is opened back with
openpyxl, as another program would, and checked against the Parquet tables it came from."""
from __future__ import annotations

import datetime as dt
import subprocess
import sys
import unicodedata

import openpyxl
import pandas as pd
import pyarrow.dataset as ds
import pytest

from policyparse.export.schema import ALL_TABLES, TASKS
from policyparse.export.xlsx import LIST_SEPARATOR, display_width, write_csv, write_xlsx


def _table(out, name) -> list[dict]:
    return ds.dataset(str(out / name), format="parquet", partitioning=None).to_table().to_pylist()


def _sheet_rows(sheet) -> list[dict]:
    rows = sheet.iter_rows(values_only=True)
    header = next(rows)
    return [dict(zip(header, r)) for r in rows]


@pytest.fixture(scope="module")
def workbook(seeds_output, tmp_path_factory):
    dest = tmp_path_factory.mktemp("xlsx") / "plans.xlsx"
    sheets = write_xlsx(seeds_output, dest)
    return sheets, openpyxl.load_workbook(dest)


def test_one_sheet_per_table_with_frozen_header_and_filter(seeds_output, workbook):
    sheets, book = workbook
    expected = [n for n in ALL_TABLES if n != "texts"]
    assert book.sheetnames[0] == "tasks" and sorted(book.sheetnames) == sorted(expected)
    for name in book.sheetnames:
        sheet = book[name]
        assert sheet.freeze_panes == "A2", name
        n_rows = len(_table(seeds_output, name))
        assert sheets[name] == n_rows, name
        assert sheet.max_row == n_rows + 1 or n_rows == 0, name  # the header row and one per table row
        assert sheet.auto_filter.ref and sheet.auto_filter.ref.startswith("A1:"), name
        assert sheet.auto_filter.ref.endswith(str(max(n_rows, 1) + 1)), (name, sheet.auto_filter.ref)


def test_dates_are_excel_dates_and_ids_stay_text(seeds_output, workbook):
    _, book = workbook
    docs = book["documents"]
    header = [c.value for c in docs[1]]
    col = header.index("issue_date") + 1
    cells = [docs.cell(row=r, column=col) for r in range(2, docs.max_row + 1)]
    dated = [c for c in cells if c.value is not None]
    assert dated and all(isinstance(c.value, dt.datetime) and c.is_date for c in dated)
    assert all(c.number_format == "yyyy-mm-dd" for c in dated)
    by_id = {r["doc_id"]: r["issue_date"] for r in _table(seeds_output, "documents")}
    for row in _sheet_rows(docs):
        assert (row["issue_date"].date() if row["issue_date"] else None) == by_id[row["doc_id"]]
    # a doc_id such as 503cfe15868f7cdd or a 发文字号 must never become a number or a formula
    assert all(isinstance(r["doc_id"], str) for r in _sheet_rows(docs))


def test_column_widths_count_a_chinese_character_as_two(workbook):
    _, book = workbook
    sheet = book["tasks"]
    header = [c.value for c in sheet[1]]
    letter = openpyxl.utils.get_column_letter(header.index("region_county") + 1)
    counties = [r["region_county"] for r in _sheet_rows(sheet) if r["region_county"]]
    assert counties and all(unicodedata.east_asian_width(ch) == "W" for ch in counties[0])
    longest = max(len(c) for c in counties)
    assert sheet.column_dimensions[letter].width >= 2 * longest  # not the character count
    assert display_width("区应急管理局ab") == 14


def test_tasks_sheet_joins_units_deadlines_frequencies_targets(seeds_output, workbook):
    _, book = workbook
    rows = _sheet_rows(book["tasks"])
    tasks = _table(seeds_output, "tasks")
    assert [r["task_id"] for r in rows] == [t["task_id"] for t in tasks]
    assert set(TASKS.names) <= set(rows[0])  # every column of the tasks table is there
    units = _table(seeds_output, "task_units")
    deadlines = _table(seeds_output, "deadlines")
    frequencies = _table(seeds_output, "frequencies")
    targets = _table(seeds_output, "targets")
    docs = {d["doc_id"]: d for d in _table(seeds_output, "documents")}
    checked = {"lead": 0, "deadline": 0}
    for row in rows:
        tid = row["task_id"]
        for role, column in (("lead", "lead_units"), ("support", "support_units"), ("leader", "leaders")):
            names = list(dict.fromkeys(u["unit_canonical"] or u["unit"] for u in units
                                       if u["task_id"] == tid and u["role"] == role))
            assert (row[column] or "") == LIST_SEPARATOR.join(names), (tid, column)
            checked["lead"] += bool(names) and role == "lead"
        mine = [d for d in deadlines if d["task_id"] == tid]
        assert (row["deadlines"] or "") == LIST_SEPARATOR.join(d["raw"] for d in mine)
        dates = [d["date"] for d in mine if d["date"]]
        if dates:
            checked["deadline"] += 1
            assert isinstance(row["deadline"], dt.datetime) and row["deadline"].date() == min(dates)
        else:
            assert row["deadline"] is None
        assert (row["frequencies"] or "") == LIST_SEPARATOR.join(f["raw"] for f in frequencies if f["task_id"] == tid)
        assert (row["targets"] or "") == LIST_SEPARATOR.join(g["raw"] for g in targets if g["task_id"] == tid)
        per_year = [f["per_year"] for f in frequencies if f["task_id"] == tid]
        assert row["max_per_year"] == (max(per_year) if per_year else None)
        doc = docs[row["doc_id"]]
        assert row["region_county"] == doc["region_county"] and row["plan_year"] == doc["plan_year"]
        assert row["doc_title"] == doc["title"]
    assert checked["lead"] > 20 and checked["deadline"] > 5  # the seeds have both: the check ran


def test_csv_is_utf8_with_bom_per_table(seeds_output, tmp_path):
    written = write_csv(seeds_output, tmp_path / "csv")
    assert set(written) == set(ALL_TABLES) | {"tasks_wide"}
    raw = (tmp_path / "csv" / "tasks.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert raw[3:].decode("utf-8").count("安全生产") > 10  # UTF-8 proper, not a GBK code page
    back = pd.read_csv(tmp_path / "csv" / "documents.csv", encoding="utf-8-sig", dtype=str)
    docs = _table(seeds_output, "documents")
    assert sorted(back.doc_id) == sorted(d["doc_id"] for d in docs)
    assert set(back.region_county) == {d["region_county"] for d in docs}
    assert set(back.issue_date.dropna()) == {d["issue_date"].isoformat() for d in docs if d["issue_date"]}
    assert len(pd.read_csv(tmp_path / "csv" / "task_units.csv", encoding="utf-8-sig")) == written["task_units"]


def test_export_command(seeds_output, tmp_path):
    dest = tmp_path / "out.xlsx"
    cmd = [sys.executable, "-m", "policyparse.cli", "export", str(seeds_output), "--xlsx", str(dest),
           "--csv", str(tmp_path / "csv")]
    done = subprocess.run(cmd, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert openpyxl.load_workbook(dest, read_only=True).sheetnames[0] == "tasks"
    assert (tmp_path / "csv" / "tasks_wide.csv").is_file()
    bad = subprocess.run([sys.executable, "-m", "policyparse.cli", "export", str(tmp_path / "nothing"),
                          "--xlsx", str(tmp_path / "x.xlsx")], capture_output=True, text=True)
    assert bad.returncode == 2 and "no published" in bad.stderr and not (tmp_path / "x.xlsx").exists()
    none = subprocess.run([sys.executable, "-m", "policyparse.cli", "export", str(seeds_output)],
                          capture_output=True, text=True)
    assert none.returncode == 2 and "--xlsx" in none.stderr


def test_text_that_looks_like_a_formula_stays_text(tmp_path):
    import xlsxwriter

    from policyparse.export.xlsx import _write_sheet

    frame = pd.DataFrame({"raw": ["=HYPERLINK(\"http://x\")", "+1", "http://example.org/a"],
                          "units": [["区应急局", "区公安分局"], [], None],
                          "date": pd.to_datetime(["2023-12-31", None, "2024-06-30"]),
                          "n": pd.array([3, None, 5], dtype="Int32")})
    dest = tmp_path / "t.xlsx"
    book = xlsxwriter.Workbook(str(dest), {"strings_to_urls": False, "strings_to_formulas": False})
    _write_sheet(book.add_worksheet("t"), frame, [10] * 4, book.add_format(), book.add_format({"num_format": "yyyy-mm-dd"}))
    book.close()
    sheet = openpyxl.load_workbook(dest)["t"]
    assert [c.data_type for c in sheet["A"][1:]] == ["s", "s", "s"]  # never a formula
    assert sheet["A2"].value == "=HYPERLINK(\"http://x\")" and not sheet["A4"].hyperlink
    assert sheet["B2"].value == "区应急局；区公安分局" and sheet["B3"].value is None
    assert sheet["C2"].is_date and sheet["C3"].value is None
    assert [sheet["D2"].value, sheet["D3"].value, sheet["D4"].value] == [3, None, 5]


def test_a_table_past_excels_row_limit_goes_on_in_more_sheets(seeds_output, tmp_path, monkeypatch):
    import policyparse.export.xlsx as xlsx

    monkeypatch.setattr(xlsx, "EXCEL_MAX_ROWS", 101)  # 100 rows and the header per sheet
    sheets = write_xlsx(seeds_output, tmp_path / "split.xlsx")
    n_units = len(_table(seeds_output, "task_units"))
    parts = [name for name in sheets if name == "task_units" or name.startswith("task_units_")]
    assert len(parts) == -(-n_units // 100) > 1 and sum(sheets[p] for p in parts) == n_units
    book = openpyxl.load_workbook(tmp_path / "split.xlsx", read_only=True)
    assert book[parts[-1]].max_row == n_units - 100 * (len(parts) - 1) + 1
