"""The lexical entity pass: ORG, GROUP and PERSON from jieba's words and tags.

The character NER model (``ner.py``) reads every character with a 4-layer CNN
and a transition parser: ~15 k characters a second, most of a default run's
time. This pass reads the same normalised text at the speed of the tagger
(rjieba, jieba-rs: ~1.7 M characters a second) and a walk over its words:

* **ORG**: a word that ends in an organisation head (公司, 总工会, 卫生院 …,
  ``rules/entity/lexicon.yaml``) ends a name; the name runs back over the
  nominal words before it (places, levels, ordinals, trades: 市 | 第三 | 建筑工程
  | 公司) and on over the words that name a part of the same body (工会 | 女工委员会).
  A name made of generic words only (工会, 基层工会, 企业) is not a name.
* **GROUP**: a word that ends in a group head (职工, 农民工, 操作工 …) with the
  modifiers before it (退休 | 困难 | 职工); a bare head that names everyone
  (职工 in 维护职工权益) is not a group unless a count stands next to it.
* **PERSON**: a word jieba tags as a person's name (nr) that opens with a
  surname, or a surname and given name jieba split in two.

It has the ``Tagger``'s interface (``entities(text, skip)``), so the document
layer does not know which one runs. ``--ner-engine model`` keeps the character model
for those who want it (README gives both sets of scores).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from itertools import accumulate

from .. import rules
from ..extract.subjects import pos_tags
from .ner import Span, line_pieces

_CLAUSE = set(",，。;；!?！？:：、()（）“”\"'《》\n\t ")
_NUMBER_TAGS = ("m", "mq")
# classifiers of people: a bare 职工 right by 56名 is a counted group
_CLASSIFIERS = set("名人位户")
_DIRECTIONS = set("东西南北中")
# words a _WordMemo remembers before it starts over: a few hundred kilobytes,
# more than the distinct words of a long page
_MEMO_WORDS = 1 << 15


class _WordMemo(dict):
    """word → ``test(word)``, filled as words come. The pass asks the same
    questions of most words several times (does it end in one of ~50 heads?
    ``str.endswith`` with a tuple tries each in turn) and words repeat, so after
    the first time an answer is one dict lookup in C (``__missing__`` runs only
    for a new word). Bounded: it starts over past ``_MEMO_WORDS`` words."""

    def __init__(self, test: Callable[[str], bool]) -> None:
        super().__init__()
        self.test = test

    def __missing__(self, word: str) -> bool:
        if len(self) >= _MEMO_WORDS:
            self.clear()
        hit = self[word] = self.test(word)
        return hit


def _ends_in(heads: tuple[str, ...]) -> _WordMemo:
    return _WordMemo(lambda w: w.endswith(heads))


@functools.lru_cache(maxsize=1)
def _lex() -> dict[str, frozenset[str] | tuple[str, ...] | dict[str, bool]]:
    lx = rules.load("entity/lexicon").lexicons
    surnames = _ner_list("surnames") + lx["person_surnames_extra"]
    org_heads = tuple(sorted(lx["org_heads"], key=len, reverse=True))
    group_heads = tuple(sorted(lx["group_heads"], key=len, reverse=True))
    return {
        "org_heads": org_heads,
        "ends_org": _ends_in(org_heads),
        "ends_group": _ends_in(group_heads),
        "ends_owned": _ends_in(tuple(lx["group_owned"])),
        "ends_role": _ends_in(tuple(lx["person_roles"])),
        "org_tails": frozenset(lx["org_tails"]),
        "org_part_tags": frozenset(lx["org_part_tags"]),
        "bound_ends": frozenset(lx["bound_ends"]),
        "split_openers": tuple(lx["split_openers"]),
        # a word that opens with a union's name and goes on past it (工会组织)
        "splits_at_opener": _WordMemo(lambda w, o=tuple(lx["split_openers"]), h=org_heads:
                                      w.startswith(o) and not w.endswith(h) and w not in o),
        "group_breaks": frozenset(lx["group_breaks"]),
        "person_after": frozenset(lx["person_after"]),
        # 我厂, 我校 …: the own units the NER corpus writes its names with
        "org_openers": frozenset(lx["org_openers"]) | {"我" + u for u in _ner_list("own_units")},
        "org_breaks": frozenset(lx["org_breaks"]),
        "org_prepositions": frozenset(lx["org_prepositions"]),
        "org_generic": frozenset(lx["org_generic"]),
        "group_bare_not": frozenset(lx["group_bare_not"]),
        "group_mods": frozenset(lx["group_mods"]),
        "group_mod_tags": frozenset(lx["group_mod_tags"]),
        "surnames": frozenset(surnames),
        "person_not": frozenset(lx["person_not"]),
    }


def _ner_list(name: str) -> list[str]:
    """A list of the name parts the NER training corpus is built from (``rules/ner/lexicon.yaml``)."""
    return list(rules.load_raw("ner/lexicon").get(name, []))


class _Words:
    """A line's words with their offsets."""

    __slots__ = ("ends", "flags", "starts", "words")

    def __init__(self, text: str, base: int, lx: dict) -> None:
        self.words, self.flags = _retokenised(pos_tags(text), lx)
        self.ends: list[int] = list(accumulate(map(len, self.words), initial=base))
        self.starts: list[int] = self.ends[:-1]
        del self.ends[0]


