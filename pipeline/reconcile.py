"""Reconciliation: stated totals against their parts (issue 3 builds this out).

Pure: reads a ``Document``'s facts and the original text, returns ``Check``
records, never changes facts."""

from __future__ import annotations

from .records import Check, Document


def reconcile(doc: Document, raw: str) -> list[Check]:
    return []
