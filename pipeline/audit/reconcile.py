"""Reconciliation: stated totals against their parts.

Pure and separate from extraction: ``reconcile(doc, raw)`` reads a
``Document``'s facts and the ORIGINAL text (for sentence and paragraph
boundaries and marker words) and returns ``Check`` records; facts are never
changed. Offsets in checks are those of the facts, i.e. original offsets.

Relations: ``sum`` (881名 = 79 + 667 + 135) and ``product_sum`` (3.05万元 =
5 × 3000元 + 3 × 3500元 + 2 × 2500元), the rates possibly stated once in an
earlier paragraph. Scopes:

* sentence: a total, then a breakdown word (其中, 分别为) and its parts, in the
  same sentence or the next one; or parts closed by a total (…,共计8名);
* document: a total in one paragraph whose parts are a run of figures in
  another paragraph of the same sub-report (sum equal), or the same group
  counted twice with a different breakdown (a near miss of a breakdown's total).

Status: ``consistent`` within the text's own precision (a total in 万元 with
two decimals holds to ±50元), ``inconsistent`` otherwise, ``unverifiable`` when
a figure is masked, missing or approximate, unless an approximate total's bound
is broken (50余名 against 39 is inconsistent).
"""

from __future__ import annotations

import functools
import re
from bisect import bisect_left, bisect_right
from decimal import Decimal
from typing import NamedTuple

import regex

from .. import rules
from ..records import Amount, Check, Count, Document, ProductPart, SpanRef
from ..text.spans import between
from .outline import balance, breakdowns

# compiled once: module-level regex.* calls with a pattern string pay a cache lookup each time
_SENTENCE = regex.compile(r"[^。！？\n]+[。！？]*")
_CLAUSE = regex.compile(r"[^。！？;；\n]+[。！？;；]*")
_PARAGRAPH = regex.compile(r"[^\n]+")
_GLOSS = regex.compile(r"\(.*?\)")
_WAN_PRECISION = regex.compile(r"(\d+)(?:\.(\d+))?\s*([万萬亿億千])")
_LIST_SEP = regex.compile(r"[,，、]")
# a line break inside a figure's sentence (…每人\n1000\n元至\n3000\n元): next to a digit,
# after no sentence or list punctuation
_SOFT_BREAK = regex.compile(r"(?:(?<=\d)\n(?=[^\n\s])|(?<=[^\n。！？;；:：|])\n(?=\d))")
# 600元和米面油票: goods given beside a figure, without one of their own
_GOODS_AFTER = regex.compile(r"[和及与][\p{Han}]{2,6}(?![\d\p{Han}]*?\d)")


Fig = Amount | Count
FILE = "check/markers"
# the longest stretch of a run that the document-scope pairing takes as one
# breakdown: long enumerations (30+ parts after 其中) fit, a 3 MB line of
# figures does not make the index quadratic
MAX_STRETCH = 64
# stretches indexed per document at most (a 3 MB line of figures stays bounded)
MAX_INDEXED = 200_000
# near misses tried per total, rates tried before a total: bounds, not tuning
MAX_NEAR = 32
MAX_RATES = 64


@functools.lru_cache(maxsize=1)
def _markers():
    rf = rules.load(FILE)
    return rf.lexicons, rf.tables["unit_class"], rf.tables["settings"]


def unit_class(f: Fig) -> str | None:
    if f.type == "amount":
        return f"money:{f.currency}:{f.per or ''}"
    # a unit the table does not name compares only with itself (个帮扶站 is not 个基层工会)
    return _markers()[1].get(f.unit) or (f"unit:{f.unit}" if f.unit else None)


class Span(NamedTuple):
    # a tuple, not a frozen dataclass: a long page makes thousands (every sentence
    # and clause) and a tuple is built at a third of the cost
    start: int
    end: int


def _sentences(raw: str) -> list[Span]:
    # ASCII ? and ! are left out: in these pages they are lost characters of a
    # mojibake (三本3人,?2人), not sentence ends. A line break inside a sentence
    # broken at every figure (分别对\n303\n名…) is a space, not an end: the text is
    # read with those breaks blanked (same length, so offsets hold)
    return [Span(*m.span()) for m in _SENTENCE.finditer(_SOFT_BREAK.sub(" ", raw))]


def _clauses(raw: str) -> list[Span]:
    """Sentences cut further at ; (一是…;二是…)."""
    return [Span(*m.span()) for m in _CLAUSE.finditer(raw)]


def _paragraphs(raw: str) -> list[Span]:
    return [Span(*m.span()) for m in _PARAGRAPH.finditer(raw)]