def _retokenised(tagged: list[tuple[str, str]], lx: dict) -> tuple[list[str], list[str]]:
    """jieba's words and tags, with the two repairs names need: a bound ending it
    left on its own is joined to the word before (司法 | 所 → 司法所), and a word
    that opens with a union's name and goes on (工会组织, 工会主席) is cut after the name."""
    bound, openers, split = lx["bound_ends"], lx["split_openers"], lx["splits_at_opener"]
    words = [w for w, _ in tagged]
    # most lines need no repair: two scans in C (a set test, dict lookups by map)
    # instead of a Python step per word
    if bound.isdisjoint(words) and not any(map(split.__getitem__, words)):
        return words, [f for _, f in tagged]
    words = []
    flags: list[str] = []
    for w, f in tagged:
        if w in bound and words and flags[-1][:1] in "nvjb" and len(words[-1]) >= 2:
            words[-1] += w
            flags[-1] = "n"
        elif split[w]:
            head = next(o for o in openers if w.startswith(o))
            rest = w[len(head):]
            words += (head, rest)
            flags += ("n", "v" if rest in lx["group_breaks"] else "n")
        else:
            words.append(w)
            flags.append(f)
    return words, flags


def _branch_part(w: str, f: str, lx: dict) -> bool:
    return ((f in lx["org_part_tags"] or (f == "m" and w.startswith("第"))) and len(w) <= 3
            and w not in lx["org_breaks"] and w[0] not in lx["org_prepositions"]
            and not lx["ends_group"][w] and not lx["ends_org"][w])


def _orgs(ws: _Words, lx: dict) -> list[tuple[int, int]]:
    """Word index ranges [i, j) of organisation names."""
    out: list[tuple[int, int]] = []
    words, flags = ws.words, ws.flags
    ends_org = lx["ends_org"]
    n = len(words)
    i = 0
    while i < n:
        w = words[i]
        if not ends_org[w] or w in lx["org_breaks"]:
            i += 1
            continue
        j = i + 1
        # the parts of the same body after its head: 公司 | 工会 | 女工 | 委员会
        while j < n:
            if words[j] in lx["org_tails"] or ends_org[words[j]]:
                j += 1
            elif j + 1 < n and words[j] + words[j + 1] in lx["org_tails"]:
                j += 2
            else:
                # a branch of the body: one or two name words, then a head
                # (银行 | 高新 | 支行, 大学 | 第一 | 附属 | 医院)
                m = j
                while m < n and m - j < 2 and _branch_part(words[m], flags[m], lx):
                    m += 1
                if m > j and m < n and ends_org[words[m]] and words[m] not in lx["org_breaks"]:
                    j = m + 1
                else:
                    break
        k = i
        floor = out[-1][1] if out else 0  # a name never reaches into the one before it
        while k > floor:
            p, f = words[k - 1], flags[k - 1]
            if p in lx["org_breaks"] or any(ch in _CLAUSE for ch in p):
                break
            if (p in lx["org_openers"] or f in lx["org_part_tags"] or (f == "m" and p.startswith("第"))
                    or (f == "f" and len(p) == 2 and p[0] in _DIRECTIONS)):  # 北岸 | 热电厂
                if lx["ends_group"][p] and p not in lx["org_openers"]:
                    break  # 困难职工 | 工会 is not one body
                k -= 1
                continue
            break
        parts = words[k:j]
        if all(p in lx["org_generic"] for p in parts) and not (
                len(parts) >= 2 and parts[-1] == "工会" and parts[0] != "基层"):
            # generic words alone name no body (工会, 基层工会, 企业); 学校 | 工会 names
            # the school's union
            i = j
            continue
        out.append((k, j))
        i = j
    return out


def _strip_preposition(ws: _Words, k: int, after_name: bool, lx: dict) -> int | None:
    """Start offset of a name whose first word jieba glued to the preposition
    before it (由团 | 镇委, 受省 | 总工会), or right after another name to the
    conjunction (团县委 | 和县 | 妇联): that character is cut off."""
    w, f = ws.words[k], ws.flags[k]
    if len(w) > 1 and w[0] in lx["org_prepositions"] and (f not in ("ns", "nt", "nz") or after_name):
        return ws.starts[k] + 1
    return None


