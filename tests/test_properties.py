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


# --- exact speed-ups: each gives what the plain Python it replaced gave --------

WORDS = st.lists(st.text(st.sampled_from(list("其中共计合计元人以上.*?(|")), min_size=0, max_size=3),
                 max_size=6)


@settings(max_examples=300, deadline=None)
@given(WORDS, st.text(st.sampled_from(list("其中共计合计元人以上.*?(| ")), max_size=20))
def test_holds_any_is_the_word_loop_it_replaced(words, text):
    from pipeline import rules

    # regex metacharacters in a word are literal, an empty list holds nothing
    # read as its callers read it, by truth: an empty match (an empty word) is a hit
    assert bool(rules.holds_any(tuple(words))(text)) == any(w in text for w in words)


@settings(max_examples=200, deadline=None)
@given(st.text(st.sampled_from(list("助学金元万3。,;\n职工发放")), max_size=60), st.integers(0, 12))
def test_paid_stretches_look_back_no_further_than_they_reach(text, reach):
    from pipeline.extract import activities

    def unbounded(text: str, reach: int) -> list[tuple[int, int]]:
        out: list[tuple[int, int]] = []
        for m in activities._money().finditer(text):
            s = max(m.start() - reach, max(text.rfind(ch, 0, m.start()) for ch in activities._CLAUSE_BREAKS) + 1)
            if out and s < out[-1][1]:
                s = out[-1][1]
            if s < m.start():
                out.append((s, m.start()))
        return out

    assert activities._paid_stretches(text, reach) == unbounded(text, reach)


@settings(max_examples=500, deadline=None)
@given(st.from_regex(r"\A[0-9]{1,16}(\.[0-9]{1,9})?(万|亿)?元\Z", fullmatch=True))
def test_plain_money_fast_path_gives_what_the_general_parse_gives(text):
    from pipeline.extract import numerals

    assert numerals.parse_amount.__wrapped__(text) == numerals._parse_amount(text)


@settings(max_examples=300, deadline=None)
@given(st.from_regex(r"\A[0-9]{1,17}\Z", fullmatch=True))
def test_plain_count_fast_path_gives_what_the_general_parse_gives(text):
    from pipeline.extract import numerals

    assert numerals.parse_quantity.__wrapped__(text) == numerals._parse_quantity(text)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.text(st.sampled_from(list("安全培训生产.(")), max_size=4), min_size=1, max_size=8),
       st.text(st.sampled_from(list("安全培训生产.(x")), max_size=40))
def test_literal_trie_matches_what_the_longest_first_alternation_matches(words, text):
    import re

    from pipeline import rules

    plain = re.compile("|".join(map(re.escape, sorted(set(words), key=len, reverse=True))))
    trie = re.compile(rules.literal_alternation(words))
    assert [m.span() for m in trie.finditer(text)] == [m.span() for m in plain.finditer(text)]


@settings(max_examples=300, deadline=None)
@given(st.text(st.sampled_from(list("职工,，。;；!?！？\n:：元")), max_size=50), st.integers(0, 55),
       st.integers(0, 35))
def test_clause_before_is_the_rfind_loop_it_replaced(text, pos, limit):
    from pipeline.extract import base

    chunk = text[max(0, pos - limit):pos]
    cut = max(chunk.rfind(ch) for ch in ",，。;；!?！？\n:：")
    assert base.clause_before(text, pos, limit) == (chunk[cut + 1:] if cut >= 0 else chunk)


@settings(max_examples=300, deadline=None)
@given(st.text(st.sampled_from(list("职工。！？\n;；")), max_size=60), st.integers(-2, 62))
def test_indexer_is_the_binary_search_it_replaced(text, pos):
    from pipeline.audit import checks

    for spans in (checks.sentence_spans(text), checks.clause_spans(text), checks.paragraph_spans(text)):
        assert checks.indexer(spans)(pos) == checks.index_of(spans, pos)


@settings(max_examples=300, deadline=None)
@given(st.text(st.sampled_from(list("其中分别为是包括具体用于名人户,，:：。！？\n;；5元")), max_size=80))
def test_breakdown_cues_miss_no_sentence_a_breakdown_is_in(text):
    from pipeline.audit import checks, reconcile

    lex = checks.marker_tables()[0]
    words = tuple(lex["breakdown"]) + tuple(lex["breakdown_weak"])
    sents = checks.sentence_spans(text)
    holding = reconcile._sentences_holding(text, sents, checks.indexer(sents), words)
    assert holding is not None  # no breakdown word holds a sentence's end
    for pat in (reconcile._breakdown(tuple(lex["breakdown"])), reconcile._breakdown(tuple(lex["breakdown_weak"]))):
        found = {i for i, s in enumerate(sents) if pat.search(text, s.start, s.end)}
        assert found <= holding


@settings(max_examples=400, deadline=None)
@given(st.text(st.sampled_from(list("0123.,一二十百 万元职")), max_size=40))
def test_money_figures_open_a_run_of_numerals(text):
    # the look-behinds that keep a long run of digits from being read at every digit
    # find what the pattern without them finds: no match starts inside a run (the
    # lengths are capped in both: a money figure is at most 32 characters)
    import re

    from pipeline.extract import activities

    plain = re.compile("(?:[0-9][0-9.,]{0,31}|[零一二三四五六七八九十百千两]{1,24})\\s{0,8}[万亿]?元")
    assert [m.span() for m in activities._money().finditer(text)] == [m.span() for m in plain.finditer(text)]
