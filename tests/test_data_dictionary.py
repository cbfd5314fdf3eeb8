"""The data dictionary (issue 9): docs/tables.md and `policyparse schema` describe every table,
column and value, and cannot drift from export/schema.py or from what a run writes."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from policyparse.export.dictionary import RULE_IDS, TABLES, VALUES, render_markdown, stale, undescribed
from policyparse.export.schema import ALL_TABLES

ROOT = Path(__file__).resolve().parents[1]
TABLES_MD = ROOT / "docs" / "tables.md"


def test_every_column_of_every_schema_is_described():
    assert undescribed() == [], "describe these columns in src/policyparse/export/dictionary.py"
    assert stale() == [], "these described columns are no longer in export/schema.py"
    for name, schema in ALL_TABLES.items():
        assert TABLES[name][0], name


def test_docs_tables_md_is_the_generated_dictionary():
    assert TABLES_MD.read_text(encoding="utf-8") == render_markdown(), \
        "docs/tables.md is stale: regenerate it with `policyparse schema > docs/tables.md`"
    text = TABLES_MD.read_text(encoding="utf-8")
    for name, schema in ALL_TABLES.items():
        section = text.split(f"## `{name}`", 1)[1].split("\n## ", 1)[0]
        for field in schema:
            assert re.search(rf"^\| `{field.name}` \| \S+ \| .+ \|$", section, re.M), f"{name}.{field.name}"


def test_schema_command(tmp_path):
    whole = subprocess.run([sys.executable, "-m", "policyparse.cli", "schema"], capture_output=True, text=True)
    assert whole.returncode == 0 and whole.stdout == render_markdown()
    one = subprocess.run([sys.executable, "-m", "policyparse.cli", "schema", "deadlines"], capture_output=True,
                         text=True)
    assert one.returncode == 0 and "`ongoing`" in one.stdout and "## `tasks`" not in one.stdout
    bad = subprocess.run([sys.executable, "-m", "policyparse.cli", "schema", "nope"], capture_output=True, text=True)
    assert bad.returncode == 2 and "deadlines" in bad.stderr


def _values(heading: str) -> set[str]:
    return {value for h, values in VALUES if h == heading for value, _ in values}


def _distinct(out: Path, table: str, column: str) -> set:
    return {r[0] for r in duckdb.sql(f"SELECT DISTINCT {column} FROM read_parquet('{out}/{table}/**/*.parquet')")
            .fetchall()}


def test_every_value_a_run_writes_is_described(seeds_output):
    assert _distinct(seeds_output, "task_units", "role") <= _values("task_units.role")
    assert _distinct(seeds_output, "deadlines", "kind") <= _values("deadlines.kind")
    assert _distinct(seeds_output, "frequencies", "period") <= _values("frequencies.period and per_year")
    assert _distinct(seeds_output, "frequencies", "comparator") <= _values("frequencies.comparator")
    assert {c or "null" for c in _distinct(seeds_output, "targets", "comparator")} <= _values("targets.comparator")
    assert _distinct(seeds_output, "tasks", "source") <= _values("tasks.source")
    structures = {part for s in _distinct(seeds_output, "documents", "structure") for part in s.split("+")}
    assert structures <= _values("documents.structure")
    pattern_ids = set(re.findall(r"^\s*- id: (\w+)", "\n".join(
        p.read_text(encoding="utf-8") for p in (ROOT / "gazetteers" / "patterns").glob("*.yaml")), re.M))
    for table, ids in RULE_IDS:
        for rule in _distinct(seeds_output, table, "rule"):
            base = rule.split(".", 1)[1] if rule.startswith(("column.", "qualitative.")) else None
            assert f"`{rule}`" in ids or (base and (f"`{base}`" in ids or base in pattern_ids)), (table, rule)


@pytest.mark.parametrize("guide", ["annotation.md", "tables.md"])
def test_the_guides_ship_and_the_readme_points_only_at_files_that_do(guide):
    assert (ROOT / "docs" / guide).is_file()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)#]+)\)", readme):  # every Markdown link into the repository
        if not target.startswith(("http://", "https://")):
            assert (ROOT / target).exists(), f"README links to {target}, which does not ship"
    for name in re.findall(r"`((?:docs|notebooks|scripts|benchmarks)/[\w./-]+)`", readme):
        assert (ROOT / name).exists(), f"README names {name}, which does not ship"
    # a guide named in passing must ship too: a path, or a bare UPPERCASE.md found somewhere
    # (`column.md` in the README is a rule id, not a file)
    for name in re.findall(r"`([\w./-]+/[\w.-]+\.md|[A-Z_]+\.md)`", readme):
        assert (ROOT / name).exists() or ("/" not in name and any(ROOT.rglob(name))), \
            f"README names {name}, which does not ship"
