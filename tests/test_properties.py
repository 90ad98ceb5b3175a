"""Property tests: any input gives valid records, grounded in the input."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline import extract_text, process_bytes
from pipeline.records import Document

# Characters the rules care about, so that random text hits them often.
ALPHABET = st.sampled_from(list(
    "0123456789零〇一二两三四五六七八九十百千万亿壹贰叁仟萬元人名户家位次年月日约近多余以上"
    "Xx_*—-到至,。、()（）【】第篇总结工会會(huì)萬(wàn)\n 每人共计其中今去廿卅"
))

texts = st.one_of(
    st.text(ALPHABET, max_size=200),
    st.text(max_size=200),
    st.binary(max_size=300).map(lambda b: b.decode("latin-1")),
)


def _grounded(doc: Document, text: str) -> None:
    Document.model_validate(doc.model_dump())
    for rec in [*doc.facts, *doc.placeholders, *doc.boilerplate, *doc.sections]:
        assert 0 <= rec.start <= rec.end <= len(text)
        assert text[rec.start:rec.end] == rec.quote


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts)
def test_any_text_gives_grounded_records(text):
    _grounded(extract_text(text), text)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=400))
def test_any_bytes_give_a_document_never_an_exception(data):
    doc = process_bytes("x", data)
    assert doc.status in ("ok", "error")
    if doc.status == "error":
        assert doc.error
