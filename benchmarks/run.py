"""Speed and memory of zongjie beside jionlp, measured the same way on both sides.

    .venv/bin/pip install -e '.[bench]'      # jionlp and psutil
    .venv/bin/python benchmarks/run.py       # everything (~20 min on 2 cores)
    .venv/bin/python benchmarks/run.py --quick

Corpora: **real pages** (``../shared/seeds`` and ``../shared/real/texts``) and
**synthetic pages** (``zongjie synth``, seed 0). Synthetic pages are denser and
far more repetitive than real ones, so caches flatter them; the real pages are
the ones the bars speak of.

1. **In process, on loaded texts.** Each tool runs in a fresh process of its
   own: it loads the texts, warms up on a page that is not in the corpus (rule
   files, the tagger's dictionary, jionlp's tables), then makes *one* pass over
   the distinct pages, so memo caches meet each page once, as in an archive.
   Median of ``--repeat`` processes. Tools: zongjie (default: every fact,
   checks, events, entities with the lexical pass), zongjie ``--no-ner``,
   zongjie ``--ner-engine model``; amounts alone and dates alone (normalising
   included: the peer normalises too); jionlp ``extract_money``,
   ``extract_time``, and both (the peer's nearest equivalent of our work).
2. **Whole processes from a cold start**: ``zongjie extract DIR -o out.jsonl
   -w 1`` against ``benchmarks/peers.py`` (jionlp reading the same files and
   writing JSON lines), on the real pages copied ``--copies`` times and on the
   synthetic corpus; wall time and peak memory of the process tree. The
   commands run in ``--rounds`` interleaved rounds (each round starts one
   command later) and every ratio is taken within a round, then the median:
   the machine's speed drifts over minutes, so two commands timed far apart
   compare the drift as much as the tools.
3. **Workers**: one against two workers on ``--worker-docs`` synthetic pages,
   default path, in ``--rounds`` interleaved rounds too; peak memory at
   ``--memory-docs`` sizes (flat is the goal). Each round also times a fixed
   pure-Python job in one process and split over two: the speed-up this
   machine gives any CPU-bound pair of processes at that moment, the ceiling
   the workers' figure is read against.
4. **A large file**: one ``--big-mb`` MB file, default path, one worker.
5. **Start-up**: one real page of median length, as a whole process, in
   ``--startup-rounds`` interleaved rounds: no flags, one worker, one worker
   with the rule cache off (``ZONGJIE_CACHE=off``: what the first run after an
   install pays, ``pipeline/rules.py``), the peer, and an empty Python.

The tables are printed and written to ``benchmarks/results.md``. These are
measurements, not tests: nothing here fails when a figure is low.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.pages import real_paths  # noqa: E402

IN_PROCESS = {
    "zongjie (default)": "zongjie",
    "zongjie --no-ner": "zongjie-no-ner",
    "zongjie --ner-engine model": "zongjie-model",
    "zongjie amounts alone": "amounts",
    "zongjie dates alone": "dates",
    "jionlp extract_money": "jionlp-money",
    "jionlp extract_time": "jionlp-time",
    "jionlp money + time": "jionlp-money+time",
}


# --- corpora -----------------------------------------------------------------

def write_real(folder: Path, copies: int) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    chars = 0
    for k in range(copies):
        for p in real_paths():
            text = p.read_text(encoding="utf-8")
            (folder / f"{k:03d}_{p.name}").write_text(text, encoding="utf-8")
            chars += len(text)
    return chars


def write_synthetic(folder: Path, n: int, seed: int = 0) -> int:
    from pipeline.train.synth import generate

    folder.mkdir(parents=True, exist_ok=True)
    chars = 0
    for doc_id, text, _ in generate(n, seed=seed):
        (folder / f"{doc_id}.txt").write_text(text, encoding="utf-8")
        chars += len(text)
    return chars


# --- 1. in process -------------------------------------------------------------

def _tool(name: str):
    """The one call a tool makes on a text (the same call warms it up)."""
    if name.startswith("jionlp-"):
        from benchmarks.peers import extractor

        return extractor(name.removeprefix("jionlp-"))
    from pipeline.document import Options, process_text
    from pipeline.extract import amounts, dates
    from pipeline.text.normalize import normalize

    if name in ("zongjie", "zongjie-no-ner", "zongjie-model"):
        opts = Options(ner=name != "zongjie-no-ner", ner_engine="model" if name == "zongjie-model" else "lexical")

        def doc(text: str):
            return process_text("bench", text, options=opts)
        return doc
    module = {"amounts": amounts, "dates": dates}[name]

    def alone(text: str):
        return module.extract(normalize(text).text)
    return alone


def child_in_process(name: str, folder: Path) -> None:
    texts = [p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.txt"))]
    call = _tool(name)
    from pipeline.train.synth import generate

    for _, text, _ in generate(2, seed=987_654):  # pages of no corpus here
        call(text)
    t0 = time.perf_counter()
    for t in texts:
        call(t)
    dt = time.perf_counter() - t0
    print(json.dumps({"chars": sum(map(len, texts)), "seconds": dt}))


def in_process(folder: Path, repeat: int, tools: dict[str, str]) -> dict[str, float]:
    """chars/s of each tool: median of ``repeat`` fresh processes."""
    out = {}
    for label, name in tools.items():
        rates = []
        for _ in range(repeat):
            got = subprocess.run([sys.executable, __file__, "--child", name, str(folder)], cwd=ROOT,
                                 capture_output=True, text=True)
            if got.returncode != 0:
                print(f"  {label}: failed: {got.stderr.strip().splitlines()[-1:]}", flush=True)
                break
            r = json.loads(got.stdout.strip().splitlines()[-1])
            rates.append(r["chars"] / r["seconds"])
        if rates:
            out[label] = statistics.median(rates)
            print(f"  {label}: {out[label] / 1e3:,.0f} kchars/s", flush=True)
    return out


# --- 2-4. whole processes -----------------------------------------------------

def run_process(cmd: list[str]) -> tuple[float, int, int]:
    """Wall seconds and peak memory (bytes, the process and its children) of one
    command, twice: resident sizes summed (sampled every 20 ms), and proportional
    set sizes summed (every second: reading smaps is slower), where a page a
    forked worker shares with its parent counts once, not once per process:
    what the machine spends."""
    import psutil

    def tree(ps: psutil.Process) -> list[psutil.Process]:
        return [ps, *ps.children(recursive=True)]

    # stderr to a file, not a pipe: jionlp prints a line per input it cannot parse,
    # and a pipe nobody reads until the end fills up and stops the process
    with tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=err)
        ps = psutil.Process(proc.pid)
        peak = peak_pss = 0
        last_pss = 0.0
        while proc.poll() is None:
            try:
                procs = tree(ps)
                peak = max(peak, sum(p.memory_info().rss for p in procs))
                if time.perf_counter() - last_pss >= 1.0:
                    last_pss = time.perf_counter()
                    peak_pss = max(peak_pss, sum(p.memory_full_info().pss for p in procs))
            except psutil.Error:
                pass
            time.sleep(0.02)
        dt = time.perf_counter() - t0
        if proc.returncode != 0:
            err.seek(0)
            raise SystemExit(f"{' '.join(cmd)} failed: {err.read().decode(errors='replace')[-2000:]}")
    return dt, peak, peak_pss


def zongjie_cmd(src: Path, out: Path, *flags: str) -> list[str]:
    return [sys.executable, "-m", "pipeline.cli", "extract", str(src), "-o", str(out), "--overwrite", *flags]


def _has_jionlp() -> bool:
    import importlib.util

    return importlib.util.find_spec("jionlp") is not None


def whole(src: Path, tmp: Path, chars: int, rounds: int = 3) -> dict[str, tuple[float, int, list[float]]]:
    """Every command once per round, rounds one after the other, each round
    starting one command later (so no command always runs first or last): this
    machine's speed drifts by ±20 % over minutes, and a ratio of two commands run
    ten minutes apart measures the drift as much as the tools. Gives, per
    command, (median kchars/s, peak bytes, kchars/s of each round)."""
    cores = os.cpu_count() or 1
    runs = {
        "zongjie (default), 1 worker": zongjie_cmd(src, tmp / "z.jsonl", "-w", "1"),
        "zongjie --no-ner, 1 worker": zongjie_cmd(src, tmp / "z.jsonl", "-w", "1", "--no-ner"),
        # no flags at all: what a user gets (one worker per core)
        f"zongjie (default), {cores} workers": zongjie_cmd(src, tmp / "z.jsonl"),
        f"zongjie --no-ner, {cores} workers": zongjie_cmd(src, tmp / "z.jsonl", "--no-ner"),
    }
    if _has_jionlp():
        runs["jionlp extract_money"] = [sys.executable, "benchmarks/peers.py", "money", str(src), str(tmp / "j.jsonl")]
        runs["jionlp money + time"] = [sys.executable, "benchmarks/peers.py", "money+time", str(src),
                                       str(tmp / "j.jsonl")]
    else:
        print("  jionlp is not installed (pip install -e '.[bench]'): the peer's rows are left out", flush=True)
    labels = list(runs)
    rates: dict[str, list[float]] = {k: [] for k in labels}
    peaks: dict[str, int] = dict.fromkeys(labels, 0)
    for r in range(rounds):
        for label in round_order(labels, r):
            dt, peak, _ = run_process(runs[label])
            rates[label].append(chars / dt)
            peaks[label] = max(peaks[label], peak)
            print(f"  round {r + 1}, {label}: {dt:.1f} s, {chars / dt / 1e3:,.0f} kchars/s, "
                  f"peak {peak / 2**20:,.0f} MiB", flush=True)
    return {k: (statistics.median(rates[k]), peaks[k], rates[k]) for k in labels}


def _wall(cmd: list[str], env: dict[str, str] | None = None) -> float:
    """Wall seconds of one short command (no memory sampling: its 20 ms steps
    would be the measurement)."""
    t0 = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True,
                   env={**os.environ, **(env or {})})
    return time.perf_counter() - t0


def startup(tmp: Path, rounds: int) -> tuple[dict[str, list[float]], int]:
    """Seconds of each command on one page, per interleaved round; the page's length."""
    pages = sorted(real_paths(), key=lambda p: p.stat().st_size)
    page = pages[len(pages) // 2]
    one = tmp / "one"
    one.mkdir()
    shutil.copy(page, one / page.name)
    out = tmp / "one.jsonl"
    warm_cache = {"ZONGJIE_CACHE": str(tmp / "rule-cache")}
    runs: dict[str, tuple[list[str], dict[str, str] | None]] = {
        "zongjie, no flags": (zongjie_cmd(one, out), warm_cache),
        "zongjie -w 1": (zongjie_cmd(one, out, "-w", "1"), warm_cache),
        "zongjie -w 1, rule cache off": (zongjie_cmd(one, out, "-w", "1"), {"ZONGJIE_CACHE": "off"}),
        "python -c pass": ([sys.executable, "-c", "pass"], None),
    }
    if _has_jionlp():
        runs["jionlp money + time"] = ([sys.executable, "benchmarks/peers.py", "money+time", str(one),
                                        str(tmp / "j.jsonl")], None)
    _wall(*runs["zongjie -w 1"])  # fills the cache, as any first run does
    labels = list(runs)
    got: dict[str, list[float]] = {k: [] for k in labels}
    for r in range(rounds):
        for label in round_order(labels, r):
            got[label].append(_wall(*runs[label]))
    for label in labels:
        print(f"  {label}: {statistics.median(got[label]):.3f} s", flush=True)
    return got, len(page.read_text(encoding="utf-8"))


# a fixed amount of pure-Python work (string building, hashing, a dict), split
# over N processes: what N processes of this machine give any CPU-bound job,
# the ceiling of the workers' speed-up (a virtual machine's two cores may share
# a physical one, or a neighbour's load)
_CEILING_UNITS = 5_000_000
_CEILING_CODE = """
import sys
from multiprocessing import get_context

def burn(n):
    seen = {}
    for i in range(n):
        seen[str(i)[-4:]] = hash(str(i * 7))
    return len(seen)

n = int(sys.argv[1])
with get_context("fork").Pool(n) as pool:
    pool.map(burn, [%d // n] * n)
""" % _CEILING_UNITS


def ceiling_cmd(processes: int) -> list[str]:
    return [sys.executable, "-c", _CEILING_CODE, str(processes)]


def round_order(labels: list[str], r: int) -> list[str]:
    """Round ``r``'s order: the list rotated by ``r``."""
    k = r % len(labels) if labels else 0
    return labels[k:] + labels[:k]


def _round_ratios(w: dict[str, tuple[float, int, list[float]]], pairs: list[tuple[str, str, str]]) -> list[str]:
    """Each ratio per round (the two commands minutes apart at most), their median and range."""
    out = []
    for a, b, what in pairs:
        if a in w and b in w:
            per = [x / y for x, y in zip(w[a][2], w[b][2])]
            out.append(f"- {what}: {statistics.median(per):.2f}x (rounds: "
                       + ", ".join(f"{x:.2f}" for x in per) + ")")
    return out


# --- report --------------------------------------------------------------------

def _ratio_lines(rates: dict[str, float], pairs: list[tuple[str, str, str]]) -> list[str]:
    out = []
    for a, b, what in pairs:
        if a in rates and b in rates:
            out.append(f"- {what}: {rates[a] / rates[b]:.2f}x")
    return out


def _table(title: str, head: str, rows: list[str], ratios: list[str]) -> list[str]:
    return [f"### {title}", "", head, "|---|" + "---:|" * (head.count("|") - 2), *rows, "", *ratios, ""]


def report(res: dict) -> str:
    lines = [f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
             f"Python {platform.python_version()}. Command: `{res['command']}`.", ""]
    cores = os.cpu_count() or 1
    for corpus in ("real", "synthetic"):
        if r := res.get(f"in_process_{corpus}"):
            lines += _table(f"In process, {res[f'{corpus}_label']}", "| tool | kchars/s |",
                            [f"| {k} | {v / 1e3:,.0f} |" for k, v in r.items()], _ratio_lines(r, [
                                ("zongjie amounts alone", "jionlp extract_money", "amounts alone ÷ jionlp extract_money"),
                                ("zongjie dates alone", "jionlp extract_time", "dates alone ÷ jionlp extract_time"),
                                ("zongjie (default)", "jionlp money + time", "zongjie default ÷ jionlp money + time"),
                                ("zongjie --no-ner", "jionlp extract_money", "zongjie --no-ner ÷ jionlp extract_money"),
                            ]))
    for corpus in ("real", "synthetic"):
        if w := res.get(f"whole_{corpus}"):
            n = len(next(iter(w.values()))[2])
            lines += _table(f"Whole processes from a cold start, {res[f'whole_{corpus}_label']}, "
                            f"{n} interleaved rounds", "| command | kchars/s (median) | rounds | peak MiB |",
                            [f"| {k} | {v[0] / 1e3:,.0f} | {', '.join(f'{x / 1e3:,.0f}' for x in v[2])} | "
                             f"{v[1] / 2**20:,.0f} |" for k, v in w.items()],
                            _round_ratios(w, [
                                ("zongjie (default), 1 worker", "jionlp money + time",
                                 "zongjie default, 1 worker ÷ jionlp money + time"),
                                (f"zongjie (default), {cores} workers", "jionlp money + time",
                                 f"zongjie default, {cores} workers (no flags) ÷ jionlp money + time"),
                                ("zongjie --no-ner, 1 worker", "jionlp extract_money",
                                 "zongjie --no-ner, 1 worker ÷ jionlp extract_money"),
                                (f"zongjie --no-ner, {cores} workers", "jionlp extract_money",
                                 f"zongjie --no-ner, {cores} workers ÷ jionlp extract_money"),
                            ]))
    if res.get("workers"):
        wk = res["workers"]
        lines += ["### Workers (default path, synthetic pages, JSONL)", "",
                  "| documents | workers | kchars/s (median) | peak MiB (RSS summed) | peak MiB (PSS summed) |",
                  "|---:|---:|---:|---:|---:|"]
        lines += [f"| {d:,} | {n} | {r / 1e3:,.0f} | {m / 2**20:,.0f} | {q / 2**20:,.0f} |" for d, n, r, m, q, _ in wk]
        base = {d: rates for d, n, _, _, _, rates in wk if n == 1}
        lines.append("")
        for d, n, _, _, _, rates in wk:
            if n > 1 and d in base:
                per = [x / y for x, y in zip(rates, base[d])]
                lines.append(f"- {d:,} documents: {statistics.median(per):.2f}x with {n} workers (rounds: "
                             + ", ".join(f"{x:.2f}" for x in per) + ")")
                if (ceil := res.get("ceiling")) and len(ceil) == len(per):
                    lines.append(f"- this machine's ceiling in the same rounds (a pure-Python job split over 2 "
                                 f"processes): {statistics.median(ceil):.2f}x (rounds: "
                                 + ", ".join(f"{x:.2f}" for x in ceil) + "); the workers reach "
                                 f"{statistics.median([p / c for p, c in zip(per, ceil)]):.0%} of it")
        lines.append("")
    if st := res.get("startup"):
        lines += _table(f"Start-up: one real page ({res['startup_label']}), whole process, "
                        f"{len(next(iter(st.values())))} interleaved rounds",
                        "| command | seconds (median) | min | max |",
                        [f"| {k} | {statistics.median(v):.3f} | {min(v):.3f} | {max(v):.3f} |" for k, v in st.items()],
                        [])
    if res.get("big"):
        mb, chars, dt, peak = res["big"]
        lines += [f"### One large file: {mb:.0f} MB ({chars / 1e6:.1f} M characters), default path, one worker", "",
                  f"{dt:.0f} s ({chars / dt / 1e3:,.0f} kchars/s), peak {peak / 2**20:,.0f} MiB.", ""]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--child", nargs=2, metavar=("TOOL", "DIR"), help=argparse.SUPPRESS)
    ap.add_argument("--repeat", type=int, default=3, help="processes per in-process figure (median)")
    ap.add_argument("--copies", type=int, default=20, help="copies of the real pages for whole processes")
    ap.add_argument("--rounds", type=int, default=None,
                    help="interleaved rounds of the whole processes (median; 3, --quick 1)")
    ap.add_argument("--synthetic", type=int, default=1000, help="synthetic pages for sections 1 and 2")
    ap.add_argument("--worker-docs", type=int, default=10000)
    ap.add_argument("--memory-docs", default="100000", help="more sizes for the workers table (memory)")
    ap.add_argument("--big-mb", type=float, default=50)
    ap.add_argument("--no-model", action="store_true", help="skip the NER model in process (slow)")
    ap.add_argument("--quick", action="store_true", help="small sizes: a check that everything runs")
    ap.add_argument("--startup-rounds", type=int, default=9, help="interleaved rounds of the start-up commands")
    ap.add_argument("--parts", default="inproc,whole,workers,big,startup",
                    help="which sections to run (comma-separated: inproc, whole, workers, big, startup)")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results.md")
    a = ap.parse_args()
    if a.child:
        child_in_process(a.child[0], Path(a.child[1]))
        return
    parts = {x.strip() for x in a.parts.split(",") if x.strip()}
    if a.quick:
        a.repeat, a.copies, a.synthetic, a.worker_docs, a.memory_docs, a.big_mb = 1, 2, 50, 200, "", 1
    a.rounds = a.rounds or (1 if a.quick else 3)
    tools = {k: v for k, v in IN_PROCESS.items() if not (a.no_model and v == "zongjie-model")
             and (_has_jionlp() or not v.startswith("jionlp"))}
    res: dict = {"command": " ".join(["python benchmarks/run.py", *sys.argv[1:]])}
    with tempfile.TemporaryDirectory() as tmp_s:
        tmp = Path(tmp_s)
        real1, synth = tmp / "real1", tmp / "synth"
        chars1 = write_real(real1, 1)
        chars_s = write_synthetic(synth, a.synthetic)
        res["real_label"] = f"real pages ({len(real_paths())} distinct, {chars1:,} characters, one pass)"
        res["synthetic_label"] = f"synthetic pages ({a.synthetic:,}, {chars_s:,} characters)"
        if "inproc" in parts:
            print(res["real_label"], flush=True)
            res["in_process_real"] = in_process(real1, a.repeat, tools)
            print(res["synthetic_label"], flush=True)
            res["in_process_synthetic"] = in_process(synth, a.repeat, {k: v for k, v in tools.items()
                                                                       if v != "zongjie-model"})
        if "whole" in parts:
            realn = tmp / "realn"
            chars_n = write_real(realn, a.copies)
            res["whole_real_label"] = f"real pages × {a.copies} ({chars_n / 1e6:.2f} M characters)"
            print(res["whole_real_label"], flush=True)
            res["whole_real"] = whole(realn, tmp, chars_n, a.rounds)
            shutil.rmtree(realn)
            res["whole_synthetic_label"] = res["synthetic_label"]
            print(res["whole_synthetic_label"], flush=True)
            res["whole_synthetic"] = whole(synth, tmp, chars_s, a.rounds)
        shutil.rmtree(synth)
        if "workers" in parts:
            workers = []
            sizes = [a.worker_docs] + [int(x) for x in a.memory_docs.split(",") if x.strip()]
            for n in sizes:
                src = tmp / f"w{n}"
                chars = write_synthetic(src, n)
                # the 1-against-2 comparison in interleaved rounds, as the whole processes
                counts = (1, 2) if n == a.worker_docs else (2,)
                got: dict[int, list] = {w: [] for w in counts}
                for r in range(a.rounds if n == a.worker_docs else 1):
                    if n == a.worker_docs:  # the machine's own ceiling, in the same round
                        t1, t2 = _wall(ceiling_cmd(1)), _wall(ceiling_cmd(2))
                        res.setdefault("ceiling", []).append(t1 / t2)
                        print(f"  round {r + 1}, pure-Python work in 2 processes: {t1 / t2:.2f}x", flush=True)
                    for w in round_order(list(counts), r):
                        dt, peak, peak_pss = run_process(zongjie_cmd(src, tmp / "w.jsonl", "-w", str(w)))
                        got[w].append((chars / dt, peak, peak_pss))
                        print(f"  round {r + 1}, {n:,} documents, {w} workers: {chars / dt / 1e3:,.0f} kchars/s, "
                              f"peak {peak / 2**20:,.0f} MiB RSS summed, {peak_pss / 2**20:,.0f} MiB PSS",
                              flush=True)
                for w in counts:
                    rates = [x[0] for x in got[w]]
                    workers.append((n, w, statistics.median(rates), max(x[1] for x in got[w]),
                                    max(x[2] for x in got[w]), rates))
                shutil.rmtree(src)
            res["workers"] = workers
        if "big" in parts and a.big_mb > 0:
            from pipeline.train.synth import generate

            f = tmp / "big" / "big.txt"
            f.parent.mkdir()
            with f.open("w", encoding="utf-8") as fh:
                i = 0
                while fh.tell() < a.big_mb * 1e6:
                    for _, text, _ in generate(200, seed=10_000 + i):
                        fh.write(text + "\n")
                    i += 1
            chars = len(f.read_text(encoding="utf-8"))
            dt, peak, _ = run_process(zongjie_cmd(f.parent, tmp / "big.jsonl", "-w", "1"))
            res["big"] = (f.stat().st_size / 1e6, chars, dt, peak)
            print(f"  big file: {chars:,} characters in {dt:.0f} s, peak {peak / 2**20:,.0f} MiB", flush=True)
        if "startup" in parts:
            print("start-up, one page", flush=True)
            res["startup"], n = startup(tmp, 3 if a.quick else a.startup_rounds)
            res["startup_label"] = f"{n:,} characters, the median length"
    text = report(res)
    a.out.write_text(text + "\n", encoding="utf-8")
    print()
    print(text)


if __name__ == "__main__":
    main()
