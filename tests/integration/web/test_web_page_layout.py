"""The live page's own behaviour in the real headless chromium, fed by a stand-in server.

The page is served from the package's static files and its WebSocket answered by
Playwright with messages built by the real `LiveState` from engine events, so
every string is the server's. Checked at phone widths (360 and 390 px): no
horizontal scroll and no tile touching the edge, with wide figures in every
tile; a cue shows and goes as the server says; a finished run shows its summary,
a standing belt and one distance, and never "disconnected" when the server goes.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, sync_playwright

from tests.browser import ARGS, wait_until
from tests.conftest import CHROMIUM, NO_CHROMIUM
from tests.page_stand_in import ORIGIN, Server, serve_static
from tests.ui_events import finished, started, tick
from treadpace.engine.events import StepStarted
from treadpace.web.live_state import LiveState

pytestmark = pytest.mark.skipif(not os.access(CHROMIUM, os.X_OK), reason=NO_CHROMIUM)


def _busy_state() -> LiveState:
    """A run with the widest figures a tile can hold."""
    from tests.ui_events import STEPS

    state = LiveState()
    state.absorb(started())
    state.absorb(StepStarted(600.0, 1, STEPS[1], 3))
    state.absorb(
        tick(
            4000.0,
            heart_rate_bpm=188,
            hr_zone=5,
            elapsed_s=4000.0,
            distance_m=12345.0,
            step_remaining=1309.344,
            incline_percent=12.5,
            target_incline_percent=12.5,
        )
    )
    return state


@pytest.fixture
def page() -> Iterator[tuple[Page, Server]]:
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 390, "height": 844})
        server = Server()
        page.route(f"{ORIGIN}/**", serve_static)
        page.route_web_socket("**/ws*", server.accept)
        page.goto(f"{ORIGIN}/?token=t")
        wait_until(page, "document.getElementById('link').hidden === true")
        yield page, server
        browser.close()


def _overflow(page: Page) -> dict[str, float]:
    result: dict[str, float] = page.evaluate(
        """() => {
          const tiles = [...document.querySelectorAll('.stats > div')];
          return {
            scroll: document.documentElement.scrollWidth - window.innerWidth,
            right: Math.max(...tiles.map(t => t.getBoundingClientRect().right)),
            width: window.innerWidth,
          };
        }"""
    )
    return result


@pytest.mark.parametrize("width", [360, 390])
def test_no_tile_scrolls_the_page_or_touches_the_edge(
    page: tuple[Page, Server], width: int
) -> None:
    view, server = page
    view.set_viewport_size({"width": width, "height": 800})
    state = _busy_state()
    server.send(state.hello())
    wait_until(view, "document.getElementById('heart_rate').textContent === '188 bpm z5'")
    assert view.text_content("#incline") == "12.5 %"
    found = _overflow(view)
    assert found["scroll"] <= 0, found
    assert found["right"] <= found["width"] - 8, found
    # The finished summary fits too (its table scrolls inside its own box if it must).
    server.send({"type": "finished", **state._finished(finished())})
    wait_until(view, "document.getElementById('done').hidden === false")
    assert _overflow(view)["scroll"] <= 0


def test_a_cue_shows_until_the_server_says_it_is_over(page: tuple[Page, Server]) -> None:
    view, server = page
    state = _busy_state()
    server.send(state.hello())
    server.send({"type": "cue", "level": "info", "message": "Speeding up in 10 s: 5:00/km"})
    wait_until(view, "document.getElementById('cue').hidden === false")
    assert view.text_content("#cue") == "Speeding up in 10 s: 5:00/km"
    server.send(state.live())  # no cue any more: the change has come
    wait_until(view, "document.getElementById('cue').hidden === true")


def test_a_finished_run_shows_its_summary_and_never_says_disconnected(
    page: tuple[Page, Server],
) -> None:
    view, server = page
    state = _busy_state()
    server.send(state.hello())
    wait_until(view, "document.getElementById('state').textContent === 'running'")
    message = state.absorb(finished())
    assert message is not None
    server.send(message)
    server.send(state.live())
    wait_until(view, "document.getElementById('state').textContent === 'finished'")
    assert view.text_content("#done_head") == "Run complete: 3.22 km in 20:00 (6:13/km)"
    assert view.text_content("#distance") == "3.22 km"
    assert view.text_content("#actual_pace") == "--:--"
    assert "warm-up" in (view.text_content("#done_steps") or "")
    assert view.is_disabled("#b_pause") and view.is_disabled("#b_stop")
    assert server.ws is not None
    server.ws.close()  # the run's server goes away after the run
    view.wait_for_timeout(1500)
    assert view.is_hidden("#link")
    assert view.text_content("#state") == "finished"
