"""Self-contained HTML audit report (no network, no external assets).

Input: ``Document`` records and their original texts. Output: one HTML page
that shows each document's text with amounts, counts and dates highlighted,
placeholders and boilerplate visibly marked, and each check's total and parts
linked and coloured by status, inconsistencies listed first with their
arithmetic. Input text is untrusted: every piece of it goes through
``html.escape``; the page's only script is the small one written here.
"""

from __future__ import annotations

import functools
import hashlib
import html
import io
import json
import shutil
import tempfile
from array import array
from collections import Counter
from typing import Any, Callable, Iterable, Iterator, TextIO

from ..records import Check, Document, Event, SpanRef

CSS = """
body{font:15px/1.7 system-ui,"Noto Sans CJK SC","PingFang SC",sans-serif;margin:0;color:#222;background:#fafafa}
header{background:#263238;color:#fff;padding:12px 24px}header h1{margin:0;font-size:20px}
main{display:flex;gap:16px;padding:16px}
#checks{flex:0 0 420px;max-height:90vh;overflow:auto;position:sticky;top:8px}
.doc{flex:1;min-width:0}
.text{white-space:pre-wrap;background:#fff;border:1px solid #ddd;padding:12px;border-radius:6px}
.check{border-left:6px solid #999;background:#fff;margin:0 0 8px;padding:6px 10px;cursor:pointer;border-radius:4px}
.check.inconsistent{border-color:#c62828}.check.consistent{border-color:#2e7d32}.check.unverifiable{border-color:#f9a825}
.check .arith{font-family:ui-monospace,monospace}
.amount{background:#e3f2fd;border-bottom:2px solid #1565c0}
.count{background:#e8f5e9;border-bottom:2px solid #2e7d32}
.date{background:#f3e5f5;border-bottom:2px solid #6a1b9a}
.placeholder{background:#ffecb3;outline:1px dashed #ff6f00}
.boilerplate{color:#9e9e9e;text-decoration:line-through}
.hl-total{outline:3px solid #000}.hl-part{outline:3px solid #0277bd}
.hl-inconsistent{background:#ffcdd2!important}
.legend span{margin-right:12px;padding:0 4px}
.section-head{font-weight:bold;border-top:2px solid #607d8b}
table.events{border-collapse:collapse;margin:0 0 8px;background:#fff;font-size:13px}
table.events td,table.events th{border:1px solid #ddd;padding:2px 6px;text-align:left}
tr.ev{cursor:pointer}
.bidi{color:#b71c1c;font-size:11px;border:1px solid #b71c1c;border-radius:2px}
"""

JS = """
function pick(c){
  document.querySelectorAll('.hl-total,.hl-part').forEach(function(e){e.classList.remove('hl-total','hl-part')});
  var spec=JSON.parse(c.dataset.refs);
  spec.total.forEach(function(id){document.querySelectorAll('[data-f~="'+id+'"]').forEach(function(e){e.classList.add('hl-total')})});
  spec.parts.forEach(function(id){document.querySelectorAll('[data-f~="'+id+'"]').forEach(function(e){e.classList.add('hl-part')})});
  var first=document.querySelector('[data-f~="'+(spec.total[0]||spec.parts[0])+'"]'); if(first) first.scrollIntoView({block:'center'});
  document.body.dataset.selected=c.id;
}
document.querySelectorAll('.check').forEach(function(c, k){
  c.id='check-'+k;
  c.addEventListener('click',function(){pick(c)});
});
// an event's row highlights its money (as a total) and its recipients (as parts)
document.querySelectorAll('tr.ev').forEach(function(c, k){
  c.id='event-'+k;
  c.addEventListener('click',function(){pick(c)});
});
// a link to #check-N opens the report on that finding
if(location.hash.indexOf('#check-')===0){var c=document.getElementById(location.hash.slice(1)); if(c) c.click();}
"""

STATUS_ORDER = {"inconsistent": 0, "unverifiable": 1, "consistent": 2}


@functools.lru_cache(maxsize=4096)
def _doc_key(doc_id: str) -> int:
    # a digest, not hash(): str hashes differ between processes, and a document's
    # section and its check cards may be rendered in different ones
    return int.from_bytes(hashlib.blake2b(doc_id.encode("utf-8"), digest_size=8).digest(), "big") % 10**8


