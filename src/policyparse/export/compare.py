"""``policyparse compare OUT``: the plans of regions and years side by side.

Views, each a table (DuckDB over the published Parquet, through :func:`.query.connect`):

``topics``     region × topic (work type or hazard domain) task counts; ``(none)`` for a
               task without one.
``coverage``   per region: notices, files, tasks, and the share of tasks that name a
               lead unit, a deadline, a frequency.
``leads``      per region the lead units named most (by tasks led; canonical names).
``yoy``        with ``--region``: the region's latest year (or ``--year``) against the
               year before it that the run holds, by topic: tasks kept (one of the
               task's obligations is in a ``task_clusters`` cluster with a task of the
               earlier year), added (none is), dropped (earlier tasks matched by no task
               of the later year).

Counts are per notice, not per file: the same notice as PDF and web page (one
``documents.notice_key``) counts once, read from the first of its files by source path,
the file that also speaks for the notice in ``task_clusters``. ``files`` in ``coverage``
says how many files carried the region's notices.

A region is the division the header reader found: province, city and county joined
(重庆市渝北区), ``(unknown)`` without one. ``--region`` matches that name, any of its
parts, or the GB/T 2260 code. ``--year`` filters on ``plan_year``.
"""
from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import pandas as pd

from .query import connect

UNKNOWN_REGION = "(unknown)"
NO_TOPIC = "(none)"
VIEWS = ("topics", "coverage", "leads", "yoy")
GRID_MAX_REGIONS = 8  # regions as columns of the topic grid on a terminal, at most


def region_label(province, city, county, code=None) -> str:
    """Province, city and county joined, each once (重庆市 + 渝北区 → 重庆市渝北区)."""
    parts = [p for p in (province, city, county) if isinstance(p, str) and p.strip()]
    return "".join(dict.fromkeys(parts)) or (code if isinstance(code, str) and code else UNKNOWN_REGION)


def _documents(con) -> pd.DataFrame:
    cols = {r[0] for r in con.execute("DESCRIBE documents").fetchall()}
    key = "notice_key" if "notice_key" in cols else "doc_id"  # a run before schema 1.4: one notice per file
    docs = con.execute(f"""SELECT doc_id, source_path, coalesce({key}, doc_id) AS notice_key, plan_year,
                           region_code, region_province, region_city, region_county FROM documents""").df()
    docs["region"] = [region_label(p, c, k, code) for p, c, k, code in
                      zip(docs.region_province, docs.region_city, docs.region_county, docs.region_code)]
    return docs


def _in_region(docs: pd.DataFrame, region: str) -> pd.Series:
    return ((docs.region == region) | (docs.region_code == region) | (docs.region_province == region)
            | (docs.region_city == region) | (docs.region_county == region))


def _speakers(docs: pd.DataFrame) -> pd.DataFrame:
    """One document per notice: the first of its files by source path."""
    return docs.sort_values("source_path", kind="stable").drop_duplicates("notice_key", keep="first")


