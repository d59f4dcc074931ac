"""How long `treadpace --help` takes to start (target < 0.3 s).

Runs the CLI in fresh interpreters (the cost a runner pays on every command)
and prints the median and best of N runs, plus the modules the help path
imports that it should not (bleak, aiomqtt, rich, pydantic, the engine).

    python benchmarks/startup.py [N]
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

HEAVY = ("bleak", "aiomqtt", "rich", "pydantic", "treadpace.engine", "dbus_fast")


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "treadpace", "--help"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        times.append(time.perf_counter() - t0)
    probe = (
        "import sys; sys.argv=['treadpace','--help']\n"
        "import treadpace.cli\n"
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.strip()
    print(
        f"treadpace --help: median {statistics.median(times):.3f} s, best {min(times):.3f} s"
        f" over {n} runs (target < 0.3 s)"
    )
    print(f"heavy modules imported by the CLI module: {loaded or 'none'}")


if __name__ == "__main__":
    main()
