"""Counts of people, households and organisations.

Input: normalised text. Output: candidates with value, approx, status, unit
(the classifier as written) and subject. Rankings (前三名, 第一名) and
rhetorical 一名 (不让一名职工…) are not counts.
"""

from __future__ import annotations

import functools
from typing import Any, Callable

from .. import rules
from .numerals import parse_quantity
from .base import Candidate, approx_after, approx_before, clause_before, run
from .subjects import subject_of

FILE = "count/patterns"


@functools.lru_cache(maxsize=1)
def _lex() -> dict[str, tuple[str, ...]]:
    # tuples: str.endswith takes one and tests every word in C
    return {k: tuple(v) for k, v in rules.load(FILE).lexicons.items()}


@functools.lru_cache(maxsize=1)
def _needs() -> dict[str, Callable[[str], Any]]:
    return {unit: rules.holds_any(tuple(words)) for unit, words in rules.load(FILE).tables["unit_needs_context"].items()
            if words}


_ROUND = {"百": 100, "千": 1000, "万": 10000}
# a count that ends right before this one (102名112人次), or one comma before it
_PREV_COUNT = rules.pattern(r"(?P<fig>\d+(?P<unit>名|人|户|位))[,，]?$")


def resolve(text: str, c: Candidate) -> Candidate | None:
    lx = _lex()
    before = text[max(0, c.start - 4):c.start]
    if before.endswith(lx["not_after"]):
        return None
    num = c.group(text, "num") or ""
    unit = c.group(text, "unit") or ""
    if num == "一":
        if before.endswith(lx["rhetoric_one_before"]) or before[-1:] in lx["word_before_one"]:
            return None
    subject = subject_of(text, c.start, c.end)
    prev = _PREV_COUNT.search(text[max(0, c.start - 12):c.start])
    if prev is not None and (not subject or unit == "人次"):
        # 住院职工102名112人次, 新增参保职工1000人,2481人次: a count right after
        # another counts the same people (here their visits): it takes their subject
        p_end = c.start - (len(text[max(0, c.start - 12):c.start]) - prev.end("unit"))
        p_start = p_end - len(prev.group("fig"))
        subject = subject_of(text, p_start, p_end) or subject
    if num == "一" and not subject and not before.endswith(("对", "向", "为", "给")):
        # 打造一支更加务实的队伍: 一 + classifier as an article, nothing counted;
        # but 对一名患病职工 names who is aided
        return None
    if unit.startswith("个") and (len(unit) > 2 or (len(unit) == 2 and not subject)):
        # 三个慰问小组, 四个球队: the noun the quote carries after 个 is what is counted;
        # a phrase found around the figure (比赛共有四个球队 -> 比赛) is not. A bare 队
        # says less than the list before it (文艺类、体育类等8个队), so that one yields.
        subject = unit[1:]
    needs = _needs().get(unit)
    if needs is not None:
        ctx = clause_before(text, c.start, 20) + text[c.end:c.end + 6]
        if not needs(ctx):
            return None
    status = c.options.get("status", "ok")
    value = None
    approx = "exact"
    if status == "ok" and c.rule_id in ("count.round_hundreds", "count.round_bare"):
        value = _ROUND[num]
        quote = text[c.start:c.end]
        approx = ("exact" if c.rule_id == "count.round_bare"
                  else "at_least" if quote.startswith(("超", "逾", "上")) else "at_most")
    elif status == "ok":
        quote = text[c.start:c.end]
        q = parse_quantity(quote[: len(quote) - len(unit)])
        if q is not None and q.value is None and q.low is not None:
            # 十几名: a range, no value made up
            c.fields = {"value": None, "low": int(q.low), "high": int(q.high), "approx": "about",
                        "status": status, "unit": unit, "subject": subject}
            return c
        if q is None or q.value is None:
            return None
        if not float(q.value).is_integer():
            return None
        value, approx = int(q.value), q.approx
        if approx == "exact":
            approx = approx_after(text, c.end) or approx_before(text, c.start) or "exact"
    c.fields = {"value": value, "approx": approx, "status": status, "unit": unit,
                "subject": subject}
    return c


def extract(text: str) -> list[Candidate]:
    return run(text, FILE, resolve)
