"""Who the client is: the peer address, or what a trusted proxy says it forwarded.

Behind a load balancer every request comes from the balancer, so rate limits
would key on it; X-Forwarded-For names the real client, but anyone can send
that header. It is believed only when the peer is a configured trusted proxy,
and then read from the right: each trusted hop is skipped, and the first
address not among the trusted proxies is the client.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _address(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # [v6]:port
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # v4:port
        value = value.partition(":")[0]
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


class ClientAddress:
    def __init__(self, trusted_proxies: Sequence[str]) -> None:
        self._trusted: tuple[Network, ...] = tuple(ipaddress.ip_network(p, strict=False) for p in trusted_proxies)

    def _is_trusted(self, address: ipaddress.IPv4Address | ipaddress.IPv6Address | None) -> bool:
        if address is None:
            return False
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        return any(address in network for network in self._trusted)

    def of(self, peer: str | None, forwarded_for: Sequence[str]) -> str:
        """The client's address, given the TCP peer and every X-Forwarded-For header's value."""
        if peer is None:
            return "unknown"
        if not self._trusted or not self._is_trusted(_address(peer)):
            return peer
        hops = [hop.strip() for header in forwarded_for for hop in header.split(",") if hop.strip()]
        for hop in reversed(hops):
            address = _address(hop)
            if address is None:
                return hop[:100]  # garbage from the client's side: rate-limited as one more key
            if not self._is_trusted(address):
                return str(address)
        return hops[0] if hops else peer
