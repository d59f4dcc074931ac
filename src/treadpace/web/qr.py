"""A QR code for the page's address, drawn in the terminal: no dependency for one picture.

The runner scans it with the phone instead of typing a token. Only what that
needs: byte mode, error correction level L, versions 1 to 6 (up to 134 bytes,
enough for `http://<LAN address>:<port>/?token=<22 characters>`). The mask is
chosen by the standard's four penalty rules. `terminal_lines` draws two rows of
modules per line with half-block characters, light on dark, with the quiet zone.
"""

from __future__ import annotations

from collections.abc import Callable

# (total codewords, EC codewords per block, blocks) for level L, versions 1-6.
_VERSIONS = {
    1: (26, 7, 1),
    2: (44, 10, 1),
    3: (70, 15, 1),
    4: (100, 20, 1),
    5: (134, 26, 1),
    6: (172, 18, 2),
}
_ALIGN = {2: 18, 3: 22, 4: 26, 5: 30, 6: 34}
_LEVEL_L = 0b01
QUIET = 4

Matrix = list[list[bool]]


class TooLong(ValueError):
    """The text does not fit the versions this module makes."""


# ------------------------------------------------------------------ Reed-Solomon over GF(256)

_EXP = [0] * 512
_LOG = [0] * 256
_x = 1
for _i in range(255):
    _EXP[_i] = _x
    _LOG[_x] = _i
    _x <<= 1
    if _x & 0x100:
        _x ^= 0x11D
for _i in range(255, 512):
    _EXP[_i] = _EXP[_i - 255]


def _mul(a: int, b: int) -> int:
    return 0 if a == 0 or b == 0 else _EXP[_LOG[a] + _LOG[b]]


def _generator(degree: int) -> list[int]:
    poly = [1]
    for i in range(degree):
        nxt = [0] * (len(poly) + 1)
        for j, c in enumerate(poly):
            nxt[j] ^= c
            nxt[j + 1] ^= _mul(c, _EXP[i])
        poly = nxt
    return poly


def ec_codewords(data: list[int], degree: int) -> list[int]:
    """The remainder of data·x^degree divided by the generator polynomial."""
    gen = _generator(degree)
    rest = list(data) + [0] * degree
    for i in range(len(data)):
        factor = rest[i]
        if factor:
            for j, g in enumerate(gen):
                rest[i + j] ^= _mul(g, factor)
    return rest[len(data) :]


# ------------------------------------------------------------------ codewords


def _pick_version(size: int) -> int:
    for version, (total, ec, blocks) in _VERSIONS.items():
        if size + 2 + (version >= 10) <= total - ec * blocks:  # mode + 8-bit count header
            return version
    raise TooLong(f"{size} bytes: longer than a version 6-L QR code holds")


def codewords(data: bytes) -> tuple[int, list[int]]:
    """The version and its final codeword sequence (data and EC blocks interleaved)."""
    version = _pick_version(len(data))
    total, ec, blocks = _VERSIONS[version]
    capacity = total - ec * blocks
    bits = "0100" + format(len(data), "08b") + "".join(format(b, "08b") for b in data)
    bits += "0" * min(4, capacity * 8 - len(bits))
    bits += "0" * (-len(bits) % 8)
    words = [int(bits[i : i + 8], 2) for i in range(0, len(bits), 8)]
    pad = 0
    while len(words) < capacity:
        words.append((0xEC, 0x11)[pad % 2])
        pad += 1
    size = capacity // blocks
    data_blocks = [words[i * size : (i + 1) * size] for i in range(blocks)]
    ec_blocks = [ec_codewords(block, ec) for block in data_blocks]
    out = [block[i] for i in range(size) for block in data_blocks]
    out += [block[i] for i in range(ec) for block in ec_blocks]
    return version, out


# ------------------------------------------------------------------ the matrix


def _function_patterns(version: int) -> tuple[Matrix, Matrix]:
    """Modules and which of them are reserved (finders, timing, alignment, format)."""
    n = 17 + 4 * version
    dark = [[False] * n for _ in range(n)]
    fixed = [[False] * n for _ in range(n)]

    def put(r: int, c: int, value: bool) -> None:
        if 0 <= r < n and 0 <= c < n:
            dark[r][c], fixed[r][c] = value, True

    for top, left in ((0, 0), (0, n - 7), (n - 7, 0)):
        for r in range(-1, 8):
            for c in range(-1, 8):
                ring = max(abs(r - 3), abs(c - 3))
                put(top + r, left + c, ring in (0, 1, 3))
    for i in range(8, n - 8):
        put(6, i, i % 2 == 0)
        put(i, 6, i % 2 == 0)
    if version in _ALIGN:
        centre = _ALIGN[version]
        for r in range(-2, 3):
            for c in range(-2, 3):
                put(centre + r, centre + c, max(abs(r), abs(c)) != 1)
    for i in range(9):  # format information areas, filled in later
        for r, c in ((8, i), (i, 8)):
            if not fixed[r][c]:
                put(r, c, False)
    for i in range(8):
        put(8, n - 1 - i, False)
        put(n - 1 - i, 8, False)
    put(n - 8, 8, True)  # the dark module
    return dark, fixed


