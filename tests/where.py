"""Where the tests find the repository, themselves and their data, from any folder below.

Tests live in folders that mirror the packages (tests/engine/, tests/integration/web/...),
so a path worked out from a test file's own place would change with its depth; these
three do not.
"""

from __future__ import annotations

from pathlib import Path

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
DATA = TESTS / "data"
