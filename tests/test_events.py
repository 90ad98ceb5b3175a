"""Aid events: the document's own date and the years it resolves, the events
table in every export, and checks pointing to the act they belong to."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
from typer.testing import CliRunner

from pipeline import extract_text, to_frames
from pipeline.cli import app
from pipeline.document import Options

PAGE = ("区总工会开展金秋助学活动\n时间:2025-08-27 来源:区总工会\n\n"
        "今年,区总工会共资助困难职工子女90名,其中大学生60名,每人3000元;高中生30名,每人1000元。"
        "去年资助70名。\n")
NO = Options(ner=False)


def test_page_date_resolves_relative_years() -> None:
    doc = extract_text(PAGE, options=NO)
    assert doc.date is not None and (doc.date.year, doc.date.month, doc.date.day) == (2025, 8, 27)
    assert doc.date.source == "published" and PAGE[doc.date.start:doc.date.end] == doc.date.quote
    rel = {f.quote: f for f in doc.facts if f.type == "date" and f.year_rel is not None}
    assert rel["今年"].year is None and rel["今年"].year_resolved == 2025
    assert rel["去年"].year_resolved == 2024


def test_no_page_date_means_no_resolved_year() -> None:
    # never today's date: without a date of its own, 今年 stays relative
    doc = extract_text("今年,区总工会资助困难职工子女90名。\n", options=NO)
    assert doc.date is None
    assert all(f.year_resolved is None for f in doc.facts if f.type == "date")


def test_signature_date_dates_the_page() -> None:
    doc = extract_text("今年共慰问困难职工30名,发放慰问金1.5万元。\n\n镇总工会\n2023年12月28日\n", options=NO)
    assert doc.date is not None and doc.date.source == "signature" and doc.date.year == 2023


def test_event_fields_and_check_link() -> None:
    doc = extract_text(PAGE, options=NO)
    [ev] = [e for e in doc.events if e.recipients_count == 90]
    assert ev.year == 2025 and ev.giver_text == "区总工会" and ev.activity == "jinqiu_zhuxue"
    # the act's total count, not its parts added again
    assert ev.recipients_count == 90 and ev.rate == 3000 and ev.rate_per == "人"
    checks = [c for c in doc.checks if c.total.start == PAGE.index("90名")]
    assert checks and checks[0].event_id == ev.event_id


def test_events_table_in_frames_parquet_and_duckdb(tmp_path: Path) -> None:
    frames = to_frames([extract_text(PAGE, doc_id="p", options=NO)])
    ev = frames["events"]
    assert list(ev.columns[:4]) == ["doc_id", "event_id", "section", "start"]
    assert ev.loc[0, "giver"] == "区总工会" and ev.loc[0, "recipients_count"] == 90
    src = tmp_path / "in"
    src.mkdir()
    (src / "p.txt").write_text(PAGE, encoding="utf-8")
    out, db = tmp_path / "ds", tmp_path / "x.duckdb"
    r = CliRunner().invoke(app, ["extract", str(src), "--no-ner", "--format", "parquet", "-o", str(out),
                                 "--duckdb", str(db)])
    assert r.exit_code == 0, r.output
    pq = pd.read_parquet(out / "events")
    assert len(pq) == len(ev) and 90 in set(pq["recipients_count"])
    con = duckdb.connect(str(db))
    try:
        rows = con.execute("SELECT giver, activity, year, sum(recipients_count) FROM events "
                           "GROUP BY ALL").fetchall()
    finally:
        con.close()
    assert ("区总工会", "jinqiu_zhuxue", 2025, 90) in [tuple(x) for x in rows]
