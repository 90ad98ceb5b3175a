"""zongjie inside spaCy: ``nlp.add_pipe("zongjie_facts")``.

The rule extractors stay spaCy-free; this component runs them on ``doc.text``
and lays the results over the tokens:

* ``doc.spans["facts"]``: one span per amount, count and date, labelled with
  its kind; ``span._.fact`` holds the record's fields (value, low, high,
  approx, per, status, unit, subject, date fields …) and ``span._.value`` the
  resolved value. Facts are aligned to tokens with ``alignment_mode="expand"``;
  the exact character offsets stay in ``span._.fact["start"/"end"]``.
* ``doc.spans["entities"]``: the ORG / GROUP / PERSON spans (when the
  component's ``ner`` setting is on, the default; ``ner_engine`` is "lexical"
  or "model", as ``--ner-engine``); they are a span group,
  not ``doc.ents``, so that a user's own NER keeps ``doc.ents`` to itself.
* ``doc._.zongjie``: the whole validated ``Document`` (sections, placeholders,
  boilerplate, checks, entities) for anything a span group cannot hold.

``zh_pipeline()`` (from ``pipeline.models.tokenizer``) gives the project's own
blank ``zh`` pipeline: spaCy's Chinese tokenizer with the jieba segmenter and
the union-term dictionary in ``rules/spacy/userdict.txt``.
"""

from __future__ import annotations

from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span

from ..document import Options, process_text
# zh_pipeline has been importable from this module since it was written
from .tokenizer import zh_pipeline  # noqa: F401

if not Span.has_extension("fact"):
    Span.set_extension("fact", default=None)
if not Span.has_extension("value"):
    Span.set_extension("value", getter=lambda s: (s._.fact or {}).get("value"))
if not Doc.has_extension("zongjie"):
    Doc.set_extension("zongjie", default=None)


class ZongjieFacts:
    def __init__(self, nlp: Language, name: str, spans_key: str = "facts", ner: bool = True,
                 ner_engine: str = "lexical") -> None:
        self.name, self.spans_key = name, spans_key
        self.options = Options(ner=ner, ner_engine=ner_engine)

    def __call__(self, doc: Doc) -> Doc:
        record = process_text(doc.user_data.get("doc_id", "spacy"), doc.text, options=self.options)
        spans = []
        for f in record.facts:
            span = doc.char_span(f.start, f.end, label=f.type, alignment_mode="expand")
            if span is None:
                continue
            fields: dict[str, Any] = f.model_dump()
            span._.fact = fields
            spans.append(span)
        doc.spans[self.spans_key] = spans
        ents = [doc.char_span(e.start, e.end, label=e.label, alignment_mode="expand") for e in record.entities]
        doc.spans["entities"] = [e for e in ents if e is not None]
        doc._.zongjie = record
        return doc


@Language.factory("zongjie_facts", default_config={"spans_key": "facts", "ner": True, "ner_engine": "lexical"})
def make_facts(nlp: Language, name: str, spans_key: str, ner: bool, ner_engine: str) -> ZongjieFacts:
    return ZongjieFacts(nlp, name, spans_key, ner, ner_engine)

