"""Who is counted: the noun phrase named around a count.

``881名困难职工感受到…`` -> 困难职工 (the phrase after the classifier);
``企业困难职工共667人进行了…`` -> 企业困难职工 (the phrase before the figure,
when nothing nominal follows). jieba's part-of-speech tags decide where the
phrase stops; this is the rule fallback that the NER layer may refine.
"""

from __future__ import annotations

import functools
from typing import Callable, NamedTuple

from .. import rules
from .base import clause_after, clause_before

_NOMINAL = ("n", "nr", "ns", "nt", "nz", "ng", "vn", "an", "b", "j", "l")
_GLUE = {"和", "及", "与", "、", "的"}
_LEAD_SKIP = ("的", "是", "为", "有")
_TRAIL_SKIP = ("共计", "合计", "总计", "共有", "共", "计", "达", "有", "为", "等", "约", "近", "超过", "分别", "其中", "中")
_ADJ_OK = {"困难", "特困", "贫困", "优秀", "先进", "退休", "离退休", "在岗", "下岗", "失业", "一线", "年轻", "青年"}
# verbs that, right before a figure, name the people counted (受助235人: 235 aided
# people; 在职参保4886人: 4886 insured employees); jieba tags them v
_PEOPLE_VERBS = {"受助", "受益", "受惠", "获助", "受资助", "参保", "就业", "再就业", "参赛", "参训", "获奖",
                 "受表彰", "入会", "参会", "在职", "退休", "在岗", "离岗"}
# head characters jieba leaves on their own (低保边缘|户, 调处|员) that end a noun phrase;
# a bound one (员, 者) takes the word before it whatever its tag (调处|员 is a person)
_HEAD_CHARS = {"户", "员", "者", "家"}
_BOUND_HEADS = {"员", "者"}
# head nouns jieba tags as verbs in this register (调处组织190家, 社会组织12家)
_HEAD_WORDS = {"组织"}
_COUNTED_ORG_HEADS = ("工会", "企业", "单位")
# 成立工会12家 counts unions (工会), not "founded unions"
_FOUNDING_VERBS = {"成立", "组建", "建立", "完成", "指导", "帮助", "推动", "覆盖", "发展", "新增"}
# closing quotes after a quoted name right before the figure (“最美职工”10名)
_CLOSE_QUOTES = "”」』\"'》"
# 参保人数为10135人 / 对象总人数达800人: the measure word is not the subject
_COUNT_NOUN = rules.pattern(r"总?人数(?:为|达|是|共|有)?$")
_HAN_WORD = rules.pattern(r"\p{Han}+")


class _Word(NamedTuple):
    word: str
    flag: str


@functools.lru_cache(maxsize=1)
def _tagger() -> Callable[[str], list[tuple[str, str]]]:
    # rjieba binds jieba-rs: jieba's own algorithm, dictionary and tag set, in Rust.
    # Python jieba spends ~2.2 s loading its dictionary and POS tables (and imports
    # pkg_resources) before the first document; rjieba loads in ~0.2 s. On the
    # seeds, ../shared/real and 300 synthetic pages the two give the same subject
    # for 5692 of 5698 counts, and tagging them took 1.06 s against 0.03 s
    # (benchmarks/subjects_agreement.py).
    import rjieba

    return rjieba.tag


def pos_tags(text: str) -> list[tuple[str, str]]:
    """jieba's words of ``text`` with their part-of-speech tags (also read by the
    lexical entity pass, ``pipeline/models/lexical.py``)."""
    return _tagger()(text)


def _cut(text: str) -> list[_Word]:
    return [_Word(w, f) for w, f in pos_tags(text)]


def warm_up() -> None:
    """Load the tagger's dictionary now (once per process, ~0.2 s): a time
    budget that interrupted the load would leave it broken for every later
    document of the process."""
    # a word outside the dictionary: jieba-rs loads its HMM on the first one (~50 ms)
    _cut("工会慰问了贺丽娟")


def _nominal(word: str, flag: str) -> bool:
    return flag.startswith(_NOMINAL) or word in _ADJ_OK or (flag == "a" and len(word) >= 2)


# reports repeat their phrases (慰问困难职工…) and POS tagging is the costly part
@functools.lru_cache(maxsize=8192)
def _phrase_after(text: str) -> str:
    words = _cut(text)
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


