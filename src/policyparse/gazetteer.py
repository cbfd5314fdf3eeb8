"""Load and validate the data under ``gazetteers/``: lexicons and patterns are data.

Files are YAML (or CSV for the division list). Each loader checks its schema
(the keys it allows, that regexes compile, that named groups exist) and raises
:class:`~policyparse.errors.GazetteerError` on bad data rather than guessing.
Results are cached per process: workers load them once.
"""
from __future__ import annotations

import csv
import functools
import hashlib
import re
from pathlib import Path

import yaml

from .errors import GazetteerError
from .gazetteer_schema import CSV_SCHEMAS, schema_for
from .numerals import expand_macros


def gazetteer_dir() -> Path:
    """The data folder: inside the installed package (wheel), else the repo's top level."""
    here = Path(__file__).resolve().parent
    for cand in (here / "gazetteers", here.parent.parent / "gazetteers"):
        if cand.is_dir():
            return cand
    raise GazetteerError("gazetteers/ folder not found beside the package")


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe loader that refuses a key written twice in one mapping: PyYAML keeps the
    last silently, so the first definition would be dead without anyone noticing."""

    def construct_mapping(self, node, deep=False):
        seen: set = set()
        for key_node, _value in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise GazetteerError(f"duplicate key {key!r} (line {key_node.start_mark.line + 1})")
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def read_yaml(path: Path, name: str) -> dict:
    """Read ``path`` and check it against the schema of the gazetteer file ``name``."""
    try:
        with open(path, encoding="utf-8") as fh:
            data = yaml.load(fh, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass
    except FileNotFoundError as e:
        raise GazetteerError(f"missing gazetteer file {name}") from e
    except GazetteerError as e:
        raise GazetteerError(f"{name}: {e}") from e
    except (yaml.YAMLError, UnicodeDecodeError) as e:
        raise GazetteerError(f"{name}: invalid YAML: {e}") from e
    if not isinstance(data, dict):
        raise GazetteerError(f"{name}: top level must be a mapping")
    schema = schema_for(name)
    if schema is None:
        raise GazetteerError(f"{name}: no schema declared in gazetteer_schema")
    check_data(name, data, schema)
    return data


@functools.lru_cache(maxsize=None)
def load_yaml(name: str) -> dict:
    """The checked content of ``gazetteers/<name>`` (cached per process)."""
    return read_yaml(gazetteer_dir() / name, name)


def read_csv(path: Path, name: str) -> list[dict]:
    """Rows of a CSV gazetteer (``#`` lines are its source notes), checked against its schema."""
    if name not in CSV_SCHEMAS:
        raise GazetteerError(f"{name}: no schema declared in gazetteer_schema.CSV_SCHEMAS")
    columns = CSV_SCHEMAS[name]
    try:
        with open(path, encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(line for line in fh if not line.startswith("#"))
            missing = [c for c in columns if c not in (reader.fieldnames or [])]
            if missing:
                raise GazetteerError(f"{name}: missing columns {missing}")
            rows = list(reader)
    except FileNotFoundError as e:
        raise GazetteerError(f"missing gazetteer file {name}") from e
    except UnicodeDecodeError as e:
        raise GazetteerError(f"{name}: not UTF-8: {e}") from e
    checks = {c: re.compile(rx) for c, rx in columns.items()}
    for n, row in enumerate(rows, start=1):
        for col, rx in checks.items():
            if not rx.fullmatch(row.get(col) or ""):
                raise GazetteerError(f"{name}: row {n}: column {col} = {row.get(col)!r} "
                                     f"does not match {rx.pattern}")
    return rows


@functools.lru_cache(maxsize=None)
def load_csv(name: str) -> list[dict]:
    return read_csv(gazetteer_dir() / name, name)


def check_data(name: str, data: dict, schema: dict, where: str = "") -> None:
    """Check ``data`` against ``schema`` (see :mod:`policyparse.gazetteer_schema`);
    the error names the file and the key path."""
    allowed = {k.rstrip("?") for k in schema}
    unknown = [k for k in data if k not in allowed]
    if unknown:
        raise GazetteerError(f"{name}: unknown key {where}{unknown[0]} (allowed: {sorted(allowed)})")
    for key, kind in schema.items():
        optional = key.endswith("?")
        key = key.rstrip("?")
        if key not in data:
            if optional:
                continue
            raise GazetteerError(f"{name}: missing key {where}{key}")
        _check_value(name, f"{where}{key}", data[key], kind)


def _check_value(name: str, path: str, value, kind) -> None:
    def bad(what: str) -> GazetteerError:
        return GazetteerError(f"{name}: {path} must be {what}")

    if isinstance(kind, dict):
        if not isinstance(value, dict):
            raise bad("a mapping")
        check_data(name, value, kind, f"{path}.")
    elif isinstance(kind, tuple) and kind[0] == "rules":
        if not isinstance(value, list) or not all(isinstance(r, dict) for r in value):
            raise bad("a list of mappings")
        ids: set = set()
        for i, rule in enumerate(value):
            check_data(name, rule, kind[1], f"{path}[{i}].")
            if rule.get("id") in ids:
                raise GazetteerError(f"{name}: {path}: duplicate rule id {rule['id']!r}")
            ids.add(rule.get("id"))
    elif kind == "int":
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise bad("a whole number >= 0")
    elif kind in ("str", "str_or_null"):
        if (value is not None or kind == "str") and (not isinstance(value, str) or not value):
            raise bad("a non-empty string" + (" or null" if kind == "str_or_null" else ""))
    elif kind == "regex":
        if not isinstance(value, str) or not value:
            raise bad("a non-empty regex string")
        pattern = expand_macros(value) if name.startswith("patterns/") else value
        compile_pattern(name, path, pattern)
    elif kind == "words":
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise bad("a list of non-empty strings")
        dup = next((v for i, v in enumerate(value) if v in value[:i]), None)
        if dup is not None:
            raise GazetteerError(f"{name}: {path}: {dup!r} listed twice")
    elif kind == "pairs":
        if not isinstance(value, list) or not all(
                isinstance(p, list) and len(p) == 2 and all(isinstance(x, str) and x for x in p)
                for p in value):
            raise bad("a list of [string, string] pairs")
    elif kind == "str_map":
        if not isinstance(value, dict) or not all(
                isinstance(k, str) and k and isinstance(v, str) and v for k, v in value.items()):
            raise bad("a mapping of non-empty strings to non-empty strings")
    elif kind == "words_map":
        if not isinstance(value, dict) or not value:
            raise bad("a mapping of names to word lists")
        for key, words in value.items():
            if not isinstance(key, str) or not key or not words:
                raise bad("a mapping of names to non-empty word lists")
            _check_value(name, f"{path}.{key}", words, "words")
    elif kind == "period_map":
        if not isinstance(value, dict) or not all(
                isinstance(v, list) and len(v) == 2 and isinstance(v[0], str)
                and isinstance(v[1], int) and v[1] > 0 for v in value.values()):
            raise bad("a mapping of period words to [period, count]")
    else:  # a schema error is the program's, not the data's
        raise AssertionError(f"{name}: {path}: unknown schema type {kind!r}")


def alternation(words) -> str:
    """A regex alternation of literal words, longest first (so 不少于 beats 不)."""
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


def str_list(name: str, data: dict, key: str, required: bool = True) -> tuple[str, ...]:
    """The list of non-empty strings under ``key`` (an empty one where it may be missing)."""
    value = data.get(key)
    if value is None and not required:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise GazetteerError(f"{name}: {key} must be a list of non-empty strings")
    return tuple(value)


def compile_pattern(name: str, rule_id: str, pattern: str, groups: tuple[str, ...] = ()) -> re.Pattern:
    """Compile one rule's regex; every group the code reads must exist in it."""
    try:
        rx = re.compile(pattern)
    except re.error as e:
        raise GazetteerError(f"{name}: rule {rule_id}: bad regex: {e}") from e
    missing = [g for g in groups if g not in rx.groupindex]
    if missing:
        raise GazetteerError(f"{name}: rule {rule_id}: regex lacks named groups {missing}")
    return rx


def fingerprint() -> str:
    """A hash of every gazetteer file: part of the cache key of a run."""
    h = hashlib.sha256()
    root = gazetteer_dir()
    for p in sorted(root.rglob("*")):
        if p.is_file():
            h.update(str(p.relative_to(root)).encode())
            h.update(p.read_bytes())
    return h.hexdigest()[:16]
