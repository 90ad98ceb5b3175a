"""Aid events: who gave how much to whom, when, for what.

An event is one act of giving stated with figures (SCHEMA.md, ``type =
"event"``): a verb of giving or of raising money (``rules/event/lexicon.yaml``)
and the counts and amounts its clauses state. It links facts already found,
never a new figure:

* a sentence is cut into clauses at , and ; ; a clause with a verb opens an act,
  the figures of the clauses that follow it (其中 parts, 每人 rates) belong to
  it, and a clause that opens with 对/向/为 names the recipients of the act it
  precedes;
* an act with only recipients and the next act with only money, in the same
  stretch between two semicolons, are one act (走访慰问劳模7人,送去慰问金14680元);
* acts with per-person rates and the same verb run on (7名…每人发放3000元;
  其余45名…每人发放2000元), and so does a summary (共发放…) after them; a summary
  after acts with their own totals is its own event;
* a target (预计, 计划) or a total over several years (近10年来, 连续) is not an act;
* the giver is an organisation named before the act in its sentence (the NER's
  ORG when the model ran, else an organisation word), else in the sentence
  before; the date is a date fact inside the act's sentence; the activity is
  the act's own cue words if it has any, else its section's primary label.

``document_date`` finds the date a page states for itself (发布时间, 时间:, a
dateline, a signature date at the end), against which 今年 / 去年 resolve.
"""

from __future__ import annotations

import functools
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from typing import Any, Callable

import regex

from . import rules
from .records import Amount, Count, Date, Document, DocumentDate, Event, FactRef, SpanRef
from .text.normalize import NormText, normalize

FILE = "event/lexicon"
_SENTENCE = rules.pattern(r"[^。！？!?\n]+[。！？!?]*")
_CLAUSE = rules.pattern(r"[^,，;；]+[,，;；]?")
_CLAUSE_MARK = rules.pattern(r"[,，。;；]")
# a line break beside a line that holds only a figure or one character; the break
# first and a figure's length bounded, so the look-behind runs at breaks only and
# never reads back over a long run of digits
_FIGURE_LINE_BREAK = rules.pattern(r"\n(?:(?=[ \t]*(?:[\d.,]{1,24}|\p{Han}[、,，]?)[ \t]*\n)"
                                   r"|(?<=(?:^|\n)[ \t]*(?:[\d.,]{1,24}|\p{Han}[、,，]?)[ \t]*\n))")
_LISTED = rules.pattern(r"\s*(?:[、,，和及与]|以及)\s*")


@functools.lru_cache(maxsize=1)
def _lex() -> dict[str, tuple[str, ...]]:
    lx = rules.load(FILE).lexicons
    return {k: tuple(sorted(v, key=len, reverse=True)) for k, v in lx.items()}


@functools.lru_cache(maxsize=1)
def _patterns() -> tuple[regex.Pattern, regex.Pattern]:
    lx = _lex()
    verbs = rules.pattern("|".join(map(regex.escape, lx["action"])))
    suffix = rules.pattern("|".join(map(regex.escape, lx["giver_suffix"])))
    return verbs, suffix


@functools.lru_cache(maxsize=1)
def _word_tests() -> tuple[Callable[[str], Any], Callable[[str], Any], Callable[[str], Any]]:
    """The lexicon's word tests, built once: a sentence totalled over several
    years (multi_year), a clause of a target or plan (target), a clause of a
    standard or a comparison (not_act)."""
    lx = _lex()
    return rules.holds_any(lx["multi_year"]), rules.holds_any(lx["target"]), rules.holds_any(lx["not_act"])


# after 工会组织, these make 组织 a verb (组织职工…) rather than part of the name
_ORGANISES = ("职工", "员工", "干部", "会员", "人员", "志愿者", "党员", "开展", "参加", "动员", "发动")
_GIVER_WINDOW = 400
# an act's words repeated this long or longer are the page printing its text again
_MIN_REPEAT = 12
_MAX_DATES = 16
_NAME_CHAR = rules.pattern(r"[\p{Han}、]")
_MAX_NAME = 14


