"""Annotated text for the NER model (ORG, GROUP, PERSON), written by the project.

Two sources, both the project's own (no seed sentence is used):

* ``generated(n, seed, part)``: paragraphs built from ``rules/ner/templates.yaml``
  with names composed from ``rules/ner/lexicon.yaml``. ``part="train"`` uses
  the train templates and the train share of every name list; ``part="test"``
  uses the held-out templates and held-out names only, so its scores measure
  names and sentence frames the model never saw.
* ``handwritten()``: ``corpus/ner/heldout.yaml``, sentences written by hand in
  other words than the templates, annotated by quote; never used in training.

Each example is ``(text, [(start, end, label), …])`` in character offsets.
``docbin(examples, nlp)`` turns examples into a spaCy ``DocBin``; entities that
do not fall on jieba token boundaries are reported and kept as "missing" (spaCy's
``-`` tag), so they neither teach nor punish the model.
"""

from __future__ import annotations

import functools
import random
from pathlib import Path
from typing import Iterator

import yaml

from .. import rules
from ..rules import RULES_DIR

CORPUS_DIR = RULES_DIR.parent / "corpus"
Example = tuple[str, list[tuple[int, int, str]]]
LABELS = ("ORG", "GROUP", "PERSON")


@functools.lru_cache(maxsize=1)
def _data() -> tuple[dict, dict]:
    return rules.load_raw("ner/lexicon"), rules.load_raw("ner/templates")


def _split(items: list[str], part: str) -> list[str]:
    held = [x for i, x in enumerate(items) if i % 4 == 0]
    seen = [x for i, x in enumerate(items) if i % 4 != 0]
    return held if part == "test" else seen


@functools.lru_cache(maxsize=1)
def _common_words() -> tuple[str, ...]:
    """Frequent everyday words from jieba's own dictionary (not names: its
    person/place/organisation tags are left out, and so is any word holding a
    name part of our lexicon), used as filler clauses. Template text alone
    teaches a model that any word it has not seen is a name; filler teaches it
    that most words are not."""
    import jieba

    lex, _ = _data()
    parts = set(lex["group_heads"]) | {"工会", "公司", "集团", "学校", "医院", "局", "厂", "委"}
    out = []
    path = Path(jieba.__file__).parent / "dict.txt"
    for line in path.read_text(encoding="utf-8").splitlines():
        word, freq, pos = line.split()
        if (int(freq) >= 800 and pos in _FILLER_POS and not any(p in word for p in parts)
                and not any(p in word for p in ("人员", "职工", "工人", "学生", "家庭"))):
            out.append(word)
    return tuple(out)


_FILLER_POS = {"n", "v", "a", "d", "vn", "ad", "an", "m", "q", "r", "t", "c", "f", "s", "p"}


def _filler_clause(rng: random.Random) -> str:
    words = _common_words()
    return "".join(rng.choice(words) for _ in range(rng.randint(2, 7)))


class Names:
    """Name makers over one part (train or test) of the lexicon."""

    def __init__(self, rng: random.Random, part: str) -> None:
        lex, _ = _data()
        self.rng, self.part = rng, part
        self.lists = {k: (_split(v, part) if k in lex["held_out_lists"] else v)
                      for k, v in lex.items() if isinstance(v, list) and k not in ("org_shapes", "held_out_lists")}
        self.org_shapes = lex["org_shapes"]  # shapes are syntax, shared by both parts
        self.chars = {"places": lex["place_chars"], "brands": lex["brand_chars"]}
        self.held = {k: set(_split(lex[k], "test")) for k in self.chars}

    def pick(self, key: str) -> str:
        if self.part == "train" and key in self.chars and self.rng.random() < 0.6:
            while True:
                made = "".join(self.rng.choice(self.chars[key]) for _ in range(2))
                if made not in self.held[key]:
                    return made
        return self.rng.choice(self.lists[key])

    def org(self) -> str:
        shape = self.rng.choice(self.org_shapes)
        fill = {"P": "places", "L": "levels", "B": "brands", "T": "trades", "F": "corp_forms",
                "S": "schools", "U": "bureaus", "W": "works", "V": "bare_units", "M": "own_units",
                "Z": "zones", "K": "banks"}
        return shape.format(**{k: self.pick(v) for k, v in fill.items() if "{" + k + "}" in shape})

    def group(self) -> str:
        r = self.rng.random()
        if r < 0.4:
            return self.pick("group_fixed")
        if r < 0.5:  # a bare head (会员, 农民工) is a group too; 人员, 家庭 alone are not
            head = self.pick("group_heads")
            if head not in ("人员", "家庭"):
                return head
        return self.pick("group_mods") + self.pick("group_heads")

    def person(self) -> str:
        given = "".join(self.pick("given") for _ in range(self.rng.choice((1, 2, 2))))
        return self.pick("surnames") + given


