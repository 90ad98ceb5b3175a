"""What a check compares and how it is built: the figures (amounts and counts)
and their unit classes, the text's sentences, clauses and paragraphs as
spans, the tolerance of a stated figure, and the ``Check`` records (a sum, a
sum of products, a count times a rate given as a range) with their status.

Shared by ``reconcile`` (which finds the breakdowns) and ``forms`` (totals that
a text or a table pairs with parts without a breakdown word).
"""

from __future__ import annotations

import functools
from bisect import bisect_right
from collections.abc import Callable
from decimal import Decimal
from typing import NamedTuple

from .. import rules
from ..records import Amount, Check, Count, ProductPart, SpanRef

_SENTENCE = rules.pattern(r"[^。！？\n]+[。！？]*")
_CLAUSE = rules.pattern(r"[^。！？;；\n]+[。！？;；]*")
_PARAGRAPH = rules.pattern(r"[^\n]+")
_GLOSS = rules.pattern(r"\(.*?\)")
_WAN_PRECISION = rules.pattern(r"(\d+)(?:\.(\d+))?\s*([万萬亿億千])")
LIST_SEP = rules.pattern(r"[,，、]")
# a line break inside a figure's sentence (…每人\n1000\n元至\n3000\n元): next to a digit,
# after no sentence or list punctuation
_SOFT_BREAK = rules.pattern(r"(?:(?<=\d)\n(?=[^\n\s])|(?<=[^\n。！？;；:：|])\n(?=\d))")
# 600元和米面油票: goods given beside a figure, without one of their own
GOODS_AFTER = rules.pattern(r"[和及与][\p{Han}]{2,6}(?![\d\p{Han}]*?\d)")


Fig = Amount | Count
# rates tried before (or after) a total: a bound, not tuning (a long report has thousands)
MAX_RATES = 64
FILE = "check/markers"


@functools.lru_cache(maxsize=1)
def marker_tables():
    rf = rules.load(FILE)
    return rf.lexicons, rf.tables["unit_class"], rf.tables["settings"]


def unit_class(f: Fig) -> str | None:
    if f.type == "amount":
        return f"money:{f.currency}:{f.per or ''}"
    # a unit the table does not name compares only with itself (个帮扶站 is not 个基层工会)
    return marker_tables()[1].get(f.unit) or (f"unit:{f.unit}" if f.unit else None)


class Span(NamedTuple):
    # a tuple, not a frozen dataclass: a long page makes thousands (every sentence
    # and clause) and a tuple is built at a third of the cost
    start: int
    end: int


def sentence_spans(raw: str) -> list[Span]:
    # ASCII ? and ! are left out: in these pages they are lost characters of a
    # mojibake (三本3人,?2人), not sentence ends. A line break inside a sentence
    # broken at every figure (分别对\n303\n名…) is a space, not an end: the text is
    # read with those breaks blanked (same length, so offsets hold)
    return [Span(*m.span()) for m in _SENTENCE.finditer(_SOFT_BREAK.sub(" ", raw))]


def clause_spans(raw: str) -> list[Span]:
    """Sentences cut further at ; (一是…;二是…)."""
    return [Span(*m.span()) for m in _CLAUSE.finditer(raw)]


def paragraph_spans(raw: str) -> list[Span]:
    return [Span(*m.span()) for m in _PARAGRAPH.finditer(raw)]


def indexer(spans: list[Span]) -> Callable[[int], int]:
    """``index_of(spans, pos)`` for many positions: the spans' ends listed once,
    each position one bisect in C (a page asks it for every figure, three times)."""
    starts = [s.start for s in spans]
    ends = [s.end for s in spans]
    n = len(spans)

    def of(pos: int) -> int:
        i = bisect_right(ends, pos)
        return i if i < n and starts[i] <= pos else -1
    return of


def index_of(spans: list[Span], pos: int) -> int:
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


def is_known(f: Fig) -> bool:
    return f.status == "ok" and f.value is not None


def tolerance_of(f: Fig) -> Decimal:
    """Half a unit of the last digit the total was written with, in yuan/items."""
    if f.type != "amount" or f.value is None:
        return Decimal(0)
    return _written_precision(f.quote)