@functools.lru_cache(maxsize=1)
def _multi_year() -> regex.Pattern:
    return next(p for spec, p in rules.compiled(FILE) if spec.id == "event.multi_year")


@dataclass
class _Act:
    start: int
    end: int
    verb: str
    verb_at: int
    counts: list[Count] = field(default_factory=list)
    amounts: list[Amount] = field(default_factory=list)
    semi: int = 0          # index of the ;-stretch of the sentence it stands in
    summary: bool = False
    sentence: tuple[int, int] = (0, 0)   # the sentence it opened in
    prev: tuple[int, int] | None = None  # the sentence before that one

    @property
    def rated(self) -> bool:
        return any(a.per for a in self.amounts)


def _figures_in(figs: list, starts: list[int], a: int, b: int) -> list:
    return figs[bisect_left(starts, a):bisect_left(starts, b)]


class _Fig:
    """A fact seen in the normalised text (simplified, glosses gone: 幫(bāng)扶
    reads 帮扶), with the record it stands for."""

    # the kind kept as a slot: read for every figure of every clause, where
    # __getattr__ would be a Python call each time
    __slots__ = ("start", "end", "fact", "type")

    def __init__(self, start: int, end: int, fact) -> None:
        self.start, self.end, self.fact, self.type = start, end, fact, fact.type

    def __getattr__(self, name: str):
        return getattr(self.fact, name)


class _Norm:
    """Original <-> normalised offsets of one document."""

    def __init__(self, nt: NormText) -> None:
        self.nt = nt

    def span(self, start: int, end: int) -> tuple[int, int]:
        s = bisect_left(self.nt.starts, start)
        e = bisect_left(self.nt.ends, end) + 1
        return s, max(s, min(e, len(self.nt.text)))

    def orig(self, start: int, end: int) -> tuple[int, int]:
        return self.nt.to_orig(start, end)[:2]


def extract(doc: Document, raw: str, nt: NormText | None = None) -> list[Event]:
    """The events of a document. They are read in the normalised text (the verbs
    and organisation words are simplified: a traditional page writes 發放 and
    幫(bāng)扶), and every span is given back in original offsets."""
    if doc.status != "ok":
        return []
    lx = _lex()
    verbs, _ = _patterns()
    if nt is None:
        nt = normalize(raw)
    norm = _Norm(nt)
    text = nt.text

    def view(f) -> _Fig:
        return _Fig(*norm.span(f.start, f.end), f)

    figs = sorted((view(f) for f in doc.facts if f.type in ("count", "amount") and f.status == "ok"),
                  key=lambda f: f.start)
    if not figs:
        return []
    starts = [f.start for f in figs]
    dates = sorted((view(f) for f in doc.facts if f.type == "date"), key=lambda f: f.start)
    date_starts = [d.start for d in dates]
    # a headline restates the report (安庆金秋助学活动资助1550人): its figures are not an act
    boiler = sorted([norm.span(b.start, b.end) for b in doc.boilerplate]
                    + [norm.span(x.start, x.end) for x in doc.sections if not _CLAUSE_MARK.search(x.quote)])
    orgs = sorted(norm.span(x.start, x.end) for x in doc.entities if x.label == "ORG")
    # from here on the acts are read in the normalised text; spans go back through ``norm``
    sections = {s.index: s for s in doc.sections}
    events: list[Event] = []
    held_acts: list[_Act] = []  # the act behind each event, by position
    slot: dict[int, int] = {}   # id of a held act -> its event's position
    prev_sentence: tuple[int, int] | None = None
    last_act: _Act | None = None
    plain: set[int] = set()  # starts of the sentences without figures
    # a sentence laid out a figure to a line (于\n8\n月\n16\n日…分别对\n303\n名) is one
    # sentence: a break beside a line that holds only a figure or one character is a
    # space (same length, so offsets hold). Not every break after a digit: a
    # heading (…工作总结1\n) ends its line
    for m in _SENTENCE.finditer(_FIGURE_LINE_BREAK.sub(" ", text)):
        s, e = m.span()
        if not _figures_in(figs, starts, s, e):
            prev_sentence, last_act = (s, e), None
            plain.add(s)
            continue
        sentence = text[s:e]
        if _word_tests()[0](sentence) or _multi_year().search(sentence):
            prev_sentence, last_act = (s, e), None
            continue
        acts = _acts(text, s, e, figs, starts, boiler, last_act, verbs, lx, prev_sentence)
        for act in acts:
            if act.verb in lx["donation"]:
                # 4588名职工捐款: who is counted before a donation verb gave, and received nothing
                act.counts = [c for c in act.counts if c.start > act.verb_at]
            if not (act.counts or act.amounts):
                continue
            ev = _event(orgs, text, act, act.sentence[0], e, act.prev, dates, date_starts, sections, norm, raw,
                        act.prev is not None and act.prev[0] in plain)
            k = slot.get(id(act))
            if k is not None:  # an act carried over from the sentence before grew here
                events[k] = ev
            else:
                held_acts.append(act)  # held, so that its id is never reused
                slot[id(act)] = len(events)
                events.append(ev)
        last_act = acts[-1] if acts else None
        prev_sentence = (s, e)
    return _renumber(doc.doc_id, _once(events))


