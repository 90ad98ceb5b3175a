"""Figures in plain-text tables, whose unit stands in a row or column header.

Pages flattened from HTML tables or spreadsheets print one row per line with
cells split by ``|`` or tabs::

    指 标 | 2010年 | 2009年 |
    基层工会数(个) | 10314 | 9683 |
    其中:企业合计 | 7428 | 7225 |

A bare figure in a cell is a count or an amount when its row label (or its
column header) names the unit in parentheses (SCHEMA.md: "annotated with that
unit as if it were written beside the figure"); a row without a unit takes the
unit of the row above it within the same table. ``parse`` gives the table
structure (rows, labels, cells, units) for any text, so the auditor reads the
same rows from the original text; ``extract`` turns cells into candidates.
Units and the breakdown prefix are data: ``rules/table/cells.yaml``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import regex

from .. import rules
from .base import Candidate

FILE = "table/cells"
_ROW = rules.pattern(r"^[^\n]*(?:\||\t)[^\n]*$", regex.M)
_SPLIT = rules.pattern(r"\s*(?:\||\t)\s*")
_NUMBER = rules.pattern(r"-?\d+(?:\.\d+)?")
_UNIT = rules.pattern(r"[(（]\s*(?:单位\s*[:：]\s*)?([^()（）\s]{1,3})\s*[)）]\s*$")
_TABLE_UNIT = rules.pattern(r"单位\s*[:：]\s*([^\s|,，。;；)）]{1,3})")


@dataclass(frozen=True)
class Cell:
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Row:
    start: int
    end: int
    label: str
    unit: str | None          # the unit this row's figures carry (own or inherited)
    own_unit: bool            # stated in this row's label, not inherited
    breakdown: bool           # the label opens with 其中
    cells: tuple[Cell | None, ...]  # one per column after the label; None: not a figure


@dataclass(frozen=True)
class Table:
    rows: tuple[Row, ...]
    headers: tuple[str, ...]  # column headers after the label column ('' when none)
    col_units: tuple[str | None, ...]  # a unit a column header states, per column


@functools.lru_cache(maxsize=1)
def _spec() -> tuple[dict[str, tuple[str, str, int]], tuple[str, ...]]:
    rf = rules.load(FILE)
    units = {k: (v[0], v[1], int(v[2])) for k, v in rf.tables["units"].items()}
    return units, tuple(rf.lexicons["breakdown_prefix"])


def _cells(text: str, s: int, e: int) -> list[tuple[int, int]]:
    """Cell spans of one row line (trimmed, empty trailing cells dropped)."""
    out, pos = [], s
    for m in _SPLIT.finditer(text, s, e):
        out.append((pos, m.start()))
        pos = m.end()
    out.append((pos, e))
    while out and out[-1][0] >= out[-1][1]:
        out.pop()
    return out


def _unit_of(label: str) -> str | None:
    m = _UNIT.search(label)
    units, _ = _spec()
    return m.group(1) if m and m.group(1) in units else None


def parse(text: str) -> list[Table]:
    """Every table of ``text``: a run of at least two consecutive row lines."""
    units, prefixes = _spec()
    lines = [(m.start(), m.end()) for m in _ROW.finditer(text)]
    blocks: list[list[tuple[int, int]]] = []
    for s, e in lines:
        if blocks and text.count("\n", blocks[-1][-1][1], s) <= 1:
            blocks[-1].append((s, e))
        else:
            blocks.append([(s, e)])
    tables = []
    for block in blocks:
        if len(block) < 2:
            continue
        before = text[max(0, block[0][0] - 80):block[0][0]]
        tm = _TABLE_UNIT.search(before)
        table_unit = tm.group(1) if tm and tm.group(1) in units else None
        headers: tuple[str, ...] = ()
        col_units: list[str | None] = []
        rows: list[Row] = []
        unit = table_unit
        for s, e in block:
            spans = _cells(text, s, e)
            if not spans:
                continue
            label = text[spans[0][0]:spans[0][1]]
            rest = spans[1:]
            figs = [_NUMBER.fullmatch(text, a, b) is not None for a, b in rest]
            if not any(figs):
                if not rows:  # a header row: column titles, maybe with units
                    headers = tuple(text[a:b] for a, b in rest)
                    col_units = [_unit_of(h) for h in headers]
                continue
            own = _unit_of(label)
            if own is not None:
                unit = own
            cells = tuple(Cell(a, b, text[a:b]) if ok else None for (a, b), ok in zip(rest, figs))
            rows.append(Row(s, e, label, unit, own is not None, label.startswith(prefixes), cells))
        if rows and (any(r.unit for r in rows) or any(col_units)):
            tables.append(Table(tuple(rows), headers, tuple(col_units)))
    return tables


_MEASURE = rules.pattern(r"(?:人数|总数|合计|数)$")


def _base(label: str, prefixes: tuple[str, ...]) -> str:
    """Who a row counts: its label without 其中, the unit and a measure word
    (基层工会数(个) -> 基层工会, 其中:企业合计 -> 企业)."""
    s = _UNIT.sub("", label)
    for p in prefixes:
        if s.startswith(p):
            s = s[len(p):]
            break
    return _MEASURE.sub("", regex.sub(r"\s+", "", s))


def _subject(base: str, parent: str, header: str) -> str:
    # a breakdown row names a kind of what its parent row counts: 女性 under
    # 职工董事人数 counts 女性职工董事
    s = base + parent if parent and not base.endswith(parent) else base
    return f"{s}({header})" if header else s


def extract(text: str) -> list[tuple[str, Candidate]]:
    """(kind, candidate) for every figure in a table cell with a known unit."""
    units, prefixes = _spec()
    out: list[tuple[str, Candidate]] = []
    for t in parse(text):
        col_units = t.col_units
        parent = ""
        for r in t.rows:
            base = _base(r.label, prefixes)
            if r.own_unit:
                parent = base
            for k, cell in enumerate(r.cells):
                if cell is None:
                    continue
                u = (col_units[k] if k < len(col_units) else None) or r.unit
                if u is None:
                    continue
                kind, unit, scale = units[u]
                header = regex.sub(r"\s+", "", t.headers[k]) if k < len(t.headers) else ""
                num = float(cell.text) if "." in cell.text else int(cell.text)
                value = num * scale
                value = int(value) if float(value).is_integer() else value
                if kind == "count":
                    if not float(num).is_integer():
                        continue
                    fields = {"value": int(num), "approx": "exact", "status": "ok", "unit": unit,
                              "subject": _subject(base, "" if r.own_unit else parent, header) or None}
                else:
                    fields = {"value": value, "low": None, "high": None, "approx": "exact", "status": "ok",
                              "currency": "CNY", "per": None}
                out.append((kind, Candidate(cell.start, cell.end, f"{kind}.table_cell",
                                            {"num": (cell.start, cell.end)}, {}, fields)))
    return out