def _index(spans: list[Span], pos: int) -> int:
    lo, hi = 0, len(spans) - 1
    while lo <= hi:
        mid = (lo + hi) // 2
        if spans[mid].end <= pos:
            lo = mid + 1
        elif spans[mid].start > pos:
            hi = mid - 1
        else:
            return mid
    return -1


def _known(f: Fig) -> bool:
    return f.status == "ok" and f.value is not None


def _tolerance(f: Fig) -> Decimal:
    """Half a unit of the last digit the total was written with, in yuan/items."""
    if f.type != "amount" or f.value is None:
        return Decimal(0)
    q = _GLOSS.sub("", f.quote)
    m = _WAN_PRECISION.search(q)
    if not m:
        return Decimal(0)
    decimals = len(m.group(2) or "")
    scale = {"万": 10000, "萬": 10000, "亿": 10**8, "億": 10**8, "千": 1000}[m.group(3)]
    return Decimal(scale) / (Decimal(10) ** decimals) / 2


def _num(v) -> Decimal:
    return Decimal(str(v))


def _fmt(v) -> str:
    d = _num(v)
    return f"{int(d):,}" if d == d.to_integral_value() else f"{d:,}"


def _status(total: Fig, computed: Decimal | None, tol: Decimal, parts_exact: bool) -> str:
    if computed is None or not _known(total):
        return "unverifiable"
    stated = _num(total.value)
    if total.approx == "at_least":
        return "inconsistent" if computed < stated - tol else "unverifiable"
    if total.approx == "at_most":
        return "inconsistent" if computed > stated + tol else "unverifiable"
    if total.approx == "about" or not parts_exact:
        return "unverifiable"
    return "consistent" if abs(computed - stated) <= tol else "inconsistent"


def _ref(f: Fig) -> SpanRef:
    return SpanRef(start=f.start, end=f.end)


def make_sum(total: Fig, parts: list[Fig], scope: str, doc_id: str) -> Check:
    known = all(_known(p) for p in parts)
    computed = sum((_num(p.value) for p in parts), Decimal(0)) if known else None
    exact = all(p.approx == "exact" for p in parts)
    # each part rounded as written (24.70万元: ±50元) adds its rounding to the total's;
    # a part's precision is the finest the breakdown writes (9万元 beside 64.1万元 is 9.0)
    # (a part written in plain yuan is exact and adds nothing)
    steps = [t for t in (_tolerance(f) for f in [total, *parts]) if t > 0]
    finest = min(steps) if steps else Decimal(0)
    tol = _tolerance(total) + sum((min(t, finest) for t in map(_tolerance, parts)), Decimal(0))
    status = _status(total, computed, tol, exact)
    terms = " + ".join(_fmt(p.value) if _known(p) else f"[{p.status}]" for p in parts)
    stated = total.value if _known(total) else None
    return _check("sum", total, [_ref(p) for p in parts], scope, status, stated, computed, tol, terms, doc_id)


def make_product_sum(total: Fig, pairs: list[tuple[Fig, Fig]], scope: str, doc_id: str) -> Check:
    known = all(_known(c) and _known(r) for c, r in pairs)
    computed = sum((_num(c.value) * _num(r.value) for c, r in pairs), Decimal(0)) if known else None
    exact = all(c.approx == "exact" and r.approx == "exact" for c, r in pairs)
    tol = _tolerance(total)
    status = _status(total, computed, tol, exact)
    terms = " + ".join(f"{_fmt(c.value) if _known(c) else '?'} × {_fmt(r.value) if _known(r) else '?'}" for c, r in pairs)
    stated = total.value if _known(total) else None
    parts = [ProductPart(count=_ref(c), rate=_ref(r)) for c, r in pairs]
    return _check("product_sum", total, parts, scope, status, stated, computed, tol, terms, doc_id)


def make_range_product(total: Fig, counts: list[Fig], rate: Fig, scope: str, doc_id: str) -> Check:
    """total against Σ counts × a rate given as a range: the range bounds the
    computed total (SCHEMA.md: ``computed``, ``computed_high``); outside the
    bounds is inconsistent, inside unverifiable."""
    n = sum((_num(c.value) for c in counts), Decimal(0))
    lo, hi = n * _num(rate.low), n * _num(rate.high)
    tol = _tolerance(total)
    stated = _num(total.value) if _known(total) else None
    if stated is None:
        status = "unverifiable"
    elif stated < lo - tol or stated > hi + tol:
        status = "inconsistent"
    else:
        status = "unverifiable"
    terms = " + ".join(_fmt(c.value) for c in counts) + f" × [{_fmt(rate.low)}, {_fmt(rate.high)}]"
    parts = [ProductPart(count=_ref(c), rate=_ref(rate)) for c in counts]
    c = _check("product_sum", total, parts, scope, status, total.value if stated is not None else None, lo, tol,
               terms, doc_id)
    high = int(hi) if hi == hi.to_integral_value() else float(hi)
    shown = f"[{_fmt(lo)}, {_fmt(hi)}]"
    derivation = (f"{terms} = {shown} ∌ {_fmt(total.value)}" if status == "inconsistent"
                  else f"{terms} = {shown} vs {total.quote} ?")
    return c.model_copy(update={"computed_high": high, "derivation": derivation})


