from __future__ import annotations

from pipeline.text.normalize import normalize


def test_pinyin_is_stripped_and_offsets_map_back():
    raw = "發(fā)放助學(xué)金3.05萬(wàn)元"
    nt = normalize(raw)
    assert nt.text == "发放助学金3.05万元"
    i = nt.text.index("3.05万元")
    s, e, _ = nt.to_orig(i, i + len("3.05万元"))
    assert raw[s:e] == "3.05萬(wàn)元"


def test_trailing_gloss_is_not_part_of_a_span():
    raw = "結(jié)對(duì)幫扶234對(duì)。"
    nt = normalize(raw)
    i = nt.text.index("234对")
    s, e, _ = nt.to_orig(i, i + 4)
    assert raw[s:e] == "234對"


def test_fullwidth_and_list_decimal():
    nt = normalize("捐款１、２万元,共１２人")
    assert nt.text == "捐款1.2万元,共12人"
    assert len(nt.text) == len(nt.raw)


def test_list_numbers_are_not_decimals():
    assert normalize("1、2、3万元").text == "1、2、3万元"


def test_gbk_shifted_list_marker_is_repaired_as_one_block():
    raw = "标题\n。ㄒ唬┵Y助原则\n"
    nt = normalize(raw)
    assert "(一)" in nt.text
    i = nt.text.index("(一)")
    s, e, grown = nt.to_orig(i, i + 3)
    assert raw[s:e] == "。ㄒ唬┵" and grown


def test_every_normalised_char_maps_inside_the_original():
    raw = "工會(huì)金秋助學(xué)，ＡＢＣ　123"
    nt = normalize(raw)
    for k in range(len(nt.text)):
        s, e, _ = nt.to_orig(k, k + 1)
        assert 0 <= s < e <= len(raw)


def test_identity_maps_at_any_length() -> None:
    # short texts slice a cached 0..n array, long ones (past the cache) build their own
    from pipeline.text.normalize import NormText

    for n in (0, 1, 1233, (1 << 16) - 1, 1 << 16, 70_000):
        nt = NormText.identity("字" * n)
        assert list(nt.starts) == list(range(n))
        assert list(nt.ends) == list(range(1, n + 1))
        assert len(nt.expanded) == n and not any(nt.expanded)
    # the maps are the text's own: changing one leaves the next text's untouched
    a = NormText.identity("甲乙")
    a.starts[0] = 99
    assert NormText.identity("丙丁").starts[0] == 0


def test_traditional_text_keeps_every_span_and_small_maps() -> None:
    # 會 -> 会 one for one (no edit list): the maps are the identity's, 4 bytes a character
    raw = "工會會員(huì)共" + "職工" * 50
    nt = normalize(raw)
    assert nt.text.startswith("工会会员共") and "t2s" in nt.steps
    k = nt.text.index("共")
    assert nt.to_orig(k, k + 1)[:2] == (raw.index("共"), raw.index("共") + 1)
    assert nt.to_orig(1, 4)[:2] == (1, 4)  # 会会员 is 會會員
    assert nt.starts.itemsize == nt.ends.itemsize == 4
    # a simplified page is left as it is: no t2s step
    assert "t2s" not in normalize("工会会员共").steps


def test_t2s_text_never_changes_the_length() -> None:
    from pipeline.text.normalize import t2s_text

    for raw in ("", "工會", "後來的隻字片語\n發展", "繁體中文(fán)\r\n測試"):
        out = t2s_text(raw)
        assert len(out) == len(raw)
    assert t2s_text("工會發展") == "工会发展"
