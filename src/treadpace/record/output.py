"""Where an export may be written, and writing it there without harming what is in the way.

`treadpace export -o PATH` and the exports at the end of a run write only to a
new path or over an existing regular file. A symlink, a device node (as root,
`-o /dev/full` once replaced the device), a FIFO, a socket or a directory in
the way is refused with one line. The content goes to a fresh temporary file in
the same folder (created exclusively, so nothing planted under a predictable
name is written through) and is renamed over the target once complete, so an
export cut short never leaves a half-written file an uploader could pick up.
`-o -` writes one format to standard output instead.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from treadpace.base.user_error import UserError

STDOUT = "-"

Writer = Callable[[BinaryIO], None]

_KINDS = (
    (stat.S_ISLNK, "a symbolic link"),
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a device"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISSOCK, "a socket"),
)


def _existing_mode(path: Path) -> int | None:
    """The permission bits of the regular file at `path`, None when nothing is there."""
    try:
        info = path.lstat()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise UserError(f"{path}: cannot write ({exc.strerror or exc})") from None
    for test, kind in _KINDS:
        if test(info.st_mode):
            raise UserError(f"{path}: is {kind}; expected a regular file or a new file name")
    if not stat.S_ISREG(info.st_mode):
        raise UserError(f"{path}: is not a regular file; expected a regular file or a new name")
    return stat.S_IMODE(info.st_mode)


def check_target(path: Path) -> None:
    """Refuse, with one line, a target that is not a regular file or a new name."""
    _existing_mode(path)


def _new_file_mode() -> int:
    # What `open()` would give a new file: 0666 less the process umask.
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


def write_atomically(path: Path, write: Writer) -> Path:
    """Write `path` through a temporary file beside it and a rename; one line on failure."""
    mode = _existing_mode(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise UserError(f"{path}: cannot write ({exc.strerror or exc})") from None
    tmp = Path(tmp_name)
    renamed = False
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode if mode is not None else _new_file_mode())
        # Checked again just before the rename: something may have been put there since.
        _existing_mode(path)
        os.replace(tmp, path)
        renamed = True
    except OSError as exc:
        raise UserError(f"{path}: cannot write ({exc.strerror or exc})") from None
    finally:
        if not renamed:
            with contextlib.suppress(OSError):
                tmp.unlink()
    return path


def write_stdout(fmt: str, write: Writer, stream: BinaryIO | None = None) -> None:
    """Write one export to standard output (`-o -`); binary FIT never to a terminal."""
    out = stream if stream is not None else sys.stdout.buffer
    if fmt == "fit" and out.isatty():
        raise UserError("-o -: FIT is binary; redirect standard output to a file or a pipe")
    try:
        write(out)
        out.flush()
    except BrokenPipeError:
        # The reader went away (`| head`): not an error worth a traceback.
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), out.fileno())
    except OSError as exc:
        raise UserError(f"-o -: cannot write ({exc.strerror or exc})") from None
