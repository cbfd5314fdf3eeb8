"""``policyparse export OUT --xlsx FILE --csv DIR``: a run's tables for Excel and WPS.

The workbook has one sheet per table of the run (``texts`` aside: a notice's whole
text passes Excel's 32,767 characters per cell; the Parquet tables and
``policyparse query`` have it). The ``tasks`` sheet is the readable one: every
column of the ``tasks`` table plus, joined into columns from the other tables
(:func:`policyparse.export.load.tasks_wide`), the task's region, year and plan
title, its lead and support units and leaders, deadlines (the earliest as a real
date), frequencies and targets. Every sheet has a frozen header row, an autofilter
and column widths measured in display cells (a Chinese character is two);
dates are real Excel dates (``yyyy-mm-dd``), lists are joined with ``；``.

Written with XlsxWriter rather than openpyxl: it is a write-only library that
streams rows to disk (``constant_memory``) at a few times openpyxl's speed, so a
workbook of a few hundred thousand tasks needs neither the memory of a cell object
per value nor minutes; and it never evaluates a cell that begins with ``=``
(each value is written by type). openpyxl stays in the ``dev`` extra, where the
tests read the workbook back. A table longer than Excel's 1,048,576 rows goes on in
sheets named ``tasks_2``, ``tasks_3`` …

``--csv DIR`` writes one ``<table>.csv`` per table (``texts`` included, and
``tasks_wide.csv``) as UTF-8 with a byte-order mark, which is what makes Excel
and WPS read UTF-8 instead of the system's GBK code page.
"""
from __future__ import annotations

import datetime as dt
import math
import os
import unicodedata
from pathlib import Path

import pandas as pd

from ..errors import ExportError
from .load import load

EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_CELL = 32_767
LIST_SEPARATOR = "；"
# column widths, in display cells (one per Latin character, two per Chinese one)
MIN_WIDTH, MAX_WIDTH, WIDTH_SAMPLE = 6, 60, 2_000
# sheets of the workbook, in order: the readable tasks first; texts is left to Parquet
SHEET_ORDER_FIRST = ("tasks", "documents")
NOT_IN_WORKBOOK = ("texts",)
# the readable tasks sheet: these columns first (the rest of tasks_wide follows)
TASKS_SHEET_LEAD = ("task_id", "region_county", "plan_year", "doc_title", "path", "title", "text",
                    "lead_units", "support_units", "leaders", "deadline", "deadlines", "frequencies",
                    "max_per_year", "targets", "topics", "hazards")


