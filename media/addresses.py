"""Which network addresses a picture may be fetched from: public ones only.

A fetch follows links that people and pages choose. Without this check a link could make
the server ask itself (loopback), its neighbours (private ranges, the carrier-grade NAT's
100.64.0.0/10), or the cloud's metadata service (169.254.169.254, link-local) and hand back
what they answer. An address is public when IANA's registry of special-purpose ranges
(`NOT_GLOBAL`) and Python's `ipaddress` both say so; IPv6 forms that carry an IPv4 address
inside (IPv4-mapped, 6to4, NAT64) are judged by the address they carry."""

from __future__ import annotations

from ipaddress import IPv4Address, IPv6Address, IPv6Network, ip_address, ip_network

__all__ = ["is_public", "is_public_text"]

# IANA's special-purpose ranges that are not globally reachable, written out because
# Python's own tables behind `is_global` change between patch releases (3.11.7 still takes
# 192.0.0.8 for a global address). IPv4-mapped, 6to4 and NAT64 addresses are judged by the
# IPv4 address they carry, not listed.
NOT_GLOBAL = tuple(
    ip_network(network)
    for network in (
        "0.0.0.0/8",  # "this network"
        "10.0.0.0/8",
        "100.64.0.0/10",  # shared: carrier-grade NAT
        "127.0.0.0/8",
        "169.254.0.0/16",  # link-local: the cloud's metadata service
        "172.16.0.0/12",
        "192.0.0.0/24",  # protocol assignments
        "192.0.2.0/24",  # documentation
        "192.88.99.0/24",  # the old 6to4 relays
        "192.168.0.0/16",
        "198.18.0.0/15",  # benchmarking
        "198.51.100.0/24",
        "203.0.113.0/24",
        "224.0.0.0/4",  # multicast
        "240.0.0.0/4",  # reserved, and the broadcast address
        "::/8",  # unspecified, loopback, IPv4-compatible
        "64:ff9b:1::/48",  # NAT64 for local use: whatever the operator's network holds
        "100::/64",  # discard-only
        "2001::/23",  # protocol assignments, Teredo
        "2001:db8::/32",  # documentation
        "3fff::/20",
        "5f00::/16",  # segment routing
        "fc00::/7",  # unique local
        "fe80::/10",  # link-local
        "fec0::/10",  # site-local (deprecated)
        "ff00::/8",  # multicast
    )
)
# NAT64's well-known prefix (RFC 6052): the last 32 bits are the IPv4 address reached.
NAT64 = IPv6Network("64:ff9b::/96")


def is_public(address: IPv4Address | IPv6Address) -> bool:
    """Whether `address` is one on the public internet, and no IPv6 disguise of another."""
    if isinstance(address, IPv6Address):
        carried = address.ipv4_mapped or address.sixtofour
        if carried is None and address in NAT64:
            carried = IPv4Address(int(address) & 0xFFFFFFFF)
        if carried is not None:
            return is_public(carried)
    if any(address in network for network in NOT_GLOBAL):
        return False
    return address.is_global and not (
        address.is_multicast
        or address.is_reserved
        or address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_unspecified
    )


def is_public_text(text: str) -> bool:
    """`is_public` for an address as text (a scoped IPv6 one included); False for text
    that is no address at all."""
    try:
        return is_public(ip_address(text))
    except ValueError:
        return False
