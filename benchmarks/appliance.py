"""Figures for the appliance (`treadpace serve --simulate`) on loopback.

- page weight: the bytes a phone loads, HTML + CSS + script, uncompressed (< 60 KB).
- page load: in Debian's chromium (Playwright), from the first byte of the page to its
  first paint, and to the home drawn (the plan library placed from `/api/home`)
  (< 300 ms).
- start: `POST /api/start` to the first start command written to the simulated
  treadmill (its log, polled every millisecond), less the 3 s countdown; the median
  of three starts (< 100 ms).
- idle: `serve`'s CPU (% of one core, sampled with psutil over SECONDS) and RSS with
  no run and no page (< 0.2 %, < 80 MB).

    python benchmarks/appliance.py [--seconds 20]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import psutil

from treadpace.web.page_server import static_files

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
PROFILE = 'race: {distance: 5k, time: "25:00"}\nmqtt: {allow_remote_start: true}\n'
PLAN = "name: Bench\nkind: custom\nsegments:\n  - {name: one, duration: '5:00', speed: 9 km/h}\n"
COUNTDOWN_S = 3.0
START = '"op": "start_or_resume"'
STARTS = 3
HOME_DRAWN = """
new MutationObserver((_, obs) => {
  const plans = document.getElementById('h_plans');
  if (plans && plans.children.length) { window.__home = performance.now(); obs.disconnect(); }
}).observe(document, { childList: true, subtree: true });
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


def start_serve(home: Path, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    (home / "plans").mkdir(parents=True, exist_ok=True)
    (home / "plans" / "bench.yaml").write_text(PLAN)
    (home / "profile.yaml").write_text(PROFILE)
    env = {**os.environ, "TREADPACE_HOME": str(home), "TREADPACE_CONFIG_HOME": str(home)}
    out = home / "serve.txt"
    cmd = [sys.executable, "-m", "treadpace", "serve", "--simulate", "--quiet"]
    with out.open("w") as sink:
        proc = subprocess.Popen(
            [*cmd, "--listen", f"127.0.0.1:{free_port()}", "--sim-log", str(log)],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    for _ in range(400):
        found = re.search(r"live page at (\S+)", out.read_text())
        if found:
            return proc, found.group(1)
        time.sleep(0.05)
    proc.kill()
    raise SystemExit("serve never came up: " + out.read_text())


def idle(proc: subprocess.Popen[bytes], seconds: float) -> tuple[float, float]:
    p = psutil.Process(proc.pid)
    time.sleep(2.0)  # imports and the first page's files are not idleness
    t0, c0 = time.monotonic(), sum(p.cpu_times()[:2])
    time.sleep(seconds)
    cpu = (sum(p.cpu_times()[:2]) - c0) / (time.monotonic() - t0) * 100
    return cpu, p.memory_info().rss / 1e6


def page_load(url: str) -> tuple[float, float]:
    """(first byte to first paint, first byte to the home drawn), in ms; the median of 5."""
    from playwright.sync_api import sync_playwright

    paints: list[float] = []
    homes: list[float] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])
        for _ in range(5):
            context = browser.new_context(viewport={"width": 390, "height": 844})
            context.add_init_script(HOME_DRAWN)
            page = context.new_page()
            page.goto(url)
            page.locator("#h_plans button").first.wait_for()  # no eval under the page's CSP
            first_byte, paint, home = page.evaluate(
                """() => [performance.getEntriesByType('navigation')[0].responseStart,
                          (performance.getEntriesByName('first-paint')[0] || {}).startTime,
                          window.__home]"""
            )
            paints.append(float(paint) - float(first_byte))
            homes.append(float(home) - float(first_byte))
            context.close()
        browser.close()
    return sorted(paints)[2], sorted(homes)[2]


def _post(url: str, body: bytes = b"{}") -> int:
    request = urllib.request.Request(url, data=body, method="POST")
    request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=10) as answer:
        status: int = answer.status
        return status


def start_latency(url: str, log: Path) -> float:
    """ms from the Start press to the treadmill's start command, less the countdown."""
    base = url.rstrip("/")
    log.unlink(missing_ok=True)  # each run's simulator writes the log anew
    t0 = time.perf_counter()
    assert _post(f"{base}/api/start", json.dumps({"plan": "bench"}).encode()) == 200
    for _ in range(20_000):
        if log.exists() and START in log.read_text():
            took = (time.perf_counter() - t0 - COUNTDOWN_S) * 1000
            break
        time.sleep(0.001)
    else:
        raise SystemExit("the belt never got a start command")
    _post(f"{base}/command/stop")
    for _ in range(100):  # the run lets go of the treadmill before the next Start
        with urllib.request.urlopen(f"{base}/api/status", timeout=10) as answer:
            if not json.load(answer)["running"]:
                break
        time.sleep(0.2)  # under the routes' rate per client
    return took


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    weight = sum(len(body) for body in static_files().values())
    print(f"page weight: {weight / 1000:.1f} KB (HTML + CSS + script, uncompressed; < 60 KB)")
    with tempfile.TemporaryDirectory() as scratch:
        home, log = Path(scratch), Path(scratch) / "sim.jsonl"
        proc, url = start_serve(home, log)
        try:
            cpu, rss = idle(proc, args.seconds)
            print(f"serve idle: {cpu:.3f} % of a core, RSS {rss:.0f} MB (< 0.2 %, < 80 MB)")
            if os.access(CHROMIUM, os.X_OK):
                paint, drawn = page_load(url)
                print(
                    f"page load: first byte to first paint {paint:.0f} ms, to the home drawn "
                    f"{drawn:.0f} ms (< 300 ms)"
                )
            else:
                print("page load: skipped (no chromium)")
            took = sorted(start_latency(url, log) for _ in range(STARTS))[STARTS // 2]
            print(
                f"start: press to the first belt command {took:.0f} ms + the {COUNTDOWN_S:g} s"
                " countdown (< 100 ms)"
            )
        finally:
            proc.terminate()
            proc.wait(timeout=15)


if __name__ == "__main__":
    main()
