"""Normalisation with an offset map back to the original text.

Input: the decoded original text. Output: ``NormText`` whose ``text`` is what
the extractors read (pinyin glosses stripped, recurring mojibake repaired,
traditional -> simplified, full-width -> half-width, ``1、2万元`` -> ``1.2万元``)
and whose ``to_orig(start, end)`` maps any span of ``text`` back to a span of
the original. Each step yields edits ``(start, end, replacement)`` against the
text of the previous step (ftfy's explain-then-replay); ``_apply`` replays them
and carries every character's original span along. A character produced by a
block replacement gets the whole block's span, so a fact touching it grows to
cover the block and is marked ``grounding="expanded"``.
"""

from __future__ import annotations

import functools
from array import array
from dataclasses import dataclass, field

import regex

from .. import rules

# compiled once: module-level regex.* calls with a pattern string pay a cache lookup each time
_LINE_START_STOP = rules.pattern(r"(?m)^[ \t]*(。)")


Edit = tuple[int, int, str]


# offsets as 32-bit machine integers: half the memory of 64-bit ones (a 20 M-character
# file's two maps take 160 MB, not 330), and a text of 2 G characters is far past
# anything an archive holds; _typecode widens them if one ever comes
_OFFSET = "i"
_IOTA = array(_OFFSET, range(1 << 16))


def _typecode(n: int) -> str:
    return _OFFSET if n < 2**31 - 1 else "q"


def _iota(n: int) -> array:
    """array 0..n-1 as a slice (a memory copy) of a cached one: building it from
    ``range`` cost ~0.1 ms per page, a tenth of the time of the whole normalisation.
    The cache does not grow: one 20 M-character file would leave 80 MB behind."""
    if n > len(_IOTA):
        return array(_typecode(n), range(n))
    return _IOTA[:n]


@dataclass
class NormText:
    # The maps are machine arrays, not lists: a list holds an int object per
    # character (~36 bytes), which made one 20 M-character file cost gigabytes.
    raw: str
    text: str
    starts: array   # array("i"): original start of each normalised character
    ends: array     # array("i"): original end of each normalised character
    expanded: bytearray  # 1 where the character came from a block replacement
    steps: list[str] = field(default_factory=list)

    @classmethod
    def identity(cls, raw: str) -> "NormText":
        n = len(raw)
        iota = _iota(n + 1)
        return cls(raw, raw, iota[:n], iota[1:], bytearray(n))

    def to_orig(self, start: int, end: int) -> tuple[int, int, bool]:
        """Original (start, end, expanded) of the normalised span [start, end)."""
        if not 0 <= start <= end <= len(self.text):
            raise IndexError(f"span {start}-{end} outside normalised text of length {len(self.text)}")
        if start == end:
            pos = self.starts[start] if start < len(self.text) else len(self.raw)
            return pos, pos, False
        s = self.starts[start]
        e = self.ends[end - 1]
        grown = any(self.expanded[start:end])
        return s, e, grown

    def orig_pos(self, pos: int) -> int:
        """Original offset of a normalised boundary position."""
        if pos >= len(self.text):
            return len(self.raw)
        return self.starts[pos]

    def slice(self, start: int, end: int) -> "NormText":
        """The normalised text ``[start, end)`` as a NormText of its own, over the
        original ``[orig_pos(start), orig_pos(end))``: its offsets count from there
        (a part of a long text, normalised once with the whole). Cut where no block
        replacement spans the cut, e.g. at a line start: a block's characters map
        to the whole block's original span."""
        if not 0 <= start <= end <= len(self.text):
            raise IndexError(f"slice {start}-{end} outside normalised text of length {len(self.text)}")
        o_start, o_end = self.orig_pos(start), self.orig_pos(end)
        code = self.starts.typecode
        # a loop over a million characters per part: a fraction of a second, and
        # the stdlib array has no vectorised subtraction (numpy would be an import
        # on every worker's start for this one line)
        starts = array(code, (x - o_start for x in self.starts[start:end]))
        ends = array(code, (x - o_start for x in self.ends[start:end]))
        return NormText(self.raw[o_start:o_end], self.text[start:end], starts, ends,
                        self.expanded[start:end], list(self.steps))


