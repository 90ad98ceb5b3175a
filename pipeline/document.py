"""One document end to end: original text -> validated ``Document`` record.

``process_text(doc_id, raw)`` runs normalise -> segment -> extract (rules) ->
reconcile and lifts every span from normalised to ORIGINAL offsets exactly
once, here. Facts inside boilerplate are dropped; placeholders are kept
wherever they are (SCHEMA.md). The same function runs in a loop, in a process
pool or in a Dask bag.
"""

from __future__ import annotations

import functools
import hashlib
import os
import signal
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

from . import events, rules
from .extract import activities, tables
from .extract import amounts, counts, dates
from .extract.base import Candidate
from .text.normalize import NormText, normalize
from .text.placeholders import find_placeholders
from .text.reading import DecodeError
from .extract.subjects import subject_from_groups
from .records import Amount, Boilerplate, Count, Date, Document, DocumentDate, Entity, Section
from .text.segment import Segmentation, segment

EXTRACTORS = {"amount": (amounts, Amount), "count": (counts, Count), "date": (dates, Date)}


@dataclass(frozen=True)
class Options:
    """What a run computes beyond the rules (passed to every worker)."""

    ner: bool = True  # entities, count subjects from GROUP, organisations per section
    # which tagger finds them: "lexical" (jieba words + rules/entity/lexicon.yaml, at the
    # rules' speed) or "model" (the character NER model, ~15 k characters a second)
    ner_engine: str = "lexical"
    redact_persons: bool = False  # person names -> stable pseudonyms in every text field
    redact_key: str = ""  # secret mixed into the pseudonyms (see pipeline/models/redact.py)
    # seconds one document may take; past it the document is an error record,
    # so one runaway page cannot stall an ordered batch (0: no limit)
    time_limit: float = 0.0


DEFAULT_OPTIONS = Options()
DEFAULT_TIME_LIMIT = 300.0
# the slowest rate a healthy run reads at (measured ~200k chars/s per core with NER off)
CHARS_PER_SECOND_FLOOR = 20_000


# (doc_id, text, encoding, html, header fields) -> a finished long document, or None
LongReader = Callable[[str, str, "str | None", bool, dict], Any]


class TimeLimitExceeded(Exception):
    """A document took longer than its time budget."""


@contextmanager
def time_budget(seconds: float) -> Iterator[None]:
    """Raise ``TimeLimitExceeded`` inside the block after ``seconds`` (wall
    clock). A SIGALRM timer: it works in a process's main thread, where the
    CLI loop and every pool worker process documents; elsewhere (Dask worker
    threads, a user's threads) no budget is set."""
    if seconds <= 0 or threading.current_thread() is not threading.main_thread() \
            or not hasattr(signal, "setitimer"):
        yield
        return

    def expired(signum, frame):
        raise TimeLimitExceeded(f"took longer than {seconds:g} s (--time-limit); stopped")

    old = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


NER_ENGINES = ("lexical", "model")


def _tagger(engine: str):
    if engine == "model":
        from .models import ner

        return ner.tagger()
    if engine == "lexical":
        from .models import lexical

        return lexical.tagger()
    raise ValueError(f"unknown NER engine {engine!r} (one of {', '.join(NER_ENGINES)})")


def find_entities(nt: NormText, seg: Segmentation, engine: str) -> list:
    """Entity spans of the normalised text, outside boilerplate, sorted."""
    spans = _tagger(engine).entities(nt.text, skip=seg.all_boilerplate)
    return [e for e in spans if not seg.in_boilerplate(e.start, e.end)]


def entity_records(nt: NormText, seg: Segmentation, spans: list) -> list[Entity]:
    """Entity spans of the normalised text as records, in original offsets."""
    out = []
    for e in spans:
        s, en, grown = nt.to_orig(e.start, e.end)
        out.append(Entity(start=s, end=en, quote=nt.raw[s:en], label=e.label, text=e.text,
                          section=seg.section_of(e.start), grounding="expanded" if grown else "exact"))
    return out


def _fact(kind: str, nt: NormText, seg: Segmentation, doc_id: str, c: Candidate):
    _, model = EXTRACTORS[kind]
    s, e, grown = nt.to_orig(c.start, c.end)
    fields: dict[str, Any] = dict(c.fields)
    return model(
        fact_id=fact_id(doc_id, kind, s, e),
        section=seg.section_of(c.start),
        start=s,
        end=e,
        quote=nt.raw[s:e],
        rule_id=c.rule_id,
        grounding="expanded" if grown else "exact",
        **fields,
    )


