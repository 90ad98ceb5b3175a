"""Rule data: loading and validating the YAML/TSV files under ``rules/``.

Patterns are written against NORMALISED text (simplified, half-width, pinyin
stripped). Fragments are composed by reference: ``{name}`` in a pattern is
replaced by the fragment's (non-capturing) text, recursively, as in
Recognizers-Text's resource files. Every file is validated with pydantic
(``extra="forbid"``) so that a typo fails at load time, not as a silent miss.

The cache at the end of this module keeps parsed rule files and compiled
patterns from one process to the next: every runtime module compiles its
patterns through ``pattern``.
"""

from __future__ import annotations

import functools
import hashlib
import io
import marshal
import os
import pickle
import re
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Callable

import regex
from pydantic import BaseModel, ConfigDict, Field

RULES_DIR = Path(os.environ.get("ZONGJIE_RULES", Path(__file__).resolve().parent.parent / "rules"))


# --- the cache ------------------------------------------------------------------
# Parsed rule files and compiled patterns, kept from one process to the next.
#
# Before the first document every process read ~220 kB of YAML and compiled ~130
# patterns. The ``regex`` module parses and optimises a pattern in Python: ~75 ms
# of a one-page run went to its parser, ~30 ms more to YAML. A compiled pattern
# pickles as its compiled code (``regex``'s own copyreg hook rebuilds it with
# ``regex._regex.compile``, no parsing: ~2 ms for all of them), and a rule file's
# data is plain dicts, lists and strings that ``marshal`` reads at C speed. So
# both are written to a cache folder the first time and read back by every later
# process, the way Python keeps bytecode in ``__pycache__``.
#
# Where: ``$ZONGJIE_CACHE``, else ``$XDG_CACHE_HOME/zongjie``, else
# ``~/.cache/zongjie``; ``ZONGJIE_CACHE=off`` turns it off. The cache only ever
# saves time: a file that is missing, truncated, from another version of Python
# or ``regex``, or damaged is ignored (and replaced); a folder that cannot be
# written is left alone. A rule file is taken from the cache only when its bytes
# hash to the digest stored with it, so an edited rule file is read again. The
# pattern file is unpickled by an unpickler that builds nothing but
# ``regex._regex.compile`` calls: a planted pickle cannot run code.

FORMAT = 1
_MAGIC = b"zongjie-cache %d\n" % FORMAT
_DIGEST_SIZE = 16
_PY = sys.implementation.cache_tag


def cache_dir() -> Path | None:
    """The cache folder, or None when ``ZONGJIE_CACHE`` turns the cache off."""
    env = os.environ.get("ZONGJIE_CACHE")
    if env is not None:
        return None if env.strip().lower() in ("", "off", "0", "no", "false") else Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "zongjie"


def _digest(payload: bytes) -> bytes:
    return hashlib.blake2b(payload, digest_size=_DIGEST_SIZE).digest()


