"""Who may talk to the page's server: the Host it was reached by, its Origin, its token.

Pure checks on header values, so each rule is tested on its own:

- `host_allowed`: DNS rebinding makes a browser send a page from another site to
  this server (the attacker's name now resolves to 127.0.0.1 or the LAN address);
  then both `Host` and `Origin` are the attacker's name and match each other. The
  one thing such a request cannot fake is a `Host` that is *this* server, so only
  those are accepted: `localhost` or a loopback address, the address the
  connection arrived on (an IP literal a browser only sends when it connected to
  it), each with the port the server listens on, or a name the runner configured
  (`web.allow_hosts`, for a name such as `treadmill.local`, any port: a proxy in
  front may forward another one). Local servers such as Jupyter defend the same way.
- `same_origin`: a request that says it comes from a page must come from this one.
- `token_ok`: off loopback, the run's token (compared in constant time).
- `security_headers`: what every answer carries so a browser confines the page:
  scripts and styles only from this server, no framing, no referrer (the token is
  in the page's address), no MIME sniffing.
"""

from __future__ import annotations

import ipaddress
import secrets
from urllib.parse import urlsplit

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
    " connect-src 'self'{sockets}; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)


def split_host(host: str) -> tuple[str, int | None] | None:
    """`name:port`, `[v6]:port` or a bare name: (lower-case name, port or None); None if bad."""
    host = host.strip().lower()
    if host.startswith("["):
        name, sep, rest = host[1:].partition("]")
        if not sep or (rest and not rest.startswith(":")):
            return None
        port_text = rest[1:] if rest else ""
    elif host.count(":") > 1:
        return None  # an IPv6 literal must be bracketed
    else:
        name, _, port_text = host.partition(":")
    if port_text and not port_text.isdigit():
        return None
    name = name.rstrip(".")
    if not name:
        return None
    return name, (int(port_text) if port_text else None)


def ip_of(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address `text` spells (an IPv4-mapped one as IPv4), or None for a name."""
    try:
        ip = ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def host_allowed(host: str, local: tuple[str, int], names: frozenset[str] = frozenset()) -> bool:
    """Whether `host` (the request's Host header) names this server.

    `local` is the address and port the connection arrived on; `names` the host
    names the runner configured (lower case)."""
    parts = split_host(host)
    if parts is None:
        return False
    name, port = parts
    if name in names:
        return True
    if (port if port is not None else 80) != local[1]:
        return False
    if name == "localhost":
        return True
    ip = ip_of(name)
    if ip is None:
        return False  # a name we were not told about: what a rebinding attack sends
    return ip.is_loopback or ip == ip_of(local[0])


def same_origin(origin: str | None, host: str) -> bool:
    """No Origin (not a browser page), or one that is this server as the request reached it."""
    if origin is None:
        return True
    return urlsplit(origin).netloc.lower() == host.strip().lower()


def token_ok(given: str, token: str | None) -> bool:
    if token is None:
        return True
    return secrets.compare_digest(given.encode(), token.encode())


def security_headers(host: str | None) -> dict[str, str]:
    """The headers every answer carries; `host` is the checked Host (None: refused)."""
    sockets = f" ws://{host} wss://{host}" if host else ""
    return {
        "Content-Security-Policy": CSP.format(sockets=sockets),
        "Referrer-Policy": "no-referrer",
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
    }
