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


def gazetteer_dir() -> Path:
    """The data folder: inside the installed package (wheel), else the repo's top level."""
    here = Path(__file__).resolve().parent
    for cand in (here / "gazetteers", here.parent.parent / "gazetteers"):
        if cand.is_dir():
            return cand
    raise GazetteerError("gazetteers/ folder not found beside the package")


@functools.lru_cache(maxsize=None)
def load_yaml(name: str) -> dict:
    path = gazetteer_dir() / name
    try:
        with open(path, encoding="utf-8") as fh:
            data = yaml.safe_load(fh)
    except FileNotFoundError as e:
        raise GazetteerError(f"missing gazetteer file {name}") from e
    except yaml.YAMLError as e:
        raise GazetteerError(f"{name}: invalid YAML: {e}") from e
    if not isinstance(data, dict):
        raise GazetteerError(f"{name}: top level must be a mapping")
    return data


@functools.lru_cache(maxsize=None)
def load_csv(name: str) -> list[dict]:
    path = gazetteer_dir() / name
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(line for line in fh if not line.startswith("#")))


def check_keys(name: str, data: dict, allowed: set[str], required: set[str] = frozenset()) -> None:
    unknown = set(data) - allowed
    if unknown:
        raise GazetteerError(f"{name}: unknown keys {sorted(unknown)} (allowed: {sorted(allowed)})")
    missing = set(required) - set(data)
    if missing:
        raise GazetteerError(f"{name}: missing keys {sorted(missing)}")


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
