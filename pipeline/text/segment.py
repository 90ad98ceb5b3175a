"""Segmentation: boilerplate, sub-reports, paragraphs and sentences.

Input: ``NormText``. Output: ``Segmentation`` with spans in NORMALISED offsets
(the caller maps them to the original with ``NormText.to_orig``):

* ``sections``: sub-reports, each with its heading line and body extent;
* ``boilerplate``: site chrome (navigation, intro blurbs, related lists,
  download prompts, injected site names); nothing is extracted from it;
* ``paragraphs`` and ``sentences``: for the reconciler's scopes.

A page's sub-reports share a title stem and are numbered (【第一篇】, 篇3,
(2), 总结1). When the numbering starts at 2, the first report's heading is the
last line before it that carries the stem (pages repeat their title in the
chrome). Text before the first heading is page chrome; in each sub-report the
first trailer line (相关文章, 点击下载…) starts chrome that runs to the next
heading, so a file of several concatenated pages loses none of them.
"""

from __future__ import annotations

from bisect import bisect_left

import functools
import re
from collections import Counter
from dataclasses import dataclass, field

import regex

from .. import rules
from ..extract.numerals import parse_number
from .spans import SpanSet, between, covering

# compiled once: module-level regex.* calls with a pattern string pay a cache lookup each time
_LINE = rules.pattern(r"[^\n]+")
_SENTENCE = rules.pattern(r"[^。!?！？;；]+[。!?！？;；]*")
_HAN = rules.pattern(r"\p{Han}")
_CLAUSE_MARK = rules.pattern(r"[,，。;；]")
# how far into a one-report page its title is looked for, and how long a title is
_MASTHEAD_LINES = 25
_TITLE_MIN_HAN = 5
# page metadata around an article's title: a dateline alone (with a name), 发表于,
# 关键词, a newspaper's name and page, an author mark, editor and click lines
_META = rules.pattern(
    r"^(?:.{0,20}发表于\s*\d{4}[-/.].*"
    r"|\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?\s*[\p{Han}A-Za-z·]{0,8}"
    r"|关键词\s*[:：].{0,40}"
    r"|《[^》]{2,16}》\s*[(（][^)）]{0,24}[)）]"
    r"|□\s*\p{Han}{2,4}"
    r"|(?:编辑|责编|责任编辑|时间|浏览次数|点击数|点击|字号|作者|来源|发布时间|发布日期|更新时间)\s*[:：].{0,60}"
    r"|\p{Han}{2,8}\s*(?:\d{4}年)?第?\d{1,3}期"
    r")$")
# lines that are page chrome wherever they stand (editor lines, share and print
# buttons, previous/next links): never a report's words
_CHROME_LINE = rules.pattern(
    r"^(?:[(（]?(?:责任编辑|责编|编辑|审核|校对|初审|复审|终审)\s*[:：][^。,，]{0,30}[)）]?"
    r"|分享至|分享到[:：]?.{0,20}|[-•·>\s]*(?:上一篇|下一篇|上一条|下一条)\s*[:：].{0,60}"
    r"|【?(?:打印本页|关闭窗口|打印|关闭|返回顶部)】?|(?:浏览次数|阅读次数|点击数)\s*[:：]?\s*\d*"
    r"|(?:作者|小编|关键词|来源|相关附件)\s*[:：].{0,30}|字体\s*[:：].{0,20}|页\s*[:：]\s*\[\d+\].*"
    r"|查看完整版本\s*[:：].*|[(（]原标题\s*[:：][^)）]{1,60}[)）]"
    r"|(?:https?:)?//\S+?\d{4}-\d{2}-\d{2}\s*\d{2}:\d{2}(?::\d{2})?\s*来源\s*[:：].{0,20})$")
_FIGURE_LINE = rules.pattern(r"^\s*[\d.]+\s*$|\d\s*(?:名|人|户|位|家|元|万元|亿元)")
# a site's tag glued before the first sentence of a page: [邯郸新闻]
_SITE_TAG = rules.pattern(r"\[[\p{Han}]{2,8}\]")


