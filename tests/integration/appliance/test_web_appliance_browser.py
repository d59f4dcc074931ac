"""The appliance in the real headless chromium: `treadpace serve` driven from the page alone.

A real `treadpace serve --simulate` (off loopback, so with a token) is driven
by Debian's chromium through Playwright, as a runner's phone would drive it:
home, the plan library, a preview, Start (through the engine's gate as a
remote command), the run, the finished screen with its exports, the history
and a run's page. The page's speech is stubbed before the page loads, to
record what it is asked to say and when (the run time the page shows then).
Screenshots at 390x844 and 1280x800 go to `test-artifacts/`.

The second test: a wrong token gets nothing; with no profile the page asks
`init`'s questions, says what is wrong with an answer as it is typed, and
writes the profile `init` writes for the same answers; Start with remote start
off is refused by the engine's gate with the way to allow it; Cancel during
the countdown leaves the belt standing (the simulator's log has no start).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from tests.browser import ARGS, ARTIFACTS, wait_for
from tests.conftest import CHROMIUM, NO_CHROMIUM
from tests.ports import free_port
from tests.run_proc import ROOT, env, read_log

pytestmark = pytest.mark.skipif(not os.access(CHROMIUM, os.X_OK), reason=NO_CHROMIUM)

PLAN = """\
name: Page test
kind: custom
segments:
  - {name: warm-up, duration: "0:30", speed: 9 km/h}
  - {name: steady, duration: "0:30", speed: 11 km/h}
  - {name: fast, duration: "0:30", speed: 12 km/h}
"""
PROFILE = """\
name: Tess
race: {distance: 5k, time: "25:00"}
cues: {voice: false, bell: false}
"""
HEART = "heart_rate: {max_bpm: 190, rest_bpm: 50}\n"
ALLOW = "mqtt: {allow_remote_start: true}\n"
SPEECH_STUB = """
(() => {
  const said = [];
  window.__said = said;
  function Utterance(text) { this.text = text; }
  const synth = {
    speak(u) {
      if (!u.text) return;
      const shown = (id) => (document.getElementById(id) || {}).textContent || '';
      said.push([u.text, shown('elapsed'), shown('stepname')]);
      document.documentElement.dataset.said = JSON.stringify(said);
    },
    cancel() {},
  };
  Object.defineProperty(window, 'speechSynthesis', { value: synth, configurable: true });
  Object.defineProperty(window, 'SpeechSynthesisUtterance', { value: Utterance });
})();
"""


@contextmanager
def serve(tmp_path: Path, profile: str | None, *extra: str) -> Iterator[tuple[str, Path]]:
    """`treadpace serve --simulate` off loopback: the page's address (with its token)."""
    cfg = tmp_path / "cfg"
    (cfg / "plans").mkdir(parents=True, exist_ok=True)
    (cfg / "plans" / "pagetest.yaml").write_text(PLAN)
    if profile is not None:
        (cfg / "profile.yaml").write_text(profile)
    port, out = free_port(), tmp_path / "serve.txt"
    cmd = [sys.executable, "-m", "treadpace", "serve", "--simulate", "--listen", f"0.0.0.0:{port}"]
    with out.open("w") as sink:
        proc = subprocess.Popen(
            [*cmd, *extra],
            stdout=sink,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env(tmp_path),
            cwd=ROOT,
        )
    try:
        found = wait_for("the address", lambda: re.search(r"live page at (\S+)", out.read_text()))
        token = found.group(1).split("token=", 1)[1]
        yield f"http://127.0.0.1:{port}/?token={token}", cfg
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _said(page: Page) -> list[list[str]]:
    import json

    raw = page.locator("html").get_attribute("data-said")
    return list(json.loads(raw)) if raw else []


def _seconds(clock: str) -> int:
    minutes, seconds = clock.split(":")[-2:]
    return int(minutes) * 60 + int(seconds)


