"""`treadpace serve`: the page's server with no run going shows the last run and the history.

A real run is recorded first (virtual clock, simulator; in this process, through the same
`main()`), then `treadpace serve` runs as a subprocess (it is stopped by a signal) and a
WebSocket client reads what a page would get.
"""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path

import pytest

from tests.browser import ARGS, ARTIFACTS
from tests.cli_runner import invoke_at
from tests.conftest import CHROMIUM, NO_CHROMIUM
from tests.run_proc import write_plan
from tests.serve_proc import ctrl_c, hello_and_command, serving, start_serve

PLAN = """\
name: Serve test
kind: custom
segments:
  - {name: easy, duration: "2:00", speed: 9 km/h}
  - {name: faster, duration: "2:00", speed: 11 km/h}
"""


def test_serve_shows_the_last_run_and_the_history(tmp_path: Path) -> None:
    plan = write_plan(tmp_path, PLAN)
    for _ in range(2):
        run = invoke_at(tmp_path, "run", str(plan), "--yes", "--virtual-clock")
        assert run.returncode == 0, run.stderr
    with serving(tmp_path) as (proc, port):
        hello, ack, status = asyncio.run(hello_and_command(port))
        assert ctrl_c(proc) == 0
    assert status == 200
    assert hello["type"] == "hello" and hello["mode"] == "history"
    last = hello["last"]
    assert last["headline"].startswith("Serve test: ") and "(finished)" in last["headline"]
    assert [s["name"] for s in last["steps"]] == ["easy", "faster"]
    assert len(last["chart"]) > 100 and max(p[2] for p in last["chart"]) > 10.5
    assert len(hello["runs"]) == 2 and hello["runs"][0]["plan"] == "Serve test"
    # Nothing to command with no run going: the belt is not this server's to start.
    assert ack["ok"] is False and ack["error"] == "no run is going"


def test_serve_refuses_a_bad_address_in_one_line(tmp_path: Path) -> None:
    r = invoke_at(tmp_path, "serve", "--listen", "127.0.0.1:99999")
    assert r.returncode == 2
    assert r.stderr.strip().splitlines() == [
        "error: --listen: expected HOST:PORT like 127.0.0.1:8080 (port 1-65535),"
        " got '127.0.0.1:99999'"
    ]


@pytest.mark.skipif(not os.access(CHROMIUM, os.X_OK), reason=NO_CHROMIUM)
def test_the_history_page_in_chromium(tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    plan = write_plan(tmp_path, PLAN)
    assert invoke_at(tmp_path, "run", str(plan), "--yes", "--virtual-clock").returncode == 0
    proc, port = start_serve(tmp_path)
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page(viewport={"width": 390, "height": 844})
            page.goto(f"http://127.0.0.1:{port}/#runs")
            page.locator("#r_runs tr.open").first.wait_for(timeout=30_000)  # no eval (CSP)
            assert page.is_hidden("#run") and page.locator("#r_runs tr").count() == 2
            page.locator("#r_runs tr.open").first.click()
            page.locator("#d_steps tr").nth(2).wait_for(timeout=10_000)
            assert (page.text_content("#d_head") or "").startswith("Serve test: ")
            assert page.locator("#d_steps tr").count() == 3  # a header and two steps
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "web-history-390x844.png"), full_page=True)
            browser.close()
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=10)
