"""Archive-grade reliability: nothing deleted that zongjie did not write, no
output to a device, no mixed resumes, unique doc_ids, no name leaks, one record
per input whatever it is, a pool that survives a dead worker, workers that die
with their parent, and one clear line instead of a traceback."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.batch import inputs as inputs_mod
from pipeline.batch import run as run_mod
from pipeline.batch.inputs import iter_inputs
from pipeline.cli import app
from pipeline.document import Options, process_bytes

REPORT = "区总工会开展春节送温暖活动,慰问困难职工120名,发放慰问金6.5万元。\n"
ZONGJIE = [sys.executable, "-m", "pipeline.cli"]


def _folder(tmp_path: Path, n: int = 3, name: str = "in") -> Path:
    d = tmp_path / name
    d.mkdir()
    for k in range(n):
        (d / f"r{k}.txt").write_text(REPORT.replace("120", str(100 + k)), encoding="utf-8")
    return d


def _lines(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


def _invoke(*args: str):
    # wide enough that rich does not fold a table cell across lines
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})


# -- data safety ----------------------------------------------------------------

def test_a_folder_zongjie_did_not_write_is_never_cleared(tmp_path: Path) -> None:
    src = _folder(tmp_path)
    out = tmp_path / "out"
    (out / "documents").mkdir(parents=True)
    (out / "documents" / "mine.txt").write_text("the user's own file")
    r = _invoke("extract", str(src), "--no-ner", "--format", "parquet", "-o", str(out))
    assert r.exit_code == 2 and "--overwrite" in r.output
    assert (out / "documents" / "mine.txt").read_text() == "the user's own file"
    # a dataset zongjie wrote is replaced by a fresh run without asking
    ok = tmp_path / "ds"
    assert _invoke("extract", str(src), "--no-ner", "--format", "parquet", "-o", str(ok)).exit_code == 0
    assert (ok / "_zongjie.json").is_file()
    assert _invoke("extract", str(src), "--no-ner", "--format", "parquet", "-o", str(ok)).exit_code == 0
    # and --overwrite is the user's explicit yes
    assert _invoke("extract", str(src), "--no-ner", "--format", "parquet", "-o", str(out),
                   "--overwrite").exit_code == 0


def test_a_run_killed_while_it_wrote_its_marker_can_be_run_again(tmp_path: Path) -> None:
    # the state folder made, the marker's .part written, the process killed before the rename
    src = _folder(tmp_path)
    out = tmp_path / "o.jsonl"
    state = tmp_path / "o.jsonl.parts"
    state.mkdir()
    (state / "_zongjie.json.part").write_text("{")
    for resume in ([], ["--resume"]):
        r = _invoke("extract", str(src), "--no-ner", "-o", str(out), *resume)
        assert r.exit_code == 0, r.output
        assert out.is_file() and not state.exists()
        state.mkdir()
        (state / "_zongjie.json.part").write_text("{")
    # anything else in it is not ours to clear
    (state / "notes.txt").write_text("mine")
    assert _invoke("extract", str(src), "--no-ner", "-o", str(out)).exit_code == 2
    assert (state / "notes.txt").read_text() == "mine"


def test_special_and_unwritable_targets_are_refused_before_any_work(tmp_path: Path) -> None:
    src = _folder(tmp_path)
    r = _invoke("extract", str(src), "--no-ner", "-o", "/dev/full")
    assert r.exit_code == 2 and "not a regular file" in r.output
    assert Path("/dev/full").is_char_device()
    blocker = tmp_path / "afile"
    blocker.write_text("x")
    for flag in ("-o", "--duckdb"):
        args = ["extract", str(src), "--no-ner", "-o", str(tmp_path / "o.jsonl")]
        if flag == "-o":
            args[-1] = str(blocker / "o.jsonl")
        else:
            args += ["--duckdb", str(blocker / "x.duckdb")]
        r = _invoke(*args)
        assert r.exit_code == 2, (flag, r.output)
    r = _invoke("audit", str(src), "--no-ner", "--html", "/dev/null")
    assert r.exit_code == 2 and "not a regular file" in r.output


def test_dash_writes_jsonl_to_standard_output(tmp_path: Path) -> None:
    src = _folder(tmp_path, 2)
    p = subprocess.run(ZONGJIE + ["extract", str(src), "--no-ner", "-o", "-"], capture_output=True,
                       text=True, cwd=tmp_path, check=True)
    docs = [json.loads(x) for x in p.stdout.splitlines()]
    assert [d["doc_id"] for d in docs] == ["r0", "r1"]
    assert not (tmp_path / "-").exists()


def test_a_full_disk_is_one_clear_error_with_no_debris(tmp_path: Path) -> None:
    tiny = tmp_path / "tiny"
    tiny.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=48k", "tmpfs", str(tiny)],
                      capture_output=True).returncode != 0:
        pytest.skip("cannot mount a small tmpfs here (needs root)")
    try:
        src = tmp_path / "in"
        src.mkdir()
        for k in range(40):
            (src / f"r{k:02d}.txt").write_text(REPORT * 20, encoding="utf-8")
        p = subprocess.run(ZONGJIE + ["extract", str(src), "--no-ner", "--batch-size", "4", "-w", "1",
                                      "-o", str(tiny / "facts.jsonl")], capture_output=True, text=True)
        assert p.returncode == 1
        assert "Traceback" not in p.stderr and "No space left" in p.stderr
        assert not [f for f in tiny.rglob("*") if f.name.endswith((".part", ".tmp"))]
    finally:
        subprocess.run(["umount", str(tiny)], check=False)


def test_resume_keeps_the_options_of_the_run_it_continues(tmp_path: Path) -> None:
    src = _folder(tmp_path, 3)
    out = tmp_path / "ds"
    assert _invoke("extract", str(src), "--no-ner", "--format", "parquet", "-o", str(out),
                   "--batch-size", "1").exit_code == 0
    # a resume that contradicts the stored run is refused ...
    r = _invoke("extract", str(src), "--ner", "--format", "parquet", "-o", str(out), "--resume")
    assert r.exit_code == 2 and "cannot resume" in r.output
    # ... one that says nothing takes the stored options (here: no NER model needed)
    marker = json.loads((out / "_zongjie.json").read_text())
    assert marker["options"]["ner"] is False and marker["zongjie"]
    for p in sorted((out / "_batches").glob("part-*.json"))[1:]:
        p.unlink()  # as if the run had been killed after its first batch
    r = _invoke("extract", str(src), "--format", "parquet", "-o", str(out), "--resume")
    assert r.exit_code == 0, r.output
    assert "1 documents already done" in r.output
    import pandas as pd

    docs = pd.read_parquet(out / "documents")
    assert sorted(docs.doc_id) == ["r0", "r1", "r2"]
    assert not (docs.n_entities if "n_entities" in docs else pd.Series([0])).any()


def test_resume_refuses_another_redaction_key(tmp_path: Path) -> None:
    from pipeline.cli import ResumeConflict, resolve_options

    stored = {"zongjie": __import__("pipeline").__version__,
              "options": {"ner": True, "redact_persons": True, "redact_key": "0123456789abcdef"}}
    with pytest.raises(ResumeConflict, match="key"):
        resolve_options(stored, None, None, "another", resume=True)
    with pytest.raises(ResumeConflict, match="redact"):
        resolve_options(stored, None, False, None, resume=True)
    assert resolve_options(None, None, None, None, resume=True).ner is True


def test_resume_keeps_the_entity_engine_of_the_run(tmp_path: Path) -> None:
    """A dataset's entities come from one engine: a resume takes the stored one,
    refuses another, and a dataset written before engines existed was the model's."""
    from pipeline.cli import ResumeConflict, resolve_options

    version = __import__("pipeline").__version__
    stored = {"zongjie": version, "options": {"ner": True, "ner_engine": "lexical", "redact_persons": False,
                                              "redact_key": ""}}
    assert resolve_options(stored, None, None, None, resume=True).ner_engine == "lexical"
    with pytest.raises(ResumeConflict, match="--ner-engine"):
        resolve_options(stored, None, None, None, resume=True, engine="model")
    older = {"zongjie": version, "options": {"ner": True, "redact_persons": False, "redact_key": ""}}
    assert resolve_options(older, None, None, None, resume=True).ner_engine == "model"
    assert resolve_options(None, None, None, None, resume=False).ner_engine == "lexical"


