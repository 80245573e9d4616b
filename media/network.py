"""The network a fetch reaches the web through: it connects to public addresses only, and
to exactly the address it checked.

Checking a host name and then letting the HTTP library connect to it is not enough: the
library would look the name up again, and a name may answer a public address the first
time and 127.0.0.1 the second (DNS rebinding). So the check lives where the connection is
made: `GuardedNetwork` is an httpcore network backend whose `connect_tcp` looks the name up
once, refuses it unless every address is public (`addresses.is_public`), and connects to
one of those very addresses. httpcore still sends the name in the Host header and uses it
for TLS (SNI and the certificate check), because it is the connection's origin.

httpx's own transport cannot be handed a network backend, so `GuardedTransport` is the few
lines of it that matter here, on public httpcore and httpx names only: an httpcore
connection pool over the guarded network. It has no proxies on purpose: through a proxy
the connection would go to the proxy, not to the address checked."""

from __future__ import annotations

import asyncio
import socket
import ssl
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import cache

import httpcore
import httpx

from media.addresses import is_public_text

__all__ = [
    "AddressRefused",
    "GuardedNetwork",
    "GuardedTransport",
    "NameNotFound",
    "Resolve",
    "resolve",
]

# A host name and port in, the addresses to connect to out (as text, in the order to try).
Resolve = Callable[[str, int], Awaitable[list[str]]]


class AddressRefused(Exception):
    """The host is, or its name leads to, an address that is not public."""


class NameNotFound(Exception):
    """The host's name has no address."""


async def resolve(host: str, port: int) -> list[str]:
    """The addresses the system resolver gives for `host`, each once, in its order."""
    loop = asyncio.get_running_loop()
    try:
        found = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise NameNotFound(host) from error
    return list(dict.fromkeys(str(info[4][0]) for info in found))


class GuardedNetwork(httpcore.AsyncNetworkBackend):
    """Connects to public addresses only, and to exactly the ones checked (see the module).

    A host in `allow_hosts` (a name or an address, compared as written in the URL) is
    connected to without the check: how tests and local setups reach a server on this
    machine. `resolve` and `inner` (the backend that really connects) are for tests."""

    def __init__(
        self,
        allow_hosts: Iterable[str] = (),
        *,
        resolve: Resolve = resolve,
        inner: httpcore.AsyncNetworkBackend | None = None,
    ) -> None:
        self.allow_hosts = frozenset(host.strip("[]").lower() for host in allow_hosts)
        self._resolve = resolve
        self._inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's signature)
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        if host.lower() in self.allow_hosts:
            addresses = [host]
        else:
            addresses = await self._checked(host, port, timeout)
        error: httpcore.ConnectError | httpcore.ConnectTimeout | None = None
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    address,
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as failed:
                error = failed  # the next address may answer
        assert error is not None  # `_checked` gives at least one address
        raise error

    async def _checked(self, host: str, port: int, seconds: float | None) -> list[str]:
        try:
            async with asyncio.timeout(seconds):
                addresses = await self._resolve(host, port)
        except TimeoutError:
            raise httpcore.ConnectTimeout(f"looking up {host} took too long") from None
        if not addresses:
            raise NameNotFound(host)
        if not all(is_public_text(address) for address in addresses):
            raise AddressRefused(host)
        return addresses

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's signature)
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise AddressRefused("a unix socket")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class GuardedTransport(httpx.AsyncBaseTransport):
    """An httpx transport over an httpcore pool that connects through `network` (no proxies,
    see the module). httpcore's errors come out as httpx's, as from httpx's own transport;
    `AddressRefused` and `NameNotFound` come out as they are."""

    def __init__(self, network: GuardedNetwork) -> None:
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=_ssl_context(),
            network_backend=network,
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        assert isinstance(request.stream, httpx.AsyncByteStream)
        core_request = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=request.url.raw_scheme,
                host=request.url.raw_host,
                port=request.url.port,
                target=request.url.raw_path,
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        with _as_httpx_errors():
            response = await self._pool.handle_async_request(core_request)
        assert isinstance(response.stream, AsyncIterable)
        return httpx.Response(
            status_code=response.status,
            headers=response.headers,
            stream=_Body(response.stream),
            extensions=response.extensions,
        )

    async def aclose(self) -> None:
        await self._pool.aclose()


class _Body(httpx.AsyncByteStream):
    """A response body from httpcore, its errors as httpx's."""

    def __init__(self, stream: AsyncIterable[bytes]) -> None:
        self._stream = stream

    async def __aiter__(self) -> AsyncIterator[bytes]:
        with _as_httpx_errors():
            async for chunk in self._stream:
                yield chunk

    async def aclose(self) -> None:
        close = getattr(self._stream, "aclose", None)
        if close is not None:
            await close()


@cache
def _ssl_context() -> ssl.SSLContext:
    """httpx's default context (its CA bundle), made once: loading the bundle takes tens of
    milliseconds, and one context serves any number of connections."""
    return httpx.create_ssl_context(trust_env=False)


@contextmanager
def _as_httpx_errors() -> Iterator[None]:
    try:
        yield
    except httpcore.TimeoutException as error:
        raise httpx.TimeoutException(str(error)) from error
    except (httpcore.NetworkError, httpcore.ProtocolError, httpcore.UnsupportedProtocol) as error:
        raise httpx.TransportError(str(error)) from error
