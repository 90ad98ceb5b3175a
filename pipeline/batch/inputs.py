"""Inputs of a batch: files, folders (recursive), globs and .zip archives.

``iter_inputs(specs)`` yields one ``Input(doc_id, name, read)`` for every file
it meets, in a stable order, without reading anything yet (a worker calls
``read()``). Nothing is dropped silently: a file of a type zongjie does not
read, a zip inside a zip, a folder that cannot be listed, a corrupt archive
each yield an ``Input`` whose ``skip`` or read error becomes that input's
``skipped`` or ``error`` record. Members of a zip are read straight from the
archive (one open archive per process), never extracted to disk, so a member
named ``../../etc/passwd`` cannot escape (it is refused with an error record),
and a member that inflates past ``MAX_MEMBER`` bytes is refused before it is
inflated.

doc_id: the input's path relative to the folder named on the command line (a
glob: relative to the folder before its first wildcard; a file named alone:
its file name), with a ``.txt`` suffix dropped; a zip member is the zip's
doc_id (``.zip`` dropped) + ``/`` + the member's. Two inputs with one doc_id
are an error before any work (see ``duplicate_ids``).
"""

from __future__ import annotations

import functools
import glob
import hashlib
import os
import zipfile
from array import array
from dataclasses import dataclass
from functools import partial
from pathlib import Path, PurePosixPath
from typing import Callable, Iterator

from ..document import fmt_of, strip_txt

# .docx .pdf .rtf .doc .wps are read through their readers (pipeline/text/formats.py)
SUFFIXES = (".txt", ".html", ".htm", ".docx", ".pdf", ".rtf", ".doc", ".wps")
# formats of union archives that this version does not read: a record says so
# instead of the file vanishing from the run
UNREAD_FORMATS = {".odt": "OpenDocument", ".xls": "Excel", ".xlsx": "Excel", ".et": "WPS spreadsheet",
                  ".ppt": "PowerPoint", ".pptx": "PowerPoint"}
# a zip member larger than this (inflated) is refused: a 2 MB zip can hold a 1 GB "report"
MAX_MEMBER = int(os.environ.get("ZONGJIE_MAX_MEMBER", 64 * 1024 * 1024))


@dataclass(frozen=True, slots=True)
class Input:
    doc_id: str
    name: str                      # where it came from, for messages
    read: Callable[[], bytes]
    is_html: bool = False
    skip: str | None = None        # why this input is not read (a ``skipped`` record)
    fmt: str = "text"              # text, html, or a document format (docx, pdf, rtf, doc, wps)


def _read_path(path: str) -> bytes:
    with open(path, "rb") as fh:
        return fh.read()


def _fail(message: str) -> bytes:
    raise OSError(message)


def _unsupported(suffix: str, where: str) -> str | None:
    """Why a file of this suffix is not read, or None when it is."""
    if suffix in SUFFIXES:
        return None
    if suffix in UNREAD_FORMATS:
        return f"{UNREAD_FORMATS[suffix]} files ({suffix}) are not read by this version of zongjie"
    if suffix == ".zip" and where == "zip":
        return "a zip inside a zip is not opened"
    return (f"not a report zongjie reads ({suffix or 'no suffix'}; it reads .txt, .html, .htm, .docx, .pdf, "
            ".rtf, .doc, .wps and .zip)")


def _doc_id(path: str, root: str | None) -> str:
    if root is None:
        rel = os.path.basename(path)
    else:
        rel = path[len(root) + 1:]
        # a path the walk joined under root is already what relpath and the Path
        # parts below make of it: their two abspath calls and the parts were a third
        # of the parent's time per input (a run over a million files lists them twice)
        if os.sep == "/" and path.startswith(root + "/") \
                and not any(x in "/" + rel + "/" for x in ("//", "/./", "/../")):
            return strip_txt(rel)
        rel = os.path.relpath(path, root)
    return strip_txt(PurePosixPath(*Path(rel).parts).as_posix())


