"""The ``policyparse`` command line: run, inspect, evaluate, query, spacy."""
from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Chinese government work notices into structured Parquet tables.")


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
        shared_storage: bool = typer.Option(False, "--shared-storage",
                                            help="Dask workers see the input paths: they read the files "
                                                 "themselves instead of receiving their bytes from this "
                                                 "process (automatic for remote URLs)")):
    """Read every notice under INPUTS and write the tables to OUT.

    Exit status: 0 every file read; 1 some files failed (the run is published, see the
    failures table); 2 a usage or environment error (nothing is published)."""
    from .batch import run_batch
    from .errors import UsageError

    try:
        summary = run_batch(inputs, out, workers=workers, scheduler=scheduler, ocr=ocr, quiet=quiet,
                            allow_empty=allow_empty, shared_storage=shared_storage)
    except UsageError as e:
        typer.echo(f"policyparse run: {e}", err=True)
        raise typer.Exit(2)
    if not quiet:
        typer.echo(summary.describe())
    raise typer.Exit(1 if summary.failures else 0)


@app.command()
def inspect(file: Optional[Path] = typer.Argument(None, exists=True, dir_okay=False),
            tasks: bool = typer.Option(False, "--tasks", help="print every task with its fields"),
            components: bool = typer.Option(False, "--components",
                                            help="list the pipeline's steps and the layers they read and write"),
            ocr: bool = typer.Option(True, "--ocr/--no-ocr")):
    """Show a file's header fields and block outline (and tasks with --tasks)."""
    from .inspect import inspect_components, inspect_file

    if components:
        raise typer.Exit(inspect_components())
    if file is None:
        typer.echo("policyparse inspect: give a FILE, or --components", err=True)
        raise typer.Exit(2)
    raise typer.Exit(inspect_file(file, show_tasks=tasks, ocr=ocr))


@app.command()
def evaluate(out: Path = typer.Argument(..., help="an output folder of `policyparse run`"),
             gold: Path = typer.Argument(..., help="a folder of gold JSON files (ANNOTATION.md)"),
             group_by: str = typer.Option("folder", "--group-by", help="format or folder"),
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


if __name__ == "__main__":  # pragma: no cover
    app()
