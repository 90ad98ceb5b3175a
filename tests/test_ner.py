"""The shipped NER model and what uses it: count subjects, organisations per
section, --redact-persons."""

from __future__ import annotations

import json

import pytest

from pipeline import extract_text
from pipeline.extract.subjects import subject_from_groups
from pipeline.models.ner import MODEL_DIR

needs_model = pytest.mark.skipif(not (MODEL_DIR / "meta.json").exists(), reason="no trained NER model")


def test_subject_from_groups_after_and_before():
    text = "慰问困难职工50名,为300名农民工子女发放助学金,劳动模范共计12人。"
    groups = [(text.index(g), text.index(g) + len(g)) for g in ("困难职工", "农民工子女", "劳动模范")]
    starts = [g[0] for g in groups]
    c1 = text.index("50名")
    assert subject_from_groups(text, c1, c1 + 3, starts, groups) == "困难职工"  # group before the figure
    c2 = text.index("300名")
    assert subject_from_groups(text, c2, c2 + 4, starts, groups) == "农民工子女"  # group after the classifier
    c3 = text.index("12人")
    assert subject_from_groups(text, c3, c3 + 3, starts, groups) == "劳动模范"  # across 共计
    # a group two clauses away is not the subject
    assert subject_from_groups("困难职工来了,另有8人", 9, 11, [0], [(0, 4)]) is None


@needs_model
def test_held_out_scores_meet_the_bar():
    from pipeline.models import ner
    from pipeline.train import ner_corpus
    from pipeline.train.ner_train import score

    tagger = ner.load()

    def predict(t):
        return [(e.start, e.end, e.label) for e in tagger.entities(t)]

    # the generated held-out part: place and brand names and sentence frames never trained on
    got = score(list(ner_corpus.generated(200, 7, "test")), predict)
    assert got["ORG"]["f1"] >= 0.80 and got["GROUP"]["f1"] >= 0.80 and got["PERSON"]["f1"] >= 0.80, got
    # hand-written sentences in other words: harder (README gives the figures); a floor
    # under the measured scores so that a worse model does not ship unnoticed
    got = score(ner_corpus.handwritten(), predict)
    assert got["ALL"]["f1"] >= 0.80 and got["PERSON"]["f1"] >= 0.70, got
    got = score(ner_corpus.handwritten("handwritten_b"), predict)  # the untouched set
    assert got["ALL"]["f1"] >= 0.60 and got["GROUP"]["f1"] >= 0.70, got


@needs_model
def test_entities_subjects_and_organisations_in_the_record():
    text = ("工会工作总结\n\n春节前夕,城南区总工会走访慰问了困难职工56名,"
            "并为128名农民工子女发放助学金。退休职工刘建华家中失火,工会送去救助金2000元。\n")
    doc = extract_text(text)
    ents = {(e.label, e.quote) for e in doc.entities}
    assert ("ORG", "城南区总工会") in ents and ("PERSON", "刘建华") in ents
    for e in doc.entities:
        assert text[e.start:e.end] == e.quote
    subjects = {f.quote: f.subject for f in doc.facts if f.type == "count"}
    assert subjects == {"56名": "困难职工", "128名": "农民工子女"}
    assert doc.sections[0].organisations == ["城南区总工会"]


@needs_model
def test_traditional_text_is_tagged_and_grounded_in_the_original():
    text = "春節前夕,城南區總工會(huì)走訪慰問了困難職工56名。"
    doc = extract_text(text)
    org = next(e for e in doc.entities if e.label == "ORG")
    assert org.text == "城南区总工会" and text[org.start:org.end] == org.quote and org.quote.startswith("城南區總工會")


def _persons_corpus(tmp_path):
    """Report pages carrying the held-out generated paragraphs, with the names
    annotated in them (the annotation, not the model, says what a name is)."""
    from pipeline.train import ner_corpus

    names, folder = set(), tmp_path / "in"
    folder.mkdir()
    paras = [p for p in ner_corpus.generated(120, 11, "test") if any(lab == "PERSON" for *_, lab in p[1])]
    for k in range(0, 60, 6):
        body = []
        for text, ents in paras[k:k + 6]:
            names |= {text[s:e] for s, e, lab in ents if lab == "PERSON"}
            body.append(text)
        (folder / f"r{k}.txt").write_text(f"工会帮扶工作总结{k}\n\n" + "\n".join(body) + "\n", encoding="utf-8")
    return folder, names