def compare(out: str | Path, *, year: int | None = None, region: str | None = None,
            top: int = 5) -> dict[str, pd.DataFrame]:
    """Every view of the run in ``out`` (see the module docstring), as DataFrames."""
    con = connect(out)
    try:
        docs = _documents(con)
        speakers = _speakers(docs)
        chosen = speakers
        files = docs
        if year is not None:
            chosen = chosen[chosen.plan_year == year]
            files = files[files.plan_year == year]
        if region is not None:
            chosen = chosen[_in_region(chosen, region)]
            files = files[_in_region(files, region)]
        con.register("chosen", chosen[["doc_id", "notice_key", "region", "plan_year"]])
        con.register("chosen_files", files[["doc_id", "notice_key", "region"]])
        views = {
            "topics": con.execute(f"""
                WITH per_task AS (
                    SELECT c.region, 'work_type' AS kind,
                           unnest(CASE WHEN len(t.topics) = 0 THEN ['{NO_TOPIC}'] ELSE t.topics END) AS topic
                    FROM tasks t JOIN chosen c USING (doc_id)
                    UNION ALL
                    SELECT c.region, 'hazard' AS kind,
                           unnest(CASE WHEN len(t.hazards) = 0 THEN ['{NO_TOPIC}'] ELSE t.hazards END) AS topic
                    FROM tasks t JOIN chosen c USING (doc_id))
                SELECT region, kind, topic, count(*) AS tasks FROM per_task
                GROUP BY ALL ORDER BY region, kind DESC, tasks DESC, topic""").df(),
            "coverage": con.execute("""
                WITH lead AS (SELECT DISTINCT task_id FROM task_units WHERE role = 'lead'),
                     due AS (SELECT DISTINCT task_id FROM deadlines),
                     freq AS (SELECT DISTINCT task_id FROM frequencies),
                     n_files AS (SELECT region, count(*) AS files FROM chosen_files GROUP BY region)
                SELECT c.region, count(DISTINCT c.notice_key) AS notices, any_value(f.files) AS files,
                       count(t.task_id) AS tasks,
                       round(avg(CASE WHEN t.task_id IS NULL THEN NULL WHEN lead.task_id IS NULL THEN 0.0 ELSE 1.0 END), 3) AS share_lead,
                       round(avg(CASE WHEN t.task_id IS NULL THEN NULL WHEN due.task_id IS NULL THEN 0.0 ELSE 1.0 END), 3) AS share_deadline,
                       round(avg(CASE WHEN t.task_id IS NULL THEN NULL WHEN freq.task_id IS NULL THEN 0.0 ELSE 1.0 END), 3) AS share_frequency
                FROM chosen c LEFT JOIN tasks t USING (doc_id)
                     LEFT JOIN lead ON lead.task_id = t.task_id
                     LEFT JOIN due ON due.task_id = t.task_id
                     LEFT JOIN freq ON freq.task_id = t.task_id
                     LEFT JOIN n_files f ON f.region = c.region
                GROUP BY c.region ORDER BY c.region""").df(),
            "leads": con.execute("""
                WITH led AS (
                    SELECT c.region, coalesce(u.unit_canonical, u.unit) AS unit, count(DISTINCT u.task_id) AS tasks
                    FROM task_units u JOIN chosen c USING (doc_id)
                    WHERE u.role = 'lead' GROUP BY ALL)
                SELECT region, unit, tasks FROM (
                    SELECT *, row_number() OVER (PARTITION BY region ORDER BY tasks DESC, unit) AS rank FROM led)
                WHERE rank <= ? ORDER BY region, tasks DESC, unit""", [top]).df(),
        }
        views["yoy"] = _year_over_year(con, speakers, region, year) if region is not None else _empty_yoy()
        return views
    finally:
        con.close()


def _empty_yoy() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in (
        ("region", "object"), ("year_from", "int64"), ("year_to", "int64"), ("kind", "object"),
        ("topic", "object"), ("kept", "int64"), ("added", "int64"), ("dropped", "int64"))})


def _year_over_year(con, speakers: pd.DataFrame, region: str, year: int | None) -> pd.DataFrame:
    mine = speakers[_in_region(speakers, region) & speakers.plan_year.notna()]
    years = sorted({int(y) for y in mine.plan_year})
    to = year if year is not None else (years[-1] if years else None)
    earlier = [y for y in years if to is not None and y < to]
    has_clusters = bool(con.execute("SELECT count(*) FROM duckdb_views() WHERE view_name = 'task_clusters'")
                        .fetchall()[0][0])
    if to is None or not earlier or not has_clusters:
        return _empty_yoy()
    frm = earlier[-1]
    con.register("yoy_docs", mine[["doc_id", "plan_year"]].assign(plan_year=mine.plan_year.astype("int64")))
    table = con.execute("""
        WITH before AS (SELECT t.task_id, t.topics, t.hazards FROM tasks t JOIN yoy_docs d USING (doc_id)
                        WHERE d.plan_year = $frm),
             after AS (SELECT t.task_id, t.topics, t.hazards FROM tasks t JOIN yoy_docs d USING (doc_id)
                       WHERE d.plan_year = $to),
             pairs AS (SELECT DISTINCT a.task_id AS after_id, b.task_id AS before_id
                       FROM task_clusters ca JOIN task_clusters cb ON ca.cluster_id = cb.cluster_id
                       JOIN after a ON a.task_id = ca.task_id JOIN before b ON b.task_id = cb.task_id),
             marked AS (
                SELECT topics, hazards, CASE WHEN task_id IN (SELECT after_id FROM pairs) THEN 'kept' ELSE 'added' END AS status
                FROM after
                UNION ALL
                SELECT topics, hazards, 'dropped' FROM before WHERE task_id NOT IN (SELECT before_id FROM pairs)),
             per_topic AS (
                SELECT 'work_type' AS kind, unnest(CASE WHEN len(topics) = 0 THEN ['(none)'] ELSE topics END) AS topic, status FROM marked
                UNION ALL
                SELECT 'hazard', unnest(CASE WHEN len(hazards) = 0 THEN ['(none)'] ELSE hazards END), status FROM marked
                UNION ALL
                SELECT 'all', '(all tasks)', status FROM marked),
             counted AS (
                SELECT kind, topic, count(*) FILTER (WHERE status = 'kept') AS kept,
                       count(*) FILTER (WHERE status = 'added') AS added,
                       count(*) FILTER (WHERE status = 'dropped') AS dropped
                FROM per_topic GROUP BY kind, topic)
        SELECT * FROM counted
        ORDER BY CASE kind WHEN 'all' THEN 0 WHEN 'work_type' THEN 1 ELSE 2 END, kept + added + dropped DESC, topic
        """, {"frm": frm, "to": to}).df()
    label = mine.region.iloc[0] if mine.region.nunique() == 1 else region
    table.insert(0, "year_to", to)
    table.insert(0, "year_from", frm)
    table.insert(0, "region", label)
    return table