def _fid(doc_id: str, start: int, end: int) -> str:
    return f"{_doc_key(doc_id)}-{start}-{end}"


def _refs(check) -> tuple[list[SpanRef], list[SpanRef]]:
    parts: list[SpanRef] = []
    for p in check.parts:
        parts.extend([p.count, p.rate] if hasattr(p, "count") else [p])
    return [check.total], parts


# Unicode direction controls (LRE … RLO, LRI … PDI) in an untrusted text can
# reorder what the reader sees (a total shown where a part is); they are shown
# as visible marks instead of being obeyed, one character for one, so nothing
# else on the page moves
_BIDI = {cp: f'<span class="bidi" title="U+{cp:04X}">\u2039U+{cp:04X}\u203a</span>'
         for cp in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}


def _esc(text: str) -> str:
    """Untrusted text as HTML: escaped, direction controls made visible."""
    return html.escape(text).translate(_BIDI)


# a mark is (start, end, class, fact or not): a span of the text drawn with a class;
# a fact's mark also carries the id the check cards and event rows point at
Mark = tuple[int, int, str, bool]
_TITLED = ("amount", "count", "date", "placeholder", "boilerplate")


def marks(doc: Document, checks: Iterable[Check] | None = None) -> Iterator[Mark]:
    """What the report draws over a document's text: its facts (the figures of an
    inconsistent check among ``checks``, default the document's, in red), its
    placeholders, boilerplate and sub-report headings."""
    bad: set[tuple[int, int]] = set()
    for c in doc.checks if checks is None else checks:
        if c.status == "inconsistent":
            t, ps = _refs(c)
            bad.update((r.start, r.end) for r in [*t, *ps])
    for f in doc.facts:
        yield f.start, f.end, f.type, True
        if (f.start, f.end) in bad:
            yield f.start, f.end, "hl-inconsistent", False
    for p in doc.placeholders:
        yield p.start, p.end, "placeholder", False
    for b in doc.boilerplate:
        yield b.start, b.end, "boilerplate", False
    for sec in doc.sections:
        yield sec.start, sec.end, "section-head", False


class Marks:
    """Marks held in flat arrays, 17 bytes each instead of a tuple each: the
    report of a 20 M-character archive file draws ~1.5 M of them at once."""

    def __init__(self) -> None:
        self.starts, self.ends, self.codes = array("q"), array("q"), array("B")
        self.kinds: list[tuple[str, bool]] = []
        self._code: dict[tuple[str, bool], int] = {}

    def __len__(self) -> int:
        return len(self.starts)

    def extend(self, spans: Iterable[Mark]) -> Marks:
        for s, e, cls, is_fact in spans:
            code = self._code.get((cls, is_fact))
            if code is None:
                code = self._code[(cls, is_fact)] = len(self.kinds)
                self.kinds.append((cls, is_fact))
            self.starts.append(s)
            self.ends.append(e)
            self.codes.append(code)
        return self