def _dataset_text(out) -> str:
    import pyarrow.parquet as pq

    return "\n".join(json.dumps(pq.read_table(p).to_pylist(), ensure_ascii=False, default=str)
                     for p in sorted(out.rglob("*.parquet")))


@needs_model
def test_redact_persons_leaves_no_annotated_name_in_any_exported_field(tmp_path):
    import duckdb
    from typer.testing import CliRunner

    from pipeline.cli import app

    folder, names = _persons_corpus(tmp_path)
    assert len(names) >= 20
    runner = CliRunner()
    outputs = []
    for fmt, out in (("jsonl", tmp_path / "f.jsonl"), ("parquet", tmp_path / "pq"), ("csv", tmp_path / "csv")):
        args = ["extract", str(folder), "-o", str(out), "--format", fmt, "-w", "1", "--redact-persons"]
        if fmt == "parquet":
            args += ["--duckdb", str(tmp_path / "f.duckdb")]
        res = runner.invoke(app, args)
        assert res.exit_code == 0, res.output
        outputs.append(out)
    texts = [outputs[0].read_text(encoding="utf-8"), _dataset_text(outputs[1])]
    texts += [p.read_text(encoding="utf-8") for p in sorted(outputs[2].rglob("*.csv"))]
    con = duckdb.connect(str(tmp_path / "f.duckdb"), read_only=True)
    for (table,) in con.execute("select table_name from information_schema.tables").fetchall():
        texts.append(json.dumps(con.execute(f"select * from {table}").fetchall(), ensure_ascii=False, default=str))
    blob = "\n".join(texts)
    assert "人名-" in blob  # names were there and were replaced
    left = sorted(n for n in names if n in blob)
    assert not left, f"person names left in the export: {left}"
    # the pseudonym of a name is the same wherever it appears
    docs = [json.loads(line) for line in texts[0].splitlines()]
    seen: dict[str, set[str]] = {}
    for d in docs:
        assert d["redacted"] is True
        for e in d["entities"]:
            if e["label"] == "PERSON":
                seen.setdefault(e["quote"], set()).add(e["text"])
    assert seen and all(len(v) == 1 for v in seen.values())


@needs_model
def test_pseudonyms_depend_on_the_key():
    from pipeline.models.redact import pseudonym

    assert pseudonym("刘建华") == pseudonym("刘建华") != pseudonym("刘建华", key="secret")
    doc = extract_text("退休职工刘建华家中失火,工会送去救助金2000元。")
    from pipeline.models.redact import redact_persons

    red = redact_persons(doc, key="k")
    assert "刘建华" not in red.model_dump_json() and pseudonym("刘建华", "k") in red.model_dump_json()


def test_lexical_pass_is_not_worse_than_the_model_on_the_hand_written_sets():
    """The default entity engine (pipeline/models/lexical.py) replaced the model
    for speed on the promise that ORG and GROUP do not get worse: on both
    hand-written sets its F1 is at least the shipped model's (corpus/ner/scores.json,
    written when the model was trained)."""
    from pipeline.models import lexical
    from pipeline.train import ner_corpus
    from pipeline.train.ner_train import score

    model = json.loads((ner_corpus.CORPUS_DIR / "ner" / "scores.json").read_text())
    tagger = lexical.tagger()

    def predict(t):
        return [(e.start, e.end, e.label) for e in tagger.entities(t)]

    for name in ("handwritten", "handwritten_b"):
        got = score(ner_corpus.handwritten(name), predict)
        for label in ("ORG", "GROUP"):
            assert got[label]["f1"] >= model[name][label]["f1"], (name, label, got[label], model[name][label])
        assert got["PERSON"]["f1"] >= 0.70, (name, got["PERSON"])
    # the generated held-out part is the model's home ground (its own frames and
    # names); the lexical pass stays within reach there too
    got = score(list(ner_corpus.generated(200, 7, "test")), predict)
    assert got["ORG"]["f1"] >= 0.80 and got["GROUP"]["f1"] >= 0.80 and got["PERSON"]["f1"] >= 0.75, got


def test_lexical_suffix_memo_answers_as_endswith_and_stays_bounded(monkeypatch):
    from pipeline.models import lexical

    monkeypatch.setattr(lexical, "_MEMO_WORDS", 4)
    ends = lexical._ends_in(("总工会", "公司", "厂"))
    words = ["市总工会", "工会", "建筑公司", "公司化", "厂", "纺织厂", "职工"]
    for _ in range(2):
        assert [ends[w] for w in words] == [w.endswith(("总工会", "公司", "厂")) for w in words]
        assert len(ends) <= 4
