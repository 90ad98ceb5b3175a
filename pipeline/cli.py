"""Command line: ``zongjie extract PATH... -o facts.jsonl`` and ``zongjie schema``.

Each input yields exactly one output line (a Document), in input order; an
unreadable input yields a record with ``status: "error"`` and the run goes on.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from .batch.run import default_workers, run
from .batch.inputs import Input, iter_inputs
from .batch.export import Prepared
from .records import Document, json_schema

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="zongjie: facts from Chinese union work reports, grounded in source offsets.")
err = Console(stderr=True)


class _Tally:
    """What --summary prints, kept small: the documents themselves are
    written batch by batch and not held."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, ...]] = []
        self.flags: list[str] = []

    def add(self, d: Prepared) -> None:
        self.rows.append((d.doc_id, d.status if d.status == "ok" else f"error: {d.error}",
                          *(str(x) for x in d.summary)))
        self.flags += [f"  [yellow]{d.doc_id}[/] {q!r} @{start}: amount {status}" for q, start, status in d.flagged]

    def print(self) -> None:
        con = Console()
        t = Table(title="zongjie extract", show_lines=False)
        for col in ("document", "status", "sections", "amounts", "counts", "dates", "placeholders", "checks"):
            t.add_column(col, justify="left" if col in ("document", "status") else "right", overflow="fold")
        for r in self.rows:
            t.add_row(*r)
        con.print(t)
        for line in self.flags:
            con.print(line)


def _count_inputs(paths: list[Path]) -> int:
    """A first pass over the inputs that only counts them (for the progress bar)
    and fails early on a missing path; nothing is kept, so a run over a million
    files does not hold a million inputs while it works."""
    try:
        n = sum(1 for _ in iter_inputs(paths))
    except (FileNotFoundError, OSError) as e:
        err.print(f"[red]{e}[/]")
        raise typer.Exit(2) from None
    if not n:
        err.print("[red]no input files[/] (folders are searched for *.txt, *.html and *.zip)")
        raise typer.Exit(2)
    return n


def _inputs(paths: list[Path]) -> list[Input]:
    _count_inputs(paths)
    return list(iter_inputs(paths))


@app.command()
def extract(
    paths: list[Path] = typer.Argument(..., help="files, folders (recursive), globs or .zip archives"),
    output: Path = typer.Option(Path("facts.jsonl"), "-o", "--output",
                                help="a .jsonl file, or a folder for --format parquet/csv"),
    fmt: str = typer.Option("jsonl", "--format", help="jsonl | parquet | csv"),
    workers: int = typer.Option(0, "--workers", "-w", help="processes (or Dask workers for --dask local); 0 = all cores"),
    duckdb_out: Optional[Path] = typer.Option(None, "--duckdb", help="also write the tables into this DuckDB file"),
    resume: bool = typer.Option(False, "--resume", help="keep what an interrupted run committed; do the rest"),
    dask: Optional[str] = typer.Option(None, "--dask", help="run on a Dask cluster: SCHEDULER_ADDRESS, or 'local'"),
    batch_docs: int = typer.Option(256, "--batch-size", help="documents per committed batch"),
    summary: bool = typer.Option(False, "--summary", help="print a table of what was found"),
    ner: bool = typer.Option(True, "--ner/--no-ner",
                             help="run the NER model (entities, count subjects, organisations per section)"),
    redact: bool = typer.Option(False, "--redact-persons",
                                help="replace person names by stable pseudonyms in every text field"),
    redact_key: str = typer.Option("", "--redact-key", envvar="ZONGJIE_REDACT_KEY",
                                   help="secret mixed into the pseudonyms (without it they can be guessed back)"),
) -> None:
    """Extract facts from reports: JSONL (the form ../shared/eval/score.py reads)
    or a Parquet/CSV dataset of tables (documents, sections, facts, checks,
    placeholders), written in committed batches (see --resume)."""
    from .batch.dataset import DatasetWriter, ResumeConflict
    from .batch.export import prepare
    from .document import Options, content_hash

    if redact and not ner:
        raise typer.BadParameter("--redact-persons finds names with the NER model; drop --no-ner")
    if ner:
        _require_ner_model()
    options = Options(ner=ner, redact_persons=redact, redact_key=redact_key)
    if fmt not in ("jsonl", "parquet", "csv"):
        raise typer.BadParameter("--format must be jsonl, parquet or csv")
    if batch_docs < 1:
        raise typer.BadParameter("--batch-size must be at least 1")
    if fmt == "jsonl" and output.is_dir():
        raise typer.BadParameter(f"{output} is a folder; JSONL output is one file (or use --format parquet)")
    if fmt != "jsonl" and output.is_file():
        raise typer.BadParameter(f"{output} is a file; --format {fmt} writes a folder of tables")
    n_inputs = _count_inputs(paths)
    n_workers = default_workers() if workers <= 0 else workers
    writer = DatasetWriter(output, fmt, duckdb=duckdb_out, resume=resume, batch_docs=batch_docs)

    def sha_of(inp: Input):
        try:
            return content_hash(inp.read())
        except Exception:
            return None

    # inputs stream from the folder to the workers; only the ids of documents an
    # earlier run committed are held (checked before any work, so that a changed
    # input stops the run before anything is written)
    done: set[str] = set()
    if resume:
        try:
            done = {inp.doc_id for inp in iter_inputs(paths) if writer.should_skip(inp.doc_id, lambda: sha_of(inp))}
        except ResumeConflict as e:
            err.print(f"[red]cannot resume:[/] {e}")
            raise typer.Exit(2) from None
        err.print(f"resume: {len(done)} documents already done, {n_inputs - len(done)} to do")
    todo = (inp for inp in iter_inputs(paths) if inp.doc_id not in done)
    tally = _Tally()
    started = time.monotonic()
    nchars = ndocs = errors = 0
    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  TextColumn("{task.fields[rate]}"), TimeElapsedColumn(), console=err,
                  disable=not err.is_terminal) as prog:
        task = prog.add_task("extract", total=n_inputs - len(done), rate="")
        for _, doc in run(todo, n_workers, dask=dask, finish=prepare, options=options):
            writer.add(doc)
            ndocs += 1
            nchars += doc.length
            errors += doc.status == "error"
            if summary:
                tally.add(doc)
            dt = max(time.monotonic() - started, 1e-6)
            prog.update(task, advance=1, rate=f"{ndocs / dt:.1f} docs/s {nchars / dt / 1e6:.2f} Mchars/s")
    writer.close()
    err.print(f"{ndocs} documents, {errors} errors -> {output}" + (f" and {duckdb_out}" if duckdb_out else ""))
    if summary:
        tally.print()


