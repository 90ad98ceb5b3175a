"""Batch runs: many inputs -> one Document each, in input order, never fewer.

``run(inputs, workers)`` yields ``(input, Document)`` in input order, holding
at most a bounded window of documents in flight, so memory does not grow with
the number of inputs. Three executors run the same per-document function,
``process_data``: a plain loop (``workers=1``), a process pool (rules load
once per worker process: they are cached at module level on first use), and
a Dask distributed cluster (``dask="tcp://scheduler:8786"`` or ``"local"``
for a LocalCluster on this machine). A failure while reading or processing an
input becomes that input's ``status: "error"`` record.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections import deque
from concurrent.futures import CancelledError, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator

from ..document import DEFAULT_OPTIONS, Options, content_hash, error_document, process_bytes, skipped_document
from .inputs import Input
from ..parts import long_reader
from ..records import Document

# (header, parts) -> the finished document: export.prepare_parts
PartsFinish = Callable[[Document, Iterator[Document]], Any]


def process_input(inp: Input, options: Options = DEFAULT_OPTIONS, in_parts: PartsFinish | None = None) -> Any:
    if inp.skip is not None:
        return skipped_document(inp.doc_id, inp.skip)
    try:
        data = inp.read()
    except Exception as e:  # unreadable input: its own error record, the run goes on
        return error_document(inp.doc_id, f"cannot read {inp.name}: {e}")
    return process_data(inp.doc_id, data, inp.is_html, options, inp.fmt, in_parts)


def process_data(doc_id: str, data: bytes, is_html: bool = False, options: Options = DEFAULT_OPTIONS,
                 fmt: str | None = None, in_parts: PartsFinish | None = None) -> Any:
    """The per-document function every executor runs (loop, process pool, Dask):
    a Document, or, for a long text and a ``finish`` that reads parts
    (``finish.in_parts``, see pipeline/parts.py), what that returns."""
    sha = content_hash(data)
    long = long_reader(in_parts, options, sha) if in_parts is not None else None
    doc = process_bytes(doc_id, data, html=is_html, options=options, fmt=fmt, long=long)
    # an error record too: --resume keys on the content
    return doc.model_copy(update={"sha256": sha}) if isinstance(doc, Document) else doc


DASK_CONNECT_TIMEOUT = "10s"


class DaskUnreachable(RuntimeError):
    """The --dask scheduler could not be reached."""


def default_workers() -> int:
    return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class _Shipped:
    """An input read by the Dask client, its bytes sent along (workers need
    the package, not the files)."""
    doc_id: str
    name: str
    data: bytes | None
    is_html: bool
    error: str | None = None
    skip: str | None = None
    fmt: str = "text"


def _work_shipped(chunk: list[_Shipped], finish: Callable[[Document], Any] | None, options: Options) -> list[Any]:
    out = []
    # a long text read in parts, as in a local run; its line comes back in memory
    in_parts = getattr(finish, "in_parts", None)
    for s in chunk:
        doc = (skipped_document(s.doc_id, s.skip) if s.skip is not None
               else error_document(s.doc_id, s.error or "unreadable") if s.data is None
               else process_data(s.doc_id, s.data, s.is_html, options, s.fmt, in_parts))
        if not isinstance(doc, Document):
            out.append(doc.in_memory() if hasattr(doc, "in_memory") else doc)
        else:
            out.append(finish(doc) if finish is not None else doc)
    return out


def _work(chunk: list[Input], finish: Callable[[Document], Any] | None, options: Options) -> list[Any]:
    """A worker's task: a few inputs at once (fewer round trips), each
    finished in the worker (e.g. turned into table rows) so that the parent,
    which shares the machine with the workers, only writes."""
    out = []
    for inp in chunk:
        # a finish that needs the input itself (the audit: its text) is bound to it first
        done = finish.for_input(inp) if hasattr(finish, "for_input") else finish
        # a finish that can take a long text part by part (export.prepare) says so
        doc = process_input(inp, options, getattr(done, "in_parts", None))
        out.append(done(doc) if done is not None and isinstance(doc, Document) else doc)
    return out


def _chunks(inputs: Iterable[Input], size: int) -> Iterator[list[Input]]:
    chunk: list[Input] = []
    for inp in inputs:
        chunk.append(inp)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _ordered(chunks: Iterable[list[Input]], submit: Callable[[list[Input]], Any], window: int,
             collect: Callable[[list[Input], Any], list[Any]]) -> Iterator[tuple[Input, Any]]:
    """Chunks submitted ahead, at most ``window`` in flight, results given back
    in input order; ``collect(chunk, handle)`` waits for one chunk's results."""
    pending: deque = deque()
    for chunk in chunks:
        pending.append((chunk, submit(chunk)))
        if len(pending) >= window:
            c, h = pending.popleft()
            yield from zip(c, collect(c, h))
    while pending:
        c, h = pending.popleft()
        yield from zip(c, collect(c, h))


def run(inputs: Iterable[Input], workers: int = 1, dask: str | None = None,
        finish: Callable[[Document], Any] | None = None, chunk: int = 4,
        options: Options = DEFAULT_OPTIONS) -> Iterator[tuple[Input, Any]]:
    """``(input, Document)`` in input order; with ``finish`` (a module-level
    function, so that it pickles), ``(input, finish(Document))`` computed where
    the document was made."""
    if dask is not None:
        yield from _run_dask(inputs, dask, workers, finish, chunk, options)
        return
    if workers <= 1:
        for inp in inputs:
            yield inp, _work([inp], finish, options)[0]
        return
    yield from _run_pool(inputs, workers, finish, chunk, options)


