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

from .. import rules

# compiled once: module-level regex.* calls with a pattern string pay a cache lookup each time
_RMB_PARTS = rules.pattern(r"(.+?)[元圆](?:(.)角)?(?:(.)分)?[整正]?")
_K_SUFFIX = rules.pattern(r"(?<=\d)[kK]$")
_APPROX_BEFORE_BIG = rules.pattern(r"(.+?)([余多])([万亿萬億])")
_HAS_BIG_UNIT = rules.pattern(r"[万亿千]")
_HAS_ANY_UNIT = rules.pattern(r"[十百千万亿拾佰仟萬億]")
_HAN_INCLUSIVE = rules.pattern(r"[(（]含[)）]")
_ENDS_SUB_YUAN = rules.pattern(r"[角毛分]$")
_ENDS_BIG_UNIT = rules.pattern(r"[万亿萬億]$")
_ENDS_THOUSAND = rules.pattern(r"[千万]$")
_LATIN_K = rules.pattern(r"(?<=\d)[kK]")
_LATIN_W = rules.pattern(r"(?<=\d)[wW]")
_YUAN_BEFORE_RANGE = rules.pattern(r"(?<=\d|[万亿千百十仟佰拾])(?:元|块)(?=-|—|–|~|～|至|到)")
_LONG_DASH = rules.pattern(r"(?:--|——|—)")


Num = int | float


@functools.lru_cache(maxsize=1)
def _tables() -> dict[str, dict]:
    return rules.load("numerals/lexicon").tables


def _clean(v: Decimal) -> Num:
    v = v.normalize() if v == v.to_integral_value() else v
    if v == v.to_integral_value():
        return int(v)
    return float(v)