def _file_input(path: str, root: str | None) -> Input:
    # the reader holds the path as a string, not a Path with its cached parts:
    # inputs are pickled to the workers, and the lighter the better
    suffix = os.path.splitext(path)[1].lower()
    return Input(_doc_id(path, root), path, partial(_read_path, path), suffix in (".html", ".htm"),
                 fmt=fmt_of(path))


def _walk(folder: Path) -> Iterator[tuple[str, str | None]]:
    """``(path, None)`` for every file under ``folder``, and ``(place, reason)``
    for a place that cannot be listed, is not followed or is a broken link (the
    reason of a place not followed says "not followed"), in the order of
    sorted ``Path`` objects (component by component): a walk that sorts each
    folder's names and goes into a subfolder where its name falls. Only the
    names of the folders on the way down are held: listing a whole tree of
    100k reports, then sorting it, held every path for the length of the run
    (~11 MiB per 30k files, in the parent and in every worker forked after it)."""
    def walk(top: str) -> Iterator[tuple[str, str | None]]:
        names: list[str] = []
        dirs: dict[str, bool] = {}  # subfolder -> is a symbolic link
        links: set[str] = set()     # files that are symbolic links (the folder's listing says so: no stat)
        try:
            with os.scandir(top) as it:
                for e in it:
                    names.append(e.name)
                    try:
                        link = e.is_symlink()
                        # a link is followed to see what it names, as os.walk does: a
                        # linked folder is named, not entered; a loop or a dangling
                        # link is a link to a file that is not there
                        if e.is_dir(follow_symlinks=link):
                            dirs[e.name] = link
                        elif link:
                            links.add(e.name)
                    except OSError:
                        links.add(e.name)
        except OSError as e:
            yield e.filename or top, f"cannot list folder: {e.strerror or e}"
            return
        names.sort()
        for name in names:
            full = os.path.join(top, name)
            link = dirs.get(name)
            if link is None:
                if name in links and not os.path.exists(full):
                    yield full, f"broken or looping symbolic link: {full}"
                else:
                    yield full, None
            elif link:  # not followed: a link can loop or leave the folder
                yield full, "symbolic link to a folder, not followed"
            else:
                yield from walk(full)

    yield from walk(str(folder))


def _files_under(folder: Path) -> list[str]:
    return [p for p, why in _walk(folder) if why is None]


@functools.lru_cache(maxsize=4)
def _archive(path: str, pid: int) -> zipfile.ZipFile:
    """One open archive per process (keyed by pid: a forked worker must not
    share the parent's file offset). 20,000 members are read from it instead
    of opening and indexing the archive 20,000 times."""
    return zipfile.ZipFile(path)


def _read_member(path: str, name: str) -> bytes:
    zf = _archive(path, os.getpid())
    info = zf.getinfo(name)
    if info.file_size > MAX_MEMBER:
        raise OSError(f"zip member inflates to {info.file_size:,} bytes, more than the limit of "
                      f"{MAX_MEMBER:,} (ZONGJIE_MAX_MEMBER); not inflated")
    with zf.open(info) as fh:  # the header can lie: never read more than the limit
        data = fh.read(MAX_MEMBER + 1)
    if len(data) > MAX_MEMBER:
        raise OSError(f"zip member inflates past the limit of {MAX_MEMBER:,} bytes (ZONGJIE_MAX_MEMBER)")
    return data


def _zip_inputs(path: str, root: str | None) -> Iterator[Input]:
    base = _doc_id(path, root)
    base = base[:-4] if base.lower().endswith(".zip") else base
    try:
        with zipfile.ZipFile(path) as zf:
            names = sorted(i.filename for i in zf.infolist() if not i.is_dir())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as e:
        reason = f"not a readable zip archive: {e}"
        yield Input(base, path, partial(_fail, reason))
        return
    for name in names:
        pure = PurePosixPath(name)
        doc_id = f"{base}/{strip_txt(name)}"
        where = f"{path}:{name}"
        if pure.is_absolute() or ".." in pure.parts or name.startswith("\\"):
            yield Input(doc_id, where, partial(_fail, f"unsafe path in zip archive: {name!r}"))
            continue
        suffix = os.path.splitext(name)[1].lower()
        why = _unsupported(suffix, "zip")
        if why:
            yield Input(doc_id, where, partial(_fail, why), skip=why)
            continue
        yield Input(doc_id, where, partial(_read_member, path, name), suffix in (".html", ".htm"), fmt=fmt_of(name))


