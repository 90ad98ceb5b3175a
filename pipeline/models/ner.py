"""The trained NER layer: organisations (ORG), beneficiary groups (GROUP), people (PERSON).

The model ships in the package (``pipeline/models/trained/ner``, trained by
``zongjie train-ner``, see ``pipeline/train/ner_train.py``) and is loaded from there,
never from a hub. It reads *normalised* text (simplified characters, pinyin
glosses and chrome already handled by ``normalize``), one line at a time, so a
50 MB file never becomes one spaCy ``Doc``; ``entities_of`` maps the spans back
to the original text through the normalisation's offset map.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

MODEL_DIR = Path(__file__).resolve().parent / "trained" / "ner"
# spaCy's own limit is 1M characters; lines longer than this are cut into pieces
_MAX_PIECE = 5000


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    label: str
    text: str


class Tagger:
    def __init__(self, nlp) -> None:
        self.nlp = nlp

    def entities(self, text: str, skip: Callable[[int, int], bool] | None = None) -> list[Span]:
        """Entities of ``text`` (offsets into it). Lines are tagged one by one;
        lines for which ``skip(start, end)`` is true (boilerplate) are not."""
        pieces = [(a, b) for a, b in line_pieces(text) if not (skip and skip(a, b))]
        out = []
        for (a, _), doc in zip(pieces, self.nlp.pipe(text[a:b] for a, b in pieces)):
            out += [Span(a + e.start_char, a + e.end_char, e.label_, e.text) for e in doc.ents]
        return out


def line_pieces(text: str) -> list[tuple[int, int]]:
    """The non-blank lines of ``text`` as (start, end), a line longer than
    spaCy's limit cut into pieces: what both entity taggers read one at a time."""
    out, pos = [], 0
    for line in text.splitlines(keepends=True):
        end = pos + len(line.rstrip("\r\n"))
        a = pos
        while end - a > _MAX_PIECE:
            out.append((a, a + _MAX_PIECE))
            a += _MAX_PIECE
        if end > a and text[a:end].strip():
            out.append((a, end))
        pos += len(line)
    return out


def load(path: Path = MODEL_DIR) -> Tagger:
    import spacy

    from .tokenizer import load_user_dict

    if not (path / "meta.json").exists():
        raise FileNotFoundError(f"no NER model at {path}; train one with `zongjie train-ner`")
    nlp = spacy.load(path)
    # only a jieba-word model needs the union terms in jieba (process-global); the
    # shipped model reads characters, and teaching jieba here would change the rule
    # subjects' POS tagging depending on whether the NER ran
    if str(getattr(nlp.tokenizer, "segmenter", "")) == "jieba":
        load_user_dict()
    return Tagger(nlp)


@functools.lru_cache(maxsize=1)
def tagger() -> Tagger:
    """The shipped model, loaded once per process."""
    return load()


__all__ = ["MODEL_DIR", "Span", "Tagger", "line_pieces", "load", "tagger"]