def write_text(doc_id: str, raw: str, spans: Marks | Iterable[Mark], write: Callable[[str], Any]) -> None:
    """The text as HTML, each run of characters under the same marks one span.

    A sweep over the marks' ends in order: the per-character sets it replaces
    cost two sets per character (gigabytes on a 20 M-character archive file)."""
    m = spans if isinstance(spans, Marks) else Marks().extend(spans)
    n = len(raw)
    starts, ends, codes, kinds = m.starts, m.ends, m.codes, m.kinds

    def end(k: int) -> int:
        return min(ends[k], n)

    def drawn(k: int) -> bool:  # a mark past the text's end draws nothing
        return starts[k] < end(k)

    def item(k: int) -> tuple[str, str | None]:
        cls, is_fact = kinds[codes[k]]
        return cls, _fid(doc_id, starts[k], ends[k]) if is_fact else None

    opening = sorted(range(len(m)), key=starts.__getitem__)
    closing = sorted(range(len(m)), key=end)
    classes: Counter = Counter()
    fids: Counter = Counter()
    run_start, run_key = 0, (frozenset(), frozenset())

    def emit(a: int, b: int, key: tuple[frozenset, frozenset]) -> None:
        chunk = _esc(raw[a:b])
        cls_set, fid_set = key
        if not cls_set:
            write(chunk)
            return
        cls = " ".join(sorted(cls_set))
        title = html.escape(" ".join(sorted(c for c in cls_set if c in _TITLED)))
        data = f' data-f="{" ".join(sorted(fid_set))}"' if fid_set else ""
        write(f'<span class="{cls}" title="{title}"{data}>{chunk}</span>')

    i = j = 0
    while True:
        while i < len(opening) and not drawn(opening[i]):
            i += 1
        while j < len(closing) and not drawn(closing[j]):
            j += 1
        if i == len(opening) and j == len(closing):
            break
        pos = min(starts[opening[i]] if i < len(opening) else n, end(closing[j]) if j < len(closing) else n)
        while j < len(closing) and end(closing[j]) == pos:
            k = closing[j]
            j += 1
            if drawn(k):
                cls, fid = item(k)
                classes[cls] -= 1
                if not classes[cls]:
                    del classes[cls]
                if fid is not None:
                    fids[fid] -= 1
                    if not fids[fid]:
                        del fids[fid]
        while i < len(opening) and starts[opening[i]] == pos:
            k = opening[i]
            i += 1
            if drawn(k):
                cls, fid = item(k)
                classes[cls] += 1
                if fid is not None:
                    fids[fid] += 1
        key = (frozenset(classes), frozenset(fids))
        if key != run_key:
            if pos > run_start:
                emit(run_start, pos, run_key)
            run_start, run_key = pos, key
    if n > run_start:
        emit(run_start, n, run_key)


def _render_text(doc: Document, raw: str) -> str:
    out: list[str] = []
    write_text(doc.doc_id, raw, marks(doc), out.append)
    return "".join(out)


def events_table(doc_id: str, raw: str, evs: Iterable[Event], heads: dict[int, str]) -> str:
    """Each section's acts of giving: giver → recipients, money, date; a click
    highlights the facts in the text (the same links the checks use). ``heads``:
    each section's heading, by index."""
    rows = []
    for ev in evs:
        refs = {"total": [_fid(doc_id, a.start, a.end) for a in ev.amounts],
                "parts": [_fid(doc_id, r.start, r.end) for r in ev.recipients]}
        who = _esc(raw[ev.giver.start:ev.giver.end]) if ev.giver else "—"
        rec = "、".join(_esc(raw[r.start:r.end]) for r in ev.recipients) or "—"
        money = "、".join(_esc(raw[a.start:a.end]) for a in ev.amounts) or "—"
        when = _esc(raw[ev.date.start:ev.date.end]) if ev.date else "—"
        rows.append(f'<tr class="ev" data-refs="{html.escape(json.dumps(refs))}">'
                    f'<td>{_esc(heads.get(ev.section, "")[:24])}</td><td>{who} → {rec}</td><td>{money}</td>'
                    f'<td>{when}</td><td>{_esc(ev.action)} · {_esc(ev.activity)}</td></tr>')
    if not rows:
        return ""
    return ('<table class="events"><caption>events (who gave how much to whom, when)</caption>'
            '<tr><th>section</th><th>giver → recipients</th><th>money</th><th>date</th><th>act</th></tr>'
            + "".join(rows) + "</table>")


def _events(doc: Document, raw: str) -> str:
    return events_table(doc.doc_id, raw, doc.events, {s.index: raw[s.start:s.end] for s in doc.sections})


def sentence_at(raw: str, pos: int) -> str:
    a = max(raw.rfind(ch, 0, pos) for ch in "。\n;；") + 1
    ends = [i for i in (raw.find(ch, pos) for ch in "。\n") if i >= 0]
    b = min(ends) + 1 if ends else len(raw)
    return raw[a:b].strip()


def section_open(doc_id: str, events_html: str) -> str:
    return f'<section class="doc"><h2>{_esc(doc_id)}</h2>{events_html}<div class="text">'


SECTION_CLOSE = "</div></section>"


def error_section(doc_id: str, error: str | None) -> str:
    return (f'<section class="doc"><h2>{_esc(doc_id)}</h2>'
            f'<p class="error">unusable input: {_esc(error or "")}</p></section>')


