"""Every rule file's examples run as tests (Duckling / Recognizers-Text style).

Examples are written against RAW text, so they exercise the whole chain:
decode-free raw -> normalise -> extract -> offsets back to the raw text. Each
case first checks itself (quote == text[start:end] when a start is given), then
compares the dimension's records exactly: every expected record is found with
the given fields, and nothing else of that dimension is produced.
"""

from __future__ import annotations

import pytest

from pipeline import extract_text
from pipeline.rules import example_files, load_examples

CASES = []
for path in example_files():
    ef = load_examples(path)
    for ex in ef.examples:
        marks = [pytest.mark.xfail(strict=True, reason=ex.reason or "known failure")] if ex.status == "xfail" else []
        CASES.append(pytest.param(ef.dimension, ex, id=ex.id, marks=marks))


def _records(doc, dimension: str, text: str):
    if dimension in ("amount", "count", "date"):
        return [f for f in doc.facts if f.type == dimension]
    if dimension == "placeholder":
        return list(doc.placeholders)
    if dimension == "section":
        return list(doc.sections)
    if dimension == "event":
        return [_Event(ev, text) for ev in doc.events]
    if dimension == "entity":
        return list(doc.entities)
    if dimension == "check":
        # a check is named by its total's quote; its parts by their quotes, in order
        return [_Check(c, text) for c in doc.checks]
    raise ValueError(dimension)


class _Event:
    """An event named by the quotes of its facts (recipients, then amounts)."""

    def __init__(self, ev, text: str) -> None:
        self.recipients = [text[r.start:r.end] for r in ev.recipients]
        self.amounts = [text[a.start:a.end] for a in ev.amounts]
        self.facts = self.recipients + self.amounts
        self.action, self.activity = ev.action, ev.activity
        self.giver = text[ev.giver.start:ev.giver.end] if ev.giver else None
        self.date = text[ev.date.start:ev.date.end] if ev.date else None
        self.start, self.end, self.quote = ev.start, ev.end, text[ev.start:ev.end]


class _Check:
    def __init__(self, c, text: str) -> None:
        self.start, self.end = c.total.start, c.total.end
        self.quote = text[self.start:self.end]
        self.relation, self.status, self.scope = c.relation, c.status, c.scope
        self.stated, self.computed = c.stated, c.computed
        self.parts = [text[p.start:p.end] if hasattr(p, "start") else
                      [text[p.count.start:p.count.end], text[p.rate.start:p.rate.end]] for p in c.parts]


@pytest.mark.parametrize("dimension,ex", CASES)
def test_example(dimension, ex):
    for exp in ex.expect:
        if dimension == "event":
            assert all(q in ex.text for q in exp["facts"]), "example is wrong"
            continue
        if "start" in exp:
            assert ex.text[exp["start"]:exp["start"] + len(exp["quote"])] == exp["quote"], "example is wrong"
        else:
            assert exp["quote"] in ex.text, "example is wrong"
    doc = extract_text(ex.text, doc_id=ex.id)
    got = _records(doc, dimension, ex.text)
    for r in got:
        assert ex.text[r.start:r.end] == r.quote
    unmatched = list(got)
    for exp in ex.expect:
        if dimension == "event":  # an event is named by its facts
            hit = next((r for r in unmatched if r.facts == exp["facts"]), None)
            assert hit is not None, f"no event with {exp['facts']}; got {[r.facts for r in got]}"
            unmatched.remove(hit)
            for key, val in exp.items():
                assert getattr(hit, key) == val, f"event {exp['facts']}.{key}: {getattr(hit, key)!r} != {val!r}"
            continue
        hit = next((r for r in unmatched if r.quote == exp["quote"] and r.start == exp.get("start", r.start)), None)
        assert hit is not None, f"no {dimension} {exp['quote']!r}; got {[r.quote for r in got]}"
        unmatched.remove(hit)
        for key, val in exp.items():
            if key in ("quote", "start"):
                continue
            assert getattr(hit, key) == val, f"{exp['quote']!r}.{key}: {getattr(hit, key)!r} != {val!r}"
    assert not unmatched, f"unexpected {dimension}: {[r.quote for r in unmatched]}"


def _texts(shared_dir) -> list[str]:
    from pipeline.text.normalize import normalize

    raws = [ex.text for p in example_files() for ex in load_examples(p).examples]
    if shared_dir is not None:
        raws += [p.read_text(encoding="utf-8") for p in sorted((shared_dir / "seeds").glob("*.txt"))]
    return [normalize(r).text for r in raws]


@pytest.mark.parametrize("rule_file", ["amount/patterns", "count/patterns", "date/patterns"])
def test_anchor_windows_lose_no_match(rule_file, request):
    """A file's ``anchor`` promises that every match lies near one: matching
    only in the anchor windows must find exactly what whole-text matching finds."""
    from pipeline.extract.base import find
    from tests.conftest import SHARED

    texts = _texts(SHARED if (SHARED / "seeds").is_dir() else None)
    key = lambda cs: [(c.start, c.end, c.rule_id) for c in cs]  # noqa: E731
    for t in texts:
        assert key(find(t, rule_file)) == key(find(t, rule_file, windowed=False)), t[:80]
