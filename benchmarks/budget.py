"""Where the time of one document goes, against the speed target's budget.

    .venv/bin/python benchmarks/budget.py            # 1,000 synthetic pages (seed 0)
    .venv/bin/python benchmarks/budget.py --n 300 --seeds ../shared/seeds

The target of issue 4 is the full rule pipeline at twice the chars/s of
``jionlp.ner.extract_money``. This runs jionlp on the same texts, turns that
rate into a time budget for the whole set, and times each stage of
``process_text`` on its own (in process, no I/O, no NER; best of ``--repeat``
runs), so the table says which stage alone already spends the budget. The
stages are called as ``process_text`` calls them; "records and the rest" is
the whole minus the stages timed alone: the document-level records, and what
running the stages interleaved costs beyond running each alone (a stage run
alone over all pages keeps its patterns and code hot in the CPU caches). A
measurement, not a test.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline import rules  # noqa: E402
from pipeline.extract import activities  # noqa: E402
from pipeline.document import EXTRACTORS, Options, _fact, process_text  # noqa: E402
from pipeline.extract import amounts, base, counts, dates  # noqa: E402
from pipeline.text.normalize import normalize  # noqa: E402
from pipeline.text.placeholders import find_placeholders  # noqa: E402
from pipeline.audit.reconcile import reconcile  # noqa: E402
from pipeline.text.segment import segment  # noqa: E402
from pipeline.models import lexical  # noqa: E402
from pipeline.train.synth import generate  # noqa: E402


def best(fn: Callable[[], object], repeat: int) -> float:
    """Best time of ``repeat`` runs of ``fn``; ``fn`` builds a generator whose
    results are dropped as they come, as a batch drops each record once written
    (holding 40,000 records alive makes the garbage collector's time grow)."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in fn():
            pass
        times.append(time.perf_counter() - t0)
    return min(times)


def measure(texts: list[str], repeat: int) -> list[tuple[str, float]]:
    opts = Options(ner=False)
    # rules loaded, patterns compiled, on pages of no set measured here, so that a
    # single pass (--repeat 1) meets every page of the set cold, as an archive does
    for i, (_, t, _) in enumerate(generate(20, seed=987_654)):
        process_text(str(i), t, options=opts)
        lexical.tagger().entities(t)
    rows: list[tuple[str, float]] = []
    # timed before the stages' inputs are held: thousands of live records make
    # every pass of the garbage collector longer
    rows.append(("whole pipeline (process_text)",
                 best(lambda: (process_text(str(i), t, options=opts) for i, t in enumerate(texts)), repeat)))
    docs = [process_text(str(i), t, options=opts) for i, t in enumerate(texts)]
    nts = [normalize(t) for t in texts]
    segs = [segment(nt.text) for nt in nts]
    rows.append(("normalise (offset maps, t2s, width, pinyin)", best(lambda: (normalize(t) for t in texts), repeat)))
    rows.append(("segment (boilerplate, sections, sentences)", best(lambda: (segment(nt.text) for nt in nts), repeat)))
    for name, module, rule_file in (("dates", dates, "date/patterns"), ("counts", counts, "count/patterns"),
                                    ("amounts", amounts, "amount/patterns")):
        pats = [p for _, p in rules.compiled(rule_file)]
        spans = [base.windows(nt.text, rule_file) for nt in nts]

        def scan(pats=pats, spans=spans):
            return (m for nt, sp in zip(nts, spans) for p in pats for ws, we in sp
                    for m in p.finditer(nt.text, ws, we))
        total = best(lambda module=module: (module.extract(nt.text) for nt in nts), repeat)
        rows.append((f"extract {name}", total))
        rows.append((f"  of which the regex engine alone ({len(pats)} rules in their windows)", best(scan, repeat)))
    rows.append(("placeholders", best(lambda: (find_placeholders(nt) for nt in nts), repeat)))
    rows.append(("activity labels", best(lambda: (activities.label(seg.report_text(nt.text, sp.start, sp.body_end))
                                                  for nt, seg in zip(nts, segs) for sp in seg.sections), repeat)))
    cands = [[(kind, c) for kind, (module, _) in EXTRACTORS.items() for c in module.extract(nt.text)] for nt in nts]
    rows.append(("fact records (offsets lifted, pydantic validation)",
                 best(lambda: (_fact(k, nt, seg, str(i), c) for i, (nt, seg, cs) in enumerate(zip(nts, segs, cands))
                               for k, c in cs), repeat)))
    rows.append(("reconcile (checks)", best(lambda: (reconcile(d, t) for d, t in zip(docs, texts)), repeat)))
    rows.append(("entities (lexical pass, the default; not in the whole above)",
                 best(lambda: (lexical.tagger().entities(nt.text) for nt in nts), repeat)))
    stages = sum(t for name, t in rows[1:] if not name.startswith(("  ", "entities")))
    rows.append(("the rest (whole - stages alone)", max(0.0, rows[0][1] - stages)))
    return rows


def jionlp_seconds(texts: list[str], repeat: int) -> float | None:
    try:
        import jionlp
    except ImportError:
        return None
    jionlp.ner.extract_money(texts[0])
    return best(lambda: (jionlp.ner.extract_money(t) for t in texts), repeat)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=1000, help="synthetic pages (seed 0)")
    ap.add_argument("--seeds", type=Path, help="a folder of real pages to measure instead")
    ap.add_argument("--repeat", type=int, default=3, help="runs per stage, best kept (1: one cold pass)")
    ap.add_argument("--json", action="store_true", help="print the rows as one JSON object")
    a = ap.parse_args()
    if a.seeds:
        texts = [p.read_text(encoding="utf-8", errors="replace") for p in sorted(a.seeds.glob("*.txt"))]
        label = f"{len(texts)} pages of {a.seeds}"
    else:
        texts = [t for _, t, _ in generate(a.n, seed=0)]
        label = f"{a.n} synthetic pages (seed 0)"
    chars = sum(map(len, texts))
    rows = measure(texts, a.repeat)
    j = jionlp_seconds(texts, a.repeat)
    if a.json:
        import json

        print(json.dumps({"pages": label, "chars": chars, "repeat": a.repeat,
                          "jionlp_extract_money_s": j,
                          "stages": [{"stage": name, "seconds": t, "chars_per_s": chars / t if t > 0 else None}
                                     for name, t in rows]}, ensure_ascii=False))
        return
    print(f"{label}: {chars:,} characters; best of {a.repeat} runs, one process")
    if j is not None:
        budget = j / 2
        print(f"jionlp.ner.extract_money: {j * 1e3:.0f} ms ({chars / j / 1e3:,.0f} kchars/s); "
              f"budget for 2x that rate: {budget * 1e3:.0f} ms")
    print()
    print("| stage | ms | kchars/s | share of budget |")
    print("|---|---:|---:|---:|")
    for name, t in rows:
        share = f"{t / budget:.2f}" if j is not None else "-"
        # "the rest" (whole minus the stages alone) can come out 0 or below on a
        # tiny or noisy run: no rate is printed for it then
        rate = f"{chars / t / 1e3:,.0f}" if t > 0 else "-"
        print(f"| {name} | {t * 1e3:.0f} | {rate} | {share} |")


if __name__ == "__main__":
    main()
