"""Command line: ``zongjie extract PATH... -o facts.jsonl`` and ``zongjie schema``.

Each input yields exactly one output line (a Document), in input order; an
unreadable input yields a record with ``status: "error"`` and the run goes on.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import stat
import sys
import tempfile
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.markup import escape

from . import __version__
from .batch.dataset import ResumeConflict
from .batch.export import Prepared
from .batch.inputs import Input, duplicate_ids, iter_inputs
from .batch.run import DaskUnreachable, default_workers, run
from .document import DEFAULT_TIME_LIMIT, Options, content_hash
from .records import json_schema

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="zongjie: facts from Chinese union work reports, grounded in source offsets.")
err = Console(stderr=True)


class _Quiet:
    """What a progress bar is where stderr is not a terminal: nothing (and no
    import of rich.progress, ~10 ms of a short run's start)."""

    def __init__(self, console: Console) -> None:
        self.console = console

    def __enter__(self) -> _Quiet:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def add_task(self, *args: object, **kwargs: object) -> int:
        return 0

    def update(self, *args: object, **kwargs: object) -> None:
        return None


def _progress(label: str, rate: bool):
    """A progress bar on stderr: label, bar, done/total, (rate,) time elapsed."""
    if not err.is_terminal:
        return _Quiet(err)
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    cols = [TextColumn(label), BarColumn(), TextColumn("{task.completed}/{task.total}")]
    if rate:
        cols.append(TextColumn("{task.fields[rate]}"))
    return Progress(*cols, TimeElapsedColumn(), console=err)


class _Tally:
    """What --summary prints, kept small: the documents themselves are
    written batch by batch and not held."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, ...]] = []
        self.flags: list[str] = []

    def add(self, d: Prepared) -> None:
        self.rows.append((escape(d.doc_id), d.status if d.status == "ok" else escape(f"{d.status}: {d.error}"),
                          *(str(x) for x in d.summary)))
        self.flags += [f"  [yellow]{escape(d.doc_id)}[/] {escape(repr(q))} @{start}: amount {status}"
                       for q, start, status in d.flagged]

    def print(self) -> None:
        from rich.table import Table

        con = Console()
        t = Table(title="zongjie extract", show_lines=False)
        for col in ("document", "status", "sections", "amounts", "counts", "dates", "placeholders", "checks",
                    "events"):
            t.add_column(col, justify="left" if col in ("document", "status") else "right", overflow="fold",
                         min_width=24 if col == "document" else None)
        for r in self.rows:
            t.add_row(*r)
        con.print(t)
        for line in self.flags:
            con.print(line)


def _count_inputs(paths: list[Path]) -> int:
    """A first pass over the inputs that counts them (for the progress bar),
    fails early on a missing path and on two inputs with one doc_id; only the
    ids are kept, so a run over a million files does not hold a million inputs."""
    try:
        n, dups = duplicate_ids(lambda: iter_inputs(paths))
    except (FileNotFoundError, OSError) as e:
        err.print(f"[red]{escape(str(e))}[/]")
        raise typer.Exit(2) from None
    if dups:
        for doc_id, a, b in dups[:5]:
            err.print(f"[red]two inputs give the doc_id {escape(doc_id)!r}:[/] {escape(a)} and {escape(b)}")
        err.print(f"{len(dups)} doc_id collisions; nothing was written. doc_ids are paths relative to the "
                  "folder named: name the folder that holds both, or run them separately.")
        raise typer.Exit(2)
    if not n:
        err.print("[red]no input files[/] (folders are searched for *.txt, *.html and *.zip)")
        raise typer.Exit(2)
    return n


def resume_key(doc_id: str, options: Options) -> str:
    """What a dataset's manifest remembers an input by. With --redact-persons
    the doc_id may hold a name (a file named after a person), so only a keyed
    hash of it is kept."""
    if not options.redact_persons:
        return doc_id
    return "hmac:" + hmac.new(options.redact_key.encode(), doc_id.encode(), hashlib.sha256).hexdigest()[:32]


def _nearest_folder(path: Path) -> Path:
    p = path.absolute().parent
    while not p.exists():
        p = p.parent
    return p


def check_target(path: Path, what: str, kind: str = "file") -> None:
    """Refuse, before any work, an output that cannot be written: a device or
    FIFO (``-o /dev/full`` once replaced the device with a file), a folder where
    a file goes (or the reverse), a place with no write access."""
    if path.exists() or path.is_symlink():
        st = path.stat() if path.exists() else None
        if st is None:
            raise typer.BadParameter(f"{what} {path} is a broken symbolic link")
        if kind == "file" and path.is_dir():
            raise typer.BadParameter(f"{what} {path} is a folder; a file is written there")
        if kind == "folder" and not path.is_dir():
            raise typer.BadParameter(f"{what} {path} is not a folder")
        if kind == "file" and not stat.S_ISREG(st.st_mode):
            raise typer.BadParameter(f"{what} {path} is not a regular file (a device, FIFO or socket); "
                                     "zongjie writes files through a temporary name and a rename")
    folder = path if kind == "folder" and path.is_dir() else _nearest_folder(path)
    if not folder.is_dir():
        raise typer.BadParameter(f"{what} {path}: {folder} is not a folder")
    try:  # as root os.access says yes to everything; a real probe also sees a read-only mount
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".zongjie-probe-"):
            pass
    except OSError as e:
        raise typer.BadParameter(f"{what} {path} cannot be written: {e.strerror or e}") from None


def _run_info(options: Options) -> dict:
    """What a dataset's marker says about the run that wrote it: a resume must match."""
    return {"zongjie": __version__, "options": {
        "ner": options.ner, "ner_engine": options.ner_engine, "redact_persons": options.redact_persons,
        # never the key itself: a fingerprint, enough to tell two keys apart
        "redact_key": hashlib.sha256(("zongjie-redact-key:" + options.redact_key).encode()).hexdigest()[:16]
        if options.redact_key else ""}}


def resolve_options(stored: dict | None, ner: bool | None, redact: bool | None, redact_key: str | None,
                    resume: bool, engine: str | None = None) -> Options:
    """The run's options: those given, else (on --resume) those the dataset was
    written with, else the defaults. A resume that contradicts the stored run is
    refused: one dataset never mixes redacted and plain names, or two versions."""
    if resume and stored is not None:
        if stored.get("zongjie") != __version__:
            raise ResumeConflict(f"the dataset was written by zongjie {stored.get('zongjie')}, this is "
                                 f"{__version__}; run again without --resume")
        # a dataset written before the engines existed was written by the model
        was = {"ner_engine": "model", **stored.get("options", {})}
        for name, given in (("ner", ner), ("redact_persons", redact), ("ner_engine", engine)):
            if given is not None and given != was.get(name):
                flag = {"ner": "--ner/--no-ner", "redact_persons": "--redact-persons",
                        "ner_engine": "--ner-engine"}[name]
                raise ResumeConflict(f"{flag} differs from the interrupted run ({name}={was.get(name)}); "
                                     "resume with the same options, or run again without --resume")
        ner = was.get("ner", True) if ner is None else ner
        engine = was["ner_engine"] if engine is None else engine
        redact = was.get("redact_persons", False) if redact is None else redact
        key = redact_key or ""
        fp = _run_info(Options(redact_key=key))["options"]["redact_key"]
        if fp != was.get("redact_key", ""):
            raise ResumeConflict("the redaction key differs from the interrupted run's "
                                 "(pass the same --redact-key or ZONGJIE_REDACT_KEY)")
    return Options(ner=True if ner is None else ner, ner_engine=engine or "lexical",
                   redact_persons=bool(redact), redact_key=redact_key or "")


class _Stdout:
    """``-o -``: JSONL lines to standard output, in input order, as they come."""

    def __init__(self) -> None:
        self.out = sys.stdout.buffer

    def add(self, doc: Prepared, key: str | None = None) -> None:
        try:
            doc.write_json(self.out)
            self.out.write(b"\n")
        finally:
            doc.discard()

    def close(self) -> None:
        self.out.flush()

    def abort(self) -> None:
        pass


@app.command()
def extract(
    paths: list[Path] = typer.Argument(..., help="files, folders (recursive), globs or .zip archives"),
    output: Path = typer.Option(Path("facts.jsonl"), "-o", "--output",
                                help="a .jsonl file ('-': standard output), or a folder for --format parquet/csv"),
    fmt: str = typer.Option("jsonl", "--format", help="jsonl | parquet | csv"),
    workers: int = typer.Option(0, "--workers", "-w", help="processes (or Dask workers for --dask local); 0 = all cores"),
    duckdb_out: Optional[Path] = typer.Option(None, "--duckdb", help="also write the tables into this DuckDB file"),
    resume: bool = typer.Option(False, "--resume", help="keep what an interrupted run committed; do the rest "
                                "(with the options it was started with)"),
    overwrite: bool = typer.Option(False, "--overwrite", help="write into a non-empty folder zongjie did not "
                                   "write (its documents/, facts/ … folders are replaced)"),
    dask: Optional[str] = typer.Option(None, "--dask", help="run on a Dask cluster: SCHEDULER_ADDRESS, or 'local'"),
    batch_docs: int = typer.Option(256, "--batch-size", help="documents per committed batch"),
    summary: bool = typer.Option(False, "--summary", help="print a table of what was found"),
    ner: Optional[bool] = typer.Option(None, "--ner/--no-ner", show_default=False,
                                       help="find entities (count subjects, organisations per section, "
                                            "persons) [default: on]"),
    engine: Optional[str] = typer.Option(None, "--ner-engine", show_default=False,
                                         help="lexical: jieba words and the entity lexicon, at the rules' "
                                              "speed; model: the character NER model (~20x slower) "
                                              "[default: lexical]"),
    redact: Optional[bool] = typer.Option(None, "--redact-persons/--keep-persons", show_default=False,
                                          help="replace person names by stable pseudonyms in every field "
                                               "[default: keep]"),
    redact_key: Optional[str] = typer.Option(None, "--redact-key", envvar="ZONGJIE_REDACT_KEY",
                                             help="secret mixed into the pseudonyms (without it they can be guessed back)"),
    time_limit: float = typer.Option(DEFAULT_TIME_LIMIT, "--time-limit",
                                     help="seconds one document may take (plus 1 s per 20,000 characters) before it becomes an error record"),
) -> None:
    """Extract facts from reports: JSONL (the form ../shared/eval/score.py reads)
    or a Parquet/CSV dataset of seven tables (documents, sections, facts, checks,
    placeholders, entities, events), written in committed batches (see --resume)."""
    from .batch.dataset import DatasetWriter, NotADataset, stored_run
    from .batch.export import prepare, prepare_json

    if fmt not in ("jsonl", "parquet", "csv"):
        raise typer.BadParameter("--format must be jsonl, parquet or csv")
    if batch_docs < 1:
        raise typer.BadParameter("--batch-size must be at least 1")
    to_stdout = str(output) == "-"
    if to_stdout and (fmt != "jsonl" or resume or duckdb_out):
        raise typer.BadParameter("-o - writes JSONL to standard output: no --format, --resume or --duckdb with it")
    if not to_stdout:
        check_target(output, "-o", "file" if fmt == "jsonl" else "folder")
    if duckdb_out is not None:
        check_target(duckdb_out, "--duckdb", "file")
    try:
        options = resolve_options(None if to_stdout else stored_run(output, fmt), ner, redact, redact_key, resume,
                                  _engine(engine))
    except ResumeConflict as e:
        err.print(f"[red]cannot resume:[/] {escape(str(e))}")
        raise typer.Exit(2) from None
    options = replace(options, time_limit=time_limit)
    if options.redact_persons and not options.ner:
        raise typer.BadParameter("--redact-persons finds names with the entity pass; drop --no-ner")
    if options.ner and options.ner_engine == "model":
        _require_ner_model()
    n_inputs = _count_inputs(paths)
    n_workers = default_workers() if workers <= 0 else workers
    try:
        writer = _Stdout() if to_stdout else DatasetWriter(
            output, fmt, duckdb=duckdb_out, resume=resume, batch_docs=batch_docs,
            run_info=_run_info(options), overwrite=overwrite)
    except NotADataset as e:
        err.print(f"[red]refused:[/] {escape(str(e))}")
        raise typer.Exit(2) from None

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
            done = {inp.doc_id for inp in iter_inputs(paths)
                    if writer.should_skip(resume_key(inp.doc_id, options), lambda: sha_of(inp))}
        except ResumeConflict as e:
            err.print(f"[red]cannot resume:[/] {escape(str(e))}")
            raise typer.Exit(2) from None
        err.print(f"resume: {len(done)} documents already done, {n_inputs - len(done)} to do")
    todo = (inp for inp in iter_inputs(paths) if inp.doc_id not in done)
    tally = _Tally()
    started = time.monotonic()
    nchars = ndocs = 0
    statuses: Counter = Counter()
    try:
        with _progress("{task.description}", rate=True) as prog:
            task = prog.add_task("extract", total=n_inputs - len(done), rate="")
            # JSONL alone needs no table rows (and no pyarrow in any worker)
            finish = prepare_json if fmt == "jsonl" and duckdb_out is None else prepare
            for inp, doc in run(todo, n_workers, dask=dask, finish=finish, options=options):
                writer.add(doc, resume_key(inp.doc_id, options))
                ndocs += 1
                nchars += doc.length
                statuses[doc.status] += 1
                if summary:
                    tally.add(doc)
                dt = max(time.monotonic() - started, 1e-6)
                prog.update(task, advance=1, rate=f"{ndocs / dt:.1f} docs/s {nchars / dt / 1e6:.2f} Mchars/s")
        writer.close()
    except KeyboardInterrupt:
        writer.abort()
        err.print(f"interrupted after {ndocs} documents; what was committed stays: "
                  "run the same command with --resume to finish")
        raise typer.Exit(130) from None
    except OSError as e:
        writer.abort()
        err.print(f"[red]cannot write the output:[/] {escape(e.strerror or str(e))}"
                  f"{' (' + escape(str(e.filename)) + ')' if e.filename else ''}; nothing half-written was left. "
                  "Free some space and run the same command with --resume.")
        raise typer.Exit(1) from None
    except DaskUnreachable as e:
        writer.abort()
        err.print(f"[red]{escape(str(e))}[/]")
        raise typer.Exit(2) from None
    where = "standard output" if to_stdout else str(output)
    err.print(f"{ndocs} documents ({statuses['ok']} ok, {statuses['error']} errors, {statuses['skipped']} skipped)"
              f" -> {escape(where)}" + (f" and {escape(str(duckdb_out))}" if duckdb_out else ""))
    if summary:
        tally.print()


def _engine(given: str | None) -> str | None:
    from .document import NER_ENGINES

    if given is not None and given not in NER_ENGINES:
        raise typer.BadParameter(f"--ner-engine must be one of {', '.join(NER_ENGINES)}, not {given!r}")
    return given


def _require_ner_model() -> None:
    from .models.ner import MODEL_DIR

    if not (MODEL_DIR / "meta.json").exists():
        err.print(f"[red]no NER model at {MODEL_DIR}[/]: run `zongjie train-ner`, or use --ner-engine lexical (the default)")
        raise typer.Exit(2)


@app.command()
def schema() -> None:
    """Print the JSON Schema of one output line."""
    json.dump(json_schema(), sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")



@app.command()
def audit(
    paths: list[Path] = typer.Argument(..., help="files, folders (recursive), globs or .zip archives"),
    only_problems: bool = typer.Option(False, "--only-problems",
                                       help="show inconsistent checks only (in the HTML report too)"),
    html_out: Optional[Path] = typer.Option(None, "--html", help="also write a self-contained HTML report"),
    workers: int = typer.Option(0, "--workers", "-w", help="processes; 0 = all cores"),
    ner: bool = typer.Option(True, "--ner/--no-ner", help="find entities (count subjects, organisations)"),
    engine: str = typer.Option("lexical", "--ner-engine", help="lexical (fast) or model (the character NER model)"),
    time_limit: float = typer.Option(DEFAULT_TIME_LIMIT, "--time-limit",
                                     help="seconds one document may take (plus 1 s per 20,000 characters) before it becomes an error record"),
) -> None:
    """Check stated totals against their parts. Exit 1 if any check is
    inconsistent, 2 if any input is unusable, else 0 (like a linter)."""
    from rich.table import Table

    from .audit.findings import AuditFinish
    from .audit.report import ReportWriter

    if html_out is not None:
        check_target(html_out, "--html", "file")
    engine = _engine(engine)
    if ner and engine == "model":
        _require_ner_model()
    options = Options(ner=ner, ner_engine=engine, time_limit=time_limit)
    con = Console()
    n_inputs = _count_inputs(paths)
    n_workers = default_workers() if workers <= 0 else workers
    n_docs = unusable = inconsistent = 0
    tmp = out = None
    report: ReportWriter | None = None
    if html_out is not None:
        tmp = html_out.with_name(html_out.name + ".tmp")
        try:
            out = tmp.open("w", encoding="utf-8")
        except OSError as e:
            err.print(f"[red]cannot write the report:[/] {escape(e.strerror or str(e))}")
            raise typer.Exit(2) from None
        report = ReportWriter(out)
    try:
        with _progress("audit", rate=False) as prog:
            task = prog.add_task("audit", total=n_inputs)
            # each document is audited where it is made (its quotes, its part of the report):
            # this process holds one at a time
            finish = AuditFinish(only_problems=only_problems, html=report is not None)
            for _, found in run(iter_inputs(paths), n_workers, options=options, finish=finish):
                prog.update(task, advance=1)
                n_docs += 1
                doc_id = escape(found.doc_id)
                if report is not None:
                    report.add_checks(found.doc_id, found.checks, found.quotes)
                    if isinstance(found.section, str):
                        report.add_section(found.section)
                    elif found.section is not None:
                        report.add_section_file(found.section.path)
                found.discard()
                if found.status != "ok":
                    unusable += found.status == "error"
                    label = "[red]unusable input[/]" if found.status == "error" else "[yellow]skipped[/]"
                    prog.console.print(f"[bold]{doc_id}[/]: {label} {escape(found.error or '')}")
                    continue
                inconsistent += found.inconsistent
                if not found.checks:
                    if not only_problems:
                        prog.console.print(f"[bold]{doc_id}[/]: no totals with parts found")
                    continue
                t = Table(title=doc_id, show_lines=True, title_justify="left")
                t.add_column("status", no_wrap=True)
                t.add_column("check", no_wrap=True)
                t.add_column("arithmetic")
                t.add_column("sentence", overflow="fold")
                style = {"consistent": "green", "inconsistent": "bold red", "unverifiable": "yellow"}
                order = {"inconsistent": 0, "unverifiable": 1}
                for c, quote in sorted(zip(found.checks, found.quotes),
                                       key=lambda cq: (order.get(cq[0].status, 2), cq[0].total.start)):
                    t.add_row(f"[{style[c.status]}]{c.status}[/]", f"{c.relation}\n{c.scope}\n@{c.total.start}",
                              escape(c.derivation), escape(quote[:140]))
                con.print(t)
        if report is not None:  # with its file and the file's temporary name
            report.close()
            out.close()
            tmp.replace(html_out)
            err.print(f"report -> {escape(str(html_out))}")
    except KeyboardInterrupt:
        err.print("interrupted; no report written")
        raise typer.Exit(130) from None
    except OSError as e:
        if report is None:
            raise
        err.print(f"[red]cannot write the report:[/] {escape(e.strerror or str(e))}")
        raise typer.Exit(2) from None
    finally:
        if report is not None:
            report.discard()
        if out is not None:
            out.close()
        if tmp is not None:
            tmp.unlink(missing_ok=True)
    err.print(f"{n_docs} documents, {inconsistent} inconsistent checks, {unusable} unusable inputs")
    raise typer.Exit(2 if unusable else 1 if inconsistent else 0)


@app.command()
def text(
    path: Path = typer.Argument(..., help="one input file (.txt, .html, .docx, .pdf, .rtf, .doc, .wps)"),
) -> None:
    """Print the text zongjie reads from a file: what every offset of its records
    points into (for a .docx or .pdf, the text its reader extracted)."""
    from .document import fmt_of, input_text
    from .text.reading import DecodeError

    try:
        body = input_text(path.read_bytes(), fmt_of(path.name))[0]
    except (OSError, DecodeError) as e:
        err.print(f"[red]{escape(str(path))}:[/] {escape(str(e))}")
        raise typer.Exit(2) from None
    sys.stdout.write(body)


def _register_plugins() -> None:
    """Commands other wings add (the training commands of ``pipeline.train``),
    found by entry point so that this runtime module never imports them."""
    from importlib.metadata import entry_points

    for ep in entry_points(group="zongjie.commands"):
        ep.load()(app)


_register_plugins()

if __name__ == "__main__":
    app()
