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


def _records(doc, dimension: str):
    if dimension in ("amount", "count", "date"):
        return [f for f in doc.facts if f.type == dimension]
    if dimension == "placeholder":
        return list(doc.placeholders)
    if dimension == "section":
        return list(doc.sections)
    raise ValueError(dimension)


@pytest.mark.parametrize("dimension,ex", CASES)
def test_example(dimension, ex):
    for exp in ex.expect:
        if "start" in exp:
            assert ex.text[exp["start"]:exp["start"] + len(exp["quote"])] == exp["quote"], "example is wrong"
        else:
            assert exp["quote"] in ex.text, "example is wrong"
    doc = extract_text(ex.text, doc_id=ex.id)
    got = _records(doc, dimension)
    for r in got:
        assert ex.text[r.start:r.end] == r.quote
    unmatched = list(got)
    for exp in ex.expect:
        hit = next((r for r in unmatched if r.quote == exp["quote"] and r.start == exp.get("start", r.start)), None)
        assert hit is not None, f"no {dimension} {exp['quote']!r}; got {[r.quote for r in got]}"
        unmatched.remove(hit)
        for key, val in exp.items():
            if key in ("quote", "start"):
                continue
            assert getattr(hit, key) == val, f"{exp['quote']!r}.{key}: {getattr(hit, key)!r} != {val!r}"
    assert not unmatched, f"unexpected {dimension}: {[r.quote for r in unmatched]}"