def _contrast(page: Page, selector: str) -> float:
    """WCAG contrast of an element's text against the tile behind it."""
    colours: list[list[float]] = page.evaluate(
        """(sel) => {
          const el = document.querySelector(sel);
          let bg = el, back = 'rgba(0, 0, 0, 0)';
          while (bg && (back === 'rgba(0, 0, 0, 0)' || back === 'transparent')) {
            back = getComputedStyle(bg).backgroundColor; bg = bg.parentElement;
          }
          const rgb = (c) => c.match(/[0-9.]+/g).slice(0, 3).map(Number);
          return [rgb(getComputedStyle(el).color), rgb(back)];
        }""",
        selector,
    )

    def luminance(rgb: list[float]) -> float:
        parts = [c / 255 for c in rgb]
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in parts]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    a, b = sorted((luminance(colours[0]), luminance(colours[1])), reverse=True)
    return (a + 0.05) / (b + 0.05)


def _every_control_has_a_label(page: Page) -> None:
    unnamed: list[Any] = page.evaluate(
        """() => [...document.querySelectorAll('button, input, a')]
             .filter(el => !(el.getAttribute('aria-label') || el.textContent.trim()
                             || (el.labels && el.labels.length)))
             .map(el => el.id || el.outerHTML.slice(0, 60))"""
    )
    assert unnamed == []


def _fits_360(page: Page) -> None:
    """At 360 px wide nothing scrolls sideways; then back to the phone of the screenshots."""
    page.set_viewport_size({"width": 360, "height": 780})
    _no_horizontal_scroll(page)
    page.set_viewport_size({"width": 390, "height": 844})


def _no_horizontal_scroll(page: Page) -> None:
    extra = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    # A wide table may scroll inside its own box; nothing else may reach past the edge.
    wide = page.evaluate(
        """() => {
          const boxed = (e) => {
            for (let p = e.parentElement; p; p = p.parentElement) {
              if (['auto', 'scroll', 'hidden'].includes(getComputedStyle(p).overflowX)) return true;
            }
            return false;
          };
          return [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5 && !boxed(e))
            .map(e => e.id || e.className || e.tagName);
        }"""
    )
    assert (extra, wide) == (0, [])


def test_the_whole_flow_from_home_to_the_finished_screen(tmp_path: Path) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    with (
        serve(tmp_path, PROFILE + HEART + ALLOW, "--time-scale", "15") as (url, _),
        sync_playwright() as pw,
    ):
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(viewport={"width": 360, "height": 780})
        context.add_init_script(SPEECH_STUB)
        page = context.new_page()
        page.goto(url)
        plan = page.get_by_role("button", name="preview pagetest")
        expect(plan).to_be_visible(timeout=20_000)
        _no_horizontal_scroll(page)
        _every_control_has_a_label(page)
        page.set_viewport_size({"width": 390, "height": 844})
        page.screenshot(path=str(ARTIFACTS / "appliance-home-390x844.png"))
        plan.click()
        expect(page.locator("#p_total")).to_contain_text("total", timeout=10_000)
        expect(page.locator("#p_steps")).to_contain_text("warm-up")
        _fits_360(page)
        page.screenshot(path=str(ARTIFACTS / "appliance-preview-390x844.png"))
        page.locator("#b_go").click()
        expect(page.locator("#state")).to_have_text("running", timeout=20_000)
        # A second page (another phone) sees the same run.
        other = context.new_page()
        other.goto(url)
        expect(other.locator("#plan")).to_have_text("Page test", timeout=10_000)
        expect(other.locator("#run")).to_be_visible()
        other.close()  # closing a page changes nothing for the run
        _fits_360(page)
        page.screenshot(path=str(ARTIFACTS / "appliance-run-390x844.png"))
        assert _contrast(page, "#target_pace") >= 7.0
        assert _contrast(page, "#actual_pace") >= 7.0
        expect(page.locator("#done_head")).to_contain_text("Run complete", timeout=30_000)
        _the_cues_were_spoken_on_the_phone_at_their_lead(_said(page))
        fit = page.locator("#done_export a", has_text="FIT")
        expect(fit).to_be_visible(timeout=10_000)
        body = page.request.get(f"{url.split('/?')[0]}{fit.get_attribute('href')}").body()
        assert body[8:12] == b".FIT"
        page.screenshot(path=str(ARTIFACTS / "appliance-finished-390x844.png"))
        _fits_360(page)
        page.set_viewport_size({"width": 1280, "height": 800})
        page.screenshot(path=str(ARTIFACTS / "appliance-finished-1280x800.png"))
        page.get_by_role("link", name="laps and heart-rate zones").click()
        expect(page.locator("#d_zones")).to_contain_text(re.compile(r"z[1-5]"), timeout=10_000)
        page.get_by_role("link", name="history").click()
        expect(page.locator("#r_weeks")).to_contain_text("W")
        page.locator("#r_runs tr.open").first.click()
        expect(page.locator("#d_head")).to_contain_text("m in", timeout=10_000)
        expect(page.locator("#d_steps")).to_contain_text("steady")
        page.screenshot(path=str(ARTIFACTS / "appliance-run-page-1280x800.png"))
        browser.close()


