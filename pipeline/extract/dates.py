"""Dates: year (or masked year, or relative year), month, day, ranges, part.

Input: normalised text. Output: candidates with the Date record's fields. A
gap in place of a month or day makes that field null and ``masked`` true; a
gap in place of the year sets ``year_masked``. Nothing is filled from today.
"""

from __future__ import annotations

import calendar
import functools

from .. import rules
from .numerals import parse_number
from .base import Candidate, run

# compiled once: module-level regex.* calls with a pattern string pay a cache lookup each time
_MONTH_DIGITS = rules.pattern(r"[\d_Xx元]")


FILE = "date/patterns"


@functools.lru_cache(maxsize=1)
def _rel_years() -> dict[str, int]:
    return rules.load(FILE).tables["rel_years"]


def _is_gap(s: str) -> bool:
    return bool(s) and all(ch in "Xx_" for ch in s)


def _small(s: str | None, lo: int, hi: int) -> tuple[int | None, bool]:
    """(value, masked) of a month/day figure."""
    if s is None or s == "":
        return None, False
    s = s.strip()
    if _is_gap(s):
        return None, True
    if s == "元":
        return 1, False
    v = parse_number(s)
    if v is None or not float(v).is_integer() or not lo <= int(v) <= hi:
        return None, False
    return int(v), False


_COMPARE = ("比", "较", "同比", "相比", "高于", "低于")


def _days_in(month: int, year: int | None) -> int:
    if month == 2:
        # without a year, 2月29日 may be a leap day
        return 29 if year is None or calendar.isleap(year) else 28
    return calendar.monthrange(2001, month)[1]


def resolve(text: str, c: Candidate) -> Candidate | None:
    g = lambda name: c.group(text, name)  # noqa: E731
    status = c.options.get("status", "ok")
    f: dict = {"year": None, "year_masked": False, "year_rel": None, "month": None, "day": None,
               "end_month": None, "end_day": None, "part": g("part") or None, "masked": False,
               "status": status}
    y = g("y")
    if y:
        y = y.strip()
        if any(ch in "Xx_" for ch in y):
            f["year_masked"] = True
        else:
            v = parse_number(y)
            if v is None or not 1900 <= v <= 2100:
                return None
            f["year"] = int(v)
    rel = g("rel")
    if rel:
        if text[max(0, c.start - 2):c.start].endswith(_COMPARE):
            return None  # 比上年, 较去年同期: a comparison dates nothing (SCHEMA.md)
        f["year_rel"] = _rel_years().get(rel)
    masked = False
    for key, lo, hi in (("m", 1, 12), ("d", 1, 31), ("m2", 1, 12), ("d2", 1, 31)):
        raw = g(key)
        if raw is None:
            continue
        v, mk = _small(raw, lo, hi)
        masked |= mk
        if v is None and not mk and raw.strip() and status == "ok":
            return None  # 13月, 32日: not a date
        f[{"m": "month", "d": "day", "m2": "end_month", "d2": "end_day"}[key]] = v
    if c.rule_id == "date.m" and not (y or rel or f["part"]) and not _MONTH_DIGITS.search(g("m") or "") \
            and not text[c.start:c.end].endswith("份"):
        return None  # 魅力五月: a month in words alone names a campaign more often than a date
    if c.rule_id == "date.md_d_range" and f["end_day"] is not None:
        f["end_month"] = f["month"]
    for mk, dk in (("month", "day"), ("end_month", "end_day")):
        if f[mk] and f[dk] and f[dk] > _days_in(f[mk], f["year"]):
            return None  # 2月30日, 4月31日: not a date (as 13月 and 32日 are not)
    f["masked"] = masked
    c.fields = f
    return c


def extract(text: str) -> list[Candidate]:
    return run(text, FILE, resolve)
