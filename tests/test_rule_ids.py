"""Every record names the rule that produced it, so analysts can filter on it and
each rule's precision can be measured against the gold."""
from __future__ import annotations

from pathlib import Path

import pytest

from policyparse.export.tables import document_rows
from policyparse.gazetteer import load_yaml
from policyparse.pipeline import parse_file

SEEDS = Path(__file__).resolve().parent.parent / "corpus" / "seeds"
RULED_TABLES = ("tasks", "task_units", "deadlines", "frequencies", "targets")


@pytest.fixture(scope="module")
def seed_rows() -> dict[str, list[dict]]:
    rows: dict[str, list[dict]] = {t: [] for t in RULED_TABLES}
    for path in sorted(SEEDS.glob("*.txt")):
        doc_rows = document_rows(parse_file(path))
        for t in RULED_TABLES:
            rows[t] += doc_rows[t]
    return rows


def test_every_row_of_the_seeds_names_its_rule(seed_rows):
    for table in RULED_TABLES:
        assert seed_rows[table], f"the seeds give {table} rows"
        unnamed = [r for r in seed_rows[table] if not r["rule"]]
        assert not unnamed, f"{table}: {len(unnamed)} rows without a rule, e.g. {unnamed[0]}"


REPAIRS = (".shared_suffix", ".known_split", ".demoted", ".days_listed")
CONTEXTS = ("heading.", "column.", "label.")


def _base(rule: str) -> str:
    """The rule id without its repair suffix and its context prefix: a unit of a list
    completed from its sibling (column.shared_suffix) was found by the column rule, a
    date in a 完成时限 cell (column.md) by the date rule md."""
    for suffix in REPAIRS:
        rule = rule.removesuffix(suffix)
    for prefix in CONTEXTS:
        rule = rule.removeprefix(prefix)
    return rule


def test_rule_ids_are_those_the_pattern_files_and_readers_declare(seed_rows):
    date_ids = {r["id"] for r in load_yaml("patterns/deadline.yaml")["dates"]}
    qualitative = {f"qualitative.{r['id']}" for r in load_yaml("patterns/target.yaml")["qualitative"]}
    known = {
        "tasks": {"outline_leaf", "outline_item_with_sub_items", "table", "flattened_table"},
        "task_units": {"column", "note", "line_note", "bare_note", "unit_heading", "inline_joint",
                       "inline_leader", "inline_by", "inline_lead", "inline_support"},
        "deadlines": date_ids | {"external", "ongoing", "external_body"},
        "frequencies": {"every", "by_period", "per_shape", "one_per", "shorthand"},
        "targets": {"percent", "quantity", "count.verb", "count.summed", "count.continued",
                    "count.object_first", "count.listed"} | qualitative,
    }
    for table in RULED_TABLES:
        unknown = {r["rule"] for r in seed_rows[table] if _base(r["rule"]) not in known[table]}
        assert not unknown, f"{table}: undeclared rule ids {unknown}"
