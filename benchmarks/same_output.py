"""Is the output byte-identical? A digest of every record on the seeds,
``../shared/real`` and synthetic pages, to compare before and after a change
that should change nothing (a speed-up).

    .venv/bin/python benchmarks/same_output.py --save /tmp/before.json
    ... change the code ...
    .venv/bin/python benchmarks/same_output.py --against /tmp/before.json

Each document's JSON line (as ``zongjie extract -o x.jsonl`` writes it) is
hashed in a canonical form (parsed, keys sorted: the content, not the spacing); ``--against`` lists the documents whose line changed and exits 1 if any
did. ``--ner-engine`` and ``--no-ner`` choose the path, as on the CLI.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.pages import real_and_synthetic  # noqa: E402
from pipeline.batch.export import prepare_json  # noqa: E402
from pipeline.document import Options, process_text  # noqa: E402


def digests(options: Options, n_synth: int) -> dict[str, str]:
    out = {}
    for doc_id, text in real_and_synthetic(n_synth):
        line = prepare_json(process_text(doc_id, text, options=options)).json
        # the content, not the spacing: the line parsed and written in one canonical form
        canonical = json.dumps(json.loads(line), ensure_ascii=False, sort_keys=True)
        out[doc_id] = hashlib.sha256(canonical.encode()).hexdigest()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--save", type=Path)
    g.add_argument("--against", type=Path)
    ap.add_argument("--synthetic", type=int, default=300)
    ap.add_argument("--no-ner", action="store_true")
    ap.add_argument("--ner-engine", default="lexical")
    a = ap.parse_args()
    got = digests(Options(ner=not a.no_ner, ner_engine=a.ner_engine), a.synthetic)
    if a.save:
        a.save.write_text(json.dumps(got, indent=0), encoding="utf-8")
        print(f"{len(got)} documents hashed -> {a.save}")
        return
    was = json.loads(a.against.read_text(encoding="utf-8"))
    changed = sorted(k for k in was.keys() | got.keys() if was.get(k) != got.get(k))
    for k in changed:
        print(f"changed: {k}")
    print(f"{len(got)} documents, {len(changed)} changed")
    sys.exit(1 if changed else 0)


if __name__ == "__main__":
    main()
