"""Synthetic reports with exact gold, for tests and benchmarks of any size.

``generate(n, seed)`` yields ``(doc_id, text, gold)`` where ``gold`` is a list
of annotations in the ``../shared/gold`` format (SCHEMA.md): sections,
boilerplate, placeholders, amounts, counts, dates and checks, each with
``start``/``end``/``quote`` into ``text``. Pages are built from the templates in
``rules/synth/templates.yaml`` (written for this project): site chrome and
injected site names, several numbered sub-reports, figures in many written
forms (万元 decimals, 壹仟元, 多/余/近/约, ranges, X and ___ gaps, dropped
numbers), breakdowns whose totals hold or are planted to be wrong, and a
traditional-character variant with pinyin after some characters (工會(huì)).

The builder records every span as it writes it, so the gold is exact by
construction; the traditional variant is mapped through the same offsets.
"""

from __future__ import annotations

import functools
import json
import random
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterator

import yaml

from ..rules import RULES_DIR


@functools.lru_cache(maxsize=1)
def templates() -> dict[str, Any]:
    return yaml.safe_load((RULES_DIR / "synth" / "templates.yaml").read_text(encoding="utf-8"))


@dataclass
class Page:
    """Text written piece by piece, with the annotation of each piece."""
    parts: list[str] = field(default_factory=list)
    n: int = 0
    ann: list[dict] = field(default_factory=list)

    def put(self, s: str) -> tuple[int, int]:
        start = self.n
        self.parts.append(s)
        self.n += len(s)
        return start, self.n

    def fact(self, piece: "Piece", **extra) -> dict:
        s, e = self.put(piece.text)
        a = {"type": piece.type, "start": s, "end": e, **piece.fields, **extra}
        self.ann.append(a)
        for off, ln, kind in piece.gaps:
            self.ann.append({"type": "placeholder", "start": s + off, "end": s + off + ln, "kind": kind})
        return a

    def span(self, type_: str, text: str, **fields) -> dict:
        s, e = self.put(text)
        a = {"type": type_, "start": s, "end": e, **fields}
        self.ann.append(a)
        return a

    @property
    def text(self) -> str:
        return "".join(self.parts)


@dataclass
class Piece:
    type: str
    text: str
    fields: dict
    gaps: list[tuple[int, int, str]] = field(default_factory=list)
    value: Decimal | None = None


def _fmt(d: Decimal) -> str:
    return format(d.normalize(), "f")


AMOUNT_FIELDS = {"value": None, "low": None, "high": None, "approx": "exact", "per": None, "status": "ok"}
UPPER = {"壹仟元": 1000, "贰仟元": 2000, "伍佰元": 500, "叁仟伍佰元": 3500, "壹万元": 10000, "捌佰元": 800}


def amount(rng: random.Random, per: str | None = None, odd: bool = True) -> Piece:
    """A money amount in one of the written forms found in union reports."""
    f = dict(AMOUNT_FIELDS, per=per)
    kinds = ["yuan", "wan", "upper", "more", "near", "about", "range", "x_wan", "gap_yuan", "missing"]
    # a range is a standard per recipient (每人1000元-3000元), never a total
    weights = ([35, 25, 5, 8, 5, 5, 0, 5, 4, 4] if per is None else [70, 10, 0, 0, 0, 0, 20, 0, 0, 0]) if odd \
        else [50, 50, 0, 0, 0, 0, 0, 0, 0, 0]
    kind = rng.choices(kinds, weights)[0]
    if kind == "yuan":
        v = Decimal(rng.randint(2, 400) * 100)
        return Piece("amount", f"{v}元", dict(f, value=int(v)), value=v)
    if kind == "wan":
        w = Decimal(rng.randint(10, 9999)) / 100
        return Piece("amount", f"{_fmt(w)}万元", dict(f, value=int(w * 10000)), value=w * 10000)
    if kind == "upper":
        t, v = rng.choice(sorted(UPPER.items()))
        return Piece("amount", t, dict(f, value=v), value=Decimal(v))
    if kind == "more":
        v = rng.randint(2, 90) * 100
        return Piece("amount", f"{v}多元", dict(f, value=v, approx="at_least"))
    if kind == "near":
        v = rng.randint(2, 200)
        return Piece("amount", f"近{v}万元", dict(f, value=v * 10000, approx="at_most"))
    if kind == "about":
        v = rng.randint(2, 90) * 100
        return Piece("amount", f"约{v}元", dict(f, value=v, approx="about"))
    if kind == "range":
        lo = rng.randint(1, 5) * 1000
        hi = lo + rng.randint(1, 5) * 1000
        return Piece("amount", f"{lo}元-{hi}元", dict(f, low=lo, high=hi, per=per or "人"))
    if kind == "x_wan":
        return Piece("amount", "X万元", dict(f, status="masked"), [(0, 1, "number")])
    if kind == "gap_yuan":
        return Piece("amount", "___元", dict(f, status="masked"), [(0, 3, "number")])
    return Piece("amount", "万元", dict(f, status="missing"))


