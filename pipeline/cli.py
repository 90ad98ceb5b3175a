"""Command line: ``zongjie extract PATH... -o facts.jsonl`` and ``zongjie schema``.

Each input yields exactly one output line (a Document), in input order; an
unreadable input yields a record with ``status: "error"`` and the run goes on.
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from .batch import default_workers, run
from .inputs import Input, iter_inputs
from .records import Document, json_schema

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="zongjie: facts from Chinese union work reports, grounded in source offsets.")
err = Console(stderr=True)


def _summary(docs: list[Document]) -> None:
    con = Console()
    t = Table(title="zongjie extract", show_lines=False)
    for col in ("document", "status", "sections", "amounts", "counts", "dates", "placeholders", "checks"):
        t.add_column(col, justify="left" if col in ("document", "status") else "right", overflow="fold")
    for d in docs:
        c = Counter(f.type for f in d.facts)
        t.add_row(d.doc_id, d.status if d.status == "ok" else f"error: {d.error}", str(len(d.sections)),
                  str(c["amount"]), str(c["count"]), str(c["date"]), str(len(d.placeholders)), str(len(d.checks)))
    con.print(t)
    for d in docs:
        for f in d.facts:
            if f.type == "amount" and f.status != "ok":
                con.print(f"  [yellow]{d.doc_id}[/] {f.quote!r} @{f.start}: amount {f.status}")


def _inputs(paths: list[Path]) -> list[Input]:
    try:
        inputs = list(iter_inputs(paths))
    except (FileNotFoundError, OSError) as e:
        err.print(f"[red]{e}[/]")
        raise typer.Exit(2) from None
    if not inputs:
        err.print("[red]no input files[/] (folders are searched for *.txt, *.html and *.zip)")
        raise typer.Exit(2)
    return inputs


@app.command()
def extract(
    paths: list[Path] = typer.Argument(..., help="files, folders (recursive), globs or .zip archives"),
    output: Path = typer.Option(Path("facts.jsonl"), "-o", "--output",
                                help="a .jsonl file, or a folder for --format parquet/csv"),
    fmt: str = typer.Option("jsonl", "--format", help="jsonl | parquet | csv"),
    workers: int = typer.Option(1, "--workers", "-w", help="processes; 0 = all cores"),
    summary: bool = typer.Option(False, "--summary", help="print a table of what was found"),
) -> None:
    """Extract facts from reports: JSONL (the form ../shared/eval/score.py reads)
    or a Parquet/CSV dataset of tables (documents, sections, facts, checks, placeholders)."""
    if fmt not in ("jsonl", "parquet", "csv"):
        raise typer.BadParameter("--format must be jsonl, parquet or csv")
    inputs = _inputs(paths)
    n_workers = default_workers() if workers == 0 else workers
    docs: list[Document] = []
    jsonl_tmp = None
    if fmt == "jsonl":
        output.parent.mkdir(parents=True, exist_ok=True)
        jsonl_tmp = output.with_name(output.name + ".part")
        fh = jsonl_tmp.open("w", encoding="utf-8")
    started = time.monotonic()
    nbytes = 0
    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  TextColumn("{task.fields[rate]}"), TimeElapsedColumn(), console=err,
                  disable=not err.is_terminal) as prog:
        task = prog.add_task("extract", total=len(inputs), rate="")
        for _, doc in run(inputs, n_workers):
            nbytes += doc.length
            if jsonl_tmp is not None:
                fh.write(doc.to_json() + "\n")
            docs.append(doc)
            dt = max(time.monotonic() - started, 1e-6)
            prog.update(task, advance=1, rate=f"{len(docs) / dt:.1f} docs/s {nbytes / dt / 1e6:.2f} Mchars/s")
    if jsonl_tmp is not None:
        fh.close()
        jsonl_tmp.replace(output)
    else:
        from .export import write_dataset

        write_dataset(docs, output, fmt)
    errors = sum(d.status == "error" for d in docs)
    err.print(f"{len(docs)} documents, {errors} errors -> {output}")
    if summary:
        _summary(docs)


@app.command()
def schema() -> None:
    """Print the JSON Schema of one output line."""
    json.dump(json_schema(), sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    app()


@app.command()
def audit(
    paths: list[Path] = typer.Argument(..., help="files or folders (folders: every *.txt, recursively)"),
    only_problems: bool = typer.Option(False, "--only-problems", help="show inconsistent checks only"),
    html_out: Optional[Path] = typer.Option(None, "--html", help="also write a self-contained HTML report"),
) -> None:
    """Check stated totals against their parts. Exit 1 if any check is
    inconsistent, 2 if any input is unusable, else 0 (like a linter)."""
    from .reading import DecodeError, decode_bytes
    from .report import render, sentence_at

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
