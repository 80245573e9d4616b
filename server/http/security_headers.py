"""Security headers on every HTTP response (websocket handshakes are left alone).

The Content-Security-Policy is the loosest the GraphiQL page needs, and no looser: its own
scripts plus one inline script, inline styles (the page's <style> and the ones GraphiQL
injects), data: images and fonts (the empty icon, GraphiQL's embedded fonts), and fetch and
websocket connections to this server only. Strict-Transport-Security is sent in production
only, where TLS is terminated in front of the app; on a developer's http://127.0.0.1 it
would make the browser insist on https for that host.

An endpoint may send its own Content-Security-Policy (the share pages do, server/share/):
it is kept, and when it lets other sites frame the response (a `frame-ancestors` other than
'none': the oEmbed player), `X-Frame-Options: DENY` is left out, which would contradict it
in browsers that predate frame-ancestors."""

from __future__ import annotations

from collections.abc import Awaitable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",  # CSP 3: 'self' covers ws:// and wss:// to the same host
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
HSTS = "max-age=63072000; includeSubDomains"
CSP, XFO = b"content-security-policy", b"x-frame-options"
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
}


class SecurityHeadersMiddleware:
    """Plain ASGI (not BaseHTTPMiddleware): streams and background tasks pass untouched.
    A header the endpoint already set is kept."""

    def __init__(self, app: ASGIApp, *, hsts: bool = False) -> None:
        self.app = app
        self.headers = dict(HEADERS)
        if hsts:
            self.headers["Strict-Transport-Security"] = HSTS
        self.raw = [
            (n.lower().encode("latin-1"), v.encode("latin-1")) for n, v in self.headers.items()
        ]

    def __call__(self, scope: Scope, receive: Receive, send: Send) -> Awaitable[None]:
        # Not a coroutine itself: a websocket goes straight on, and its frame here does not
        # stay on the stack for the connection's whole life.
        if scope["type"] != "http":
            return self.app(scope, receive, send)
        return self._http(scope, receive, send)

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                self.add(message)
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def add(self, message: Message) -> None:
        """Our headers the response does not have, appended in order (one pass over the
        response's raw headers, names and values encoded once: what
        `MutableHeaders.setdefault` does per header, a few microseconds cheaper on every
        response)."""
        headers = message.setdefault("headers", [])
        if not isinstance(headers, list):  # any iterable of pairs, in ASGI
            headers = message["headers"] = list(headers)
        present = {name for name, _ in headers}
        framable = CSP in present and frames_allowed(_value(headers, CSP))
        for name, value in self.raw:
            if name not in present and not (framable and name == XFO):
                headers.append((name, value))


def _value(headers: list[tuple[bytes, bytes]], name: bytes) -> str:
    """The first value of a header, as `Headers.get` reads it."""
    return next(value for key, value in headers if key == name).decode("latin-1")


def frames_allowed(policy: str | None) -> bool:
    """Whether a Content-Security-Policy lets other sites frame the response: it has a
    `frame-ancestors` directive other than 'none'."""
    for directive in (policy or "").split(";"):
        name, _, sources = directive.strip().partition(" ")
        if name.lower() == "frame-ancestors":
            return sources.strip() != "'none'"
    return False