def count(rng: random.Random, subject: str, unit: str = "名", odd: bool = True, value: int | None = None) -> Piece:
    f = {"value": None, "approx": "exact", "status": "ok", "unit": unit, "subject": subject}
    kind = rng.choices(["num", "more", "gap", "x"], [85, 7, 4, 4] if odd else [1, 0, 0, 0])[0]
    if value is not None:
        kind = "num"
    if kind == "num":
        v = value if value is not None else rng.randint(2, 900)
        return Piece("count", f"{v}{unit}", dict(f, value=v), value=Decimal(v))
    if kind == "more":
        v = rng.randint(2, 30) * 10
        return Piece("count", f"{v}余{unit}", dict(f, value=v, approx="at_least"))
    if kind == "gap":
        return Piece("count", f"___{unit}", dict(f, status="masked"), [(0, 3, "number")])
    return Piece("count", f"X{unit}", dict(f, status="masked"), [(0, 1, "number")])


DATE_FIELDS = {"year": None, "year_masked": False, "year_rel": None, "month": None, "day": None,
               "end_month": None, "end_day": None, "part": None, "masked": False}


def date(rng: random.Random, year: int) -> Piece:
    f = dict(DATE_FIELDS)
    m, d = rng.randint(1, 12), rng.randint(1, 20)
    kind = rng.choice(["ymd", "md", "md_d", "md_md", "xx_m", "m_fen", "rel", "m_part", "gap"])
    if kind == "ymd":
        return Piece("date", f"{year}年{m}月{d}日", dict(f, year=year, month=m, day=d))
    if kind == "md":
        return Piece("date", f"{m}月{d}日", dict(f, month=m, day=d))
    if kind == "md_d":
        d2 = d + rng.randint(1, 8)
        return Piece("date", f"{m}月{d}日至{d2}日", dict(f, month=m, day=d, end_month=m, end_day=d2))
    if kind == "md_md":
        m2 = min(12, m + 1)
        d2 = rng.randint(1, 28)
        return Piece("date", f"{m}月{d}日至{m2}月{d2}日", dict(f, month=m, day=d, end_month=m2, end_day=d2))
    if kind == "xx_m":
        return Piece("date", f"20xx年{m}月", dict(f, year_masked=True, month=m), [(0, 4, "year")])
    if kind == "m_fen":
        return Piece("date", f"{m}月份", dict(f, month=m))
    if kind == "rel":
        word, rel = rng.choice([("今年", 0), ("去年", -1)])
        return Piece("date", f"{word}{m}月", dict(f, year_rel=rel, month=m))
    if kind == "m_part":
        part = rng.choice(["上旬", "中旬", "下旬"])
        return Piece("date", f"{m}月{part}", dict(f, month=m, part=part))
    return Piece("date", "__月__日", dict(f, masked=True), [(0, 2, "date"), (3, 2, "date")])


FILLERS = [
    "我们始终坚持以职工为中心的工作导向,不断创新工作方法。",
    "各级工会组织高度重视,精心组织,确保了各项工作落到实处。",
    "在今后的工作中,我们将进一步总结经验,查找不足,推动工作再上新台阶。",
    "活动得到了广大职工的一致好评,增强了工会组织的凝聚力。",
]


