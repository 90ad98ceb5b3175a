"""Self-contained HTML audit report (no network, no external assets).

Input: ``Document`` records and their original texts. Output: one HTML page
that shows each document's text with amounts, counts and dates highlighted,
placeholders and boilerplate visibly marked, and each check's total and parts
linked and coloured by status, inconsistencies listed first with their
arithmetic. Input text is untrusted: every piece of it goes through
``html.escape``; the page's only script is the small one written here.
"""

from __future__ import annotations

import html
import json

from ..records import Document, SpanRef

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


def _fid(doc_id: str, start: int, end: int) -> str:
    return f"{abs(hash(doc_id)) % 10**8}-{start}-{end}"


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


def _render_text(doc: Document, raw: str) -> str:
    n = len(raw)
    classes: list[set[str]] = [set() for _ in range(n)]
    fids: list[set[str]] = [set() for _ in range(n)]
    bad: set[tuple[int, int]] = set()
    for c in doc.checks:
        if c.status == "inconsistent":
            t, ps = _refs(c)
            bad.update((r.start, r.end) for r in [*t, *ps])
    for f in doc.facts:
        for k in range(f.start, min(f.end, n)):
            classes[k].add(f.type)
            fids[k].add(_fid(doc.doc_id, f.start, f.end))
            if (f.start, f.end) in bad:
                classes[k].add("hl-inconsistent")
    for p in doc.placeholders:
        for k in range(p.start, min(p.end, n)):
            classes[k].add("placeholder")
    for b in doc.boilerplate:
        for k in range(b.start, min(b.end, n)):
            classes[k].add("boilerplate")
    for s in doc.sections:
        for k in range(s.start, min(s.end, n)):
            classes[k].add("section-head")
    out: list[str] = []
    k = 0
    while k < n:
        j = k
        while j < n and classes[j] == classes[k] and fids[j] == fids[k]:
            j += 1
        chunk = _esc(raw[k:j])
        if classes[k]:
            cls = " ".join(sorted(classes[k]))
            title = html.escape(" ".join(sorted(c for c in classes[k] if c in ("amount", "count", "date", "placeholder", "boilerplate"))))
            data = f' data-f="{" ".join(sorted(fids[k]))}"' if fids[k] else ""
            out.append(f'<span class="{cls}" title="{title}"{data}>{chunk}</span>')
        else:
            out.append(chunk)
        k = j
    return "".join(out)


def _events(doc: Document, raw: str) -> str:
    """Each section's acts of giving: giver → recipients, money, date; a click
    highlights the facts in the text (the same links the checks use)."""
    if not doc.events:
        return ""
    heads = {s.index: raw[s.start:s.end] for s in doc.sections}
    rows = []
    for ev in doc.events:
        refs = {"total": [_fid(doc.doc_id, a.start, a.end) for a in ev.amounts],
                "parts": [_fid(doc.doc_id, r.start, r.end) for r in ev.recipients]}
        who = _esc(raw[ev.giver.start:ev.giver.end]) if ev.giver else "—"
        rec = "、".join(_esc(raw[r.start:r.end]) for r in ev.recipients) or "—"
        money = "、".join(_esc(raw[a.start:a.end]) for a in ev.amounts) or "—"
        when = _esc(raw[ev.date.start:ev.date.end]) if ev.date else "—"
        rows.append(f'<tr class="ev" data-refs="{html.escape(json.dumps(refs))}">'
                    f'<td>{_esc(heads.get(ev.section, "")[:24])}</td><td>{who} → {rec}</td><td>{money}</td>'
                    f'<td>{when}</td><td>{_esc(ev.action)} · {_esc(ev.activity)}</td></tr>')
    return ('<table class="events"><caption>events (who gave how much to whom, when)</caption>'
            '<tr><th>section</th><th>giver → recipients</th><th>money</th><th>date</th><th>act</th></tr>'
            + "".join(rows) + "</table>")


def sentence_at(raw: str, pos: int) -> str:
    a = max(raw.rfind(ch, 0, pos) for ch in "。\n;；") + 1
    ends = [i for i in (raw.find(ch, pos) for ch in "。\n") if i >= 0]
    b = min(ends) + 1 if ends else len(raw)
    return raw[a:b].strip()


def render(docs: list[tuple[Document, str]], title: str = "zongjie audit") -> str:
    body: list[str] = []
    cards: list[tuple[int, str]] = []
    totals = {"consistent": 0, "inconsistent": 0, "unverifiable": 0}
    for doc, raw in docs:
        if doc.status != "ok":
            body.append(f'<section class="doc"><h2>{_esc(doc.doc_id)}</h2>'
                        f'<p class="error">unusable input: {_esc(doc.error or "")}</p></section>')
            continue
        for c in doc.checks:
            totals[c.status] += 1
            t, ps = _refs(c)
            refs = {"total": [_fid(doc.doc_id, r.start, r.end) for r in t],
                    "parts": [_fid(doc.doc_id, r.start, r.end) for r in ps]}
            cards.append((STATUS_ORDER[c.status], (
                f'<div class="check {c.status}" data-status="{c.status}" data-refs="{html.escape(json.dumps(refs))}">'
                f'<b>{html.escape(c.status)}</b> · {html.escape(c.relation)} · {html.escape(c.scope)} · '
                f'{_esc(doc.doc_id)}' + (f' · {_esc(c.event_id)}' if c.event_id else "")
                + f'<div class="arith">{_esc(c.derivation)}</div>'
                f'<div class="quote">{_esc(sentence_at(raw, c.total.start)[:160])}</div></div>')))
        body.append(f'<section class="doc"><h2>{_esc(doc.doc_id)}</h2>{_events(doc, raw)}'
                    f'<div class="text">{_render_text(doc, raw)}</div></section>')
    cards.sort(key=lambda x: x[0])
    summary = (f'{totals["inconsistent"]} inconsistent · {totals["unverifiable"]} unverifiable · '
               f'{totals["consistent"]} consistent')
    legend = ('<div class="legend"><span class="amount">amount</span><span class="count">count</span>'
              '<span class="date">date</span><span class="placeholder">placeholder</span>'
              '<span class="boilerplate">boilerplate</span></div>')
    return (f'<!DOCTYPE html><html lang="zh"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f'<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src \'unsafe-inline\'; '
            f'script-src \'unsafe-inline\'">'
            f'<style>{CSS}</style></head><body><header><h1>{html.escape(title)}</h1>'
            f'<div id="summary">{summary}</div>{legend}</header><main><aside id="checks">'
            + "".join(c for _, c in cards) + '</aside><div class="docs">' + "".join(body)
            + f'</div></main><script>{JS}</script></body></html>')