def _once(events: list[Event]) -> list[Event]:
    """A page that prints its text twice states each act twice: the second
    statement (the same words, the same figures) is the same act, not another,
    or a dataset would count its money twice."""
    seen: set[tuple[int | None, str]] = set()
    out = []
    for ev in events:
        key = (ev.section, ev.quote)  # two sub-reports that say the same are two acts
        if key in seen and len(ev.quote) >= _MIN_REPEAT:
            continue
        seen.add(key)
        out.append(ev)
    return out


def _acts(raw: str, s: int, e: int, figs: list, starts: list[int], boiler, last_act: _Act | None,
          verbs: regex.Pattern, lx, prev: tuple[int, int] | None) -> list[_Act]:
    """The acts of one sentence, in order (the act carried from the sentence
    before first, when this sentence goes on with it)."""
    sentence = raw[s:e].lstrip()
    in_breakdown = sentence.startswith("其中")
    # a sentence that opens with 其中 goes on with the act before it; so may one
    # whose first act repeats a rated act's verb (…每人发放3000元。另向14名…每人发放500元)
    current = last_act
    carried = last_act is not None
    acts: list[_Act] = [last_act] if last_act is not None else []
    pending_counts: list = []
    pending_amounts: list = []
    semi = 0
    _, targets, not_act = _word_tests()
    for cm in _CLAUSE.finditer(raw, s, e):
        cs, ce = cm.span()
        clause = raw[cs:ce]
        body = clause.strip(" \t\n,，;；")
        ends_semi = clause.endswith((";", "；"))
        if targets(clause):
            semi += ends_semi
            continue
        if body.startswith("其中"):
            in_breakdown = True
        inside = [f for f in _figures_in(figs, starts, cs, ce) if not _in_spans(boiler, f.start)]
        counts = [f for f in inside if f.type == "count"]
        amounts = [f for f in inside if f.type == "amount"]
        vm = _verb(raw, cs, ce, verbs, lx)
        if not_act(clause):
            counts, amounts, inside = [], [], []  # a standard raised, a comparison: not what was given
        if vm is not None:
            summary = body.startswith(lx["summary"])
            rated = any(a.per for a in amounts)
            same_stretch = current is not None and current.semi == semi and not carried
            go_on = current is not None and not pending_counts and (
                in_breakdown
                or (current.rated and rated and vm.group() == current.verb)
                # its summary, with the same verb (每人发放… 共发放助学金11.8万元)
                or (summary and current.rated and vm.group() == current.verb)
                or (same_stretch and not summary and amounts and not counts)
                # a summary that gives the money of an act that has only its recipients
                # (针对775名特困职工开展生活救助,共发放补助款40.7万元)
                or (same_stretch and summary and amounts and not counts and current.counts
                    and not current.amounts)
                # money raised or put in, then the people it reached (投入1500万元,走访慰问3万余户)
                or (same_stretch and counts and current.amounts and not current.counts
                    and not current.rated and (rated or not amounts)))
            if carried and not in_breakdown and not go_on:
                current, carried = None, False
            if go_on:
                if amounts and not current.amounts:
                    current.verb, current.verb_at = vm.group(), vm.start()
                current.counts += pending_counts + counts
                current.amounts += pending_amounts + amounts
                current.end = ce
                carried = False
            else:
                current = _Act(cs, ce, vm.group(), vm.start(), pending_counts + counts,
                               pending_amounts + amounts, semi, summary, (s, e), prev)
                acts.append(current)
            pending_counts, pending_amounts = [], []
        elif inside:
            # 分别对303名…、259名…: the recipients of the act that follows, each in turn
            if body.removeprefix("分别").startswith(lx["recipient_marker"]) and not in_breakdown:
                pending_counts += counts
                pending_amounts += amounts
            elif current is not None and ((not carried and current.semi == semi) or in_breakdown):
                current.counts += counts
                current.amounts += amounts
                current.end = ce
            else:
                # money before the sentence's first verb is the act's (400万温暖资金…发放给);
                # a count there without 对/向 is a standing figure (在册困难职工101户)
                pending_amounts += amounts
        semi += ends_semi
    if acts and acts[0] is last_act and not (last_act.end > s):
        acts = acts[1:]  # the act before was not carried on here
    return acts


