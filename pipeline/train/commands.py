"""The model-building commands of ``zongjie``: ``train-ner``, ``train-activities``, ``synth``.

They live with the training code so that the runtime CLI never imports
``pipeline.train``: ``pipeline.cli`` finds ``register`` through the
``zongjie.commands`` entry-point group (``pyproject.toml``), the way spaCy finds
its factories, and each command imports its trainer only when it runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

err = Console(stderr=True)


def register(app: typer.Typer) -> None:
    """Add the training and corpus commands to ``app``."""

    @app.command("train-ner")
    def train_ner(
        n_train: int = typer.Option(4000, "--n-train", help="generated training paragraphs"),
        seed: int = typer.Option(0, "--seed", help="seed of the generated corpus"),
        max_steps: Optional[int] = typer.Option(None, "--max-steps", help="override training.max_steps of the config"),
    ) -> None:
        """Train the shipped NER model (ORG, GROUP, PERSON) on the project's own
        annotations (rules/spacy/ner.cfg, CPU) and score it per label on the held-out
        sets; writes pipeline/models/trained/ner and corpus/ner/scores.json."""
        from .ner_train import MODEL_DIR, evaluate, train, write_corpora

        off = write_corpora(n_train=n_train, seed=seed)
        err.print("entities off token boundaries (kept as missing): " + ", ".join(f"{k} {v}" for k, v in off.items()))
        train(MODEL_DIR, max_steps=max_steps)
        t = Table(title="NER held-out scores (exact spans)")
        for col in ("set", "label", "P", "R", "F1", "gold"):
            t.add_column(col)
        for name, per in evaluate(MODEL_DIR).items():
            for lab, m in per.items():
                t.add_row(name, lab, f"{m['p']:.3f}", f"{m['r']:.3f}", f"{m['f1']:.3f}", str(m["gold"]))
        Console().print(t)


    @app.command("train-activities")
    def train_activities(
        n_train: int = typer.Option(1500, "--n-train", help="generated training pages"),
        seed: int = typer.Option(0, "--seed", help="seed of the generated corpus"),
        shared: Optional[Path] = typer.Option(Path("../shared"), "--shared",
                                              help="folder with gold/ and seeds/ (the dev gold), if present"),
        model_out: Optional[Path] = typer.Option(None, "--model-out", help="keep the trained classifier here"),
        max_steps: Optional[int] = typer.Option(None, "--max-steps", help="override training.max_steps of the config"),
    ) -> None:
        """Train a spaCy text classifier for the primary activity (rules/spacy/textcat.cfg,
        CPU) on generated sub-reports and compare its accuracy with the lexicon's, on
        held-out generated pages and on the dev gold. The lexicon stays in use unless
        the classifier beats it (see README, "Activity types")."""
        from .activity_train import run

        if shared is not None and not (shared / "gold").is_dir():
            err.print(f"no dev gold at {shared}/gold: comparing on generated pages only")
            shared = None
        t = Table(title="primary activity accuracy")
        for col in ("set", "sections", "lexicon", "textcat", "textcat where lexicon says other"):
            t.add_column(col)
        for name, m in run(n_train, seed, shared, model_out, max_steps).items():
            t.add_row(name, str(m["sections"]), f"{m['lexicon']:.3f}", f"{m['textcat']:.3f}",
                      f"{m['lexicon_then_textcat']:.3f}")
        Console().print(t)


    @app.command()
    def synth(
        out: Path = typer.Argument(..., help="folder: texts/ and gold/ (the ../shared/gold format) are written in it"),
        n: int = typer.Option(100, "--n", help="number of reports"),
        seed: int = typer.Option(0, "--seed", help="the same seed gives the same corpus"),
        traditional: float = typer.Option(0.25, "--traditional", help="share of pages in traditional characters with pinyin"),
        planted: float = typer.Option(0.25, "--planted", help="share of breakdowns whose total is planted wrong"),
    ) -> None:
        """Write synthetic reports with their exact gold annotations."""
        from .synth import write

        if n < 0:
            raise typer.BadParameter("--n must be 0 or more")
        texts, gold = write(out, n, seed, traditional_share=traditional, planted=planted)
        err.print(f"{n} reports -> {texts}, gold -> {gold}")
