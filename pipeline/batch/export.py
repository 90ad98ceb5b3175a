"""Export: Document records -> table rows, pandas DataFrames, Parquet, CSV.

``to_frames(documents)`` gives one DataFrame per table (documents, sections,
facts, checks, placeholders, entities, events) with flat columns under an explicit pyarrow
schema; ``prepare`` turns one document into its JSON line and rows (in a
worker) and ``write_table`` writes a table through a temporary file renamed
into place; ``pipeline.batch.dataset`` streams batches of them to disk.
Offsets in every table are those of the records: original-text offsets.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import tempfile
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, BinaryIO, Iterable, NamedTuple

from ..records import DOCUMENT_LISTS, Document

TABLES = ("documents", "sections", "facts", "checks", "placeholders", "entities", "events")


@functools.lru_cache(maxsize=1)
def _schemas():
    # built once per process: rows() asks for the fact columns once per document
    import pyarrow as pa

    s, i, f, b = pa.string(), pa.int64(), pa.float64(), pa.bool_()
    return {
        "documents": pa.schema([("doc_id", s), ("status", s), ("error", s), ("encoding", s), ("sha256", s), ("length", i),
                                ("n_facts", i), ("n_checks", i), ("n_placeholders", i), ("n_sections", i),
                                ("n_entities", i), ("n_events", i), ("redacted", b),
                                ("date_year", i), ("date_month", i), ("date_day", i), ("date_source", s),
                                ("reader", s), ("reader_version", s)]),
        "sections": pa.schema([("doc_id", s), ("index", i), ("start", i), ("end", i), ("quote", s),
                               ("body_end", i), ("primary", s), ("activities", pa.list_(s)),
                               ("organisations", pa.list_(s))]),
        "facts": pa.schema([("doc_id", s), ("fact_id", s), ("section", i), ("type", s), ("start", i), ("end", i),
                            ("quote", s), ("value", f), ("low", f), ("high", f), ("approx", s), ("per", s),
                            ("status", s), ("unit", s), ("subject", s), ("currency", s), ("year", i),
                            ("year_masked", b), ("year_rel", i), ("month", i), ("day", i), ("end_month", i),
                            ("end_day", i), ("part", s), ("masked", b), ("year_resolved", i), ("rule_id", s),
                            ("grounding", s)]),
        "checks": pa.schema([("doc_id", s), ("check_id", s), ("section", i), ("relation", s), ("scope", s),
                             ("status", s), ("total_start", i), ("total_end", i), ("parts", s), ("stated", f),
                             ("computed", f), ("difference", f), ("tolerance", f), ("derivation", s),
                             ("event_id", s)]),
        "placeholders": pa.schema([("doc_id", s), ("start", i), ("end", i), ("quote", s), ("kind", s),
                                   ("rule_id", s)]),
        "entities": pa.schema([("doc_id", s), ("section", i), ("label", s), ("start", i), ("end", i),
                               ("quote", s), ("text", s), ("grounding", s)]),
        # one row per act of giving, aggregable without joins (the fact ids are for joins)
        "events": pa.schema([("doc_id", s), ("event_id", s), ("section", i), ("start", i), ("end", i),
                             ("quote", s), ("action", s), ("activity", s), ("giver", s), ("year", i),
                             ("month", i), ("day", i), ("recipients_subject", s), ("recipients_count", i),
                             ("amount_total", f), ("rate", f), ("rate_per", s), ("status", s),
                             ("recipient_fact_ids", pa.list_(s)), ("amount_fact_ids", pa.list_(s)),
                             ("date_fact_id", s)]),
    }


def rows(documents: Iterable[Document]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {t: [] for t in TABLES}
    fact_cols = [n for n in _schemas()["facts"].names]
    for d in documents:
        out["documents"].append({"doc_id": d.doc_id, "status": d.status, "error": d.error, "encoding": d.encoding,
                                 "sha256": d.sha256, "length": d.length, "n_facts": len(d.facts), "n_checks": len(d.checks),
                                 "n_placeholders": len(d.placeholders), "n_sections": len(d.sections),
                                 "n_entities": len(d.entities), "n_events": len(d.events), "redacted": d.redacted,
                                 "date_year": d.date.year if d.date else None,
                                 "date_month": d.date.month if d.date else None,
                                 "date_day": d.date.day if d.date else None,
                                 "date_source": d.date.source if d.date else None,
                                 "reader": d.reader, "reader_version": d.reader_version})
        for sec in d.sections:
            out["sections"].append({"doc_id": d.doc_id, **sec.model_dump(include={
                "index", "start", "end", "quote", "body_end", "primary", "activities", "organisations"})})
        for fact in d.facts:
            row = fact.model_dump()
            out["facts"].append({c: (d.doc_id if c == "doc_id" else row.get(c)) for c in fact_cols})
        for c in d.checks:
            out["checks"].append({
                "doc_id": d.doc_id, "check_id": c.check_id, "section": c.section, "relation": c.relation,
                "scope": c.scope, "status": c.status, "total_start": c.total.start, "total_end": c.total.end,
                "parts": json.dumps([p.model_dump() for p in c.parts]), "stated": c.stated, "computed": c.computed,
                "difference": c.difference, "tolerance": c.tolerance, "derivation": c.derivation,
                "event_id": c.event_id})
        for p in d.placeholders:
            out["placeholders"].append({"doc_id": d.doc_id, **p.model_dump()})
        for e in d.entities:
            out["entities"].append({"doc_id": d.doc_id, **e.model_dump(include={
                "section", "label", "start", "end", "quote", "text", "grounding"})})
        for ev in d.events:
            out["events"].append({
                "doc_id": d.doc_id, "event_id": ev.event_id, "section": ev.section, "start": ev.start,
                "end": ev.end, "quote": ev.quote, "action": ev.action, "activity": ev.activity,
                "giver": ev.giver_text, "year": ev.year, "month": ev.month, "day": ev.day,
                "recipients_subject": ev.recipients_subject, "recipients_count": ev.recipients_count,
                "amount_total": ev.amount_total, "rate": ev.rate, "rate_per": ev.rate_per, "status": ev.status,
                "recipient_fact_ids": [r.fact_id for r in ev.recipients],
                "amount_fact_ids": [a.fact_id for a in ev.amounts],
                "date_fact_id": ev.date.fact_id if ev.date else None})
    return out


class LineFile(NamedTuple):
    """A JSON line too long to hand around in memory (a long text read in
    parts): a temporary file that holds it. ``Prepared.write_json`` copies it
    out; ``Prepared.discard`` removes it."""
    path: str
    size: int


@dataclass(frozen=True)
class Prepared:
    """A document as the batch writer needs it: its JSON line and its table
    rows, made where the document was made (a worker), so that the parent
    process only writes."""
    doc_id: str
    sha256: str | None
    length: int
    status: str
    error: str | None
    json: bytes | LineFile  # the JSON line, UTF-8, without its newline
    rows: dict[str, Any]    # per table: a list of row dicts, or a pyarrow Table (parts)
    summary: tuple[int, ...]  # sections, amounts, counts, dates, placeholders, checks, events
    flagged: tuple[tuple[str, int, str], ...]      # amounts not "ok": quote, start, status

    def write_json(self, fh: BinaryIO) -> None:
        """The JSON line (no newline) into a binary file."""
        if isinstance(self.json, LineFile):
            with open(self.json.path, "rb") as src:
                shutil.copyfileobj(src, fh, 1 << 20)
        else:
            fh.write(self.json)

    def discard(self) -> None:
        """Remove the line's temporary file, if it has one: the writer does, once
        the document is written or the run stops."""
        if isinstance(self.json, LineFile):
            Path(self.json.path).unlink(missing_ok=True)

    def in_memory(self) -> Prepared:
        """The same, its line held in memory instead of in a temporary file: what a
        Dask worker sends back (its files are not on the client's machine)."""
        if not isinstance(self.json, LineFile):
            return self
        data = Path(self.json.path).read_bytes()
        self.discard()
        return replace(self, json=data)


def _summary(n: Counter, kinds: Counter) -> tuple[int, ...]:
    """``Prepared.summary`` from the lists' lengths and the facts' kinds."""
    return (n["sections"], kinds["amount"], kinds["count"], kinds["date"], n["placeholders"], n["checks"],
            n["events"])


def _flagged(facts) -> list[tuple[str, int, str]]:
    return [(f.quote, f.start, f.status) for f in facts if f.type == "amount" and f.status != "ok"]


def prepare(doc: Document, with_rows: bool = True) -> Prepared:
    n = Counter({k: len(getattr(doc, k)) for k in ("sections", "placeholders", "checks", "events")})
    return Prepared(doc.doc_id, doc.sha256, doc.length, doc.status, doc.error, doc.to_json_bytes(),
                    rows([doc]) if with_rows else {}, _summary(n, Counter(f.type for f in doc.facts)),
                    tuple(_flagged(doc.facts)))


def prepare_json(doc: Document) -> Prepared:
    """``prepare`` for JSONL output alone: no table rows, so pyarrow is never imported."""
    return prepare(doc, with_rows=False)



@functools.lru_cache(maxsize=None)
def _list_adapter(name: str):
    from pydantic import TypeAdapter

    return TypeAdapter(Document.model_fields[name].annotation)


def prepare_parts(header: Document, parts: Iterable[Document], with_rows: bool = True) -> Prepared:
    """``prepare`` for a long text read in parts (pipeline/parts.py): each part's
    records are serialised as they come, into one temporary file per list, and
    dropped; the line is then the header's with each list spliced in, written
    to a LineFile. The line is the one ``prepare`` would write for the document
    the parts make up (tests/test_parts.py). Table rows become a pyarrow table
    per part (columns, not millions of dicts)."""
    spools = {n: tempfile.TemporaryFile() for n in DOCUMENT_LISTS}
    count: Counter = Counter()
    kinds: Counter = Counter()
    flagged: list[tuple[str, int, str]] = []
    pieces: dict[str, list] = {t: [] for t in TABLES}
    line_path: str | None = None
    try:
        for part in parts:
            for n in DOCUMENT_LISTS:
                items = getattr(part, n)
                if items:
                    if count[n]:
                        spools[n].write(b",")
                    spools[n].write(_list_adapter(n).dump_json(items)[1:-1])  # the list's [ and ] cut off
                    count[n] += len(items)
            kinds.update(f.type for f in part.facts)
            flagged += _flagged(part.facts)
            if with_rows:
                for t, r in rows([part]).items():
                    if r and t != "documents":
                        pieces[t].append(table(t, r))
        line = header.to_json_bytes()
        fd, line_path = tempfile.mkstemp(prefix="zongjie-line-", suffix=".json")
        with os.fdopen(fd, "wb") as out:
            pos = 0
            for n in DOCUMENT_LISTS:
                key = b'"' + n.encode() + b'":['
                at = line.index(key + b"]", pos) + len(key)  # a key in a string value is escaped: \"
                out.write(line[pos:at])
                spools[n].seek(0)
                shutil.copyfileobj(spools[n], out, 1 << 20)
                pos = at
            out.write(line[pos:])
            size = out.tell()
    except BaseException:
        if line_path is not None:
            Path(line_path).unlink(missing_ok=True)
        raise
    finally:
        for f in spools.values():
            f.close()
    table_rows: dict[str, Any] = {}
    if with_rows:
        import pyarrow as pa

        doc_row = rows([header])["documents"][0]
        doc_row.update(n_facts=count["facts"], n_checks=count["checks"], n_placeholders=count["placeholders"],
                       n_sections=count["sections"], n_entities=count["entities"], n_events=count["events"])
        table_rows = {t: pa.concat_tables(p) if p else table(t, []) for t, p in pieces.items()}
        table_rows["documents"] = table("documents", [doc_row])
    return Prepared(header.doc_id, header.sha256, header.length, header.status, header.error,
                    LineFile(line_path, size), table_rows, _summary(count, kinds), tuple(flagged))


# what the batch runner looks for: these finishers can take a long text in parts
prepare.in_parts = functools.partial(prepare_parts, with_rows=True)  # type: ignore[attr-defined]
prepare_json.in_parts = functools.partial(prepare_parts, with_rows=False)  # type: ignore[attr-defined]


def batch_table(name: str, pieces: list[Any]):
    """One table of a batch from its documents' rows: lists of dicts, or pyarrow tables."""
    if all(isinstance(p, list) for p in pieces):
        return table(name, [row for p in pieces for row in p])
    import pyarrow as pa

    return pa.concat_tables([table(name, p) if isinstance(p, list) else p for p in pieces])


def to_frames(documents: Iterable[Document]):
    """The dataset as pandas DataFrames, one per table, typed by the pyarrow schema."""
    import pyarrow as pa

    schemas = _schemas()
    return {t: pa.Table.from_pylist(r, schema=schemas[t]).to_pandas() for t, r in rows(documents).items()}


def table(name: str, table_rows: list[dict]):
    """One table's rows as a pyarrow Table under its explicit schema."""
    import pyarrow as pa

    return pa.Table.from_pylist(table_rows, schema=_schemas()[name])


_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _cell(v: str | None) -> str | None:
    return "'" + v if v and v.startswith(_FORMULA) else v


def write_table(tbl, path: Path, fmt: str) -> None:
    """Write one table to ``path`` through ``path.part`` renamed into place,
    so a reader (or a resumed run) never sees half a file."""
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    tmp = path.with_name(path.name + ".part")
    if fmt == "parquet":
        pq.write_table(tbl, tmp)
    elif fmt == "csv":
        # CSV has no lists: list columns are written as JSON arrays. A text cell
        # that starts with = + - @ (or a tab / CR) is a formula to a spreadsheet
        # (-11万元 included): it gets a leading ' so that opening the file runs nothing
        for k, name in enumerate(tbl.column_names):
            typ = tbl.schema.field(name).type
            if pa.types.is_list(typ):
                col = [json.dumps(v, ensure_ascii=False) for v in tbl.column(name).to_pylist()]
                tbl = tbl.set_column(k, name, pa.array([_cell(v) for v in col], pa.string()))
            elif pa.types.is_string(typ):
                col = tbl.column(name).to_pylist()
                tbl = tbl.set_column(k, name, pa.array([_cell(v) for v in col], pa.string()))
        pacsv.write_csv(tbl, tmp)
    else:
        raise ValueError(f"unknown format {fmt!r}")
    os.replace(tmp, path)

