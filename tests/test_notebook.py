"""notebooks/compare_districts.ipynb (issue 9) is executed as CI would run it, with nbclient,
from a temporary copy (the repository's notebook keeps no outputs), from the repository root
and from notebooks/, over a small run the test makes. Every cell must run and every chart
must be drawn (image/png outputs), with a CJK font chosen by name."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from policyparse.export.schema import ALL_TABLES

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "compare_districts.ipynb"
# topics by region, lead units, deadlines by month, obligations per year by topic; and copied
# obligations when the run has a task_clusters table
CHARTS = 4 + ("task_clusters" in ALL_TABLES)


def _execute(copy: Path, cwd: Path, out: Path, monkeypatch) -> nbformat.NotebookNode:
    monkeypatch.setenv("POLICYPARSE_OUT", str(out))
    monkeypatch.delenv("POLICYPARSE_FIGURES", raising=False)
    nb = nbformat.read(copy, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(cwd)}}).execute()
    return nb


def _pngs(nb) -> int:
    return sum("image/png" in o.get("data", {}) for c in nb.cells if c.cell_type == "code" for o in c.outputs)


def _text(nb) -> str:
    return "\n".join(o.get("text", "") or json.dumps(o.get("data", {}), ensure_ascii=False)
                     for c in nb.cells if c.cell_type == "code" for o in c.outputs)


@pytest.mark.parametrize("where", ["notebooks", "root"])
def test_notebook_runs_and_draws_every_chart(seeds_output, tmp_path, monkeypatch, where):
    stored = nbformat.read(NOTEBOOK, as_version=4)
    assert all(not c.get("outputs") for c in stored.cells if c.cell_type == "code")  # shipped clean
    copy = tmp_path / NOTEBOOK.name
    shutil.copy(NOTEBOOK, copy)
    cwd = ROOT / "notebooks" if where == "notebooks" else ROOT
    nb = _execute(copy, cwd, seeds_output, monkeypatch)  # a failing cell raises CellExecutionError
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors
    assert _pngs(nb) == CHARTS
    text = _text(nb)
    assert str(seeds_output) in text  # it read the run it was pointed at
    assert "CJK font: None" not in text and "CJK font:" in text  # Chinese labels have glyphs
    if "task_clusters" not in ALL_TABLES:
        assert "no task_clusters table" in text