def _line_span(nt: NormText, start: int, end: int) -> tuple[int, int]:
    """Original span of a whole-line span: it runs to the line's end in the
    original, so a gloss after the last character (總結(jié)) stays inside."""
    s, e, _ = nt.to_orig(start, end)
    e2 = nt.orig_pos(end)
    while e2 > e and nt.raw[e2 - 1] in " \t\r\u3000\xa0":
        e2 -= 1
    return s, max(e, e2)


def process_text(doc_id: str, raw: str, encoding: str | None = None, html: bool = False,
                 options: Options = DEFAULT_OPTIONS) -> Document:
    """One document, the text read whole in one pass; ``html=True`` reads ``raw``
    as HTML (offsets still point into ``raw``). ``pipeline.extract_text`` reads a
    text past ``parts.LONG_TEXT`` in parts, as the CLI does."""
    nt = normalize(raw, html=html)
    seg = segment(nt.text)
    return build(doc_id, nt, seg, encoding, options, events.document_date(raw), len(seg.sections) == 1)


def fact_id(doc_id: str, kind: str, start: int, end: int) -> str:
    return f"{doc_id}:{kind}:{start}-{end}"


def build(doc_id: str, nt: NormText, seg: Segmentation, encoding: str | None, options: Options,
          when: DocumentDate | None, one_report: bool) -> Document:
    """The document record of a normalised, segmented text: extraction, entities,
    checks and events. ``when`` is the page's own date and ``one_report`` whether
    the page holds a single sub-report; both are the whole page's, which a part
    of a long text (pipeline/parts.py) cannot see for itself."""
    raw = nt.raw
    ents = find_entities(nt, seg, options.ner_engine) if options.ner else []
    groups = [(e.start, e.end) for e in ents if e.label == "GROUP"]
    group_starts = [g[0] for g in groups]
    facts = []
    for kind, (module, _) in EXTRACTORS.items():
        for c in module.extract(nt.text):
            if seg.in_boilerplate(c.start, c.end):
                continue
            if kind == "count" and groups:
                # the model's group beats the rule's phrase; the phrase stays the fallback
                named = subject_from_groups(nt.text, c.start, c.end, group_starts, groups)
                if named:
                    c.fields["subject"] = named
            facts.append(_fact(kind, nt, seg, doc_id, c))
    # figures in table cells, their unit in a row or column header: only where no
    # rule found a figure already (a cell that writes 50人 is the rule's)
    for kind, c in tables.extract(nt.text):
        if not seg.in_boilerplate(c.start, c.end):
            facts.append(_fact(kind, nt, seg, doc_id, c))
    # a count and an amount may claim the same figure (e.g. 1人 vs 1元): keep the longer
    facts.sort(key=lambda f: (f.start, -(f.end - f.start)))
    kept = []
    for f in facts:
        if kept and f.type != "date" and any(
            k.type != "date" and f.start < k.end and k.start < f.end for k in kept[-3:]
        ):
            continue
        kept.append(f)
    entities = entity_records(nt, seg, ents)
    orgs: dict[int | None, dict[str, None]] = {}  # per section, in order of first mention
    for x in entities:
        if x.label == "ORG":
            orgs.setdefault(x.section, {})[x.text] = None
    sections = []
    for sp in seg.sections:
        s, e = _line_span(nt, sp.start, sp.end)
        body_end = nt.orig_pos(sp.body_end)
        labels = activities.label(seg.report_text(nt.text, sp.start, sp.body_end), own_title=one_report)
        sections.append(Section(index=sp.index, start=s, end=e, quote=raw[s:e], body_end=body_end,
                                primary=labels[0] if labels else "other", activities=labels or ["other"],
                                organisations=list(orgs.get(sp.index, ()))))
    boiler = []
    for b in seg.boilerplate:
        s, e = (nt.to_orig(b.start, b.end)[:2] if b.reason == "boilerplate.site_name"
                else _line_span(nt, b.start, b.end))
        boiler.append(Boilerplate(start=s, end=e, quote=raw[s:e], reason=b.reason))
    doc = Document(doc_id=doc_id, encoding=encoding, length=len(raw), facts=kept, sections=sections,
                   placeholders=find_placeholders(nt), boilerplate=boiler, entities=entities)
    from .audit.reconcile import reconcile  # late import: reconcile reads records only

    doc = doc.model_copy(update={"checks": reconcile(doc, raw)})
    doc = events.resolve_years(doc, when)
    doc = doc.model_copy(update={"events": events.resolve(doc, events.extract(doc, raw, nt))})
    doc = events.link_checks(doc)
    if options.redact_persons:
        from .models.redact import redact_persons

        doc = redact_persons(doc, options.redact_key)
    # the patterns and rule files this document was the first to need, for the next
    # process (a pool worker never runs atexit); nothing to do once warm
    rules.save_cache()
    return doc


