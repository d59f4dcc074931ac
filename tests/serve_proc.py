"""`treadpace serve` as a real subprocess, and what a page first hears from it.

`start_serve` starts it on a free loopback port with a private home (`run_proc.env`)
and returns once it says its page is up (`serving`: the same, killed on the way out if
it is still there); `ctrl_c` stops it as a runner does and gives its exit code;
`hello_and_command` opens the page's WebSocket, reads the hello, sends a start and reads
the answer, and fetches the page.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import aiohttp

from tests.browser import wait_for
from tests.ports import free_port
from tests.run_proc import ROOT, env


def start_serve(tmp_path: Path) -> tuple[subprocess.Popen[bytes], int]:
    """`treadpace serve` on a free loopback port, once it says the page is up."""
    port = free_port()
    out = tmp_path / "serve.txt"
    with out.open("w") as sink:
        proc = subprocess.Popen(
            [sys.executable, "-m", "treadpace", "serve", "--listen", f"127.0.0.1:{port}"],
            stdout=sink,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env(tmp_path),
            cwd=ROOT,
        )
    try:
        wait_for("the server", lambda: "web: live page at" in out.read_text())
    except BaseException:
        proc.kill()
        proc.wait()
        raise
    return proc, port


@contextmanager
def serving(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    """`start_serve`, and the server killed on the way out if it is still running."""
    proc, port = start_serve(tmp_path)
    try:
        yield proc, port
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def ctrl_c(proc: subprocess.Popen[bytes], timeout: float = 10) -> int:
    """Ctrl+C, as a runner stops the server: its exit code."""
    proc.send_signal(signal.SIGINT)
    return proc.wait(timeout=timeout)


async def hello_and_command(port: int) -> tuple[dict[str, Any], dict[str, Any], int]:
    async with aiohttp.ClientSession() as session:
        async with session.ws_connect(f"http://127.0.0.1:{port}/ws") as ws:
            hello: dict[str, Any] = await ws.receive_json(timeout=10)
            await ws.send_json({"type": "command", "command": "start", "id": 1})
            ack: dict[str, Any] = await ws.receive_json(timeout=10)
        page = await session.get(f"http://127.0.0.1:{port}/")
        return hello, ack, page.status
