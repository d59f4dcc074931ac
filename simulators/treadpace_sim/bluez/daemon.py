"""A private system-type `dbus-daemon` for tests and benchmarks (no real BlueZ needed).

bleak's BlueZ backend always talks to the *system* bus; dbus-fast reads
`DBUS_SYSTEM_BUS_ADDRESS` each time it connects, so pointing that variable at
a throw-away daemon is all it takes. A `bluetoothctl` stub that prints a
recent version goes on PATH, because bleak asks it once per process which
BlueZ it is talking to (a missing one only costs a warning).
"""

from __future__ import annotations

import os
import shutil
import socket as sock
import subprocess
import tempfile
import time
from pathlib import Path

_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_destination="*" eavesdrop="true"/>
    <allow receive_sender="*"/>
    <allow eavesdrop="true"/>
  </policy>
</busconfig>
"""

_BLUETOOTHCTL = "#!/bin/sh\necho 'bluetoothctl: 5.72'\n"


def _accepts(path: Path) -> bool:
    with sock.socket(sock.AF_UNIX, sock.SOCK_STREAM) as probe:
        try:
            probe.connect(str(path))
        except OSError:
            return False
    return True


class DaemonMissing(RuntimeError):
    """`dbus-daemon` is not installed (Debian package `dbus-daemon`)."""


class PrivateBus:
    """Start with `start()`, stop with `stop()`; `address` is the bus address to export."""

    def __init__(self) -> None:
        self._dir: Path | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self.address = ""
        self.stub_dir = ""

    def start(self, timeout: float = 5.0) -> str:
        exe = shutil.which("dbus-daemon")
        if exe is None:
            raise DaemonMissing("dbus-daemon not found on PATH (install the dbus package)")
        self._dir = Path(tempfile.mkdtemp(prefix="treadpace-bus-"))
        socket = self._dir / "system_bus_socket"
        config = self._dir / "bus.conf"
        config.write_text(_CONFIG.format(socket=socket))
        stub = self._dir / "bin"
        stub.mkdir()
        (stub / "bluetoothctl").write_text(_BLUETOOTHCTL)
        (stub / "bluetoothctl").chmod(0o755)
        self.stub_dir = str(stub)
        self._proc = subprocess.Popen(
            [exe, "--nofork", f"--config-file={config}"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout
        while not _accepts(socket):  # the file appears before the daemon listens
            if self._proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("dbus-daemon did not come up")
            time.sleep(0.005)
        self.address = f"unix:path={socket}"
        return self.address

    def export(self) -> dict[str, str | None]:
        """Point this process's bleak at the bus; returns the previous values to restore."""
        old = {k: os.environ.get(k) for k in ("DBUS_SYSTEM_BUS_ADDRESS", "PATH")}
        os.environ["DBUS_SYSTEM_BUS_ADDRESS"] = self.address
        os.environ["PATH"] = self.stub_dir + os.pathsep + os.environ.get("PATH", "")
        return old

    @staticmethod
    def restore(old: dict[str, str | None]) -> None:
        for key, value in old.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value

    def stop(self) -> None:
        if self._proc is not None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
            self._proc = None
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None
