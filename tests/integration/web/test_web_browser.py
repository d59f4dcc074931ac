"""The live page in a real headless browser during a simulated run.

Debian's `chromium`, driven by Playwright (never its own browser download),
opens the page of a real `treadpace run --simulate --web-listen 0.0.0.0:PORT`:
a wrong token is refused, the numbers change as the belt runs, the pause button
pauses the simulated belt (its log says so), resuming is not offered (the
profile does not allow remote start) and a resume sent anyway is refused by the
engine's remote-start gate, and the stop button (after its confirmation)
ends the run, after which the page shows the summary and never "disconnected".
Screenshots at 390x844 and 1024x768 go to `test-artifacts/`.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from tests.browser import ARGS, ARTIFACTS, wait_for, wait_until
from tests.conftest import CHROMIUM, NO_CHROMIUM
from tests.ports import free_port
from tests.run_proc import ROOT, env, read_log, write_plan

pytestmark = pytest.mark.skipif(not os.access(CHROMIUM, os.X_OK), reason=NO_CHROMIUM)
PLAN = """\
name: Page test
kind: custom
segments:
  - {name: warm-up, duration: "3:00", speed: 9 km/h}
  - {name: steady, duration: "3:00", speed: 11 km/h}
  - {name: fast, duration: "3:00", speed: 12.5 km/h}
"""


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
            console: list[str] = []
            files: dict[str, int] = {}
            page.on("console", lambda m: console.append(m.text))
            page.on("response", lambda r: files.update({r.url.split("?")[0]: r.status}))
            wrong = page.goto(local + "?token=not-" + token)
            assert wrong is not None and wrong.status == 403
            assert page.goto(local).status == 403  # type: ignore[union-attr]
            right = page.goto(f"{local}?token={token}")
            assert right is not None and right.status == 200
            _sees_the_run(page)
            # Off loopback the style and script need the token too: the page's cookie
            # carried it, and the page runs under its Content-Security-Policy.
            assert files[local + "static/app.js"] == files[local + "static/app.css"] == 200
            assert not [m for m in console if "Content Security Policy" in m]
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "web-390x844.png"))
            page.set_viewport_size({"width": 1024, "height": 768})
            page.wait_for_timeout(300)
            page.screenshot(path=str(ARTIFACTS / "web-1024x768.png"))
            _pause_pauses_the_belt(page, log)
            _stop_after_confirming(page)
            assert proc.wait(timeout=30) == 130  # stopped by the runner
            _the_finished_run_stays_finished(page)
            browser.close()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert (ARTIFACTS / "web-390x844.png").stat().st_size > 5000


def _sees_the_run(page: Page) -> None:
    # Playwright's locators, not script strings: the page's policy forbids eval.
    expect(page.locator("#state")).to_have_text("running", timeout=30_000)
    expect(page.locator("#actual_pace")).not_to_have_text("--:--", timeout=30_000)
    assert page.text_content("#target_pace") == "6:40/km"  # big time, small unit
    assert page.text_content("#stepname") == "warm-up"
    first = page.text_content("#elapsed")
    expect(page.locator("#elapsed")).not_to_have_text(first or "", timeout=10_000)
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
    expect(page.locator("#b_pause")).to_contain_text("resume", timeout=30_000)
    assert page.text_content("#b_pause") == "paused: resume at the treadmill"
    assert page.is_disabled("#b_pause")
    # Sent anyway (a script with the token), the engine's gate refuses it, and says so.
    url = page.url.replace("/?token=", "/command/resume?token=")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(urllib.request.Request(url, method="POST"), timeout=5)
    with refused.value as answer:
        assert answer.code == 409
        assert json.loads(answer.read())["refused"] == "remote_start_not_allowed"
    expect(page.locator("#notice")).to_contain_text("refused", timeout=30_000)
    page.wait_for_timeout(500)
    assert page.text_content("#state") == "paused"
    belt = [e for e in read_log(log) if e.get("event") == "belt"]
    assert belt[-1]["state"] == "paused"


def _the_finished_run_stays_finished(page: Page) -> None:
    """The run's server is gone: the page shows the summary, never "disconnected"."""
    wait_until(page, "document.getElementById('done').hidden === false")
    assert page.text_content("#state") == "stopped"
    assert (page.text_content("#done_head") or "").startswith("Run stopped: ")
    assert page.text_content("#actual_pace") == "--:--"
    page.wait_for_timeout(1500)  # past a reconnect attempt or two
    assert page.is_hidden("#link")


def _stop_after_confirming(page: Page) -> None:
    page.click("#b_stop")
    assert page.is_visible("#confirm")
    page.click("#b_stop_no")
    assert not page.is_visible("#confirm")
    page.click("#b_stop")
    page.click("#b_stop_yes")