_ARABIC = rules.pattern(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[+-]?\.\d+")
# inside a Chinese numeral an Arabic part never carries a sign: 1万-5万 is a range
_ARABIC_UNSIGNED = rules.pattern(r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")
_SCIENTIFIC = rules.pattern(r"[+-]?(?:\d+\.?\d*|\.\d+)[eE][+-]?\d+")
_FULLWIDTH = str.maketrans({chr(c): chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)} | {"，": ",", "．": "."})


def _cn_value(s: str) -> Decimal | None:
    """Value of a string of Chinese digits/units, possibly with Arabic parts."""
    t = _tables()
    digits, small, big = t["digits"], t["small_units"], t["big_units"]
    if not s:
        return None
    for old, new in (("廿", "二十"), ("卅", "三十"), ("卌", "四十")):
        s = s.replace(old, new)
    # digit sequence without units: 二〇二三, 一九九八, 一七二零点一
    head, dot, tail = s.partition("点") if "点" in s else s.partition("點")
    if dot and len(head) >= 1 and all(ch in digits for ch in head) and tail and all(ch in digits for ch in tail):
        return Decimal("".join(str(digits[ch]) for ch in head) + "." + "".join(str(digits[ch]) for ch in tail))
    if all(ch in digits for ch in s):
        if len(s) == 1:
            return Decimal(digits[s])
        return Decimal("".join(str(digits[ch]) for ch in s))
    # big units (万, 亿, 兆) on a stack: a larger unit scales every smaller one
    # before it (一亿二千万 = 1亿 + 2000万; 万万 = 亿)
    stack: list[tuple[Decimal, int]] = []
    sec = Decimal(0)        # below 万
    num: Decimal | None = None
    last_unit = None
    zero_seen = False
    i = 0

    def colloquial(n: Decimal | None) -> Decimal | None:
        # 两万五 = 25000, 三千五 = 3500, 两千三点一 = 2300.1: a digit right after
        # a unit (with no 零 between) counts in the next lower unit
        if n is not None and last_unit and not zero_seen and last_unit >= 100 and n < 10 \
                and n == n.to_integral_value():
            return n * last_unit / 10
        return n

    while i < len(s):
        ch = s[i]
        m = _ARABIC_UNSIGNED.match(s, i)
        if m and ch not in digits:
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
            if last_unit is not None and last_unit < 10000 and u >= last_unit:
                return None  # 十一十二: units must fall within a section
            sec += (num if num is not None else Decimal(1)) * u
            num = None
            last_unit = u
            zero_seen = False
        elif ch in big:
            u = big[ch]
            part = sec + (num if num is not None else Decimal(0))
            if part == 0:
                if stack and stack[-1][1] <= u and i > 0 and s[i - 1] in big:
                    v, un = stack.pop()  # 四万万 = 4亿, 4.78万亿 = 4.78e12
                    stack.append((v * u, un * u))
                    i += 1
                    continue
                return None  # a bare 万/亿 is a unit whose number was dropped, not 10000
            while stack and stack[-1][1] < u:
                part += stack.pop()[0]
            stack.append((part * u, u))
            sec, num, last_unit, zero_seen = Decimal(0), None, u, False
        elif ch in "点點." and (num is not None or zero_seen or sec or stack):
            # decimal part: 三点五, 1点2
            frac = s[i + 1:]
            j = 0
            while j < len(frac) and (frac[j] in digits or frac[j].isdigit()):
                j += 1
            if j == 0:
                return None
            digs = "".join(str(digits[c]) if c in digits else c for c in frac[:j])
            num = (colloquial(num) if num is not None else Decimal(0)) + Decimal("0." + digs)
            last_unit = None
            i += 1 + j
            continue
        else:
            return None
        i += 1
    num = colloquial(num)
    return sum((v for v, _ in stack), Decimal(0)) + sec + (num if num is not None else Decimal(0))


# the figures a report repeats (500元, 1000元) are parsed once; bounded, so a long
# run's memory stays flat (4,096 entries, a few MB)
@functools.lru_cache(maxsize=4096)
def parse_decimal(text: str) -> Decimal | None:
    s = text.strip().translate(_FULLWIDTH).replace(" ", "")
    if not s:
        return None
    neg = False
    if s[0] in "负負-−":
        neg, s = True, s[1:]
    elif s[0] == "+":
        s = s[1:]
    # 壹拾壹元壹角壹分: capital RMB forms read as a number of yuan
    rmb = _RMB_PARTS.fullmatch(s)
    if rmb and not _ARABIC.fullmatch(s):
        whole = _cn_value(rmb.group(1)) if not _ARABIC.fullmatch(rmb.group(1)) else Decimal(rmb.group(1))
        if whole is None:
            return None
        for grp, scale in ((2, Decimal("0.1")), (3, Decimal("0.01"))):
            if rmb.group(grp):
                d = _cn_value(rmb.group(grp))
                if d is None:
                    return None
                whole += d * scale
        return -whole if neg else whole
    s = _K_SUFFIX.sub("千", s)
    if _SCIENTIFIC.fullmatch(s):
        v = Decimal(s)
        return _bounded(-v if neg else v)
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
    return _bounded(-v if neg else v)


# no report states a figure near 10^18 (int64's limit, which Parquet columns
# hold); past it, or below 10^-30, a "number" is noise (1e99999999) and would
# overflow Decimal arithmetic or JSON/Parquet writers downstream
def _bounded(v: Decimal) -> Decimal | None:
    # adjusted() reads the exponent without arithmetic: abs(1e99999999) itself overflows
    if not v.is_finite() or (v != 0 and not -30 <= v.adjusted() < 18):
        return None
    return v


_VAGUE = rules.pattern(r"(?:(?P<p>[几幾数數上])(?P<u>[十百千万萬])|(?P<teen>十几|十幾))(?P<big>千万|百万|万|萬|亿|億)?")
_VAGUE_UNIT = {"十": 10, "百": 100, "千": 1000, "万": 10**4, "萬": 10**4, "亿": 10**8, "億": 10**8,
               "千万": 10**7, "百万": 10**6}


def parse_vague(text: str) -> tuple[Decimal, Decimal] | None:
    """(low, high) of a vague magnitude: 几十 / 数十 / 上百 is one to ten of the
    unit, 十几 is ten to twenty; a 万 or 亿 after scales both (几十万, 数十亿)."""
    m = _VAGUE.fullmatch(text)
    if m is None:
        return None
    if m.group("teen"):
        lo, hi = Decimal(10), Decimal(20)
    else:
        lo = Decimal(_VAGUE_UNIT[m.group("u")])
        hi = lo * 10
    scale = Decimal(_VAGUE_UNIT[m.group("big")]) if m.group("big") else Decimal(1)
    return lo * scale, hi * scale


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


@functools.lru_cache(maxsize=1)
def _approx_words() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Approximation prefixes and suffixes, longest first (约为 before 约)."""
    t = _tables()
    return (tuple(sorted(t["approx_prefix"], key=len, reverse=True)),
            tuple(sorted(t["approx_suffix"], key=len, reverse=True)))


def _strip_prefix(s: str, approx: str, keep_one: bool = True) -> tuple[str, str]:
    words = _approx_words()[0]
    if not s.startswith(tuple(words)):  # the usual case, decided in one C call
        return s, approx
    for p in words:
        if s.startswith(p) and (len(s) > len(p) or not keep_one):
            return s[len(p):], _tables()["approx_prefix"][p]
    return s, approx


def _strip_suffix(s: str, approx: str, words: list[str] | tuple[str, ...] | None = None) -> tuple[str, str]:
    words = words if words is not None else _approx_words()[1]
    if not s.endswith(tuple(words)):
        return s, approx
    for suf in words:
        if s.endswith(suf) and len(s) > len(suf):
            return s[: -len(suf)], _tables()["approx_suffix"][suf]
    return s, approx


def _strip_approx(s: str) -> tuple[str, str]:
    s, approx = _strip_prefix(s, "exact")
    s, approx = _strip_suffix(s, approx)
    # 十三万余, 2万多, 50多万: 余/多 inside, before a big unit
    m = _APPROX_BEFORE_BIG.fullmatch(s)
    if m:
        approx, s = "at_least", m.group(1) + m.group(3)
    return s, approx


_RANGE = rules.pattern(r"^(?<a>.+?)(?:-|—|–|~|～|至|到)(?<b>.+)$")


@functools.lru_cache(maxsize=4096)
def parse_quantity(text: str) -> Quantity | None:
    if text.isascii() and text.isdigit() and len(text) <= 15:
        # the common case (a count's 120): what the general path below gives it,
        # without its steps (tests/test_properties.py compares the two)
        return Quantity(int(text))
    return _parse_quantity(text)


def _parse_quantity(text: str) -> Quantity | None:
    s = text.strip().translate(_FULLWIDTH).replace(" ", "")
    if not s:
        return None
    s, approx = _strip_approx(s)
    v = parse_decimal(s)
    if v is not None:
        return Quantity(_clean(v), approx=approx)
    vague = parse_vague(s)
    if vague is not None:
        return Quantity(None, _clean(vague[0]), _clean(vague[1]), "about")
    m = _RANGE.match(s)
    if m:
        a, b = m.group("a"), m.group("b")
        vb = parse_decimal(b)
        va = parse_decimal(a)
        if va is not None and vb is not None:
            # 2-4万: the low end shares the high end's multiplier
            for unit, mult in (("万", 10000), ("亿", 100000000), ("千", 1000)):
                if b.endswith(unit) and not _HAS_BIG_UNIT.search(a):
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


_WORD_SUFFIXES = ("以上", "以下", "以内", "左右", "上下")


@functools.lru_cache(maxsize=1)
def _currencies() -> list[tuple[str, str]]:
    """Currency words, longest first (港元 before 元)."""
    return sorted(_tables()["currencies"].items(), key=lambda kv: len(kv[0]), reverse=True)


_YJF = rules.pattern(r"^(?<y>.+?)(?:元|块|圆)(?:(?<j>[^角毛分]+)[角毛])?(?:(?<f>[^分]+)分)?(?:钱)?$")
_ADJACENT = rules.pattern(r"^(?<a>[一二三四五六七八九])(?<b>[一二三四五六七八九])(?<u>[十百千万亿]+)$")


def _yuan_jiao_fen(s: str) -> Decimal | None:
    m = _YJF.match(s)
    if not m or not (m.group("j") or m.group("f")):
        return None
    parts = [(m.group("y"), Decimal(1)), (m.group("j"), Decimal("0.1")), (m.group("f"), Decimal("0.01"))]
    total = Decimal(0)
    for txt, scale in parts:
        if txt:
            v = parse_decimal(txt)
            if v is None:
                return None
            total += v * scale
    return total


def _range_low(a: str, b: str, va: Decimal) -> Decimal:
    """2-4万, 一千到两千万, 两到三仟: the low end borrows the high end's multiplier."""
    units = {"万": 10000, "萬": 10000, "亿": 100000000, "億": 100000000}
    small = {"千": 1000, "仟": 1000, "百": 100, "佰": 100, "k": 1000, "w": 10000}
    vb = parse_decimal(b)
    out = va
    if b and b[-1] in units and not any(u in a for u in units):
        out = va * units[b[-1]]
    elif b and b[-1] in small and not _HAS_ANY_UNIT.search(a):
        out = va * small[b[-1]]
    # 从8500到3万: the low end was already complete
    return out if vb is None or out <= vb else va


# the common shape of a figure of money: 5000元, 2.5万元, 12亿元 (ASCII digits,
# nothing around them, no leading zero: the general path reads 0万元 as no figure)
_PLAIN_YUAN = rules.pattern(r"([1-9][0-9]{0,14}(?:\.[0-9]{1,8})?)(万|亿)?元")
_PLAIN_SCALE = {None: 1, "万": 10000, "亿": 100000000}


@functools.lru_cache(maxsize=4096)
def parse_amount(text: str) -> MoneyValue | None:
    """Parse a money expression on its own: ``"近100万元"``, ``"2000元-4000元"``,
    ``"壹仟元"``, ``"25481港元"``, ``"一百三十五块六角七分钱"``.

    Returns None when there is no figure (``"万元"``: a dropped number is never
    read as 10000) or the text is not money. A bare figure in 万/亿 is taken
    as yuan, as in jionlp. Vague magnitudes are ranges, as JioNLP reads them:
    几十万 -> 100000..1000000, 十几 -> 10..20, 上百万 -> 1000000..10000000
    (approx ``about``; no value is made up).
    """
    m = _PLAIN_YUAN.fullmatch(text)
    if m is not None:
        # what the general path below gives this shape, without its dozen steps
        # (tests/test_properties.py compares the two)
        v = _bounded(Decimal(m.group(1)) * _PLAIN_SCALE[m.group(2)])
        if v is not None:
            return MoneyValue(_clean(v), None, None, "exact", "CNY")
    return _parse_amount(text)


def _parse_amount(text: str) -> MoneyValue | None:
    """``parse_amount`` the long way: every form it reads."""
    s = text.strip().translate(_FULLWIDTH).replace(" ", "")
    s = _HAN_INCLUSIVE.sub("", s)
    # 15k, 30w: the shorthand of salary and price talk
    s, n_latin = _LATIN_K.subn("千", s)
    s, n_w = _LATIN_W.subn("万", s)
    if s.endswith(("整", "正")) and len(s) > 1:
        s = s[:-1]
    if s.startswith("从"):
        s = s[1:]
    s = s.replace("个亿", "亿").replace("个万", "万")
    currency: str | None = None
    curs = _currencies()
    # currency before the figure: 人民币100元, 港币两千九百六十元, 新台币177.1亿元
    for word, code in curs:
        if s.startswith(word) and word not in ("角", "毛", "分", "元", "块", "圆"):
            currency, s = code, s[len(word):]
            break
    # approximation words around the whole expression (至少九千块钱以上); 多/余
    # inside the figure are read once the currency is off
    s, approx = _strip_prefix(s, "exact", keep_one=False)
    s, approx = _strip_suffix(s, approx, _WORD_SUFFIXES)
    # currency after the figure: 3000多欧元, 9000元日币, 2——3万港币
    for word, code in curs + [("日币", "JPY")]:
        if word in ("角", "毛", "分"):
            continue
        if s.endswith(word) and len(s) > len(word):
            if word not in ("元", "块", "块钱", "圆") or currency is None:
                currency = currency or code
            s = s[: -len(word)]
            if word not in ("元", "块", "块钱", "圆") and s.endswith(("元", "块")):
                s = s[:-1]
            break
    yjf = _yuan_jiao_fen(s + ("元" if _ENDS_SUB_YUAN.search(s) and "元" not in s and "块" not in s else ""))
    if yjf is None and currency is None:
        yjf = _yuan_jiao_fen(s)
    if yjf is not None:
        return MoneyValue(_clean(yjf), None, None, approx, currency or "CNY")
    if currency is None:
        if not (_ENDS_BIG_UNIT.search(s) or (n_latin or n_w) and _ENDS_THOUSAND.search(s)):
            return None
        currency = "CNY"
    s = _YUAN_BEFORE_RANGE.sub("", s)
    s = _LONG_DASH.sub("-", s)
    vague = parse_vague(s)
    if vague is not None:
        return MoneyValue(None, _clean(vague[0]), _clean(vague[1]), "about", currency)
    m = _ADJACENT.match(s)
    if m and "一二三四五六七八九".index(m.group("b")) > "一二三四五六七八九".index(m.group("a")):
        unit = m.group("u")
        lo, hi = parse_decimal(m.group("a") + unit), parse_decimal(m.group("b") + unit)
        if lo is not None and hi is not None:
            return MoneyValue(None, _clean(lo), _clean(hi), approx, currency)
    rm = _RANGE.match(s)
    if rm and parse_decimal(s) is None:
        a, b = rm.group("a"), rm.group("b")
        va, vb = parse_decimal(a), parse_decimal(b)
        if va is not None and vb is not None:
            va = _range_low(a, b, va)
            if va <= vb:
                return MoneyValue(None, _clean(va), _clean(vb), approx, currency)
        return None
    s2, approx2 = _strip_approx(s)
    v = parse_decimal(s2)
    if v is None:
        return None
    return MoneyValue(_clean(v), None, None, approx2 if approx2 != "exact" else approx, currency)