# a document's figures are paired with many candidate totals and parts: each
# quote's precision is read once (Decimals are immutable, so sharing them is safe)
@functools.lru_cache(maxsize=4096)
def _written_precision(quote: str) -> Decimal:
    q = _GLOSS.sub("", quote)
    m = _WAN_PRECISION.search(q)
    if not m:
        return Decimal(0)
    decimals = len(m.group(2) or "")
    scale = {"万": 10000, "萬": 10000, "亿": 10**8, "億": 10**8, "千": 1000}[m.group(3)]
    return Decimal(scale) / (Decimal(10) ** decimals) / 2


def as_decimal(v) -> Decimal:
    return Decimal(str(v))


def _fmt(v) -> str:
    d = as_decimal(v)
    return f"{int(d):,}" if d == d.to_integral_value() else f"{d:,}"


def _status(total: Fig, computed: Decimal | None, tol: Decimal, parts_exact: bool) -> str:
    if computed is None or not is_known(total):
        return "unverifiable"
    stated = as_decimal(total.value)
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
    known = all(is_known(p) for p in parts)
    computed = sum((as_decimal(p.value) for p in parts), Decimal(0)) if known else None
    exact = all(p.approx == "exact" for p in parts)
    # each part rounded as written (24.70万元: ±50元) adds its rounding to the total's;
    # a part's precision is the finest the breakdown writes (9万元 beside 64.1万元 is 9.0)
    # (a part written in plain yuan is exact and adds nothing)
    tols = [tolerance_of(f) for f in [total, *parts]]
    steps = [t for t in tols if t > 0]
    finest = min(steps) if steps else Decimal(0)
    tol = tols[0] + sum((min(t, finest) for t in tols[1:]), Decimal(0))
    status = _status(total, computed, tol, exact)
    terms = " + ".join(_fmt(p.value) if is_known(p) else f"[{p.status}]" for p in parts)
    stated = total.value if is_known(total) else None
    return _check("sum", total, [_ref(p) for p in parts], scope, status, stated, computed, tol, terms, doc_id)


def make_product_sum(total: Fig, pairs: list[tuple[Fig, Fig]], scope: str, doc_id: str) -> Check:
    known = all(is_known(c) and is_known(r) for c, r in pairs)
    computed = sum((as_decimal(c.value) * as_decimal(r.value) for c, r in pairs), Decimal(0)) if known else None
    exact = all(c.approx == "exact" and r.approx == "exact" for c, r in pairs)
    tol = tolerance_of(total)
    status = _status(total, computed, tol, exact)
    terms = " + ".join(f"{_fmt(c.value) if is_known(c) else '?'} × {_fmt(r.value) if is_known(r) else '?'}" for c, r in pairs)
    stated = total.value if is_known(total) else None
    parts = [ProductPart(count=_ref(c), rate=_ref(r)) for c, r in pairs]
    return _check("product_sum", total, parts, scope, status, stated, computed, tol, terms, doc_id)


def make_range_product(total: Fig, counts: list[Fig], rate: Fig, scope: str, doc_id: str) -> Check:
    """total against Σ counts × a rate given as a range: the range bounds the
    computed total (SCHEMA.md: ``computed``, ``computed_high``); outside the
    bounds is inconsistent, inside unverifiable."""
    n = sum((as_decimal(c.value) for c in counts), Decimal(0))
    lo, hi = n * as_decimal(rate.low), n * as_decimal(rate.high)
    tol = tolerance_of(total)
    stated = as_decimal(total.value) if is_known(total) else None
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


def check_id(doc_id: str, relation: str, total: SpanRef | Fig, parts: list[SpanRef] | list[ProductPart]) -> str:
    """A check's id: its total's span and where each part starts."""
    return f"{doc_id}:{relation}:{total.start}-{total.end}:" + ",".join(
        str(p.start if isinstance(p, SpanRef) else p.count.start) for p in parts)


def _check(relation, total, parts, scope, status, stated, computed, tol, terms, doc_id) -> Check:
    comp = None if computed is None else (int(computed) if computed == computed.to_integral_value() else float(computed))
    diff = None if comp is None or stated is None else float(as_decimal(comp) - as_decimal(stated))
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
        check_id=check_id(doc_id, relation, total, parts),
        relation=relation, scope=scope, status=status, total=_ref(total), parts=parts,
        stated=stated, computed=comp, difference=diff, tolerance=float(tol) if tol % 1 else int(tol),
        derivation=derivation, section=total.section,
    )