def _require_ner_model() -> None:
    from .models.ner import MODEL_DIR

    if not (MODEL_DIR / "meta.json").exists():
        err.print(f"[red]no NER model at {MODEL_DIR}[/]: run `zongjie train-ner`, or pass --no-ner")
        raise typer.Exit(2)


@app.command()
def schema() -> None:
    """Print the JSON Schema of one output line."""
    json.dump(json_schema(), sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")



@app.command()
def audit(
    paths: list[Path] = typer.Argument(..., help="files or folders (folders: every *.txt, recursively)"),
    only_problems: bool = typer.Option(False, "--only-problems", help="show inconsistent checks only"),
    html_out: Optional[Path] = typer.Option(None, "--html", help="also write a self-contained HTML report"),
) -> None:
    """Check stated totals against their parts. Exit 1 if any check is
    inconsistent, 2 if any input is unusable, else 0 (like a linter)."""
    from .text.reading import DecodeError, decode_bytes
    from .audit.report import render, sentence_at

    from .document import error_document, process_text

    con = Console()
    inputs = _inputs(paths)
    rendered: list[tuple[Document, str]] = []
    unusable = inconsistent = 0
    for inp in inputs:
        doc_id = inp.doc_id
        try:
            dec = decode_bytes(inp.read())
        except (OSError, ValueError, DecodeError) as e:
            doc, raw = error_document(doc_id, str(e)), ""
        else:
            doc, raw = process_text(doc_id, dec.text, dec.encoding, html=inp.is_html), dec.text
        rendered.append((doc, raw))
        if doc.status != "ok":
            unusable += 1
            con.print(f"[bold]{doc_id}[/]: [red]unusable input[/] {doc.error}")
            continue
        shown = [c for c in doc.checks if c.status == "inconsistent" or not only_problems]
        inconsistent += sum(c.status == "inconsistent" for c in doc.checks)
        if not shown:
            if not only_problems:
                con.print(f"[bold]{doc_id}[/]: no totals with parts found")
            continue
        t = Table(title=doc_id, show_lines=True, title_justify="left")
        t.add_column("status", no_wrap=True)
        t.add_column("check", no_wrap=True)
        t.add_column("arithmetic")
        t.add_column("sentence", overflow="fold")
        style = {"consistent": "green", "inconsistent": "bold red", "unverifiable": "yellow"}
        for c in sorted(shown, key=lambda c: ({"inconsistent": 0, "unverifiable": 1}.get(c.status, 2), c.total.start)):
            t.add_row(f"[{style[c.status]}]{c.status}[/]", f"{c.relation}\n{c.scope}\n@{c.total.start}",
                      c.derivation, sentence_at(raw, c.total.start)[:140])
        con.print(t)
    if html_out:
        html_out.write_text(render(rendered), encoding="utf-8")
        err.print(f"report -> {html_out}")
    err.print(f"{len(rendered)} documents, {inconsistent} inconsistent checks, {unusable} unusable inputs")
    raise typer.Exit(2 if unusable else 1 if inconsistent else 0)


def _register_plugins() -> None:
    """Commands other wings add (the training commands of ``pipeline.train``),
    found by entry point so that this runtime module never imports them."""
    from importlib.metadata import entry_points

    for ep in entry_points(group="zongjie.commands"):
        ep.load()(app)


_register_plugins()

if __name__ == "__main__":
    app()