# --------------------------------------------------------------------------- output


def _pivot_topics(topics: pd.DataFrame) -> pd.DataFrame:
    """Topics as rows, regions as columns (a region × topic grid for a person)."""
    if topics.empty:
        return pd.DataFrame(columns=["kind", "topic"])
    grid = topics.pivot_table(index=["kind", "topic"], columns="region", values="tasks", aggfunc="sum",
                              fill_value=0)
    grid["total"] = grid.sum(axis=1)
    grid = grid.reset_index()
    grid["_k"] = grid.kind.map({"work_type": 0, "hazard": 1})
    return grid.sort_values(["_k", "total"], ascending=[True, False]).drop(columns="_k")


def _cell(column, value) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if str(column).startswith("share"):
        return f"{value:.0%}"
    return str(value)


def _print_rich(views: dict[str, pd.DataFrame], stream, region: str | None = None) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(file=stream, width=max(Console(file=stream).width, 100))
    titles = {"topics": "Tasks by topic and region (per notice)",
              "coverage": "Per region: tasks naming a lead unit, a deadline, a frequency",
              "leads": "Lead units named most, per region", "yoy": "Year over year (tasks matched via task_clusters)"}
    for name, frame in views.items():
        if name == "yoy" and frame.empty:
            if region is not None:
                console.print(f"Year over year: the run holds no earlier plan year of {region} to compare with.")
            continue
        # a grid while the regions fit across a terminal, the long form beyond
        shown = _pivot_topics(frame) if name == "topics" and frame.region.nunique() <= GRID_MAX_REGIONS else frame
        table = Table(title=titles[name], title_justify="left")
        for col in shown.columns:
            table.add_column(str(col), justify="right" if pd.api.types.is_numeric_dtype(shown[col]) else "left")
        for row in shown.itertuples(index=False):
            table.add_row(*(_cell(c, v) for c, v in zip(shown.columns, row)))
        console.print(table)


def _jsonable(frame: pd.DataFrame) -> list[dict]:
    return json.loads(frame.to_json(orient="records", force_ascii=False))


def compare_cli(out: Path, *, year: int | None = None, region: str | None = None, top: int = 5,
                csv_dir: Path | None = None, as_json: bool = False, stream=None) -> int:
    """0 printed or written; 2 no run in OUT."""
    from .parquet import current_run_dir

    stream = stream or sys.stdout
    if current_run_dir(Path(out)) is None:
        print(f"error: {out} holds no published policyparse run", file=sys.stderr)
        return 2
    views = compare(out, year=year, region=region, top=top)
    if csv_dir is not None:
        csv_dir.mkdir(parents=True, exist_ok=True)
        for name, frame in views.items():
            # UTF-8 with BOM: Excel and WPS open it without mojibake
            frame.to_csv(csv_dir / f"{name}.csv", index=False, encoding="utf-8-sig", quoting=csv.QUOTE_MINIMAL)
        print(f"{len(views)} view(s) written to {csv_dir}: " + ", ".join(f"{n}.csv" for n in views), file=stream)
    elif as_json:
        json.dump({"year": year, "region": region, **{n: _jsonable(f) for n, f in views.items()}},
                  stream, ensure_ascii=False, indent=1)
        print(file=stream)
    else:
        _print_rich(views, stream, region)
    return 0


__all__ = ["compare", "compare_cli", "region_label", "VIEWS"]
