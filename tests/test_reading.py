from __future__ import annotations

import codecs

import pytest

from pipeline import process_bytes
from pipeline.text.reading import DecodeError, decode_bytes

TEXT = "区总工会投入3万元,慰问困难职工881名,工會活動總結。"


@pytest.mark.parametrize("enc,label", [
    ("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gb18030", "gb18030"), ("utf-16", "utf-16"),
])
def test_encodings_round_trip(enc, label):
    dec = decode_bytes(TEXT.encode(enc))
    assert dec.text == TEXT
    assert dec.encoding == label


def test_big5_traditional():
    text = "工會活動總結,慰問職工八百餘人,發放慰問金三萬元。"
    dec = decode_bytes(text.encode("big5"))
    assert dec.text == text and dec.encoding == "big5"


def test_utf16_without_bom():
    dec = decode_bytes(TEXT.encode("utf-16-le"))
    assert dec.text == TEXT


def test_binary_is_a_clear_error():
    with pytest.raises(DecodeError, match="binary"):
        decode_bytes(b"\x00\x01\x02\x03PK\x05\x06" * 50)
    doc = process_bytes("bin", bytes(range(256)) * 4)
    assert doc.status == "error" and "binary" in doc.error


def test_same_facts_in_every_encoding():
    docs = [process_bytes("d", TEXT.encode(enc)) for enc in ("utf-8", "gb18030", "utf-16")]
    values = [[(f.type, f.start, f.end, getattr(f, "value", None)) for f in d.facts] for d in docs]
    assert values[0] == values[1] == values[2] and values[0]


def test_empty_input_is_an_empty_document():
    doc = process_bytes("empty", b"")
    assert doc.status == "ok" and doc.facts == [] and doc.length == 0


def test_bom_constants():
    assert decode_bytes(codecs.BOM_UTF8 + "元".encode()).text == "元"