class _PatternUnpickler(pickle.Unpickler):
    """Builds compiled patterns and nothing else."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) == ("regex._regex", "compile"):
            return regex._regex.compile  # type: ignore[attr-defined]
        raise pickle.UnpicklingError(f"not a compiled pattern: {module}.{name}")


def _load_patterns(payload: bytes) -> dict:
    return _PatternUnpickler(io.BytesIO(payload)).load()


class _Store:
    """One cache file: a dict read on first use and written back whole, to a
    temporary file renamed over the old one, after a process added to it (two
    processes that both add keep whichever renames last: each holds all it used)."""

    def __init__(self, name: str, dumps: Callable[[dict], bytes], loads: Callable[[bytes], dict]) -> None:
        self.name, self.dumps, self.loads = name, dumps, loads
        self.entries: dict | None = None
        self.used: set = set()
        self.dirty = False
        self.folder: Path | None = None

    def _path(self) -> Path | None:
        return None if self.folder is None else self.folder / self.name

    def _read(self) -> dict:
        self.folder = cache_dir()
        path = self._path()
        if path is None:
            return {}
        try:
            blob = path.read_bytes()
        except OSError:
            return {}
        head = len(_MAGIC) + _DIGEST_SIZE
        if not blob.startswith(_MAGIC) or blob[len(_MAGIC):head] != _digest(blob[head:]):
            return {}
        try:
            got = self.loads(blob[head:])
        except Exception:  # a file of another format: start again
            return {}
        return got if isinstance(got, dict) else {}

    def _loaded(self) -> dict:
        if self.entries is None:
            self.entries = self._read()
        return self.entries

    def get(self, key: Any) -> Any:
        got = self._loaded().get(key)
        if got is not None:
            self.used.add(key)
        return got

    def put(self, key: Any, value: Any) -> None:
        self._loaded()[key] = value
        self.used.add(key)
        self.dirty = True

    def save(self) -> None:
        if not self.dirty or self.entries is None:
            return
        self.dirty = False
        path = self._path()
        if path is None:
            return
        keep = self.entries
        stale = len(keep) - len(self.used)
        if stale > len(self.used):  # rules edited many times over: keep what this process used
            keep = {k: v for k, v in keep.items() if k in self.used}
        try:
            payload = self.dumps(keep)
        except (ValueError, TypeError, pickle.PicklingError):
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{self.name}.")
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(_MAGIC + _digest(payload) + payload)
                os.replace(tmp, path)
            except BaseException:
                os.unlink(tmp)
                raise
        except OSError:  # a read-only home, a full disk: the next process compiles again
            pass


_patterns = _Store(f"patterns-{_PY}-regex{regex.__version__}.pickle",
                   lambda d: pickle.dumps(d, protocol=pickle.HIGHEST_PROTOCOL), _load_patterns)
_rules = _Store(f"rules-{_PY}.marshal", marshal.dumps, marshal.loads)


def pattern(source: str, flags: int = 0) -> regex.Pattern:
    """``regex.compile(pattern, flags)``, from the cache when it holds it."""
    key = (source, int(flags))  # a plain int: the unpickler builds no RegexFlag
    got = _patterns.get(key)
    if got is None:
        got = regex.compile(source, flags)
        _patterns.put(key, got)
    return got


def _never(text: str) -> None:
    return None


def literal_alternation(words: Iterable[str]) -> str:
    """A pattern source that matches, at any position, the longest of ``words``
    starting there: what the alternation of the words longest first matches, as
    a trie (安全(?:培训|生产)?|…), so the engine tests the one branch the next
    character allows instead of every word in turn (a fifth faster on the
    activity lexicon's 126 cues, same matches)."""
    trie: dict = {}
    for w in set(words):  # an empty word matches, empty, where no other word does
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def branch(node: dict) -> str:
        # the longer continuations first, the word ending here last: the longest wins
        kids = [re.escape(ch) + branch(sub) for ch, sub in sorted(node.items()) if ch]
        if not kids:
            return ""
        body = kids[0] if len(kids) == 1 else "(?:" + "|".join(kids) + ")"
        if "" in node:
            return ("(?:" + body + ")" if len(kids) == 1 else body) + "?"
        return body

    if not trie:
        raise ValueError("no words for a literal alternation")
    return branch(trie)


@functools.lru_cache(maxsize=None)
def holds_any(words: tuple[str, ...]) -> Callable[[str], Any]:
    """A test of whether a text holds any of ``words`` (a match, or None): one
    search of a compiled alternation where ``any(w in text for w in words)`` ran a
    Python loop per word, and the clause loops of events and checks ask it
    thousands of times a page. The stdlib engine, as for the other literal
    alternations (activities, reconcile): on these short clauses it searches
    ~2.5x faster than ``regex`` (130 against 330 ns), and compiling a few
    literal words costs nothing worth caching between processes."""
    if not words:
        return _never
    return re.compile(literal_alternation(words)).search


def rule_data(path: Path, parse: Callable[[bytes], Any]) -> Any:
    """``parse(bytes of path)``, from the cache when the file's bytes are the
    ones it was parsed from. Only plain data (what ``marshal`` writes) is kept."""
    raw = path.read_bytes()
    digest = _digest(raw)
    key = str(path)
    got = _rules.get(key)
    if got is not None and got[0] == digest:
        return got[1]
    data = parse(raw)
    try:
        marshal.dumps(data)
    except ValueError:  # a YAML date or the like: parsed each time
        return data
    _rules.put(key, (digest, data))
    return data


def save_cache() -> None:
    """Write what this process added (cheap when it added nothing)."""
    _patterns.save()
    _rules.save()


def reset_cache() -> None:
    """Forget what was read (tests: a new cache folder, a new process)."""
    for store in (_patterns, _rules):
        store.entries, store.used, store.dirty, store.folder = None, set(), False, None


# --- rule files -------------------------------------------------------------------

def _parse_yaml(raw: bytes) -> Any:
    import yaml  # only when the cache (above) misses: ~15 ms to import

    # libyaml's loader reads the rule files ~10x faster than the pure-Python one
    # (0.34 s of every start-up before); both build the same data
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(raw.decode("utf-8"), Loader=loader) or {}

_REF = pattern(r"\{([a-z_][a-z0-9_]*)\}")


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
    return RuleFile.model_validate(rule_data(path, _parse_yaml))


@functools.lru_cache(maxsize=None)
def load_raw(name: str) -> dict[str, Any]:
    """``rules/<name>.yaml`` as plain data, for the files that are not rule files
    (the NER corpus' name parts and templates, read by its generator and by the
    lexical entity pass)."""
    return rule_data(RULES_DIR / f"{name}.yaml", _parse_yaml)


@functools.lru_cache(maxsize=None)
def compiled(name: str) -> list[tuple[RuleSpec, regex.Pattern]]:
    rf = load(name)
    out = []
    for r in rf.rules:
        try:
            out.append((r, pattern(expand(r.pattern, rf.fragments), regex.V1)))
        except (regex.error, KeyError) as e:
            raise ValueError(f"rule {r.id} in {name}.yaml does not compile: {e}") from e
    return out


@functools.lru_cache(maxsize=None)
def anchor(name: str) -> tuple[regex.Pattern, int] | None:
    rf = load(name)
    if rf.anchor is None:
        return None
    return pattern(expand(rf.anchor, rf.fragments), regex.V1), rf.window


def fragment(name: str, frag: str) -> regex.Pattern:
    rf = load(name)
    return pattern(expand("{" + frag + "}", rf.fragments), regex.V1)


def example_files() -> list[Path]:
    return sorted(RULES_DIR.glob("*/examples.yaml"))


def load_examples(path: Path) -> ExampleFile:
    return ExampleFile.model_validate(_parse_yaml(path.read_bytes()))
