"""Reading: bytes -> text, saying which encoding was used.

Input: raw bytes of one document. Output: ``Decoded(text, encoding)`` or a
``DecodeError`` whose message says why the document is unusable. Offsets in all
later stages refer to the decoded text returned here.

The order of attempts matters: BOMs are authoritative; strict UTF-8 rarely
accepts non-UTF-8 Chinese by accident; GB18030 and Big5 both accept many byte
strings, so between them the one whose decoding looks more like Chinese wins.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from pathlib import Path

from .. import rules


class DecodeError(ValueError):
    """The bytes are not a text document in any supported encoding."""


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str


_HAN = rules.pattern(r"\p{Han}")
# Characters that appear when bytes of one CJK encoding are read as another.
_ODD = rules.pattern(r"[\p{Co}\p{Cn}\uFFFD\p{Hangul}\p{Katakana}\p{Hiragana}\p{Bopomofo}\u2500-\u257F]")
# Control characters other than tab/newline/CR/FF mark binary input.
_CONTROL = rules.pattern(r"[\x00-\x08\x0B\x0E-\x1F\x7F]")

# 3500 most common simplified + traditional characters would be better; the few
# hundred below already separate GB18030 from Big5 readings of union reports.
_COMMON = set(
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动"
    "同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二"
    "理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社"
    "义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没"
    "结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活"
    "设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放"
    "决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争"
    "济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具"
    "万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石"
    "记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素"
    "技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存"
    "候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红"
    "细引听该铁价严會個們這來時國學說對長門開問間關東業發動經過機與為裡從點當還進種電實"
    "資總戶職員導幫區縣萬參辦費會議聯體歲團維權計劃籌組織達預節規據"
)


def _score(text: str) -> float:
    """Higher is more plausible Chinese text."""
    if not text:
        return 0.0
    han = len(_HAN.findall(text))
    common = sum(1 for ch in text if ch in _COMMON)
    odd = len(_ODD.findall(text))
    return (2 * common + 0.2 * han - 5 * odd) / len(text)


def _utf16_without_bom(data: bytes) -> Decoded | None:
    """UTF-16 with no BOM: accepted only when one byte order reads as plausible text."""
    if len(data) < 4 or len(data) % 2:
        return None
    best: tuple[float, str, str] | None = None
    for enc in ("utf-16-le", "utf-16-be"):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if _CONTROL.search(text):
            continue
        sc = _score(text)
        if best is None or sc > best[0]:
            best = (sc, enc, text)
    if best and best[0] > 0.6:
        return Decoded(best[2], best[1])
    return None


def decode_bytes(data: bytes) -> Decoded:
    """Decode one document's bytes, or raise DecodeError with the reason."""
    if data.startswith(codecs.BOM_UTF8):
        try:
            return Decoded(data[3:].decode("utf-8"), "utf-8-sig")
        except UnicodeDecodeError as e:
            raise DecodeError(f"UTF-8 BOM but invalid UTF-8 at byte {e.start + 3}") from e
    for bom, enc in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            try:
                return Decoded(data[2:].decode(enc), "utf-16")
            except UnicodeDecodeError as e:
                raise DecodeError(f"UTF-16 BOM but invalid UTF-16 at byte {e.start + 2}") from e
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None and not _CONTROL.search(text):
        return Decoded(text, "utf-8")
    d16 = _utf16_without_bom(data)
    if d16 is not None:
        return d16
    if b"\x00" in data:
        raise DecodeError("binary data (NUL bytes), not a text document")
    enc = "utf-8"
    if text is None:
        candidates = []
        for enc_try in ("gb18030", "big5"):
            try:
                candidates.append((_score(data.decode(enc_try)), enc_try))
            except UnicodeDecodeError:
                continue
        if not candidates:
            raise DecodeError("not valid UTF-8, UTF-16, GB18030 or Big5") from None
        _, enc = max(candidates)
        text = data.decode(enc)
    controls = len(_CONTROL.findall(text))
    if text and controls > max(2, len(text) // 100):
        raise DecodeError(f"binary data ({controls} control characters after decoding as {enc})")
    return Decoded(text, enc)


def read_file(path: str | Path) -> Decoded:
    return decode_bytes(Path(path).read_bytes())
