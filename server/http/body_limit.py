"""The request body limit: 413 for an HTTP request whose body is larger than
MAX_BODY_BYTES (a multipart request, which carries a photo: MEDIA_MAX_BYTES and a margin),
judged from Content-Length before the body is read, or while it streams in."""

from __future__ import annotations

from collections.abc import Awaitable

import orjson
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodySizeLimit:
    """Answers 413 to an HTTP request whose body is larger than `max_bytes`, from its
    Content-Length before reading it, or as soon as a streamed body grows past the limit.
    A client that leaves before its body is in (a phone losing its network mid-upload)
    ends the request quietly: nobody is there to answer, and it is not the app's error
    (uvicorn logged each as "Exception in ASGI application" with a traceback)."""

    def __init__(
        self, app: ASGIApp, max_bytes: int, max_multipart_bytes: int | None = None
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.max_multipart_bytes = max_multipart_bytes or max_bytes

    def __call__(self, scope: Scope, receive: Receive, send: Send) -> Awaitable[None]:
        # Not a coroutine itself, for the same reason as SecurityHeadersMiddleware's.
        if scope["type"] != "http":
            return self.app(scope, receive, send)
        return self._http(scope, receive, send)

    def limit_of(self, scope: Scope) -> tuple[int, bool]:
        """The request's limit, and whether its Content-Length is over it already."""
        content_type = declared = b""
        for name, value in scope["headers"]:  # the last of each, as dict() would keep
            if name == b"content-type":
                content_type = value
            elif name == b"content-length":
                declared = value
        multipart = content_type.lower().startswith(b"multipart/")
        limit = self.max_multipart_bytes if multipart else self.max_bytes
        return limit, declared.isdigit() and int(declared) > limit

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit, too_large = self.limit_of(scope)
        if too_large:
            await self.refuse(send, limit)
            return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _TooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _TooLarge:
            if started:
                raise
            await self.refuse(send, limit)
        except ClientDisconnect:
            if started:
                raise

    async def refuse(self, send: Send, limit: int) -> None:
        body = orjson.dumps(
            {
                "errors": [
                    {
                        "message": f"The request body is larger than {limit} bytes.",
                        "extensions": {"code": "PAYLOAD_TOO_LARGE", "maxBytes": limit},
                    }
                ]
            }
        )
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"connection", b"close"),
        ]
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": body})


class _TooLarge(Exception):
    pass
