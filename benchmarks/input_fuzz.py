"""The long fuzz of everything read from a file: 100,000 damaged journals, 100,000 per importer.

The suite runs a few thousand of each (tests/integration/record/test_record_fuzz.py,
tests/workouts/test_workouts_fuzz.py); this runs the same seeded mutations at scale and prints
how many were read, repaired or refused, and every failure (an exception other than
the one a reader may give) grouped by where it was raised, with the first case's bytes.

    python benchmarks/input_fuzz.py                      # 100,000 of each
    python benchmarks/input_fuzz.py --cases 20000 --seed 7 --export-every 25

Exit status 1 when any case failed.
"""

from __future__ import annotations

import argparse
import logging
import random
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.journal_mutations import mutate, read_every_way, seed_journals
from tests.workout_mutations import MUTATORS, import_once, seeds

Failures = dict[tuple[str, str], tuple[int, bytes]]


def _where(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if "treadpace" in f.filename] or frames
    return f"{Path(ours[-1].filename).name}:{ours[-1].lineno}"


def _run(
    name: str,
    cases: int,
    seed: str,
    make: Callable[[random.Random], bytes],
    check: Callable[[bytes, int], str],
) -> int:
    rng = random.Random(f"{name}-{seed}")
    outcomes: Counter[str] = Counter()
    failures: Failures = {}
    started = time.perf_counter()
    for case in range(cases):
        data = make(rng)
        try:
            outcomes[check(data, case)] += 1
        except Exception as exc:
            key = (f"{type(exc).__name__}: {str(exc)[:120]}", _where(exc))
            count, first = failures.get(key, (0, data))
            failures[key] = (count + 1, first)
    seconds = time.perf_counter() - started
    failed = sum(count for count, _ in failures.values())
    shown = ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items()))
    print(f"{name}: {cases} cases in {seconds:.0f} s: {shown}; failures {failed}")
    for (what, where), (count, first) in failures.items():
        print(f"  {count} x {what} at {where}; first: {first[:300]!r}")
    return failed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000, help="per journal kind/importer")
    parser.add_argument("--export-every", type=int, default=10,
                        help="every Nth journal also goes through FIT, TCX and CSV")  # fmt: skip
    parser.add_argument("--seed", default="fuzz")
    parser.add_argument("--only", choices=["journal", "zwo", "icu", "fit"], action="append")
    args = parser.parse_args()
    logging.disable(logging.CRITICAL)  # every repaired journal says so; not here
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if not args.only or "journal" in args.only:
            journals = seed_journals(folder / "seeds")
            path = folder / "2026-01-01T07-30-00-fuzz.jsonl"

            def read(data: bytes, case: int) -> str:
                path.write_bytes(data)
                return read_every_way(path, exports=case % args.export_every == 0)

            failed += _run(
                "journals",
                args.cases,
                args.seed,
                lambda rng: mutate(rng, rng.choice(journals)),
                read,
            )
        files = seeds()
        for fmt, mutator in MUTATORS.items():
            if args.only and fmt not in args.only:
                continue
            failed += _run(
                f"import {fmt}",
                args.cases,
                args.seed,
                lambda rng, m=mutator, f=fmt: m(rng, rng.choice(files[f])),  # type: ignore[misc]
                lambda data, _case, f=fmt: import_once(data, f),  # type: ignore[misc]
            )
    print(f"total failures: {failed}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
