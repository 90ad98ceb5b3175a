"""Candidates and the shared matching loop of the rule extractors.

A ``Candidate`` is a span of NORMALISED text found by one rule, with the
rule's named groups (spans too) and resolved field values. Finding spans
(``find``) is kept apart from computing values (each dimension's ``resolve``),
as Recognizers-Text does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .. import rules
from ..text.spans import SpanSet

# compiled once: module-level regex.* calls with a pattern string pay a cache lookup each time
_CLAUSE_BREAK = rules.pattern(r"[,，。;；!?！？\n:：]")
# through the last clause break of a stretch (greedy, so it backs up to the last
# one): one C call where the maximum of eleven rfind calls ran a generator
LAST_BREAK = re.compile(r".*[,，。;；!?！？\n:：]", re.DOTALL)



@dataclass
class Candidate:
    start: int
    end: int
    rule_id: str
    groups: dict[str, tuple[int, int]]
    options: dict[str, Any]
    fields: dict[str, Any] = field(default_factory=dict)

    def group(self, text: str, name: str) -> str | None:
        span = self.groups.get(name)
        if span is None or span[0] < 0:
            return None
        return text[span[0]:span[1]]


def _trim(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


def windows(text: str, rule_file: str) -> list[tuple[int, int]]:
    """Stretches of ``text`` where the rules of ``rule_file`` can match: the
    file's anchors widened by its window, merged; the whole text if it has no anchor."""
    spec = rules.anchor(rule_file)
    if spec is None:
        return [(0, len(text))]
    pat, radius = spec
    out: list[tuple[int, int]] = []
    for m in pat.finditer(text):
        s, e = max(0, m.start() - radius), min(len(text), m.end() + radius)
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


def find(text: str, rule_file: str, windowed: bool = True) -> list[Candidate]:
    """All matches of every rule in ``rule_file``, overlaps resolved: the
    longest match wins, then the earlier rule."""
    found: list[tuple[int, int, int, Candidate]] = []
    spans = windows(text, rule_file) if windowed else [(0, len(text))]
    # plain nested loops: a short page has one window and most rules match
    # nothing in it, and a generator per rule was a good part of its cost
    for order, (spec, pat) in enumerate(rules.compiled(rule_file)):
        names = tuple(pat.groupindex)
        for ws, we in spans:
            for m in pat.finditer(text, ws, we):
                s, e = m.span()
                if e <= s:
                    continue
                if text[s].isspace() or text[e - 1].isspace():
                    s, e = _trim(text, s, e)
                    if e <= s:
                        continue
                groups = {name: m.span(name) for name in names}
                found.append((s, e, order, Candidate(s, e, spec.id, groups, dict(spec.options))))
    found.sort(key=lambda t: (-(t[1] - t[0]), t[2], t[0]))
    held = SpanSet()
    taken: list[Candidate] = []
    for s, e, _, cand in found:
        if held.add(s, e):
            taken.append(cand)
    taken.sort(key=lambda c: c.start)
    return taken


def run(text: str, rule_file: str, resolve) -> list[Candidate]:
    """Find every candidate of ``rule_file`` and keep those ``resolve`` accepts."""
    return [r for c in find(text, rule_file) if (r := resolve(text, c)) is not None]


def clause_before(text: str, pos: int, limit: int = 30) -> str:
    """Text before ``pos`` back to the previous clause break."""
    start = max(0, pos - limit)
    m = LAST_BREAK.match(text, start, pos)
    return text[m.end():pos] if m else text[start:pos]


def clause_after(text: str, pos: int, limit: int = 30) -> str:
    chunk = text[pos:pos + limit]
    m = _CLAUSE_BREAK.search(chunk)
    return chunk[: m.start()] if m else chunk


def approx_before(text: str, start: int) -> str | None:
    """The approximation 约 and a linking verb right before a figure give it
    (约有300人, 约达5万元 → about), or None."""
    table = rules.load("numerals/lexicon").tables["approx_before_figure"]
    return table.get(text[max(0, start - 2):start])


def approx_after(text: str, end: int) -> str | None:
    """The approximation a word right after a figure's unit gives it
    (5000元左右 → about, 500人以上 → at_least), or None."""
    table = rules.load("numerals/lexicon").tables["approx_after_unit"]
    nxt = text[end:end + 2]
    return table.get(nxt)
