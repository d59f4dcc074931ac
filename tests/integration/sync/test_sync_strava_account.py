"""Linking Strava and unlinking it: the browser's round trip to a loopback port, the code
pasted on a headless machine, tokens kept 0600, and the revoke that deletes them.

The browser's round trip is a real process (the link is read from its output while it
waits on its port); the others run in the test's own process (`cli_runner`: the same
`main()`, off the loop serving the fake Strava), where exit codes, messages and the
token file are the command's own."""

from __future__ import annotations

import asyncio
import stat
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from tests.cli_runner import invoke_beside
from tests.fake_strava import CLIENT_ID, CLIENT_SECRET, FakeStrava
from tests.run_proc import ROOT, env
from tests.sync_helpers import WallClock
from treadpace.sync.tokens import load


@pytest.fixture
async def strava() -> AsyncIterator[FakeStrava]:
    fake = FakeStrava(WallClock())
    await fake.start()
    yield fake
    await fake.close()
    assert fake.violations == []


def strava_env(fake: FakeStrava) -> dict[str, str]:
    return {
        "TREADPACE_STRAVA_URL": fake.url,
        "TREADPACE_STRAVA_CLIENT_ID": CLIENT_ID,
        "TREADPACE_STRAVA_CLIENT_SECRET": CLIENT_SECRET,
    }


def token_file(tmp_path: Path) -> Path:
    return tmp_path / "cfg" / "strava-tokens.json"


async def test_authorize_through_the_browser_and_a_loopback_port(
    strava: FakeStrava, tmp_path: Path
) -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "treadpace", "sync", "strava", "--authorize",
        env=env(tmp_path, **strava_env(strava)), cwd=ROOT,
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert proc.stdout is not None
    link = ""
    while not link:
        line = (await asyncio.wait_for(proc.stdout.readline(), 60)).decode()
        assert line, "the command ended without a link"
        if line.strip().startswith("http"):
            link = line.strip()
    assert "scope=activity%3Awrite%2Cactivity%3Aread" in link
    async with aiohttp.ClientSession() as browser, browser.get(link) as page:
        assert page.status == 200 and "you can close this page" in await page.text()
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 0, err
    assert b"Strava: linked (athlete 99)" in out
    assert CLIENT_SECRET.encode() not in out + err
    kept = load(token_file(tmp_path))
    assert kept is not None and kept.access_token in strava.access
    assert stat.S_IMODE(token_file(tmp_path).stat().st_mode) == 0o600


async def test_a_code_pasted_from_another_device_links_it(
    strava: FakeStrava, tmp_path: Path
) -> None:
    code, out, err = await invoke_beside(
        tmp_path, "sync", "strava", "--authorize", "--code", "the-code", **strava_env(strava)
    )
    assert (code, err) == (0, "") and "Strava: linked" in out
    landed = "http://127.0.0.1:8123/authorized?state=x&code=the-code&scope=read,activity:write"
    code, out, err = await invoke_beside(
        tmp_path, "sync", "strava", "--authorize", "--code", landed, **strava_env(strava)
    )
    assert (code, err) == (0, "") and "Strava: linked" in out
    code, _, err = await invoke_beside(
        tmp_path, "sync", "strava", "--authorize", "--code", "stale", **strava_env(strava)
    )
    assert code == 2 and err.startswith("error: Strava: the authorisation was refused")


async def test_revoke_withdraws_access_and_deletes_the_tokens(
    strava: FakeStrava, tmp_path: Path
) -> None:
    await invoke_beside(
        tmp_path, "sync", "strava", "--authorize", "--code", "the-code", **strava_env(strava)
    )
    code, out, err = await invoke_beside(
        tmp_path, "sync", "strava", "--revoke", **strava_env(strava)
    )
    assert (code, err) == (0, "")
    assert "Strava: treadpace's access revoked" in out
    assert not token_file(tmp_path).exists() and strava.access == {}
    code, out, _ = await invoke_beside(tmp_path, "sync", "strava", "--revoke", **strava_env(strava))
    assert code == 0 and "not linked" in out


async def test_syncing_to_strava_before_linking_says_how(tmp_path: Path) -> None:
    from tests.sync_helpers import recorded_run

    recorded_run(tmp_path / "home" / "runs")
    code, _, err = await invoke_beside(
        tmp_path, "sync", "--to", "strava", "latest",
        TREADPACE_STRAVA_CLIENT_ID=CLIENT_ID, TREADPACE_STRAVA_CLIENT_SECRET=CLIENT_SECRET,
    )  # fmt: skip
    assert code == 2
    assert "Strava: not linked yet; run `treadpace sync strava --authorize`" in err
