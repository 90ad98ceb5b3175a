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

The records and the figures' arithmetic are in ``checks.py``; the totals a text
pairs with parts without a breakdown word, and table rows, in ``forms.py``.
"""

from __future__ import annotations

import functools
import re
from bisect import bisect_left, bisect_right
from collections import Counter
from decimal import Decimal

from .. import rules
from ..records import Check, Document, SpanRef
from ..text.spans import between
from .checks import (
    LIST_SEP,
    MAX_RATES,
    Fig,
    as_decimal,
    clause_spans,
    indexer,
    is_known,
    make_product_sum,
    make_sum,
    marker_tables,
    paragraph_spans,
    sentence_spans,
    tolerance_of,
    unit_class,
)
from .forms import implicit_checks, table_breakdowns, unnamed_components
from .outline import balance, breakdowns

# the longest stretch of a run that the document-scope pairing takes as one
# breakdown: long enumerations (30+ parts after 其中) fit, a 3 MB line of
# figures does not make the index quadratic
MAX_STRETCH = 64
# stretches indexed per document at most (a 3 MB line of figures stays bounded)
MAX_INDEXED = 200_000
# near misses tried per total (rates tried before a total: checks.MAX_RATES): bounds, not tuning
MAX_NEAR = 32


def _pick_parts(total: Fig, cands: list[Fig]) -> list[Fig]:
    """Parts of a breakdown: the shortest leading run (>= 2) that adds up to the
    total if there is one (so a trailing figure of another kind is not swallowed:
    224家 = 216 + 8, not + 368 覆盖企业), else every candidate."""
    if is_known(total) and all(is_known(c) for c in cands):
        acc = Decimal(0)
        tol = tolerance_of(total)
        for k, c in enumerate(cands):
            acc += as_decimal(c.value)
            if k >= 1 and abs(acc - as_decimal(total.value)) <= tol:
                return cands[: k + 1]
    return cands


@functools.lru_cache(maxsize=4)
def _breakdown(words: tuple[str, ...]) -> re.Pattern:
    # 的486名困难职工子女中,义务教育段…: a total then 中, also opens a breakdown.
    # Stdlib ``re``: a literal alternation runs several times faster there than in ``regex``.
    return re.compile("|".join(map(re.escape, words)) + r"|(?<=[名人户家位])[^,，。;；]{0,16}中(?=[,，:：])")


# a breakdown word never holds a sentence's end: see _sentences_holding
_SENTENCE_END = "。！？\n"


@functools.lru_cache(maxsize=4)
def _cue_starts(words: tuple[str, ...]) -> re.Pattern | None:
    """Where a breakdown can be: any of ``words`` or the 中 of ``_breakdown``'s
    last branch. None when a word holds a sentence's end (then every sentence is read)."""
    if any(ch in w for w in words for ch in _SENTENCE_END):
        return None
    return re.compile(rules.literal_alternation({*words, "中"}))


def _sentences_holding(raw: str, sents, in_sent, words: tuple[str, ...]) -> set[int] | None:
    """The sentences a breakdown match can be in: those where a cue starts (one
    scan of the page instead of two bounded scans per sentence, ~10x less). A
    match inside a sentence holds a cue inside it; the page-wide scan could only
    pass over that cue inside a longer cue that began in the sentence before,
    which would then hold that sentence's 。！？ or the line break between them:
    no cue does (``_cue_starts``). None: read every sentence."""
    cues = _cue_starts(words)
    if cues is None:
        return None
    return {i for m in cues.finditer(raw) if (i := in_sent(m.start())) >= 0}


