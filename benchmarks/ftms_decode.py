"""FTMS codec cost figures: decodes per second on random packets and on real telemetry.

Run: `.venv/bin/python benchmarks/ftms_decode.py`. Prints figures; asserts nothing.
A live run decodes about 2 Treadmill Data packets a second, so anything above a few
thousand per second is far inside the < 1 % CPU budget; the random-packet rate is
what the fuzz test (100,000 packets per decoder) costs.
"""

from __future__ import annotations

import contextlib
import random
import struct
import time
from collections.abc import Callable
from typing import Any

from treadpace.ftms import (
    FtmsDecodeError,
    TreadmillDataMerger,
    decode_control_request,
    decode_control_response,
    decode_feature,
    decode_heart_rate,
    decode_inclination_range,
    decode_machine_status,
    decode_speed_range,
    decode_training_status,
    decode_treadmill_data,
    encode_treadmill_data,
    to_json,
)

N = 100_000
DECODERS: dict[str, Callable[[bytes], Any]] = {
    "treadmill-data": decode_treadmill_data,
    "feature": decode_feature,
    "speed-range": decode_speed_range,
    "inclination-range": decode_inclination_range,
    "control-point": decode_control_request,
    "control-response": decode_control_response,
    "machine-status": decode_machine_status,
    "training-status": decode_training_status,
    "heart-rate": decode_heart_rate,
}
LIFE_FITNESS = bytes.fromhex("9E0473023302250000 3C00FF7F0000FF7F0200FFFFFF1F00".replace(" ", ""))


def rate(label: str, fn: Callable[[], object], count: int) -> None:
    start = time.perf_counter()
    fn()
    elapsed = time.perf_counter() - start
    print(f"{label:<42} {count / elapsed:>12,.0f} /s   ({elapsed * 1e6 / count:.2f} µs each)")


def main() -> None:
    rng = random.Random(1)
    packets = [rng.randbytes(rng.randint(0, 40)) for _ in range(N)]

    total_start = time.perf_counter()
    for name, decoder in DECODERS.items():

        def loop(decoder: Callable[[bytes], Any] = decoder) -> None:
            for p in packets:
                with contextlib.suppress(FtmsDecodeError):
                    decoder(p)

        rate(f"random packets, {name}", loop, N)
    total = time.perf_counter() - total_start
    print(f"{'all decoders, random packets':<42} {N * len(DECODERS) / total:>12,.0f} /s")

    record = decode_treadmill_data(LIFE_FITNESS)
    rate(
        "real 24-octet record, decode",
        lambda: [decode_treadmill_data(LIFE_FITNESS) for _ in range(N)],
        N,
    )
    rate(
        "real 24-octet record, encode", lambda: [encode_treadmill_data(record) for _ in range(N)], N
    )
    merger = TreadmillDataMerger()

    def live_path() -> None:
        for _ in range(N):
            merged = merger.feed(decode_treadmill_data(LIFE_FITNESS))
            assert merged is not None
            to_json(merged)

    rate("real record, decode + merge + to_json", live_path, N)
    versus_floor()


FLOOR = struct.Struct("<2xHHHBhhHHHHBH")
"""The same 24-octet frame unpacked by `struct` alone: no checks, no type, the floor."""


def versus_floor(rounds: int = 5, n: int = 50_000) -> None:
    """Treadmill Data decode against the floor, rounds side by side, best of each
    (target: <= 3 us a frame)."""
    assert FLOOR.size == len(LIFE_FITNESS)
    decode_treadmill_data(LIFE_FITNESS), FLOOR.unpack_from(LIFE_FITNESS)  # warm-up
    ours = floor = float("inf")
    for _ in range(rounds):
        t0 = time.perf_counter()
        for _ in range(n):
            decode_treadmill_data(LIFE_FITNESS)
        t1 = time.perf_counter()
        for _ in range(n):
            FLOOR.unpack_from(LIFE_FITNESS)
        t2 = time.perf_counter()
        ours, floor = min(ours, (t1 - t0) / n), min(floor, (t2 - t1) / n)
    print(
        f"Treadmill Data, 24 octets: {ours * 1e6:.2f} us a frame (target <= 3 us);"
        f" struct.unpack of the same frame {floor * 1e6:.2f} us; {ours / floor:.1f}x the floor"
    )


if __name__ == "__main__":
    main()
