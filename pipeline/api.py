"""The Python API's entry points: one report in, one ``Document`` out.

``extract_text`` and ``extract_file`` give the records ``zongjie extract``
writes: a text past ``parts.LONG_TEXT`` characters is read in parts, as the CLI
reads it, and the parts joined into one record (``parts.join``: as much memory
as the records take; ``parts.read_in_parts`` hands them out part by part).
``document.process_text`` is the single pass underneath, reading any text whole.
"""

from __future__ import annotations

from pathlib import Path

from . import parts
from .document import (DEFAULT_OPTIONS, Options, doc_id_for, error_document, fmt_of, process_bytes,
                       process_text)
from .records import Document
from .text.reading import DecodeError, read_file


def _text(doc_id: str, text: str, encoding: str | None, html: bool, options: Options) -> Document:
    if parts.is_long(len(text)):
        return parts.join(*parts.read_in_parts(doc_id, text, encoding, html=html, options=options))
    return process_text(doc_id, text, encoding, html=html, options=options)


def extract_text(text: str, doc_id: str = "text", options: Options = DEFAULT_OPTIONS) -> Document:
    """Extract every fact of one report given as a string."""
    return _text(doc_id, text, None, False, options)


def extract_file(path: str | Path, doc_id: str | None = None, options: Options = DEFAULT_OPTIONS) -> Document:
    """Extract every fact of one file as the CLI reads it: ``.html``/``.htm`` as
    HTML, ``.docx``/``.pdf``/``.rtf``/``.doc``/``.wps`` through their readers."""
    p = Path(path)
    doc_id = doc_id or doc_id_for(p, None)
    fmt = fmt_of(p.name)
    if fmt in ("text", "html"):
        try:
            dec = read_file(p)
        except DecodeError as e:
            return error_document(doc_id, str(e))
        return _text(doc_id, dec.text, dec.encoding, fmt == "html", options)
    return process_bytes(doc_id, p.read_bytes(), options=options, fmt=fmt,
                         long=parts.long_reader(parts.join, options, None))
