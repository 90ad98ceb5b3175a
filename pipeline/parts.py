"""A very long text read in parts: memory bounded by a part, not by the file.

A 50 MB archive file holds ~20 M characters and, read whole, ~1.4 M records
(facts, entities, events…) at once: 3.4 GB of pydantic objects and a 430 MB JSON
line beside them. Here the text is normalised and segmented whole, so that every
decision that belongs to the page is the whole page's (what is chrome, where each
sub-report starts, the page's own date, whether it holds one report), then cut
at sub-report headings near every ``PART_CHARS`` characters. Each part is
extracted, checked and linked on its own (``document.build``), its records are
moved to the whole text's offsets and ids, handed on, and dropped before the
next part is read.

What differs from reading the text whole, by design:

* a check or an event never joins figures of two parts (a document-scope sum
  over a 20 M-character file joins nothing a reader would call one report);
* a sub-report a cut runs through (one longer than a part, where no heading is
  near) keeps the activity labels of its first part; its organisations are
  every part's, in order of first mention;
* a cut with no heading near falls after a blank line or a sentence; only where
  there is none for half a part can it run through a table, whose cells after
  the cut then lose their header (a unit, a year column);
* with ``--redact-persons`` the entity pass runs once more over every part first:
  a name found in a late part must be hidden in the early ones too.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Callable, Iterator

from . import events
from .audit.checks import check_id
from .document import DEFAULT_OPTIONS, LongReader, Options, build, entity_records, fact_id, find_entities
from .records import DOCUMENT_LISTS, Document, FactRef, ProductPart, Section, SpanRef
from .text.normalize import NormText, normalize
from .text.segment import Segmentation, segment

# characters: past LONG_TEXT a text is read in parts of about PART_CHARS. Real
# reports are far below it (the longest real page we hold is ~60 k characters); a
# part of 1 M characters holds ~70 k records, ~150 MB
LONG_TEXT = 4_000_000
PART_CHARS = 1_000_000


def is_long(n_chars: int) -> bool:
    return n_chars > LONG_TEXT


def cuts(text: str, seg: Segmentation, part: int | None = None) -> list[int]:
    """Normalised positions where the parts start (the first is 0): the sub-report
    heading nearest each ``part`` characters, else a break before it
    (``_break_before``), so that no table or figure is cut in two."""
    part = part or PART_CHARS
    heads = [s.start for s in seg.sections]
    out = [0]
    k = 0
    while len(text) - out[-1] > part + part // 2:
        pos = out[-1]
        target, lo, hi = pos + part, pos + part // 2, pos + part + part // 2
        while k < len(heads) and heads[k] <= lo:
            k += 1
        best = None
        j = k
        while j < len(heads) and heads[j] < hi:
            if best is None or abs(heads[j] - target) < abs(best - target):
                best = heads[j]
            j += 1
        if best is None:
            best = _break_before(text, lo, target)
        out.append(best)
    return out


def _break_before(text: str, lo: int, target: int) -> int:
    """Where a part may start in ``[lo, target]`` when no heading is near: after
    a blank line, else after a line that ends a sentence (a table's lines do
    not: its cells read their units from its header), else at any line start,
    else after a sentence inside one long line, else at ``target``."""
    for mark in ("\n\n", "。\n", "！\n", "？\n"):
        at = text.rfind(mark, lo, target)
        if at >= 0:
            return at + len(mark)
    line = text.rfind("\n", lo, target)
    if line < 0:
        line = max(text.rfind(ch, lo, target) for ch in "。！？；!?;")
    return line + 1 if line >= 0 else target


def _shift(doc: Document, base: int, doc_id: str, events_before: int) -> Document:
    """A part's records in the whole text's offsets, ids and event numbers."""
    if base == 0 and events_before == 0:
        return doc

    def span(r):
        return r.model_copy(update={"start": r.start + base, "end": r.end + base})

    fid: dict[str, str] = {}
    facts = []
    for f in doc.facts:
        s, e = f.start + base, f.end + base
        new = fid[f.fact_id] = fact_id(doc_id, f.type, s, e)
        facts.append(f.model_copy(update={"start": s, "end": e, "fact_id": new}))
    eid = {ev.event_id: events.event_id(doc_id, events_before + k + 1) for k, ev in enumerate(doc.events)}

    def ref(r: FactRef) -> FactRef:
        return r.model_copy(update={"start": r.start + base, "end": r.end + base, "fact_id": fid[r.fact_id]})

    evs = [ev.model_copy(update={
        "start": ev.start + base, "end": ev.end + base, "event_id": eid[ev.event_id],
        "giver": span(ev.giver) if ev.giver else None,
        "recipients": [ref(r) for r in ev.recipients], "amounts": [ref(r) for r in ev.amounts],
        "date": ref(ev.date) if ev.date else None}) for ev in doc.events]
    checks = []
    for c in doc.checks:
        total = span(c.total)
        parts = [span(p) if isinstance(p, SpanRef)
                 else ProductPart(count=span(p.count), rate=span(p.rate)) for p in c.parts]
        checks.append(c.model_copy(update={
            "total": total, "parts": parts, "check_id": check_id(doc_id, c.relation, total, parts),
            "event_id": eid.get(c.event_id) if c.event_id else None}))
    sections = [s.model_copy(update={"start": s.start + base, "end": s.end + base, "body_end": s.body_end + base})
                for s in doc.sections]
    return doc.model_copy(update={
        "facts": facts, "events": evs, "checks": checks, "sections": sections,
        "entities": [span(x) for x in doc.entities], "placeholders": [span(x) for x in doc.placeholders],
        "boilerplate": [span(x) for x in doc.boilerplate]})


def _merge(first: Section, more: Section) -> Section:
    """A sub-report a cut ran through: its heading and labels from the part it
    starts in, its extent and organisations from every part."""
    orgs = dict.fromkeys(first.organisations)
    orgs.update(dict.fromkeys(more.organisations))
    return first.model_copy(update={"body_end": max(first.body_end, more.body_end), "organisations": list(orgs)})


def read_in_parts(doc_id: str, raw: str, encoding: str | None = None, html: bool = False,
                  options: Options = DEFAULT_OPTIONS, part: int | None = None) -> tuple[Document, Iterator[Document]]:
    """(header, parts): the document record with every list empty (its
    ``length``, ``date``, ``redacted`` set), and a generator of documents that
    together hold its records, in the whole text's offsets and in page order.
    Normalising and segmenting happen here; each part is read as it is asked for."""
    nt = normalize(raw, html=html)
    seg = segment(nt.text)
    when = events.document_date(raw)
    bounds = cuts(nt.text, seg, part) + [len(nt.text)]
    names = None
    if options.redact_persons:
        from .models.redact import person_forms, redact_persons

        names = {}
        for a, b in zip(bounds, bounds[1:]):
            pnt, pseg = nt.slice(a, b), seg.slice(a, b)
            persons = [e for e in find_entities(pnt, pseg, options.ner_engine) if e.label == "PERSON"]
            # records: the quote as written (traditional, glossed) names the person too
            person_forms(entity_records(pnt, pseg, persons), options.redact_key, names)
    header = Document(doc_id=doc_id, encoding=encoding, length=len(raw), date=when)
    if names is not None:
        header = redact_persons(header, options.redact_key, names)
    return header, _parts(doc_id, nt, seg, bounds, encoding, options, when, names)


def join(header: Document, parts: Iterator[Document]) -> Document:
    """The one document of a text read in parts: every list the parts hold, in
    order (what the batch writer's JSON line holds, as a record: the whole
    text's records, so as much memory as they take)."""
    got: dict[str, list] = {n: [] for n in DOCUMENT_LISTS}
    for part in parts:
        for n in DOCUMENT_LISTS:
            got[n] += getattr(part, n)
    return header.model_copy(update=got)


def long_reader(finish: Callable[[Document, Iterator[Document]], Any], options: Options,
                sha256: str | None) -> LongReader:
    """What ``document.process_bytes`` asks before it reads a text whole: a text
    past LONG_TEXT is read here, in parts, and ``finish(header, parts)`` (e.g.
    ``export.prepare_parts``) is what comes back; a shorter one gives None."""
    def read(doc_id: str, text: str, encoding: str | None, html: bool, fields: dict) -> Any:
        if not is_long(len(text)):
            return None
        header, parts = read_in_parts(doc_id, text, encoding, html=html, options=options)
        return finish(header.model_copy(update={"sha256": sha256, **fields}), parts)

    return read


def _parts(doc_id: str, nt: NormText, seg: Segmentation, bounds: list[int], encoding: str | None,
           options: Options, when, names: dict[str, str] | None) -> Iterator[Document]:
    one = len(seg.sections) == 1
    plain = replace(options, redact_persons=False)
    if names is not None:
        from .models.redact import redact_persons

        def hide(d: Document) -> Document:
            return redact_persons(d, options.redact_key, names)
    else:
        def hide(d: Document) -> Document:
            return d

    n_events = 0
    held: Section | None = None  # the last sub-report of the part before: it may go on
    for a, b in zip(bounds, bounds[1:]):
        doc = build(doc_id, nt.slice(a, b), seg.slice(a, b), encoding, plain, when, one)
        doc = _shift(doc, nt.orig_pos(a), doc_id, n_events)
        n_events += len(doc.events)
        secs = list(doc.sections)
        if held is not None:
            if secs and secs[0].index == held.index:
                held = _merge(held, secs.pop(0))
            secs.insert(0, held)
        held = secs.pop() if secs else None
        yield hide(doc.model_copy(update={"sections": secs}))
    if held is not None:
        yield hide(Document(doc_id=doc_id, sections=[held]))


__all__ = ["LONG_TEXT", "PART_CHARS", "cuts", "is_long", "join", "long_reader", "read_in_parts"]
