"""The page speaks the run's cues on the phone, and the runner can mute it there.

The page is served from the package's static files and its WebSocket answered
by Playwright (as in test_web_page_layout) with the messages the real
`LiveState` builds. The browser's speech is stubbed before the page loads, to
record what the page asks it to say; without Web Speech the page plays a short
tone (a stubbed AudioContext records it). Muting holds across a reload.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.browser import ARGS, wait_until
from tests.conftest import CHROMIUM, NO_CHROMIUM
from tests.page_stand_in import ORIGIN, Server, serve_static
from tests.ui_events import started
from treadpace.base.notice_level import NoticeLevel
from treadpace.cues.text import display, speech
from treadpace.engine.events import Cue, CueChange, CueKind, Notice, NoticeKind
from treadpace.web.live_state import LiveState

pytestmark = pytest.mark.skipif(not os.access(CHROMIUM, os.X_OK), reason=NO_CHROMIUM)

SPEECH = """
(() => {
  window.__said = [];
  function Utterance(text) { this.text = text; }
  const synth = { speak(u) { if (u.text) window.__said.push(u.text); }, cancel() {} };
  Object.defineProperty(window, 'speechSynthesis', { value: synth });
  Object.defineProperty(window, 'SpeechSynthesisUtterance', { value: Utterance });
})();
"""
NO_SPEECH = """
(() => {
  window.__tones = 0;
  Object.defineProperty(window, 'speechSynthesis', { value: undefined });
  function Node() { this.connect = () => {}; this.frequency = {}; this.gain = {}; }
  Node.prototype.start = function () { window.__tones += 1; };
  Node.prototype.stop = function () {};
  function Ctx() { this.currentTime = 0; this.destination = {}; }
  Ctx.prototype.createOscillator = () => new Node();
  Ctx.prototype.createGain = () => new Node();
  Object.defineProperty(window, 'AudioContext', { value: Ctx });
})();
"""
UPCOMING = Cue(t=20.0, kind=CueKind.UPCOMING, change=CueChange.FASTER, seconds=10, speed_kmh=12.0)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


def _open(browser: Browser, script: str) -> Iterator[tuple[Page, Server]]:
    context = browser.new_context(viewport={"width": 390, "height": 844})
    context.add_init_script(script)
    page = context.new_page()
    server = Server()
    page.route(f"{ORIGIN}/**", serve_static)
    page.route_web_socket("**/ws*", server.accept)
    page.goto(f"{ORIGIN}/?token=t")
    wait_until(page, "document.getElementById('link').hidden === true")
    yield page, server
    context.close()


@pytest.fixture
def speaking(browser: Browser) -> Iterator[tuple[Page, Server]]:
    yield from _open(browser, SPEECH)


@pytest.fixture
def toneless(browser: Browser) -> Iterator[tuple[Page, Server]]:
    yield from _open(browser, NO_SPEECH)


def _cue(state: LiveState) -> dict[str, object]:
    message = state.absorb(UPCOMING)
    assert message is not None
    return message


def _said(page: Page) -> list[str]:
    said: list[str] = page.evaluate("() => window.__said")
    return said


def test_the_page_says_the_cue_and_the_countdown(speaking: tuple[Page, Server]) -> None:
    page, server = speaking
    state = LiveState()
    state.absorb(started())
    server.send(state.hello())
    notice = state.absorb(Notice(1.0, NoticeLevel.INFO, "starting in 3", NoticeKind.COUNTDOWN))
    assert notice is not None
    server.send(notice)
    server.send(_cue(state))
    wait_until(page, "window.__said.length === 2")
    # The laptop voice's words, not the screen's: "seconds" and "per kilometre".
    assert _said(page) == ["starting in 3", "Speeding up in 10 seconds: 5:00 per kilometre"]
    assert speech(UPCOMING) == _said(page)[1] != display(UPCOMING)


def test_muted_on_the_page_it_says_nothing_even_after_a_reload(
    speaking: tuple[Page, Server],
) -> None:
    page, server = speaking
    state = LiveState()
    state.absorb(started())
    server.send(state.hello())
    page.click("#b_mute")
    assert page.get_attribute("#b_mute", "aria-pressed") == "true"
    server.send(_cue(state))
    wait_until(page, "document.getElementById('cue').hidden === false")
    assert _said(page) == []
    page.reload()
    wait_until(page, "document.getElementById('link').hidden === true")
    assert page.text_content("#b_mute") == "cues muted"
    server.send(state.hello())
    server.send(_cue(state))
    wait_until(page, "document.getElementById('cue').hidden === false")
    assert _said(page) == []
    page.click("#b_mute")
    server.send(_cue(state))
    wait_until(page, "window.__said.length === 1")


def test_without_web_speech_a_cue_is_a_short_tone(toneless: tuple[Page, Server]) -> None:
    page, server = toneless
    state = LiveState()
    state.absorb(started())
    server.send(state.hello())
    server.send(_cue(state))
    wait_until(page, "window.__tones === 1")
