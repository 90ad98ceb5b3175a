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
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Callable, Iterable, Iterator

from .document import content_hash, error_document, process_bytes
from .inputs import Input
from .records import Document


def process_input(inp: Input) -> Document:
    try:
        data = inp.read()
    except Exception as e:  # unreadable input: its own error record, the run goes on
        return error_document(inp.doc_id, f"cannot read {inp.name}: {e}")
    return process_data(inp.doc_id, data, inp.is_html)


def process_data(doc_id: str, data: bytes, is_html: bool = False) -> Document:
    """The per-document function every executor runs (loop, process pool, Dask)."""
    doc = process_bytes(doc_id, data, html=is_html)
    return doc.model_copy(update={"sha256": content_hash(data)})


def default_workers() -> int:
    return max(1, os.cpu_count() or 1)


class _Ready:
    """A result known before submission (an input that could not be read)."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc

    def result(self) -> Document:
        return self.doc


def _ordered(inputs: Iterable[Input], submit: Callable[[Input], Any], window: int) -> Iterator[tuple[Input, Document]]:
    pending: deque = deque()
    for inp in inputs:
        pending.append((inp, submit(inp)))
        if len(pending) >= window:
            yield _result(*pending.popleft())
    while pending:
        yield _result(*pending.popleft())


def run(inputs: Iterable[Input], workers: int = 1, dask: str | None = None) -> Iterator[tuple[Input, Document]]:
    if dask is not None:
        yield from _run_dask(inputs, dask, workers)
        return
    if workers <= 1:
        for inp in inputs:
            yield inp, process_input(inp)
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        yield from _ordered(inputs, lambda inp: pool.submit(process_input, inp), workers * 4)


def _run_dask(inputs: Iterable[Input], address: str, workers: int) -> Iterator[tuple[Input, Document]]:
    """Run on a Dask cluster. The client reads each input and ships its bytes,
    so workers need the ``zongjie`` package but not the input files."""
    from dask.distributed import Client, LocalCluster

    cluster = None
    if address == "local":
        cluster = LocalCluster(n_workers=max(1, workers), threads_per_worker=1, processes=True,
                               dashboard_address=None)
    client = Client(cluster if cluster is not None else address)
    try:
        window = max(1, sum(client.nthreads().values())) * 4

        def submit(inp: Input):
            try:
                data = inp.read()
            except Exception as e:
                return _Ready(error_document(inp.doc_id, f"cannot read {inp.name}: {e}"))
            return client.submit(process_data, inp.doc_id, data, inp.is_html, pure=False)

        yield from _ordered(inputs, submit, window)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _result(inp: Input, fut) -> tuple[Input, Document]:
    try:
        return inp, fut.result()
    except Exception as e:  # a worker that died still leaves a record
        return inp, error_document(inp.doc_id, f"worker failed: {type(e).__name__}: {e}")
