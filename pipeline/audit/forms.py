"""Totals paired with their parts without a breakdown word: a 共 total and
the parts after it, 以上/上述 after the parts, a total with one count and its
rate (or average), counts sharing a rate given as a range; a total that names a
component without a figure (unverifiable); and the breakdowns a plain-text
table states by its rows. ``reconcile`` calls them after its own pairing.
"""

from __future__ import annotations

from bisect import bisect_right
from decimal import Decimal

from .. import rules
from ..records import Check, SpanRef
from ..text.spans import between
from .checks import (
    GOODS_AFTER,
    LIST_SEP,
    MAX_RATES,
    Fig,
    as_decimal,
    index_of,
    is_known,
    make_product_sum,
    make_range_product,
    make_sum,
    unit_class,
)


def implicit_checks(raw, figs, fstarts, sents, sent_of, paras, para_of, lex, doc_id, add, add_weak,
                     stated_totals, used_as_part) -> None:
    """Totals the text pairs with parts without a breakdown word:

    * 共花费53560.79元,医保报销34494.77元,个人承担19066.02元: a 共 total, then
      parts in the same sentence that add up to it exactly;
    * …,授予14人…(以上35人同时…): 以上/上述 + a total after the parts it sums;
    * 核发补助金24.7万元,人均补助2580.7元 with 102名 in the sentence: a total, one
      count and one rate (or average) per the count's unit: total = count × rate.
    """
    lead_words = rules.holds_any(tuple(lex["total_before"]))
    average_words = rules.holds_any(tuple(lex["average"]))
    back_words = tuple(lex["total_back"])
    pairable: dict[int, tuple[list[tuple[Fig, Fig]], list[int]]] = {}
    for f in figs:
        if not is_known(f) or (f.type == "amount" and f.per):
            continue
        si = sent_of[f.start]
        if si < 0:
            continue
        lead = raw[max(0, f.start - 8, sents[si].start):f.start]
        cls = unit_class(f)
        stated = as_decimal(f.value)
        if f.start not in stated_totals and lead_words(LIST_SEP.split(lead)[-1]):
            after = [p for p in figs[between(fstarts, f.end, sents[si].end)]
                     if unit_class(p) == cls and is_known(p) and not (p.type == "amount" and p.per)]
            acc = Decimal(0)
            for k, p in enumerate(after):
                acc += as_decimal(p.value)
                if k >= 1 and acc == stated:
                    add_weak(make_sum(f, after[:k + 1], "sentence", doc_id), after[:k + 1])
                    break
                if acc > stated:
                    break
        if f.start not in stated_totals and lead.endswith(back_words):
            pi = para_of[f.start]
            before = [p for p in figs[between(fstarts, paras[pi].start if pi >= 0 else 0, f.start)]
                      if unit_class(p) == cls and is_known(p) and p.start not in used_as_part]
            acc = Decimal(0)
            for k in range(len(before) - 1, -1, -1):
                acc += as_decimal(before[k].value)
                if k <= len(before) - 2 and acc == stated:
                    add_weak(make_sum(f, before[k:], "sentence", doc_id), before[k:])
                    break
                if acc > stated:
                    break
        if f.type == "amount" and f.start not in stated_totals and any(
                w in LIST_SEP.split(lead)[-1] for w in tuple(lex["total_after"]) + ("累计",)):
            # 分别对303名…、259名…以及188名…给予了每人1000元至3000元不等的助学金,累计发放94.3元:
            # counts sharing one rate given as a range bound the total
            same = figs[between(fstarts, sents[si].start, f.start)]
            ranged = [r for r in same if r.type == "amount" and r.per and r.value is None
                      and r.low is not None and r.status == "ok"]
            if len(ranged) == 1:
                r = ranged[0]
                want = {"人": ("person",), "户": ("household",)}.get(r.per, ())
                counts = [c for c in same if c.type == "count" and is_known(c) and c.start < r.start
                          and unit_class(c) in want]
                if counts:
                    add(make_range_product(f, counts, r, "sentence", doc_id), counts + [r])
        if f.type == "amount" and f.start not in stated_totals:
            # one count and its rate in the total's sentence: total = count × rate.
            # The sentence's rates that have exactly one count of their unit are listed
            # once per sentence, and a total tries the first MAX_RATES after it: a line
            # of thousands of figures took quadratic time, one list per figure
            if si not in pairable:
                pairable[si] = _pairable_rates(figs[between(fstarts, sents[si].start, sents[si].end)])
            rates, rstarts = pairable[si]
            k = bisect_right(rstarts, f.start)
            for c, r in rates[k:k + MAX_RATES]:
                pc = make_product_sum(f, [(c, r)], "sentence", doc_id)
                # an average (人均, 平均) is the total over the count by definition;
                # a plain rate beside a total may leave others out: no alarm then
                average = average_words(raw[max(0, r.start - 6):r.start]) is not None
                if average:
                    add(pc, [c, r])
                else:
                    add_weak(pc, [c, r])


_RATE_UNITS = {"人": ("person",), "户": ("household",), "人次": ("person_time",)}


def _pairable_rates(same: list[Fig]) -> tuple[list[tuple[Fig, Fig]], list[int]]:
    """(count, rate) for each rate per head of a sentence whose unit has exactly
    one count in the sentence, in page order, and the rates' starts."""
    by_cls: dict[str | None, list[Fig]] = {}
    for c in same:
        if c.type == "count" and is_known(c):
            by_cls.setdefault(unit_class(c), []).append(c)
    out = []
    for r in same:
        if r.type == "amount" and r.per and is_known(r):
            want = _RATE_UNITS.get(r.per, ())
            mine = by_cls.get(want[0], []) if want else []
            if len(mine) == 1:
                out.append((mine[0], r))
    return out, [r.start for _, r in out]


def unnamed_components(raw: str, checks: list[Check], sents, lex) -> list[Check]:
    """A total that names a component without a figure (加上全总已拨的慰问金…,
    每人发放现金600元和米面油票) cannot be checked: not inconsistent, unverifiable."""
    with_words = tuple(lex["component_before"])
    goods_after = GOODS_AFTER
    out = []
    for c in checks:
        if c.status == "inconsistent":
            si = index_of(sents, c.total.start)
            lead = raw[sents[si].start:c.total.start] if si >= 0 else ""
            parts = [p if isinstance(p, SpanRef) else p.rate for p in c.parts]
            unnamed = any(w in lead for w in with_words) or any(goods_after.match(raw, p.end) for p in parts)
            if unnamed:
                c = c.model_copy(update={"status": "unverifiable", "derivation": c.derivation.replace(" ≠ ", " vs ")
                                         + " (a component is named without a figure)"})
        out.append(c)
    return out


def table_breakdowns(raw: str, cells: list[Fig], doc_id: str) -> list[Check]:
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
                                sum((as_decimal(p.value) for p in parts), Decimal(0)) == as_decimal(tot.value):
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
