"""media/fetch.py against real local servers (tests/support/web.py, on uvicorn): what it
fetches, what it follows, and what it refuses, with the proof that a refused address was
never connected to and that a refused body was not read on. media/addresses.py's
classifier over a table."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable
from ipaddress import ip_address
from typing import Any

import pytest

from media.addresses import is_public
from media.fetch import FetchError, FetchLimits, fetch_picture
from media.network import GuardedNetwork, NameNotFound
from tests.support.web import (
    ENDLESS_BYTES,
    GIF,
    HEIC,
    JPEG,
    PNG,
    WEBP,
    Recording,
    Resolver,
    Site,
    site_on,
)

MAX_BYTES = 200_000
LOCAL = frozenset({"127.0.0.1"})
LIMITS = FetchLimits(max_bytes=MAX_BYTES, timeout=2.0, allow_hosts=LOCAL)
UNLISTED = FetchLimits(max_bytes=MAX_BYTES, timeout=2.0)

REFUSED_ADDRESS = (
    "UNREACHABLE",
    "The link leads to a private or reserved network address: only public web servers are fetched.",
)
TOO_SLOW = ("UNREACHABLE", "The link's server took too long to answer.")
TOO_LARGE = ("TOO_LARGE", "The picture is larger than the 200,000 bytes accepted.")
NOT_A_WEB_LINK = ("INVALID", "Only web links (http or https) can be fetched.")


@pytest.fixture(scope="module")
async def site() -> AsyncIterator[Site]:
    async with site_on("127.0.0.1") as site:
        yield site


@pytest.fixture(scope="module")
async def other_site() -> AsyncIterator[Site]:
    """On 127.0.0.2: loopback too, but not on the allow-list."""
    async with site_on("127.0.0.2") as site:
        yield site


@pytest.fixture(scope="module")
async def site6() -> AsyncIterator[Site]:
    async with site_on("::1") as site:
        yield site


@pytest.fixture(autouse=True)
def _fresh(site: Site) -> None:
    site.forget()


def port_of(site: Site) -> int:
    return int(site.base.rpartition(":")[2])


async def refusal(url: str, limits: FetchLimits = LIMITS, **options: Any) -> tuple[str, str]:
    with pytest.raises(FetchError) as refused:
        await fetch_picture(url, "WEB", limits, **options)
    return refused.value.code, refused.value.message


# --- what is fetched ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "asked"),
    [
        ("/p/RELATIVE/", "/pictures/photo.jpg"),
        ("/reel/ABSOLUTE/", "/pictures/photo.jpg?size=l&sig=ab"),  # &amp; unescaped
    ],
)
async def test_an_instagram_post_gives_the_picture_its_og_image_names(
    site: Site, path: str, asked: str
) -> None:
    # when
    data = await fetch_picture(site.base + path, "INSTAGRAM", LIMITS)
    # then
    assert data == JPEG
    assert site.paths == [path, asked]


@pytest.mark.parametrize(
    ("name", "content_type", "data"),
    [
        ("photo.jpg", "image/jpeg", JPEG),
        ("photo.png", "application/octet-stream", PNG),
        ("photo.webp", "text/plain", WEBP),  # the bytes decide, not the header
        ("photo.heic", "image/heic", HEIC),
        ("anim.gif", "image/gif", GIF),  # for the pipeline to refuse as UNSUPPORTED_MEDIA
    ],
)
async def test_a_web_link_to_a_picture_gives_its_bytes(
    site: Site, name: str, content_type: str, data: bytes
) -> None:
    url = f"{site.base}/pictures/{name}?type={content_type}"
    assert await fetch_picture(url, "WEB", LIMITS) == data
    assert site.paths == [f"/pictures/{name}?type={content_type}"]


@pytest.mark.parametrize(
    ("kind", "data", "asked"),
    [
        ("og", JPEG, "/pictures/photo.jpg"),  # relative: ../../pictures/photo.jpg
        ("secure", PNG, "/pictures/photo.png"),  # og:image:secure_url
        ("twitter", WEBP, "/pictures/photo.webp"),  # twitter:image, absolute
        ("first", JPEG, "/pictures/photo.jpg"),  # og:image wins over twitter:image
    ],
)
async def test_a_web_page_gives_the_picture_it_names(
    site: Site, kind: str, data: bytes, asked: str
) -> None:
    assert await fetch_picture(f"{site.base}/pages/{kind}/", "WEB", LIMITS) == data
    assert site.paths == [f"/pages/{kind}/", asked]


NOT_A_PICTURE = "The link is neither a picture nor a page that names one."
NAMES_NO_IMAGE = "The picture the page names is not an image file."
NAMES_NO_PICTURE = "The page names no picture (it has no og:image)."
LEADS_NOWHERE = "The link leads on to something that is not a web link."


@pytest.mark.parametrize(
    ("path", "refused", "asked"),
    [
        # an image's Content-Type over bytes that are not one
        ("/text", ("UNSUPPORTED_MEDIA", NOT_A_PICTURE), ["/text"]),
        ("/pages/text/", ("UNSUPPORTED_MEDIA", NAMES_NO_IMAGE), ["/pages/text/", "/text"]),
        ("/pages/none/", ("UNREACHABLE", NAMES_NO_PICTURE), ["/pages/none/"]),
        ("/nothing-here", ("UNREACHABLE", "The link's server answered HTTP 404."), None),
        ("/pages/ftp/", ("UNREACHABLE", LEADS_NOWHERE), ["/pages/ftp/"]),
        ("/to?location=ftp://example.com/a.jpg", ("UNREACHABLE", LEADS_NOWHERE), None),
        ("/to?location=file:///etc/passwd", ("UNREACHABLE", LEADS_NOWHERE), None),
        ("/to?location=data:image/png;base64,iVBORw0K", ("UNREACHABLE", LEADS_NOWHERE), None),
    ],
)
async def test_what_is_no_picture_is_refused(
    site: Site, path: str, refused: tuple[str, str], asked: list[str] | None
) -> None:
    assert await refusal(site.base + path) == refused
    assert site.paths == (asked or [path])


async def test_an_instagram_post_naming_no_picture_is_unreachable(site: Site) -> None:
    with pytest.raises(FetchError) as refused:
        await fetch_picture(f"{site.base}/pages/none/", "INSTAGRAM", LIMITS)
    assert (refused.value.code, refused.value.message) == ("UNREACHABLE", NAMES_NO_PICTURE)


# --- redirects ------------------------------------------------------------------------------


@pytest.mark.parametrize("hops", [1, 2, 3])
async def test_up_to_three_redirects_are_followed(site: Site, hops: int) -> None:
    assert await fetch_picture(f"{site.base}/redirect/{hops}", "WEB", LIMITS) == JPEG
    assert site.paths == [f"/redirect/{hop}" for hop in range(hops, 0, -1)] + [
        "/pictures/photo.jpg"
    ]


async def test_a_fourth_redirect_is_refused(site: Site) -> None:
    assert await refusal(f"{site.base}/redirect/4") == (
        "UNREACHABLE",
        "The link redirects more than 3 times.",
    )
    assert site.paths == ["/redirect/4", "/redirect/3", "/redirect/2", "/redirect/1"]


async def test_a_redirect_from_an_allowed_host_to_another_loopback_is_refused(
    site: Site, other_site: Site, site6: Site
) -> None:
    for target, location in [
        (other_site, f"{other_site.base}/pictures/photo.jpg"),
        (site6, f"{site6.base}/pictures/photo.jpg"),
    ]:
        # given
        network = Recording()
        target.forget()
        # when
        refused = await refusal(
            f"{site.base}/to?location={location}", network=GuardedNetwork(LOCAL, inner=network)
        )
        # then
        assert refused == REFUSED_ADDRESS
        assert target.paths == []
        assert network.asked == [("127.0.0.1", port_of(site))]


async def test_a_redirect_to_the_metadata_service_is_refused(site: Site) -> None:
    network = Recording()
    location = "http://169.254.169.254/latest/meta-data/"
    refused = await refusal(
        f"{site.base}/to?location={location}", network=GuardedNetwork(LOCAL, inner=network)
    )
    assert refused == REFUSED_ADDRESS
    assert network.asked == [("127.0.0.1", port_of(site))]


# --- addresses refused before any connection ------------------------------------------------


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",  # not on the allow-list here
        "localhost",
        "169.254.169.254",
        "10.1.2.3",
        "[::ffff:127.0.0.1]",
        "[::1]",
        "2130706433",  # 127.0.0.1 written as one number
        "0.0.0.0",
    ],
)
async def test_a_private_host_is_refused_without_a_connection(site: Site, host: str) -> None:
    # given
    network = Recording()
    # when
    refused = await refusal(
        f"http://{host}:{port_of(site)}/pictures/photo.jpg",
        UNLISTED,
        network=GuardedNetwork(inner=network),
    )
    # then
    assert refused == REFUSED_ADDRESS
    assert network.asked == []
    assert site.paths == []


async def test_the_default_network_refuses_what_is_not_allowed(site: Site) -> None:
    assert await refusal(f"{site.base}/pictures/photo.jpg", UNLISTED) == REFUSED_ADDRESS
    assert site.paths == []


async def test_the_address_connected_to_is_the_one_checked(site: Site) -> None:
    """DNS rebinding: the name answers a public address once, then 127.0.0.1. Whatever
    connects must be the public address checked, the name looked up only once, and the
    request still addressed to the name."""
    # given
    resolver = Resolver(["93.184.215.14"], ["127.0.0.1"])
    network = Recording(to=("127.0.0.1", port_of(site)))  # the "public" server is ours
    guarded = GuardedNetwork(resolve=resolver, inner=network)
    url = f"http://pictures.example:{port_of(site)}/pictures/photo.jpg"
    # when
    data = await fetch_picture(url, "WEB", UNLISTED, network=guarded)
    # then
    assert data == JPEG
    assert resolver.asked == ["pictures.example"]
    assert network.asked == [("93.184.215.14", port_of(site))]
    assert site.paths == ["/pictures/photo.jpg"]
    assert site.hosts == [f"pictures.example:{port_of(site)}"]  # the name, not the address


@pytest.mark.parametrize(
    "answer", [["93.184.215.14", "127.0.0.1"], ["2606:2800:21f::1", "fd00::1"], ["10.0.0.7"]]
)
async def test_a_name_with_any_private_address_is_refused(answer: list[str]) -> None:
    network = Recording()
    guarded = GuardedNetwork(resolve=Resolver(answer), inner=network)
    assert (
        await refusal("https://pictures.example/a.jpg", UNLISTED, network=guarded)
        == REFUSED_ADDRESS
    )
    assert network.asked == []


async def test_a_name_without_an_address_is_unreachable() -> None:
    async def nowhere(host: str, port: int) -> list[str]:
        raise NameNotFound(host)

    guarded = GuardedNetwork(resolve=nowhere, inner=Recording())
    assert await refusal("https://pictures.example/a.jpg", UNLISTED, network=guarded) == (
        "UNREACHABLE",
        "The link leads to a server name that does not exist.",
    )


@pytest.mark.parametrize(
    "url", ["ftp://example.com/photo.jpg", "file:///etc/passwd", "javascript:alert(1)"]
)
async def test_other_schemes_are_invalid(url: str) -> None:
    assert await refusal(url) == NOT_A_WEB_LINK


# --- bounded in size and time ---------------------------------------------------------------


async def test_an_endless_body_is_cut_off_at_max_bytes(site: Site) -> None:
    # when
    assert await refusal(f"{site.base}/endless") == TOO_LARGE
    # then: the client hung up, long before the gigabyte
    async with asyncio.timeout(5):
        await site.gone.wait()
    assert MAX_BYTES < site.sent < ENDLESS_BYTES // 64  # 16 MB: what socket buffers hold


async def test_a_huge_content_length_is_refused_before_the_body(site: Site) -> None:
    """/huge says 10**12 bytes and sends none: only its headers can have refused it (a
    client that waited for the body would time out instead)."""
    assert await refusal(f"{site.base}/huge") == TOO_LARGE
    async with asyncio.timeout(5):
        await site.gone.wait()
    assert site.sent == 0


async def test_a_slow_server_is_unreachable(site: Site) -> None:
    limits = FetchLimits(max_bytes=MAX_BYTES, timeout=0.3, allow_hosts=LOCAL)
    assert await refusal(f"{site.base}/slow", limits) == TOO_SLOW
    assert site.paths == ["/slow"]


async def test_a_dripping_server_is_cut_off_at_the_deadline(site: Site) -> None:
    """A byte every 0.1 s never trips the 0.3 s read timeout: the deadline ends it."""
    limits = FetchLimits(max_bytes=MAX_BYTES, timeout=0.3, deadline=1.0, allow_hosts=LOCAL)
    assert await refusal(f"{site.base}/drip", limits) == TOO_SLOW
    async with asyncio.timeout(5):
        await site.gone.wait()
    assert 3 <= site.sent <= 15


# --- the address classifier -----------------------------------------------------------------

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
