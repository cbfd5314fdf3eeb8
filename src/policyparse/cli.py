"""The ``policyparse`` command line: run, inspect, evaluate, query, spacy."""
from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Chinese government work notices into structured Parquet tables.")
# -h as well as --help, on every command (click hands the option names down to each command)
app.info.context_settings = {"help_option_names": ["-h", "--help"]}


def _print_version(value: bool) -> None:
    if value:
        from . import __version__
        from .model import SCHEMA_VERSION

        typer.echo(f"policyparse {__version__} (tables schema {SCHEMA_VERSION})")
        raise typer.Exit()


@app.callback()
def main(version: bool = typer.Option(False, "--version", "-V", is_eager=True, callback=_print_version,
                                      help="print the version and exit")):
    """Chinese government work notices into structured Parquet tables."""


@app.command()
def run(inputs: List[str] = typer.Argument(..., help="files or folders of notices: paths or fsspec URLs "
                                                     "(file://, s3://… with the driver installed)"),
        out: str = typer.Option("outputs", "--out", "-o", help="output folder (a path or a file:// URL)"),
        workers: int = typer.Option(1, "--workers", "-w", help="worker processes on this machine"),
        scheduler: Optional[str] = typer.Option(None, "--scheduler",
                                                help="Dask scheduler address (tcp://host:8786) or 'local'"),
        ocr: bool = typer.Option(True, "--ocr/--no-ocr", help="OCR scanned PDFs"),
        quiet: bool = typer.Option(False, "--quiet", "-q", help="no progress output"),
        allow_empty: bool = typer.Option(False, "--allow-empty",
                                         help="publish even when no document could be read"),
        limit: List[str] = typer.Option([], "--limit",
                                        help="raise or lower a limit, NAME=VALUE (repeatable; README: "
                                             "What the pipeline refuses)"),
        limits_file: Optional[Path] = typer.Option(None, "--limits-file",
                                                   help="a YAML mapping of limit NAME: VALUE"),
        follow_symlinks: bool = typer.Option(False, "--follow-symlinks",
                                             help="follow symbolic links that leave the input folders"),
        shared_storage: bool = typer.Option(False, "--shared-storage",
                                            help="Dask workers see the input paths: they read the files "
                                                 "themselves instead of receiving their bytes from this "
                                                 "process (automatic for remote URLs)")):
    """Read every notice under INPUTS and write the tables to OUT.

    Exit status: 0 every file read; 1 some files failed (the run is published, see the
    failures table); 2 a usage or environment error (nothing is published)."""
    from .batch import run_batch
    from .errors import PolicyParseError, UsageError

    from . import limits as limits_mod

    try:
        settings = limits_mod.DEFAULT
        if limits_file is not None:
            settings = settings.with_overrides(limits_mod.from_file(limits_file))
        settings = settings.with_overrides(limit)
        limits_mod.activate(settings)
        summary = run_batch(inputs, out, workers=workers, scheduler=scheduler, ocr=ocr, quiet=quiet,
                            allow_empty=allow_empty, limits=settings, follow_symlinks=follow_symlinks,
                            shared_storage=shared_storage)
    except UsageError as e:
        typer.echo(f"policyparse run: {e}", err=True)
        raise typer.Exit(2)
    except PolicyParseError as e:  # the environment: OUT locked by another run, say
        typer.echo(f"policyparse run: {e}; nothing was published", err=True)
        raise typer.Exit(2)
    except OSError as e:  # an OUT that cannot be written (read-only, not a folder, full)
        typer.echo(f"policyparse run: cannot write {e.filename or out}: {e.strerror}; "
                   "the last published tables stand", err=True)
        raise typer.Exit(2)
    except KeyboardInterrupt:
        typer.echo("policyparse run: interrupted; nothing was published, the last run's tables stand",
                   err=True)
        raise typer.Exit(130)
    if not quiet:
        typer.echo(summary.describe())
    raise typer.Exit(1 if summary.failures else 0)


@app.command()
def inspect(target: Optional[str] = typer.Argument(None, help="a file, or a doc_id or task_id of the run in --out"),
            tasks: bool = typer.Option(False, "--tasks", help="print every task with its fields"),
            components: bool = typer.Option(False, "--components",
                                            help="list the pipeline's steps and the layers they read and write"),
            out: Path = typer.Option(Path("outputs"), "--out", "-o",
                                     help="the run a doc_id or task_id is looked up in"),
            ocr: bool = typer.Option(True, "--ocr/--no-ocr")):
    """Show a file's header fields and block outline (and tasks with --tasks).

    TARGET is a path, or a doc_id or task_id of the run published in --out: its source
    file is read again (a task_id shows that task only)."""
    from .inspect import inspect_components, inspect_file, inspect_record

    if components:
        raise typer.Exit(inspect_components())
    if target is None:
        typer.echo("policyparse inspect: give a FILE, a doc_id or task_id (with --out), or --components", err=True)
        raise typer.Exit(2)
    path = Path(target)
    if path.is_dir():
        typer.echo(f"policyparse inspect: {target} is a folder; give one file", err=True)
        raise typer.Exit(2)
    if path.exists():
        raise typer.Exit(inspect_file(path, show_tasks=tasks, ocr=ocr))
    if path.suffix or "/" in target:  # ids have neither: this was meant as a path
        typer.echo(f"policyparse inspect: no such file: {target}", err=True)
        raise typer.Exit(2)
    raise typer.Exit(inspect_record(out, target, show_tasks=tasks, ocr=ocr))