def test_an_unknown_entity_engine_is_refused(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text(REPORT, encoding="utf-8")
    out = tmp_path / "o.jsonl"
    r = _invoke("extract", str(tmp_path / "in"), "--ner-engine", "bert", "-o", str(out))
    assert r.exit_code == 2 and "--ner-engine" in r.output and not out.exists()


def test_doc_ids_are_unique_and_collisions_stop_the_run(tmp_path: Path) -> None:
    for name in ("in2", "in3"):
        (tmp_path / name / "a").mkdir(parents=True)
        (tmp_path / name / "a" / "x.txt").write_text(REPORT, encoding="utf-8")
    out = tmp_path / "o.jsonl"
    r = _invoke("extract", str(tmp_path / "in2"), str(tmp_path / "in3"), "--no-ner", "-o", str(out))
    assert r.exit_code == 2 and "a/x" in r.output and not out.exists()
    # a glob's files are named relative to the folder before the wildcard
    ids = [i.doc_id for i in iter_inputs([str(tmp_path / "in*" / "a" / "x.txt")])]
    assert ids == ["in2/a/x", "in3/a/x"]
    # two zips of one name in different folders
    for sub in ("y2024", "y2025"):
        (tmp_path / "z" / sub).mkdir(parents=True)
        with zipfile.ZipFile(tmp_path / "z" / sub / "reports.zip", "w") as zf:
            zf.writestr("a.txt", REPORT)
    ids = [i.doc_id for i in iter_inputs([tmp_path / "z"])]
    assert ids == ["y2024/reports/a", "y2025/reports/a"]
    # and an upper-case suffix goes like a lower-case one
    (tmp_path / "u").mkdir()
    (tmp_path / "u" / "UPPER.TXT").write_text(REPORT, encoding="utf-8")
    assert [i.doc_id for i in iter_inputs([tmp_path / "u"])] == ["UPPER"]


def test_redaction_leaves_no_name_in_any_field(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "张伟慰问记录.txt").write_text("张伟同志带队慰问困难职工30名,发放慰问金3000元。张伟表示将继续关心职工。\n",
                                     encoding="utf-8")
    (src / "trad.txt").write_text("工會(huì)主席陳(chén)國(guó)強(qiáng)帶隊慰問困難職工50名,發放慰問金5000元。\n",
                                  encoding="utf-8")
    out = tmp_path / "ds"
    r = _invoke("extract", str(src), "--redact-persons", "--redact-key", "k", "--format", "csv", "-o", str(out))
    assert r.exit_code == 0, r.output
    blob = "".join(p.read_text(encoding="utf-8") for p in out.rglob("*.csv"))
    blob += "".join(p.read_text(encoding="utf-8") for p in out.rglob("*.json"))
    for leak in ("张伟", "陳", "國強", "陈国强", "qiáng"):
        assert leak not in blob, leak
    assert "人名-" in blob


# -- nothing silently dropped -----------------------------------------------------

def test_every_input_has_a_record_with_a_reason(tmp_path: Path) -> None:
    d = tmp_path / "in"
    (d / "sub").mkdir(parents=True)
    (d / "good.txt").write_text(REPORT, encoding="utf-8")
    for name in ("a.doc", "b.docx", "c.pdf", "d.rtf", "e.wps", "notes.md", "f.xlsx"):
        (d / name).write_bytes(b"{\\rtf1 not what its name says}")
    (d / "fake.zip").write_bytes(b"this is not a zip")
    with zipfile.ZipFile(d / "outer.zip", "w") as zf:
        zf.writestr("inner.zip", b"PK")
        zf.writestr("ok.txt", REPORT)
        zf.writestr("scan.pdf", b"%PDF")
    os.symlink(d / "loop1", d / "loop2")
    os.symlink(d / "loop2", d / "loop1")
    os.symlink(d / "sub", d / "linked")
    out = tmp_path / "o.jsonl"
    r = _invoke("extract", str(d), "--no-ner", "-o", str(out))
    assert r.exit_code == 0, r.output
    docs = {x["doc_id"]: x for x in _lines(out)}
    assert docs["good"]["status"] == "ok" and docs["outer/ok"]["status"] == "ok"
    for k in ("notes.md", "f.xlsx", "outer/inner.zip", "linked"):
        assert docs[k]["status"] == "skipped" and docs[k]["error"], k
    # formats zongjie reads: a file that is not what its name says is an error record with the reason
    for k in ("a.doc", "b.docx", "c.pdf", "e.wps", "outer/scan.pdf"):
        assert docs[k]["status"] == "error" and docs[k]["error"], k
    assert docs["d.rtf"]["status"] == "ok" and docs["d.rtf"]["reader"] == "striprtf"
    assert docs["fake"]["status"] == "error" and "zip" in docs["fake"]["error"]
    assert docs["loop1"]["status"] == "error" and docs["loop2"]["status"] == "error"
    assert "skipped" in r.output and f"{len(docs)} documents" in r.output
    # a file named alone of a type zongjie does not read: a record, not 0 facts "ok"
    r = _invoke("extract", str(d / "f.xlsx"), "--no-ner", "-o", str(out))
    assert _lines(out)[0]["status"] == "skipped"


def test_a_zip_bomb_member_is_refused_before_it_is_inflated(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(inputs_mod, "MAX_MEMBER", 100_000)
    z = tmp_path / "bomb.zip"
    with zipfile.ZipFile(z, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("big.txt", "0" * 5_000_000)
        zf.writestr("small.txt", REPORT)
    got = {i.doc_id: run_mod.process_input(i) for i in iter_inputs([z])}
    assert got["bomb/big"].status == "error" and "limit" in got["bomb/big"].error
    assert got["bomb/small"].status == "ok"


def test_zip_members_are_read_from_one_open_archive(tmp_path: Path, monkeypatch) -> None:
    z = tmp_path / "many.zip"
    with zipfile.ZipFile(z, "w") as zf:
        for k in range(50):
            zf.writestr(f"r{k}.txt", REPORT)
    opened = []
    real = zipfile.ZipFile

    def counting(*a, **kw):
        opened.append(a[0])
        return real(*a, **kw)

    inputs_mod._archive.cache_clear()
    monkeypatch.setattr(inputs_mod.zipfile, "ZipFile", counting)
    data = [i.read() for i in iter_inputs([z])]
    assert len(data) == 50 and len(opened) <= 2  # the listing, then one open archive for all reads


def _killer(inp, options=None, in_parts=None):
    if inp.doc_id == "r1":
        os.kill(os.getpid(), signal.SIGKILL)
    return _real_process_input(inp, options, in_parts)


_real_process_input = run_mod.process_input


def test_a_dead_worker_costs_one_record_not_the_run(tmp_path: Path, monkeypatch) -> None:
    src = _folder(tmp_path, 6)
    # workers are forked: the patched function is what they run
    monkeypatch.setattr(run_mod, "process_input", _killer)
    got = {i.doc_id: d for i, d in run_mod.run(iter_inputs([src]), workers=2, options=Options(ner=False))}
    assert sorted(got) == [f"r{k}" for k in range(6)]
    assert got["r1"].status == "error" and "died" in got["r1"].error
    assert all(got[f"r{k}"].status == "ok" for k in (0, 2, 3, 4, 5))


def test_workers_exit_when_the_parent_dies(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    for k in range(400):
        (src / f"r{k:03d}.txt").write_text(REPORT * 200, encoding="utf-8")
    p = subprocess.Popen(ZONGJIE + ["extract", str(src), "--no-ner", "-w", "2", "-o", str(tmp_path / "o.jsonl")],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def children() -> list[int]:
        out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(p.pid)], capture_output=True, text=True).stdout
        return [int(x) for x in out.split()]

    deadline = time.time() + 60
    kids: list[int] = []
    while time.time() < deadline and len(kids) < 2:
        kids = children()
        time.sleep(0.2)
    assert kids, "the pool never started"
    p.kill()
    p.wait()
    deadline = time.time() + 10
    alive = kids
    while time.time() < deadline and alive:
        alive = [k for k in alive if Path(f"/proc/{k}").exists()
                 and "zombie" not in Path(f"/proc/{k}/status").read_text(errors="replace").lower()]
        time.sleep(0.2)
    assert not alive


def test_a_runaway_document_becomes_an_error_record(monkeypatch) -> None:
    import pipeline.audit.reconcile as rec

    monkeypatch.setattr(rec, "reconcile", lambda doc, raw: time.sleep(30) or [])
    t0 = time.monotonic()
    doc = process_bytes("slow", REPORT.encode(), options=Options(ner=False, time_limit=0.5))
    assert time.monotonic() - t0 < 10
    assert doc.status == "error" and "longer than" in doc.error
    # the budget runs after one-time loads (jieba's dictionary): the process goes on healthy
    monkeypatch.undo()
    after = process_bytes("next", REPORT.encode(), options=Options(ner=False, time_limit=0.5))
    assert after.status == "ok" and after.facts


def test_ctrl_c_is_one_line_not_tracebacks(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    for k in range(2000):
        (src / f"r{k:04d}.txt").write_text(REPORT * 100, encoding="utf-8")
    p = subprocess.Popen(ZONGJIE + ["extract", str(src), "--no-ner", "-w", "2", "--batch-size", "4",
                                    "-o", str(tmp_path / "o.jsonl")],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    manifests = tmp_path / "o.jsonl.parts" / "_batches"
    deadline = time.time() + 60
    while time.time() < deadline and not (manifests.is_dir() and any(manifests.glob("*.json"))):
        time.sleep(0.1)
    p.send_signal(signal.SIGINT)
    _, stderr = p.communicate(timeout=60)
    assert p.returncode == 130
    assert "Traceback" not in stderr and "--resume" in stderr


def test_user_strings_are_printed_as_text_not_markup(tmp_path: Path) -> None:
    d = tmp_path / "in"
    (d / "bracket[").mkdir(parents=True)  # doc_id bracket[/x]: rich would read [/x] as a closing tag
    (d / "bracket[" / "x].txt").write_text("工会慰问职工共计30名,其中男职工20名,女职工10名。\n", encoding="utf-8")
    r = _invoke("extract", str(d), "--no-ner", "--summary", "-o", str(tmp_path / "o.jsonl"))
    assert r.exit_code == 0, r.output
    assert "bracket[/" in r.output  # the table may fold the cell; the text is there, not eaten as a tag
    r = _invoke("audit", str(d), "--no-ner", "-w", "1")
    assert r.exit_code in (0, 1) and r.exception is None and "bracket[/x]" in r.output


def test_an_unreachable_dask_scheduler_is_one_clear_error(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(run_mod, "DASK_CONNECT_TIMEOUT", "2s")
    r = _invoke("extract", str(_folder(tmp_path, 1)), "--no-ner", "--dask", "tcp://127.0.0.1:9",
                "-o", str(tmp_path / "o.jsonl"))
    assert r.exit_code == 2 and "Dask scheduler" in r.output
    assert not (tmp_path / "o.jsonl").exists()


# -- correctness found on the way ---------------------------------------------------

def test_csv_cells_that_look_like_formulas_are_quoted(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "f.txt").write_text("一、结余情况\n2023年经费结余-11万元。\n=HYPERLINK(\"x\")慰问职工5名。\n", encoding="utf-8")
    out = tmp_path / "ds"
    assert _invoke("extract", str(src), "--no-ner", "--format", "csv", "-o", str(out)).exit_code == 0
    cells = [c for p in (out / "facts").glob("*.csv") for line in p.read_text(encoding="utf-8").splitlines()
             for c in line.split(",")]
    # a text cell never opens with a formula sign; a negative number in a number column is a number
    texts = [c.strip('"') for c in cells]
    assert not [c for c in texts if c.startswith(("=", "+", "@")) or (c.startswith("-") and not c[1:].replace(".", "").isdigit())]
    assert "'-11万元" in texts


def test_direction_controls_are_shown_not_obeyed() -> None:
    from pipeline import extract_text
    from pipeline.audit.report import render

    text = "慰问职工\u202e共计30名,其中男职工20名,女职工10名。\u2066\n"
    html = render([(extract_text(text, options=Options(ner=False)), text)])
    assert "\u202e" not in html and "\u2066" not in html and "U+202E" in html


def test_extract_file_reads_html_as_the_cli_does(tmp_path: Path) -> None:
    from pipeline import extract_file

    page = tmp_path / "p.html"
    page.write_text("<html><head><script>var a='发放100元';</script></head><body><!-- 慰问200名 -->"
                    "<p>慰问困难职工<b>50</b>名,发放慰问金3&nbsp;000元。</p></body></html>", encoding="utf-8")
    doc = extract_file(page, options=Options(ner=False))
    assert sorted((f.type, f.value) for f in doc.facts if f.type != "date") == [("amount", 3000), ("count", 50)]


def test_audit_only_problems_leaves_consistent_checks_out_of_the_html(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text("共慰问职工30名,其中男职工20名,女职工10名。\n共资助学生50名,其中大学生20名,高中生20名。\n",
                               encoding="utf-8")
    html = tmp_path / "r.html"
    r = _invoke("audit", str(src), "--no-ner", "-w", "1", "--only-problems", "--html", str(html))
    assert r.exit_code == 1
    page = html.read_text(encoding="utf-8")
    assert 'class="check inconsistent"' in page and 'class="check consistent"' not in page


def test_parse_number_never_raises_nor_returns_what_json_cannot_write() -> None:
    import json as _json

    from pipeline import parse_amount, parse_number

    for s in ("1e99999999", "1e-99999", "9" * 400, "1万亿亿亿亿", "-1e309", "NaN", "inf"):
        v, m = parse_number(s), parse_amount(s + "元")
        _json.dumps([v, m.value if m else None], allow_nan=False)
    assert parse_number("1e99999999") is None


def test_an_unreadable_subfolder_is_an_error_record(tmp_path: Path, monkeypatch) -> None:
    # as root a chmod does not stop a listing: the OS refusal is simulated where the listing asks
    d = tmp_path / "in"
    (d / "locked").mkdir(parents=True)
    (d / "ok.txt").write_text(REPORT, encoding="utf-8")
    real_scandir = os.scandir

    def scandir(top):
        if str(top).endswith("locked"):
            raise PermissionError(13, "Permission denied", str(top))
        return real_scandir(top)

    monkeypatch.setattr(inputs_mod.os, "scandir", scandir)
    got = {i.doc_id: run_mod.process_input(i, Options(ner=False)) for i in iter_inputs([d])}
    assert got["ok"].status == "ok"
    assert got["locked"].status == "error" and "Permission denied" in got["locked"].error
