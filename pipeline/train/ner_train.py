"""Train and score the shipped NER model (``zongjie train-ner``).

1. Write DocBins to ``corpus/ner/``: ``train.spacy`` (generated, train part),
   ``dev.spacy`` (generated, train part, another seed: for spaCy's model
   selection), ``test.spacy`` (generated, held-out part), ``handwritten.spacy``
   (``corpus/ner/heldout.yaml``) and ``handwritten_b.spacy`` (``heldout_b.yaml``).
2. Train with spaCy's config system on CPU (``rules/spacy/ner.cfg``), in this
   process. The model reads characters (the config says why); ``segmenter="jieba"``
   trains the word-based variant it was measured against, after jieba has learnt
   the union-term dictionary (process-global, hence in this process).
3. Copy the best model into ``pipeline/models/trained/ner`` (loaded from the package by
   ``pipeline.models.ner``) and score it per label on the two held-out sets, written to
   ``corpus/ner/scores.json``.

Scores are exact-span, per label: an entity counts only with both ends and the
label right.
"""

from __future__ import annotations

import json
from pathlib import Path

from . import ner_corpus
from ..rules import RULES_DIR
from ..models.ner import MODEL_DIR
from .spacy_train import train_pipeline

CONFIG = RULES_DIR / "spacy" / "ner.cfg"
DATA_DIR = ner_corpus.CORPUS_DIR / "ner"


def write_corpora(n_train: int = 4000, n_dev: int = 300, n_test: int = 500, seed: int = 0,
                  segmenter: str = "char", data_dir: Path = DATA_DIR) -> dict[str, int]:
    """Write the four DocBins; returns the number of entities off token
    boundaries per set (kept as missing, see ``ner_corpus.docbin``)."""
    import spacy

    from ..models.tokenizer import load_user_dict

    if segmenter == "jieba":
        load_user_dict()
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": segmenter}}})
    sets = {
        "train": list(ner_corpus.generated(n_train, seed, "train")),
        "dev": list(ner_corpus.generated(n_dev, seed + 1, "train")),
        "test": list(ner_corpus.generated(n_test, seed + 2, "test")),
        **{name: ner_corpus.handwritten(name) for name in ner_corpus.HANDWRITTEN},
    }
    data_dir.mkdir(parents=True, exist_ok=True)
    off = {}
    for name, examples in sets.items():
        db, off[name] = ner_corpus.docbin(examples, nlp)
        db.to_disk(data_dir / f"{name}.spacy")
    return off


def train(out: Path = MODEL_DIR, max_steps: int | None = None, segmenter: str = "char",
          data_dir: Path = DATA_DIR) -> None:
    from ..models.tokenizer import load_user_dict

    if segmenter == "jieba":
        load_user_dict()  # jieba's dictionary is process-global: the trainer tokenises here
    train_pipeline(CONFIG, out, data_dir, max_steps, {"nlp.tokenizer.segmenter": segmenter})
    _forget_paths(out / "config.cfg")


def _forget_paths(cfg: Path) -> None:
    """spaCy saves the training corpora's absolute paths in the model's config;
    they are of this machine, unused at load time, and would differ on every
    retraining, so the shipped config says where they are relative to the repo."""
    from spacy.util import load_config

    config = load_config(cfg, interpolate=False)
    config["paths"]["train"] = "corpus/ner/train.spacy"
    config["paths"]["dev"] = "corpus/ner/dev.spacy"
    config.to_disk(cfg)


def score(examples: list[ner_corpus.Example], predict) -> dict[str, dict[str, float]]:
    """Exact-span P/R/F1 per label (and over all labels) of ``predict(text)``,
    which returns ``[(start, end, label), …]``."""
    labels = (*ner_corpus.LABELS, "ALL")
    tp = dict.fromkeys(labels, 0)
    n_pred = dict.fromkeys(labels, 0)
    n_gold = dict.fromkeys(labels, 0)
    for text, gold in examples:
        g, p = set(gold), set(predict(text))
        for s, e, lab in g:
            n_gold[lab] += 1
            n_gold["ALL"] += 1
        for s, e, lab in p:
            n_pred[lab] += 1
            n_pred["ALL"] += 1
            if (s, e, lab) in g:
                tp[lab] += 1
                tp["ALL"] += 1
    out = {}
    for lab in labels:
        p = tp[lab] / n_pred[lab] if n_pred[lab] else 0.0
        r = tp[lab] / n_gold[lab] if n_gold[lab] else 0.0
        out[lab] = {"p": round(p, 3), "r": round(r, 3), "f1": round(2 * p * r / (p + r) if p + r else 0.0, 3),
                    "gold": n_gold[lab]}
    return out


def evaluate(model: Path = MODEL_DIR) -> dict[str, dict]:
    from ..models import ner

    tagger = ner.load(model)
    held = {"test": list(ner_corpus.generated(500, 2, "test")),
            **{name: ner_corpus.handwritten(name) for name in ner_corpus.HANDWRITTEN}}
    scores = {name: score(ex, lambda t: [(e.start, e.end, e.label) for e in tagger.entities(t)])
              for name, ex in held.items()}
    (DATA_DIR / "scores.json").write_text(json.dumps(scores, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return scores


__all__ = ["evaluate", "score", "train", "write_corpora"]