def _verb(raw: str, a: int, b: int, verbs: regex.Pattern, lx) -> regex.Match | None:
    """The first verb of giving in raw[a:b] that is a verb: 慰问金, 帮扶中心,
    发放仪式 are nouns."""
    nouns, aid, aid_nouns = lx["verb_as_noun"], lx["aid_verb"], lx["aid_noun"]
    for m in verbs.finditer(raw, a, b):
        if raw.startswith(nouns, m.end()) or (m.group() in aid and raw.startswith(aid_nouns, m.end())):
            continue
        return m
    return None


def _in_spans(spans: list[tuple[int, int]], pos: int) -> bool:
    k = bisect_right(spans, (pos, float("inf"))) - 1
    return k >= 0 and spans[k][0] <= pos < spans[k][1]


@functools.lru_cache(maxsize=1)
def _giver_stops() -> frozenset[str]:
    return frozenset("".join(_lex()["giver_skip_lead"]))


def _giver(orgs: list[tuple[int, int]], raw: str, a: int, b: int) -> tuple[int, int] | None:
    """The last organisation named in raw[a:b] as giving: a name ending in an
    organisation word (总工会, 文化宫 …), read back from that word to the first
    character that cannot be part of a name (punctuation, 由, 在, 的 …); else the
    NER's last ORG there. The organisation words come first because they find
    the whole name as a giver is written (区总工会, 市、区两级总工会), where the
    model sometimes takes a longer or shorter span (measured on the real pages:
    giver accuracy 0.82 against 0.74 with the model's spans first)."""
    markers = _lex()["recipient_marker"]
    _, suffix = _patterns()
    stop = _giver_stops()
    whole = _lex()["giver_whole"]
    partners = _lex()["giver_partner_lead"]
    found = None
    for m in suffix.finditer(raw, a, b):
        k = m.start()
        while k > max(a, m.start() - _MAX_NAME) and _NAME_CHAR.match(raw[k - 1]) and raw[k - 1] not in stop:
            k -= 1
        if k == m.start() - _MAX_NAME and k > a and _NAME_CHAR.match(raw[k - 1]) and raw[k - 1] not in stop:
            continue  # no boundary within a name's length: words of a clause, not a name
        while k < m.start() and raw[k] == "、":
            k += 1
        if raw.startswith(_lex()["giver_not_before"], m.end()):
            continue  # 工会主席殷长才: a person's title
        if raw.startswith(partners, k, m.start()):
            continue  # 联合市总工会、区慈善会等部门: partners of the act, not its giver
        if raw[max(0, k - 1):k] in markers or _quoted(raw, a, k) or (k == m.start() and m.group() not in whole):
            # 向灾区工会…: a recipient; “工会温暖进万家”: a campaign's name; a bare
            # 工会组织 names no one (a bare 文化宫 or 企事业单位 does: giver_whole)
            continue
        end = m.end() + 2 if raw.startswith("工会", m.end()) else m.end()  # 市总 + 工会
        if m.group().endswith("组织") and raw.startswith(_ORGANISES, m.end()):
            end -= 2  # 集团公司工会组织职工捐款: 组织 is the verb, the giver is the 工会
        found = (k, end)
    if found is not None:
        return found
    places = tuple(_lex()["place_marker"])
    # orgs are sorted by start: only those starting in [a, b) are looked at, so a
    # long page with thousands of names costs a bisection per act, not a scan
    lo, hi = bisect_left(orgs, (a, -1)), bisect_left(orgs, (b, -1))
    inside = [(s, e) for s, e in orgs[lo:hi] if e <= b and raw[max(0, s - 1):s] not in markers
              and not raw[max(0, s - 2):s].endswith(places)]
    return inside[-1] if inside else None