class Writer:
    def __init__(self, rng: random.Random, year: int, page: Page, planted: float) -> None:
        self.rng, self.year, self.page, self.planted = rng, year, page, planted
        self.t = templates()
        self.activity = "other"  # the label of the section being written (events carry it)

    def sentence(self, activity: dict) -> None:
        rng, p = self.rng, self.page
        tpl = rng.choice(activity["sentences"])
        group_kind = activity.get("group", "people")
        g = rng.choice(self.t["groups"][group_kind])
        unit = "户" if group_kind == "households" else rng.choice(["名", "人", "位"])
        i = 0
        while i < len(tpl):
            if tpl.startswith("{D}", i):
                p.fact(date(rng, self.year))
            elif tpl.startswith("{ORG}", i):
                p.put(rng.choice(self.t["orgs"]))
            elif tpl.startswith("{G}", i):
                p.put(g)
            elif tpl.startswith("{C}", i):
                p.fact(count(rng, g, unit))
            elif tpl.startswith("{A}", i):
                p.fact(amount(rng))
            elif tpl.startswith("{R}", i):
                p.fact(amount(rng, per="人"))
            else:
                p.put(tpl[i])
                i += 1
                continue
            i = tpl.index("}", i) + 1

    def _status(self, parts: list[Piece], total: Piece) -> tuple[str, Any, Any]:
        if any(x.value is None for x in parts + [total]):
            return "unverifiable", None, None
        stated = total.value
        computed = sum((x.value for x in parts), Decimal(0))
        return ("consistent" if stated == computed else "inconsistent"), _num(stated), _num(computed)

    def count_sum(self) -> None:
        rng = self.rng
        names = rng.choice(self.t["part_groups"])
        k = rng.randint(2, len(names))
        unit = rng.choice(["名", "人"])
        values = [rng.randint(5, 400) for _ in range(k)]
        total_v = sum(values)
        if rng.random() < self.planted:
            total_v += rng.choice([-1, 1]) * rng.randint(1, 12)
        g = rng.choice(self.t["groups"]["people"])
        lead = rng.choice(["共慰问", "全年共帮扶", "共走访"]) + g
        total = count(rng, g, unit, value=total_v)
        parts = []
        for name, v in zip(names, values):
            piece = count(rng, name, unit, odd=rng.random() < 0.1, value=None if rng.random() < 0.08 else v)
            if piece.value is None and piece.fields["status"] == "ok":
                piece = count(rng, name, unit, value=v)
            parts.append((name, piece))
        self._sum_sentence(lead, total, parts)

    def money_sum(self) -> None:
        rng = self.rng
        srcs = rng.sample(self.t["money_sources"], rng.randint(2, 3))
        values = [Decimal(rng.randint(10, 900)) / 10 for _ in srcs]
        total_v = sum(values, Decimal(0))
        if rng.random() < self.planted:
            total_v = _planted(rng, total_v, Decimal("0.1"), rounded_parts=len(values))
        lead = rng.choice(["全年共投入帮扶资金", "共筹集送温暖资金", "全年工会经费支出"])
        self._sum_sentence(lead, _wan(total_v), [(src, _wan(v)) for src, v in zip(srcs, values)])

    def _sum_sentence(self, lead: str, total: Piece, parts: list[tuple[str, Piece]]) -> None:
        """``lead total,其中name1 part1,name2 part2。`` and its sum check; when the
        lead is an act of giving (慰问, 帮扶, 走访, 投入, 筹集), its event too: the
        breakdown belongs to the act (SCHEMA.md)."""
        p = self.page
        start = p.n
        p.put(lead)
        total_ann = p.fact(total)
        p.put(",其中")
        anns = []
        for j, (name, piece) in enumerate(parts):
            if j:
                p.put(",")
            p.put(name)
            anns.append(p.fact(piece))
        end = p.n
        p.put("。")
        status, stated, computed = self._status([piece for _, piece in parts], total)
        self._check("sum", total_ann, anns, status, stated, computed)
        found = [(lead.find(v), v) for v in ACT_VERBS if v in lead]
        verb = min(found)[1] if found else None  # the first verb of the lead: 投入 in 投入帮扶资金
        if verb is not None:
            facts = [total_ann] + anns
            ok = [a for a in facts if a.get("status", "ok") == "ok"]
            self._event(start, end, verb, [a for a in ok if a["type"] == "count"],
                        [a for a in ok if a["type"] == "amount"])

    def product_sum(self) -> None:
        rng, p = self.rng, self.page
        names = rng.choice([["本科生", "专科生"], ["大学生", "高中生"], ["研究生", "本科生", "专科生"]])
        ns = [rng.randint(2, 40) for _ in names]
        rates = [rng.choice([1000, 1500, 2000, 2500, 3000, 5000]) for _ in names]
        total_v = sum(Decimal(n * r) for n, r in zip(ns, rates))
        if rng.random() < self.planted:
            total_v = _planted(rng, total_v / 10000, Decimal("0.1")) * 10000
        start = p.n
        p.put("共发放助学金")
        tv = total_v / 10000
        total_piece = Piece("amount", f"{_fmt(tv)}万元", dict(AMOUNT_FIELDS, value=_num(total_v)), value=total_v)
        total = p.fact(total_piece)
        p.put(",其中")
        pairs, acts = [], []
        for j, (name, n, r) in enumerate(zip(names, ns, rates)):
            if j:
                p.put(";")
            p.put(name)
            c = p.fact(count(rng, name, "名", value=n))
            p.put(",每人")
            a = p.fact(Piece("amount", f"{r}元", dict(AMOUNT_FIELDS, value=r, per="人")))
            pairs.append({"count": _ref(c), "rate": _ref(a)})
            acts.append((c, a))
        end = p.n
        p.put("。")
        self._event(start, end, "发放", [c for c, _ in acts], [total] + [a for _, a in acts])
        computed = sum(Decimal(n * r) for n, r in zip(ns, rates))
        status = "consistent" if computed == total_v else "inconsistent"
        p.ann.append({"type": "check", "relation": "product_sum", "total": _ref(total), "parts": pairs,
                      "status": status, "scope": "sentence", "stated": _num(total_v), "computed": _num(computed)})

    def _event(self, start: int, end: int, verb: str, recipients: list[dict], amounts: list[dict]) -> None:
        # no organisation and no date stand in these sentences: giver and date are null
        self.page.ann.append({"type": "event", "start": start, "end": end, "action": verb, "giver": None,
                              "recipients": [_ref(a) for a in recipients], "amounts": [_ref(a) for a in amounts],
                              "date": None, "activity": self.activity})

    def _check(self, relation: str, total: dict, parts: list[dict], status: str, stated, computed) -> None:
        c = {"type": "check", "relation": relation, "total": _ref(total), "parts": [_ref(a) for a in parts],
             "status": status, "scope": "sentence"}
        if stated is not None:
            c.update(stated=stated, computed=computed)
        self.page.ann.append(c)