@functools.lru_cache(maxsize=8192)
def _phrase_before(text: str) -> str:
    text = _COUNT_NOUN.sub("", text)
    for t in _TRAIL_SKIP:
        if text.endswith(t):
            text = text[: -len(t)]
            break
    text = text.rstrip(_CLOSE_QUOTES)
    if text.endswith("的"):
        return _relative_before(text[:-1])
    # an organisation counted by its kind (单建工会216家): jieba cuts the name
    # through its head (单|建工|会), so the head is kept whole and the words before
    # it are tagged on their own
    head = next((h for h in _COUNTED_ORG_HEADS if text.endswith(h) and len(text) > len(h)), None)
    words = _cut(text[: -len(head)]) + [_Word(head, "n")] if head else _cut(text)
    out: list[str] = []
    for k, w in enumerate(reversed(words)):
        if (_nominal(w.word, w.flag) or (out and w.word in _GLUE)
                or (w.word in _PEOPLE_VERBS and (not out or out[0] in _PEOPLE_VERBS))
                or (k == 0 and (w.word in _HEAD_CHARS or w.word in _HEAD_WORDS))
                or (k == 1 and out[0] in _BOUND_HEADS and _HAN_WORD.fullmatch(w.word))
                or (w.word == "再" and out and out[0] == "就业")):
            out.insert(0, w.word)
            continue
        if (head and k == 1 and len(w.word) == 2 and _HAN_WORD.fullmatch(w.word) and w.word not in _TRAIL_SKIP
                and w.word not in _FOUNDING_VERBS):
            out.insert(0, w.word)  # the kind of union, whatever jieba tags it: 联建 | 工会
            continue
        break
    while out and out[0] in _GLUE:
        out.pop(0)
    return "".join(out)


def _relative_before(text: str) -> str:
    """The clause a 的 closes right before a figure names who is counted
    (大专以上的368人, 落实减免学杂费的有177人): its last words, back to a preposition,
    a punctuation mark or three words."""
    out: list[str] = []
    for w in reversed(_cut(text)):
        if len(out) == 3 or w.flag.startswith(("p", "x", "u", "c", "d", "r", "m")):
            break
        out.insert(0, w.word)
    return "".join(out)


# a count followed by a relative clause that ends in who is counted:
# 一名患乳腺癌的单亲特困女职工, 三名患尿毒症的困难职工
_RELATIVE_AFTER = rules.pattern(r"[\p{Han}]{1,8}的[\p{Han}]{0,8}(?:职工|学生|工人|家庭|子女|劳模|人员|农民工|者|户)")


_MARKED_AFTER = rules.pattern(r"[\p{Han}]{1,10}(?:职工|学生|工人|家庭|子女|劳模|人员|农民工|户)")

# 授予4人“…模范企业家”称号: people counted by the title they are given
_TITLE_AFTER = rules.pattern(r"[“\"]([^”\"\n]{2,40})[”\"](?:荣誉)?称号")


def subject_of(text: str, start: int, end: int) -> str | None:
    # web pages set figures off with spaces (困难职工 120 名, 企业 60 余家): the space
    # between the figure and its phrase is no word of the phrase
    clause = clause_after(text, end, 16).lstrip()
    after = _phrase_after(clause)
    if len(after) >= 2:
        return after
    m = _RELATIVE_AFTER.match(clause)
    if m:
        return m.group()
    m = _TITLE_AFTER.match(clause_after(text, end, 48).lstrip())  # a title runs long
    if m:
        return m.group(1)
    if text[max(0, start - 1):start] in ("对", "向", "为", "给"):
        # 对三名患尿毒症困难职工: after 对 the phrase up to the clause's end names them
        m = _MARKED_AFTER.match(clause)
        if m:
            return m.group()
    before = _phrase_before(clause_before(text, start, 24).rstrip())
    if len(before) >= 2:
        return before
    return None


# what may stand between a count and the group it counts (500名困难职工, 困难职工共计500名).
# Not simply _TRAIL_SKIP: with 等 a list such as 困难党员、劳动模范等247户 would give the
# model's last group (劳动模范) instead of the rule's whole list (measured on the seeds).
_GAP_AFTER = {"", "的"}
_GAP_BEFORE = ("", "共", "共计", "合计", "总计", "计", "达", "约", "近", "有", "共有", "分别", "中", "其中")


def subject_from_groups(text: str, start: int, end: int, group_starts: list[int],
                        groups: list[tuple[int, int]]) -> str | None:
    """The group entity (NER, label GROUP) a count at ``[start, end)`` counts: one
    right after the classifier, else one right before the figure, with at most a
    linking word between. ``groups`` are sorted, non-overlapping spans in ``text``
    and ``group_starts`` their starts."""
    from bisect import bisect_left

    i = bisect_left(group_starts, end)
    if i < len(groups) and text[end:groups[i][0]].strip(" \t\u3000") in _GAP_AFTER:
        return text[groups[i][0]:groups[i][1]]
    j = bisect_left(group_starts, start) - 1
    if j >= 0 and groups[j][1] <= start and text[groups[j][1]:start].strip(" \t\u3000") in _GAP_BEFORE:
        return text[groups[j][0]:groups[j][1]]
    return None
