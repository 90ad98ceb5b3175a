"""Batches: one record per input whatever the input, same facts across
encodings, zip archives without path traversal, HTML with offsets into the
source, and a process pool that gives the single-process output."""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.batch import run
from pipeline.cli import app
from pipeline.export import to_frames
from pipeline.inputs import iter_inputs

REPORT = ("镇工会活动总结篇1\n\n今年春节前,镇工会共慰问困难职工120名,其中在岗职工80名,退休职工40名,"
          "发放慰问金6.5万元。7月26日至28日开展夏送清凉活动,慰问一线职工八百余人。\n")


@pytest.fixture()
def mixed(tmp_path: Path) -> Path:
    d = tmp_path / "in"
    d.mkdir()
    (d / "good.txt").write_text(REPORT, encoding="utf-8")
    (d / "gb.txt").write_bytes(REPORT.encode("gb18030"))
    (d / "big5.txt").write_bytes(REPORT.replace("镇工会活动总结", "鎮工會活動總結").encode("big5", errors="replace"))
    (d / "u16.txt").write_bytes(REPORT.encode("utf-16"))
    (d / "empty.txt").write_bytes(b"")
    (d / "random.txt").write_bytes(os.urandom(2048) + b"\x00" * 16)
    (d / "page.html").write_text(f"<html><body><p>{REPORT.replace(chr(10), '</p><p>')}</p></body></html>",
                                 encoding="utf-8")
    with zipfile.ZipFile(d / "arch.zip", "w") as zf:
        zf.writestr("a/one.txt", REPORT)
        zf.writestr("../../evil.txt", REPORT)
    return d


def test_one_record_per_input_with_statuses(mixed):
    inputs = list(iter_inputs([mixed]))
    docs = {inp.doc_id: doc for inp, doc in run(inputs)}
    assert len(docs) == len(inputs) == 9
    assert docs["random"].status == "error" and "binary" in docs["random"].error
    assert docs["empty"].status == "ok" and docs["empty"].facts == []
    assert docs["arch/../../evil"].status == "error" and "unsafe path" in docs["arch/../../evil"].error
    assert docs["arch/a/one"].status == "ok"
    values = lambda d: [(f.type, f.quote.replace("鎮", "镇"), getattr(f, "value", None)) for f in d.facts]  # noqa: E731
    assert values(docs["good"]) == values(docs["gb"]) == values(docs["u16"]) == values(docs["arch/a/one"])
    assert [v[2] for v in values(docs["big5"])] == [v[2] for v in values(docs["good"])]
    assert docs["gb"].encoding == "gb18030" and docs["big5"].encoding == "big5"


def test_html_offsets_point_into_the_source(mixed):
    raw = (mixed / "page.html").read_text(encoding="utf-8")
    inp = next(i for i in iter_inputs([mixed / "page.html"]))
    _, doc = next(run([inp]))
    assert doc.facts and all(raw[f.start:f.end] == f.quote for f in doc.facts)
    assert "<" not in "".join(f.quote for f in doc.facts)


def test_workers_give_the_single_process_output(mixed):
    inputs = list(iter_inputs([mixed]))
    one = [d.model_dump() for _, d in run(inputs, workers=1)]
    two = [d.model_dump() for _, d in run(inputs, workers=2)]
    assert one == two


def test_cli_writes_jsonl_and_parquet(mixed, tmp_path):
    r = CliRunner().invoke(app, ["extract", str(mixed), "-o", str(tmp_path / "f.jsonl")])
    assert r.exit_code == 0, r.output
    lines = [json.loads(x) for x in (tmp_path / "f.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 9 and sum(x["status"] == "error" for x in lines) == 2
    r = CliRunner().invoke(app, ["extract", str(mixed), "-o", str(tmp_path / "ds"), "--format", "parquet"])
    assert r.exit_code == 0, r.output
    import pandas as pd

    facts = pd.read_parquet(tmp_path / "ds" / "facts.parquet")
    docs = pd.read_parquet(tmp_path / "ds" / "documents.parquet")
    assert len(docs) == 9 and set(facts["type"]) == {"amount", "count", "date"}
    assert (facts["end"] > facts["start"]).all()


def test_to_frames_is_flat_and_typed(mixed):
    docs = [d for _, d in run(list(iter_inputs([mixed / "good.txt"])))]
    fr = to_frames(docs)
    assert set(fr) == {"documents", "sections", "facts", "checks", "placeholders"}
    f = fr["facts"]
    assert f.loc[f["quote"] == "6.5万元", "value"].item() == 65000
    assert fr["checks"]["status"].tolist() == ["consistent"]


def test_audit_exit_codes(tmp_path):
    ok = tmp_path / "ok.txt"
    ok.write_text("共慰问困难职工500名,其中在岗职工300名,退休职工200名。", encoding="utf-8")
    bad = tmp_path / "bad.txt"
    bad.write_text("共慰问困难职工520名,其中在岗职工300名,退休职工200名。", encoding="utf-8")
    junk = tmp_path / "junk.txt"
    junk.write_bytes(b"\x00\x01\x02" * 100)
    runner = CliRunner()
    assert runner.invoke(app, ["audit", str(ok)]).exit_code == 0
    res = runner.invoke(app, ["audit", str(bad), "--only-problems"])
    assert res.exit_code == 1 and "≠ 520" in res.output
    assert runner.invoke(app, ["audit", str(ok), str(junk)]).exit_code == 2