def _check(relation, total, parts, scope, status, stated, computed, tol, terms, doc_id) -> Check:
    comp = None if computed is None else (int(computed) if computed == computed.to_integral_value() else float(computed))
    diff = None if comp is None or stated is None else float(_num(comp) - _num(stated))
    if diff is not None and float(diff).is_integer():
        diff = int(diff)
    mark = {"consistent": "✓", "inconsistent": "≠", "unverifiable": "?"}[status]
    shown = _fmt(stated) if stated is not None else f"[{total.status}]"
    if status == "inconsistent":
        derivation = f"{terms} = {_fmt(comp)} ≠ {shown}"
    elif status == "consistent":
        derivation = f"{terms} = {_fmt(comp)} {mark}"
    else:
        derivation = f"{terms} = {_fmt(comp) if comp is not None else '?'} vs {total.quote} ?"
        if stated is None and comp is not None:
            derivation += f" (inferred total: {_fmt(comp)})"
    return Check(
        check_id=f"{doc_id}:{relation}:{total.start}-{total.end}:" + ",".join(
            str(p.start if isinstance(p, SpanRef) else p.count.start) for p in parts),
        relation=relation, scope=scope, status=status, total=_ref(total), parts=parts,
        stated=stated, computed=comp, difference=diff, tolerance=float(tol) if tol % 1 else int(tol),
        derivation=derivation, section=total.section,
    )


def _pick_parts(total: Fig, cands: list[Fig]) -> list[Fig]:
    """Parts of a breakdown: the shortest leading run (>= 2) that adds up to the
    total if there is one (so a trailing figure of another kind is not swallowed:
    224家 = 216 + 8, not + 368 覆盖企业), else every candidate."""
    if _known(total) and all(_known(c) for c in cands):
        acc = Decimal(0)
        tol = _tolerance(total)
        for k, c in enumerate(cands):
            acc += _num(c.value)
            if k >= 1 and abs(acc - _num(total.value)) <= tol:
                return cands[: k + 1]
    return cands


@functools.lru_cache(maxsize=4)
def _breakdown(words: tuple[str, ...]) -> re.Pattern:
    # 的486名困难职工子女中,义务教育段…: a total then 中, also opens a breakdown.
    # Stdlib ``re``: a literal alternation runs several times faster there than in ``regex``.
    return re.compile("|".join(map(re.escape, words)) + r"|(?<=[名人户家位])[^,，。;；]{0,16}中(?=[,，:：])")


