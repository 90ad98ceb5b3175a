"""The HTML audit report in a real browser (headless Chromium from Debian's
``chromium`` package): the DOM after the page's script ran, and a screenshot."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from pipeline import extract_text
from pipeline.audit.report import render

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium not installed (apt-get install chromium)")

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]

HOSTILE = ("首页 > 总结\n\n工会工作总结【第一篇】\n\n<script>document.title='pwned'</script>"
           "全区共慰问困难职工520名,其中在岗职工300名,退休职工200名。<img src=x onerror=\"document.title='pwned'\">\n"
           "发放慰问金X万元。\n\n工会工作总结【第二篇】\n\n共救助困难学生90名。其中:小学生40名,中学生30名,大学生20名。\n")


def _chromium(tmp: Path, url: str, *extra: str) -> str:
    res = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={tmp / 'profile'}", "--virtual-time-budget=3000",
                          *extra, url], capture_output=True, text=True, timeout=120)
    return res.stdout


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("report")
    doc = extract_text(HOSTILE, doc_id="hostile<doc>")
    path = tmp / "report.html"
    path.write_text(render([(doc, HOSTILE)], title="audit <test>"), encoding="utf-8")
    return tmp, path


def test_untrusted_text_is_escaped_and_checks_are_ordered(page):
    tmp, path = page
    dom = _chromium(tmp, path.as_uri(), "--dump-dom")
    assert "<title>audit &lt;test&gt;</title>" in dom          # the page's own title, not 'pwned'
    assert dom.count("<script>") == 1                          # only the report's own script
    assert "<img" not in dom and "&lt;img src=" in dom
    statuses = re.findall(r'class="check (\w+)"', dom)
    assert statuses[0] == "inconsistent" and sorted(statuses) == ["consistent", "inconsistent"]
    assert "300 + 200 = 500 ≠ 520" in dom
    assert 'class="placeholder"' in dom and "boilerplate" in dom
    assert re.search(r'class="count hl-inconsistent"[^>]*>520名<', dom)


def test_selecting_a_check_highlights_its_total_and_parts(page):
    tmp, path = page
    dom = _chromium(tmp, path.as_uri() + "#check-0", "--dump-dom")
    assert 'data-selected="check-0"' in dom
    assert re.search(r'class="[^"]*hl-total[^"]*"[^>]*>520名<', dom)
    assert len(re.findall(r'class="[^"]*hl-part[^"]*"', dom)) == 2


def test_screenshot(page):
    tmp, path = page
    shot = tmp / "shot.png"
    _chromium(tmp, path.as_uri() + "#check-0", f"--screenshot={shot}", "--window-size=1280,900")
    assert shot.exists() and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000
    shutil.copy(shot, Path("/tmp/zongjie-report.png"))
