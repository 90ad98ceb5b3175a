"""Rule data: loading and validating the YAML/TSV files under ``rules/``.

Patterns are written against NORMALISED text (simplified, half-width, pinyin
stripped). Fragments are composed by reference: ``{name}`` in a pattern is
replaced by the fragment's (non-capturing) text, recursively, as in
Recognizers-Text's resource files. Every file is validated with pydantic
(``extra="forbid"``) so that a typo fails at load time, not as a silent miss.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Any

import regex
from pydantic import BaseModel, ConfigDict, Field

from . import rule_cache

RULES_DIR = Path(os.environ.get("ZONGJIE_RULES", Path(__file__).resolve().parent.parent / "rules"))


def _parse_yaml(raw: bytes) -> Any:
    import yaml  # only when the cache (pipeline/rule_cache.py) misses: ~15 ms to import

    # libyaml's loader reads the rule files ~10x faster than the pure-Python one
    # (0.34 s of every start-up before); both build the same data
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(raw.decode("utf-8"), Loader=loader) or {}

_REF = rule_cache.pattern(r"\{([a-z_][a-z0-9_]*)\}")


class RuleSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    pattern: str
    note: str | None = None
    # free-form options a stage may read (e.g. kind of a placeholder)
    options: dict[str, Any] = Field(default_factory=dict)


class RuleFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    description: str | None = None
    fragments: dict[str, str] = Field(default_factory=dict)
    rules: list[RuleSpec] = Field(default_factory=list)
    # Every match of every rule contains a match of ``anchor`` within ``window``
    # characters of either end; the rules then run only near anchors, which is
    # what makes a long report cost little more than its figures (tests check
    # that windowed and whole-text matching agree on every example and seed).
    anchor: str | None = None
    window: int = 48
    lexicons: dict[str, list[str]] = Field(default_factory=dict)
    tables: dict[str, dict[str, Any]] = Field(default_factory=dict)


class Example(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    text: str
    expect: list[dict[str, Any]] = Field(default_factory=list)
    status: str | None = None  # "xfail" for a known failure
    reason: str | None = None


class ExampleFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    dimension: str
    examples: list[Example]


def expand(pattern: str, fragments: dict[str, str], _depth: int = 0) -> str:
    if _depth > 20:
        raise ValueError(f"fragment references nest too deep in {pattern!r}")

    def sub(m: regex.Match) -> str:
        name = m.group(1)
        if name not in fragments:
            raise KeyError(f"unknown fragment {{{name}}}")
        return "(?:" + expand(fragments[name], fragments, _depth + 1) + ")"

    return _REF.sub(sub, pattern)


@functools.lru_cache(maxsize=None)
def load(name: str) -> RuleFile:
    """Load ``rules/<name>.yaml`` (e.g. ``"amount/patterns"``)."""
    path = RULES_DIR / f"{name}.yaml"
    if not path.exists():
        raise FileNotFoundError(f"rule file {path} not found (set ZONGJIE_RULES to the rules folder)")
    return RuleFile.model_validate(rule_cache.rule_data(path, _parse_yaml))


@functools.lru_cache(maxsize=None)
def load_raw(name: str) -> dict[str, Any]:
    """``rules/<name>.yaml`` as plain data, for the files that are not rule files
    (the NER corpus' name parts and templates, read by its generator and by the
    lexical entity pass)."""
    return rule_cache.rule_data(RULES_DIR / f"{name}.yaml", _parse_yaml)


@functools.lru_cache(maxsize=None)
def compiled(name: str) -> list[tuple[RuleSpec, regex.Pattern]]:
    rf = load(name)
    out = []
    for r in rf.rules:
        try:
            out.append((r, rule_cache.pattern(expand(r.pattern, rf.fragments), regex.V1)))
        except (regex.error, KeyError) as e:
            raise ValueError(f"rule {r.id} in {name}.yaml does not compile: {e}") from e
    return out


@functools.lru_cache(maxsize=None)
def anchor(name: str) -> tuple[regex.Pattern, int] | None:
    rf = load(name)
    if rf.anchor is None:
        return None
    return rule_cache.pattern(expand(rf.anchor, rf.fragments), regex.V1), rf.window


def fragment(name: str, frag: str) -> regex.Pattern:
    rf = load(name)
    return rule_cache.pattern(expand("{" + frag + "}", rf.fragments), regex.V1)


def example_files() -> list[Path]:
    return sorted(RULES_DIR.glob("*/examples.yaml"))


def load_examples(path: Path) -> ExampleFile:
    return ExampleFile.model_validate(_parse_yaml(path.read_bytes()))
