"""Train a spaCy text classifier for a sub-report's primary activity and measure
it against the lexicon (``zongjie train-activities``).

The issue asks for a classifier "where it beats the lexicon". Its training data is
the project's own, like the NER's: sub-reports of synthetic pages
(``pipeline.train.synth``, whose gold knows each section's primary label). Both
classifiers read the same text, the one ``process_text`` gives the lexicon: the
sub-report with boilerplate blanked (``Segmentation.report_text``).

It is measured on three sets: generated sections of another seed (held out), and
the dev gold's sub-reports (``../shared/gold``, when present: real text, never
trained on). The scores go to ``corpus/activity/scores.json``; the README quotes them.
The model is *not* shipped or used unless it wins on the real text: trained on
template sentences, it learns the templates.
"""

from __future__ import annotations

import json
import random
import tempfile
from collections.abc import Iterable
from pathlib import Path

from ..extract import activities
from . import synth
from ..text.normalize import normalize
from ..rules import RULES_DIR
from ..text.segment import segment
from .spacy_train import train_pipeline

CONFIG = RULES_DIR / "spacy" / "textcat.cfg"
SCORES = Path(__file__).resolve().parents[2] / "corpus" / "activity" / "scores.json"

Labelled = tuple[str, str]  # (sub-report text as the lexicon sees it, gold primary label)


def labelled_sections(text: str, gold: Iterable[dict]) -> list[Labelled]:
    """Sub-reports of one page paired with their gold primary label, matched by the
    heading's start in the original text (pages whose segmentation misses a gold
    section simply contribute fewer pairs)."""
    by_start = {g["start"]: g["primary"] for g in gold if g.get("type") == "section"}
    nt = normalize(text)
    seg = segment(nt.text)
    out = []
    for sp in seg.sections:
        primary = by_start.get(nt.orig_pos(sp.start))
        if primary is not None:
            out.append((seg.report_text(nt.text, sp.start, sp.body_end), primary))
    return out


def generated(n: int, seed: int) -> list[Labelled]:
    return [pair for _, text, gold in synth.generate(n, seed) for pair in labelled_sections(text, gold)]


def dev_gold(shared: Path) -> list[Labelled]:
    """The dev gold's sub-reports (evaluation only)."""
    out: list[Labelled] = []
    for gold_file in sorted((shared / "gold").glob("*.jsonl")):
        text_file = shared / "seeds" / (gold_file.stem + ".txt")
        if not text_file.exists():
            continue
        gold = [json.loads(line) for line in gold_file.read_text(encoding="utf-8").splitlines() if line.strip()]
        out += labelled_sections(text_file.read_text(encoding="utf-8"), gold)
    return out


def label_set() -> list[str]:
    return sorted({*activities.labels(), "other"})


def docbin(pairs: list[Labelled], nlp):
    from spacy.tokens import DocBin

    labels = label_set()
    db = DocBin()
    for text, primary in pairs:
        doc = nlp.make_doc(text)
        doc.cats = {lab: float(lab == primary) for lab in labels}
        db.add(doc)
    return db


def write_corpora(data_dir: Path, n_train: int = 1500, n_dev: int = 150, seed: int = 0) -> dict[str, int]:
    """``train.spacy`` and ``dev.spacy`` (spaCy's model selection) in ``data_dir``;
    returns the number of sub-reports in each. Not kept in the repo: the same seed
    writes the same files."""
    import spacy

    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "char"}}})
    sets = {"train": generated(n_train, seed), "dev": generated(n_dev, seed + 1)}
    data_dir.mkdir(parents=True, exist_ok=True)
    for name, pairs in sets.items():
        random.Random(seed).shuffle(pairs)
        docbin(pairs, nlp).to_disk(data_dir / f"{name}.spacy")
    return {k: len(v) for k, v in sets.items()}


def train(out: Path, data_dir: Path, max_steps: int | None = None) -> None:
    train_pipeline(CONFIG, out, data_dir, max_steps)


def accuracy(pairs: list[Labelled], predict) -> float:
    return round(sum(predict(t) == p for t, p in pairs) / len(pairs), 3) if pairs else 0.0


def lexicon_primary(text: str) -> str:
    labels = activities.label(text)
    return labels[0] if labels else "other"


def textcat_primary(nlp):
    def predict(text: str) -> str:
        cats = nlp(text).cats
        return max(cats, key=cats.get)
    return predict


def compare(model: Path, shared: Path | None, n_test: int = 300, seed: int = 2) -> dict[str, dict]:
    """Primary accuracy of the lexicon and of the text classifier on each set."""
    import spacy

    nlp = spacy.load(model)
    sets = {"generated (held out)": generated(n_test, seed)}
    if shared is not None and (shared / "gold").is_dir():
        sets["dev gold (real)"] = dev_gold(shared)
    tc = textcat_primary(nlp)

    def fallback(text: str) -> str:
        # the one place the classifier might beat the lexicon: where no cue is strong
        # enough and the lexicon can only say "other"
        got = lexicon_primary(text)
        return tc(text) if got == "other" else got

    return {name: {"sections": len(pairs), "lexicon": accuracy(pairs, lexicon_primary),
                   "textcat": accuracy(pairs, tc), "lexicon_then_textcat": accuracy(pairs, fallback)}
            for name, pairs in sets.items()}


def run(n_train: int = 1500, seed: int = 0, shared: Path | None = None, model_out: Path | None = None,
        max_steps: int | None = None) -> dict[str, dict]:
    """Write the corpora, train, compare; the scores go to ``corpus/activity/scores.json``
    (only for the full default run, so a quick trial does not overwrite them)."""
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        write_corpora(data, n_train=n_train, seed=seed)
        model = model_out or Path(tmp) / "model"
        train(model, data, max_steps=max_steps)
        scores = compare(model, shared)
    if n_train == 1500 and seed == 0 and max_steps is None and shared is not None:
        SCORES.parent.mkdir(parents=True, exist_ok=True)
        SCORES.write_text(json.dumps(scores, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return scores


__all__ = ["compare", "dev_gold", "generated", "labelled_sections", "run", "train", "write_corpora"]
