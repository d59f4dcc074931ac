"""`treadpace ftms decode`: decode raw FTMS bytes from a user's own treadmill into JSON.

For people debugging a machine with nRF Connect, LightBlue or a btmon log: paste
the characteristic and the hex, get one JSON object per packet. Bad input is a
one-line error and exit code 2.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Annotated, Any

import typer

from treadpace.base.user_error import UserError

_HEX_SEPARATORS = re.compile(r"[\s:,\-]+")


def parse_hex(text: str) -> bytes:
    """Octets from '9c 04 00', '9c0400', '9C:04:00' (also '9c-04-00', '0x9c, 0x04, 0x00')."""
    tokens = _HEX_SEPARATORS.split(text.strip())
    compact = "".join(t[2:] if t[:2].lower() == "0x" else t for t in tokens)
    if not compact:
        raise ValueError("no hex octets given")
    if len(compact) % 2:
        raise ValueError(f"odd number of hex digits in {text.strip()!r}")
    try:
        return bytes.fromhex(compact)
    except ValueError:
        raise ValueError(f"{text.strip()!r} is not hex octets like '9c 04 00'") from None


def decode_line(characteristic: str, hex_text: str) -> dict[str, Any]:
    """Decode one packet to its JSON dict; ValueError (FtmsDecodeError included) on bad input."""
    from treadpace.ftms import decode, resolve_characteristic, to_json

    name = resolve_characteristic(characteristic)
    return to_json(decode(name, parse_hex(hex_text)))


def _decode_file(path: Path) -> int:
    """Print one JSON line per packet line; report every bad line; return the bad-line count.

    Decoding continues past a bad line so a pasted log shows everything it can; the
    exit status still says that something was wrong.
    """
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError as exc:
        raise UserError(f"{path}: cannot read: {exc.strerror or exc}") from None
    bad = 0
    for number, raw in enumerate(lines, start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split(None, 1)
        if len(parts) != 2:
            typer.echo(
                f"error: {path}:{number}: expected 'CHARACTERISTIC HEX', got {line!r}", err=True
            )
            bad += 1
            continue
        try:
            typer.echo(json.dumps(decode_line(parts[0], parts[1])))
        except ValueError as exc:
            typer.echo(f"error: {path}:{number}: {exc}", err=True)
            bad += 1
    return bad


def register(app: typer.Typer) -> None:
    ftms_app = typer.Typer(
        name="ftms",
        help="Fitness Machine Service tools for debugging a treadmill.",
        no_args_is_help=True,
        rich_markup_mode=None,  # plain help, as the top level's (cli.py)
    )

    @ftms_app.command("decode")
    def decode_command(
        characteristic: Annotated[
            str | None,
            typer.Argument(
                metavar="CHARACTERISTIC",
                help="treadmill-data, feature, speed-range, inclination-range, control-point, "
                "control-response, machine-status, training-status, heart-rate, "
                "rsc-measurement, rsc-feature, sensor-location, sc-control-point, "
                "or a 16-bit UUID such as 2acd.",
                show_default=False,
            ),
        ] = None,
        hex_octets: Annotated[
            list[str] | None,
            typer.Argument(
                metavar="HEX",
                help="The packet: '9c 04 00', 9c0400 or 9C:04:00.",
                show_default=False,
            ),
        ] = None,
        all_file: Annotated[
            Path | None,
            typer.Option(
                "--all",
                metavar="HEXFILE",
                help="Decode a file of 'CHARACTERISTIC HEX' lines ('#' comments and blank "
                "lines skipped); bad lines are reported and decoding goes on (exit 2).",
                show_default=False,
            ),
        ] = None,
    ) -> None:
        """Decode FTMS bytes and print them as one JSON object per packet."""
        if all_file is not None:
            if characteristic is not None or hex_octets:
                raise UserError("--all HEXFILE takes no CHARACTERISTIC or HEX arguments")
            if _decode_file(all_file):
                raise typer.Exit(code=UserError.exit_code)
            return
        if characteristic is None or not hex_octets:
            raise UserError("expected CHARACTERISTIC HEX (e.g. 'treadmill-data 00 00 e8 03')")
        try:
            result = decode_line(characteristic, " ".join(hex_octets))
        except ValueError as exc:
            raise UserError(str(exc)) from None
        typer.echo(json.dumps(result))

    app.add_typer(ftms_app, name="ftms")