def _apply(nt: NormText, edits: list[Edit], step: str, one_to_one: bool = False) -> NormText:
    if not edits:
        return nt
    out: list[str] = []
    pos = 0
    text = nt.text
    if one_to_one:
        # characters replaced one for one keep their spans: only the text changes
        for s, e, repl in sorted(edits):
            if s < pos:
                raise ValueError(f"{step}: overlapping edits at {s}")
            if len(repl) != e - s:
                raise AssertionError(f"{step}: length changed for {text[s:e]!r} -> {repl!r}")
            out += (text[pos:s], repl)
            pos = e
        out.append(text[pos:])
        new_text = "".join(out)
        assert len(new_text) == len(text)
        return NormText(nt.raw, new_text, nt.starts, nt.ends, nt.expanded, nt.steps + [step])
    code = nt.starts.typecode
    starts, ends, expanded = array(code), array(code), bytearray()
    for s, e, repl in sorted(edits):
        if s < pos:
            raise ValueError(f"{step}: overlapping edits at {s}")
        out.append(text[pos:s])
        starts.extend(nt.starts[pos:s])
        ends.extend(nt.ends[pos:s])
        expanded.extend(nt.expanded[pos:s])
        if repl:
            if e > s:
                bs, be = nt.starts[s], nt.ends[e - 1]
            else:  # pure insertion: anchor on the next character
                bs = be = nt.starts[s] if s < len(text) else len(nt.raw)
            out.append(repl)
            starts.extend(array(code, (bs,)) * len(repl))
            ends.extend(array(code, (be,)) * len(repl))
            expanded.extend(b"\x01" * len(repl))
        pos = e
    out.append(text[pos:])
    starts.extend(nt.starts[pos:])
    ends.extend(nt.ends[pos:])
    expanded.extend(nt.expanded[pos:])
    new_text = "".join(out)
    assert len(new_text) == len(starts) == len(ends) == len(expanded)
    return NormText(nt.raw, new_text, starts, ends, expanded, nt.steps + [step])


# --- steps -----------------------------------------------------------------


def _rule(rule_id: str) -> regex.Pattern:
    for spec, pat in rules.compiled("normalize/steps"):
        if spec.id == rule_id:
            return pat
    raise KeyError(rule_id)


def pinyin_edits(text: str) -> list[Edit]:
    """Delete pinyin glosses such as the ``(huì)`` of ``工會(huì)``."""
    edits = [(m.start(), m.end(), "") for m in _rule("normalize.pinyin_after_han").finditer(text)]
    edits += [(m.start(), m.end(), "") for m in _rule("normalize.pinyin_after_other").finditer(text)]
    return edits


# Chinese numerals of list markers (一) … (十). Pages saved as GBK and re-read one
# byte off turn "（一）" into "。ㄒ唬┵…": the GBK lead byte of the numeral becomes
# the trail byte of a character whose own lead byte is 0xA8. We rebuild the
# marker from the codec itself instead of listing garbled strings.
_LIST_NUMERALS = "一二三四五六七八九十"


@functools.lru_cache(maxsize=1)
def _numeral_by_lead_byte() -> dict[int, str]:
    return {n.encode("gbk")[0]: n for n in _LIST_NUMERALS}


def _gbk(ch: str) -> bytes:
    try:
        return ch.encode("gb18030")
    except UnicodeEncodeError:
        return b""


def mojibake_edits(text: str) -> list[Edit]:
    """Repair GBK-shifted list markers: ``。ㄒ唬┵`` -> ``(一)``.

    Only the marker is rebuilt; the character that shared its last byte is lost
    in the source and is left as it is.
    """
    edits: list[Edit] = []
    leads = _numeral_by_lead_byte()
    for m in _LINE_START_STOP.finditer(text):
        i = m.start(1)
        if i + 1 >= len(text):
            continue
        b = _gbk(text[i + 1])
        if len(b) != 2 or b[0] != 0xA8 or b[1] not in leads:
            continue
        numeral = leads[b[1]]
        # the closing bracket's second byte (0xA9) leads one of the next 3 characters
        for j in range(i + 2, min(i + 5, len(text))):
            bj = _gbk(text[j])
            if len(bj) == 2 and bj[0] == 0xA9:
                edits.append((i, j + 1, f"({numeral})"))
                break
    return edits


