"""Write the sample corpus's archive-format reports (corpus/raw/*.docx, *.pdf,
*.rtf), texts of the project's own writing, so that ``make demo`` reads every
format zongjie reads. Rebuild with ``python -m pipeline.train.sample_docs corpus/raw``
(needs reportlab, a dev dependency). The files are written deterministically:
fixed document dates, reportlab's invariant mode."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

FINANCE = [
    "镇总工会2024年度经费收支情况说明",
    "一、收入情况",
    "2024年度收入合计86.5万元。其中:",
    "1.拨缴经费收入52.3万元;",
    "2.会员会费收入8.2万元;",
    "3.上级补助收入26万元。",
    "二、支出情况",
    "2024年度支出合计80.1万元,其中职工活动支出61.4万元,维权支出18.7万元。",
    "三、结余情况",
    "当年结余6.4万元。",
]
FINANCE_TABLE = [["项目", "金额(万元)"], ["送温暖慰问", "35.6"], ["金秋助学", "25.8"]]

NEWS = [
    "县总工会开展夏送清凉慰问活动",
    "7月18日,县总工会走访慰问一线环卫工人和建筑工人共计260名,",
    "送去防暑降温物品和慰问金3.9万元,其中环卫工人160名,建筑工人100名。",
]

SUMMARY = [
    "社区工会金秋助学工作总结",
    "今年,社区工会共资助困难职工子女42名,其中大学生30名,每人2000元;高中生12名,每人1000元,",
    "共发放助学金7.2万元。",
]


def write_docx(path: Path, lines: list[str] = FINANCE, table: list[list[str]] | None = FINANCE_TABLE,
               footer: str | None = None) -> None:
    """Paragraphs, then a table (rows of cells), then an optional footer line."""
    from docx import Document

    d = Document()
    for line in lines:
        d.add_paragraph(line)
    if table:
        t = d.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, cell in enumerate(row):
                t.cell(r, c).text = cell
    if footer:
        d.sections[0].footer.paragraphs[0].text = footer
    stamp = dt.datetime(2025, 1, 6, 9, 0, 0)
    d.core_properties.created = d.core_properties.modified = stamp
    d.core_properties.author = "zongjie sample"
    d.save(path)
    _fix_zip_times(path)


def _fix_zip_times(path: Path) -> None:
    """A .docx is a zip whose entries carry the time they were written: fix it."""
    import zipfile

    with zipfile.ZipFile(path) as zf:
        entries = [(i, zf.read(i)) for i in zf.infolist()]
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for info, data in entries:
            fixed = zipfile.ZipInfo(info.filename, date_time=(2025, 1, 6, 9, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(fixed, data)


def write_pdf(path: Path, lines: list[str] = NEWS) -> None:
    """One page with a text layer (reportlab's built-in CJK font)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    c = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    c.setFont("STSong-Light", 11)
    y = 800
    for line in lines:
        c.drawString(50, y, line)
        y -= 22
    c.save()


def write_rtf(path: Path, lines: list[str] = SUMMARY) -> None:
    """Chinese RTF as Word and WPS write it: GBK bytes as \\'xx on odd lines, \\uN on even ones."""
    def esc(line: str, k: int) -> str:
        if k % 2:
            return "".join(f"\\u{ord(ch)}?" if ord(ch) > 127 else ch for ch in line)
        return "".join("".join(f"\\'{b:02x}" for b in ch.encode("gbk")) if ord(ch) > 127 else ch for ch in line)

    body = "\\par\n".join(esc(line, k) for k, line in enumerate(lines))
    path.write_bytes(("{\\rtf1\\ansi\\ansicpg936\\deff0{\\fonttbl{\\f0\\fnil\\fcharset134 SimSun;}}\n"
                      + body + "\\par\n}\n").encode("ascii"))


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    write_docx(out / "05_finance_report.docx")
    write_pdf(out / "06_news_summer_relief.pdf")
    write_rtf(out / "07_jinqiu_summary.rtf")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "corpus/raw"))
