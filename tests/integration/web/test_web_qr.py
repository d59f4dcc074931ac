"""The terminal QR code for the page's address decodes to the address (with zbar).

Every version the module makes (1 to 6) is rendered to a PNG, module for module,
and read back with Debian's `zbarimg`, the decoder phones' scanners agree with.
"""

from __future__ import annotations

import os
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from tests.conftest import NO_ZBAR, ZBARIMG
from treadpace.web import qr
from treadpace.web.page import NO_QR, announce

needs_zbar = pytest.mark.skipif(not os.access(ZBARIMG, os.X_OK), reason=NO_ZBAR)


def png(matrix: qr.Matrix, path: Path, scale: int = 6) -> None:
    """Black modules on white, with the quiet zone, as an 8-bit greyscale PNG."""
    n = len(matrix) + 2 * qr.QUIET
    rows = []
    for r in range(n):
        line = bytearray()
        for c in range(n):
            inside = qr.QUIET <= r < n - qr.QUIET and qr.QUIET <= c < n - qr.QUIET
            dark = inside and matrix[r - qr.QUIET][c - qr.QUIET]
            line += bytes([0 if dark else 255]) * scale
        rows += [b"\0" + bytes(line)] * scale

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    size = n * scale
    header = struct.pack(">IIBBBBB", size, size, 8, 0, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows)))
        + chunk(b"IEND", b"")
    )


def decode(path: Path) -> str:
    out = subprocess.run(
        [ZBARIMG, "--quiet", "--raw", "-Sbinary", str(path)],
        capture_output=True,
        timeout=30,
        check=True,
    )
    return out.stdout.decode()


@pytest.mark.parametrize("length", [10, 30, 50, 70, 100, 134])
@needs_zbar
def test_every_version_decodes(tmp_path: Path, length: int) -> None:
    text = ("http://192.168.1.20:8080/?token=" + "x7-_Q" * 40)[:length]
    matrix = qr.matrix(text)
    version = (len(matrix) - 17) // 4
    assert version == min(
        v for v, cap in ((1, 17), (2, 32), (3, 53), (4, 78), (5, 106), (6, 134)) if length <= cap
    )
    png(matrix, tmp_path / "code.png")
    assert decode(tmp_path / "code.png") == text


def test_the_terminal_drawing_is_the_matrix_with_a_quiet_zone() -> None:
    text = "http://10.0.0.2:8080/?token=AbCdEfGhIjKlMnOpQrStUv"
    matrix = qr.matrix(text)
    lines = qr.terminal_lines(text)
    n = len(matrix) + 2 * qr.QUIET
    assert len(lines) == (n + 1) // 2 and {len(line) for line in lines} == {n}
    assert set(lines[0]) == {"█"}  # the quiet zone is light
    # Row QUIET of the code is a finder pattern's top edge: dark, seven modules wide.
    top = lines[qr.QUIET // 2][qr.QUIET : qr.QUIET + 7]
    assert set(top) <= {" ", "▄"}


def test_too_long_for_the_versions_made() -> None:
    with pytest.raises(qr.TooLong):
        qr.matrix("x" * 135)


def test_a_token_address_is_shown_as_a_code_in_a_terminal(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = "http://192.168.1.20:8080/?token=AbCdEfGhIjKlMnOpQrStUv"
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    announce(url, with_token=True)
    out = capsys.readouterr().out
    assert out.startswith(f"web: live page at {url}\n")
    assert "\n".join(qr.terminal_lines(url)) in out
    announce("http://127.0.0.1:8080/", with_token=False)
    assert capsys.readouterr().out == "web: live page at http://127.0.0.1:8080/\n"
    monkeypatch.setattr(sys.stdout, "isatty", lambda: False)  # a log file: no drawing
    announce(url, with_token=True)
    assert capsys.readouterr().out == f"web: live page at {url}\n{NO_QR}\n"