def reconcile(doc: Document, raw: str) -> list[Check]:
    lex, _, settings = _markers()
    all_figs: list[Fig] = [f for f in doc.facts if f.type in ("amount", "count")]
    if len(all_figs) < 2:
        return []
    # figures in table cells are paired by the table's rows and columns only: read
    # as running text, a row (7428 | 7225) looks like a breakdown of the row above
    cells = [f for f in all_figs if f.rule_id.endswith(".table_cell")]
    figs = [f for f in all_figs if not f.rule_id.endswith(".table_cell")]
    table_checks = _table_checks(raw, cells, doc.doc_id) if cells else []
    if len(figs) < 2:
        return sorted(table_checks, key=lambda c: (c.total.start, c.relation))
    sents = _sentences(raw)
    paras = _paragraphs(raw)
    figs.sort(key=lambda f: f.start)
    # every "figures in this stretch of text" question is a bisect on these
    # starts, so a long document costs linear time, not quadratic
    fstarts = [f.start for f in figs]
    sent_of = {f.start: _index(sents, f.start) for f in figs}
    para_of = {f.start: _index(paras, f.start) for f in figs}
    checks: list[Check] = []
    seen: set[tuple] = set()
    used_as_part: set[int] = set()
    stated_totals: set[int] = set()
    group_totals: list[Fig] = []

    def add(c: Check, parts: list[Fig]) -> None:
        key = (c.relation, c.total.start, tuple(sorted(p.start for p in parts)))
        if key in seen:
            return
        seen.add(key)
        checks.append(c)
        stated_totals.add(c.total.start)
        used_as_part.update(p.start for p in parts)

    def add_weak(c: Check, parts: list[Fig]) -> None:
        """A pairing the text signals only weakly (用于, parts spread over a
        sentence's clauses, an implicit run): shown when it holds, or when the
        parts exceed the whole, which any reader sees is wrong; a shortfall
        may be parts the text did not list, so it is not an alarm."""
        if c.status == "consistent" or (c.status == "inconsistent" and c.computed is not None
                                        and c.stated is not None and c.computed > c.stated):
            add(c, parts)

    # --- layout: numbered lists after a total, a finance report's balance ------
    def first_fig(a: int, b: int, cls: str | None):
        return next((f for f in figs[between(fstarts, a, b)]
                     if not (f.type == "amount" and f.per) and (cls is None or unit_class(f) == cls)), None)

    def last_fig(a: int, b: int):
        inside = [f for f in figs[between(fstarts, a, b)] if not (f.type == "amount" and f.per)]
        return inside[-1] if inside else None

    for total, parts in breakdowns(raw, first_fig, last_fig, unit_class):
        add(make_sum(total, parts, "paragraph", doc.doc_id), parts)
    bal = balance(raw, figs)
    if bal is not None:
        c = make_sum(bal[0], bal[1], "document", doc.doc_id)
        if c.status == "consistent":  # the year's balance may be named loosely: no alarm
            add(c, bal[1])

    breakdown = _breakdown(tuple(lex["breakdown"]))
    weak_breakdown = _breakdown(tuple(lex["breakdown_weak"]))
    inner = _inner_spans(raw, tuple(lex["inner_part"]))
    subset = tuple(lex["subset_after"])
    # --- sentence scope: total, breakdown word, parts --------------------------
    for si, s in enumerate(sents):
        for m in breakdown.finditer(raw, s.start, s.end):
            if raw[m.end():m.end() + 2].startswith(subset):
                continue
            mpos = m.start()
            k = bisect_right(fstarts, mpos) - 1
            sec = figs[k].section if k >= 0 else None
            region = [f for f in figs[between(fstarts, mpos, s.end)] if f.section == sec]
            if not region:
                continue
            before_span_start = sents[si - 1].start if mpos - s.start <= 2 and si > 0 else s.start
            if breakdown.search(raw, s.start, mpos):
                # a second list in the sentence: its total stands after the first list's
                # end (…其中本科5000元,专科4000元;另一部分…其中本科3000元…): the first
                # list's parts are never the second one's total
                semi = max(raw.rfind(";", s.start, mpos), raw.rfind("；", s.start, mpos))
                before_span_start = max(before_span_start, semi + 1)
            before = figs[between(fstarts, before_span_start, mpos)]
            # next breakdown word in the same sentence closes this region
            nxt = breakdown.search(raw, m.end(), s.end)
            if nxt:
                region = [f for f in region if f.start < nxt.start()]
            # 辽宁省总90万元(含沈阳市总20万元): a part's own sub-parts are not the total's
            region = [f for f in region if not _inside(inner, f.start)]
            _sentence_checks(before, region, doc.doc_id, add, group_totals)
        for m in weak_breakdown.finditer(raw, s.start, s.end):
            if breakdown.search(raw, s.start, s.end):
                break  # a sentence with a real breakdown word is read by it
            mpos = m.start()
            region = [f for f in figs[between(fstarts, mpos, s.end)] if not _inside(inner, f.start)]
            before = figs[between(fstarts, s.start, mpos)]
            if region and before:
                _sentence_checks(before, region, doc.doc_id, add_weak, [])
    # --- sentence scope: parts, then 共计 total --------------------------------
    after_words = sorted(lex["total_after"], key=len, reverse=True)
    clauses = _clauses(raw)
    clause_of = {f.start: _index(clauses, f.start) for f in figs}
    for f in figs:
        ci = clause_of[f.start]
        lead = raw[max(0, f.start - 10, clauses[ci].start if ci >= 0 else 0):f.start]
        lead = _LIST_SEP.split(lead)[-1]  # the total's own clause: 合计发放慰问金67.5万元
        if not any(w in lead for w in after_words):
            continue
        cls = unit_class(f)
        in_clause = [p for p in figs[between(fstarts, clauses[ci].start if ci >= 0 else 0, f.start)]
                     if clause_of[p.start] == ci]
        parts = [p for p in in_clause if unit_class(p) == cls and p.start not in used_as_part]
        if len(parts) >= 2 and f.start not in stated_totals:
            add(make_sum(f, parts, "sentence", doc.doc_id), parts)
        if len(parts) < 2 and f.start not in stated_totals and not (f.type == "amount" and f.per):
            # 救助91人,发放资金24.70万元;助学救助31人,发放资金17.97万元;…,共计发放帮扶资金75.41万元:
            # the parts stand in the sentence's earlier clauses
            si = sent_of[f.start]
            spread = [p for p in figs[between(fstarts, sents[si].start if si >= 0 else 0, f.start)]
                      if unit_class(p) == cls and p.start not in used_as_part and not _inside(inner, p.start)
                      and not (p.type == "amount" and p.per)]
            if len(spread) >= 2 and len(spread) > len(parts):
                add_weak(make_sum(f, spread, "sentence", doc.doc_id), spread)
        if f.type == "amount" and not f.per and not parts:
            # 其中特困职工150人,一般困难职工1110人,合计发放慰问金67.5万元: counts
            # in the clause, their rates stated in this or the previous sentence
            counts = [p for p in in_clause if p.type == "count"]
            si = sent_of[f.start]
            rates = [r for r in figs[between(fstarts, sents[si - 1].start if si >= 1 else 0, f.start)]
                     if r.type == "amount" and r.per and sent_of[r.start] in (si - 1, si) and r.section == f.section]
            if len(counts) >= 2 and len(rates) >= len(counts):
                pairs = list(zip(counts, rates[-len(counts):]))
                scope = "sentence" if all(sent_of[r.start] == si for _, r in pairs) else "document"
                add(make_product_sum(f, pairs, scope, doc.doc_id), [x for p in pairs for x in p])
    # --- document scope -------------------------------------------------------
    _document_checks(figs, sent_of, para_of, settings, doc.doc_id, add, checks, group_totals)
    _implicit_checks(raw, figs, fstarts, sents, sent_of, paras, para_of, lex, doc.doc_id, add, add_weak,
                     stated_totals, used_as_part)
    checks = _unnamed_components(raw, checks, sents, lex)
    checks += table_checks
    checks.sort(key=lambda c: (c.total.start, c.relation))
    return checks