# the verbs of the sum sentences' leads that state an act of giving (全年工会经费支出 does not)
ACT_VERBS = ("慰问", "帮扶", "走访", "投入", "筹集")


def _wan(v: Decimal) -> Piece:
    """An amount written in 万元 (``v`` is in 万)."""
    return Piece("amount", f"{_fmt(v)}万元", dict(AMOUNT_FIELDS, value=_num(v * 10000)), value=v * 10000)


def _planted(rng: random.Random, true: Decimal, step: Decimal, rounded_parts: int = 0) -> Decimal:
    """A wrong total, wrong by more than the rounding its written form allows
    (a total written 21万元 may round anything from 20.5万 to 21.5万), and by
    more than its parts' own rounding adds (each part written to ``step`` may be
    off by half a step: the auditor allows for that too)."""
    while True:
        wrong = true + rng.choice([-1, 1]) * rng.randint(1, 30) * step
        half = Decimal(5).scaleb(wrong.normalize().as_tuple().exponent - 1)  # half the last written digit
        if wrong > 0 and abs(wrong - true) > half + rounded_parts * step / 2:
            return wrong


def _ref(a: dict) -> dict:
    return {"start": a["start"], "end": a["end"]}


def _num(d: Decimal) -> int | float:
    return int(d) if d == d.to_integral_value() else float(d)


def page(rng: random.Random, planted: float = 0.25) -> tuple[str, list[dict]]:
    """One simplified page and its gold."""
    t = templates()
    p = Page()
    year = rng.randint(2012, 2024)
    stem = rng.choice(t["stems"])
    numbering = rng.choice(t["numbering"])
    with_year = rng.random() < 0.6
    title = f"{year}年{stem}" if with_year else stem
    w = Writer(rng, year, p, planted)
    # page chrome
    for line in rng.sample(t["chrome_top"], rng.randint(1, 3)):
        s, e = p.put(line)
        p.ann.append({"type": "boilerplate", "start": s, "end": e})
        k = line.find("___________")
        if k >= 0:  # 撰写人:___ / 日  期:___
            kind = "name" if "撰写" in line else "date"
            p.ann.append({"type": "placeholder", "start": s + k, "end": s + k + 11, "kind": kind})
        p.put("\n")
    s, e = p.put(rng.choice(t["chrome_intro"]).format(title=title))
    p.ann.append({"type": "boilerplate", "start": s, "end": e})
    p.put("\n")
    labels = list(t["activities"])
    site = rng.choice(t["site_names"])
    for k in range(1, rng.randint(2, 5) + 1):
        main = rng.choice(labels)
        others = [x for x in rng.sample(labels, 2) if x != main][: rng.randint(0, 1)]
        head = title + numbering.format(k=k)
        hs = p.n
        if with_year:
            p.fact(Piece("date", f"{year}年", dict(DATE_FIELDS, year=year)))
            p.put(head[len(f"{year}年"):])
        else:
            p.put(head)
        p.ann.append({"type": "section", "start": hs, "end": p.n, "index": k, "primary": main,
                      "activities": [main] + others})
        p.put("\n")
        paras = rng.randint(2, 4)
        for j in range(paras):
            if rng.random() < 0.12:
                s, e = p.put(site)
                p.ann.append({"type": "boilerplate", "start": s, "end": e})
            label = main if j < paras - len(others) else others[j - (paras - len(others))]
            for _ in range(rng.randint(1, 2)):
                w.sentence(t["activities"][label])
            r = rng.random()
            if label == main and j == 0:
                w.activity = main
                (w.count_sum if r < 0.4 else w.money_sum if r < 0.7 else w.product_sum if r < 0.85 else
                 (lambda: None))()
            p.put(rng.choice(FILLERS))
            p.put("\n")
    s, e = p.put(rng.choice(t["chrome_trailer"]))
    p.ann.append({"type": "boilerplate", "start": s, "end": e})
    p.put("\n")
    return p.text, p.ann