def document_section(doc: Document, raw: str) -> str:
    """A document's part of the report: its events, its text with every mark."""
    if doc.status != "ok":
        return error_section(doc.doc_id, doc.error)
    return section_open(doc.doc_id, _events(doc, raw)) + _render_text(doc, raw) + SECTION_CLOSE


def check_card(doc_id: str, c: Check, quote: str) -> str:
    """One check in the report's list: status, arithmetic, the sentence of its
    total (``quote``); a click highlights its figures in the text."""
    t, ps = _refs(c)
    refs = {"total": [_fid(doc_id, r.start, r.end) for r in t],
            "parts": [_fid(doc_id, r.start, r.end) for r in ps]}
    return (f'<div class="check {c.status}" data-status="{c.status}" data-refs="{html.escape(json.dumps(refs))}">'
            f'<b>{html.escape(c.status)}</b> · {html.escape(c.relation)} · {html.escape(c.scope)} · '
            f'{_esc(doc_id)}' + (f' · {_esc(c.event_id)}' if c.event_id else "")
            + f'<div class="arith">{_esc(c.derivation)}</div>'
            f'<div class="quote">{_esc(quote[:160])}</div></div>')


class ReportWriter:
    """The report written as the documents come, in bounded memory: each
    document's section goes to a temporary file at once, each check card to a
    temporary file of its status (inconsistent cards are listed first, then
    unverifiable, then consistent, each in the order of the documents);
    ``close`` writes the page around them."""

    def __init__(self, out: TextIO, title: str = "zongjie audit") -> None:
        self.out, self.title = out, title
        self.body = tempfile.TemporaryFile("w+", encoding="utf-8")
        self.cards = {k: tempfile.TemporaryFile("w+", encoding="utf-8") for k in STATUS_ORDER}
        self.totals = dict.fromkeys(STATUS_ORDER, 0)

    def add_checks(self, doc_id: str, checks: Iterable[Check], quotes: Iterable[str]) -> None:
        for c, q in zip(checks, quotes):
            self.totals[c.status] += 1
            self.cards[c.status].write(check_card(doc_id, c, q))

    def add_section(self, section: str) -> None:
        self.body.write(section)

    def add_section_file(self, path: str) -> None:
        with open(path, encoding="utf-8") as src:
            shutil.copyfileobj(src, self.body, 1 << 20)

    def close(self) -> None:
        t = self.totals
        summary = f'{t["inconsistent"]} inconsistent · {t["unverifiable"]} unverifiable · {t["consistent"]} consistent'
        legend = ('<div class="legend"><span class="amount">amount</span><span class="count">count</span>'
                  '<span class="date">date</span><span class="placeholder">placeholder</span>'
                  '<span class="boilerplate">boilerplate</span></div>')
        title = html.escape(self.title)
        self.out.write(f'<!DOCTYPE html><html lang="zh"><head><meta charset="utf-8"><title>{title}</title>'
                       f'<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
                       f'style-src \'unsafe-inline\'; script-src \'unsafe-inline\'">'
                       f'<style>{CSS}</style></head><body><header><h1>{title}</h1>'
                       f'<div id="summary">{summary}</div>{legend}</header><main><aside id="checks">')
        for status in sorted(STATUS_ORDER, key=STATUS_ORDER.get):
            self._copy(self.cards[status])
        self.out.write('</aside><div class="docs">')
        self._copy(self.body)
        self.out.write(f'</div></main><script>{JS}</script></body></html>')
        self.discard()

    def _copy(self, f) -> None:
        f.seek(0)
        shutil.copyfileobj(f, self.out, 1 << 20)

    def discard(self) -> None:
        for f in (self.body, *self.cards.values()):
            f.close()


def render(docs: Iterable[tuple[Document, str]], title: str = "zongjie audit") -> str:
    """The report of (document, its original text) pairs, as one string."""
    out = io.StringIO()
    w = ReportWriter(out, title)
    for doc, raw in docs:
        if doc.status == "ok":
            w.add_checks(doc.doc_id, doc.checks, (sentence_at(raw, c.total.start) for c in doc.checks))
        w.add_section(document_section(doc, raw))
    w.close()
    return out.getvalue()