def display_width(text: str) -> int:
    """Cells ``text`` takes in a spreadsheet column: wide (CJK, full-width) characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _is_missing(value) -> bool:
    if value is None or value is pd.NaT or value is pd.NA:
        return True
    return isinstance(value, float) and math.isnan(value)


def cell_text(value) -> str:
    """A value as the text a cell or CSV field shows (lists joined with ``；``)."""
    if _is_missing(value):
        return ""
    if isinstance(value, (list, tuple)):
        return LIST_SEPARATOR.join(cell_text(v) for v in value)
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat() if value == value.normalize() else value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def workbook_frames(out: str | Path) -> dict[str, pd.DataFrame]:
    """The frames the workbook shows, by sheet name, in sheet order."""
    tables = load(out)
    frames = dict(tables.frames)
    wide = frames.pop("tasks_wide")
    lead = [c for c in TASKS_SHEET_LEAD if c in wide.columns]
    frames["tasks"] = wide[lead + [c for c in wide.columns if c not in lead]]
    for name in NOT_IN_WORKBOOK:
        frames.pop(name, None)
    ordered = {name: frames[name] for name in SHEET_ORDER_FIRST if name in frames}
    ordered.update({name: frame for name, frame in frames.items() if name not in ordered})
    return ordered


def _widths(frame: pd.DataFrame) -> list[int]:
    """Each column's width: the widest of its name and of its first WIDTH_SAMPLE values
    (a sample keeps a million-row sheet linear; a wider value further down is cut
    off on screen, never in the cell)."""
    sample = frame.head(WIDTH_SAMPLE)
    widths = []
    for name in frame.columns:
        widest = max([display_width(str(name))] + [display_width(cell_text(v)) for v in sample[name]])
        widths.append(min(max(widest + 2, MIN_WIDTH), MAX_WIDTH))
    return widths


def write_xlsx(out: str | Path, dest: str | Path) -> dict[str, int]:
    """Write the run published in ``out`` to the workbook ``dest``; rows per sheet.

    The workbook is written next to ``dest`` and renamed onto it, so a failure
    leaves no half-written file where a spreadsheet is expected."""
    import xlsxwriter

    dest = Path(dest)
    frames = workbook_frames(out)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.tmp")
    # strings_to_urls off: a URL in a cell stays text, and Excel's 65,530-link cap never bites
    book = xlsxwriter.Workbook(str(tmp), {"constant_memory": True, "strings_to_urls": False,
                                          "strings_to_formulas": False, "strings_to_numbers": False})
    header = book.add_format({"bold": True, "bg_color": "#DDEBF7", "bottom": 1})
    date = book.add_format({"num_format": "yyyy-mm-dd"})
    rows_written: dict[str, int] = {}
    try:
        for name, frame in frames.items():
            widths = _widths(frame)
            chunk = EXCEL_MAX_ROWS - 1  # one row for the header
            for part, first in enumerate(range(0, max(len(frame), 1), chunk)):
                sheet_name = name[:31] if part == 0 else f"{name[:28]}_{part + 1}"
                sheet = book.add_worksheet(sheet_name)
                rows = frame.iloc[first:first + chunk]
                _write_sheet(sheet, rows, widths, header, date)
                rows_written[sheet_name] = len(rows)
        book.close()
        os.replace(tmp, dest)
    except Exception as e:
        tmp.unlink(missing_ok=True)
        if isinstance(e, ExportError):
            raise
        raise ExportError(f"could not write the workbook {dest}: {e}") from e
    return rows_written


def _write_sheet(sheet, frame: pd.DataFrame, widths: list[int], header, date) -> None:
    columns = list(frame.columns)
    for c, (name, width) in enumerate(zip(columns, widths)):
        sheet.set_column(c, c, width)
        sheet.write_string(0, c, str(name), header)
    sheet.freeze_panes(1, 0)
    if columns:
        sheet.autofilter(0, 0, max(len(frame), 1), len(columns) - 1)
    for r, values in enumerate(frame.itertuples(index=False, name=None), start=1):
        for c, value in enumerate(values):
            if _is_missing(value):
                continue
            if isinstance(value, (pd.Timestamp, dt.datetime, dt.date)):
                sheet.write_datetime(r, c, pd.Timestamp(value).to_pydatetime(), date)
            elif isinstance(value, bool):
                sheet.write_boolean(r, c, value)
            elif isinstance(value, (int, float)) and not isinstance(value, bool):
                sheet.write_number(r, c, value)
            elif hasattr(value, "dtype") and getattr(value, "ndim", 1) == 0:  # NumPy scalar
                sheet.write_number(r, c, value.item())
            else:
                text = cell_text(value)
                if not text:  # an empty list is an empty cell, as a null is
                    continue
                if len(text) > EXCEL_MAX_CELL:  # Excel refuses longer cells: cut, and say so
                    text = text[:EXCEL_MAX_CELL - 1] + "…"
                sheet.write_string(r, c, text)


def write_csv(out: str | Path, folder: str | Path) -> dict[str, int]:
    """One ``<table>.csv`` per table of the run (and ``tasks_wide.csv``), UTF-8 with BOM."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise ExportError(f"{folder} is a file, not a folder for CSV files")
    folder.mkdir(parents=True, exist_ok=True)
    from .schema import ALL_TABLES

    tables = load(out, [*ALL_TABLES, "tasks_wide"])
    written = {}
    for name, frame in tables.frames.items():
        shown = frame.copy()
        for column in shown.columns:
            if shown[column].dtype == object:
                shown[column] = [cell_text(v) if isinstance(v, (list, tuple)) else v for v in shown[column]]
        dest = folder / f"{name}.csv"
        tmp = dest.with_name(f".{dest.name}.{os.getpid()}.tmp")
        shown.to_csv(tmp, index=False, encoding="utf-8-sig", date_format="%Y-%m-%d")
        os.replace(tmp, dest)
        written[name] = len(frame)
    return written