def traditional_with_pinyin(text: str, ann: list[dict], rng: random.Random, gloss_rate: float = 0.8
                            ) -> tuple[str, list[dict]]:
    """The page in traditional characters with pinyin after some of them, and its gold mapped onto it."""
    conv = _s2t()
    trad = conv.convert(text)
    if len(trad) != len(text):  # a phrase conversion changed the length: convert per character
        trad = "".join(conv.convert(ch) for ch in text)
    glosses = templates()["pinyin"]
    starts, out, pos = [], [], 0
    for ch in trad:
        starts.append(pos)
        piece = ch
        if ch in glosses and rng.random() < gloss_rate:
            piece += f"({glosses[ch]})"
        out.append(piece)
        pos += len(piece)
    starts.append(pos)
    new = "".join(out)
    moved = []
    for a in ann:
        b = dict(a)
        if "start" in a:
            b["start"], b["end"] = starts[a["start"]], starts[a["end"]]
        if a["type"] == "event":
            b["recipients"] = [_move(x, starts) for x in a["recipients"]]
            b["amounts"] = [_move(x, starts) for x in a["amounts"]]
        if a["type"] == "check":
            b["total"] = _move(a["total"], starts)
            b["parts"] = [{"count": _move(x["count"], starts), "rate": _move(x["rate"], starts)} if "count" in x
                          else _move(x, starts) for x in a["parts"]]
        moved.append(b)
    return new, moved


@functools.lru_cache(maxsize=1)
def _s2t():
    import opencc

    return opencc.OpenCC("s2t")


def _move(ref: dict, starts: list[int]) -> dict:
    return {"start": starts[ref["start"]], "end": starts[ref["end"]]}


def generate(n: int, seed: int = 0, traditional_share: float = 0.25, planted: float = 0.25
             ) -> Iterator[tuple[str, str, list[dict]]]:
    for i in range(n):
        rng = random.Random(f"{seed}:{i}")
        text, ann = page(rng, planted)
        kind = "s"
        if rng.random() < traditional_share:
            text, ann = traditional_with_pinyin(text, ann, rng)
            kind = "t"
        gold = []
        for a in ann:
            b = dict(a)
            if "start" in a:
                b["quote"] = text[a["start"]:a["end"]]
            gold.append(b)
        gold.sort(key=lambda a: (a.get("start", a.get("total", {}).get("start", 0)), a["type"]))
        yield f"synth_{seed}_{i:06d}{kind}", text, gold


def write(out: Path, n: int, seed: int = 0, **kw) -> tuple[Path, Path]:
    """``out/texts/<doc>.txt`` and ``out/gold/<doc>.jsonl`` (the ../shared layout)."""
    texts, gold_dir = out / "texts", out / "gold"
    texts.mkdir(parents=True, exist_ok=True)
    gold_dir.mkdir(parents=True, exist_ok=True)
    for doc_id, text, gold in generate(n, seed, **kw):
        (texts / f"{doc_id}.txt").write_text(text, encoding="utf-8")
        with (gold_dir / f"{doc_id}.jsonl").open("w", encoding="utf-8") as fh:
            for a in gold:
                fh.write(json.dumps(a, ensure_ascii=False) + "\n")
    return texts, gold_dir
