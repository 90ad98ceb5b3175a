"""Breakdowns a report states by its layout rather than in one sentence.

Finance reports and year-end summaries list the parts of a total as numbered
items on the lines after it::

    支出合计237.54万元。其中:
    1.职工活动支出223.54万元,
    (1)职工教育活动1.31万元;
    (2)文体活动19.84万元, ...
    2、职工服务支出9.82万元
    ...
    三、结余情况

``items(raw)`` reads the outline (一、 / 1. 1、 / (1) markers, three levels);
``breakdowns`` pairs a total that opens a list (其中: at the end of its line, or
an item with sub-items) with the first figure of each item one level down,
until the outline climbs back above it. ``balance`` finds a finance report's
income, expenditure and the year's balance (收入 = 支出 + 结余, SCHEMA.md: a
``sum`` check whose total is the income); a cumulative balance (累计结余) is not
the year's.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass

import regex

from .. import rules

_LINE = rules.pattern(r"[^\n]+")
_MARK = rules.pattern(
    r"\s*(?:(?P<l0>[一二三四五六七八九十]{1,3})\s*[、.．]"
    r"|(?P<l1>\d{1,2})\s*[.、．](?!\d)"
    r"|[(（]\s*(?P<l2>\d{1,2}|[一二三四五六七八九十]{1,3})\s*[)）])")
_OPENS = rules.pattern(r"(?:其中|具体如下|分别为|如下)\s*[:：]?\s*$")


@dataclass(frozen=True)
class Item:
    start: int
    end: int
    level: int | None   # 0 一、, 1 1., 2 (1); None: a line that is not an item
    opens: bool         # the line ends by announcing a list (其中:)


def items(raw: str) -> list[Item]:
    out = []
    for m in _LINE.finditer(raw):
        s, e = m.span()
        mk = _MARK.match(raw, s, e)
        level = None
        if mk:
            level = 0 if mk.group("l0") else 1 if mk.group("l1") else 2
        out.append(Item(s, e, level, _OPENS.search(raw, s, e) is not None))
    return out


def breakdowns(raw: str, first_fig: Callable[[int, int, str | None], object | None],
               last_fig: Callable[[int, int], object | None],
               unit_class: Callable[[object], str | None]) -> list[tuple[object, list[object]]]:
    """(total, parts) for every list breakdown. ``first_fig(start, end, cls)``
    gives the first figure (of unit class ``cls``, any when None) in a span,
    ``last_fig(start, end)`` the last figure of a span; ``unit_class`` says
    which figures compare (the auditor's own, passed in)."""
    lines = items(raw)
    out = []
    for k, it in enumerate(lines):
        if it.opens:  # 收入合计226.54万元。其中: -> the items below
            total, level = last_fig(it.start, it.end), None
        elif it.level is not None:  # 1.职工活动支出223.54万元 with (1) (2) below
            total, level = first_fig(it.start, it.end, None), it.level
        else:
            continue
        if total is None or k + 1 >= len(lines):
            continue
        child = lines[k + 1].level
        if child is None or (level is not None and child <= level):
            continue
        parts = []
        for nxt in lines[k + 1:]:
            if nxt.level is None:
                break
            if nxt.level < child:
                break
            if nxt.level == child:
                p = first_fig(nxt.start, nxt.end, unit_class(total))
                if p is None:
                    parts = []  # an item without a figure: the list is not all figures
                    break
                parts.append(p)
        if len(parts) >= 2:
            out.append((total, parts))
    return out


_INCOME = rules.pattern(r"收入(?:合计|总计|总额)?(?:为|共)?")
_SPEND = rules.pattern(r"支出(?:合计|总计|总额)?(?:为|共)?")
_BALANCE = rules.pattern(r"(?:当年|本年|本年度)?(?:经费)?结余")


def balance(raw: str, figs: list) -> tuple[object, list[object]] | None:
    """(income, [expenditure, the year's balance]) of a finance report, or None.
    Each is the first money figure right after its word (within a few
    characters), taken only where each word names exactly one such figure."""
    money = sorted((f for f in figs if f.type == "amount" and not f.per), key=lambda f: f.start)
    starts = [f.start for f in money]

    def after(pat: regex.Pattern, exclude: str | None = None) -> list:
        got: list = []
        seen: set[int] = set()
        for m in pat.finditer(raw):
            if exclude and exclude in raw[max(0, m.start() - 4):m.start()]:
                continue
            k = bisect_left(starts, m.end())  # a bisect, not a scan: a long page has thousands
            f = money[k] if k < len(money) and money[k].start <= m.end() + 6 else None
            if f is not None and f.start not in seen:  # by position: record equality is slow
                seen.add(f.start)
                got.append(f)
        return got

    inc, spend, bal = after(_INCOME), after(_SPEND), after(_BALANCE, exclude="累计")
    # the income and spending totals are the first of their words (the lists
    # below repeat the words for their items: 会员会费收入)
    if not inc or not spend or len(bal) != 1:
        return None
    return inc[0], [spend[0], bal[0]]