@app.command()
def evaluate(out: Path = typer.Argument(..., help="an output folder of `policyparse run`"),
             gold: Path = typer.Argument(..., help="a folder of gold JSON files (ANNOTATION.md)"),
             group_by: str = typer.Option("folder", "--group-by", help="format, folder or region"),
             verbose: bool = typer.Option(False, "--verbose", "-v")):
    """Score OUT against GOLD, field by field and per source format."""
    from .evaluate import evaluate_cli

    raise typer.Exit(evaluate_cli(out, gold, group_by=group_by, verbose=verbose))


@app.command()
def query(out: Path = typer.Argument(..., help="an output folder of `policyparse run`"),
          sql: str = typer.Argument(..., help="SQL over the tables, each a view by its name")):
    """Run SQL with DuckDB over OUT's tables."""
    from .export.query import run_query

    raise typer.Exit(run_query(out, sql))


@app.command()
def spacy(out: Path = typer.Argument(..., help="an output folder of `policyparse run`"),
          dest: Path = typer.Argument(..., help="the .spacy file to write (a spaCy DocBin)")):
    """Write OUT's documents as spaCy Docs with a span group per record kind (a DocBin)."""
    from .errors import ExportError
    from .export.spacy_docs import write_docbin

    try:
        n = write_docbin(out, dest)
    except ExportError as e:
        typer.echo(f"policyparse spacy: {e}", err=True)
        raise typer.Exit(2)
    typer.echo(f"{n} document(s) written to {dest}")


@app.command()
def export(out: Path = typer.Argument(..., help="an output folder of `policyparse run`"),
           xlsx: Optional[Path] = typer.Option(None, "--xlsx", help="write a workbook (Excel, WPS) here"),
           csv: Optional[Path] = typer.Option(None, "--csv", help="write one UTF-8 (BOM) CSV per table into this folder")):
    """Write OUT's tables for spreadsheets: an .xlsx workbook and/or CSV files."""
    from .errors import ExportError
    from .export.xlsx import write_csv, write_xlsx

    if xlsx is None and csv is None:
        typer.echo("policyparse export: give --xlsx FILE and/or --csv DIR", err=True)
        raise typer.Exit(2)
    try:
        if xlsx is not None:
            sheets = write_xlsx(out, xlsx)
            typer.echo(f"{xlsx}: " + ", ".join(f"{name} {n}" for name, n in sheets.items()))
        if csv is not None:
            files = write_csv(out, csv)
            typer.echo(f"{csv}/: " + ", ".join(f"{name}.csv {n}" for name, n in files.items()))
    except ExportError as e:
        typer.echo(f"policyparse export: {e}", err=True)
        raise typer.Exit(2)


@app.command()
def review(target: str = typer.Argument(..., help="a file, or a doc_id or task_id of the run in --out"),
           html: Path = typer.Option(Path("review.html"), "--html", help="the page to write"),
           out: Optional[Path] = typer.Option(None, "--out", "-o",
                                              help="the published run a doc_id or task_id is looked up in"),
           ocr: bool = typer.Option(True, "--ocr/--no-ocr")):
    """Write one self-contained HTML page to check a document's extraction by eye.

    The text with every extracted span highlighted by kind, a list of the tasks that
    jumps to each, and the header fields. TARGET is a file (the pipeline runs on it)
    or, with --out, a doc_id or task_id of a published run (the page shows what was
    published; a task_id opens the page at that task)."""
    from .errors import PolicyParseError
    from .export.review import write_review

    path = Path(target)
    try:
        if path.is_file():
            from .export.tables import document_rows
            from .pipeline import parse_file

            rows, focus = document_rows(parse_file(path, ocr=ocr)), None
        elif out is not None:
            from .export.load import document_records

            rows, focus = document_records(out, target)
        else:
            typer.echo(f"policyparse review: {target} is no file; to look up a doc_id or task_id give --out OUT",
                       err=True)
            raise typer.Exit(2)
        counts = write_review(rows, html, focus_task=focus)
    except PolicyParseError as e:
        typer.echo(f"policyparse review: {type(e).__name__} {e}", err=True)
        raise typer.Exit(2)
    typer.echo(f"{html}: " + ", ".join(f"{kind} {n}" for kind, n in counts.items()))


@app.command()
def schema(table: Optional[str] = typer.Argument(None, help="one table (default: the whole dictionary)")):
    """Print the data dictionary: every table, column and value (docs/tables.md is this text)."""
    from .export.dictionary import render_markdown, table_markdown
    from .export.schema import ALL_TABLES

    if table is None:
        typer.echo(render_markdown(), nl=False)
        return
    if table not in ALL_TABLES:
        typer.echo(f"policyparse schema: no table {table!r} (tables: {', '.join(ALL_TABLES)})", err=True)
        raise typer.Exit(2)
    typer.echo(table_markdown(table))


@app.command()
def compare(out: Path = typer.Argument(..., help="an output folder of `policyparse run`"),
            year: Optional[int] = typer.Option(None, "--year", help="only plans of this plan_year "
                                               "(with --region: the later year of the year-over-year view)"),
            region: Optional[str] = typer.Option(None, "--region", help="only this region (name, part of "
                                                 "it such as 渝北区, or GB/T 2260 code); adds the year-over-year view"),
            top: int = typer.Option(5, "--top", help="lead units listed per region"),
            csv_dir: Optional[Path] = typer.Option(None, "--csv", help="write one UTF-8 CSV per view into this folder"),
            as_json: bool = typer.Option(False, "--json", help="print the views as one JSON object")):
    """Compare regions and years: tasks by topic, lead/deadline/frequency shares, lead units,
    and a region's year over year (per notice, not per file)."""
    from .export.compare import compare_cli

    raise typer.Exit(compare_cli(out, year=year, region=region, top=top, csv_dir=csv_dir, as_json=as_json))


if __name__ == "__main__":  # pragma: no cover
    app()
