"""Big digits for the terminal: a pace readable from the treadmill, two metres away.

A small hand-made font of block characters, five rows high: the digits, `:`, `.`,
`-` and a space (a pace, a speed, `--:--`). Each dot of a glyph is two character
cells wide, so a dot comes out about square on a terminal, whose cells are twice as
tall as they are wide. Pure: a string in, lines of text out; the live view lays
them out and colours them.
"""

from __future__ import annotations

HEIGHT = 5
_DOT = "██"
_GAP = " "

_FONT: dict[str, tuple[str, ...]] = {
    "0": ("###", "# #", "# #", "# #", "###"),
    "1": ("  #", "  #", "  #", "  #", "  #"),
    "2": ("###", "  #", "###", "#  ", "###"),
    "3": ("###", "  #", "###", "  #", "###"),
    "4": ("# #", "# #", "###", "  #", "  #"),
    "5": ("###", "#  ", "###", "  #", "###"),
    "6": ("###", "#  ", "###", "# #", "###"),
    "7": ("###", "  #", "  #", "  #", "  #"),
    "8": ("###", "# #", "###", "# #", "###"),
    "9": ("###", "# #", "###", "  #", "###"),
    ":": (" ", "#", " ", "#", " "),
    ".": (" ", " ", " ", " ", "#"),
    "-": ("   ", "   ", "###", "   ", "   "),
    " ": (" ", " ", " ", " ", " "),
}


def can_draw(text: str) -> bool:
    """Whether every character of `text` has a glyph."""
    return all(c in _FONT for c in text)


def lines(text: str) -> list[str]:
    """`text` in big digits: HEIGHT lines of equal width; a character without a glyph
    is left out (callers draw only numbers: `"6:27"`, `"9.3"`, `"--:--"`)."""
    glyphs = [_FONT[c] for c in text if c in _FONT]
    rows = []
    for r in range(HEIGHT):
        row = _GAP.join(
            g[r].replace("#", "\0").replace(" ", "  ").replace("\0", _DOT) for g in glyphs
        )
        rows.append(row)
    return rows