def _groups(ws: _Words, lx: dict, taken: set[int]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    words, flags = ws.words, ws.flags
    ends_group = lx["ends_group"]
    n = len(words)
    for i in range(n):
        w = words[i]
        if (i in taken or not ends_group[w] or len(w) > 8
                or flags[i] in _NUMBER_TAGS + ("q",) or w in lx["group_breaks"]):
            continue
        nxt, nf = (words[i + 1], flags[i + 1]) if i + 1 < n else ("", "x")
        if ends_group[nxt]:
            continue  # the next word is the head: 农民工 | 子女
        if len(nxt) == 1 and (w + nxt).endswith(lx["org_heads"]):
            continue  # jieba cut a union through its head: 单 | 建工 | 会
        k = i
        while k > 0 and (k - 1) not in taken:
            p, f = words[k - 1], flags[k - 1]
            if any(ch in _CLAUSE for ch in p) or p in lx["group_breaks"]:
                break
            if p in lx["group_mods"] or (f in lx["group_mod_tags"] and len(p) >= 2
                                        and not lx["ends_org"][p]):
                k -= 1
                continue
            if k >= 2 and (k - 2) not in taken and words[k - 2] + p in lx["group_mods"]:
                k -= 2  # a modifier jieba cut in two: 劳务 | 派遣 | 工
                continue
            break
        if k == i and len(w) == 1:
            continue  # 户, 员 alone are no group
        if (k == i and nf.startswith("n") and not nf.startswith("nr") and len(nxt) >= 2) or \
                lx["ends_owned"][nxt]:
            # a group word that names a thing's owner: 劳模 | 工作室, 新建 | 职工 | 书屋 (jieba
            # tags some verbs as nouns, 青年员工 | 参观, so a named group needs a known thing)
            continue
        if k == i and w in lx["group_bare_not"]:
            counted = (nf in _NUMBER_TAGS and (nxt[-1:] in _CLASSIFIERS or words[i + 2:i + 3] and
                                               words[i + 2][:1] in _CLASSIFIERS)) or (
                k > 0 and flags[k - 1] in _NUMBER_TAGS + ("q",) and words[k - 1][-1:] in _CLASSIFIERS)
            if not counted:
                continue
        out.append((k, i + 1))
    return out


def _persons(ws: _Words, lx: dict, taken: set[int]) -> list[tuple[int, int]]:
    """A name jieba tags nr (孔令华), or a surname and the one or two characters
    after it (卢 | 海燕, 冯 | 立新); a name of two characters only with a cue."""
    out: list[tuple[int, int]] = []
    words, flags = ws.words, ws.flags
    n = len(words)
    i = 0
    surnames = lx["surnames"]
    while i < n:
        w, f = words[i], flags[i]
        # most words are neither tagged a name nor a bare surname: out at once
        if not (f[:2] == "nr" or w in surnames) or i in taken or w in lx["person_not"]:
            i += 1
            continue
        sur = w[:2] if w[:2] in surnames else w[:1] if w[:1] in surnames else ""
        role = i > 0 and lx["ends_role"][words[i - 1]]
        if not sur or not (f[:2] == "nr" or (w == sur and role)):
            i += 1
            continue
        j = i + 1
        if w == sur and j < n and j not in taken and 1 <= len(words[j]) <= 2 and _han(words[j]):
            j += 1  # 卢 | 海燕
        name = "".join(words[i:j])
        cue = role or (j < n and (words[j] in lx["person_after"] or words[j] in ("、", "和", "与")
                                  and j + 1 < n and flags[j + 1].startswith("nr")))
        if len(name) > len(sur) and len(name) <= 4 and (len(name) >= 3 or cue):
            out.append((i, j))
            i = j
            continue
        i += 1
    return out


def _han(word: str) -> bool:
    return all("\u4e00" <= ch <= "\u9fff" for ch in word)


class LexicalTagger:
    """ORG / GROUP / PERSON spans of normalised text, line by line."""

    def entities(self, text: str, skip: Callable[[int, int], bool] | None = None) -> list[Span]:
        lx = _lex()
        out: list[Span] = []
        for a, b in line_pieces(text):
            if skip and skip(a, b):
                continue
            ws = _Words(text[a:b], a, lx)
            orgs = _orgs(ws, lx)
            taken = {x for k, j in orgs for x in range(k, j)}
            groups = _groups(ws, lx, taken)
            taken |= {x for k, j in groups for x in range(k, j)}
            persons = _persons(ws, lx, taken)
            for label, ranges in (("ORG", orgs), ("GROUP", groups), ("PERSON", persons)):
                prev_end = -1
                for k, j in ranges:
                    s, e = ws.starts[k], ws.ends[j - 1]
                    if label == "ORG":
                        s = _strip_preposition(ws, k, prev_end == k, lx) or s
                    prev_end = j
                    out.append(Span(s, e, label, text[s:e]))
        out.sort(key=lambda sp: sp.start)
        return out


@functools.lru_cache(maxsize=1)
def tagger() -> LexicalTagger:
    return LexicalTagger()


__all__ = ["LexicalTagger", "tagger"]
