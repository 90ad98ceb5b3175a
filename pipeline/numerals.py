"""Chinese and Arabic numerals, shared by every dimension.

``parse_number("八百余") -> 800``, ``parse_number("1.25万") -> 12500``,
``parse_number("壹仟") -> 1000``, ``parse_number("二〇二三") -> 2023``;
``parse_amount("近100万元")`` -> value 1000000, approx "at_most", currency CNY.

Why not cn2an alone: cn2an (the best-kept library for this) raises on the forms
these reports are full of (十三万余, 八百余, 5000多, 近100万, 1、2万, 萬 mixed
with pinyin-free traditional text) and gives no approximation or range, so a
small parser of our own reads the number, and cn2an's public test suite is run
against it (tests/test_conformance.py) to keep it honest. Tables live in
``rules/numerals/lexicon.yaml``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import regex

from . import rules

Num = int | float


@functools.lru_cache(maxsize=1)
def _tables() -> dict[str, dict]:
    return rules.load("numerals/lexicon").tables


def _clean(v: Decimal) -> Num:
    v = v.normalize() if v == v.to_integral_value() else v
    if v == v.to_integral_value():
        return int(v)
    return float(v)


_ARABIC = regex.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")
_FULLWIDTH = str.maketrans({chr(c): chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)} | {"，": ",", "．": "."})


def _cn_value(s: str) -> Decimal | None:
    """Value of a string of Chinese digits/units, possibly with Arabic parts."""
    t = _tables()
    digits, small, big = t["digits"], t["small_units"], t["big_units"]
    if not s:
        return None
    # digit sequence without units: 二〇二三, 一九九八
    if all(ch in digits for ch in s):
        if len(s) == 1:
            return Decimal(digits[s])
        return Decimal("".join(str(digits[ch]) for ch in s))
    total = Decimal(0)      # parts of 亿 and above, already scaled
    wan = Decimal(0)        # the 万 part, scaled
    sec = Decimal(0)        # below 万
    num: Decimal | None = None
    last_unit = None
    zero_seen = False
    i = 0
    while i < len(s):
        ch = s[i]
        m = _ARABIC.match(s, i)
        if m and m.start() == i and ch not in digits:
            if num is not None:
                return None
            num = Decimal(m.group().replace(",", ""))
            i = m.end()
            continue
        if ch in digits:
            if num is not None and not zero_seen and digits[ch] != 0:
                return None  # 一一: two digits in a row inside a unit number
            if digits[ch] == 0:
                zero_seen = True
                i += 1
                continue
            num = Decimal(digits[ch])
        elif ch in small:
            u = small[ch]
            if last_unit is not None and last_unit in small.values() and u >= last_unit and num is None:
                return None
            sec += (num if num is not None else Decimal(1)) * u
            num = None
            last_unit = u
            zero_seen = False
        elif ch in big:
            u = big[ch]
            part = sec + (num if num is not None else Decimal(0))
            if part == 0 and not (total or wan):
                return None  # a bare 万/亿 is a unit whose number was dropped, not 10000
            if u == 100000000:
                total = (total + wan + part) * u
                wan = Decimal(0)
            else:
                if wan:
                    return None  # 万 twice without 亿
                wan = part * u
            sec, num, last_unit, zero_seen = Decimal(0), None, u, False
        elif ch in "点點." and num is not None or ch in "点點" and num is None:
            # decimal part: 三点五, 1点2
            frac = s[i + 1:]
            j = 0
            while j < len(frac) and (frac[j] in digits or frac[j].isdigit()):
                j += 1
            if j == 0:
                return None
            digs = "".join(str(digits[c]) if c in digits else c for c in frac[:j])
            num = (num if num is not None else Decimal(0)) + Decimal("0." + digs)
            i += 1 + j
            continue
        else:
            return None
        i += 1
    if num is not None and last_unit and not zero_seen and last_unit >= 100 and num < 10 and num == num.to_integral_value():
        # 两万五 = 25000, 三千五 = 3500: a trailing digit counts in the next lower unit
        num = num * last_unit / 10
    return total + wan + sec + (num if num is not None else Decimal(0))


def parse_decimal(text: str) -> Decimal | None:
    s = text.strip().translate(_FULLWIDTH).replace(" ", "")
    if not s:
        return None
    neg = False
    if s[0] in "负負-":
        neg, s = True, s[1:]
    elif s[0] == "+":
        s = s[1:]
    m = _ARABIC.fullmatch(s)
    if m:
        try:
            v = Decimal(s.replace(",", ""))
        except InvalidOperation:
            return None
    else:
        v = _cn_value(s)
        if v is None:
            return None
    return -v if neg else v


def parse_number(text: str) -> Num | None:
    """The value of a numeral, Chinese, Arabic or mixed; approximate markers
    (约, 近, 余, 多 …) are read and dropped. None if ``text`` is not a number."""
    q = parse_quantity(text)
    return None if q is None or q.value is None else q.value


@dataclass(frozen=True)
class Quantity:
    value: Num | None
    low: Num | None = None
    high: Num | None = None
    approx: str = "exact"


def _strip_approx(s: str) -> tuple[str, str]:
    t = _tables()
    approx = "exact"
    for p in sorted(t["approx_prefix"], key=len, reverse=True):
        if s.startswith(p) and len(s) > len(p):
            approx, s = t["approx_prefix"][p], s[len(p):]
            break
    for suf in sorted(t["approx_suffix"], key=len, reverse=True):
        if s.endswith(suf) and len(s) > len(suf):
            approx, s = t["approx_suffix"][suf], s[: -len(suf)]
            break
    # 十三万余, 2万多, 50多万: 余/多 inside, before a big unit
    m = regex.fullmatch(r"(.+?)([余多])([万亿萬億])", s)
    if m:
        approx, s = "at_least", m.group(1) + m.group(3)
    return s, approx


_RANGE = regex.compile(r"^(?<a>.+?)(?:-|—|–|~|～|至|到)(?<b>.+)$")


def parse_quantity(text: str) -> Quantity | None:
    s = text.strip().translate(_FULLWIDTH).replace(" ", "")
    if not s:
        return None
    s, approx = _strip_approx(s)
    v = parse_decimal(s)
    if v is not None:
        return Quantity(_clean(v), approx=approx)
    m = _RANGE.match(s)
    if m:
        a, b = m.group("a"), m.group("b")
        vb = parse_decimal(b)
        va = parse_decimal(a)
        if va is not None and vb is not None:
            # 2-4万: the low end shares the high end's multiplier
            for unit, mult in (("万", 10000), ("亿", 100000000), ("千", 1000)):
                if b.endswith(unit) and not regex.search(r"[万亿千]", a):
                    va = va * mult
            if va <= vb:
                return Quantity(None, _clean(va), _clean(vb), approx)
    return None


@dataclass(frozen=True)
class MoneyValue:
    value: Num | None
    low: Num | None
    high: Num | None
    approx: str
    currency: str | None


_CUR_CACHE: list[tuple[str, str]] = []


def _currencies() -> list[tuple[str, str]]:
    if not _CUR_CACHE:
        cur = _tables()["currencies"]
        _CUR_CACHE.extend(sorted(cur.items(), key=lambda kv: len(kv[0]), reverse=True))
    return _CUR_CACHE


def parse_amount(text: str) -> MoneyValue | None:
    """Parse a money expression on its own: ``"近100万元"``, ``"2000元-4000元"``,
    ``"壹仟元"``, ``"25481港元"``. Returns None when there is no figure (``"万元"``)."""
    s = text.strip().translate(_FULLWIDTH).replace(" ", "")
    for tail in ("整", "正"):
        if s.endswith(tail):
            s = s[:-1]
    scale = _tables()["currency_scale"]
    currency = None
    unit_word = None
    # currency word may lead (人民币100元, ¥100) or close the figure
    for word, code in _currencies():
        if s.startswith(word) and word in ("人民币", "RMB", "¥", "￥"):
            currency, s = code, s[len(word):]
            break
    for word, code in _currencies():
        if s.endswith(word):
            currency = currency or code
            unit_word = word
            s = s[: -len(word)]
            break
        # 2000元-4000元 / 1000元到5000元: the unit is written twice
    if currency is None:
        return None
    s = regex.sub(r"(?<=\d|[万亿千百十])(?:元|块)(?=-|—|–|~|至|到)", "", s)
    q = parse_quantity(s)
    if q is None:
        return None
    mult = Decimal(str(scale.get(unit_word, 1))) if unit_word in scale else Decimal(1)

    def sc(x: Num | None) -> Num | None:
        return None if x is None else _clean(Decimal(str(x)) * mult)

    return MoneyValue(sc(q.value), sc(q.low), sc(q.high), q.approx, currency)
