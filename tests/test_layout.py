"""The package's shape (issue: the house): wings by stage, runtime code apart
from training code, no import circle. Read from the source with ``ast``, so
lazy imports inside functions count too."""

from __future__ import annotations

import ast
from pathlib import Path

PKG = Path(__file__).resolve().parent.parent / "pipeline"


def _modules() -> dict[str, Path]:
    out = {}
    for p in PKG.rglob("*.py"):
        parts = list(p.relative_to(PKG.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = p
    return out


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """Package modules imported anywhere in ``path`` (absolute and relative)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            bases = [a.name for a in node.names]
            found |= {b for b in bases if b in known}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - (node.level - 1)]
                base = ".".join(parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            if base in known:
                found.add(base)
            for a in node.names:  # `from . import x` imports the module x
                if f"{base}.{a.name}" in known:
                    found.add(f"{base}.{a.name}")
    found.discard(name)
    return found


def _graph() -> dict[str, set[str]]:
    mods = _modules()
    known = set(mods)
    return {m: _imports(m, p, known) for m, p in mods.items()}


def test_top_level_holds_at_most_eight_modules() -> None:
    top = [p.name for p in PKG.glob("*.py")]
    assert len(top) <= 8, top
    for wing in ("text", "extract", "audit", "models", "batch", "train"):
        assert (PKG / wing / "__init__.py").is_file(), wing


def test_runtime_never_imports_training_code() -> None:
    bad = {m: sorted(i for i in deps if i.startswith("pipeline.train"))
           for m, deps in _graph().items() if not m.startswith("pipeline.train")}
    assert not {m: v for m, v in bad.items() if v}


def test_no_import_circle() -> None:
    graph = _graph()
    # a package's __init__ re-exporting its own modules is not a circle
    edges = {m: {d for d in deps if not m.startswith(d + ".")} for m, deps in graph.items()}
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(m: str) -> None:
        state[m] = 1
        stack.append(m)
        for d in sorted(edges.get(m, ())):
            if state.get(d) == 1:
                raise AssertionError("import circle: " + " -> ".join(stack[stack.index(d):] + [d]))
            if d not in state:
                visit(d)
        stack.pop()
        state[m] = 2

    for m in sorted(edges):
        if m not in state:
            visit(m)


def test_graph_sees_lazy_and_relative_imports() -> None:
    # the checks above are only as good as the scan: it must see a lazy
    # relative import (document -> models.ner inside a function)
    assert "pipeline.models.ner" in _graph()["pipeline.document"]
