"""The cache of parsed rule files and compiled patterns (the end of pipeline/rules.py):
a later process reads what an earlier one compiled, gets the same matches and
the same documents, and a missing, damaged, planted or unwritable cache costs
time, never a wrong result."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest
import regex

from pipeline import rules as rule_cache

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("ZONGJIE_CACHE", str(folder))
    rule_cache.reset_cache()
    yield folder
    rule_cache.reset_cache()


def _new_process() -> None:
    """What a new process starts with: nothing read yet."""
    rule_cache.reset_cache()


def _no_parser(monkeypatch) -> list[str]:
    calls: list[str] = []
    real = regex.compile

    def counting(pattern, flags=0, **kw):
        calls.append(pattern)
        return real(pattern, flags, **kw)

    monkeypatch.setattr(rule_cache.regex, "compile", counting)
    return calls


def test_a_later_process_reads_the_compiled_code(cache, monkeypatch):
    first = rule_cache.pattern(r"(?P<n>\d+)\s*名(?:职工|会员)", regex.V1)
    rule_cache.save_cache()
    assert any(cache.iterdir())
    _new_process()
    calls = _no_parser(monkeypatch)
    again = rule_cache.pattern(r"(?P<n>\d+)\s*名(?:职工|会员)", regex.V1)
    assert calls == []
    assert again is not first
    text = "慰问 35 名职工和12名会员"
    assert [m.groupdict() for m in again.finditer(text)] == [m.groupdict() for m in first.finditer(text)]
    assert again.flags == first.flags
    # a pattern it has not seen is compiled, and kept for the next process
    rule_cache.pattern(r"[元圆]整?")
    assert calls == [r"[元圆]整?"]


def test_flags_are_part_of_the_key(cache):
    a = rule_cache.pattern("abc", regex.IGNORECASE)
    b = rule_cache.pattern("abc")
    assert a.search("ABC") and not b.search("ABC")


@pytest.mark.parametrize("damage", ["truncate", "flip", "other-version"])
def test_a_damaged_file_is_ignored_and_replaced(cache, monkeypatch, damage):
    rule_cache.pattern(r"\d+万元")
    rule_cache.save_cache()
    (path,) = [p for p in cache.iterdir() if p.name.startswith("patterns-")]
    blob = path.read_bytes()
    if damage == "truncate":
        path.write_bytes(blob[: len(blob) // 2])
    elif damage == "flip":
        path.write_bytes(blob[:-5] + bytes([blob[-5] ^ 0xFF]) + blob[-4:])
    else:
        path.write_bytes(blob.replace(b"zongjie-cache 1", b"zongjie-cache 9", 1))
    _new_process()
    calls = _no_parser(monkeypatch)
    assert rule_cache.pattern(r"\d+万元").search("拨付3万元")
    assert calls == [r"\d+万元"]
    rule_cache.save_cache()
    _new_process()
    calls.clear()
    rule_cache.pattern(r"\d+万元")
    assert calls == []  # the file was written again, whole


class _Planted:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.mkdir, (str(self.marker),))


def test_a_planted_pickle_runs_nothing(cache, tmp_path):
    rule_cache.pattern("x")
    rule_cache.save_cache()
    (path,) = [p for p in cache.iterdir() if p.name.startswith("patterns-")]
    marker = tmp_path / "ran"
    payload = pickle.dumps({("x", 0): _Planted(marker)})
    path.write_bytes(rule_cache._MAGIC + rule_cache._digest(payload) + payload)
    _new_process()
    assert rule_cache.pattern("x").match("x")
    assert not marker.exists()


def test_off_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("ZONGJIE_CACHE", "off")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setenv("HOME", str(tmp_path))
    rule_cache.reset_cache()
    try:
        assert rule_cache.cache_dir() is None
        rule_cache.pattern("abc")
        rule_cache.save_cache()
        assert list(tmp_path.iterdir()) == []
    finally:
        rule_cache.reset_cache()


def test_an_unwritable_folder_is_left_alone(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would be")
    monkeypatch.setenv("ZONGJIE_CACHE", str(blocker / "zongjie"))
    rule_cache.reset_cache()
    try:
        assert rule_cache.pattern("a+").match("aa")
        rule_cache.save_cache()  # no error
        assert blocker.read_text().startswith("a file")
    finally:
        rule_cache.reset_cache()


def test_an_edited_rule_file_is_read_again(cache, tmp_path):
    f = tmp_path / "lexicon.yaml"
    f.write_text("words: [慰问, 帮扶]\n", encoding="utf-8")
    parsed: list[bytes] = []

    def parse(raw: bytes):
        parsed.append(raw)
        import yaml

        return yaml.safe_load(raw.decode("utf-8"))

    assert rule_cache.rule_data(f, parse) == {"words": ["慰问", "帮扶"]}
    rule_cache.save_cache()
    _new_process()
    assert rule_cache.rule_data(f, parse) == {"words": ["慰问", "帮扶"]}
    assert len(parsed) == 1
    f.write_text("words: [慰问, 帮扶, 救助]\n", encoding="utf-8")
    _new_process()
    assert rule_cache.rule_data(f, parse) == {"words": ["慰问", "帮扶", "救助"]}
    assert len(parsed) == 2


def test_data_marshal_cannot_write_is_parsed_each_time(cache, tmp_path):
    import datetime

    f = tmp_path / "dated.yaml"
    f.write_text("x", encoding="utf-8")
    calls = []

    def parse(raw: bytes):
        calls.append(1)
        return {"when": datetime.date(2023, 1, 5)}

    assert rule_cache.rule_data(f, parse)["when"] == datetime.date(2023, 1, 5)
    rule_cache.save_cache()
    _new_process()
    rule_cache.rule_data(f, parse)
    assert len(calls) == 2


_PROBE = r"""
import json, sys
import regex
real = regex.compile
calls = []
def counting(pattern, flags=0, **kw):
    calls.append(pattern)
    return real(pattern, flags, **kw)
regex.compile = counting
from pipeline.document import process_text
text = sys.stdin.read()
doc = process_text("probe", text)
print(json.dumps({"doc": doc.model_dump(mode="json"), "parsed": len(calls)}))
"""


def _probe(env: dict[str, str], text: str) -> dict:
    got = subprocess.run([sys.executable, "-c", _PROBE], input=text, capture_output=True, text=True,
                         cwd=ROOT, env=env, check=True)
    return json.loads(got.stdout)


def test_whole_pipeline_same_documents_cold_warm_and_off(tmp_path):
    text = ("2023年工会工作总结\n一、困难帮扶\n全年慰问困难职工120名，其中大病职工20名、单亲家庭100名，"
            "发放慰问金共计36万元，其中市总工会拨付20万元、企业配套16万元。\n"
            "二、文体活动\n5月举办职工运动会，参赛职工达八百余人。")
    env = {k: v for k, v in os.environ.items() if k != "ZONGJIE_CACHE"}
    off = _probe({**env, "ZONGJIE_CACHE": "off"}, text)
    cold = _probe({**env, "ZONGJIE_CACHE": str(tmp_path / "c")}, text)
    warm = _probe({**env, "ZONGJIE_CACHE": str(tmp_path / "c")}, text)
    assert off["doc"] == cold["doc"] == warm["doc"]
    assert off["doc"]["facts"] and off["doc"]["checks"]
    assert cold["parsed"] > 50  # every pattern the pipeline needs went through the parser
    assert warm["parsed"] == 0  # and a warm process parsed none
