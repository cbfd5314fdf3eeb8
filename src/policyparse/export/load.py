"""``policyparse.load(OUT)``: a run's tables as pandas DataFrames, for notebooks.

All tables come from one published run: the ``.current`` pointer is resolved once,
so a run published while the tables load cannot mix two runs. Dates arrive as
``datetime64`` (plots and ``.dt`` work on them), lists (``path``, ``issuers``) as
Python lists, and the ``year`` partition key is not added (``plan_year`` is a column).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow.dataset as ds

from ..errors import ExportError
from .parquet import current_run_dir, read_manifest
from .schema import ALL_TABLES

# texts holds every document's whole text: asked for by name, not loaded by default
DEFAULT_TABLES = tuple(t for t in ALL_TABLES if t != "texts")


@dataclass
class Tables:
    """The DataFrames of one run, by table name (``tables.tasks``, ``tables["tasks"]``)."""

    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    manifest: dict = field(default_factory=dict)

    def __getitem__(self, name: str):
        return self.frames[name]

    def __getattr__(self, name: str):
        try:
            return self.__dict__["frames"][name]
        except KeyError:
            raise AttributeError(f"no table {name!r} loaded (loaded: {sorted(self.frames)})") from None

    def __repr__(self) -> str:
        sizes = ", ".join(f"{k}={len(v)}" for k, v in self.frames.items())
        return f"Tables({sizes})"


def load(out: str | Path, tables: tuple[str, ...] | list[str] | None = None) -> Tables:
    """The tables of the run published in ``out`` (all but ``texts`` unless named)."""
    out = Path(out)
    run = current_run_dir(out)
    if run is None:
        raise ExportError(f"{out} holds no published policyparse run")
    names = tuple(tables) if tables is not None else DEFAULT_TABLES
    unknown = [n for n in names if n not in ALL_TABLES]
    if unknown:
        raise ExportError(f"unknown tables {unknown} (tables: {list(ALL_TABLES)})")
    frames = {}
    for name in names:
        folder = run / name
        schema = ALL_TABLES[name]
        if folder.is_dir():
            table = ds.dataset(str(folder), format="parquet", partitioning=None).to_table()
            table = table.select([c for c in schema.names if c in table.column_names])
        else:
            table = schema.empty_table()
        frames[name] = table.to_pandas(date_as_object=False)
    return Tables(frames, read_manifest(out) or {})
