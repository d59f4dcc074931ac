"""The README's test command, timed: wall, CPU and the files that cost the most.

The target (issue "speed"): the whole suite under 2 minutes of wall time on 2 cores,
green on three consecutive runs on a loaded machine. This runs the README's command
(`.venv/bin/python -m pytest`, from the checkout this script sits in) `--runs` times in
a row, each in its own process tree, and prints for each its wall time, the CPU of the
whole tree (pytest, its workers and every process a test started: the steadier figure
on a busy machine) and whether it passed; then the test files that took longest in the
last run (the sum of their tests' durations, on whichever worker ran them), which is
where to look first when the suite grows.

    python benchmarks/suite.py [--runs 3] [--top 12]
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_S = 120.0
DURATION = re.compile(r"^([\d.]+)s (?:call|setup|teardown)\s+([^:\s]+)::")


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def one_run() -> tuple[float, float, bool, str]:
    """(wall s, CPU s of the whole tree, passed, its output)."""
    python = ROOT / ".venv" / "bin" / "python"
    argv = [str(python if python.exists() else sys.executable), "-m", "pytest"]
    cpu, start = children_cpu(), time.perf_counter()
    done = subprocess.run(
        [*argv, "--durations=0", "--durations-min=0.05"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        env=os.environ | {"CI": os.environ.get("CI", "true")},
    )
    wall = time.perf_counter() - start
    return wall, children_cpu() - cpu, done.returncode == 0, done.stdout


def heaviest(output: str, top: int) -> list[tuple[str, float]]:
    per_file: dict[str, float] = {}
    for line in output.splitlines():
        if found := DURATION.match(line):
            per_file[found[2]] = per_file.get(found[2], 0.0) + float(found[1])
    return sorted(per_file.items(), key=lambda item: -item[1])[:top]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--top", type=int, default=12)
    args = parser.parse_args()
    print(f"{os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f} at the start")
    output = ""
    for n in range(1, args.runs + 1):
        wall, cpu, passed, output = one_run()
        summary = output.strip().splitlines()[-1] if output.strip() else ""
        verdict = "green" if passed else "FAILED"
        print(
            f"run {n}: {wall:.1f} s wall, {cpu:.1f} s CPU, {verdict} ({summary.strip('= ')});"
            f" target < {TARGET_S:.0f} s wall"
        )
        for line in output.splitlines():
            if line.startswith(("FAILED", "ERROR")):
                print(f"  {line}")
    print("the files that cost the most in the last run (sum of their tests' durations):")
    for path, seconds in heaviest(output, args.top):
        print(f"  {seconds:6.1f} s  {path}")


if __name__ == "__main__":
    main()
