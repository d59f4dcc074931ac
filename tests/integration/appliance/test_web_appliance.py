"""The appliance's routes over real HTTP: one run at a time, the gate's word, the guard on each.

The page's server runs here with the appliance's routes and a simulated
treadmill (a fast `ScaledClock`, since HTTP needs real time); an aiohttp client
asks what a page asks. A second Start while a run goes is refused with the
reason and makes no second session; a Start with remote start off is refused by
the engine's gate with the way to allow it, and the simulator never saw a
start; a page never names a file; every route wants this server's Host, no
other site's Origin and, off loopback, the token.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.ports import free_port
from tests.run_proc import read_log
from treadpace.appliance.one_run import Appliance, Treadmill
from treadpace.appliance.routes import Routes
from treadpace.base.listen import Listen
from treadpace.web.page_server import WebServer

PLAN = """\
name: Short
kind: custom
segments:
  - {name: one, duration: "1:00", speed: 9 km/h}
  - {name: two, duration: "1:00", speed: 10 km/h}
"""


@dataclass
class Served:
    base: str
    appliance: Appliance
    profile: Path
    log: Path
    http: aiohttp.ClientSession


def _profile(path: Path, runs: Path, *, allowed: bool) -> None:
    remote = "mqtt: {allow_remote_start: true}\n" if allowed else ""
    path.write_text(
        f'name: T\nrace: {{distance: 5k, time: "25:00"}}\ncues: {{voice: false, bell: false}}\n'
        f"recording: {{directory: {runs}}}\n{remote}"
    )


@pytest.fixture
async def served(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Served]:
    cfg = tmp_path / "cfg"
    (cfg / "plans").mkdir(parents=True)
    (cfg / "plans" / "short.yaml").write_text(PLAN)
    monkeypatch.setenv("TREADPACE_CONFIG_HOME", str(cfg))
    monkeypatch.setenv("TREADPACE_HOME", str(tmp_path / "home"))
    profile, log = cfg / "profile.yaml", tmp_path / "sim.jsonl"
    _profile(profile, tmp_path / "runs", allowed=False)
    listen = Listen("127.0.0.1", free_port())
    server = WebServer(listen, token=None)
    treadmill = Treadmill("generic", None, time_scale=60.0, sim_log=log)
    async with asyncio.TaskGroup() as tasks, aiohttp.ClientSession() as http:
        appliance = Appliance(server, tasks, profile_path=profile, treadmill=treadmill, quiet=True)
        server.add_routes(Routes(appliance).routes())
        await server.start()
        try:
            yield Served(f"http://127.0.0.1:{listen.port}", appliance, profile, log, http)
        finally:
            if appliance.session is not None:
                appliance.session.engine.abort("test over")
            await appliance.shutdown()
    await server.close()


async def _post(s: Served, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    async with s.http.post(f"{s.base}/api/start", json=body) as r:
        return r.status, await r.json()


async def _get(s: Served, path: str, **headers: str) -> tuple[int, Any]:
    async with s.http.get(f"{s.base}{path}", headers=headers) as r:
        return r.status, (await r.json() if r.content_type == "application/json" else None)


async def test_remote_start_off_is_the_gates_refusal_and_nothing_moves(served: Served) -> None:
    status, answer = await _post(served, {"plan": "short"})
    assert status == 409 and answer["refused"] == "remote_start_not_allowed"
    assert "allow_remote_start" in answer["error"] and "at the treadmill" in answer["error"]
    assert served.appliance.session is None and served.appliance.runs_started == 0
    assert [r for r in read_log(served.log) if r.get("op") == "start_or_resume"] == []


async def test_one_run_at_a_time_and_the_page_follows_it(served: Served, tmp_path: Path) -> None:
    _profile(served.profile, tmp_path / "runs", allowed=True)
    status, answer = await _post(served, {"plan": "short", "scale": 0.5})
    assert (status, answer["ok"]) == (200, True)
    status, again = await _post(served, {"plan": "short"})
    assert status == 409 and again["refused"] == "busy" and "Short" in again["error"]
    assert served.appliance.runs_started == 1
    _, state = await _get(served, "/api/status")
    assert state["running"] is True and state["plan"] == "Short"
    server_state = served.appliance.server.state
    assert server_state is not None
    for _ in range(400):  # a minute of plan at 60x: a second or two
        if not served.appliance.running:
            break
        await asyncio.sleep(0.05)
    assert not served.appliance.running and server_state.finished is not None
    assert server_state.finished["state"] == "finished"
    _, state = await _get(served, "/api/status")
    assert state["last_run"] is not None
    _, runs = await _get(served, "/api/runs")
    assert [r["id"] for r in runs["runs"]] == [state["last_run"]] and runs["weeks"][0]["runs"] == 1
    status, detail = await _get(served, f"/api/runs/{state['last_run']}")
    assert status == 200 and len(detail["steps"]) == 2


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("name=short&scale=2", "scale: expected a number from 0.25 to 1, not 2"),
        ("name=short&offset=fast", "offset: expected a number from -60 to 60"),
        ("name=../../etc/passwd", "plan: expected a plan of the library"),
        ("name=short&race_distance=5k", "race: expected both a distance"),
    ],
)
async def test_bad_input_is_one_line_naming_the_field(
    served: Served, query: str, expected: str
) -> None:
    status, answer = await _get(served, f"/api/plan?{query}")
    assert status == 400 and answer["error"].startswith(expected) and "\n" not in answer["error"]


async def test_the_preview_is_the_plan_for_today(served: Served) -> None:
    status, plain = await _get(served, "/api/plan?name=short")
    status2, short = await _get(served, "/api/plan?name=short&scale=0.5&offset=30")
    assert status == status2 == 200
    assert plain["rows"][0][3] == "1:00" and short["rows"][0][3] == "0:30"
    assert plain["rows"][0][4].startswith("6:40/km") and short["rows"][0][4].startswith("7:10/km")
    assert short["notes"][-1] == "today: 50 % of its length, paces +30 s/km"
    # A new race result: the paces of a faster runner, for this run only.
    status, raced = await _get(served, "/api/plan?name=short&race_distance=5k&race_time=20:00")
    assert status == 200 and raced["rows"][0][4] == plain["rows"][0][4]  # a fixed 9 km/h
    status, easy = await _get(served, "/api/plan?name=suggestion&race_distance=5k&race_time=20:00")
    _, before = await _get(served, "/api/plan?name=suggestion")
    assert status == 200 and easy["rows"][0][4] < before["rows"][0][4]  # faster paces
    assert served.profile.read_text().count("25:00") == 1  # the profile is left as it was


async def test_every_route_is_behind_the_guard(served: Served) -> None:
    for path in ("/api/home", "/api/plan?name=short", "/api/status", "/api/runs"):
        status, _ = await _get(served, path, Host="evil.example:80")
        assert status == 403, path
        status, _ = await _get(served, path, Origin="http://evil.example")
        assert status == 403, path
    async with served.http.post(
        f"{served.base}/api/start",
        json={"plan": "short"},
        headers={"Origin": "http://evil.example"},
    ) as r:
        assert r.status == 403
    assert served.appliance.runs_started == 0


async def test_the_treadmill_is_described_and_chosen_from_the_page(served: Served) -> None:
    status, chosen = await _get(served, "/api/treadmill")
    assert status == 200 and chosen["simulated"] and "generic" in chosen["models"]
    assert chosen["limits"] == "profile limits: 16.0 km/h, 10 % incline"
    status, described = await _get(served, "/api/treadmill/info")
    assert status == 200 and any(line.startswith("speed: ") for line in described["lines"])
    assert any(line.startswith("control: ") for line in described["lines"])
    async with served.http.post(
        f"{served.base}/api/treadmill", json={"address": "/etc/passwd"}
    ) as r:
        assert r.status == 400 and (await r.json())["error"].startswith("address: expected")
    async with served.http.post(
        f"{served.base}/api/treadmill", json={"address": "AA:BB:CC:DD:EE:FF", "pin": True}
    ) as r:
        assert r.status == 200 and (await r.json())["label"] == "AA:BB:CC:DD:EE:FF"
    from treadpace.plans import load_profile

    assert load_profile(served.profile).treadmill.address == "AA:BB:CC:DD:EE:FF"
    async with served.http.post(
        f"{served.base}/api/treadmill", json={"address": "AA:BB:CC:DD:EE:00", "pin": True}
    ) as r:
        assert r.status == 400 and "names a treadmill already" in (await r.json())["error"]


async def test_bluetooth_trouble_is_one_line_and_serve_goes_on(
    served: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bleak.exc import BleakError

    from treadpace.treadmill import ble_scan

    async def gone(timeout: float, **_: Any) -> list[Any]:
        raise BleakError("No Bluetooth adapters found.")

    monkeypatch.setattr(ble_scan, "scan", gone)
    async with served.http.post(f"{served.base}/api/treadmill/scan", json={}) as r:
        answer = await r.json()
        assert r.status == 503 and answer["error"].startswith("Bluetooth")
        assert "\n" not in answer["error"]
    status, _ = await _get(served, "/api/status")
    assert status == 200


async def test_the_treadmill_is_not_changed_under_a_run(served: Served, tmp_path: Path) -> None:
    _profile(served.profile, tmp_path / "runs", allowed=True)
    status, _ = await _post(served, {"plan": "short"})
    assert status == 200
    async with served.http.post(f"{served.base}/api/treadmill", json={"sim_model": "generic"}) as r:
        assert r.status == 409 and (await r.json())["refused"] == "busy"
    status, _ = await _get(served, "/api/treadmill/info")
    assert status == 409


async def test_start_at_the_treadmill_waits_for_its_console(served: Served) -> None:
    from treadpace.engine import RunState
    from treadpace_sim.treadmill import SimulatedTreadmill

    status, answer = await _post(served, {"plan": "short", "at_treadmill": True})
    assert status == 200 and "console" in answer["waiting"]  # remote start is off: no matter
    session = served.appliance.session
    assert session is not None

    def state() -> RunState:  # read afresh: it changes under the test's feet
        return session.engine.state

    for _ in range(100):
        if state() == RunState.READY:
            break
        await asyncio.sleep(0.02)
    await asyncio.sleep(0.5)  # thirty seconds of run time: nothing starts by itself
    assert state() == RunState.READY
    assert [r for r in read_log(served.log) if r.get("op") == "start_or_resume"] == []
    sim = session.setup.sim
    assert isinstance(sim, SimulatedTreadmill)
    sim.press_start()  # the runner at the treadmill
    for _ in range(200):
        if state() == RunState.RUNNING:
            break
        await asyncio.sleep(0.02)
    assert state() == RunState.RUNNING


async def test_a_treadmill_out_of_reach_is_said_on_the_page_and_serve_goes_on(
    served: Served, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No Bluetooth here, whatever the machine has: the look for it fails at once.
    monkeypatch.setenv("DBUS_SYSTEM_BUS_ADDRESS", f"unix:path={tmp_path}/no-bus")
    _profile(served.profile, tmp_path / "runs", allowed=True)
    assert served.appliance.choose(Treadmill(None, "AA:BB:CC:DD:EE:FF")).ok
    status, _ = await _post(served, {"plan": "short"})
    assert status == 200
    for _ in range(500):
        if not served.appliance.running:
            break
        await asyncio.sleep(0.02)
    state = served.appliance.server.state
    assert state is not None and state.finished is not None
    assert state.finished["state"] == "aborted" and "Bluetooth" in state.finished["reason"]
    said = [n["message"] for n in state.notices]
    assert any(m.startswith("looking for AA:BB:CC:DD:EE:FF") for m in said), said
    status, now = await _get(served, "/api/status")
    assert status == 200 and now["running"] is False


async def test_todays_program_workout_is_on_the_home_and_previews(served: Served) -> None:
    import datetime as dt

    from treadpace.program import store
    from treadpace.program.service import new_program
    from treadpace.program.types import Settings

    today = dt.date.today()
    prof = served.appliance.load_profile()
    program = new_program(Settings(start=today), prof, prof.recording.directory, today)
    store.save(program, store.program_path())  # a program begins on its first day
    status, home = await _get(served, "/api/home")
    assert status == 200 and home["program"]["name"] == "program:today"
    assert home["program"]["title"] == program.workouts[0].plan["name"]
    status, plan = await _get(served, "/api/plan?name=program:today")
    assert status == 200 and plan["rows"]


async def test_a_run_is_uploaded_from_its_page_once(
    served: Served, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time

    from tests.fake_icu import API_KEY, FakeIcu
    from treadpace.plans.steps import CompiledStep
    from treadpace.record.recorder import Recorder
    from treadpace.record.synthetic import SyntheticRun, synthetic_events

    runs = tmp_path / "runs"
    recorder = Recorder(runs)  # a run on a real treadmill (a simulated one is not training)
    steps = (CompiledStep("easy", "time", 600.0, 9.0),)
    run = SyntheticRun(steps=steps, simulated=False, device="ftms:AA:BB", start_wall=time.time())
    for event in synthetic_events(run):
        recorder.handle(event)
    recorder.close()
    _, listed = await _get(served, "/api/runs")
    run_id = listed["runs"][0]["id"]
    upload = f"{served.base}/api/runs/{run_id}/upload"
    async with served.http.post(upload) as r:  # no sync.to: said how to set it
        assert r.status == 409 and "sync.to" in (await r.json())["error"]
    icu = FakeIcu()
    await icu.start()
    try:
        monkeypatch.setenv("TREADPACE_ICU_URL", icu.url)
        monkeypatch.setenv("TREADPACE_ICU_API_KEY", API_KEY)
        served.profile.write_text(served.profile.read_text() + "sync: {to: [icu]}\n")
        _, home = await _get(served, "/api/home")
        assert home["profile"]["sync_to"] == ["icu"]  # the page shows the button
        async with served.http.post(upload) as r:
            first = await r.json()
        async with served.http.post(upload) as r:
            again = await r.json()
    finally:
        await icu.close()
    assert first["ok"] and first["lines"][0].startswith("on icu")
    assert again["ok"] and again["lines"][0].startswith("already on icu")
    assert len(icu.activities) == 1 and icu.violations == []
