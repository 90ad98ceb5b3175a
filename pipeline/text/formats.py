"""Report formats as archives hold them: .docx, .pdf, .rtf, .doc, .wps -> text.

For such an input the "original text" is the text read here: every offset
points into it, ``zongjie text FILE`` prints it, and the same file gives the
same text every time. ``read(data, fmt)`` returns ``(text, reader,
reader_version)`` or raises ``DecodeError`` (a corrupt file, a PDF with no text
layer) or ``ReaderMissing`` (the system program a legacy format needs is not
installed; the message names the Debian package).

Which library reads what, and why:

* ``.docx``: python-docx (well kept, pure Python). Body paragraphs and tables in
  document order; a table row is one line with its cells split by `` | `` (as
  plain-text tables are, so the auditor reads 收入 / 支出 rows); header lines
  first and footer lines last, where the chrome rules find them.
* ``.pdf``: pypdf (pure Python, no system library; pdfplumber reads the same
  text layer through pdfminer at several times the cost). Pages joined by a line
  break. A PDF without a text layer is an error that says so: no OCR here.
* ``.rtf``: striprtf, given the code page the file declares (``\\ansicpg936`` is
  GBK), so ``\\'xx`` bytes of Chinese RTF decode; ``\\uN`` escapes are its own.
* ``.doc`` and ``.wps``: antiword, else catdoc (Debian packages; CI installs
  them), else LibreOffice headless where present. No pure-Python reader of the
  old binary formats is well kept.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import tempfile
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from .reading import DecodeError

FORMATS = (".docx", ".pdf", ".rtf", ".doc", ".wps")
_TIMEOUT = 120


class ReaderMissing(DecodeError):
    """No reader for this format is installed here."""


@lru_cache(maxsize=None)
def _version(dist: str) -> str:
    try:
        return version(dist)
    except PackageNotFoundError:
        return "unknown"


def read(data: bytes, fmt: str) -> tuple[str, str, str]:
    fmt = fmt.lower().lstrip(".")
    if fmt == "docx":
        return _docx(data), "python-docx", _version("python-docx")
    if fmt == "pdf":
        return _pdf(data), "pypdf", _version("pypdf")
    if fmt == "rtf":
        return _rtf(data), "striprtf", _version("striprtf")
    if fmt in ("doc", "wps"):
        return _legacy(data, fmt)
    raise ValueError(f"not a document format: {fmt}")


def _docx(data: bytes) -> str:
    import zipfile

    from docx import Document
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        doc = Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as e:
        raise DecodeError(f"not a readable .docx file: {e}") from None
    lines: list[str] = []
    for section in doc.sections[:1]:  # one header is the page's; later sections repeat it
        lines += [p.text for p in section.header.paragraphs if p.text.strip()]
    for child in doc.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.append(Paragraph(child, doc).text)
        elif tag == "tbl":
            for row in Table(child, doc).rows:
                cells, last = [], None
                for cell in row.cells:
                    if cell._tc is last:  # a merged cell appears once per grid column
                        continue
                    last = cell._tc
                    cells.append(" ".join(cell.text.split()))
                lines.append(" | ".join(cells))
    for section in doc.sections[:1]:
        lines += [p.text for p in section.footer.paragraphs if p.text.strip()]
    return "\n".join(lines).strip("\n") + "\n"


def _pdf(data: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise DecodeError("the PDF is encrypted with a password")
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as e:
        raise DecodeError(f"not a readable PDF file: {e}") from None
    text = "\n".join(p.rstrip() for p in pages)
    if not text.strip():
        raise DecodeError("the PDF has no text layer (a scanned page?): zongjie does no OCR")
    return text + "\n"


_CODEPAGE = re.compile(rb"\\ansicpg(\d+)")


def _rtf(data: bytes) -> str:
    from striprtf.striprtf import rtf_to_text

    if not data.lstrip().startswith(b"{\\rtf"):
        raise DecodeError("not an RTF file (it does not open with {\\rtf)")
    m = _CODEPAGE.search(data[:2000])
    enc = {"936": "gbk", "950": "big5", "65001": "utf-8"}.get(m.group(1).decode(), f"cp{m.group(1).decode()}") \
        if m else "cp1252"
    try:
        text = rtf_to_text(data.decode("latin-1"), encoding=enc, errors="replace")
    except (LookupError, ValueError, IndexError) as e:
        raise DecodeError(f"not a readable RTF file: {e}") from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _legacy(data: bytes, fmt: str) -> tuple[str, str, str]:
    """Word 97-2003 and WPS files, through the system's reader."""
    if not data.startswith(_OLE):
        # catdoc prints whatever bytes it is given: the container is checked first
        raise DecodeError(f"not a .{fmt} file (no OLE compound-document header)")
    tools = [t for t in ("antiword", "catdoc") if shutil.which(t)]
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if not tools and not office:
        raise ReaderMissing(f"reading .{fmt} files needs antiword or catdoc (apt-get install antiword catdoc) "
                            "or LibreOffice; none is installed")
    with tempfile.TemporaryDirectory(prefix="zongjie-") as tmp:
        src = Path(tmp) / f"in.{fmt}"
        src.write_bytes(data)
        errors = []
        for tool in tools:
            cmd = [tool, "-m", "UTF-8.txt", str(src)] if tool == "antiword" else [tool, "-d", "utf-8", "-w", str(src)]
            res = subprocess.run(cmd, capture_output=True, timeout=_TIMEOUT)
            text = res.stdout.decode("utf-8", errors="replace")
            if res.returncode == 0 and text.strip():
                return text.replace("\r\n", "\n"), tool, _tool_version(tool)
            errors.append(f"{tool}: {res.stderr.decode('utf-8', 'replace').strip()[:200] or 'no text'}")
        if office:
            res = subprocess.run([office, "--headless", "--convert-to", "txt:Text", "--outdir", tmp, str(src)],
                                 capture_output=True, timeout=_TIMEOUT)
            out = Path(tmp) / "in.txt"
            if res.returncode == 0 and out.is_file():
                return out.read_text(encoding="utf-8", errors="replace"), "libreoffice", _tool_version(office)
            errors.append("libreoffice: conversion failed")
    raise DecodeError(f"not a readable .{fmt} file ({'; '.join(errors)})")


@lru_cache(maxsize=None)
def _tool_version(tool: str) -> str:
    """The Debian package version of a system reader (dpkg knows it; the tools
    print none reliably)."""
    pkg = {"antiword": "antiword", "catdoc": "catdoc"}.get(Path(tool).name, "libreoffice-core")
    try:
        res = subprocess.run(["dpkg-query", "-W", "-f=${Version}", pkg], capture_output=True, text=True, timeout=10)
        return res.stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"
