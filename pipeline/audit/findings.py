"""What ``zongjie audit`` needs of one document, made where the document is made.

A worker turns each document into an ``Audited``: its checks (those shown), the
sentence of each check's total, and, for the HTML report, the document's
section of the page. The parent prints and writes those and holds nothing else,
so an audit of a large archive runs in the memory of one document, not of the
archive (it held every document and its text before, for the report).

A text past ``parts.LONG_TEXT`` is read in parts, as ``zongjie extract`` reads
it (the same checks), and its section is written to a temporary file part by
part: the report draws each figure from a compact mark, not from the figure's
record, so only the marks of the whole text are held at once.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from typing import Iterator

from ..batch.export import LineFile
from ..batch.inputs import Input
from ..document import input_text
from ..records import Check, Document, Event
from ..text.reading import DecodeError
from .report import (SECTION_CLOSE, Marks, document_section, error_section, events_table, marks, section_open,
                     sentence_at, write_text)


@dataclass(frozen=True)
class Audited:
    doc_id: str
    status: str
    error: str | None
    checks: tuple[Check, ...]   # the checks shown (with --only-problems, the inconsistent ones)
    quotes: tuple[str, ...]     # the sentence of each one's total, in the original text
    inconsistent: int           # inconsistent checks
    section: str | LineFile | None = None  # the document's part of the HTML report, when one is written

    def discard(self) -> None:
        if isinstance(self.section, LineFile):
            os.unlink(self.section.path)


def _shown(checks, only_problems: bool) -> list[Check]:
    return [c for c in checks if c.status == "inconsistent" or not only_problems]


def _failed(doc: Document, html: bool) -> Audited:
    return Audited(doc.doc_id, doc.status, doc.error, (), (), 0,
                   error_section(doc.doc_id, doc.error) if html else None)


@dataclass(frozen=True)
class AuditFinish:
    """The batch runner's ``finish`` for an audit (``batch.run``): bound to each
    input first (``for_input``), since the quotes and the report need its text."""
    only_problems: bool = False
    html: bool = False

    def for_input(self, inp: Input) -> _Bound:
        return _Bound(self, inp)

    def __call__(self, doc: Document) -> Audited:
        # a record made without its input (a worker that died on it): nothing to quote
        return _failed(doc, self.html) if doc.status != "ok" else self.audited(doc, "")

    def audited(self, doc: Document, raw: str) -> Audited:
        shown = _shown(doc.checks, self.only_problems)
        section = None
        if self.html:
            section = document_section(doc.model_copy(update={"checks": shown}) if self.only_problems else doc, raw)
        return Audited(doc.doc_id, doc.status, doc.error, tuple(shown),
                       tuple(sentence_at(raw, c.total.start) for c in shown),
                       sum(c.status == "inconsistent" for c in doc.checks), section)


@dataclass(frozen=True)
class _Bound:
    how: AuditFinish
    inp: Input

    def _raw(self) -> str:
        # the text the offsets point into, read again for the sentences shown
        return input_text(self.inp.read(), self.inp.fmt)[0]

    def __call__(self, doc: Document) -> Audited:
        if doc.status != "ok":
            return _failed(doc, self.how.html)
        try:
            raw = self._raw()
        except (OSError, ValueError, DecodeError) as e:
            return _failed(doc.model_copy(update={"status": "error", "error": str(e)}), self.how.html)
        return self.how.audited(doc, raw)

    def in_parts(self, header: Document, parts: Iterator[Document]) -> Audited:
        """A long text read in parts (``parts.read_in_parts``): its checks part by
        part; its section written to a temporary file."""
        raw = self._raw()
        shown: list[Check] = []
        inconsistent = 0
        drawn = Marks()
        evs: list[Event] = []
        heads: dict[int, str] = {}
        for part in parts:
            here = _shown(part.checks, self.how.only_problems)
            shown += here
            inconsistent += sum(c.status == "inconsistent" for c in part.checks)
            if self.how.html:
                drawn.extend(marks(part, here))
                evs += part.events
                heads.update((s.index, raw[s.start:s.end]) for s in part.sections)
        section: LineFile | None = None
        if self.how.html:
            section = _section_file(header.doc_id, raw, drawn, evs, heads)
        return Audited(header.doc_id, "ok", None, tuple(shown), tuple(sentence_at(raw, c.total.start) for c in shown),
                       inconsistent, section)


def _section_file(doc_id: str, raw: str, drawn: Marks, evs: list[Event], heads: dict[int, str]) -> LineFile:
    fd, path = tempfile.mkstemp(prefix="zongjie-report-", suffix=".html")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(section_open(doc_id, events_table(doc_id, raw, evs, heads)))
            write_text(doc_id, raw, drawn, out.write)
            out.write(SECTION_CLOSE)
            size = out.tell()
    except BaseException:
        os.unlink(path)
        raise
    return LineFile(path, size)
