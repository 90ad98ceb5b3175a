"""Activity labels of a sub-report from a lexicon (rules/activity/lexicon.yaml).

Input: a section's normalised text. Output: labels ordered by weight, the first
being the primary one. A label needs its cues to occur at least ``min_hits``
times to count as reported "substantively" (SCHEMA.md)."""

from __future__ import annotations

import functools

from . import rules


@functools.lru_cache(maxsize=1)
def _lexicon() -> tuple[dict[str, list[str]], dict]:
    rf = rules.load("activity/lexicon")
    return rf.lexicons, rf.tables.get("settings", {})


def label(text: str) -> list[str]:
    lex, settings = _lexicon()
    min_hits = int(settings.get("min_hits", 2))
    head = text[:200]
    scores: dict[str, float] = {}
    for lab, cues in lex.items():
        hits = sum(text.count(c) for c in cues)
        head_hits = sum(head.count(c) for c in cues)
        if hits >= min_hits or head_hits:
            scores[lab] = hits + 3 * head_hits
    return sorted(scores, key=lambda k: -scores[k])
