"""Archive formats: .docx, .pdf and .rtf read from files the tests build give the
facts of their plain-text twin; a corrupt file of each type and a scanned PDF
are error records that say why; legacy .doc is read where antiword is present."""

from __future__ import annotations

import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline import extract_file
from pipeline.cli import app
from pipeline.document import Options
from pipeline.train.sample_docs import write_docx, write_pdf, write_rtf

NO = Options(ner=False)
LINES = ["区总工会2023年春节送温暖工作总结",
         "春节前,区总工会共慰问困难职工120名,其中在岗职工80名,退休职工40名,发放慰问金6.5万元。",
         "同时走访劳模15人,送去慰问金7500元。"]
TABLE = [["项目", "金额(万元)"], ["慰问金", "6.5"], ["物资", "1.2"]]


def _facts(doc) -> list[tuple]:
    return sorted(((f.type, getattr(f, "value", None), getattr(f, "unit", None)) for f in doc.facts
                   if f.type in ("amount", "count")), key=repr)


@pytest.fixture()
def twin(tmp_path: Path) -> Path:
    p = tmp_path / "twin.txt"
    p.write_text("\n".join(LINES) + "\n", encoding="utf-8")
    return p


def test_docx_paragraphs_and_table_rows(tmp_path: Path, twin: Path) -> None:
    path = tmp_path / "r.docx"
    write_docx(path, LINES, TABLE, footer="第1页")
    doc = extract_file(path, options=NO)
    assert doc.status == "ok" and doc.reader == "python-docx" and doc.reader_version
    # the table is rows of cells: its unit stands in the header, as in a plain-text table
    extra = Counter(_facts(doc)) - Counter(_facts(extract_file(twin, options=NO)))
    assert extra == Counter([("amount", 12000, None), ("amount", 65000, None)])
    shown = CliRunner().invoke(app, ["text", str(path)]).output
    assert "慰问金 | 6.5" in shown and shown.rstrip().endswith("第1页")
    assert all(shown[f.start:f.end] == f.quote for f in doc.facts)  # offsets point into that text


def test_pdf_text_layer(tmp_path: Path, twin: Path) -> None:
    path = tmp_path / "r.pdf"
    write_pdf(path, LINES)
    doc = extract_file(path, options=NO)
    assert doc.status == "ok" and doc.reader == "pypdf"
    assert _facts(doc) == _facts(extract_file(twin, options=NO))
    # the same file gives the same text every time
    assert extract_file(path, options=NO).model_dump() == doc.model_dump()


def test_scanned_pdf_says_no_text_layer(tmp_path: Path) -> None:
    from reportlab.pdfgen import canvas

    path = tmp_path / "scan.pdf"
    c = canvas.Canvas(str(path))
    c.rect(50, 50, 200, 200, fill=1)  # a page that is a picture
    c.save()
    doc = extract_file(path, options=NO)
    assert doc.status == "error" and "no text layer" in doc.error


def test_rtf_with_gbk_and_unicode_escapes(tmp_path: Path, twin: Path) -> None:
    path = tmp_path / "r.rtf"
    write_rtf(path, LINES)  # \\'xx GBK bytes and \\uN escapes, as Word and WPS write them
    assert b"\\'" in path.read_bytes() and b"\\u" in path.read_bytes()
    doc = extract_file(path, options=NO)
    assert doc.status == "ok" and doc.reader == "striprtf"
    assert _facts(doc) == _facts(extract_file(twin, options=NO))


@pytest.mark.parametrize("suffix", [".docx", ".pdf", ".rtf", ".doc", ".wps"])
def test_corrupt_file_is_an_error_record(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"bad{suffix}"
    path.write_bytes(b"\x00\x01 this is not what the name says" * 10)
    doc = extract_file(path, options=NO)
    assert doc.status == "error" and doc.error


@pytest.mark.skipif(not shutil.which("soffice") and not shutil.which("libreoffice"),
                    reason="writing a .doc needs LibreOffice (not installed); antiword only reads")
def test_legacy_doc_and_wps_through_antiword(tmp_path: Path, twin: Path) -> None:
    write_docx(tmp_path / "r.docx", LINES, None)
    office = shutil.which("soffice") or shutil.which("libreoffice")
    subprocess.run([office, "--headless", "--convert-to", "doc", "--outdir", str(tmp_path), str(tmp_path / "r.docx")],
                   check=True, capture_output=True, timeout=180)
    doc = extract_file(tmp_path / "r.doc", options=NO)
    assert doc.status == "ok" and doc.reader in ("antiword", "catdoc", "libreoffice")
    assert _facts(doc) == _facts(extract_file(twin, options=NO))
    # WPS Writer saves Word-compatible OLE documents under .wps: the same readers take them
    shutil.copy(tmp_path / "r.doc", tmp_path / "r.wps")
    wps = extract_file(tmp_path / "r.wps", options=NO)
    assert wps.status == "ok" and _facts(wps) == _facts(doc)


def test_folder_run_reads_every_format(tmp_path: Path, twin: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    write_docx(src / "a.docx", LINES, None)
    shutil.copy(twin, src / "b.txt")
    out = tmp_path / "ds"
    r = CliRunner().invoke(app, ["extract", str(src), "--no-ner", "--format", "parquet", "-o", str(out)])
    assert r.exit_code == 0, r.output
    import pandas as pd

    docs = pd.read_parquet(out / "documents").set_index("doc_id")
    assert docs.loc["a.docx", "status"] == "ok" and docs.loc["a.docx", "n_facts"] == docs.loc["b", "n_facts"]
