from __future__ import annotations

from pathlib import Path

from pipeline import extract_text

PAGE = (Path(__file__).resolve().parent.parent / "corpus" / "raw" / "04_webpage_inconsistent.txt").read_text(
    encoding="utf-8")


def test_chrome_is_boilerplate_and_yields_no_facts():
    doc = extract_text(PAGE)
    bp = [b.quote for b in doc.boilerplate]
    assert bp[0] == "首页 > 工作总结 > 工会工作" and "相关推荐" in bp
    assert any("更新时间" in q for q in bp) and any("以下是小编" in q for q in bp)
    for f in doc.facts:
        assert not any(b.start <= f.start < b.end for b in doc.boilerplate)


def test_concatenated_pages_lose_nothing():
    one = extract_text(PAGE)
    two = extract_text(PAGE + "\n" + PAGE)
    assert len(two.sections) == 2 * len(one.sections)
    assert len(two.facts) == 2 * len(one.facts)
    assert len(two.checks) == 2 * len(one.checks)


def test_injected_site_name_found_by_repetition():
    para = "区工会开展慰问活动,共慰问职工{}名。"
    text = "工会总结篇1\n" + "\n".join("某某范文网" + para.format(k + 10) for k in range(4))
    doc = extract_text(text)
    assert [b.quote for b in doc.boilerplate if b.reason == "boilerplate.site_name"] == ["某某范文网"] * 4
    assert len([f for f in doc.facts if f.type == "count"]) == 4


def test_report_text_blanks_boilerplate_for_activity_labels():
    from pipeline.extract.activities import label
    from pipeline.text.segment import segment

    # the injected site name says 学习 (study) eight times; the report is about relief work
    para = "区工会开展结对帮扶,落实帮扶资金,慰问职工{}名。"
    text = "工会总结篇1\n" + "\n".join("学习学习范文网" + para.format(k + 10) for k in range(4))
    seg = segment(text)
    sec = seg.sections[0]
    clean = seg.report_text(text, sec.start, sec.body_end)
    assert len(clean) == sec.body_end - sec.start and "学习" not in clean
    assert "zhigong_peixun" not in label(clean) and label(clean)[0] == "kunnan_bangfu"
    assert "zhigong_peixun" in label(text[sec.start:sec.body_end])
