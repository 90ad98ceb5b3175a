"""The benchmark scripts are measurements, not tests; these runs on a handful of
pages only keep them from rotting (a renamed stage function breaks them here,
not on the day someone needs the figures)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_budget_script_times_every_stage() -> None:
    out = subprocess.run([sys.executable, "benchmarks/budget.py", "--n", "4", "--repeat", "1"], cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout
    rows = {line.split("|")[1].strip(): line.split("|")[2:5] for line in out.splitlines()
            if line.startswith("| ") and not line.startswith("| stage")}
    for stage in ("whole pipeline (process_text)", "extract dates", "extract counts", "extract amounts",
                  "reconcile (checks)", "fact records (offsets lifted, pydantic validation)"):
        assert stage in rows, out
    for ms, rate, share in rows.values():
        float(ms), float(rate.replace(",", ""))  # numbers, not placeholders
        assert share.strip() == "-" or float(share) >= 0
    # it measured the pages it says it did
    from pipeline.train.synth import generate

    chars = sum(len(t) for _, t, _ in generate(4, seed=0))
    assert f"4 synthetic pages (seed 0): {chars:,} characters" in out


def test_run_script_measures_both_sides_in_process(tmp_path, shared) -> None:
    """benchmarks/run.py in its smallest form: the in-process table on the real
    pages, zongjie's rows (and jionlp's when it is installed) with numbers."""
    out_md = tmp_path / "results.md"
    subprocess.run([sys.executable, "benchmarks/run.py", "--quick", "--parts", "inproc", "--no-model",
                    "--out", str(out_md)], cwd=ROOT, capture_output=True, text=True, check=True, timeout=900)
    table = out_md.read_text(encoding="utf-8")
    assert "### In process, real pages (" in table, table
    rows = {line.split("|")[1].strip(): line.split("|")[2].strip() for line in table.splitlines()
            if line.startswith("| ") and not line.startswith("| tool")}
    for tool in ("zongjie (default)", "zongjie --no-ner", "zongjie amounts alone", "zongjie dates alone"):
        assert float(rows[tool].replace(",", "")) > 0, rows


def test_whole_processes_run_in_rotated_rounds_and_compare_within_a_round() -> None:
    sys.path.insert(0, str(ROOT))
    from benchmarks.run import _round_ratios, round_order

    labels = ["a", "b", "c"]
    orders = [round_order(labels, r) for r in range(3)]
    assert orders == [["a", "b", "c"], ["b", "c", "a"], ["c", "a", "b"]]
    # each command runs first once and last once in three rounds
    assert {o[0] for o in orders} == {o[-1] for o in orders} == set(labels)
    # a drift that halves both sides' speed in round 2 leaves the ratio alone
    w = {"z": (0.0, 0, [300.0, 150.0, 300.0]), "j": (0.0, 0, [100.0, 50.0, 100.0])}
    [line] = _round_ratios(w, [("z", "j", "z ÷ j")])
    assert line == "- z ÷ j: 3.00x (rounds: 3.00, 3.00, 3.00)"


def test_startup_section_times_each_command_in_rounds(tmp_path, shared) -> None:
    out_md = tmp_path / "results.md"
    subprocess.run([sys.executable, "benchmarks/run.py", "--quick", "--parts", "startup", "--out", str(out_md)],
                   cwd=ROOT, capture_output=True, text=True, check=True, timeout=300)
    table = out_md.read_text(encoding="utf-8")
    assert "### Start-up: one real page (" in table and "3 interleaved rounds" in table, table
    rows = {line.split("|")[1].strip(): [float(x) for x in line.split("|")[2:5]] for line in table.splitlines()
            if line.startswith("| ") and not line.startswith("| command")}
    for cmd in ("zongjie, no flags", "zongjie -w 1", "zongjie -w 1, rule cache off", "python -c pass"):
        median, low, high = rows[cmd]
        assert 0 < low <= median <= high, rows
    # a whole zongjie process does more than start Python
    assert rows["zongjie -w 1"][0] > rows["python -c pass"][0]


def test_workers_section_reads_the_speed_up_against_the_machines_ceiling(tmp_path) -> None:
    """The workers table says what two processes of this machine give a pure
    CPU job in the same rounds, and how much of that the workers reach."""
    out_md = tmp_path / "results.md"
    subprocess.run([sys.executable, "benchmarks/run.py", "--quick", "--parts", "workers", "--out", str(out_md)],
                   cwd=ROOT, capture_output=True, text=True, check=True, timeout=600)
    table = out_md.read_text(encoding="utf-8")
    [speedup] = [ln for ln in table.splitlines() if ln.startswith("- 200 documents:")]
    [ceiling] = [ln for ln in table.splitlines() if ln.startswith("- this machine's ceiling")]
    workers = float(speedup.split(":")[1].split("x")[0])
    machine = float(ceiling.split("processes): ")[1].split("x")[0])
    assert 0.5 < machine < 2.5, ceiling  # two processes of one job: not slower by half, not above 2 cores
    share = float(ceiling.split("reach ")[1].split("%")[0])
    assert abs(share - 100 * workers / machine) <= 2, ceiling  # the two figures above, not a third


def test_long_lines_script_reports_each_inputs_growth() -> None:
    out = subprocess.run([sys.executable, "benchmarks/long_lines.py", "--n", "200", "--factor", "2", "--json"],
                         cwd=ROOT, capture_output=True, text=True, check=True)
    got = json.loads(out.stdout)
    assert got["factor"] == 2
    names = {r["input"] for r in got["rows"]}
    assert {"digits", "spaces", "amounts", "counts and rates"} <= names
    for r in got["rows"]:
        assert r["large_s"] >= 0 and r["small_s"] >= 0 and r["chars"] > 0
    bad = subprocess.run([sys.executable, "benchmarks/long_lines.py", "--factor", "1"], cwd=ROOT,
                         capture_output=True, text=True)
    assert bad.returncode != 0 and "--factor" in bad.stderr
