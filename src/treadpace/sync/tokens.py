"""Strava's tokens on disk: one JSON file in the config dir, only its owner may read it.

Written whole to a new file created with mode 0600 and renamed over the old one,
so a crash never leaves half a token file and no other user ever can read it.
`seed` remembers which `TREADPACE_STRAVA_REFRESH_TOKEN` the tokens came from, so
a token given in the environment is exchanged once and then rotated here.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from treadpace.base.user_error import UserError


@dataclass(frozen=True)
class Tokens:
    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    expires_at: float
    seed: str = ""
    athlete: str = ""

    def expires_within(self, wall: float, margin_s: float) -> bool:
        return self.expires_at - wall <= margin_s


def seed_of(refresh_token: str) -> str:
    return hashlib.sha256(refresh_token.encode()).hexdigest()[:16]


def from_answer(data: Any, seed: str = "", athlete: str = "") -> Tokens | None:
    """Tokens from Strava's token answer, or None when it is not one."""
    if not isinstance(data, dict):
        return None
    access, refresh, expires = (
        data.get(k) for k in ("access_token", "refresh_token", "expires_at")
    )
    if not (isinstance(access, str) and isinstance(refresh, str) and access and refresh):
        return None
    if not isinstance(expires, int | float) or isinstance(expires, bool):
        return None
    who = data.get("athlete")
    if isinstance(who, dict) and isinstance(who.get("id"), int | str):
        athlete = str(who["id"])
    return Tokens(access, refresh, float(expires), seed, athlete)


def load(path: Path) -> Tokens | None:
    """The kept tokens; None when there are none; a UserError when the file is unsafe."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return None
    if info.st_mode & 0o077:
        raise UserError(
            f"{path}: Strava tokens readable by others (mode {stat.S_IMODE(info.st_mode):o});"
            f" run chmod 600 {path}"
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise UserError(
            f"{path}: not a Strava token file; delete it and run"
            " `treadpace sync strava --authorize`"
        ) from None
    tokens = from_answer(data, str(data.get("seed", "")), str(data.get("athlete", "")))
    if tokens is None:
        raise UserError(f"{path}: not a Strava token file; delete it and authorize again")
    return tokens


def save(path: Path, tokens: Tokens) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with contextlib.suppress(FileNotFoundError):
        temporary.unlink()
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(asdict(tokens), out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
        raise


def forget(path: Path) -> bool:
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True
