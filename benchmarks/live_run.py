"""CPU and memory of a live run at time scale 1 (targets: <= 0.3 % of a core, < 60 MB RSS).

Starts `treadpace run PLAN --yes` on the simulator in a subprocess (stdout a
pipe, so the plain-log view; `--tty` runs it under a pseudo-terminal for the
rich view), lets it settle, then samples its CPU time and RSS with psutil for
SECONDS seconds and stops it with SIGINT.

    python benchmarks/live_run.py [--seconds 60] [--tty] [PLAN]
"""

from __future__ import annotations

import argparse
import os
import pty
import select
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("plan", nargs="?", default=str(ROOT / "configs" / "plans" / "thirds.yaml"))
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--settle", type=float, default=3.0)
    ap.add_argument("--tty", action="store_true", help="run under a pseudo-terminal (rich view)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "TREADPACE_HOME": home, "TREADPACE_CONFIG_HOME": home}
        cmd = [sys.executable, "-m", "treadpace", "run", args.plan, "--yes"]
        master = None
        if args.tty:
            master, slave = pty.openpty()
            proc = subprocess.Popen(cmd, env=env, stdin=slave, stdout=slave, stderr=slave)
            os.close(slave)
        else:
            proc = subprocess.Popen(
                cmd,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
            )
        p = psutil.Process(proc.pid)
        drained = []

        def drain() -> None:
            if master is not None:
                try:
                    while True:
                        r, _, _ = select.select([master], [], [], 0)
                        if not r:
                            return
                        drained.append(os.read(master, 65536))
                except OSError:
                    return

        t_end = time.monotonic() + args.settle
        while time.monotonic() < t_end:
            drain()
            time.sleep(0.1)
        c0 = p.cpu_times()
        w0 = time.monotonic()
        peak = 0
        t_end = w0 + args.seconds
        while time.monotonic() < t_end:
            drain()
            if proc.poll() is not None:
                break
            peak = max(peak, p.memory_info().rss)
            time.sleep(0.5)
        if proc.poll() is not None:
            drain()
            tail = b"".join(drained).decode(errors="replace")[-1500:]
            sys.exit(f"the run ended early (exit {proc.returncode}):\n{tail}")
        c1 = p.cpu_times()
        wall = time.monotonic() - w0
        cpu = (c1.user - c0.user) + (c1.system - c0.system)
        proc.send_signal(signal.SIGINT)
        try:
            out, _ = proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            out = b""
        mode = "rich view (pty)" if args.tty else "plain log (pipe)"
        print(f"live run, time scale 1, {mode}: {wall:.0f} s sampled")
        print(f"  CPU {100 * cpu / wall:.2f} % of one core (target <= 0.3 %)")
        print(f"  peak RSS {peak / 2**20:.1f} MB (target < 60 MB)")
        print(f"  exit code after SIGINT: {proc.returncode}")
        if proc.returncode not in (0, 130) and out:
            print(out.decode(errors="replace")[-2000:])


if __name__ == "__main__":
    main()
