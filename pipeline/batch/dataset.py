"""The output of a batch run, written in committed batches so that a run can
be interrupted at any point (Ctrl-C, ``kill -9``) and resumed.

Documents are buffered up to a batch (``batch_docs`` documents or
``batch_chars`` characters, whichever comes first, so memory stays flat
whatever the number of inputs) and each batch is written as one part file per
table, each through a temporary name renamed into place. A batch counts only
once its manifest (``_batches/part-NNNNN.json``: the doc_id and content hash
of every document in it) has been renamed into place, last. On ``--resume``,
parts without a manifest are deleted as debris of the interrupted batch, and
inputs whose doc_id is in a manifest are skipped; so nothing is lost and
nothing is written twice.

Layout (``fmt`` = parquet or csv, ``-o out/``)::

    out/documents/part-00000.parquet   out/facts/part-00000.parquet   ...
    out/_batches/part-00000.json

``pd.read_parquet("out/facts")``, ``pyarrow.dataset`` and DuckDB's
``read_parquet('out/facts/*.parquet')`` read a table's parts as one table.
For ``fmt=jsonl`` (``-o facts.jsonl``) the parts live in ``facts.jsonl.parts/``
until the run ends, when they are concatenated (again through a renamed
temporary file) into ``facts.jsonl`` and removed. ``duckdb=path`` also builds a
DuckDB file with the same tables from Parquet parts at the end.

Every folder the writer owns holds ``_zongjie.json`` (``MARKER``): the project
version, the format and the run's options. A fresh run only clears a folder that
carries it (or an empty one); any other non-empty folder is refused with
``NotADataset`` unless ``overwrite=True``, so a user's own ``documents/`` or
``facts/`` is never deleted. ``--resume`` reads the same file, so a resumed run
cannot mix options (redaction, NER) or versions with the run it continues.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Callable

from .export import TABLES, Prepared, batch_table, prepare, table, write_table
from ..records import Document

MANIFESTS = "_batches"
DUCKDB_STAGING = "_duckdb"
MARKER = "_zongjie.json"


class ResumeConflict(ValueError):
    """An input, an option or the version changed since the interrupted run:
    resuming would mix two runs in one dataset."""


class NotADataset(ValueError):
    """The output folder holds files zongjie did not write."""


def state_dir(output: Path, fmt: str) -> Path:
    """The folder a writer owns: the dataset itself, or ``X.jsonl.parts``."""
    return output.with_name(output.name + ".parts") if fmt == "jsonl" else output


def stored_run(output: Path, fmt: str) -> dict | None:
    """What the run that wrote ``output`` recorded in its marker (None: no marker)."""
    m = state_dir(output, fmt) / MARKER
    if not m.is_file():
        return None
    try:
        return json.loads(m.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


class DatasetWriter:
    def __init__(self, output: Path, fmt: str = "jsonl", duckdb: Path | None = None, resume: bool = False,
                 batch_docs: int = 256, batch_chars: int = 8_000_000, run_info: dict | None = None,
                 overwrite: bool = False) -> None:
        if fmt not in ("jsonl", "parquet", "csv"):
            raise ValueError(f"unknown format {fmt!r} (jsonl, parquet or csv)")
        self.output, self.fmt, self.duckdb = output, fmt, duckdb
        self.batch_docs, self.batch_chars = batch_docs, batch_chars
        self.state = state_dir(output, fmt)
        # a run killed while it wrote its marker leaves the marker's .part alone in
        # the folder: that folder is still this program's, not a user's
        if not overwrite and self.state.is_dir() and not (self.state / MARKER).is_file() \
                and any(p.name != MARKER + ".part" for p in self.state.iterdir()):
            raise NotADataset(f"{self.state} is not empty and was not written by zongjie "
                              f"(no {MARKER}); choose another folder or pass --overwrite")
        # table parts: in the dataset itself, or staged for the DuckDB file only
        self.table_root: Path | None = None
        self.table_fmt = fmt
        if fmt in ("parquet", "csv"):
            self.table_root = self.state
        if duckdb is not None and fmt != "parquet":
            self.table_root, self.table_fmt = self.state / DUCKDB_STAGING, "parquet"
        self.done: dict[str, str | None] = {}
        self._buf: list[Prepared] = []
        self._keys: list[str] = []
        self._chars = 0
        if not resume:
            self._clear()
        self._write_marker(run_info or {})
        self.next_batch = max(self._committed(), default=-1) + 1
        if resume:
            self._load_state()

    def _write_marker(self, run_info: dict) -> None:
        self.state.mkdir(parents=True, exist_ok=True)
        tmp = self.state / (MARKER + ".part")
        tmp.write_text(json.dumps({"format": self.fmt, **run_info}, ensure_ascii=False, sort_keys=True),
                       encoding="utf-8")
        os.replace(tmp, self.state / MARKER)

    # -- state ----------------------------------------------------------------
    def _manifest_dir(self) -> Path:
        return self.state / MANIFESTS

    def _committed(self) -> list[int]:
        d = self._manifest_dir()
        return sorted(int(p.stem.split("-")[1]) for p in d.glob("part-*.json")) if d.is_dir() else []

    def _part_dirs(self) -> list[Path]:
        dirs = []
        if self.fmt == "jsonl":
            dirs.append(self.state / "jsonl")
        if self.table_root is not None:
            dirs += [self.table_root / t for t in TABLES]
        return dirs

    def _clear(self) -> None:
        """A fresh run replaces what an earlier run wrote here (and only that)."""
        for d in self._part_dirs() + [self._manifest_dir(), self.state / DUCKDB_STAGING]:
            if d.is_dir():
                shutil.rmtree(d)
        marker = self.state / MARKER
        if marker.is_file():
            marker.unlink()

    def _load_state(self) -> None:
        committed = set(self._committed())
        for d in self._part_dirs():
            for p in d.glob("part-*") if d.is_dir() else ():
                if p.name.endswith(".part") or int(p.name.split(".")[0].split("-")[1]) not in committed:
                    p.unlink()  # debris of the batch that was interrupted
        for n in sorted(committed):
            for entry in json.loads((self._manifest_dir() / f"part-{n:05d}.json").read_text(encoding="utf-8")):
                self.done[entry.get("input", entry["doc_id"])] = entry["sha256"]
        if self.fmt == "jsonl" and not committed and self.output.is_file():
            # a finished JSONL run: its lines become batch 0 of the resumed run
            with self.output.open(encoding="utf-8") as fh:
                prior = [prepare(_read_record(line)) for line in fh if line.strip()]
            if any(json.loads(d.json).get("redacted") for d in prior):
                # its doc_ids are pseudonymised: which input each came from is not known
                raise ResumeConflict(f"{self.output} is a finished redacted run; its inputs cannot be "
                                     "matched again: run again without --resume")
            self._write_batch(prior, [d.doc_id for d in prior])
            self.done.update({d.doc_id: d.sha256 for d in prior})

    def should_skip(self, doc_id: str, read_sha: Callable[[], str | None]) -> bool:
        """Whether ``doc_id`` is already in a committed batch. ``read_sha`` is
        called only then, to make sure the input is still the same content."""
        if doc_id not in self.done:
            return False
        old = self.done[doc_id]
        if old is not None:
            new = read_sha()
            if new is not None and new != old:
                raise ResumeConflict(f"{doc_id} changed since the interrupted run; run again without --resume")
        return True

    # -- writing --------------------------------------------------------------
    def add(self, doc: Document | Prepared, key: str | None = None) -> None:
        """Buffer one document; ``key`` is what a resume matches the input by
        (its doc_id, or a keyed hash of it when the doc_id itself was redacted)."""
        if isinstance(doc, Document):
            doc = prepare(doc)
        self._buf.append(doc)
        self._keys.append(key or doc.doc_id)
        self._chars += doc.length
        if len(self._buf) >= self.batch_docs or self._chars >= self.batch_chars:
            self.flush()

    def flush(self) -> None:
        if self._buf:
            self._write_batch(self._buf, self._keys)
            self._buf, self._keys, self._chars = [], [], 0

    def _write_batch(self, docs: list[Prepared], keys: list[str]) -> None:
        n = self.next_batch
        name = f"part-{n:05d}"
        if self.fmt == "jsonl":
            d = self.state / "jsonl"
            d.mkdir(parents=True, exist_ok=True)
            tmp = d / f"{name}.jsonl.part"
            with tmp.open("wb") as fh:
                for doc in docs:
                    # two writes, not line + "\n": a 50 MB page's line is not copied again
                    doc.write_json(fh)
                    fh.write(b"\n")
            os.replace(tmp, d / f"{name}.jsonl")
        if self.table_root is not None:
            for t in TABLES:
                d = self.table_root / t
                d.mkdir(parents=True, exist_ok=True)
                write_table(batch_table(t, [doc.rows[t] for doc in docs]), d / f"{name}.{self.table_fmt}",
                            self.table_fmt)
        # the manifest goes last: a batch without one is debris, never data
        md = self._manifest_dir()
        md.mkdir(parents=True, exist_ok=True)
        tmp = md / f"{name}.json.part"
        with tmp.open("w", encoding="utf-8") as fh:
            # dumps, not dump: json.dump streams through the pure-Python encoder
            fh.write(json.dumps([{"doc_id": d.doc_id, "input": k, "sha256": d.sha256} for d, k in zip(docs, keys)],
                                ensure_ascii=False))
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, md / f"{name}.json")
        self.next_batch += 1
        for doc in docs:  # committed: a long text's line file goes
            doc.discard()
        # ``done`` is what an earlier run committed, asked before this run starts
        # (should_skip); this run's own documents are not added to it: a run over a
        # million inputs would hold a million ids and hashes until it ends

    def close(self) -> None:
        """Commit the last batch and assemble the final files."""
        self.flush()
        if self.duckdb is not None:
            self._build_duckdb()
        if self.fmt == "jsonl":
            self.output.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.output.with_name(self.output.name + ".tmp")
            with tmp.open("wb") as out:
                for p in sorted((self.state / "jsonl").glob("part-*.jsonl")) if (self.state / "jsonl").is_dir() else ():
                    with p.open("rb") as fh:
                        shutil.copyfileobj(fh, out)
            os.replace(tmp, self.output)
            # only what this writer made goes: a folder it does not own was refused above
            shutil.rmtree(self.state, ignore_errors=True)
        elif self.table_root is not None and self.table_root.name == DUCKDB_STAGING:
            shutil.rmtree(self.table_root, ignore_errors=True)

    def abort(self) -> None:
        """After a failed write (a full disk): remove the debris of the batch
        that was being written and the half-assembled final files; committed
        batches stay, so ``--resume`` can go on from them."""
        for doc in self._buf:  # never written: a long text's line file goes too
            doc.discard()
        for d in self._part_dirs() + [self._manifest_dir()]:
            for p in d.glob("*.part") if d.is_dir() else ():
                p.unlink(missing_ok=True)
        for f in (self.output.with_name(self.output.name + ".tmp"),
                  self.duckdb.with_name(self.duckdb.name + ".tmp") if self.duckdb else None):
            if f is not None and f.is_file():
                f.unlink()

    def _build_duckdb(self) -> None:
        import duckdb

        assert self.table_root is not None
        self.duckdb.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.duckdb.with_name(self.duckdb.name + ".tmp")
        if tmp.exists():
            tmp.unlink()
        con = duckdb.connect(str(tmp))
        try:
            for t in TABLES:
                parts = sorted((self.table_root / t).glob("part-*.parquet"))
                if parts:
                    files = ", ".join("'" + str(p).replace("'", "''") + "'" for p in parts)
                    con.execute(f'CREATE TABLE "{t}" AS SELECT * FROM read_parquet([{files}])')
                else:
                    con.execute(f'CREATE TABLE "{t}" AS SELECT * FROM ({_empty_select(t)})')
        finally:
            con.close()
        os.replace(tmp, self.duckdb)


def _empty_select(name: str) -> str:
    """An empty SELECT with the table's columns, for a run with no documents."""
    import pyarrow as pa

    types = {pa.string(): "VARCHAR", pa.int64(): "BIGINT", pa.float64(): "DOUBLE", pa.bool_(): "BOOLEAN"}
    schema = table(name, []).schema
    cols = ", ".join(f'CAST(NULL AS {types.get(f.type, "VARCHAR[]")}) AS "{f.name}"' for f in schema)
    return f"SELECT {cols} WHERE false"


def _read_record(line: str) -> Document:
    """A JSONL line back into a record; a redacted one keeps its pseudonyms."""
    data = json.loads(line)
    return Document.model_validate(data, context={"redacted": bool(data.get("redacted"))})
