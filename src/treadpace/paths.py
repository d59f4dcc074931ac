"""Where shipped configuration and user data live."""

from __future__ import annotations

import os
from pathlib import Path


def configs_dir() -> Path:
    """The shipped `configs/` folder: the repository's in a checkout, else the wheel's copy."""
    repo = Path(__file__).resolve().parents[2] / "configs"
    if repo.is_dir():
        return repo
    return Path(__file__).resolve().parent / "_configs"


def data_dir() -> Path:
    """Per-user data (recordings, journals): `$TREADPACE_HOME` or the XDG data dir."""
    env = os.environ.get("TREADPACE_HOME")
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".local" / "share"
    return base / "treadpace"


def config_home() -> Path:
    """Per-user configuration (default profile): `$TREADPACE_CONFIG` dir or XDG config."""
    env = os.environ.get("TREADPACE_CONFIG_HOME")
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_CONFIG_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".config"
    return base / "treadpace"
