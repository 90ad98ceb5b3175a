"""Fuzz over whole folders (hypothesis): random files (reports, binary, empty,
huge lines, zips, nested zips, unread types), random kills of the parent and of
a worker, then --resume: every input has exactly one record, no id twice, no
traceback, and the output equals a clean run's."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ZONGJIE = [sys.executable, "-m", "pipeline.cli", "extract"]
REPORT = "区总工会开展送温暖活动,慰问困难职工{n}名,其中在岗职工{a}名,退休职工{b}名,发放慰问金{m}万元。\n"

KINDS = ["report", "binary", "empty", "huge_line", "zip", "nested_zip", "docx", "html"]


def _content(kind: str, rng: random.Random) -> bytes:
    a, b = rng.randint(1, 300), rng.randint(1, 300)
    text = REPORT.format(n=a + b, a=a, b=b, m=rng.randint(1, 90) / 10)
    if kind == "report":
        return (text * rng.randint(1, 30)).encode("utf-8" if rng.random() < 0.7 else "gb18030")
    if kind == "binary":
        return bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 3000)))
    if kind == "empty":
        return b""
    if kind == "huge_line":
        return ("慰问职工1名," * 20000).encode("utf-8")
    if kind == "html":
        return f"<html><body><p>{text}</p><script>var x='100元';</script></body></html>".encode()
    return b"PK\x03\x04 not a document"


def _build(folder: Path, spec: list[tuple[str, int]]) -> int:
    """Write the folder; return how many inputs (records) it holds."""
    folder.mkdir(parents=True)
    n = 0
    for k, (kind, seed) in enumerate(spec):
        rng = random.Random(seed)
        name = f"f{k:02d}"
        if kind in ("zip", "nested_zip"):
            with zipfile.ZipFile(folder / f"{name}.zip", "w") as zf:
                members = rng.randint(0, 3)
                for j in range(members):
                    zf.writestr(f"m{j}.txt", _content("report", rng))
                n += members
                if kind == "nested_zip":
                    zf.writestr("inner.zip", b"PK\x05\x06" + b"\0" * 18)
                    n += 1
        else:
            suffix = {"docx": ".docx", "html": ".html"}.get(kind, ".txt")
            (folder / f"{name}{suffix}").write_bytes(_content(kind, rng))
            n += 1
    return n


def _records(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


def _kill_a_worker(parent: int) -> None:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(parent)], capture_output=True, text=True).stdout
    kids = [int(x) for x in out.split()]
    if kids:
        try:
            os.kill(random.choice(kids), signal.SIGKILL)
        except ProcessLookupError:
            pass


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                HealthCheck.function_scoped_fixture])
@given(spec=st.lists(st.tuples(st.sampled_from(KINDS), st.integers(0, 10**6)), min_size=1, max_size=10),
       delays=st.lists(st.floats(0.3, 2.5), min_size=1, max_size=2), kill_worker=st.booleans())
def test_kills_and_resume_lose_and_duplicate_nothing(tmp_path_factory, spec, delays, kill_worker):
    tmp = tmp_path_factory.mktemp("fuzz")
    src = tmp / "in"
    expected = _build(src, spec)
    clean = tmp / "clean.jsonl"
    p = subprocess.run(ZONGJIE + [str(src), "--no-ner", "-w", "1", "-o", str(clean)], capture_output=True, text=True)
    assert p.returncode == 0 and "Traceback" not in p.stderr, p.stderr[-2000:]
    want = _records(clean)
    assert len(want) == expected
    assert len({d["doc_id"] for d in want}) == expected

    out = tmp / "out.jsonl"
    args = ZONGJIE + [str(src), "--no-ner", "-w", "2", "--batch-size", "1", "-o", str(out)]
    first = True
    for delay in delays:
        proc = subprocess.Popen(args + ([] if first else ["--resume"]), stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, text=True)
        first = False
        time.sleep(delay / 2)
        if kill_worker:
            _kill_a_worker(proc.pid)
        time.sleep(delay / 2)
        proc.kill()
        _, err = proc.communicate()
        assert "Traceback" not in err, err[-2000:]
    proc = subprocess.run(args + ["--resume"], capture_output=True, text=True)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr[-2000:]
    got = _records(out)
    ids = [d["doc_id"] for d in got]
    assert len(ids) == len(set(ids)) == expected
    by_id = {d["doc_id"]: d for d in want}
    for d in got:
        w = by_id[d["doc_id"]]
        if d["status"] == "error" and "worker process died" in (d["error"] or ""):
            continue  # an input whose worker was killed twice: its record says so
        assert d == w, d["doc_id"]
