"""The peer's side of the benchmarks: jionlp, run the way zongjie is run.

    python benchmarks/peers.py money DIR OUT.jsonl         # jionlp.ner.extract_money
    python benchmarks/peers.py money+time DIR OUT.jsonl    # extract_money and extract_time

As a whole process it reads every file of DIR, runs the extractors on it and
writes one JSON line per file (what was found, and the error when jionlp
raised), as ``zongjie extract`` does: a cold start, reading and writing
included. ``benchmarks/run.py`` also imports ``extract`` to time the same
calls in process on loaded texts. jionlp comes with ``pip install -e '.[bench]'``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

KINDS = ("money", "time", "money+time")


def extractor(kind: str) -> Callable[[str], dict[str, Any]]:
    """A function text -> what jionlp found in it; an exception jionlp raises
    (extract_time does on some inputs) is caught and counted, not fatal."""
    import jionlp

    calls: list[tuple[str, Callable[[str], Any]]] = []
    if kind in ("money", "money+time"):
        calls.append(("money", jionlp.ner.extract_money))
    if kind in ("time", "money+time"):
        calls.append(("time", jionlp.ner.extract_time))
    if not calls:
        raise SystemExit(f"unknown kind {kind!r}: one of {', '.join(KINDS)}")

    def run(text: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, fn in calls:
            try:
                out[name] = fn(text)
            except Exception as e:  # noqa: BLE001 - the peer's own failures are data here
                out[name + "_error"] = f"{type(e).__name__}: {e}"[:200]
        return out

    return run


def main(argv: list[str]) -> None:
    if len(argv) != 3:
        raise SystemExit(__doc__)
    kind, folder, out = argv
    run = extractor(kind)
    with open(out, "w", encoding="utf-8") as fh:
        for p in sorted(Path(folder).rglob("*")):
            if p.is_file():
                got = run(p.read_text(encoding="utf-8", errors="replace"))
                fh.write(json.dumps({"file": p.name, **got}, ensure_ascii=False, default=str) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
