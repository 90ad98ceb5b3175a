"""Peers' public suites, in-scope cases: pass rate per file never falls below
the rate recorded in tests/ratchet.json (raise it as the parser improves)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conformance import FILES, cases, pass_rates

RATCHET = Path(__file__).with_name("ratchet.json")


@pytest.mark.parametrize("name", FILES)
def test_pass_rate_holds(shared, name):
    recorded = json.loads(RATCHET.read_text())["conformance"][name]
    got = pass_rates(shared / "conformance")[name]
    assert got["rate"] >= recorded - 1e-9, f"{name}: {got} fell below the recorded {recorded}"


def test_every_out_of_scope_case_has_a_reason(shared):
    for name in FILES:
        for cid, why, _ in cases(shared / "conformance", name):
            assert why is None or len(why) > 10, cid