def _worker_init(parent: int) -> None:
    """In each pool process: Ctrl-C is the parent's to handle (one line, not a
    traceback per worker), and a worker whose parent died exits at once
    instead of holding gigabytes for an hour."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True, name="zongjie-parent-watch").start()


class _Pool:
    """A process pool that survives a worker's death (OOM killer, kill): the
    broken pool is replaced and the chunks it held are submitted again; a
    chunk that breaks a second pool is retried one input at a time, and an
    input that breaks a pool on its own gets an error record. The run goes on."""

    def __init__(self, workers: int, finish, options: Options) -> None:
        self.workers, self.finish, self.options = workers, finish, options
        self.generation = 0
        self.pool = self._new()

    def _new(self) -> ProcessPoolExecutor:
        pool = ProcessPoolExecutor(max_workers=self.workers, initializer=_worker_init, initargs=(os.getpid(),))
        # the workers are forked now, before the parent lists the inputs: a forked
        # worker starts with every page the parent holds at that moment, and the
        # listing of a 100,000-file folder (tens of MB) would be one copy per worker
        # (the pool forks all of its processes on its first task)
        pool.submit(int).result()
        return pool

    def _rebuild(self, generation: int) -> None:
        # only the pool that broke is replaced: a later one holds live work
        if generation == self.generation:
            self.pool.shutdown(wait=False, cancel_futures=True)
            self.pool = self._new()
            self.generation += 1

    def submit(self, chunk: list[Input]) -> tuple[int, Any]:
        while True:
            gen = self.generation
            try:
                return gen, self.pool.submit(_work, chunk, self.finish, self.options)
            except BrokenProcessPool:
                self._rebuild(gen)

    def _try(self, ticket: tuple[int, Any]) -> list[Any] | None:
        gen, fut = ticket
        try:
            return fut.result()
        except (BrokenProcessPool, CancelledError):
            self._rebuild(gen)
            return None

    def result(self, chunk: list[Input], ticket: tuple[int, Any]) -> list[Any]:
        got = self._try(ticket)
        if got is None:  # the pool broke while it held this chunk: which input did it is unknown
            got = self._try(self.submit(chunk))
        if got is not None:
            return got
        out = []
        for inp in chunk:
            one = self._try(self.submit([inp]))
            if one is None:
                doc = error_document(inp.doc_id, "the worker process died on this input "
                                                 "(out of memory or killed), twice")
                one = [self.finish(doc) if self.finish is not None else doc]
            out += one
        return out

    def close(self, cancel: bool = False) -> None:
        self.pool.shutdown(wait=not cancel, cancel_futures=cancel)


def _run_pool(inputs: Iterable[Input], workers: int, finish, chunk: int,
              options: Options) -> Iterator[tuple[Input, Any]]:
    pool = _Pool(workers, finish, options)
    clean = False
    try:
        yield from _ordered(_chunks(inputs, chunk), pool.submit, workers * 4, pool.result)
        clean = True
    finally:
        pool.close(cancel=not clean)


def _run_dask(inputs: Iterable[Input], address: str, workers: int, finish, chunk: int,
              options: Options) -> Iterator[tuple[Input, Any]]:
    """Run on a Dask cluster. The client reads each input and ships its bytes,
    so workers need the ``zongjie`` package but not the input files."""
    from dask.distributed import Client, LocalCluster

    cluster = None
    if address == "local":
        cluster = LocalCluster(n_workers=max(1, workers), threads_per_worker=1, processes=True,
                               dashboard_address=None)
    try:
        client = Client(cluster if cluster is not None else address, timeout=DASK_CONNECT_TIMEOUT)
    except (OSError, TimeoutError, ValueError) as e:
        if cluster is not None:
            cluster.close()
        raise DaskUnreachable(f"cannot reach the Dask scheduler at {address!r} "
                              f"within {DASK_CONNECT_TIMEOUT} s: {e}") from None
    try:
        window = max(1, sum(client.nthreads().values())) * 4

        def submit(c: list[Input]):
            shipped = []
            for inp in c:
                if inp.skip is not None:
                    shipped.append(_Shipped(inp.doc_id, inp.name, None, inp.is_html, skip=inp.skip))
                    continue
                try:
                    shipped.append(_Shipped(inp.doc_id, inp.name, inp.read(), inp.is_html, fmt=inp.fmt))
                except Exception as e:
                    shipped.append(_Shipped(inp.doc_id, inp.name, None, inp.is_html, f"cannot read {inp.name}: {e}"))
            return client.submit(_work_shipped, shipped, finish, options, pure=False)

        yield from _ordered(_chunks(inputs, chunk), submit, window, lambda c, fut: _results(c, fut, finish))
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _results(chunk: list[Input], fut, finish) -> list[Any]:
    try:
        return fut.result()
    except Exception as e:  # a worker that died still leaves a record per input
        docs = [error_document(inp.doc_id, f"worker failed: {type(e).__name__}: {e}") for inp in chunk]
        return [finish(d) if finish is not None else d for d in docs]