def reconcile(doc: Document, raw: str) -> list[Check]:
    lex, _, settings = marker_tables()
    all_figs: list[Fig] = [f for f in doc.facts if f.type in ("amount", "count")]
    if len(all_figs) < 2:
        return []
    # figures in table cells are paired by the table's rows and columns only: read
    # as running text, a row (7428 | 7225) looks like a breakdown of the row above
    cells = [f for f in all_figs if f.rule_id.endswith(".table_cell")]
    figs = [f for f in all_figs if not f.rule_id.endswith(".table_cell")]
    table_checks = table_breakdowns(raw, cells, doc.doc_id) if cells else []
    if len(figs) < 2:
        return sorted(table_checks, key=lambda c: (c.total.start, c.relation))
    sents = sentence_spans(raw)
    paras = paragraph_spans(raw)
    figs.sort(key=lambda f: f.start)
    # every "figures in this stretch of text" question is a bisect on these
    # starts, so a long document costs linear time, not quadratic
    fstarts = [f.start for f in figs]
    in_sent, in_para = indexer(sents), indexer(paras)
    sent_of = {f.start: in_sent(f.start) for f in figs}
    para_of = {f.start: in_para(f.start) for f in figs}
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
        sentence's clauses, an implicit run): shown when it holds (also when it
        holds but an approximate figure leaves it unverifiable), or when the parts
        exceed the whole, which any reader sees is wrong; a shortfall may be parts
        the text did not list, so it is not an alarm."""
        if c.status == "consistent" or (c.status == "inconsistent" and c.computed is not None
                                        and c.stated is not None and c.computed > c.stated):
            add(c, parts)
        elif (c.status == "unverifiable" and c.computed is not None and c.stated is not None
              and abs(c.computed - c.stated) <= c.tolerance):
            # the figures agree, an approximate one among them (每户约获400元) keeps it
            # from being checked: the pairing holds, shown as unverifiable
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
    holding = _sentences_holding(raw, sents, in_sent, tuple(lex["breakdown"]) + tuple(lex["breakdown_weak"]))
    for si, s in enumerate(sents):
        if holding is not None and si not in holding:
            continue
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
    after_words = rules.holds_any(tuple(lex["total_after"]))
    clauses = clause_spans(raw)
    clause_index = indexer(clauses)
    clause_of = {f.start: clause_index(f.start) for f in figs}
    pair_leads = tuple(lex["pair_total_after"])

    def pair_run(f: Fig) -> None:
        # 向7名…大学生每人发放助学金3000元;其余45名大学生每人发放2000元。另向14名…
        # 每人发放500元,共发放助学金11.8万元: each clause before the total gives one
        # group and its rate. Read only when the products add up: which clauses belong
        # to the total is the text's layout, not its words
        pairs = _clause_pairs(f, figs, fstarts, clauses, clause_of, para_of)
        if pairs:  # one pair too (1.2万元 = 4名 × 3000元, SCHEMA.md)
            scope = "sentence" if all(sent_of[c.start] == sent_of[f.start] for c, _ in pairs) else "paragraph"
            c = make_product_sum(f, pairs, scope, doc.doc_id)
            if c.status == "consistent":
                add(c, [x for p in pairs for x in p])

    for f in figs:
        ci = clause_of[f.start]
        lead = raw[max(0, f.start - 10, clauses[ci].start if ci >= 0 else 0):f.start]
        lead = LIST_SEP.split(lead)[-1]  # the total's own clause: 合计发放慰问金67.5万元
        if not after_words(lead):
            if (f.type == "amount" and not f.per and f.start not in stated_totals
                    and lead.startswith(pair_leads)):
                pair_run(f)  # 共发放…: a plain 共 is too loose for a sum, not for products that add up
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
            elif f.start not in stated_totals:
                pair_run(f)
    # --- document scope -------------------------------------------------------
    _document_checks(figs, sent_of, para_of, settings, doc.doc_id, add, checks, group_totals)
    implicit_checks(raw, figs, fstarts, sents, sent_of, paras, para_of, lex, doc.doc_id, add, add_weak,
                     stated_totals, used_as_part)
    checks = unnamed_components(raw, checks, sents, lex)
    checks += table_checks
    checks.sort(key=lambda c: (c.total.start, c.relation))
    return checks


def _clause_pairs(total: Fig, figs: list[Fig], fstarts: list[int], clauses, clause_of: dict[int, int],
                  para_of: dict[int, int]) -> list[tuple[Fig, Fig]]:
    """(count, rate) pairs, one per clause, in the clauses that lead up to
    ``total`` in its paragraph (its own clause up to it first, then back): a
    clause whose figures end with a count and then a rate per head gives that
    pair (counts before them are the group's own: 27名,包括…4名,每名3000元); the
    first clause that gives none ends the run."""
    ci = clause_of[total.start]
    if ci < 0:
        return []
    pairs: list[tuple[Fig, Fig]] = []
    k, end = ci, total.start
    while k >= 0 and len(pairs) < MAX_RATES:  # bounded, as the rates tried before a total are
        inside = [p for p in figs[between(fstarts, clauses[k].start, end)]
                  if clause_of[p.start] == k and para_of[p.start] == para_of[total.start]
                  and p.section == total.section]
        if (len(inside) < 2 or inside[-2].type != "count" or not is_known(inside[-2])
                or inside[-1].type != "amount" or not inside[-1].per or not is_known(inside[-1])
                or any(p.type != "count" for p in inside[:-2])):
            break
        pairs.append((inside[-2], inside[-1]))
        k -= 1
        end = clauses[k].end if k >= 0 else 0
    return pairs[::-1]


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
    max_parts = int(settings["max_document_parts"])
    near_parts = int(settings["near_miss_parts"])
    near_share = Decimal(str(settings["near_miss_share"]))
    runs = _runs([f for f in figs if is_known(f)], sent_of)
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
    val = {f.start: as_decimal(f.value) for f in figs if is_known(f)}
    # figures already the parts of a total whose breakdown holds belong to it: a
    # document-scope pairing never takes them for another total (branch lines, each
    # with its total and parts, are not paired across)
    settled_parts = {p.start for c in checks if c.status == "consistent"
                     for p in c.parts if isinstance(p, SpanRef)}
    # each stretch as (run, first, last, peak): sliced only when a total is tried on it
    sums: dict[tuple, list[tuple[int, int, int, Decimal]]] = {}
    budget = MAX_INDEXED
    for r, run in enumerate(runs):
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
                    sums.setdefault((run[0].section, cls, acc), []).append((r, i, j, peak))
    cand_starts: dict[tuple, list[int]] = {}
    for total in figs:
        if not is_known(total) or total.approx != "exact" or val[total.start] < min_total:
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
                cand_starts[key] = [runs[c[0]][c[1]].start for c in cands]
            k = bisect_left(cand_starts[key], total.start)
            cands = cands[max(0, k - MAX_NEAR // 2):k + MAX_NEAR // 2]
        # the total's own sentence restating the same figures is a repeat, not a breakdown
        own = {val[f.start] for f in by_sent[sent_of[total.start]] if f is not total and is_known(f)}
        fitting = [(r, sub) for r, i, j, peak in cands if peak <= stated
                   for sub in (runs[r][i:j + 1],)
                   if sent_of[sub[0].start] != sent_of[total.start] and not any(f is total for f in sub)]
        # two stretches of one list that both add up to the total (a long list of
        # donations hits a round total more than once): which one it is, if any, is a
        # guess, and the list is no breakdown of it
        per_run = Counter(r for r, _ in fitting)
        for r, sub in fitting:
            if per_run[r] > 1:
                continue
            first = sub[0]
            if (total.type == "amount" and len(sub) < min_money_parts) or len(sub) > max_parts:
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
        if not is_known(total):
            continue
        stated = as_decimal(total.value)
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
        if f.type == "amount" and f.per and is_known(f):
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
                 if f.type == "amount" and not f.per and f.section == sec and is_known(f)]
        if not money:
            continue
        end = bisect_left(rate_starts.get(sec, []), c.total.start)
        rates = [f for f in rates_of.get(sec, [])[max(0, end - MAX_RATES):end]
                 if para_of[f.start] != para_of[c.total.start]]
        if len(rates) < len(parts):
            continue
        for k in range(len(rates) - len(parts) + 1):
            cand = rates[k:k + len(parts)]
            computed = sum((as_decimal(p.value) * as_decimal(r.value) for p, r in zip(parts, cand)), Decimal(0))
            for m in money:
                if abs(computed - as_decimal(m.value)) <= tolerance_of(m):
                    add(make_product_sum(m, list(zip(parts, cand)), "document", doc_id), parts + cand)