@functools.lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


def t2s_text(text: str) -> str:
    """Traditional -> simplified with OpenCC, character for character: the text
    returned has the length of ``text``, so every character keeps its span.

    OpenCC converts phrase by phrase; a phrase rule could in principle change
    length, so a line whose length changes is converted character by character.
    The whole text goes in one C call; the result is the new text itself, not a
    list of one edit per changed character (on a 20 M-character traditional file
    that list alone took hundreds of megabytes).
    """
    conv = _t2s()
    new = conv.convert(text)
    if len(new) == len(text):  # most pages: simplified already, or one for one
        return new
    out = []
    for line in text.splitlines(keepends=True):
        conv_line = conv.convert(line)
        if len(conv_line) != len(line):
            conv_line = "".join(c if len(c := conv.convert(ch)) == 1 else ch for ch in line)
        out.append(conv_line)
    return "".join(out)


def _retext(nt: NormText, new_text: str, step: str) -> NormText:
    """``nt`` with ``new_text``, a text of the same length (each character
    replaced by at most one): the maps stay as they are."""
    if new_text == nt.text:
        return nt
    if len(new_text) != len(nt.text):
        raise AssertionError(f"{step}: length changed")
    return NormText(nt.raw, new_text, nt.starts, nt.ends, nt.expanded, nt.steps + [step])


_WIDE = rules.pattern("[\uFF01-\uFF5E\u3000\u00a0\u2002\u2003\u2009]")


def width_edits(text: str) -> list[Edit]:
    """Full-width ASCII -> half-width; ideographic and no-break spaces -> space."""
    edits: list[Edit] = []
    for m in _WIDE.finditer(text):  # a scan in C: most characters need no edit
        k, o = m.start(), ord(m.group())
        edits.append((k, k + 1, chr(o - 0xFEE0) if 0xFF01 <= o <= 0xFF5E else " "))
    return edits


def list_decimal_edits(text: str) -> list[Edit]:
    """``1、2万元`` -> ``1.2万元`` where a list number is impossible."""
    return [(m.start(0) + 1, m.start(0) + 2, ".") for m in _rule("normalize.list_decimal").finditer(text)]


_HTML_DROP = rules.pattern(r"(?is)<(script|style|noscript|template)\b.*?</\1\s*>|<!--.*?-->|<!DOCTYPE[^>]*>")
_HTML_BLOCK = rules.pattern(r"(?i)</?(?:p|div|br|li|ul|ol|h[1-6]|tr|table|section|article|header|footer|"
                            r"nav|blockquote|pre|title|dd|dt|hr)\b[^>]*>")
_HTML_TAG = rules.pattern(r"<[A-Za-z/!][^>]*>")
_HTML_ENTITY = rules.pattern(r"&(?:#\d{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


def html_edits(text: str) -> list[Edit]:
    """HTML to text: scripts, styles and comments dropped, block tags become line
    breaks, other tags vanish, entities are decoded (each a recorded edit)."""
    import html as _html

    edits: list[Edit] = []
    taken: list[tuple[int, int]] = []
    for pat, repl in ((_HTML_DROP, ""), (_HTML_BLOCK, "\n"), (_HTML_TAG, "")):
        for m in pat.finditer(text):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            taken.append(m.span())
            edits.append((m.start(), m.end(), repl))
    for m in _HTML_ENTITY.finditer(text):
        if any(m.start() < e and s < m.end() for s, e in taken):
            continue
        ch = _html.unescape(m.group())
        if ch != m.group():
            edits.append((m.start(), m.end(), ch))
    return edits


def normalize(raw: str, html: bool = False) -> NormText:
    nt = NormText.identity(raw)
    if html:
        nt = _apply(nt, html_edits(nt.text), "html")
    nt = _apply(nt, pinyin_edits(nt.text), "pinyin")
    nt = _apply(nt, mojibake_edits(nt.text), "mojibake")
    nt = _retext(nt, t2s_text(nt.text), "t2s")
    nt = _apply(nt, width_edits(nt.text), "width", one_to_one=True)
    nt = _apply(nt, list_decimal_edits(nt.text), "list_decimal", one_to_one=True)
    return nt
