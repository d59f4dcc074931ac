"""FTMS codec cost figures: decodes per second on random packets and on real telemetry.

Run: `.venv/bin/python benchmarks/ftms_decode.py`. Prints figures; asserts nothing.
A live run decodes about 2 Treadmill Data packets a second, so anything above a few
thousand per second is far inside the < 1 % CPU budget; the random-packet rate is
what the fuzz test (100,000 packets per decoder) costs.
"""

from __future__ import annotations

import contextlib
import random
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


if __name__ == "__main__":
    main()
