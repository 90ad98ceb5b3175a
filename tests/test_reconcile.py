"""The reconciler on texts written for the tests: each relation, scope,
tolerance and bound case of issue 3, plus the known seed cases."""

from __future__ import annotations

import pytest

from pipeline import extract_file, extract_text


def checks(text: str):
    doc = extract_text(text)
    quote = {(f.start, f.end): f.quote for f in doc.facts}
    out = []
    for c in doc.checks:
        parts = [quote[(p.start, p.end)] if hasattr(p, "start") else (quote[(p.count.start, p.count.end)],
                 quote[(p.rate.start, p.rate.end)]) for p in c.parts]
        out.append((c.relation, c.scope, c.status, quote[(c.total.start, c.total.end)], parts, c))
    return out


def only(text: str):
    got = checks(text)
    assert len(got) == 1, [g[:5] for g in got]
    return got[0]


def test_sum_in_one_sentence_consistent():
    rel, scope, status, total, parts, c = only("全区共慰问困难职工500名,其中在岗职工300名,退休职工200名。")
    assert (rel, scope, status, total, parts) == ("sum", "sentence", "consistent", "500名", ["300名", "200名"])
    assert c.stated == 500 and c.computed == 500 and c.difference == 0
    assert "300 + 200 = 500 ✓" in c.derivation


def test_sum_inconsistent_shows_the_difference():
    *_, c = only("全区共慰问困难职工520名,其中在岗职工300名,退休职工200名。")
    assert c.status == "inconsistent" and c.stated == 520 and c.computed == 500 and c.difference == -20
    assert "≠ 520" in c.derivation


def test_breakdown_in_the_next_sentence():
    rel, scope, status, total, parts, _ = only("共救助困难学生90名。其中:小学生40名,中学生30名,大学生20名。")
    assert status == "consistent" and parts == ["40名", "30名", "20名"]


def test_parts_closed_by_a_total():
    rel, scope, status, total, parts, _ = only("为5名大学生、2名中学生、1名小学生,共计8名困难职工子女提供助学服务。")
    assert (status, total, parts) == ("consistent", "8名", ["5名", "2名", "1名"])


def test_product_sum_with_a_missing_total_infers_it():
    got = checks("区工会为100名职工集中发放了万元救助金,其中特困职工40人,每人补助500元,困难职工60人,每人补助300元。")
    assert [g[:5] for g in got if g[0] == "sum"] == [("sum", "sentence", "consistent", "100名", ["40人", "60人"])]
    rel, scope, status, total, parts, c = next(g for g in got if g[0] == "product_sum")
    assert status == "unverifiable" and total == "万元"
    assert parts == [("40人", "500元"), ("60人", "300元")]
    assert c.stated is None and c.computed == 38000 and "inferred total: 38,000" in c.derivation


def test_product_sum_with_rates_stated_in_an_earlier_paragraph():
    text = ("考入本科的困难职工子女每人资助3000元;考入大专的每人资助2000元。\n"
            "8月,县工会为6名困难职工子女发放助学金1.6万元。其中本科4人,大专2人。")
    got = checks(text)
    prod = [g for g in got if g[0] == "product_sum"]
    assert len(prod) == 1
    rel, scope, status, total, parts, c = prod[0]
    assert (scope, status, total) == ("document", "consistent", "1.6万元")
    assert parts == [("4人", "3000元"), ("2人", "2000元")] and c.computed == 16000


def test_tolerance_from_the_totals_precision():
    # 18.25万元 is written to 100元: parts adding to 182,490 hold (±50元)
    *_, c = only("共筹集资金18.25万元,其中财政拨款102490元,社会捐助80000元。")
    assert c.status == "consistent" and c.tolerance == 50


def test_at_least_total_broken_is_inconsistent():
    *_, c = only("50余名职工参加活动,其中男职工20名,女职工19名。")
    assert c.status == "inconsistent"


def test_at_most_total_within_bound_is_unverifiable():
    *_, c = only("资金总额近20万元,其中企业捐资5万元,个人捐资5万元,基金资助3.4万元。")
    assert c.status == "unverifiable"


def test_masked_part_is_unverifiable():
    *_, c = only("共慰问职工120名,其中退休职工X名,在岗职工80名。")
    assert c.status == "unverifiable" and c.computed is None


def test_units_must_agree():
    assert checks("共走访困难家庭300户,其中困难职工200人,农民工100人。") == []
    assert checks("共慰问423人次,其中困难职工300人,退休职工123人。") == []


def test_subset_and_target_are_not_breakdowns():
    assert checks("共计签订199家,其中有39家企业单独签订协议。") == []
    assert checks("全年培训职工1600人,超额完成任务1500人。") == []


def test_the_same_group_counted_twice_in_another_paragraph():
    text = ("一、受助情况。共救助困难职工子女1100名。其中:在岗职工子女420名,下岗职工子女398名,农民工子女282名。\n"
            "二、发放情况。发放助学金85万元。其中:小学12万元,受助235人,中学10万元,受助184人,大学63万元,受助765人。")
    doc_checks = [g for g in checks(text) if g[1] == "document"]
    assert len(doc_checks) == 1
    rel, scope, status, total, parts, c = doc_checks[0]
    assert (status, total, parts) == ("inconsistent", "1100名", ["235人", "184人", "765人"])
    assert c.computed == 1184


def test_a_total_in_one_paragraph_broken_down_in_another():
    text = ("今年共帮扶困难职工240名。\n"
            "具体做法:一是为在岗困难职工150人发放补助;二是为退休困难职工90人送去慰问品。")
    rel, scope, status, total, parts, _ = only(text)
    assert (scope, status, total, parts) == ("document", "consistent", "240名", ["150人", "90人"])


def test_a_total_and_its_parts_in_two_sentences_of_one_paragraph():
    text = "今年共走访慰问困难职工家庭86户。市级领导走访32户,区级领导走访54户,送去慰问品。"
    rel, scope, status, total, parts, _ = only(text)
    assert (scope, status, total, parts) == ("paragraph", "consistent", "86户", ["32户", "54户"])


def test_single_pair_product_sum():
    # the group and its rate, then the 共 total (SCHEMA.md: a product_sum may have one pair)
    rel, scope, status, total, parts, _ = only("为4名困难学生每人资助3000元,共发放助学金1.2万元。")
    assert (rel, status, total) == ("product_sum", "consistent", "1.2万元")


def test_a_single_pair_that_misses_its_total_is_no_finding():
    # a weak pairing: the text may have left another group out, so a shortfall is not an alarm
    assert extract_text("为4名困难学生每人资助3000元,共发放助学金2万元。").checks == []


def test_checks_never_change_facts():
    text = "全区共慰问困难职工520名,其中在岗职工300名,退休职工200名。"
    doc = extract_text(text)
    from pipeline.audit.reconcile import reconcile

    before = [f.model_dump() for f in doc.facts]
    again = reconcile(doc, text)
    assert [f.model_dump() for f in doc.facts] == before
    # the document's checks are reconcile's, linked afterwards to the event they belong to
    assert [c.model_dump(exclude={"event_id"}) for c in again] == [c.model_dump(exclude={"event_id"})
                                                                   for c in doc.checks]


def test_known_seed_inconsistencies(shared):
    doc = extract_file(shared / "seeds" / "003_83b85b1b0adf7007.txt")
    bad = [c for c in doc.checks if c.status == "inconsistent"]
    assert [(c.stated, c.computed) for c in bad] == [(10135, 10124)]
