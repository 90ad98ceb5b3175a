"""zongjie: Chinese labour-union work reports -> validated, source-grounded facts.

Public API::

    from pipeline import extract_text, extract_file, parse_number, parse_amount
    doc = extract_text("区总工会投入3.05萬(wàn)元,慰问881名困难职工。")
    for f in doc.facts:
        print(f.type, f.quote, f.start, f.end)
"""

__version__ = "0.2.0"

from .api import extract_file, extract_text
from .document import process_bytes, process_text
from .parts import read_in_parts
from .extract.numerals import parse_amount, parse_number, parse_quantity
from .batch.export import to_frames
from .records import Document, json_schema

__all__ = [
    "__version__",
    "Document",
    "extract_file",
    "extract_text",
    "json_schema",
    "parse_amount",
    "parse_number",
    "parse_quantity",
    "process_bytes",
    "process_text",
    "read_in_parts",
    "to_frames",
]