def _place(dark: Matrix, fixed: Matrix, words: list[int]) -> None:
    n = len(dark)
    bits = [(w >> (7 - i)) & 1 == 1 for w in words for i in range(8)]
    k = 0
    col = n - 1
    upward = True
    while col > 0:
        if col == 6:
            col -= 1
        rows = range(n - 1, -1, -1) if upward else range(n)
        for r in rows:
            for c in (col, col - 1):
                if not fixed[r][c]:
                    dark[r][c] = bits[k] if k < len(bits) else False
                    k += 1
        upward = not upward
        col -= 2


_MASKS: tuple[Callable[[int, int], bool], ...] = (
    lambda r, c: (r + c) % 2 == 0,
    lambda r, c: r % 2 == 0,
    lambda r, c: c % 3 == 0,
    lambda r, c: (r + c) % 3 == 0,
    lambda r, c: (r // 2 + c // 3) % 2 == 0,
    lambda r, c: (r * c) % 2 + (r * c) % 3 == 0,
    lambda r, c: ((r * c) % 2 + (r * c) % 3) % 2 == 0,
    lambda r, c: ((r + c) % 2 + (r * c) % 3) % 2 == 0,
)


def format_bits(mask: int) -> int:
    """15 bits: level L and the mask, BCH(15,5)-protected and XORed with 0x5412."""
    value = (_LEVEL_L << 3) | mask
    rest = value << 10
    for bit in range(14, 9, -1):
        if rest & (1 << bit):
            rest ^= 0x537 << (bit - 10)
    return ((value << 10) | rest) ^ 0x5412


def _put_format(dark: Matrix, mask: int) -> None:
    n = len(dark)
    bits = format_bits(mask)
    first = [
        (8, 0),
        (8, 1),
        (8, 2),
        (8, 3),
        (8, 4),
        (8, 5),
        (8, 7),
        (8, 8),
        (7, 8),
        (5, 8),
        (4, 8),
        (3, 8),
        (2, 8),
        (1, 8),
        (0, 8),
    ]
    second = [(n - 1 - i, 8) for i in range(7)] + [(8, n - 8 + i) for i in range(8)]
    for i in range(15):
        on = (bits >> (14 - i)) & 1 == 1
        for r, c in (first[i], second[i]):
            dark[r][c] = on


def _penalty(m: Matrix) -> int:
    n = len(m)
    score = 0
    for line in [*m, *([m[r][c] for r in range(n)] for c in range(n))]:
        run = 1
        for i in range(1, n + 1):
            if i < n and line[i] == line[i - 1]:
                run += 1
                continue
            if run >= 5:
                score += run - 2
            run = 1
        text = "".join("1" if v else "0" for v in line)
        score += 40 * (text.count("10111010000") + text.count("00001011101"))
    for r in range(n - 1):
        for c in range(n - 1):
            if m[r][c] == m[r + 1][c] == m[r][c + 1] == m[r + 1][c + 1]:
                score += 3
    share = sum(map(sum, m)) * 100 // (n * n)
    return score + abs(share - 50) // 5 * 10


def matrix(text: str) -> Matrix:
    """The QR code's modules for `text` (True = dark), without the quiet zone."""
    version, words = codewords(text.encode("utf-8"))
    best: tuple[int, Matrix] | None = None
    for mask, rule in enumerate(_MASKS):
        dark, fixed = _function_patterns(version)
        _place(dark, fixed, words)
        for r, row in enumerate(dark):
            for c in range(len(row)):
                if not fixed[r][c] and rule(r, c):
                    row[c] = not row[c]
        _put_format(dark, mask)
        score = _penalty(dark)
        if best is None or score < best[0]:
            best = (score, dark)
    assert best is not None
    return best[1]


def terminal_lines(text: str) -> list[str]:
    """The code as text: two module rows per line, dark modules as spaces on light."""
    m = matrix(text)
    n = len(m) + 2 * QUIET
    grid = [[False] * n for _ in range(n)]
    for r, row in enumerate(m):
        for c, v in enumerate(row):
            grid[r + QUIET][c + QUIET] = v
    grid.append([False] * n)
    glyph = {(False, False): "█", (False, True): "▀", (True, False): "▄", (True, True): " "}
    return ["".join(glyph[(grid[r][c], grid[r + 1][c])] for c in range(n)) for r in range(0, n, 2)]