def _inner_spans(raw: str, words: tuple[str, ...]) -> tuple[list[int], list[int]]:
    """Spans of parenthesised sub-parts: (含沈阳市总20万元,大连市总20万元)."""
    pat = _inner_pattern(words)
    spans = [(m.start(), m.end()) for m in pat.finditer(raw)]
    return [a for a, _ in spans], [b for _, b in spans]


@functools.lru_cache(maxsize=4)
def _inner_pattern(words: tuple[str, ...]) -> re.Pattern:
    return re.compile(r"[(（](?:" + "|".join(map(re.escape, words)) + r")[^()（）]{0,200}[)）]")


def _inside(spans: tuple[list[int], list[int]], pos: int) -> bool:
    k = bisect_right(spans[0], pos) - 1
    return k >= 0 and pos < spans[1][k]


def _implicit_checks(raw, figs, fstarts, sents, sent_of, paras, para_of, lex, doc_id, add, add_weak,
                     stated_totals, used_as_part) -> None:
    """Totals the text pairs with parts without a breakdown word:

    * 共花费53560.79元,医保报销34494.77元,个人承担19066.02元: a 共 total, then
      parts in the same sentence that add up to it exactly;
    * …,授予14人…(以上35人同时…): 以上/上述 + a total after the parts it sums;
    * 核发补助金24.7万元,人均补助2580.7元 with 102名 in the sentence: a total, one
      count and one rate (or average) per the count's unit: total = count × rate.
    """
    lead_words = tuple(lex["total_before"])
    back_words = tuple(lex["total_back"])
    for f in figs:
        if not _known(f) or (f.type == "amount" and f.per):
            continue
        si = sent_of[f.start]
        if si < 0:
            continue
        lead = raw[max(0, f.start - 8, sents[si].start):f.start]
        cls = unit_class(f)
        stated = _num(f.value)
        if f.start not in stated_totals and any(w in _LIST_SEP.split(lead)[-1] for w in lead_words):
            after = [p for p in figs[between(fstarts, f.end, sents[si].end)]
                     if unit_class(p) == cls and _known(p) and not (p.type == "amount" and p.per)]
            acc = Decimal(0)
            for k, p in enumerate(after):
                acc += _num(p.value)
                if k >= 1 and acc == stated:
                    add_weak(make_sum(f, after[:k + 1], "sentence", doc_id), after[:k + 1])
                    break
                if acc > stated:
                    break
        if f.start not in stated_totals and lead.endswith(back_words):
            pi = para_of[f.start]
            before = [p for p in figs[between(fstarts, paras[pi].start if pi >= 0 else 0, f.start)]
                      if unit_class(p) == cls and _known(p) and p.start not in used_as_part]
            acc = Decimal(0)
            for k in range(len(before) - 1, -1, -1):
                acc += _num(before[k].value)
                if k <= len(before) - 2 and acc == stated:
                    add_weak(make_sum(f, before[k:], "sentence", doc_id), before[k:])
                    break
                if acc > stated:
                    break
        if f.type == "amount" and f.start not in stated_totals and any(
                w in _LIST_SEP.split(lead)[-1] for w in tuple(lex["total_after"]) + ("累计",)):
            # 分别对303名…、259名…以及188名…给予了每人1000元至3000元不等的助学金,累计发放94.3元:
            # counts sharing one rate given as a range bound the total
            same = figs[between(fstarts, sents[si].start, f.start)]
            ranged = [r for r in same if r.type == "amount" and r.per and r.value is None
                      and r.low is not None and r.status == "ok"]
            if len(ranged) == 1:
                r = ranged[0]
                want = {"人": ("person",), "户": ("household",)}.get(r.per, ())
                counts = [c for c in same if c.type == "count" and _known(c) and c.start < r.start
                          and unit_class(c) in want]
                if counts:
                    add(make_range_product(f, counts, r, "sentence", doc_id), counts + [r])
        if f.type == "amount" and f.start not in stated_totals:
            # one count and its rate in the total's sentence: total = count × rate
            same = figs[between(fstarts, sents[si].start, sents[si].end)]
            counts = [c for c in same if c.type == "count" and _known(c)]
            rates = [r for r in same if r.type == "amount" and r.per and _known(r) and r.start > f.start]
            for r in rates:
                want = {"人": ("person",), "户": ("household",), "人次": ("person_time",)}.get(r.per, ())
                mine = [c for c in counts if unit_class(c) in want]
                if len(mine) != 1:
                    continue
                c = mine[0]
                pc = make_product_sum(f, [(c, r)], "sentence", doc_id)
                # an average (人均, 平均) is the total over the count by definition;
                # a plain rate beside a total may leave others out: no alarm then
                average = any(w in raw[max(0, r.start - 6):r.start] for w in lex["average"])
                if average:
                    add(pc, [c, r])
                else:
                    add_weak(pc, [c, r])


