"""Who is counted: the noun phrase named around a count.

``881名困难职工感受到…`` -> 困难职工 (the phrase after the classifier);
``企业困难职工共667人进行了…`` -> 企业困难职工 (the phrase before the figure,
when nothing nominal follows). jieba's part-of-speech tags decide where the
phrase stops; this is the rule fallback that the NER layer may refine.
"""

from __future__ import annotations

import functools

from .base import clause_after, clause_before

_NOMINAL = ("n", "nr", "ns", "nt", "nz", "ng", "vn", "an", "b", "j", "l")
_GLUE = {"和", "及", "与", "、", "的"}
_LEAD_SKIP = ("的", "是", "为", "有")
_TRAIL_SKIP = ("共计", "合计", "总计", "共有", "共", "计", "达", "有", "为", "等", "约", "近", "超过", "分别", "其中", "中")
_ADJ_OK = {"困难", "特困", "贫困", "优秀", "先进", "退休", "离退休", "在岗", "下岗", "失业", "一线", "年轻", "青年"}


@functools.lru_cache(maxsize=1)
def _posseg():
    import logging

    import jieba
    import jieba.posseg

    jieba.setLogLevel(logging.WARNING)
    return jieba.posseg


def _nominal(word: str, flag: str) -> bool:
    return flag.startswith(_NOMINAL) or word in _ADJ_OK or (flag == "a" and len(word) >= 2)


# reports repeat their phrases (慰问困难职工…) and POS tagging is the costly part
@functools.lru_cache(maxsize=65536)
def _phrase_after(text: str) -> str:
    words = list(_posseg().cut(text))
    out: list[str] = []
    for w in words:
        if not out and w.word in _LEAD_SKIP:
            continue
        if _nominal(w.word, w.flag) or (out and w.word in _GLUE and w.word != "的"):
            out.append(w.word)
            continue
        break
    while out and out[-1] in _GLUE:
        out.pop()
    return "".join(out)


@functools.lru_cache(maxsize=65536)
def _phrase_before(text: str) -> str:
    for t in _TRAIL_SKIP:
        if text.endswith(t):
            text = text[: -len(t)]
            break
    words = list(_posseg().cut(text))
    out: list[str] = []
    for w in reversed(words):
        if _nominal(w.word, w.flag) or (out and w.word in _GLUE):
            out.insert(0, w.word)
            continue
        break
    while out and out[0] in _GLUE:
        out.pop(0)
    return "".join(out)


def subject_of(text: str, start: int, end: int) -> str | None:
    after = _phrase_after(clause_after(text, end, 16))
    if len(after) >= 2:
        return after
    before = _phrase_before(clause_before(text, start, 24))
    if len(before) >= 2:
        return before
    return None