@functools.lru_cache(maxsize=1)
def _cues() -> tuple[regex.Pattern, dict[str, str]]:
    table = rules.load(FILE).tables["activity_cue"]
    return rules.pattern("|".join(map(regex.escape, sorted(table, key=len, reverse=True)))), table


def _activity_cue(text: str) -> str | None:
    pat, table = _cues()
    m = pat.search(text)
    return table[m.group()] if m else None


def _quoted(raw: str, a: int, pos: int) -> bool:
    """Whether ``pos`` stands inside a “…” or 《…》 opened after ``a``."""
    seg = raw[a:pos]
    return seg.count("“") > seg.count("”") or seg.count("《") > seg.count("》")


def _date_before(raw: str, act: _Act, s: int, prev, prev_plain: bool, dates, date_starts,
                 section: int | None):
    """The date of an act whose own sentences give none, from before them:
    the sentence right before, in the same paragraph and without figures, that
    names the act with the same verb (本报北京5月15日电…工会…捐款…。截至发稿时,捐款
    总计达…), else, for a sentence that goes on with its sub-report's act (此次慰问活动
    共慰问…, 这次…活动…自筹资金15300元), the last date with a month before it in the
    sub-report. Otherwise none: a report's earlier date dates its own act, not this one."""
    def last_monthly(a: int, b: int):
        # back from b, within the act's section: a bounded walk, not a scan of the page
        i, lo = bisect_left(date_starts, b) - 1, bisect_left(date_starts, a)
        while i >= lo and dates[i].section == section:
            d = dates[i]
            if d.month is not None and not _quoted(raw, max(a, d.start - _GIVER_WINDOW), d.start):
                return d
            i -= 1
        return None

    if prev is not None and prev_plain and "\n" not in raw[prev[1]:s] and act.verb in raw[prev[0]:prev[1]]:
        got = last_monthly(prev[0], prev[1])
        if got is not None:
            return got
    opening = raw[s:s + 12].lstrip()
    for w in _lex()["lead_in"]:
        if opening.startswith(w):
            opening = opening[len(w):].lstrip(" ,，:：")
            break
    if opening.startswith(_lex()["act_anaphora"]):
        return last_monthly(0, s)
    return None