def _unnamed_components(raw: str, checks: list[Check], sents, lex) -> list[Check]:
    """A total that names a component without a figure (加上全总已拨的慰问金…,
    每人发放现金600元和米面油票) cannot be checked: not inconsistent, unverifiable."""
    with_words = tuple(lex["component_before"])
    goods_after = _GOODS_AFTER
    out = []
    for c in checks:
        if c.status == "inconsistent":
            si = _index(sents, c.total.start)
            lead = raw[sents[si].start:c.total.start] if si >= 0 else ""
            parts = [p if isinstance(p, SpanRef) else p.rate for p in c.parts]
            unnamed = any(w in lead for w in with_words) or any(goods_after.match(raw, p.end) for p in parts)
            if unnamed:
                c = c.model_copy(update={"status": "unverifiable", "derivation": c.derivation.replace(" ≠ ", " vs ")
                                         + " (a component is named without a figure)"})
        out.append(c)
    return out


def _table_checks(raw: str, cells: list[Fig], doc_id: str) -> list[Check]:
    """Breakdowns a table states by its rows: a row with its own unit, then
    rows that open with 其中 (and the rows after them, until the next row with
    a unit of its own) are its parts, column by column. A second 其中 opens a
    nested breakdown of the part above it; where it ends is read from a column
    in which its rows add up exactly (the shortest such run), and the parent's
    parts resume after it. Where no column settles that, nothing is checked:
    an auditor is not shown a guess."""
    from ..extract.tables import parse

    by_start = {f.start: f for f in cells}
    out: list[Check] = []

    def fig(row, col):
        c = row.cells[col] if col < len(row.cells) else None
        return by_start.get(c.start) if c is not None else None

    for t in parse(raw):
        rows = list(t.rows)
        ncols = max((len(r.cells) for r in rows), default=0)
        i = 0
        while i < len(rows):
            parent = rows[i]
            i += 1
            if i >= len(rows) or not rows[i].breakdown or rows[i].own_unit:
                continue
            children = []
            for r in rows[i:]:
                if r.own_unit:
                    break
                children.append(r)
            i += len(children)  # a part is never a parent of the rows after it
            level, nested, k, settled = [children[0]], [], 1, True
            while k < len(children):
                if not children[k].breakdown:
                    level.append(children[k])
                    k += 1
                    continue
                head, n = level[-1], None
                for size in range(2, len(children) - k + 1):
                    group = children[k:k + size]
                    for col in range(ncols):
                        tot, parts = fig(head, col), [fig(r, col) for r in group]
                        if tot is not None and all(parts) and \
                                sum((_num(p.value) for p in parts), Decimal(0)) == _num(tot.value):
                            n = size
                            break
                    if n:
                        break
                if n is None:
                    settled = False
                    break
                nested.append((head, children[k:k + n]))
                k += n
            if not settled:
                continue
            for total_row, part_rows in [(parent, level), *nested]:
                if len(part_rows) < 2:
                    continue
                for col in range(ncols):
                    tot, parts = fig(total_row, col), [fig(r, col) for r in part_rows]
                    if tot is not None and all(parts):
                        out.append(make_sum(tot, parts, "paragraph", doc_id))
    return out


