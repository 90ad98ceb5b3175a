"""Count subjects with Python jieba's POS tagger against rjieba (jieba-rs), side by side.

    .venv/bin/python benchmarks/subjects_agreement.py [--synthetic 300]

The pipeline tags count subjects with rjieba (``pipeline/extract/subjects.py``);
this script runs the rule pipeline (no NER) on the seeds, ``../shared/real``
and synthetic pages twice, once with each tagger, and prints how many counts
got the same subject, the ones that differ, and the tagging time of each.
Python jieba is a dependency already (spaCy's jieba segmenter uses it).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.pages import real_and_synthetic  # noqa: E402
from pipeline.document import Options, process_text  # noqa: E402
from pipeline.extract import subjects  # noqa: E402


def _python_jieba():
    import logging

    import jieba
    import jieba.posseg

    jieba.setLogLevel(logging.WARNING)
    return lambda text: [(w.word, w.flag) for w in jieba.posseg.cut(text)]


def run(pages: list[tuple[str, str]], tagger) -> tuple[dict, float]:
    subjects._tagger.cache_clear()
    subjects._phrase_after.cache_clear()
    subjects._phrase_before.cache_clear()
    original = subjects._tagger
    spent = 0.0

    def clocked(text: str):
        nonlocal spent
        t0 = time.perf_counter()
        out = tagger(text)
        spent += time.perf_counter() - t0
        return out

    subjects._tagger = lambda: clocked  # type: ignore[assignment]
    try:
        got = {name: [(f.start, f.subject) for f in process_text("x", t, options=Options(ner=False)).facts
                      if f.type == "count"] for name, t in pages}
    finally:
        subjects._tagger = original  # type: ignore[assignment]
    return got, spent


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--synthetic", type=int, default=300)
    args = ap.parse_args()
    import rjieba

    pages = real_and_synthetic(args.synthetic)
    a, ta = run(pages, _python_jieba())
    b, tb = run(pages, rjieba.tag)
    n = same = 0
    for name in a:
        for x, y in zip(a[name], b[name]):
            n += 1
            same += x == y
            if x != y:
                print(f"{name}: at {x[0]}: jieba {x[1]!r}  rjieba {y[1]!r}")
    print(f"{same} of {n} counts get the same subject ({same / max(n, 1):.4f}); "
          f"tagging time jieba {ta:.2f} s, rjieba {tb:.2f} s")


if __name__ == "__main__":
    main()
