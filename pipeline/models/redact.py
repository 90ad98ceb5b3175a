"""``--redact-persons``: person names out of every exported text field.

Datasets built from hardship-aid reports must not spread the names of the people
aided. After extraction, every PERSON entity's name (as written in the input and
in simplified form) is replaced, in every string of the record (quotes,
subjects, section headings and organisation lists, boilerplate, entity texts),
by a pseudonym that is the same for the same name across a whole run and across
runs with the same key: ``人名-7c1e9a``, a keyed hash (HMAC-SHA256) of the name.
Without a key the pseudonym is a plain hash of a name, and Chinese names are
few enough to be guessed back by trying them all; pass a secret key
(``--redact-key`` or ``ZONGJIE_REDACT_KEY``) when the dataset leaves the house.

Offsets are kept, so an auditor with the original text can still find the spot;
the record says ``redacted: true`` because quotes no longer equal the input at
``start:end``.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any, Iterable

import regex

from .. import rules
from ..records import Document, Entity

PREFIX = "人名-"


def pseudonym(name: str, key: str = "") -> str:
    digest = hmac.new(key.encode("utf-8"), name.encode("utf-8"), hashlib.sha256).hexdigest()
    return PREFIX + digest[:6]


def _walk(value: Any, sub) -> Any:
    # every string, ids included: a file named after a person puts the name in
    # doc_id and so in every fact_id and check_id
    if isinstance(value, str):
        return sub(value)
    if isinstance(value, list):
        return [_walk(v, sub) for v in value]
    if isinstance(value, dict):
        return {k: _walk(v, sub) for k, v in value.items()}
    return value


# a pinyin gloss after a character of a glossed traditional page: 陳(chén)
_GLOSS = r"(?:[(（][a-zA-Z\u00c0-\u024f\u0300-\u036f\s]{1,10}[)）])?"
_GLOSSES = rules.pattern(r"[(（][a-zA-Z\u00c0-\u024f\u0300-\u036f\s]{1,10}[)）]")


def _form_pattern(form: str) -> str:
    """A name as it may stand in any field: each character optionally followed
    by its pinyin gloss, so 陳(chén)國(guó)強(qiáng) goes whole, last gloss too."""
    return "".join(regex.escape(ch) + _GLOSS for ch in form)


def person_forms(entities: Iterable[Entity], key: str = "", into: dict[str, str] | None = None) -> dict[str, str]:
    """Every written form of the PERSON entities' names -> its pseudonym."""
    names: dict[str, str] = {} if into is None else into
    for e in entities:
        if e.label == "PERSON":
            # the simplified form names the person; the quote may be traditional or glossed
            p = pseudonym(e.text, key)
            for form in (e.text, _GLOSSES.sub("", e.quote)):
                if len(form) >= 2:
                    names.setdefault(form, p)
    return names


def redact_persons(doc: Document, key: str = "", names: dict[str, str] | None = None) -> Document:
    """``doc`` with every person name replaced by its pseudonym in every text field:
    the names of its own PERSON entities, or ``names`` (``person_forms``) when
    given: a part of a long text must hide the names found in every part."""
    if names is None:
        names = person_forms(doc.entities, key)
    if not names:
        return doc.model_copy(update={"redacted": True})
    # longest first, so that 欧阳建国 is replaced whole and not as 欧阳建 + 国
    forms = sorted(names, key=len, reverse=True)
    pattern = regex.compile("|".join(f"(?P<n{k}>{_form_pattern(f)})" for k, f in enumerate(forms)))

    def sub(s: str) -> str:
        return pattern.sub(lambda m: names[forms[int(m.lastgroup[1:])]], s)

    data = _walk(doc.model_dump(), sub)
    data["redacted"] = True
    return Document.model_validate(data, context={"redacted": True})


__all__ = ["PREFIX", "person_forms", "pseudonym", "redact_persons"]
