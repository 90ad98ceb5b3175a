"""Inputs of a batch: files, folders (recursive), globs and .zip archives.

``iter_inputs(specs)`` yields ``Input(doc_id, name, read)`` in a stable order,
without reading anything yet (a worker calls ``read()``). Members of a zip are
read straight from the archive, never extracted to disk, so a member named
``../../etc/passwd`` cannot escape; such names are still refused with an error
record rather than silently skipped. Accepted suffixes: .txt, .html, .htm.
"""

from __future__ import annotations

import glob
import os
import zipfile
from functools import partial
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Callable, Iterator

from ..document import doc_id_for, strip_txt

SUFFIXES = (".txt", ".html", ".htm")


@dataclass(frozen=True, slots=True)
class Input:
    doc_id: str
    name: str                      # where it came from, for messages
    read: Callable[[], bytes]
    is_html: bool = False


def _read_path(path: str) -> bytes:
    with open(path, "rb") as fh:
        return fh.read()


def _file_input(path: Path, root: Path | None) -> Input:
    # the reader holds the path as a string, not a Path with its cached parts:
    # inputs are pickled to the workers, and the lighter the better
    name = str(path)
    return Input(doc_id_for(path, root), name, partial(_read_path, name), path.suffix.lower() in (".html", ".htm"))


def _files_under(folder: Path) -> list[str]:
    """Every file under ``folder``, in the order of sorted ``Path`` objects
    (component by component), listed with os.walk: ``Path.rglob`` builds a
    ``Path`` per file, which for a folder of 100k reports is memory for nothing."""
    out = []
    for dirpath, _, files in os.walk(folder):
        out += (os.path.join(dirpath, f) for f in files)
    out.sort(key=lambda f: f.split(os.sep))
    return out


def _read_member(path: Path, name: str) -> bytes:
    with zipfile.ZipFile(path) as zf:
        return zf.read(name)


def _refuse(name: str) -> bytes:
    raise ValueError(f"unsafe path in zip archive: {name!r}")


def _zip_inputs(path: Path) -> Iterator[Input]:
    with zipfile.ZipFile(path) as zf:
        names = sorted(i.filename for i in zf.infolist() if not i.is_dir())
    for name in names:
        pure = PurePosixPath(name)
        if not name.lower().endswith(SUFFIXES):
            continue
        doc_id = f"{path.stem}/{strip_txt(name)}"
        if pure.is_absolute() or ".." in pure.parts or name.startswith("\\"):
            yield Input(doc_id, f"{path}:{name}", partial(_refuse, name))
            continue
        yield Input(doc_id, f"{path}:{name}", partial(_read_member, path, name),
                    name.lower().endswith((".html", ".htm")))


def iter_inputs(specs: list[str | Path]) -> Iterator[Input]:
    for spec in specs:
        p = Path(spec)
        if p.is_dir():
            for name in _files_under(p):
                suffix = os.path.splitext(name)[1].lower()
                if suffix in SUFFIXES:
                    yield _file_input(Path(name), p)
                elif suffix == ".zip":
                    yield from _zip_inputs(Path(name))
        elif p.is_file():
            if p.suffix.lower() == ".zip":
                yield from _zip_inputs(p)
            else:
                yield _file_input(p, None)
        elif any(ch in str(spec) for ch in "*?["):
            matches = sorted(Path(m) for m in glob.glob(str(spec), recursive=True))
            if not matches:
                raise FileNotFoundError(f"no file matches {spec}")
            yield from iter_inputs([m for m in matches if m.is_file()])
        else:
            raise FileNotFoundError(f"no such file or folder: {spec}")
