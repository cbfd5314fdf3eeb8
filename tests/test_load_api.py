"""`policyparse.load(OUT)` (issue 9): DataFrames an analyst can compute with, whatever the rows
hold: dates datetime64, lists as Python lists, integers as nullable integers (a missing page
or year never turns a column into floats), and `tasks_wide` with everything about a task."""
from __future__ import annotations

import pandas as pd
import pyarrow.dataset as ds
import pytest

import policyparse
from policyparse.errors import ExportError
from policyparse.export.load import document_records, split_task_id


@pytest.fixture(scope="module")
def tables(seeds_output):
    return policyparse.load(seeds_output)


def test_dtypes(tables):
    docs, tasks = tables.documents, tables.tasks
    assert str(docs["plan_year"].dtype) == "Int32" and sorted(docs["plan_year"]) == [2022, 2023, 2023, 2023, 2023]
    assert str(tasks["page"].dtype) == "Int32" and tasks["page"].isna().all()  # text files have no pages
    assert str(docs["page_count"].dtype) == "Int32"
    assert str(docs["public"].dtype) == "boolean"
    for frame, column in ((docs, "issue_date"), (tables.deadlines, "date"), (tables.deadlines, "start")):
        assert pd.api.types.is_datetime64_any_dtype(frame[column]), column
    for frame, column in ((docs, "issuers"), (docs, "recipients"), (tasks, "path"), (tasks, "topics"),
                          (tasks, "hazards")):
        assert all(isinstance(v, list) for v in frame[column]), column
    assert any("责任落实" in v for v in tasks.topics)  # membership works on a list
    assert pd.api.types.is_float_dtype(tables.frequencies["per_year"])
    assert str(tables.frequencies["count"].dtype) == "Int32"


def test_tasks_wide_has_everything_about_a_task_in_one_row(seeds_output, tables):
    wide = tables.tasks_wide
    assert wide["task_id"].tolist() == tables.tasks["task_id"].tolist()
    units = ds.dataset(str(seeds_output / "task_units"), format="parquet", partitioning=None).to_table().to_pylist()
    for row in wide.itertuples():
        for role, column in (("lead", "lead_units"), ("support", "support_units"), ("leader", "leaders")):
            expected = list(dict.fromkeys(u["unit_canonical"] or u["unit"] for u in units
                                          if u["task_id"] == row.task_id and u["role"] == role))
            assert getattr(row, column) == expected
    assert wide["lead_units"].map(len).sum() > 50
    for column in ("deadlines", "deadline_kinds", "frequencies", "targets", "issuers"):
        assert all(isinstance(v, list) for v in wide[column]), column
    assert pd.api.types.is_datetime64_any_dtype(wide["deadline"])
    dl = tables.deadlines.dropna(subset=["date"]).groupby("task_id")["date"].min()
    with_date = wide.set_index("task_id")["deadline"].dropna()
    assert len(with_date) == len(dl) > 5 and (with_date.sort_index() == dl.sort_index()).all()
    assert str(wide["plan_year"].dtype) == "Int32" and wide["region_county"].notna().all()
    per_year = tables.frequencies.groupby("task_id")["per_year"].max()
    got = wide.set_index("task_id")["max_per_year"].dropna()
    assert len(got) == len(per_year) and (got.sort_index().astype(float) == per_year.sort_index()).all()


def test_load_by_name_and_one_document(seeds_output):
    only = policyparse.load(seeds_output, ["tasks_wide"])
    assert "tasks_wide" in only.frames and len(only.tasks_wide) == len(only.tasks) > 0
    texts = policyparse.load(seeds_output, ["texts"])
    assert set(texts.frames) == {"texts"}
    some_task = only.tasks_wide.task_id.iloc[7]
    doc_id, index = split_task_id(some_task)
    assert (doc_id, index) == (only.tasks_wide.doc_id.iloc[7], int(only.tasks_wide.task_index.iloc[7]))
    rows, focus = document_records(seeds_output, some_task)
    assert focus == index and len(rows["documents"]) == 1 and rows["texts"][0]["doc_id"] == doc_id
    assert all(t["doc_id"] == doc_id for t in rows["tasks"])
    with pytest.raises(ExportError, match="no document"):
        document_records(seeds_output, "ffffffffffffffff")
    with pytest.raises(ExportError, match="no task"):
        document_records(seeds_output, f"{doc_id}-t9999")
