"""The project's tokenizer set-up: jieba with the union-term dictionary.

Both the spaCy glue (``zh_pipeline``, the ``zongjie_facts`` component's
pipelines) and the NER loader need it; it lives here, below both, so that
neither has to import the other.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from ..rules import RULES_DIR

if TYPE_CHECKING:
    from spacy.language import Language

USER_DICT = RULES_DIR / "spacy" / "userdict.txt"


@functools.lru_cache(maxsize=1)
def load_user_dict() -> None:
    """Teach jieba the union terms once per process (jieba's dictionary is global)."""
    import jieba

    jieba.load_userdict(str(USER_DICT))


def zh_pipeline() -> "Language":
    """A blank ``zh`` pipeline with the jieba segmenter and the project's user dictionary."""
    import spacy

    load_user_dict()
    return spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})


__all__ = ["USER_DICT", "load_user_dict", "zh_pipeline"]
