"""The lean HTTP path: a POST of one JSON operation to /graphql (what every client sends for
queries and mutations) is answered by the view's `respond_json` with raw ASGI messages,
without Starlette's routing and strawberry's request handling; everything else (GET, the
GraphiQL page, multipart uploads, a batch, a body that is not one JSON object of the usual
fields, another content type, websockets) goes on to the router and strawberry's view as
before. The answer is the same, byte for byte: `respond_json` runs strawberry's steps in
strawberry's order with the same hooks (context, execution with every schema extension,
result, encoding), and a body it would read differently is sent on unread
(tests/api/test_lean_http.py sends each case both ways and compares).

Where CORS is configured it sits inside the other wrappers (security headers, CORS, body
limit), which apply to it as to any request. Without CORS it is the app's front
(`Front`, server/app.py): before Starlette's stack, with the same security headers and body
limit applied in line (the wrappers' own code, called, not wrapped around it), and
Starlette's answer to an unexpected error (a plain 500, then the error raised on for the
server to log); a request it does not take goes on to the whole stack. Three wrappers'
closures and calls per message were a fifth of a `{ __typename }` request's time.
(With CORS the wrappers stay around it: CORS adds `Vary: Origin` to every response.)"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TYPE_CHECKING, Any

import orjson
from cross_web import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.http import GraphQLRequestData

if TYPE_CHECKING:
    from server.http.body_limit import BodySizeLimit
    from server.http.security_headers import SecurityHeadersMiddleware
    from server.view import SoundpostGraphQL

JSON = b"application/json"
# orjson reads integers up to 2**64 - 1 (and down to -2**63) exactly, larger ones as floats
HUGE = 2.0**63
# Starlette's ServerErrorMiddleware's answer to an unexpected error (debug off)
SERVER_ERROR = PlainTextResponse("Internal Server Error", status_code=500)


class LeanGraphQL:
    def __init__(self, app: ASGIApp, *, view: SoundpostGraphQL, path: str = "/graphql") -> None:
        self.app = app
        self.view = view
        self.path = path
        # set by `Front`, before the wrappers and Starlette's error middleware: the security
        # headers are added here, and an unexpected error answered here
        self.headers: SecurityHeadersMiddleware | None = None

    def __call__(self, scope: Scope, receive: Receive, send: Send) -> Awaitable[None]:
        # Not a coroutine itself, as SecurityHeadersMiddleware's: websockets pass straight on.
        if (
            scope["type"] != "http"
            or scope["method"] != "POST"
            or scope["path"] != self.path
            or scope.get("root_path")
            or not _is_json(scope["headers"])
        ):
            return self.app(scope, receive, send)
        return self._post(scope, receive, send)

    async def _post(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = await _read_body(receive)
        assert body is not None  # no limit to grow past
        await self._answer(scope, receive, send, body)

    async def _answer(self, scope: Scope, receive: Receive, send: Send, body: bytes) -> None:
        """The answer to a body read whole."""
        replay = _replaying(body, receive)
        request_data = _operation(body)
        if request_data is None:  # strawberry's view decides (and words its refusal)
            await self.app(scope, replay, send)
            return
        try:
            answer = await self.view.respond_json(Request(scope, replay), request_data)
        except HTTPException as error:  # as strawberry's GraphQL.__call__ answers it
            refusal = PlainTextResponse(error.reason, status_code=error.status_code)
            await refusal(scope, replay, self._secured(send))
            return
        except Exception:  # in front: as Starlette's ServerErrorMiddleware (outside the
            if self.headers is not None:  # headers) answers it, then the server logs it
                await SERVER_ERROR(scope, replay, send)
            raise
        start = {"type": "http.response.start", "status": answer.status, "headers": answer.headers}
        if self.headers is not None:
            self.headers.add(start)
        await send(start)
        await send({"type": "http.response.body", "body": answer.body})

    def _secured(self, send: Send) -> Send:
        """`send` with the security headers added to a response's start (as it is, when the
        wrappers around add them)."""
        headers = self.headers
        if headers is None:
            return send

        async def secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers.add(message)
            await send(message)

        return secured


class Front(LeanGraphQL):
    """The lean path before Starlette's whole stack (`app`), with the rules of its security
    headers and body limit applied in line."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        view: SoundpostGraphQL,
        headers: SecurityHeadersMiddleware,
        limit: BodySizeLimit,
    ) -> None:
        super().__init__(app, view=view)
        self.headers = headers
        self.limit = limit

    async def _post(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit, too_large = self.limit.limit_of(scope)
        if too_large:
            await self.limit.refuse(self._secured(send), limit)
            return
        try:
            message = await receive()
            if message["type"] == "http.request" and not message.get("more_body", False):
                whole: bytes = message.get("body", b"")  # all at once: the usual case
                body = whole if len(whole) <= limit else None
            else:
                body = await _read_body(receive, limit, first=message)
        except ClientDisconnect:  # gone before its body was in: nobody to answer
            return
        if body is None:
            await self.limit.refuse(self._secured(send), limit)
            return
        await self._answer(scope, receive, send, body)


def _is_json(headers: list[tuple[bytes, bytes]]) -> bool:
    """The request's first Content-Type is application/json (parameters aside; in lower
    case, as strawberry's view wants it)."""
    for name, value in headers:
        if name == b"content-type":
            return value.split(b";", 1)[0].strip() == JSON
    return False


async def _read_body(
    receive: Receive, limit: int | None = None, first: Message | None = None
) -> bytes | None:
    """The whole body, as Starlette's `Request.body` reads it (from `first` on, when the
    first message was received already); None once it grows past `limit` (as BodySizeLimit
    counts it)."""
    chunks = []
    received = 0
    while True:
        message, first = (first, None) if first is not None else (await receive(), None)
        if message["type"] == "http.disconnect":
            raise ClientDisconnect()
        chunk = message.get("body", b"")
        received += len(chunk)
        if limit is not None and received > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replaying(body: bytes, receive: Receive) -> Receive:
    """A `receive` that gives the body once more, then listens on (for a disconnect)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


def _operation(body: bytes) -> GraphQLRequestData | None:
    """One operation, when the body is one JSON object whose fields strawberry's view would
    read the same; else None. orjson reads what json.loads reads, or fails (NaN, a lone
    surrogate, another encoding: those go the long way), except an integer of more than 64
    bits, which it makes a float: a body with an integral float that large goes the long
    way too."""
    try:
        data: Any = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(data, dict):
        return None
    query, variables = data.get("query"), data.get("variables")
    name, extensions = data.get("operationName"), data.get("extensions")
    if (
        not isinstance(query, str | None)
        or not isinstance(variables, dict | None)
        or not isinstance(name, str | None)
        or not isinstance(extensions, dict | None)
    ):
        return None
    if (variables and _has_huge_float(variables)) or (extensions and _has_huge_float(extensions)):
        return None
    return GraphQLRequestData(
        query=query, variables=variables, operation_name=name, extensions=extensions
    )


def _has_huge_float(value: Any) -> bool:
    if isinstance(value, float):
        return value.is_integer() and abs(value) >= HUGE
    if isinstance(value, dict):
        return any(_has_huge_float(item) for item in value.values())
    if isinstance(value, list):
        return any(_has_huge_float(item) for item in value)
    return False
