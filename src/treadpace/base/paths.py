"""Where shipped configuration and user data live."""

from __future__ import annotations

import importlib.resources
import os
from pathlib import Path


def configs_dir() -> Path:
    """The shipped `configs/` folder: the wheel's package data, else a checkout's.

    An installed wheel carries it as `treadpace/_configs`, found with importlib.resources;
    only without it (a clone on sys.path, an editable install) is it the repository's. The
    package data is looked for first: a folder two levels above an installed package may be
    anyone's `configs`. Treadmill models are read as files, so a zipped package has plans
    (`library` reads those through importlib.resources) but no shipped models.
    """
    packaged = importlib.resources.files("treadpace").joinpath("_configs")
    if isinstance(packaged, Path) and packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[3] / "configs"  # src/treadpace/base/paths.py


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
