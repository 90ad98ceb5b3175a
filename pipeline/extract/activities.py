"""Activity labels of a sub-report from a lexicon (rules/activity/lexicon.yaml).

Input: a section's normalised text. Output: labels ordered by weight, the first
being the primary one. A label needs its cues to occur at least ``min_hits``
times to count as reported "substantively" (SCHEMA.md)."""

from __future__ import annotations

import functools
import re
from bisect import bisect_right
from collections import Counter

from .. import rules


@functools.lru_cache(maxsize=1)
def _lexicon() -> tuple[re.Pattern, dict[str, str], dict[str, float], dict]:
    rf = rules.load("activity/lexicon")
    owner = {cue: lab for lab, cues in rf.lexicons.items() for cue in cues}
    # One alternation, the longest cue at each position: a span of text votes once,
    # for its longest cue, so 安全培训 is safety work and not also a vote for training
    # (培训). The stdlib engine, not ``regex``: on a plain alternation of a hundred
    # literal cues it runs ~4x faster (measured on the seed pages), same matches.
    pattern = re.compile(rules.literal_alternation(owner))
    weights = {cue: float(w) for cue, w in rf.tables.get("weights", {}).items()}
    return pattern, owner, weights, rf.tables.get("settings", {})


@functools.lru_cache(maxsize=1)
def _money() -> re.Pattern:
    return re.compile(rules.load("activity/lexicon").tables["settings"]["money"])


_CLAUSE_BREAKS = "。!?！？\n,，;；"
# through the last break of a stretch (greedy: it backs up to the last one)
_LAST_BREAK = re.compile(f".*[{re.escape(_CLAUSE_BREAKS)}]", re.DOTALL)


def _paid_stretches(text: str, reach: int) -> list[tuple[int, int]]:
    """For each amount of money in ``text``, the few characters of its clause
    right before it: a cue there names what the money was spent on or given for
    (文体活动19.84万元, 发放助学金3000元, 技能竞赛活动支出2.2万元); a cue further back
    describes the recipients (学习成绩优异的…发放助学金500元), one after it what
    was bought (…元的普法宣传材料)."""
    out: list[tuple[int, int]] = []
    for m in _money().finditer(text):
        # a break further back than ``reach`` cannot move ``s``: each search stops
        # there (unbounded, each money figure read the page back to its start)
        lo = max(0, m.start() - reach)
        brk = _LAST_BREAK.match(text, lo, m.start())
        s = max(m.start() - reach, brk.end() if brk else 0)
        if out and s < out[-1][1]:
            s = out[-1][1]
        if s < m.start():
            out.append((s, m.start()))
    return out


def _in(spans: list[tuple[int, int]], pos: int) -> bool:
    i = bisect_right(spans, (pos, float("inf"))) - 1
    return i >= 0 and spans[i][0] <= pos < spans[i][1]


def labels() -> list[str]:
    """The label set the lexicon knows (SCHEMA.md's, "other" aside)."""
    return sorted(set(_lexicon()[1].values()))


def label(text: str, own_title: bool = False) -> list[str]:
    """Labels of one sub-report, best first. ``own_title``: its first line is a
    title of its own (a one-report page); the numbered sub-reports of a 范文
    page share one stem (工会春节送温暖活动总结(2)), which says little of each."""
    pattern, owner, weights, settings = _lexicon()
    min_hits = int(settings.get("min_hits", 2))
    head_len = int(settings.get("head_chars", 200))
    head_weight = float(settings.get("head_weight", 3))
    title_weight = float(settings.get("title_weight", 0)) if own_title else 0.0
    title_end = text.find("\n")
    title_end = len(text) if title_end < 0 else title_end
    hits: Counter[str] = Counter()
    scores: Counter[str] = Counter()
    head_labels = set()
    paid = _paid_stretches(text, int(settings.get("money_reach", 8)))
    money_words = settings.get("money_words", ())
    paid_labels: set[str] = set()
    for m in pattern.finditer(text):
        cue = m.group()
        lab = owner[cue]
        hits[lab] += 1
        if paid and cue not in money_words and _in(paid, m.end() - 1):
            # money spent on it or given for it (文体活动19.84万元): reported substantively
            # though named once, as a finance report names its spending lines; a cue that
            # is itself a word for money (从工会经费中拿出1800元) names the source, not the use
            head_labels.add(lab)
            paid_labels.add(lab)
        w = weights.get(cue, 1.0)
        if m.start() < head_len:
            head_labels.add(lab)
            w *= 1 + head_weight
        if m.end() <= title_end:
            w *= 1 + title_weight
        scores[lab] += w
    labels = sorted((lab for lab in hits if hits[lab] >= min_hits or lab in head_labels),
                    key=lambda k: -scores[k])
    if own_title and labels:
        # a news report is about one act or campaign: another label counts only
        # where it carries a good part of the main one's weight (帮扶 in a report on
        # 金秋助学 is the means, not a second activity)
        share = float(settings.get("single_report_share", 0))
        # … unless money went to it (a finance report's spending lines, 助学金 paid out
        # in a report on 送温暖): that is an activity of its own, whatever its weight
        labels = [labels[0]] + [lab for lab in labels[1:]
                                if scores[lab] >= share * scores[labels[0]] or lab in paid_labels]
    if labels and scores[labels[0]] < float(settings.get("other_below", 0)):
        labels.insert(0, "other")
    return labels