def _event(orgs, raw: str, act: _Act, s: int, e: int, prev, dates, date_starts, sections, norm: _Norm,
           original: str, prev_plain: bool = False) -> Event:
    """An act as an Event; ``raw`` is the normalised text, ``original`` the input;
    ``prev_plain``: the sentence before the act's (``prev``) holds no figures."""
    # the giver is named near its act: the window is bounded so that a sentence of
    # thousands of acts (a 3 MB line) costs linear time
    g = _giver(orgs, raw, max(s, act.verb_at - _GIVER_WINDOW), act.verb_at)
    if g is None and prev is not None:
        g = _giver(orgs, raw, max(prev[0], prev[1] - _GIVER_WINDOW), prev[1])
    start = min([act.start] + [f.start for f in act.counts + act.amounts])
    end = max([act.end] + [f.end for f in act.counts + act.amounts])
    while end > start and raw[end - 1] in ",，;；。 \n":
        end -= 1
    in_sentence = dates[bisect_left(date_starts, s):bisect_left(date_starts, e)]
    # a date before the act's end, not inside a campaign's name (“2017年金秋助学”);
    # a day beats a bare year
    near = [d for d in in_sentence[:_MAX_DATES] if d.start < end
            and not _quoted(raw, max(s, d.start - _GIVER_WINDOW), d.start)]
    dated = [d for d in near if d.month is not None]
    date = dated[0] if dated else near[-1] if near else None
    if len(dated) >= 2 and _LISTED.fullmatch(raw, dated[0].end, dated[1].start):
        date = None  # 于8月16日、8月19日和9月29日举办了3场: one act over several days, no one date
    section = act.counts[0].section if act.counts else act.amounts[0].section if act.amounts else None
    if date is None:
        date = _date_before(raw, act, s, prev, prev_plain, dates, date_starts, section)
    sec = sections.get(section)
    activity = _activity_cue(raw[start:end]) or (sec.primary if sec else "other")
    os_, oe = norm.orig(start, end)
    gs = norm.orig(*g) if g else None

    def ref(f: _Fig) -> FactRef:
        return FactRef(start=f.fact.start, end=f.fact.end, fact_id=f.fact.fact_id)

    return Event(
        event_id="", section=section, start=os_, end=oe, quote=original[os_:oe], action=act.verb,
        giver=SpanRef(start=gs[0], end=gs[1]) if gs else None, giver_text=raw[g[0]:g[1]] if g else None,
        recipients=[ref(f) for f in act.counts], amounts=[ref(f) for f in act.amounts],
        date=ref(date) if date else None, activity=activity,
    )


def _renumber(doc_id: str, events: list[Event]) -> list[Event]:
    return [ev.model_copy(update={"event_id": event_id(doc_id, k + 1)}) for k, ev in enumerate(events)]


def event_id(doc_id: str, number: int) -> str:
    """The id of a document's ``number``-th event (from 1, in page order)."""
    return f"{doc_id}:event:{number}"


