"""``policyparse query OUT "SQL"``: DuckDB over a run's tables, one view per table.

Each view reads ``OUT/<table>/**/*.parquet`` with Hive partitioning, so the
``year`` directory key is a column too and ``WHERE year = '2024'`` skips the
other years' files. The views are defined over the folders ``OUT/<table>``
(links to the current run), so a query sees one complete run.
"""
from __future__ import annotations

import sys
from pathlib import Path

from .schema import ALL_TABLES


def connect(out: str | Path):
    """An in-memory DuckDB connection with a view per table found in OUT."""
    import duckdb

    out = Path(out)
    con = duckdb.connect()
    for name in ALL_TABLES:
        folder = out / name
        if not folder.is_dir():
            continue
        glob = str(folder / "**" / "*.parquet").replace("'", "''")
        # quoted: `references` is an SQL keyword (write "references" in a query too)
        con.execute(f"CREATE VIEW \"{name}\" AS SELECT * FROM read_parquet('{glob}', "
                    "hive_partitioning = true, union_by_name = true)")
    return con


def _cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, list):
        return "[" + ", ".join(_cell(x) for x in v) + "]"
    return str(v)


def run_query(out: str | Path, sql: str, *, stream=None) -> int:
    """Run ``sql``, print the result; 0 on success, 1 on a SQL error, 2 without tables.

    On a terminal the result is a table (rich); piped, it is tab-separated with a
    header line, for the next program.
    """
    import duckdb

    stream = stream or sys.stdout
    out = Path(out)
    if not (out / "documents").is_dir():
        print(f"error: {out} holds no tables of a policyparse run", file=sys.stderr)
        return 2
    con = connect(out)
    try:
        cur = con.execute(sql)
        if cur.description is None:
            return 0
        columns = [d[0] for d in cur.description]
        rows = cur.fetchall()
    except duckdb.Error as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    finally:
        con.close()
    if getattr(stream, "isatty", lambda: False)():
        from rich.console import Console
        from rich.table import Table

        table = Table(*columns, show_lines=False)
        for r in rows:
            table.add_row(*(_cell(v) for v in r))
        Console(file=stream).print(table)
        print(f"{len(rows)} row(s)", file=stream)
    else:
        print("\t".join(columns), file=stream)
        for r in rows:
            print("\t".join(_cell(v).replace("\t", " ").replace("\n", " ") for v in r), file=stream)
    return 0
