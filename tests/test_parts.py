"""A long text read in parts (pipeline/parts.py): the same records as read
whole, in the whole text's offsets, with memory bounded by a part."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest

from pipeline import parts
from pipeline.batch.dataset import DatasetWriter
from pipeline.batch.export import LineFile, prepare, prepare_parts
from pipeline.batch.inputs import iter_inputs
from pipeline.batch.run import run
from pipeline.document import Options, process_text
from pipeline.text.normalize import normalize
from pipeline.text.segment import segment
from pipeline.train.synth import generate

ROOT = Path(__file__).resolve().parent.parent
NO_NER = Options(ner=False)


@pytest.fixture(scope="module")
def long_text() -> str:
    # synthetic pages one after the other, as an archive dump holds them (~60 k characters)
    return "\n".join(text for _, text, _ in generate(60, seed=7))


def _line(p) -> bytes:
    assert isinstance(p.json, LineFile)
    data = Path(p.json.path).read_bytes()
    assert len(data) == p.json.size
    p.discard()
    return data


def _in_parts(text: str, part: int, options: Options = Options()) -> dict:
    header, docs = parts.read_in_parts("long", text, options=options, part=part)
    return json.loads(_line(prepare_parts(header, docs, with_rows=False)))


def test_one_part_writes_the_very_line_of_the_whole_document() -> None:
    # the splicing of per-list files into the header's line is the serializer's own line
    for f in sorted((ROOT / "corpus" / "raw").glob("*.txt")):
        raw = f.read_text(encoding="utf-8")
        whole = process_text("d", raw)
        header, docs = parts.read_in_parts("d", raw, part=10 ** 9)
        assert _line(prepare_parts(header, docs, with_rows=False)) == whole.to_json_bytes(), f.name


@pytest.mark.parametrize("part", [20_000, 5_000])
def test_parts_give_the_records_of_the_whole_text(long_text: str, part: int) -> None:
    whole = json.loads(process_text("long", long_text).to_json_bytes())
    got = _in_parts(long_text, part)
    header, _ = parts.read_in_parts("long", long_text, part=part)
    nt = normalize(long_text)
    assert len(parts.cuts(nt.text, segment(nt.text), part)) > 2
    for kind in ("facts", "entities", "placeholders", "boilerplate", "checks", "sections", "events"):
        assert got[kind] == whole[kind], kind
    assert {k: v for k, v in got.items() if not isinstance(v, list)} == \
        {k: v for k, v in whole.items() if not isinstance(v, list)}


def test_a_cut_through_a_report_keeps_one_section_and_every_span(long_text: str) -> None:
    # parts far shorter than a sub-report: cuts fall inside reports, at line starts
    whole = json.loads(process_text("long", long_text[:8000]).to_json_bytes())
    got = _in_parts(long_text[:8000], 300)
    assert [s["index"] for s in got["sections"]] == [s["index"] for s in whole["sections"]]
    assert [(s["start"], s["end"], s["body_end"]) for s in got["sections"]] == \
        [(s["start"], s["end"], s["body_end"]) for s in whole["sections"]]
    assert got["facts"] == whole["facts"]
    for kind in ("facts", "entities", "sections", "boilerplate", "placeholders", "events"):
        for r in got[kind]:
            assert long_text[r["start"]:r["end"]] == r["quote"], (kind, r)
    ids = [e["event_id"] for e in got["events"]]
    assert ids == [f"long:event:{k + 1}" for k in range(len(ids))]
    facts = {f["fact_id"] for f in got["facts"]}
    for e in got["events"]:
        for r in e["recipients"] + e["amounts"] + ([e["date"]] if e["date"] else []):
            assert r["fact_id"] in facts
    for c in got["checks"]:
        assert c["event_id"] is None or c["event_id"] in ids


def test_cuts_prefer_a_heading_then_a_line_start() -> None:
    # sub-reports numbered as a page numbers them (工会工作总结1, 工会工作总结2)
    text = "工会工作总结1\n" + ("正文一行。\n" * 40) + "工会工作总结2\n" + ("正文一行。\n" * 40)
    seg = segment(text)
    heading = text.index("工会工作总结2")
    assert heading == seg.sections[1].start
    assert heading in parts.cuts(text, seg, 200)
    plain = "正文一行。\n" * 100
    for c in parts.cuts(plain, segment(plain), 100)[1:]:
        assert plain[c - 1] == "\n"
    one_line = "字" * 1000
    assert parts.cuts(one_line, segment(one_line), 100) == list(range(0, 1000, 100))
    # one long line of sentences (minified HTML): cut after a sentence, never inside a figure
    sentences = "慰问职工1234名。" * 100
    for c in parts.cuts(sentences, segment(sentences), 100)[1:]:
        assert sentences[c - 1] == "。"


def test_a_name_found_in_a_late_part_is_hidden_in_the_early_ones() -> None:
    # 王建国工会 is read as an organisation: the early part holds no PERSON of its
    # own, and its quote would keep the name if only its own entities were asked
    early = "王建国工会开展春节送温暖活动。\n" + "正文一行。\n" * 30
    late = "二、困难帮扶\n慰问了困难职工王建国同志。\n"
    text = "一、节日慰问\n" + early + late
    opts = Options(redact_persons=True)
    header, docs = parts.read_in_parts("long", text, options=opts, part=60)
    line = _line(prepare_parts(header, docs, with_rows=False)).decode("utf-8")
    assert len(parts.cuts(normalize(text).text, segment(normalize(text).text), 60)) > 2
    assert "王建国" not in line and json.loads(line)["redacted"] is True
    assert "王建国" not in process_text("long", text, options=opts).to_json()


@pytest.fixture
def small_parts(monkeypatch):
    monkeypatch.setattr(parts, "LONG_TEXT", 20_000)
    monkeypatch.setattr(parts, "PART_CHARS", 5_000)


@pytest.mark.parametrize("workers", [1, 2])
@pytest.mark.parametrize("fmt", ["jsonl", "parquet"])
def test_a_batch_run_writes_a_long_text_read_in_parts(tmp_path: Path, long_text: str, small_parts,
                                                     monkeypatch, workers: int, fmt: str) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    src = tmp_path / "in"
    src.mkdir()
    (src / "long.txt").write_text(long_text, encoding="utf-8")
    (src / "short.txt").write_text(long_text[:3000], encoding="utf-8")
    out = tmp_path / ("out.jsonl" if fmt == "jsonl" else "out")
    from pipeline.batch.export import prepare_json

    writer = DatasetWriter(out, fmt)
    for _, p in run(iter_inputs([src]), workers, finish=prepare_json if fmt == "jsonl" else prepare,
                    options=NO_NER):
        writer.add(p)
    writer.close()
    whole = process_text("long", long_text, options=NO_NER)
    if fmt == "jsonl":
        lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
        got = {d["doc_id"]: d for d in lines}
        assert got["long"]["facts"] == json.loads(whole.to_json())["facts"]
        assert got["long"]["sha256"] and got["long"]["length"] == len(long_text)
        assert got["short"]["facts"] == json.loads(process_text("short", long_text[:3000],
                                                                 options=NO_NER).to_json())["facts"]
    else:
        import pyarrow.parquet as pq

        docs = pq.read_table(out / "documents").to_pylist()
        n = {d["doc_id"]: d["n_facts"] for d in docs}
        assert n["long"] == len(whole.facts)
        facts = pq.read_table(out / "facts").to_pylist()
        assert sum(f["doc_id"] == "long" for f in facts) == len(whole.facts)
    assert list((tmp_path / "tmp").iterdir()) == []  # no line file left behind


def test_a_failure_in_a_late_part_is_an_error_record_and_leaves_no_file(tmp_path: Path, long_text: str,
                                                                      small_parts, monkeypatch) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    real, seen = parts.build, []

    def fails_third(*a, **k):
        seen.append(1)
        if len(seen) == 3:
            raise RuntimeError("boom")
        return real(*a, **k)

    monkeypatch.setattr(parts, "build", fails_third)
    src = tmp_path / "in"
    src.mkdir()
    (src / "long.txt").write_text(long_text, encoding="utf-8")
    from pipeline.batch.export import prepare_json

    [(_, p)] = list(run(iter_inputs([src]), 1, finish=prepare_json, options=NO_NER))
    assert p.status == "error" and "boom" in p.error and isinstance(p.json, bytes)
    assert [f for f in tmp_path.iterdir() if f.name != "in"] == []


def test_a_short_text_is_read_whole(long_text: str) -> None:
    reader = parts.long_reader(lambda h, d: pytest.fail("read in parts"), NO_NER, None)
    assert reader("d", long_text, None, False, {}) is None


def test_with_no_heading_near_a_cut_falls_after_a_blank_line_or_a_sentence() -> None:
    # a flattened table (no sentence ends) between paragraphs, shorter than half a
    # part: never cut inside it, wherever the part boundaries fall
    table = "项目 人数\n" + "".join(f"帮扶{k} {k}\n" for k in range(30))
    text = "正文一段话。\n" * 80 + "\n" + table + "\n" + "正文一段话。\n" * 80
    start, end = text.index(table), text.index(table) + len(table)
    cut_near = 0
    for part in range(2 * len(table), 3 * len(table), 10):
        cs = parts.cuts(text, segment(text), part)[1:]
        cut_near += any(start - part // 2 < c < end + part // 2 for c in cs)
        for c in cs:
            assert not start < c < end, (part, c)
    assert cut_near  # the test put cuts near the table at all


def test_standard_output_writes_the_line_file_and_removes_it(long_text: str) -> None:
    import io

    from pipeline.cli import _Stdout

    header, docs = parts.read_in_parts("long", long_text, options=NO_NER, part=5_000)
    p = prepare_parts(header, docs, with_rows=False)
    out = _Stdout()
    out.out = io.BytesIO()
    out.add(p)
    assert json.loads(out.out.getvalue())["facts"] == json.loads(process_text("long", long_text,
                                                                              options=NO_NER).to_json())["facts"]
    assert not Path(p.json.path).exists()


# -- the other ways in: the Python API, Dask, audit -------------------------------

def _cli_line(doc_id: str, text: str, options: Options = NO_NER, encoding: str | None = None) -> bytes:
    header, docs = parts.read_in_parts(doc_id, text, encoding, options=options)
    return _line(prepare_parts(header, docs, with_rows=False))


def test_the_python_api_gives_the_records_the_cli_writes(tmp_path: Path, long_text: str, small_parts,
                                                         monkeypatch) -> None:
    from pipeline import extract_file, extract_text

    line = _cli_line("long", long_text)
    real, calls = parts.read_in_parts, []
    monkeypatch.setattr(parts, "read_in_parts", lambda *a, **k: calls.append(1) or real(*a, **k))
    assert extract_text(long_text, "long", options=NO_NER).to_json_bytes() == line
    f = tmp_path / "long.txt"
    f.write_text(long_text, encoding="utf-8")
    from_file = extract_file(f, options=NO_NER)
    assert len(calls) == 2  # read in parts both times, not whole
    assert from_file.to_json_bytes() == _cli_line("long", long_text, encoding=from_file.encoding)
    calls.clear()  # read in parts both times, not whole
    assert extract_text(long_text[:3000], "short", options=NO_NER) == process_text("short", long_text[:3000],
                                                                                   options=NO_NER)
    assert calls == []


def test_a_dask_worker_reads_a_long_text_in_parts_and_sends_its_line_back(tmp_path: Path, long_text: str,
                                                                          small_parts, monkeypatch) -> None:
    from pipeline.batch.export import prepare_json
    from pipeline.batch.run import _Shipped, _work_shipped

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    [p] = _work_shipped([_Shipped("long", "long.txt", long_text.encode("utf-8"), False)], prepare_json, NO_NER)
    assert isinstance(p.json, bytes)  # in memory: the worker's files are not the client's
    got, want = json.loads(p.json), json.loads(_cli_line("long", long_text, encoding="utf-8"))
    assert {k: v for k, v in got.items() if k != "sha256"} == {k: v for k, v in want.items() if k != "sha256"}
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("only_problems", "workers"), [(False, 1), (True, 1), (False, 2)])
def test_audit_reads_a_long_text_in_parts_and_its_report_is_the_joined_documents(
        tmp_path: Path, long_text: str, small_parts, only_problems: bool, workers: int) -> None:
    from typer.testing import CliRunner

    from pipeline import extract_text
    from pipeline.audit.report import render
    from pipeline.cli import app

    bad = "共慰问困难职工520名,其中在岗职工300名,退休职工200名。\n"
    src = tmp_path / "in"
    src.mkdir()
    (src / "long.txt").write_text(long_text + "\n" + bad, encoding="utf-8")
    (src / "short.txt").write_text(bad, encoding="utf-8")
    html = tmp_path / "r.html"
    args = ["audit", str(src), "--no-ner", "-w", str(workers), "--html", str(html)] + (["--only-problems"] if only_problems else [])
    r = CliRunner().invoke(app, args)
    assert r.exit_code == 1, r.output
    docs = []
    for name in ("long", "short"):
        raw = (src / f"{name}.txt").read_text(encoding="utf-8")
        d = extract_text(raw, name, options=NO_NER)
        if only_problems:
            d = d.model_copy(update={"checks": [c for c in d.checks if c.status == "inconsistent"]})
        docs.append((d, raw))
    assert html.read_text(encoding="utf-8") == render(docs)
    n_bad = sum(c.status == "inconsistent" for d, _ in docs for c in d.checks)
    assert n_bad >= 2 and f"2 documents, {n_bad} inconsistent checks" in r.output
