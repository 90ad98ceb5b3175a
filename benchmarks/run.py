"""Throughput and memory of batch extraction, beside jionlp.ner.extract_money.

    .venv/bin/python benchmarks/run.py                      # 1k, 10k, 100k documents
    .venv/bin/python benchmarks/run.py --sizes 1000 --big-mb 5

For each size, a synthetic corpus (``zongjie synth``, seed 0) is written to a
temporary folder and the CLI runs on it as a child process, once with one
worker and once with every core, writing a Parquet dataset; the peak resident
memory of the run (the CLI and its workers together, sampled every 20 ms) is
recorded. ``jionlp.ner.extract_money`` (money only) runs single-process on the
same texts in this process. The runs are of the rule pipeline (``--no-ner``,
the pipeline the targets speak of); ``--ner`` adds the NER model. A last row runs one large file (``--big-mb``) made of
concatenated synthetic pages. The table is printed and written to
``benchmarks/results.md``. These are measurements, not tests: nothing here
fails when a figure is low.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.train.synth import generate  # noqa: E402


def write_corpus(folder: Path, n: int) -> tuple[int, int]:
    folder.mkdir(parents=True, exist_ok=True)
    chars = 0
    for doc_id, text, _ in generate(n, seed=0):
        (folder / f"{doc_id}.txt").write_text(text, encoding="utf-8")
        chars += len(text)
    return n, chars


def run_cli(args: list[str]) -> tuple[float, int]:
    """Wall seconds and peak RSS (bytes, process tree) of one CLI run."""
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "pipeline.cli", *args], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    ps = psutil.Process(proc.pid)
    peak = 0
    while proc.poll() is None:
        try:
            rss = ps.memory_info().rss + sum(c.memory_info().rss for c in ps.children(recursive=True))
            peak = max(peak, rss)
        except psutil.Error:
            pass
        time.sleep(0.02)
    dt = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"zongjie failed: {proc.stderr.read().decode(errors='replace')[-2000:]}")
    return dt, peak


def jionlp_rate(folder: Path) -> float | None:
    try:
        import jionlp
    except ImportError:
        return None
    texts = [p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.txt"))]
    jionlp.ner.extract_money(texts[0])  # load its tables before timing
    t0 = time.perf_counter()
    for t in texts:
        jionlp.ner.extract_money(t)
    return sum(map(len, texts)) / (time.perf_counter() - t0)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--big-mb", type=float, default=50)
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results.md")
    ap.add_argument("--ner", action="store_true",
                    help="include the NER model (the targets are about the rule pipeline: --no-ner by default)")
    a = ap.parse_args()
    ner_flag = [] if a.ner else ["--no-ner"]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for n in (int(x) for x in a.sizes.split(",") if x.strip()):
            src = tmp / f"c{n}"
            _, chars = write_corpus(src, n)
            row = {"docs": n, "chars": chars}
            for w in (1, a.workers):
                out = tmp / f"o{n}_{w}"
                dt, peak = run_cli(["extract", str(src), "-o", str(out), "--format", "parquet", "-w", str(w), *ner_flag])
                row[w] = (chars / dt, n / dt, peak)
                shutil.rmtree(out)
            row["jionlp"] = jionlp_rate(src)
            rows.append(row)
            print(_row(row, a.workers), flush=True)
            shutil.rmtree(src)
        big = None
        if a.big_mb > 0:
            f = tmp / "big" / "big.txt"
            f.parent.mkdir()
            with f.open("w", encoding="utf-8") as fh:
                i = 0
                while fh.tell() < a.big_mb * 1e6:
                    for _, text, _ in generate(200, seed=10_000 + i):
                        fh.write(text + "\n")
                    i += 1
            chars = len(f.read_text(encoding="utf-8"))
            dt, peak = run_cli(["extract", str(f.parent), "-o", str(tmp / "big.jsonl"), "-w", "1", *ner_flag])
            big = (f.stat().st_size, chars, dt, peak)
            print(f"big file: {big[0] / 1e6:.1f} MB, {chars} chars in {dt:.1f} s, peak {peak / 2**20:.0f} MiB")
    text = _table(rows, a.workers, big)
    a.out.write_text(text, encoding="utf-8")
    print(text)


def _row(r: dict, w: int) -> str:
    one, many = r[1], r[w]
    j = r["jionlp"]
    return (f"| {r['docs']:,} | {r['chars'] / 1e6:.1f} | {one[0] / 1e3:,.0f} | {one[1]:,.0f} | {many[0] / 1e3:,.0f} | "
            f"{many[1]:,.0f} | {many[0] / one[0]:.2f}x | {one[2] / 2**20:,.0f} | {many[2] / 2**20:,.0f} | "
            + (f"{j / 1e3:,.0f} | {one[0] / j:.2f}x |" if j else "n/a | n/a |"))


def _table(rows: list[dict], w: int, big) -> str:
    head = (f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python "
            f"{platform.python_version()}; synthetic corpus (`zongjie synth`, seed 0); Parquet output.\n\n"
            f"| documents | Mchars | 1 worker kchars/s | docs/s | {w} workers kchars/s | docs/s | speed-up | "
            f"peak MiB (1) | peak MiB ({w}) | jionlp extract_money kchars/s | zongjie ÷ jionlp |\n"
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
    body = "\n".join(_row(r, w) for r in rows)
    tail = ""
    if big:
        tail = (f"\n\nOne {big[0] / 1e6:.3g} MB file ({big[1] / 1e6:.1f} M characters), one worker: "
                f"{big[2]:.0f} s, peak {big[3] / 2**20:,.0f} MiB.")
    return head + body + tail + "\n"


if __name__ == "__main__":
    main()
