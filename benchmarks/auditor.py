"""The auditor's time on one long single-section report, at 1x, 4x and 16x.

A report of N synthetic pages is extracted once; then every fact is put in one
section (the worst case for the document-scope pairing, which pairs inside a
section) and ``reconcile`` alone is timed. Linear time shows as a per-1x time
that stays flat down the column. Not a test: ``python benchmarks/auditor.py``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.audit.reconcile import reconcile  # noqa: E402
from pipeline.document import Options, process_text  # noqa: E402
from pipeline.train.synth import generate  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", type=int, default=20, help="synthetic pages in the 1x report")
    ap.add_argument("--sizes", default="1,4,16")
    a = ap.parse_args()
    base = "\n".join(t for _, t, _ in generate(a.pages, seed=3))
    print("| size | characters | figures | checks | reconcile s | s per 1x |")
    print("|---:|---:|---:|---:|---:|---:|")
    for k in map(int, a.sizes.split(",")):
        raw = "\n".join([base] * k)
        doc = process_text("long", raw, options=Options(ner=False))
        flat = doc.model_copy(update={"facts": [f.model_copy(update={"section": 0}) for f in doc.facts]})
        t0 = time.perf_counter()
        checks = reconcile(flat, raw)
        dt = time.perf_counter() - t0
        figs = sum(f.type != "date" for f in doc.facts)
        print(f"| {k}x | {len(raw):,} | {figs:,} | {len(checks):,} | {dt:.2f} | {dt / k:.3f} |")


if __name__ == "__main__":
    main()