@functools.lru_cache(maxsize=4)
def _warm_up(ner: bool, engine: str = "lexical") -> None:
    from .extract import subjects

    subjects.warm_up()
    if ner:
        _tagger(engine).entities("工会")


def error_document(doc_id: str, reason: str, encoding: str | None = None) -> Document:
    return Document(doc_id=doc_id, status="error", error=reason, encoding=encoding)


def skipped_document(doc_id: str, reason: str) -> Document:
    """An input that was seen and deliberately not read (its type), with the reason."""
    return Document(doc_id=doc_id, status="skipped", error=reason)


def input_text(data: bytes, fmt: str = "text") -> tuple[str, str | None, str | None, str | None]:
    """(text, encoding, reader, reader_version) of an input's bytes: decoded text,
    or the text a document reader extracts (``fmt``: docx, pdf, rtf, doc, wps).
    Raises DecodeError."""
    from .text.reading import decode_bytes

    if fmt in ("text", "html"):
        dec = decode_bytes(data)
        return dec.text, dec.encoding, None, None
    from .text.formats import read

    text, reader, version = read(data, fmt)
    return text, None, reader, version


def process_bytes(doc_id: str, data: bytes, html: bool = False, options: Options = DEFAULT_OPTIONS,
                  fmt: str | None = None, long: LongReader | None = None) -> Any:
    """The document of an input's bytes; an unreadable or failing one is an error
    record. ``long(doc_id, text, encoding, html, fields)`` is asked first, inside
    the time budget: what it returns, unless None, is returned instead of a
    Document (the batch runner reads a long text in parts: pipeline/parts.py)."""
    fmt = fmt or ("html" if html else "text")
    try:
        text, encoding, reader, version = input_text(data, fmt)
    except DecodeError as e:
        return error_document(doc_id, str(e))
    try:
        # a long archive file is slow, not runaway: its budget grows with its length;
        # one-time loads (the tagger's dictionary, the NER model) happen before the clock runs
        budget = options.time_limit + len(text) / CHARS_PER_SECOND_FLOOR if options.time_limit else 0
        if budget:
            _warm_up(options.ner, options.ner_engine)
        with time_budget(budget):
            if long is not None:
                done = long(doc_id, text, encoding, fmt == "html", {"reader": reader, "reader_version": version})
                if done is not None:
                    return done
            doc = process_text(doc_id, text, encoding, html=fmt == "html", options=options)
            return doc if reader is None else doc.model_copy(update={"reader": reader, "reader_version": version})
    except TimeLimitExceeded as e:
        return error_document(doc_id, str(e), encoding)
    except Exception as e:  # one bad document must not stop a batch
        return error_document(doc_id, f"{type(e).__name__}: {e}", encoding)


def doc_id_for(path: Path, root: Path | None) -> str:
    """The input's path relative to the folder given (or its name), without .txt."""
    rel = path.relative_to(root) if root is not None and root in path.parents else Path(path.name)
    return strip_txt(rel.as_posix())


def strip_txt(name: str) -> str:
    """``a/b.txt`` -> ``a/b`` (``.TXT`` too: archives written on Windows shout)."""
    return name[:-4] if name[-4:].lower() == ".txt" else name


def fmt_of(name: str) -> str:
    """How an input is read, by its suffix: text, html, or a document format."""
    from .text.formats import FORMATS

    suffix = os.path.splitext(name)[1].lower()
    if suffix in (".html", ".htm"):
        return "html"
    return suffix[1:] if suffix in FORMATS else "text"


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]
