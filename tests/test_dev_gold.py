"""The scorer on ../shared/seeds and on ../shared/real: no figure may fall
below the figures recorded in tests/ratchet.json (a ratchet: raise them as the
work improves, with tests/update_ratchet.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline import extract_file

RATCHET = Path(__file__).with_name("ratchet.json")


# ratchet section -> (texts, gold) under ../shared
SETS = {"dev_gold": ("seeds", "gold"), "real": ("real/texts", "real/gold")}


def score(shared: Path, texts: str, gold: str, out: Path) -> dict:
    with out.open("w", encoding="utf-8") as fh:
        for path in sorted((shared / texts).glob("*.txt")):
            fh.write(extract_file(path).to_json() + "\n")
    res = subprocess.run(
        [sys.executable, str(shared / "eval" / "score.py"), "--pred", str(out), "--gold", str(shared / gold),
         "--texts", str(shared / texts), "--json"],
        capture_output=True, text=True, check=True,
    )
    return json.loads(res.stdout)


@pytest.fixture(scope="module")
def metrics(shared, tmp_path_factory) -> dict:
    return score(shared, *SETS["dev_gold"], tmp_path_factory.mktemp("dev") / "facts.jsonl")


@pytest.fixture(scope="module")
def real_metrics(shared, tmp_path_factory) -> dict:
    if not (shared / "real" / "gold").is_dir():
        pytest.skip("../shared/real is absent")
    return score(shared, *SETS["real"], tmp_path_factory.mktemp("real") / "facts.jsonl")


def _flat(d: dict, prefix: str = "") -> dict[str, float]:
    out = {}
    for k, v in d.items():
        if isinstance(v, dict):
            out.update(_flat(v, f"{prefix}{k}."))
        else:
            out[f"{prefix}{k}"] = v
    return out


def test_no_figure_below_the_ratchet(metrics):
    recorded = json.loads(RATCHET.read_text())["dev_gold"]
    got = _flat(metrics)
    low = {k: (got[k], v) for k, v in recorded.items() if got[k] < v - 1e-9}
    assert not low, f"fell below the recorded figures (got, recorded): {low}"


def test_false_alarms_do_not_grow(metrics):
    recorded = json.loads(RATCHET.read_text())["max_false_alarms"]
    assert metrics["check"]["false_alarms"] <= recorded


def test_real_pages_hold_the_ratchet(real_metrics):
    ratchet = json.loads(RATCHET.read_text())
    got = _flat(real_metrics)
    low = {k: (got[k], v) for k, v in ratchet["real"].items() if got[k] < v - 1e-9}
    assert not low, f"real pages fell below the recorded figures (got, recorded): {low}"
    assert real_metrics["check"]["false_alarms"] <= ratchet["real_max_false_alarms"]


def test_traditional_twin_gives_the_same_values(shared):
    """001 sub-report 4 is the traditional (with pinyin) twin of 000 sub-report 8."""
    docs = {p.stem[:3]: extract_file(p) for p in (shared / "seeds").glob("00[01]_*.txt")}

    def values(doc, index):
        return [(f.type, getattr(f, "value", None), getattr(f, "unit", None), getattr(f, "approx", None))
                for f in doc.facts if f.section == index and f.type in ("amount", "count")]

    simplified, traditional = values(docs["000"], 8), values(docs["001"], 4)
    assert simplified and simplified == traditional
