"""media/addresses.py's classifier over a table of addresses."""

from __future__ import annotations

from collections.abc import Iterable
from ipaddress import ip_address
from typing import Any

import pytest

from media.addresses import is_public

PUBLIC = [
    "93.184.215.14",
    "1.1.1.1",
    "8.8.8.8",
    "2606:4700:4700::1111",
    "2a00:1450:4001:82a::200e",
    "::ffff:93.184.215.14",  # IPv4-mapped public
    "64:ff9b::5db8:d70e",  # NAT64 of 93.184.215.14
    "2002:5db8:d70e::1",  # 6to4 of 93.184.215.14
]
NOT_PUBLIC = [
    "127.0.0.1",
    "127.0.0.2",
    "0.0.0.0",
    "0.1.2.3",
    "10.0.0.1",
    "172.16.0.1",
    "172.31.255.255",
    "192.168.1.1",
    "169.254.169.254",  # the cloud's metadata service
    "100.64.0.1",  # shared (carrier-grade NAT)
    "100.127.255.254",
    "192.0.0.8",
    "192.0.2.1",  # documentation
    "198.18.0.1",  # benchmarking
    "198.51.100.1",
    "203.0.113.1",
    "224.0.0.1",  # multicast
    "239.255.255.250",
    "240.0.0.1",  # reserved
    "255.255.255.255",
    "::",
    "::1",
    "::ffff:127.0.0.1",  # IPv4-mapped loopback
    "::ffff:169.254.169.254",
    "::ffff:10.0.0.1",
    "::127.0.0.1",  # IPv4-compatible (deprecated)
    "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
    "64:ff9b:1::5db8:d70e",  # NAT64 for local use
    "2002:7f00:1::1",  # 6to4 of 127.0.0.1
    "2002:a00:1::1",  # 6to4 of 10.0.0.1
    "fe80::1",  # link-local
    "fe80::1%1",
    "fec0::1",  # site-local (deprecated)
    "fc00::1",  # unique local
    "fd12:3456:789a::1",
    "ff02::1",  # multicast
    "2001:db8::1",  # documentation
    "2001::1",  # Teredo
    "100::1",  # discard-only
    "192.0.0.170",  # NAT64 discovery
    "192.88.99.1",  # 6to4 relays
    "3fff::1",  # documentation
    "5f00::1",  # segment routing
]


def addresses(texts: Iterable[str]) -> list[Any]:
    return [ip_address(text) for text in texts]


@pytest.mark.parametrize("address", addresses(PUBLIC), ids=str)
def test_public_addresses(address: Any) -> None:
    assert is_public(address) is True


@pytest.mark.parametrize("address", addresses(NOT_PUBLIC), ids=str)
def test_addresses_that_are_not_public(address: Any) -> None:
    assert is_public(address) is False