def resolve(doc: Document, events: list[Event]) -> list[Event]:
    """Fill each event's table fields from its facts and the document's checks:
    the recipients' count is the act's total (a breakdown's parts are not added
    again), the money is the act's total (rates and a total's parts aside)."""
    by_id = {f.fact_id: f for f in doc.facts}
    parts_of: dict[str, set[str]] = {}
    span_id = {(f.start, f.end): f.fact_id for f in doc.facts}
    for c in doc.checks:
        tid = span_id.get((c.total.start, c.total.end))
        if tid is None:
            continue
        for p in c.parts:
            refs = [p] if isinstance(p, SpanRef) else [p.count, p.rate]
            parts_of.setdefault(tid, set()).update(span_id.get((r.start, r.end), "") for r in refs)
    out = []
    for ev in events:
        ids = {r.fact_id for r in ev.recipients + ev.amounts}
        covered = set().union(*(parts_of.get(i, set()) for i in ids)) if ids else set()
        counts = [by_id[r.fact_id] for r in ev.recipients if r.fact_id not in covered]
        unit0 = counts[0].unit if counts else None
        same = [c for c in counts if c.unit == unit0 and c.value is not None]
        money = [by_id[a.fact_id] for a in ev.amounts]
        rates = [a for a in money if a.per]
        totals = [a for a in money if not a.per and a.fact_id not in covered and a.value is not None]
        date = by_id.get(ev.date.fact_id) if ev.date else None
        year = (date.year or date.year_resolved) if isinstance(date, Date) else None
        status = ("no_money" if not money else "no_recipients" if not ev.recipients
                  else "no_date" if date is None else "complete")
        first = by_id[ev.recipients[0].fact_id] if ev.recipients else None
        out.append(ev.model_copy(update={
            "year": year, "month": date.month if isinstance(date, Date) else None,
            "day": date.day if isinstance(date, Date) else None,
            "recipients_subject": first.subject if isinstance(first, Count) else None,
            "recipients_count": sum(c.value for c in same) if same else None,
            "amount_total": (totals[0].value if len(totals) == 1
                             else sum(a.value for a in totals) if totals else None),
            "rate": rates[0].value if rates else None, "rate_per": rates[0].per if rates else None,
            "status": status}))
    return out


def link_checks(doc: Document) -> Document:
    """A check and the event that holds its total point to each other."""
    owner = {}
    for ev in doc.events:
        for r in ev.recipients + ev.amounts:
            owner.setdefault((r.start, r.end), ev.event_id)
    checks = [c.model_copy(update={"event_id": owner.get((c.total.start, c.total.end))}) for c in doc.checks]
    return doc.model_copy(update={"checks": checks})


_PUBLISHED = rules.pattern(r"(?:发布时间|发布日期|更新时间|发表时间|时间|日期)\s*[:：]\s*"
                           r"(?P<y>(?:19|20)\d{2})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})")
_DATE_LINE = rules.pattern(r"^\s*(?P<y>(?:19|20)\d{2})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?"
                           r"(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?[^\n]{0,12}$", regex.M)


def document_date(raw: str) -> DocumentDate | None:
    """The date the page states for itself: a 发布时间 / 时间: field, else a
    dateline standing alone near the top, else a signature date on one of the
    last lines. Never today's date."""
    m = _PUBLISHED.search(raw)
    source = "published"
    stripped = raw.rstrip()
    last_lines = stripped.rfind("\n", 0, stripped.rfind("\n") if "\n" in stripped else 0)
    tail_start = max(0, len(raw) - 200, last_lines)
    if m is None:
        # a dateline standing alone near the top; one among the last lines is a signature
        m = next((d for d in _DATE_LINE.finditer(raw[:600]) if d.start() < tail_start), None)
        source = "dateline"
    if m is None:
        found = list(_DATE_LINE.finditer(raw, tail_start))
        m = found[-1] if found else None
        source = "signature"
    if m is None:
        return None
    month, day = int(m.group("m")), int(m.group("d"))
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    end = m.end("d") + (raw[m.end("d"):m.end("d") + 1] == "日")
    return DocumentDate(start=m.start("y"), end=end, quote=raw[m.start("y"):end],
                        year=int(m.group("y")), month=month, day=day, source=source)


def resolve_years(doc: Document, when: DocumentDate | None) -> Document:
    """今年 / 本年度 / 去年 get the year they stand for (``year_resolved``)."""
    if when is None:
        return doc
    facts = [f.model_copy(update={"year_resolved": when.year + f.year_rel})
             if isinstance(f, Date) and f.year_rel is not None and not f.year_masked else f for f in doc.facts]
    return doc.model_copy(update={"facts": facts, "date": when})


__all__ = ["document_date", "extract", "link_checks", "resolve", "resolve_years"]
