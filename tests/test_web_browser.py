"""The live page in a real headless browser during a simulated run.

Debian's `chromium`, driven by Playwright (never its own browser download),
opens the page of a real `treadpace run --simulate --web-listen 0.0.0.0:PORT`:
a wrong token is refused, the numbers change as the belt runs, the pause button
pauses the simulated belt (its log says so), resuming is not offered (the
profile does not allow remote start) and a resume sent anyway is refused by the
engine's remote-start gate, and the stop button (after its confirmation)
ends the run. Screenshots at 390x844 and 1024x768 go to `test-artifacts/`.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, sync_playwright

from conftest import CHROMIUM, NO_CHROMIUM
from ports import free_port
from run_proc import ROOT, env, read_log, write_plan

pytestmark = pytest.mark.skipif(not os.access(CHROMIUM, os.X_OK), reason=NO_CHROMIUM)
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = ROOT / "test-artifacts"
PLAN = """\
name: Page test
kind: custom
segments:
  - {name: warm-up, duration: "3:00", speed: 9 km/h}
  - {name: steady, duration: "3:00", speed: 11 km/h}
  - {name: fast, duration: "3:00", speed: 12.5 km/h}
"""


def wait_for(what: str, check: Callable[[], Any], timeout: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def page_url(out: Path) -> str | None:
    found = re.search(r"web: live page at (\S+)", out.read_text() if out.exists() else "")
    return found.group(1) if found else None


def test_the_page_in_chromium_during_a_simulated_run(tmp_path: Path) -> None:
    port = free_port()
    log, out = tmp_path / "sim.jsonl", tmp_path / "out.txt"
    plan = write_plan(tmp_path, PLAN)
    cmd = [
        sys.executable,
        "-m",
        "treadpace",
        "run",
        str(plan),
        "--yes",
        "--time-scale",
        "10",
        "--web-listen",
        f"0.0.0.0:{port}",
        "--sim-log",
        str(log),
        "--no-record",
    ]
    with out.open("w") as sink:
        proc = subprocess.Popen(
            cmd,
            stdout=sink,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env(tmp_path),
            cwd=ROOT,
        )
    try:
        url = wait_for("the page's address", lambda: page_url(out))
        token = url.split("token=", 1)[1]
        local = f"http://127.0.0.1:{port}/"
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page(viewport={"width": 390, "height": 844})
            wrong = page.goto(local + "?token=not-" + token)
            assert wrong is not None and wrong.status == 403
            assert page.goto(local).status == 403  # type: ignore[union-attr]
            right = page.goto(f"{local}?token={token}")
            assert right is not None and right.status == 200
            _sees_the_run(page)
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "web-390x844.png"))
            page.set_viewport_size({"width": 1024, "height": 768})
            page.wait_for_timeout(300)
            page.screenshot(path=str(ARTIFACTS / "web-1024x768.png"))
            _pause_pauses_the_belt(page, log)
            _stop_after_confirming(page)
            browser.close()
        assert proc.wait(timeout=30) == 130  # stopped by the runner
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert (ARTIFACTS / "web-390x844.png").stat().st_size > 5000


def _sees_the_run(page: Page) -> None:
    page.wait_for_function("document.getElementById('state').textContent === 'running'")
    page.wait_for_function("document.getElementById('actual_pace').textContent !== '--:--'")
    assert page.text_content("#target_pace") == "6:40/km"  # big time, small unit
    assert page.text_content("#stepname") == "warm-up"
    first = page.text_content("#elapsed")
    page.wait_for_function(
        f"document.getElementById('elapsed').textContent !== {first!r}", timeout=10_000
    )
    assert page.text_content("#stepno") == "step 1 of 3"
    assert "faster in" in (page.text_content("#change") or "")
    assert "steady" in (page.text_content("#next") or "")


def _pause_pauses_the_belt(page: Page, log: Path) -> None:
    page.click("#b_pause")
    wait_for(
        "the simulated belt to pause",
        lambda: any(e.get("event") == "belt" and e.get("state") == "paused" for e in read_log(log)),
    )
    # Resuming is a start: from a page only when the profile allows remote start.
    page.wait_for_function("document.getElementById('b_pause').textContent.includes('resume')")
    assert page.text_content("#b_pause") == "paused: resume at the treadmill"
    assert page.is_disabled("#b_pause")
    # Sent anyway (a script with the token), the engine's gate refuses it.
    url = page.url.replace("/?token=", "/command/resume?token=")
    with urllib.request.urlopen(urllib.request.Request(url, method="POST"), timeout=5) as r:
        assert r.status == 200
    page.wait_for_function("document.getElementById('notice').textContent.includes('refused')")
    page.wait_for_timeout(500)
    assert page.text_content("#state") == "paused"
    belt = [e for e in read_log(log) if e.get("event") == "belt"]
    assert belt[-1]["state"] == "paused"


def _stop_after_confirming(page: Page) -> None:
    page.click("#b_stop")
    assert page.is_visible("#confirm")
    page.click("#b_stop_no")
    assert not page.is_visible("#confirm")
    page.click("#b_stop")
    page.click("#b_stop_yes")
