"""The pages the benchmark scripts measure on: the real pages of ``../shared``
(seeds and ``real/texts``) and synthetic pages (``zongjie synth``)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


def real_paths() -> list[Path]:
    paths = sorted((SHARED / "seeds").glob("*.txt")) + sorted((SHARED / "real" / "texts").glob("*.txt"))
    if not paths:
        raise SystemExit(f"no real pages under {SHARED} (../shared/seeds, ../shared/real/texts)")
    return paths


def real_and_synthetic(n_synth: int, seed: int = 0) -> list[tuple[str, str]]:
    """(name, text) of every real page, then of ``n_synth`` synthetic pages."""
    from pipeline.train.synth import generate

    out = [(p.stem, p.read_text(encoding="utf-8")) for p in real_paths()]
    return out + [(d, t) for d, t, _ in generate(n_synth, seed=seed)]