HEADINGS = "segment/headings"
BOILERPLATE = "segment/boilerplate"


@dataclass(frozen=True)
class Heading:
    index: int
    start: int
    end: int
    stem: str
    rule_id: str


@dataclass(frozen=True)
class SectionSpan:
    index: int
    start: int      # heading start
    end: int        # heading end
    body_end: int


@dataclass(frozen=True)
class BoilerSpan:
    start: int
    end: int
    reason: str


def _first(span: tuple[int, int]) -> int:
    return span[0]


@dataclass
class Segmentation:
    sections: list[SectionSpan] = field(default_factory=list)
    boilerplate: list[BoilerSpan] = field(default_factory=list)
    paragraphs: list[tuple[int, int]] = field(default_factory=list)
    sentences: list[tuple[int, int]] = field(default_factory=list)

    def in_boilerplate(self, start: int, end: int) -> bool:
        return self._boilerplate_set().overlaps(start, end)

    def all_boilerplate(self, start: int, end: int) -> bool:
        """Whether ``[start, end)`` is boilerplate from end to end."""
        return sum(b - a for a, b in self._boilerplate_set().clipped(start, end)) >= end - start

    def report_text(self, text: str, start: int, end: int) -> str:
        """``text[start:end]`` with boilerplate inside it blanked out, so that injected
        site names (学习啦在线学习网 …) and chrome do not vote for an activity label.
        Blanks rather than deletions keep the length, so positions stay comparable."""
        parts, pos = [], start
        for a, b in self._boilerplate_set().clipped(start, end):
            parts += [text[pos:a], " " * (b - a)]
            pos = b
        parts.append(text[pos:end])
        return "".join(parts)

    def slice(self, start: int, end: int) -> "Segmentation":
        """The segmentation of text ``[start, end)``, positions counted from
        ``start``, every decision the whole page's (what is chrome, where each
        sub-report starts): a part of a long text is not a page of its own, and
        segmenting it alone would take its first lines for a masthead. A
        sub-report that began before ``start`` is kept, with its index, as one
        whose heading is empty at 0 (see pipeline/parts.py)."""
        def inside(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
            # bisect by key: a list of every start, built per part, was a pass over
            # the whole page's sentences each time
            k = slice(bisect_left(spans, start, key=_first), bisect_left(spans, end, key=_first))
            return [(s - start, e - start) for s, e in spans[k]]

        secs = []
        for sp in self.sections:
            if sp.body_end <= start or sp.start >= end:  # body_end >= the heading's end
                continue
            if sp.start < start:  # began in an earlier part
                secs.append(SectionSpan(sp.index, 0, 0, min(sp.body_end, end) - start))
            else:
                secs.append(SectionSpan(sp.index, sp.start - start, sp.end - start, min(sp.body_end, end) - start))
        boiler = [BoilerSpan(max(b.start, start) - start, min(b.end, end) - start, b.reason)
                  for b in self.boilerplate if b.end > start and b.start < end]
        return Segmentation(secs, boiler, inside(self.paragraphs), inside(self.sentences))

    def section_of(self, pos: int) -> int | None:
        # sections are in page order and do not overlap, so one bisect finds the candidate
        secs = self.sections
        if getattr(self, "_sec_key", None) != len(secs):
            self._sec_idx = ([s.start for s in secs], [s.body_end for s in secs])
            self._sec_key = len(secs)
        k = covering(*self._sec_idx, pos)
        return secs[k].index if k is not None else None

    def _boilerplate_set(self) -> SpanSet:
        # asked once per candidate fact: merge the (possibly overlapping) spans once
        if getattr(self, "_bp_key", None) != len(self.boilerplate):
            merged: list[list[int]] = []
            for b in sorted(self.boilerplate, key=lambda b: b.start):
                if merged and b.start <= merged[-1][1]:
                    merged[-1][1] = max(merged[-1][1], b.end)
                else:
                    merged.append([b.start, b.end])
            self._bp = SpanSet()
            for a, b in merged:
                self._bp.add(a, b)
            self._bp_key = len(self.boilerplate)
        return self._bp


def lines_of(text: str) -> list[tuple[int, int]]:
    """(start, end) of every non-blank line, stripped of surrounding spaces."""
    out = []
    for m in _LINE.finditer(text):
        s, e = m.span()
        while s < e and text[s] in " \t\r\u3000":
            s += 1
        while e > s and text[e - 1] in " \t\r\u3000":
            e -= 1
        if e > s:
            out.append((s, e))
    return out


def _number(num: str) -> int | None:
    v = parse_number(num)
    return int(v) if v is not None and float(v).is_integer() else None


def find_headings(text: str, lines: list[tuple[int, int]]) -> list[Heading]:
    cands: list[Heading] = []
    for s, e in lines:
        line = text[s:e]
        if len(line) > 50:
            continue
        for spec, pat in rules.compiled(HEADINGS):
            m = pat.match(line)
            if m:
                n = _number(m.group("num"))
                if n is not None and n >= 1:
                    cands.append(Heading(n, s, e, m.group("stem").strip(), spec.id))
                break
    if not cands:
        return _repeated_headings(text, lines)
    # a page numbers its reports one way: keep each rule's family (a lone match
    # counts only if it is the only family), each an increasing run of numbers;
    # a restart at 1 is the next page of a concatenated file
    by_rule = Counter(h.rule_id for h in cands)
    keep = {r for r, n in by_rule.items() if n >= 2} or set(by_rule)
    out: list[Heading] = []
    last: dict[str, int] = {}
    for h in cands:
        if h.rule_id not in keep:
            continue
        prev = last.get(h.rule_id)
        if prev is None or h.index > prev or h.index == 1:
            out.append(h)
            last[h.rule_id] = h.index
    if len(out) == 1 and out[0].index > 3:
        return []
    return out


def _repeated_headings(text: str, lines: list[tuple[int, int]]) -> list[Heading]:
    """Reports with one title each written the same way, without numbers
    (电厂工会春节送温暖活动总结 twice): every line that is such a title and
    stands two or more times in the page heads a report, in page order."""
    ends = tuple(rules.load(HEADINGS).lexicons.get("repeated_heading_end", ()))
    titles = Counter(text[s:e] for s, e in lines
                     if 4 <= e - s <= 40 and text[s:e].endswith(ends) and not _CLAUSE_MARK.search(text, s, e))
    repeated = {t for t, n in titles.items() if n >= 2}
    if not repeated:
        return []
    found = [(s, e) for s, e in lines if text[s:e] in repeated]
    # a title the page repeats in its chrome (title, 更新时间…, title, text) heads
    # nothing: each kept one has running text before the next
    kept = []
    for k, (s, e) in enumerate(found):
        nxt = found[k + 1][0] if k + 1 < len(found) else len(text)
        if any(_is_body(text[a:b]) for a, b in lines if e <= a < nxt):
            kept.append((s, e))
    if len(kept) < 2:
        return []
    return [Heading(k + 1, s, e, text[s:e], "heading.repeated_title") for k, (s, e) in enumerate(kept)]


def _sidebars(text: str, lines: list[tuple[int, int]], after: int, before: int) -> list[tuple[int, int]]:
    marks = set(rules.load(HEADINGS).lexicons.get("sidebar", ()))
    return [(s, e) for s, e in lines if after < s < before and text[s:e] in marks]


@functools.lru_cache(maxsize=1)
def _boiler_rules():
    return rules.compiled(BOILERPLATE)


def _line_boiler(line: str) -> tuple[str, bool] | None:
    for spec, pat in _boiler_rules():
        if pat.search(line):
            return spec.id, bool(spec.options.get("trailer"))
    return None


@functools.lru_cache(maxsize=1)
def _site_names() -> tuple[tuple[str, ...], regex.Pattern, int]:
    rf = rules.load(BOILERPLATE)
    names = tuple(sorted(rf.lexicons.get("site_names", []), key=len, reverse=True))
    inj = rf.tables["injected"]
    return names, rules.pattern(inj["pattern"]), int(inj["min_repeats"])


def injected_names(text: str, lines: list[tuple[int, int]]) -> list[str]:
    known, pat, min_rep = _site_names()
    found = [n for n in known if n in text]
    openers = Counter()
    for s, e in lines:
        m = pat.match(text[s:e])
        if m:
            openers[m.group(1)] += 1
    found += [n for n, c in openers.items() if c >= min_rep and n not in found]
    # a found name that contains another found name wins (学习啦在线学习网 over 学习啦)
    found = sorted(set(found), key=len, reverse=True)
    return [n for n in found if not any(n != o and n in o for o in found)]


def _trailers(text: str, lines: list[tuple[int, int]], ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """(trailer start, chrome end) for each range that holds a trailer line."""
    out = []
    starts = [s for s, _ in lines]
    for lo, hi in ranges:
        for s, e in lines[between(starts, lo, hi)]:
            hit = _line_boiler(text[s:e])
            if hit and hit[1]:
                out.append((s, hi))
                break
    return out


def _han(line: str) -> int:
    return len(_HAN.findall(line))


def _is_body(line: str) -> bool:
    """A paragraph of running text, not a title: long, with clause punctuation."""
    return (_han(line) >= 20 and _CLAUSE_MARK.search(line) is not None) or line.endswith("。")


def _masthead(text: str, lines: list[tuple[int, int]], first_trailer: int
              ) -> tuple[int, int, list[tuple[int, int]]]:
    """Where a one-report page (a news article) starts, where its title line
    ends, and the byline lines between title and text.

    The report's text starts at its first paragraph of running text. Before it
    stand site chrome, the page's own title, metadata (dates, 来源, 发表于, 关键词,
    a newspaper's name and page) and sometimes a subtitle or photo caption. The
    title is the line with the most Han characters among the lines there that
    are neither chrome nor metadata, taken after the last metadata line when
    one follows a site title (发布时间 … then the article's own title); with
    none, the first paragraph is its own heading (SCHEMA.md: the body's first
    characters). Metadata after the title is boilerplate; a subtitle or a
    caption stays in the report."""
    window = [(s, e) for s, e in lines if s < first_trailer][:_MASTHEAD_LINES]
    body = next((k for k, (s, e) in enumerate(window) if _is_body(text[s:e])), None)
    if body is None:  # no running text (a table, a list): the first line that is not chrome
        for s, e in window:
            if not _line_boiler(text[s:e]):
                return s, min(e, s + 60), []
        return first_trailer, first_trailer, []
    head = window[:body]
    # no title stands after the text has begun: a bare number line or a line with a
    # figure and its unit (a page broken at every figure: 分别对\n60\n名…) is text,
    # so lines after it are not the title and nothing from it on is preamble
    first_fig = next((k for k, (s, e) in enumerate(head) if _FIGURE_LINE.search(text[s:e])), None)
    if first_fig is not None:
        head = head[:first_fig + 1]
    meta = [k for k, (s, e) in enumerate(head) if _is_meta(text[s:e])]
    cands = [k for k, (s, e) in enumerate(head)
             if k not in meta and not _line_boiler(text[s:e]) and _han(text[s:e]) >= _TITLE_MIN_HAN]
    if meta and any(k > meta[-1] for k in cands) and any(k < meta[-1] for k in cands):
        cands = [k for k in cands if k > meta[-1]]
    if not cands:
        # no title: the report starts at the first line that is neither chrome nor
        # metadata (often the text itself); a site tag glued to it ([邯郸新闻]) is chrome
        k = next(k for k, (s, e) in enumerate(window[:body + 1])
                 if k == body or (k not in meta and not _line_boiler(text[s:e])))
        bs, be = window[k]
        m = _SITE_TAG.match(text, bs, be)
        start = m.end() if m else bs
        return start, min(be, start + 60), [(bs, m.end())] if m else []
    k = max(cands, key=lambda k: (_han(text[window[k][0]:window[k][1]]), k))
    ts, te = window[k]
    bylines = [window[j] for j in meta if j > k]
    return ts, min(te, ts + 60), bylines


def _is_meta(line: str) -> bool:
    return _META.search(line) is not None or (_line_boiler(line) or ("",))[0] == "boilerplate.meta"


def segment(text: str) -> Segmentation:
    lines = lines_of(text)
    seg = Segmentation()
    heads = find_headings(text, lines)

    # Section 1 when the numbering starts at 2: last earlier line carrying the stem.
    if heads and heads[0].index == 2:
        stem = heads[0].stem
        prior = [(s, e) for s, e in lines if e <= heads[0].start and stem and stem in text[s:e] and e - s <= 50]
        if prior:
            s, e = prior[-1]
            heads.insert(0, Heading(1, s, e, stem, "heading.title_before_2"))

    # Trailers: in each sub-report (or the whole page when there is no heading)
    # the first trailer line closes it; what follows is chrome up to the next
    # heading or the end.
    if heads:
        ranges = [(h.end, nxt) for h, nxt in zip(heads, [h.start for h in heads[1:]] + [len(text)])]
    else:
        ranges = [(0, len(text))]
    trailers = _trailers(text, lines, ranges)
    first_trailer = trailers[0][0] if trailers else len(text)

    bylines: list[tuple[int, int]] = []
    if heads:
        body_start = heads[0].start
    else:
        body_start, title, bylines = _masthead(text, lines, first_trailer)
        if body_start < first_trailer:
            heads = [Heading(1, body_start, title, "", "heading.first_line")]
            heads += [Heading(k + 2, s, e, "", "heading.sidebar")
                      for k, (s, e) in enumerate(_sidebars(text, lines, title, first_trailer))]

    # trailers are in page order and do not overlap: one bisect per question
    t_starts, t_ends = [a for a, _ in trailers], [b for _, b in trailers]

    def in_trailer(pos: int) -> bool:
        return covering(t_starts, t_ends, pos) is not None

    for s, e in bylines:
        seg.boilerplate.append(BoilerSpan(s, e, "boilerplate.byline"))
    for s, e in lines:
        if e <= body_start:
            hit = _line_boiler(text[s:e])
            seg.boilerplate.append(BoilerSpan(s, e, hit[0] if hit else "boilerplate.preamble"))
        elif in_trailer(s):
            hit = _line_boiler(text[s:e])
            seg.boilerplate.append(BoilerSpan(s, e, hit[0] if hit else "boilerplate.trailer_list"))

    for k, h in enumerate(heads):
        body_end = heads[k + 1].start if k + 1 < len(heads) else len(text)
        i = bisect_left(t_starts, h.end)
        if i < len(t_starts) and t_starts[i] < body_end:
            body_end = t_starts[i]
        seg.sections.append(SectionSpan(k + 1, h.start, h.end, max(body_end, h.end)))

    # Injected site names inside the reports.
    names = injected_names(text, lines)
    if names:
        pat = re.compile("|".join(map(re.escape, names)))  # literal names: stdlib is faster
        for m in pat.finditer(text, body_start):
            if not in_trailer(m.start()):
                seg.boilerplate.append(BoilerSpan(m.start(), m.end(), "boilerplate.site_name"))
    seg.boilerplate.sort(key=lambda b: b.start)

    for s, e in lines:
        if s >= body_start and not in_trailer(s) and _CHROME_LINE.match(text[s:e]):
            bylines.append((s, e))
            seg.boilerplate.append(BoilerSpan(s, e, "boilerplate.chrome_line"))
    by_set = set(bylines)
    seg.paragraphs = [(s, e) for s, e in lines if body_start <= s and not in_trailer(s) and (s, e) not in by_set]
    for ps, pe in seg.paragraphs:
        for m in _SENTENCE.finditer(text[ps:pe]):
            seg.sentences.append((ps + m.start(), ps + m.end()))
    return seg