def _filler(rng: random.Random, slot: str) -> str:
    k = rng.randint(2, 900)
    if slot == "N":
        return rng.choice([f"{k}名", f"{k}人", f"{k}户", f"{k}位", f"{k}人次", "三百余人", "八十多名", f"近{k}人"])
    if slot == "A":
        return rng.choice([f"{k * 100}元", f"{k / 10:g}万元", f"{k}元", "壹仟元", f"{k}余万元"])
    if slot == "D":
        return rng.choice([f"{rng.randint(1, 12)}月{rng.randint(1, 28)}日", f"20{rng.randint(10, 24)}年{rng.randint(1, 12)}月",
                           "春节前夕", f"{rng.randint(1, 12)}月份"])
    return str(rng.randint(2, 60))


def _sentence(rng: random.Random, names: Names, template: str, augment: bool = False) -> Example:
    """Fill one template, recording where each name lands."""
    out, ents, pos, i = [], [], 0, 0
    makers = {"ORG": names.org, "GROUP": names.group, "PERSON": names.person}
    while i < len(template):
        j = template.find("{", i)
        if j < 0:
            out.append(template[i:])
            break
        out.append(template[i:j])
        pos += j - i
        k = template.index("}", j)
        slot = template[j + 1:k]
        label = slot.rstrip("0123456789")
        if label in makers:
            # an everyday word glued to either side of the name now and then: the
            # templates alone would teach that a name starts after the words they
            # happen to put before it (为, 向 …) and nowhere else
            if augment and rng.random() < 0.25:
                w = rng.choice(_common_words())
                out.append(w)
                pos += len(w)
            text = makers[label]()
            ents.append((pos, pos + len(text), label))
            if augment and rng.random() < 0.25:
                text += rng.choice(_common_words())
        else:
            text = _filler(rng, slot)
        out.append(text)
        pos += len(text)
        i = k + 1
    return "".join(out), ents


def generated(n: int, seed: int = 0, part: str = "train") -> Iterator[Example]:
    """``n`` paragraphs of 1-4 sentences, about one sentence in six without names."""
    if part not in ("train", "test"):
        raise ValueError(f"part must be 'train' or 'test', not {part!r}")
    _, tpl = _data()
    rng = random.Random(f"ner-{seed}-{part}")
    names = Names(rng, part)
    frames, plain = tpl[part], tpl[f"{part}_plain"]
    for _ in range(n):
        text, ents = "", []
        for _ in range(rng.randint(1, 4)):
            r = rng.random()
            if r < 0.15:
                t, e = _sentence(rng, names, rng.choice(plain))
            elif r < 0.3:
                t, e = _filler_clause(rng) + rng.choice(",。;"), []
            else:
                t, e = _sentence(rng, names, rng.choice(frames), augment=part == "train")
                if rng.random() < 0.3:  # a clause of everyday words before the frame
                    lead = _filler_clause(rng) + ","
                    t, e = lead + t, [(s + len(lead), en + len(lead), lab) for s, en, lab in e]
            ents += [(s + len(text), en + len(text), lab) for s, en, lab in e]
            text += t
        yield text, ents


HANDWRITTEN = {"handwritten": "heldout.yaml", "handwritten_b": "heldout_b.yaml"}


def handwritten(path: Path | str | None = None) -> list[Example]:
    """The hand-annotated held-out sentences; an entity is given by quote (and
    ``@k`` for its k-th occurrence when a quote repeats). ``path`` may name a set
    of ``HANDWRITTEN``."""
    if path is None or isinstance(path, str):
        path = CORPUS_DIR / "ner" / HANDWRITTEN[path or "handwritten"]
    out = []
    for item in yaml.safe_load(path.read_text(encoding="utf-8"))["examples"]:
        text, ents = item["text"], []
        for label, quote in item.get("ents", []):
            nth = 1
            if "@" in quote:
                quote, nth_s = quote.rsplit("@", 1)
                nth = int(nth_s)
            start = -1
            for _ in range(nth):
                start = text.find(quote, start + 1)
            if start < 0:
                raise ValueError(f"{path}: {quote!r} not in {text!r}")
            ents.append((start, start + len(quote), label))
        out.append((text, sorted(ents)))
    return out


def docbin(examples: list[Example], nlp) -> tuple["DocBin", int]:  # noqa: F821
    """A DocBin of the examples and the number of entities off token boundaries."""
    from spacy.tokens import DocBin

    db, off = DocBin(), 0
    for text, ents in examples:
        doc = nlp.make_doc(text)
        spans, missing = [], []
        for s, e, label in ents:
            span = doc.char_span(s, e, label=label)
            if span is None:
                off += 1
                missing.append(doc.char_span(s, e, alignment_mode="expand"))
            else:
                spans.append(span)
        taken = list(spans)
        for m in missing:
            if m is not None and not any(m.start < x.end and x.start < m.end for x in taken):
                taken.append(m)
        doc.set_ents(spans, missing=taken[len(spans):], default="outside")
        db.add(doc)
    return db, off


__all__ = ["LABELS", "Names", "docbin", "generated", "handwritten"]