def _sentence_checks(before: list[Fig], region: list[Fig], doc_id: str, add, group_totals: list[Fig]) -> None:
    counts = [f for f in region if f.type == "count"]
    rates = [f for f in region if f.type == "amount" and f.per]
    amounts = [f for f in region if f.type == "amount" and not f.per]
    # product_sum: count, then its per-unit rate, repeated; the total is the
    # last plain amount before the breakdown word
    pairs: list[tuple[Fig, Fig]] = []
    for c in counts:
        r = next((r for r in rates if r.start > c.end and not any(c2.start > c.end and c2.start < r.start for c2 in counts)), None)
        if r is not None:
            pairs.append((c, r))
    money_totals = [f for f in before if f.type == "amount" and not f.per]
    if len(pairs) >= 2 and money_totals and len(pairs) == len(counts):
        add(make_product_sum(money_totals[-1], pairs, "sentence", doc_id), [x for p in pairs for x in p])
    # sums per unit class: the total is the nearest figure of that class before
    by_class: dict[str | None, list[Fig]] = {}
    for f in counts + amounts:
        by_class.setdefault(unit_class(f), []).append(f)
    for cls, parts in by_class.items():
        parts.sort(key=lambda f: f.start)
        totals = [f for f in before if unit_class(f) == cls]
        if not totals or len(parts) < 2:
            continue
        total = totals[-1]
        chosen = _pick_parts(total, parts)
        add(make_sum(total, chosen, "sentence", doc_id), chosen)
        group_totals.append(total)


def _runs(figs: list[Fig], sent_of: dict[int, int]) -> list[list[Fig]]:
    """Maximal runs of same-class figures within one sentence, in order."""
    runs: list[list[Fig]] = []
    by_sent: dict[int, list[Fig]] = {}
    for f in figs:
        by_sent.setdefault(sent_of[f.start], []).append(f)
    for group in by_sent.values():
        by_cls: dict[str | None, list[Fig]] = {}
        for f in group:
            by_cls.setdefault(unit_class(f), []).append(f)
        runs.extend(r for r in by_cls.values() if len(r) >= 2)
    return runs