def _folder_inputs(folder: Path) -> Iterator[Input]:
    root = str(folder)
    for name, reason in _walk(folder):
        if reason is not None:
            yield Input(_doc_id(name, root), name, partial(_fail, reason),
                        skip=reason if "not followed" in reason else None)
            continue
        suffix = os.path.splitext(name)[1].lower()
        if suffix == ".zip":
            yield from _zip_inputs(name, root)
            continue
        why = _unsupported(suffix, "folder")
        inp = _file_input(name, root)
        yield inp if why is None else Input(inp.doc_id, name, inp.read, skip=why)


def _glob_root(spec: str) -> str:
    """The folder before a glob's first wildcard: doc_ids of its matches are
    relative to it, so ``in*/a/x.txt`` gives ``in2/a/x`` and ``in3/a/x``."""
    parts = Path(spec).parts
    head = []
    for part in parts:
        if any(ch in part for ch in "*?["):
            break
        head.append(part)
    return str(Path(*head)) if head else "."


def _named_file(path: str, root: str | None) -> Iterator[Input]:
    suffix = os.path.splitext(path)[1].lower()
    if suffix == ".zip":
        yield from _zip_inputs(path, root)
        return
    inp = _file_input(path, root)
    # a file named alone with no suffix is read as text; any other unknown type is not
    why = None if suffix == "" else _unsupported(suffix, "named")
    yield inp if why is None else Input(inp.doc_id, path, inp.read, skip=why)


def iter_inputs(specs: list[str | Path]) -> Iterator[Input]:
    for spec in specs:
        p = Path(spec)
        if p.is_dir():
            yield from _folder_inputs(p)
        elif p.is_file():
            yield from _named_file(str(p), None)
        elif any(ch in str(spec) for ch in "*?["):
            matches = sorted(Path(m) for m in glob.glob(str(spec), recursive=True))
            if not matches:
                raise FileNotFoundError(f"no file matches {spec}")
            root = _glob_root(str(spec))
            for m in matches:
                if m.is_file():
                    yield from _named_file(str(m), root)
        elif p.is_symlink():
            yield Input(p.name, str(p), partial(_fail, f"broken or looping symbolic link: {p}"))
        else:
            raise FileNotFoundError(f"no such file or folder: {spec}")


def duplicate_ids(inputs: Callable[[], Iterator[Input]]) -> tuple[int, list[tuple[str, str, str]]]:
    """How many inputs there are, and the doc_ids that two of them share
    (doc_id, first input, second input). ``inputs`` makes the iterator, as it
    may be walked twice: the first walk holds 8 bytes per input (a hash of its
    doc_id), and only when two hashes meet does a second walk hold the ids and
    names of those few (a dict of every id and name was ~6 MiB per 30k inputs,
    left behind in the allocator for the whole run)."""
    hashes = array("q")
    for inp in inputs():
        hashes.append(_id_hash(inp.doc_id))
    n = len(hashes)
    hashes = array("q", sorted(hashes))
    twice = {hashes[k] for k in range(1, n) if hashes[k] == hashes[k - 1]}
    del hashes
    dups: list[tuple[str, str, str]] = []
    if twice:
        seen: dict[str, str] = {}
        for inp in inputs():
            if _id_hash(inp.doc_id) not in twice:
                continue
            if inp.doc_id in seen:
                dups.append((inp.doc_id, seen[inp.doc_id], inp.name))
            else:
                seen[inp.doc_id] = inp.name
    return n, dups


def _id_hash(doc_id: str) -> int:
    # a stable 64-bit digest (str hash would do within a run; this one does not
    # depend on PYTHONHASHSEED, so a collision is the same every run)
    return int.from_bytes(hashlib.blake2b(doc_id.encode("utf-8", "surrogatepass"), digest_size=8).digest(),
                          "little", signed=True)
