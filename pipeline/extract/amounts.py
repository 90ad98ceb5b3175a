"""Money amounts: value, range, approximation, per-unit rate, status.

Input: normalised text. Output: ``Candidate`` list whose ``fields`` hold the
Amount record's values. A gap in place of digits gives status "masked" (never
a guessed value: ``3__822元`` is not 822); a unit whose number the source
dropped (``投入万元``) gives status "missing".
"""

from __future__ import annotations

import functools
from typing import Any, Callable

from .. import rules
from .numerals import parse_amount, parse_quantity
from .base import Candidate, approx_after, approx_before, clause_after, clause_before, run

FILE = "amount/patterns"
_SPACES = rules.pattern(r"\s+")


@functools.lru_cache(maxsize=1)
def _lex() -> dict[str, tuple[str, ...]]:
    # tuples: str.startswith takes one and tests every word in C
    return {k: tuple(v) for k, v in rules.load(FILE).lexicons.items()}


@functools.lru_cache(maxsize=1)
def _per_words() -> tuple[Callable[[str], Any], ...]:
    lx = _lex()
    return tuple(rules.holds_any(lx[k]) for k in ("per_visit", "per_person", "per_household"))


def _per(text: str, c: Candidate) -> str | None:
    lx = _lex()
    after = text[c.end:c.end + 3]
    if after.startswith("/人次"):
        return "人次"
    if after.startswith(lx["per_unit_after"]):
        return after[1]
    if after.startswith("每人") and not after.startswith("每人次"):
        return "人"
    if after.startswith("每户"):
        return "户"
    before = clause_before(text, c.start, 14)
    per_visit, per_person, per_household = _per_words()
    if per_visit(before):
        return "人次"
    if per_person(before):
        return "人"
    if per_household(before):
        return "户"
    return None


def resolve(text: str, c: Candidate) -> Candidate | None:
    quote = text[c.start:c.end]
    status = c.options.get("status", "ok")
    f: dict = {"value": None, "low": None, "high": None, "approx": "exact", "status": status,
               "currency": "CNY", "per": _per(text, c)}
    if status == "ok":
        if c.rule_id == "amount.bare_after_money_noun":
            q = parse_quantity(quote)
            if q is None:
                return None
            f["value"] = q.value
        else:
            # a figure broken over lines or spaced out (1000\n元至\n3000\n元) reads as one
            mv = parse_amount(_SPACES.sub("", quote))
            if mv is None and c.options.get("unit_dropped"):
                mv = parse_amount(_SPACES.sub("", quote) + c.options["unit_dropped"])
            if mv is None or (mv.value is None and mv.low is None):
                return None
            f.update(value=mv.value, low=mv.low, high=mv.high, approx=mv.approx, currency=mv.currency or "CNY")
            if f["approx"] == "exact" and mv.value is not None:
                f["approx"] = approx_after(text, c.end) or approx_before(text, c.start) or "exact"
            if mv.low is not None and f["per"] is None:
                # a range of amounts is a standard per recipient (给予2000元-4000元的资助)
                ctx = clause_before(text, c.start, 20) + clause_after(text, c.end, 12)
                if any(w in ctx for w in ("资助", "补助", "奖", "给予", "不等", "慰问", "救助")):
                    f["per"] = "人"
    c.fields = f
    return c


def extract(text: str) -> list[Candidate]:
    return run(text, FILE, resolve)
