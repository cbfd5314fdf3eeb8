"""CLI manners (issue 9): --version, -h on every command, and `inspect` given a doc_id or a
task_id of a published run as well as a path."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pyarrow.dataset as ds
import typer.main

import policyparse
from policyparse.cli import app

ROOT = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-m", "policyparse.cli"]


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, cwd=ROOT)


def test_version():
    for flag in ("--version", "-V"):
        done = _run(flag)
        assert done.returncode == 0 and done.stdout.startswith(f"policyparse {policyparse.__version__}")


def test_short_help_on_every_command():
    commands = sorted(typer.main.get_command(app).commands)
    assert {"run", "inspect", "evaluate", "query", "spacy", "export", "review", "schema"} <= set(commands)
    top = _run("-h")
    assert top.returncode == 0 and all(c in top.stdout for c in commands)
    for command in commands:
        done = _run(command, "-h")
        assert done.returncode == 0, (command, done.stderr)
        assert "Usage:" in done.stdout and command in done.stdout.split("Usage:", 1)[1].split("\n", 1)[0]
        assert "--help" in done.stdout and "-h" in done.stdout


def test_inspect_by_doc_id_and_task_id(seeds_output):
    tasks = ds.dataset(str(seeds_output / "tasks"), format="parquet", partitioning=None).to_table().to_pylist()
    task = next(t for t in tasks if t["task_index"] == 3 and t["title"])
    by_doc = _run("inspect", task["doc_id"], "--out", str(seeds_output), "--no-ocr")
    assert by_doc.returncode == 0, by_doc.stderr
    assert task["doc_id"] in by_doc.stdout and "blocks" in by_doc.stdout
    by_task = _run("inspect", task["task_id"], "--out", str(seeds_output), "--no-ocr")
    assert by_task.returncode == 0, by_task.stderr
    assert "tasks (1)" in by_task.stdout and task["title"] in by_task.stdout.replace("\n", "")
    unknown = _run("inspect", "0123456789abcdef", "--out", str(seeds_output))
    assert unknown.returncode == 2 and "no document" in unknown.stdout
    typo = _run("inspect", "corpus/seeds/nope.txt")
    assert typo.returncode == 2 and "no such file" in typo.stderr
    folder = _run("inspect", "corpus")
    assert folder.returncode == 2 and "folder" in folder.stderr
