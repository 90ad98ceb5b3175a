from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

# the tests' own cache of rule files and compiled patterns (pipeline/rules.py),
# set before anything imports the pipeline: a test run leaves the user's cache alone
os.environ.setdefault("ZONGJIE_CACHE", tempfile.mkdtemp(prefix="zongjie-test-cache-"))

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def shared() -> Path:
    if not (SHARED / "seeds").is_dir():
        pytest.skip("../shared is absent: dev-gold and conformance tests need it")
    return SHARED
