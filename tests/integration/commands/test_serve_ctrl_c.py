"""Ctrl+C stops `treadpace serve` cleanly as soon as it says its page is up.

The server announced its page and then spent a moment importing what a run needs
before it took Ctrl+C as its way to stop: a press in that moment was a
KeyboardInterrupt and exit 130 (seen as a flaky exit code in a test that stopped the
server right after its first page). It is taken from before the announcement now.
"""

from __future__ import annotations

from pathlib import Path

from tests.serve_proc import ctrl_c, serving


def test_ctrl_c_right_after_the_page_is_up_is_a_clean_stop(tmp_path: Path) -> None:
    with serving(tmp_path) as (proc, _):
        assert ctrl_c(proc, timeout=30) == 0
    assert "Traceback" not in (tmp_path / "serve.txt").read_text()