def _the_cues_were_spoken_on_the_phone_at_their_lead(said: list[list[str]]) -> None:
    # "Speeding up in 10 seconds" before the second step (at 0:30) is said at 0:20: while
    # the page still shows the warm-up, and not before its last part (the page's numbers
    # come at most every quarter second, 3.75 s of run time here: they may lag the cue).
    ahead = [(at, step) for words, at, step in said if words.startswith("Speeding up in 10 s")]
    assert len(ahead) == 2, said  # before the second step and before the third
    at, step = ahead[0]
    assert step == "warm-up" and 12 <= _seconds(at) <= 20, said
    assert any(words.startswith("Run complete") for words, *_ in said), said


def test_first_run_then_a_refused_start_then_a_cancelled_countdown(tmp_path: Path) -> None:
    log = tmp_path / "sim.jsonl"
    with (
        serve(tmp_path, None, "--sim-log", str(log), "--quiet") as (url, cfg),
        sync_playwright() as pw,
    ):
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 390, "height": 844})
        base = url.split("?")[0]
        assert page.request.get(base + "api/home?token=wrong").status == 403
        assert page.request.get(base + "api/home").status == 403
        assert page.request.post(base + "api/start", data="{}").status == 403
        page.goto(url)
        _first_run_writes_inits_profile(page, cfg / "profile.yaml")
        page.goto(url + "#plan/pagetest")
        expect(page.locator("#p_remote")).to_be_visible(timeout=20_000)
        page.locator("#b_go").click()
        expect(page.locator("#p_error")).to_contain_text("remote start refused", timeout=10_000)
        expect(page.locator("#p_error")).to_contain_text("allow_remote_start")
        written = cfg / "profile.yaml"  # the runner allows it, in the line init wrote
        text = written.read_text(encoding="utf-8")
        assert "allow_remote_start: false" in text
        written.write_text(text.replace("allow_remote_start: false", "allow_remote_start: true"))
        page.locator("#b_go").click()
        expect(page.locator("#count")).to_be_visible(timeout=10_000)
        page.locator("#b_cancel").click()
        expect(page.locator("#home")).to_be_visible(timeout=10_000)
        browser.close()
    starts = [r for r in read_log(log) if r.get("op") == "start_or_resume"]
    assert starts == []
    moving = [r for r in read_log(log) if float(str(r.get("speed_kmh", 0) or 0)) > 0]
    assert moving == []


def _first_run_writes_inits_profile(page: Page, written: Path) -> None:
    from treadpace.plans.init_answers import Answers, profile_text

    expect(page.locator("#setup")).to_be_visible(timeout=20_000)
    page.fill("#s_name", "Tess")
    page.fill("#s_race_distance", "5k")
    page.fill("#s_race_time", "24:1x")
    expect(page.locator("#e_race")).to_contain_text("race.time", timeout=10_000)
    page.fill("#s_race_time", "24:10")
    page.fill("#s_max_bpm", "300")
    expect(page.locator("#e_max_bpm")).to_contain_text("81 to 249", timeout=10_000)
    expect(page.locator("#e_race")).to_be_empty()
    page.fill("#s_max_bpm", "185")
    page.fill("#s_rest_bpm", "52")
    expect(page.locator("#e_max_bpm")).to_be_empty(timeout=10_000)
    _every_control_has_a_label(page)
    page.screenshot(path=str(ARTIFACTS / "appliance-first-run-390x844.png"))
    page.click("#b_save")
    expect(page.get_by_role("button", name="preview pagetest")).to_be_visible(timeout=10_000)
    answers = Answers(name="Tess", race_distance="5k", race_time="24:10", max_bpm=185)
    answers.rest_bpm = 52
    assert written.read_text() == profile_text(answers)
