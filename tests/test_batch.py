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

from pipeline.batch.run import run
from pipeline.cli import app
from pipeline.batch.export import to_frames
from pipeline.batch.inputs import iter_inputs

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

    facts = pd.read_parquet(tmp_path / "ds" / "facts")
    docs = pd.read_parquet(tmp_path / "ds" / "documents")
    assert len(docs) == 9 and set(facts["type"]) == {"amount", "count", "date"}
    assert (facts["end"] > facts["start"]).all()


def test_to_frames_is_flat_and_typed(mixed):
    docs = [d for _, d in run(list(iter_inputs([mixed / "good.txt"])))]
    fr = to_frames(docs)
    assert set(fr) == {"documents", "sections", "facts", "checks", "placeholders", "entities", "events"}
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


def _corpus(folder: Path, n: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        text = REPORT.replace("120名", f"{120 + i}名").replace("80名", f"{80 + i}名")
        (folder / f"r{i:04d}.txt").write_text(text * (1 + i % 3), encoding="utf-8")
    return folder


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]


def test_resume_after_kill_has_no_duplicate_and_no_gap(tmp_path):
    """kill -9 in the middle of a run, then --resume: every input exactly once,
    the same records as an uninterrupted run."""
    import subprocess
    import sys
    import time

    src = _corpus(tmp_path / "in", 400)
    cmd = [sys.executable, "-m", "pipeline.cli", "extract", str(src), "-w", "1", "--batch-size", "5"]
    clean = tmp_path / "clean.jsonl"
    assert subprocess.run(cmd + ["-o", str(clean)], capture_output=True).returncode == 0
    out = tmp_path / "out.jsonl"
    proc = subprocess.Popen(cmd + ["-o", str(out)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    manifests = tmp_path / "out.jsonl.parts" / "_batches"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(list(manifests.glob("*.json"))) < 3:
        time.sleep(0.01)
    proc.kill()
    proc.wait()
    done_before = len(list(manifests.glob("*.json")))
    assert 3 <= done_before < 80, "the kill should land in the middle of the run"
    assert not out.exists()
    # debris of a batch that never got its manifest is discarded on resume
    (tmp_path / "out.jsonl.parts" / "jsonl" / "part-09999.jsonl").write_text('{"doc_id": "junk"}\n')
    r = subprocess.run(cmd + ["-o", str(out), "--resume"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "already done" in r.stderr
    got, want = _jsonl(out), _jsonl(clean)
    ids = [d["doc_id"] for d in got]
    assert len(ids) == len(set(ids)) == 400
    assert sorted(got, key=lambda d: d["doc_id"]) == want
    assert not (tmp_path / "out.jsonl.parts").exists()


def test_resume_refuses_a_changed_input(tmp_path):
    src = _corpus(tmp_path / "in", 3)
    out = tmp_path / "ds"
    runner = CliRunner()
    assert runner.invoke(app, ["extract", str(src), "-o", str(out), "--format", "parquet", "-w", "1"]).exit_code == 0
    r = runner.invoke(app, ["extract", str(src), "-o", str(out), "--format", "parquet", "-w", "1", "--resume"])
    assert r.exit_code == 0 and "3 documents already done, 0 to do" in r.output
    (src / "r0001.txt").write_text(REPORT.replace("120名", "121名"), encoding="utf-8")
    r = runner.invoke(app, ["extract", str(src), "-o", str(out), "--format", "parquet", "-w", "1", "--resume"])
    assert r.exit_code == 2 and "r0001 changed" in r.output


def test_parquet_dataset_and_duckdb_hold_the_same_rows(tmp_path):
    import duckdb
    import pandas as pd

    src = _corpus(tmp_path / "in", 12)
    out, db = tmp_path / "ds", tmp_path / "z.duckdb"
    r = CliRunner().invoke(app, ["extract", str(src), "-o", str(out), "--format", "parquet", "-w", "1",
                                 "--batch-size", "5", "--duckdb", str(db)])
    assert r.exit_code == 0, r.output
    assert len(list((out / "facts").glob("part-*.parquet"))) == 3  # 5 + 5 + 2 documents
    con = duckdb.connect(str(db), read_only=True)
    for t in ("documents", "sections", "facts", "checks", "placeholders"):
        a = pd.read_parquet(out / t).sort_values(list(pd.read_parquet(out / t).columns[:4])).reset_index(drop=True)
        b = con.execute(f"SELECT * FROM {t}").df()
        b = b.sort_values(list(b.columns[:4])).reset_index(drop=True)
        assert len(a) == len(b) and list(a.columns) == list(b.columns), t
    n = con.execute("SELECT count(*) FROM facts WHERE type = 'amount' AND value = 65000").fetchone()[0]
    assert n == 4 * 1 + 4 * 2 + 4 * 3  # the report appears 1, 2 or 3 times in a file


def test_jsonl_with_duckdb_leaves_no_staging(tmp_path):
    import duckdb

    src = _corpus(tmp_path / "in", 4)
    db = tmp_path / "z.duckdb"
    r = CliRunner().invoke(app, ["extract", str(src), "-o", str(tmp_path / "f.jsonl"), "-w", "1", "--duckdb", str(db)])
    assert r.exit_code == 0, r.output
    assert duckdb.connect(str(db), read_only=True).execute("SELECT count(*) FROM documents").fetchone()[0] == 4
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.jsonl", "in", "z.duckdb"]


def test_dask_local_cluster_gives_the_single_process_rows(mixed):
    pytest.importorskip("dask.distributed")
    inputs = list(iter_inputs([mixed]))
    one = [d.model_dump() for _, d in run(inputs, workers=1)]
    on_dask = [d.model_dump() for _, d in run(inputs, workers=2, dask="local")]
    assert one == on_dask
    frames_one, frames_dask = to_frames([d for _, d in run(inputs)]), to_frames([d for _, d in run(inputs, 2, "local")])
    for t in frames_one:
        assert frames_one[t].equals(frames_dask[t]), t


def test_folder_listing_keeps_path_order_without_path_objects(tmp_path: Path):
    # "a/b" sorts before "a-b" component by component, after it as plain strings
    for rel in ("a/b.txt", "a-b.txt", "a/c/d.txt", "A.txt", "a.b/x.txt", "z.txt"):
        f = tmp_path / rel
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text("x", encoding="utf-8")
    from pipeline.batch.inputs import _files_under

    want = [str(q) for q in sorted(q for q in tmp_path.rglob("*") if q.is_file())]
    assert _files_under(tmp_path) == want
    assert [i.doc_id for i in iter_inputs([tmp_path])] == ["A", "a/b", "a/c/d", "a-b", "a.b/x", "z"]


def test_pool_forks_its_workers_before_the_inputs_are_listed():
    # a worker forked after the parent listed a big folder starts with a copy of
    # the listing: the pool has its processes the moment it is made
    from pipeline.batch.run import _Pool
    from pipeline.document import DEFAULT_OPTIONS

    pool = _Pool(2, None, DEFAULT_OPTIONS)
    try:
        procs = list(pool.pool._processes.values())
        assert len(procs) == 2 and all(p.is_alive() for p in procs)
    finally:
        pool.close()


def test_a_run_holds_no_ids_of_its_own_committed_documents(tmp_path):
    # what --resume matches is read from the manifests of an earlier run; the live
    # run's batches are not remembered (a million-input run would hold them all)
    from pipeline.batch.dataset import DatasetWriter
    from pipeline.document import process_text

    w = DatasetWriter(tmp_path / "out.jsonl", batch_docs=2)
    for i in range(5):
        w.add(process_text(f"d{i}", "工会慰问困难职工10人。"))
    w.close()
    assert w.done == {} and len((tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()) == 5
    # and a resumed run still knows what the finished one wrote
    again = DatasetWriter(tmp_path / "out.jsonl", resume=True)
    assert sorted(again.done) == [f"d{i}" for i in range(5)]


def test_the_listing_goes_down_one_folder_at_a_time(tmp_path: Path, monkeypatch):
    # lazy: the first report comes before the later folders are listed at all
    for rel in ("a/1.txt", "b/2.txt", "c/3.txt"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x", encoding="utf-8")
    from pipeline.batch import inputs as inputs_mod

    listed: list[str] = []
    real = os.scandir
    monkeypatch.setattr(inputs_mod.os, "scandir", lambda top: listed.append(os.path.basename(top)) or real(top))
    walk = inputs_mod._walk(tmp_path)
    assert next(walk) == (str(tmp_path / "a" / "1.txt"), None)
    assert listed == [tmp_path.name, "a"]
    assert [p for p, _ in walk] == [str(tmp_path / "b" / "2.txt"), str(tmp_path / "c" / "3.txt")]


def test_duplicate_ids_are_found_exactly_even_when_hashes_collide(tmp_path: Path, monkeypatch):
    from pipeline.batch import inputs as inputs_mod

    for rel in ("x.txt", "x", "y.txt", "z.txt"):
        (tmp_path / rel).write_text("x", encoding="utf-8")
    assert inputs_mod.duplicate_ids(lambda: iter_inputs([tmp_path])) == \
        (4, [("x", str(tmp_path / "x"), str(tmp_path / "x.txt"))])
    # every id one hash: the second walk still reports only the real pair
    monkeypatch.setattr(inputs_mod, "_id_hash", lambda doc_id: 7)
    n, dups = inputs_mod.duplicate_ids(lambda: iter_inputs([tmp_path]))
    assert n == 4 and [d[0] for d in dups] == ["x"]
    (tmp_path / "x").unlink()
    assert inputs_mod.duplicate_ids(lambda: iter_inputs([tmp_path])) == (3, [])


def test_doc_ids_of_walked_paths_are_relpath_and_parts_as_before():
    # the fast path for paths the walk joined must give what relpath + Path parts give
    from hypothesis import given, settings, strategies as st
    from pathlib import PurePosixPath

    from pipeline.batch.inputs import _doc_id
    from pipeline.document import strip_txt

    part = st.sampled_from(["in", "a b", ".", "..", "", "x.txt", ".hidden", "报告.TXT", "in.txt", "z"])

    @settings(max_examples=300, deadline=None)
    @given(root=st.lists(part, min_size=1, max_size=3), rest=st.lists(part, min_size=1, max_size=4),
           absolute=st.booleans())
    def same(root, rest, absolute):
        r = ("/" if absolute else "") + "/".join(root)
        p = os.path.join(r, *rest) if r else "/".join(rest)
        if not r or not p or os.path.basename(p) in ("", ".", ".."):
            return
        want = strip_txt(PurePosixPath(*Path(os.path.relpath(p, r)).parts).as_posix())
        assert _doc_id(p, r) == want, (p, r)

    same()
