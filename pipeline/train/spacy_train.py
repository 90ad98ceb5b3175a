"""Run spaCy's trainer on one of the project's configs (``rules/spacy/*.cfg``)
and keep its best model: shared by the NER (``ner_train``) and the activity
classifier (``activity_train``)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any


def train_pipeline(config: Path, out: Path, data_dir: Path, max_steps: int | None = None,
                   overrides: dict[str, Any] | None = None) -> None:
    """Train on ``data_dir/train.spacy`` (``dev.spacy`` picks the best model),
    on CPU, and copy the best model to ``out`` (replacing it)."""
    from spacy.cli.train import train as spacy_train

    cfg = {"paths.train": str(data_dir / "train.spacy"), "paths.dev": str(data_dir / "dev.spacy"),
           **(overrides or {})}
    if max_steps is not None:
        cfg["training.max_steps"] = max_steps
    with tempfile.TemporaryDirectory() as tmp:
        spacy_train(config, Path(tmp), overrides=cfg, use_gpu=-1)
        if out.exists():
            shutil.rmtree(out)
        shutil.copytree(Path(tmp) / "model-best", out)
