"""Batch runs: many inputs -> one Document each, in input order, never fewer.

``run(inputs, workers)`` yields Documents as they complete, in input order,
holding at most ``workers * 4`` documents in flight, so memory does not grow
with the number of inputs. Rules and models load once per worker process (they
are cached at module level on first use). A failure while reading or
processing an input becomes that input's ``status: "error"`` record.
"""

from __future__ import annotations

import os
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from typing import Iterable, Iterator

from .document import error_document, process_bytes
from .inputs import Input
from .records import Document


def process_input(inp: Input) -> Document:
    try:
        data = inp.read()
    except Exception as e:  # unreadable input: its own error record, the run goes on
        return error_document(inp.doc_id, f"cannot read {inp.name}: {e}")
    return process_bytes(inp.doc_id, data, html=inp.is_html)


def default_workers() -> int:
    return max(1, os.cpu_count() or 1)


def run(inputs: Iterable[Input], workers: int = 1) -> Iterator[tuple[Input, Document]]:
    if workers <= 1:
        for inp in inputs:
            yield inp, process_input(inp)
        return
    window = workers * 4
    with ProcessPoolExecutor(max_workers=workers) as pool:
        pending: deque = deque()
        for inp in inputs:
            pending.append((inp, pool.submit(process_input, inp)))
            if len(pending) >= window:
                done_inp, fut = pending.popleft()
                yield done_inp, _result(done_inp, fut)
        while pending:
            done_inp, fut = pending.popleft()
            yield done_inp, _result(done_inp, fut)


def _result(inp: Input, fut) -> Document:
    try:
        return fut.result()
    except Exception as e:  # a worker that died still leaves a record
        return error_document(inp.doc_id, f"worker failed: {type(e).__name__}: {e}")
