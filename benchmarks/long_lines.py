"""Time on degenerate long lines (runs of digits, spaces, numerals, figures),
at two sizes: the growth says whether a stage reads the line once or again
at every character.

A page of an archive can be a 3 MB line: a flattened table, a scanned number
column, a blob of spaces. Each input below is one pattern repeated ``n`` times
(then a short line with a count) and extracted whole; the ratio of the two
times, for ``--factor`` times the characters, is ~``factor`` where the work is
linear and ~``factor``² where it is quadratic. Not a test:
``python benchmarks/long_lines.py [--n 5000 --factor 4]``; JSON with ``--json``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline import extract_text  # noqa: E402

# each found quadratic at least once (2026-12-03): a run of digits (the activity
# labels' money pattern), digits between commas, spaces (the date anchor), 万 (the
# count anchor), thousands of amounts in one sentence (the one-pair products)
UNITS = {
    "digits": "1",
    "digits and commas": "1,",
    "spaces": " ",
    "wan": "万",
    "chinese numerals": "一",
    "amounts": "1元",
    "counts and rates": "5名每人1元",
}
TAIL = "\n名职工\n"


def timed(text: str) -> float:
    t0 = time.perf_counter()
    extract_text(text)
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=5000, help="repetitions of each pattern at the small size")
    ap.add_argument("--factor", type=int, default=4, help="the large size is this many times the small one")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    if a.n < 1 or a.factor < 2:
        raise SystemExit("--n must be at least 1 and --factor at least 2")
    timed("工会慰问职工5名,发放慰问金500元。")  # rules, tagger and caches loaded before timing
    rows = []
    for name, unit in UNITS.items():
        small, large = timed(unit * a.n + TAIL), timed(unit * a.n * a.factor + TAIL)
        rows.append({"input": name, "chars": len(unit) * a.n, "small_s": small, "large_s": large,
                     "growth": large / small if small > 0 else None})
    if a.json:
        print(json.dumps({"factor": a.factor, "rows": rows}, ensure_ascii=False))
        return
    print(f"| input | characters | s | s at {a.factor}x | growth (linear ~{a.factor}, quadratic ~{a.factor ** 2}) |")
    print("|---|---:|---:|---:|---:|")
    for r in rows:
        growth = f"{r['growth']:.1f}" if r["growth"] is not None else "-"
        print(f"| {r['input']} | {r['chars']:,} | {r['small_s']:.3f} | {r['large_s']:.3f} | {growth} |")


if __name__ == "__main__":
    main()