def _document_checks(figs, sent_of, para_of, settings, doc_id, add, checks, group_totals) -> None:
    min_total = Decimal(settings["min_document_total"])
    min_money_parts = int(settings["min_document_money_parts"])
    near_parts = int(settings["near_miss_parts"])
    near_share = Decimal(str(settings["near_miss_share"]))
    runs = _runs([f for f in figs if _known(f)], sent_of)
    by_sent: dict[int, list[Fig]] = {}
    for f in figs:
        by_sent.setdefault(sent_of[f.start], []).append(f)
    claimed: set[tuple[int, ...]] = {tuple(sorted(p.start if isinstance(p, SpanRef) else p.count.start for p in c.parts))
                                     for c in checks}
    # equal sums: a total in one paragraph, a contiguous run of parts in another.
    # Every contiguous stretch of every run (at most MAX_STRETCH parts) is
    # indexed once by (section, class, sum), so each total looks its value up
    # instead of walking every run of its sub-report: linear in the page, where
    # the walk was quadratic (a 76k-character report took 81 s).
    val = {f.start: _num(f.value) for f in figs if _known(f)}
    # figures already the parts of a total whose breakdown holds belong to it: a
    # document-scope pairing never takes them for another total (branch lines, each
    # with its total and parts, are not paired across)
    settled_parts = {p.start for c in checks if c.status == "consistent"
                     for p in c.parts if isinstance(p, SpanRef)}
    sums: dict[tuple, list[tuple[list[Fig], Decimal]]] = {}
    budget = MAX_INDEXED
    for run in runs:
        cls = unit_class(run[0])
        if budget <= 0:
            break  # a page of thousands of figures: the pairing is bounded, not complete
        budget -= len(run) * min(len(run), MAX_STRETCH)
        for i in range(len(run)):
            acc = Decimal(0)
            peak = None  # the walk stopped as soon as a partial sum passed the total
            for j in range(i, min(len(run), i + MAX_STRETCH)):
                acc += val[run[j].start]
                peak = acc if peak is None or acc > peak else peak
                if j > i:
                    sums.setdefault((run[0].section, cls, acc), []).append((run[i:j + 1], peak))
    cand_starts: dict[tuple, list[int]] = {}
    for total in figs:
        if not _known(total) or total.approx != "exact" or val[total.start] < min_total:
            continue
        stated = val[total.start]
        cands = sums.get((total.section, unit_class(total), stated))
        if not cands:
            continue
        if len(cands) > MAX_NEAR:
            # a page that repeats its figures: only the stretches nearest the total
            # are tried (they are in page order), so each total costs a bounded time
            key = (total.section, unit_class(total), stated)
            if key not in cand_starts:
                cand_starts[key] = [c[0][0].start for c in cands]
            k = bisect_left(cand_starts[key], total.start)
            cands = cands[max(0, k - MAX_NEAR // 2):k + MAX_NEAR // 2]
        # the total's own sentence restating the same figures is a repeat, not a breakdown
        own = {val[f.start] for f in by_sent[sent_of[total.start]] if f is not total and _known(f)}
        for sub, peak in cands:
            if peak > stated:
                continue
            first = sub[0]
            if sent_of[first.start] == sent_of[total.start] or any(f is total for f in sub):
                continue
            if total.type == "amount" and len(sub) < min_money_parts:
                continue
            key = tuple(p.start for p in sub)
            if key in claimed or all(val[p.start] in own for p in sub):
                continue
            if any(p.start in settled_parts for p in sub):
                continue  # parts of another total's consistent breakdown are that total's
            scope = "paragraph" if para_of[first.start] == para_of[total.start] else "document"
            claimed.add(key)
            add(make_sum(total, sub, scope, doc_id), sub)
    # the same group counted twice: a run that nearly (but not) adds up to a
    # breakdown's total stated elsewhere in the sub-report. Runs are sorted by
    # their sum per (section, class), so each total bisects to the runs within
    # the near-miss share instead of visiting them all.
    run_sums: dict[tuple, tuple[list[Decimal], list[int]]] = {}
    run_total = [sum((val[p.start] for p in run), Decimal(0)) for run in runs]
    for k in sorted(range(len(runs)), key=lambda k: run_total[k]):
        if len(runs[k]) >= near_parts:
            keys, idx = run_sums.setdefault((runs[k][0].section, unit_class(runs[k][0])), ([], []))
            keys.append(run_total[k])
            idx.append(k)
    for total in group_totals:
        if not _known(total):
            continue
        stated = _num(total.value)
        keys, idx = run_sums.get((total.section, unit_class(total)), ((), ()))
        lo, hi = bisect_left(keys, stated - near_share * stated), bisect_right(keys, stated + near_share * stated)
        for k in sorted(idx[lo:hi])[:MAX_NEAR]:
            run = runs[k]
            if para_of[run[0].start] == para_of[total.start] or tuple(p.start for p in run) in claimed:
                continue
            if any(p.start in settled_parts for p in run):
                continue  # parts of another total's consistent breakdown are that total's
            acc = run_total[k]
            if acc != stated and abs(acc - stated) <= near_share * stated:
                claimed.add(tuple(p.start for p in run))
                add(make_sum(total, run, "document", doc_id), run)
    # product_sum with rates stated once earlier (每人资助3000元 … then 5人, 3人, 2人):
    # the rates of each sub-report in order, and only the nearest MAX_RATES
    # before a total are tried (a long report has thousands)
    by_start = {f.start: f for f in figs}
    rates_of: dict[int | None, list[Fig]] = {}
    for f in figs:
        if f.type == "amount" and f.per and _known(f):
            rates_of.setdefault(f.section, []).append(f)
    rate_starts = {sec: [r.start for r in rs] for sec, rs in rates_of.items()}
    for c in list(checks):
        if c.relation != "sum" or c.scope != "sentence":
            continue
        parts = sorted((by_start[p.start] for p in c.parts if p.start in by_start), key=lambda f: f.start)
        if not parts or parts[0].type != "count":
            continue
        sec = parts[0].section
        sent = sent_of[c.total.start]
        money = [f for f in by_sent.get(sent, []) + by_sent.get(sent + 1, [])
                 if f.type == "amount" and not f.per and f.section == sec and _known(f)]
        if not money:
            continue
        end = bisect_left(rate_starts.get(sec, []), c.total.start)
        rates = [f for f in rates_of.get(sec, [])[max(0, end - MAX_RATES):end]
                 if para_of[f.start] != para_of[c.total.start]]
        if len(rates) < len(parts):
            continue
        for k in range(len(rates) - len(parts) + 1):
            cand = rates[k:k + len(parts)]
            computed = sum((_num(p.value) * _num(r.value) for p, r in zip(parts, cand)), Decimal(0))
            for m in money:
                if abs(computed - _num(m.value)) <= _tolerance(m):
                    add(make_product_sum(m, list(zip(parts, cand)), "document", doc_id), parts + cand)
