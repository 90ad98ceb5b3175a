"""The activity text classifier's data and training path (pipeline/activity_train.py)."""

from __future__ import annotations

from pathlib import Path

from pipeline.train import activity_train, synth


def test_every_generated_section_is_paired_with_its_gold_label():
    pages = list(synth.generate(20, seed=7))
    n_gold = sum(a["type"] == "section" for _, _, gold in pages for a in gold)
    pairs = [p for _, text, gold in pages for p in activity_train.labelled_sections(text, gold)]
    assert len(pairs) == n_gold
    labels = set(activity_train.label_set())
    assert {primary for _, primary in pairs} <= labels
    # the text paired is the sub-report's, boilerplate blanked, never empty
    assert all(text.strip() for text, _ in pairs)


def test_a_short_training_run_learns_more_than_chance(tmp_path: Path):
    data = tmp_path / "data"
    sizes = activity_train.write_corpora(data, n_train=120, n_dev=20, seed=3)
    assert sizes["train"] > 100 and (data / "train.spacy").exists()
    activity_train.train(tmp_path / "model", data, max_steps=200)
    scores = activity_train.compare(tmp_path / "model", shared=None, n_test=40, seed=4)
    got = scores["generated (held out)"]
    # 8 labels in the generated pages: chance is about 1/8
    assert got["textcat"] > 0.5
    assert got["lexicon"] > 0.85
