"""`treadpace history` and `treadpace next` over 1,000 runs (targets: <= 0.4 s and <= 0.3 s).

A runs folder of 1,000 recorded hour-long runs (one journal, copied under 1,000 names)
and an empty data dir. Each command runs in fresh interpreters, side by side with
`python -c pass` (the floor): first once with no history index (every journal read,
and the index built), then N times with the index as it is left. Prints medians, bests
and the ratio to the floor.

    python benchmarks/history_runs.py [N]
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from treadpace.plans.steps import CompiledStep
from treadpace.record.recorder import Recorder
from treadpace.record.synthetic import SyntheticRun, synthetic_events

FILE_NAME = "treadpace.sqlite3"  # treadpace.store.database's; named here to time older trees too
RUNS = 1_000
HOUR = (
    CompiledStep("warm-up", "time", 600.0, 9.0),
    CompiledStep("third 1", "time", 1000.0, 10.5),
    CompiledStep("third 2", "time", 1000.0, 11.0),
    CompiledStep("third 3", "time", 1000.0, 11.8),
)


def runs_folder(base: Path) -> Path:
    folder = base / "runs"
    recorder = Recorder(base / "one")
    run = SyntheticRun(steps=HOUR, hz=1.0, device="ftms:AA", simulated=False)
    for event in synthetic_events(run):
        recorder.handle(event)
    recorder.close()
    assert recorder.path is not None
    folder.mkdir()
    for n in range(RUNS):
        stamp = f"{2024 + n // 336}-{1 + n // 28 % 12:02d}-{1 + n % 28:02d}T07-30-00Z"
        shutil.copyfile(recorder.path, folder / f"{stamp}-run-{n}.jsonl")
    return folder


def timed(argv: list[str], env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, env=env)
    return time.perf_counter() - t0


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    floor = [sys.executable, "-c", "pass"]
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        folder = runs_folder(base)
        env = {k: v for k, v in os.environ.items() if not k.startswith("TREADPACE_")}
        # What an installed package runs: bytecode cached (the warm-up writes it), not
        # every module compiled from source on every start.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env |= {"TREADPACE_HOME": str(base / "data"), "TREADPACE_CONFIG_HOME": str(base)}
        env["COLUMNS"] = "120"
        commands = {
            "history": ([sys.executable, "-m", "treadpace", "history", "--dir", str(folder)], 0.4),
            "next": ([sys.executable, "-m", "treadpace", "next", "--dir", str(folder)], 0.3),
        }
        timed(floor, env)  # warm-up (the page cache), outside what is measured
        cold = timed(commands["history"][0], env)
        print(f"history over {RUNS} runs with no index yet (reads every journal): {cold:.3f} s")
        if not (base / "data" / FILE_NAME).exists():
            print("  (no history index was made: every listing below reads every journal)")
        for name, (argv, target) in commands.items():
            ours, bare = [], []
            for _ in range(n):
                ours.append(timed(argv, env))
                bare.append(timed(floor, env))
            m, f = statistics.median(ours), statistics.median(bare)
            print(
                f"{name} over {RUNS} runs, indexed: median {m:.3f} s, best {min(ours):.3f} s"
                f" over {n} runs; python -c pass {f:.3f} s ({m / f:.1f}x); target <= {target} s"
            )


if __name__ == "__main__":
    main()
