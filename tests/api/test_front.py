"""The lean path in front of Starlette's stack (server/http/lean.py `Front`, the app's
layout without CORS): the body limit and the security headers apply to it in line, and an
unexpected error gets Starlette's answer and reaches the server, as on the long way."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from starlette.applications import Starlette

from server.app import App
from server.settings import Settings
from tests.api.test_lean_http import view_of
from tests.support.asgi import http_scope
from tests.support.limits import own_app

JSON = (b"content-type", b"application/json")


async def call(app: Any, scope: dict[str, Any], arrivals: list[dict[str, Any]]) -> list[Any]:
    """The messages the app sends for a request whose body arrives as `arrivals`."""
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return arrivals.pop(0) if arrivals else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return sent


def chunks(body: bytes, size: int) -> list[dict[str, Any]]:
    parts = [body[i : i + size] for i in range(0, len(body), size)]
    return [
        {"type": "http.request", "body": part, "more_body": n < len(parts) - 1}
        for n, part in enumerate(parts)
    ]


async def test_the_app_without_cors_has_the_lean_path_in_front(
    app: Starlette, settings: Settings
) -> None:
    async with own_app(settings) as plain, own_app(settings, cors_origins=["https://a.b"]) as cors:
        assert isinstance(plain, App) and plain.front is not None
        assert isinstance(cors, App) and cors.front is None


@pytest.mark.parametrize("lean", [True, False], ids=["in front", "long way"])
async def test_a_streamed_body_past_the_limit_is_refused_unread(
    app: Starlette, settings: Settings, lean: bool
) -> None:
    # given: a JSON POST with no Content-Length whose body grows past MAX_BODY_BYTES
    body = orjson.dumps({"query": "{ __typename }", "variables": {"pad": "x" * 5000}})
    async with own_app(settings, lean_http=lean, max_body_bytes=4096) as own:
        view = view_of(own)
        executed: list[Any] = []
        execute = view.execute_request

        async def counted(*args: Any, **kwargs: Any) -> Any:
            executed.append(args)
            return await execute(*args, **kwargs)

        view.execute_request = counted  # type: ignore[method-assign]
        # when
        sent = await call(own, http_scope("POST", "/graphql", [JSON]), chunks(body, 1000))
    # then: the limit's 413, with the security headers, and nothing executed
    start, end = sent
    assert start["status"] == 413
    headers = dict(start["headers"])
    assert headers[b"x-frame-options"] == b"DENY"
    assert headers[b"connection"] == b"close"
    assert orjson.loads(end["body"])["errors"][0]["extensions"] == {
        "code": "PAYLOAD_TOO_LARGE",
        "maxBytes": 4096,
    }
    assert executed == []


async def test_an_unexpected_error_gets_starlettes_500_and_reaches_the_server(
    app: Starlette, settings: Settings
) -> None:
    body = orjson.dumps({"query": "{ __typename }"})
    scope = http_scope("POST", "/graphql", [JSON, (b"content-length", b"%d" % len(body))])
    answers = []
    for lean in (True, False):
        async with own_app(settings, lean_http=lean) as own:
            view = view_of(own)

            async def broken(*args: Any, **kwargs: Any) -> Any:
                raise RuntimeError("the view broke")

            view.respond_json = broken  # type: ignore[method-assign]
            view.run = broken  # type: ignore[method-assign]
            # when / then: the error goes on to the server (which logs it)
            with pytest.raises(RuntimeError, match="the view broke"):
                sent: list[Any] = []

                async def receive() -> dict[str, Any]:
                    return {"type": "http.request", "body": body, "more_body": False}

                async def send(message: dict[str, Any], _sent: list[Any] = sent) -> None:
                    _sent.append(message)

                await own(dict(scope), receive, send)
            answers.append(sent)
    # and the client got the same plain 500 both ways (Starlette's, without our headers)
    lean_answer, long_answer = answers
    assert lean_answer == long_answer
    assert lean_answer[0]["status"] == 500
    assert lean_answer[1]["body"] == b"Internal Server Error"
