"""How long `treadpace --help` takes to start (target <= 0.15 s and <= 10x `python -c pass`).

Runs the CLI in fresh interpreters (the cost a runner pays on every command), each
run side by side with a bare interpreter (`python -c pass`, the floor), so a busy
machine weighs on both alike; prints the medians, the best of each and the ratio of
the medians, then the same for `history` on an empty data dir, and the modules the
help path imports that it should not (rich, pydantic, bleak, aiomqtt, the engine).
The first round of each is a warm-up (the page cache, the bytecode cache), outside what
is measured.

    python benchmarks/startup.py [N]
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time

HEAVY = ("bleak", "aiomqtt", "rich", "pydantic", "yaml", "treadpace.engine", "dbus_fast")


def _time(argv: list[str], env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, env=env)
    return time.perf_counter() - t0


def compare(args: list[str], n: int, env: dict[str, str]) -> tuple[list[float], list[float]]:
    """(command times, floor times), interleaved, after one warm-up of each."""
    cmd, floor = [sys.executable, "-m", "treadpace", *args], [sys.executable, "-c", "pass"]
    _time(cmd, env), _time(floor, env)
    ours, bare = [], []
    for _ in range(n):
        ours.append(_time(cmd, env))
        bare.append(_time(floor, env))
    return ours, bare


def report(what: str, ours: list[float], bare: list[float], target: str) -> None:
    m, f = statistics.median(ours), statistics.median(bare)
    print(
        f"{what}: median {m:.3f} s, best {min(ours):.3f} s over {len(ours)} runs;"
        f" python -c pass median {f:.3f} s; {m / f:.1f}x the floor ({target})"
    )


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    with tempfile.TemporaryDirectory() as home:
        env = {k: v for k, v in os.environ.items() if not k.startswith("TREADPACE_")}
        # What an installed package runs: bytecode cached (the warm-up writes it), not
        # every module compiled from source on every start.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env |= {"TREADPACE_HOME": home, "TREADPACE_CONFIG_HOME": home, "COLUMNS": "100"}
        report("treadpace --help", *compare(["--help"], n, env), "target <= 0.15 s and <= 10x")
        report("treadpace history (no runs)", *compare(["history"], n, env), "no target")
    probe = (
        "import sys; sys.argv=['treadpace','--help']\n"
        "import treadpace.cli\n"
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.strip()
    print(f"heavy modules imported by the CLI module: {loaded or 'none'}")


if __name__ == "__main__":
    main()
