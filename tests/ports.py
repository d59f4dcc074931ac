"""Free TCP ports for the daemons and servers tests start, safe with tests side by side.

The kernel picks a port no socket holds; this process never hands the same one out
twice, so two servers of one worker never race for it, and workers' ports come from
the kernel's own spread. Bound on every interface: a server on 0.0.0.0 needs it there.
"""

from __future__ import annotations

import socket

_given: set[int] = set()


def free_port() -> int:
    """A port free on every interface now, never returned before by this process."""
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind(("", 0))
            port = int(s.getsockname()[1])
        if port not in _given:
            _given.add(port)
            return port
