"""zongjie as a spaCy component in a user's own pipeline."""

from __future__ import annotations

import pytest

spacy = pytest.importorskip("spacy")

TEXT = "2023年7月26日,区总工会开展夏送清凉活动,慰问一线职工八百余人,发放慰问品价值3.05萬(wàn)元。"


def test_component_in_a_users_blank_zh_pipeline():
    nlp = spacy.blank("zh")  # the user's pipeline: spaCy's default character segmenter
    nlp.add_pipe("zongjie_facts")  # found through the spacy_factories entry point
    doc = nlp(TEXT)
    got = [(s.label_, s._.fact["quote"], s._.value) for s in doc.spans["facts"]]
    assert ("count", "八百余人", 800) in got
    assert ("amount", "3.05萬(wàn)元", 30500) in got
    assert any(label == "date" for label, _, _ in got)
    amount = next(s for s in doc.spans["facts"] if s.label_ == "amount")
    assert TEXT[amount._.fact["start"]:amount._.fact["end"]] == "3.05萬(wàn)元"
    assert amount._.fact["approx"] == "exact" and amount._.fact["status"] == "ok"
    assert doc._.zongjie.facts and doc._.zongjie.status == "ok"


def test_component_beside_other_components_and_jieba_tokens():
    from pipeline.models.spacy_facts import zh_pipeline

    nlp = zh_pipeline()
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([{"label": "ORG", "pattern": "区总工会"}])
    nlp.add_pipe("zongjie_facts")
    doc = nlp(TEXT)
    assert "总工会" in [t.text for t in doc] or "区总工会" in [t.text for t in doc]
    assert [e.text for e in doc.ents] == ["区总工会"]
    count = next(s for s in doc.spans["facts"] if s.label_ == "count")
    assert count.text.startswith("八百") and count._.fact["subject"] == "一线职工"


def test_component_lays_the_ner_entities_over_a_users_tokens():
    from pipeline.models.ner import MODEL_DIR

    if not (MODEL_DIR / "meta.json").exists():
        pytest.skip("no trained NER model")
    nlp = spacy.blank("zh")
    nlp.add_pipe("zongjie_facts")
    doc = nlp(TEXT)
    ents = {(s.label_, s.text) for s in doc.spans["entities"]}
    assert ("ORG", "区总工会") in ents and ("GROUP", "一线职工") in ents
    assert not doc.ents  # doc.ents stays the user's
    off = spacy.blank("zh")
    off.add_pipe("zongjie_facts", config={"ner": False})
    assert list(off(TEXT).spans["entities"]) == []
