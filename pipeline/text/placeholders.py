"""Placeholder detection: template gaps such as 20xx, XX, ___, 二〇XX, **.

Input: ``NormText``. Output: ``Placeholder`` records with original offsets and
a ``kind`` (year, number, date, name, other) read from the gap's neighbours.
Detection only: nothing is replaced or filled in, and extractors treat a gap
inside a figure as "masked".
"""

from __future__ import annotations

import functools


from .. import rules
from .normalize import NormText
from ..records import Placeholder
from .spans import SpanSet

FILE = "normalize/placeholders"


@functools.lru_cache(maxsize=1)
def _lex() -> dict[str, tuple[str, ...]]:
    lx = rules.load(FILE).lexicons
    # longest first so that 万元 wins over 万
    return {k: tuple(sorted(v, key=len, reverse=True)) for k, v in lx.items()}


def _kind(text: str, s: int, e: int, default: str | None) -> str:
    lx = _lex()
    after = text[e:e + 6].lstrip(" ")
    before = text[max(0, s - 8):s].rstrip(" ")
    gap = text[s:e]
    if default == "year" and after[:1] in ("元", "万", "人", "名", "户", "家"):
        return "number"  # 20xx元/人: a masked figure that happens to start with 20
    if default:
        return default
    if before.endswith(lx["date_before"]):
        return "date"
    # dates: X月 X日, __月__日, 元月__日, a gap between 月 and 日
    if after[:1] in ("月", "日") or (before.endswith("月") and after[:1] in ("日", "-", "—")):
        return "date"
    if before.endswith(("月", "月 ")) and after[:1] in ("-", "—", "日"):
        return "date"
    if after.startswith("年"):
        return "year"
    if before.endswith(("(", "[", "〔")) and after[:1] in (")", "]", "〕"):
        return "year"
    if gap[0] in "_＿" and before.endswith(("第",)):
        return "number"
    if after.startswith(lx["number_after"]):
        # 3__822元: a gap inside digits is a figure too
        if not after.startswith("职工"):
            return "number"
    if before[-1:].isdigit() or after[:1].isdigit():
        return "number"
    if gap[0] in "Xx":
        return "name"
    if before.endswith(("《", "“", "\"")) or after.startswith(("》", "”", "\"", "“")):
        return "name"
    if after.startswith(lx["name_next"]) or before.endswith(lx["name_before"]):
        return "name"
    if before.endswith(lx["number_before"]):
        return "number"
    return "other"


def find_placeholders(nt: NormText) -> list[Placeholder]:
    text = nt.text
    taken = SpanSet()
    out: list[Placeholder] = []
    for spec, pat in rules.compiled(FILE):
        for m in pat.finditer(text):
            s, e = m.span("gap")
            if not taken.add(s, e):
                continue
            kind = _kind(text, s, e, spec.options.get("kind"))
            os_, oe, _ = nt.to_orig(s, e)
            out.append(Placeholder(start=os_, end=oe, quote=nt.raw[os_:oe], kind=kind, rule_id=spec.id))
    out.sort(key=lambda p: p.start)
    return out
