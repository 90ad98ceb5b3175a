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
    from docx import Document

    d = Document()
    for line in LINES:
        d.add_paragraph(line)
    t = d.add_table(rows=len(TABLE), cols=2)
    for r, row in enumerate(TABLE):
        for c, cell in enumerate(row):
            t.cell(r, c).text = cell
    d.sections[0].footer.paragraphs[0].text = "第1页"
    path = tmp_path / "r.docx"
    d.save(path)
    doc = extract_file(path, options=NO)
    assert doc.status == "ok" and doc.reader == "python-docx" and doc.reader_version
    # the table is rows of cells: its unit stands in the header, as in a plain-text table
    extra = Counter(_facts(doc)) - Counter(_facts(extract_file(twin, options=NO)))
    assert extra == Counter([("amount", 12000, None), ("amount", 65000, None)])
    shown = CliRunner().invoke(app, ["text", str(path)]).output
    assert "慰问金 | 6.5" in shown and shown.rstrip().endswith("第1页")
    assert all(shown[f.start:f.end] == f.quote for f in doc.facts)  # offsets point into that text


def test_pdf_text_layer(tmp_path: Path, twin: Path) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    path = tmp_path / "r.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    c.setFont("STSong-Light", 10)
    y = 800
    for line in LINES:
        c.drawString(40, y, line)
        y -= 20
    c.save()
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
    def esc(line: str, k: int) -> str:
        # half the lines as \\'xx GBK bytes, half as \\uN escapes, as Word and WPS write them
        if k % 2:
            return "".join(f"\\u{ord(ch)}?" if ord(ch) > 127 else ch for ch in line)
        return "".join("".join(f"\\'{b:02x}" for b in ch.encode("gbk")) if ord(ch) > 127 else ch for ch in line)

    body = "\\par\n".join(esc(line, k) for k, line in enumerate(LINES))
    path = tmp_path / "r.rtf"
    path.write_bytes(("{\\rtf1\\ansi\\ansicpg936\\deff0{\\fonttbl{\\f0 SimSun;}}\n" + body + "\\par\n}").encode("ascii"))
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
def test_legacy_doc_through_antiword(tmp_path: Path, twin: Path) -> None:
    from docx import Document

    d = Document()
    for line in LINES:
        d.add_paragraph(line)
    d.save(tmp_path / "r.docx")
    office = shutil.which("soffice") or shutil.which("libreoffice")
    subprocess.run([office, "--headless", "--convert-to", "doc", "--outdir", str(tmp_path), str(tmp_path / "r.docx")],
                   check=True, capture_output=True, timeout=180)
    doc = extract_file(tmp_path / "r.doc", options=NO)
    assert doc.status == "ok" and doc.reader in ("antiword", "catdoc", "libreoffice")
    assert _facts(doc) == _facts(extract_file(twin, options=NO))


def test_folder_run_reads_every_format(tmp_path: Path, twin: Path) -> None:
    from docx import Document

    src = tmp_path / "in"
    src.mkdir()
    d = Document()
    for line in LINES:
        d.add_paragraph(line)
    d.save(src / "a.docx")
    shutil.copy(twin, src / "b.txt")
    out = tmp_path / "ds"
    r = CliRunner().invoke(app, ["extract", str(src), "--no-ner", "--format", "parquet", "-o", str(out)])
    assert r.exit_code == 0, r.output
    import pandas as pd

    docs = pd.read_parquet(out / "documents").set_index("doc_id")
    assert docs.loc["a.docx", "status"] == "ok" and docs.loc["a.docx", "n_facts"] == docs.loc["b", "n_facts"]
