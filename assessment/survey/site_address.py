"""Where the app can be reached: the address survey links and QR codes start with.

``WMM_BASE_URL`` when set; otherwise this machine's address on the local network (what Streamlit
prints as its "Network URL"), so a phone in the same room can open the link; ``localhost`` only
when the machine has no other address, and then `reachable_from_network` says so.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import struct
import sys
from collections.abc import Iterable
from urllib.parse import urlsplit

BASE_URL_ENV = "WMM_BASE_URL"
DEFAULT_PORT = 8501
_LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


def _usable(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return ip.version == 4 and not (ip.is_loopback or ip.is_link_local or ip.is_unspecified)


def _interface_addresses() -> list[str]:
    """IPv4 addresses of this machine's network interfaces (Linux: read without sending a packet)."""
    if not sys.platform.startswith("linux"):
        return []
    import fcntl

    found: list[str] = []
    siocgifaddr = 0x8915
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        for _, name in socket.if_nameindex():
            request = struct.pack("256s", name.encode("utf-8")[:15])
            try:
                reply = fcntl.ioctl(probe.fileno(), siocgifaddr, request)
            except OSError:  # an interface without an IPv4 address
                continue
            found.append(socket.inet_ntoa(reply[20:24]))
    return found


def _host_name_addresses() -> list[str]:
    try:
        infos = socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)
    except OSError:
        return []
    return [str(info[4][0]) for info in infos]


def pick_lan_address(candidates: Iterable[str]) -> str | None:
    """The best address for others on the network: a private (RFC 1918) address first, in the
    order given, then any other usable IPv4 address; loopback and link-local never."""
    usable = [a for a in dict.fromkeys(candidates) if _usable(a)]
    private = [a for a in usable if ipaddress.ip_address(a).is_private]
    best = private or usable
    return best[0] if best else None


def lan_address() -> str | None:
    """This machine's address on the local network, or None when it has none (only loopback)."""
    return pick_lan_address([*_interface_addresses(), *_host_name_addresses()])


def served_base_url(port: int = DEFAULT_PORT, base_path: str = "") -> str:
    """The address of this machine's server on ``port``: its LAN address, else ``localhost``."""
    path = base_path.strip("/")
    host = lan_address() or "localhost"
    return f"http://{host}:{port}" + (f"/{path}" if path else "")


def base_url() -> str:
    """Where survey links start: ``WMM_BASE_URL``, else `served_base_url` on the default port."""
    configured = os.environ.get(BASE_URL_ENV, "").strip()
    return (configured or served_base_url()).rstrip("/")


def reachable_from_network(url: str) -> bool:
    """Whether a link can be opened from another device (False for localhost and 127.x links)."""
    host = (urlsplit(url).hostname or "").lower()
    if not host or host in _LOCAL_NAMES:
        return False
    try:
        return not ipaddress.ip_address(host).is_loopback
    except ValueError:
        return True  # a host name (e.g. a company's domain): assume others resolve it


def unreachable_hint(url: str) -> str:
    """What to tell a facilitator whose link only this computer can open (empty when it is fine)."""
    if reachable_from_network(url):
        return ""
    return (
        f"This link ({url}) opens only on this computer: phones cannot reach it. Start the app "
        f"with {BASE_URL_ENV}=http://<this computer's network address>:{DEFAULT_PORT} (or the "
        "address of your server) so that phones on the same network can answer."
    )
