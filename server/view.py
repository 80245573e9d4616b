"""The strawberry view: each request's context (server/auth.py), the websocket protocols
(server/ws/), persisted queries (server/http/persisted.py), JSON encoding and the GraphiQL
page; and `respond_json`, the same answer to a plain JSON POST without strawberry's request
handling (server/http/lean.py routes those to it)."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from typing import Any, NamedTuple

import orjson
from cross_web import HTTPException  # what strawberry's view turns into a plain response
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import MissingQueryError
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData, process_result
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types.execution import ExecutionResult, PreExecutionError
from strawberry.types.graphql import OperationType
from strawberry.types.unset import UNSET, UnsetType

from graph.context import Context
from graph.live.sharing import SharedExecution
from graph.rate_limits import RateLimits
from graph.schema import build_schema
from media.store import Store
from resolvers.link_resolver import Discover, discover_nothing
from resolvers.tokens import hash_token
from server import auth
from server.database import DATABASE_DOWN
from server.http import accept
from server.http.graphiql import graphiql_html
from server.http.headers import first_header
from server.http.persisted import PersistedQueries, Refusal
from server.settings import Settings
from server.ws.heartbeat import Heartbeat
from server.ws.legacy_ws import LegacyWS
from server.ws.limits import ConnectionCounter
from server.ws.socket import Socket
from server.ws.transport_ws import TransportWS
from subscriptions.hub import CLOSE_TOKEN_REVOKED, Hub

# Mobile networks drop sockets idle for ~30-60 s; a ping every 15 s keeps them open.
KEEP_ALIVE_INTERVAL = 15.0

log = logging.getLogger("soundpost")


@dataclass
class Refused(ExecutionResult):
    """A request that named a persisted query it cannot run: nothing executed."""

    refusal: Refusal | None = None


class Answer(NamedTuple):
    """An HTTP response as raw ASGI parts: what `create_response` would send (a tuple: one
    per request, cheaper to make than a frozen dataclass)."""

    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes


class SoundpostGraphQL(GraphQL[Context, None]):
    # Strawberry's hooks for the websocket side: our protocols and socket (server/ws/).
    graphql_transport_ws_handler_class = TransportWS  # type: ignore[assignment]
    graphql_ws_handler_class = LegacyWS  # type: ignore[assignment]
    websocket_adapter_class = Socket  # type: ignore[assignment]

    def __init__(
        self, settings: Settings, keep_alive_interval: float | None = KEEP_ALIVE_INTERVAL
    ) -> None:
        """`keep_alive_interval`: seconds between server pings on both websocket protocols
        (None or 0: no pings)."""
        schema = build_schema(settings)
        super().__init__(
            schema,
            graphql_ide="graphiql",
            allowed_origins=settings.cors_origins,
            keep_alive=bool(keep_alive_interval),
            keep_alive_interval=keep_alive_interval or 0,
            max_subscriptions_per_connection=settings.ws_max_subscriptions,
            # photos arrive as GraphQL multipart requests (uploadPhoto)
            multipart_uploads_enabled=True,
            connection_init_wait_timeout=timedelta(
                seconds=settings.ws_connection_init_timeout_seconds
            ),
        )
        self.settings = settings
        self.direct = schema.direct
        self.max_message_bytes = settings.ws_max_message_bytes
        self.ws_connections = ConnectionCounter(settings.ws_max_connections_per_user)
        self._closing: set[asyncio.Task[None]] = set()
        # every websocket's connection_init deadline and keep-alive pings, on one timer
        self.heartbeat = Heartbeat(keep_alive_interval or None)
        self.sharing = SharedExecution()
        self.media: Store | None = None  # set by the app (server/app.py)
        self.hub: Hub | None = None
        self.rate_limits = RateLimits(settings)
        self.persisted = PersistedQueries(settings.persisted_query_cache_chars)
        # the link resolver, when LINK_RESOLVER_URL names one (set by the app)
        self.discover: Discover = discover_nothing

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        if isinstance(request, WebSocket):
            # The token may come in connection_init, after this runs: `on_ws_connect`.
            context = Context(request=request, response=response, settings=self.settings)
        else:
            try:
                context = await auth.http_context(
                    request,
                    response if isinstance(response, Response) else None,
                    self.settings,
                    self.hub,
                )
            except DATABASE_DOWN as error:
                # The bearer token is checked before the GraphQL layer, so a database outage
                # surfaced here as an unhandled 500, after which uvicorn dropped the
                # keep-alive connection under the client's next request. A plain 503 keeps
                # it open.
                log.warning("context failed, database unreachable: %r", error)
                raise HTTPException(503, "Service unavailable: try again shortly.") from None
        context.hub = self.hub
        context.rate_limits = self.rate_limits
        context.sharing = self.sharing
        context.media = self.media
        context.discover = self.discover
        return context

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        """A websocket's connection_init: its viewer (refused: ConnectionRejectionError),
        then its account's count of connections (refused: TooManyConnections)."""
        await auth.authenticate_connection(context)
        viewer_id = context.viewer.id if context.viewer else None
        token_hash = hash_token(context.token) if context.token else None
        self.ws_connections.admit(context, viewer_id, token_hash)
        return UNSET

    def close_revoked(self, token_hash: str, reason: str) -> None:
        """A token was revoked (log out, suspension, account deleted): every websocket signed
        in with it closes, subscribed or not (its subscriptions end through the hub)."""
        for context in self.ws_connections.with_token(token_hash):
            socket = getattr(context, "request", None)
            if isinstance(socket, WebSocket):
                task = asyncio.create_task(_close(socket, reason))
                self._closing.add(task)
                task.add_done_callback(self._closing.discard)

    async def get_sub_response(self, request: Request | WebSocket) -> Response:
        """The response's headers and status as the request builds them, and the media
        type it will have (server/http/accept.py)."""
        sub_response = SubResponse.of(request)
        request.state.sub_response = sub_response
        return sub_response

    async def execute_single(
        self,
        request: Request,
        request_adapter: Any,
        sub_response: Response,
        context: Context,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        return await self.execute_request(request_adapter.method, request_data, context)

    async def execute_request(
        self,
        method: str,
        request_data: GraphQLRequestData,
        context: Context,
        *,
        direct: bool = False,
    ) -> ExecutionResult:
        """Strawberry's `execute_single`, the persisted query resolved first; with `direct`,
        by graph/execution.py when it takes the operation."""
        query = self.persisted.resolve(request_data.query, request_data.extensions)
        if isinstance(query, Refusal):
            return Refused(data=None, errors=None, refusal=query)
        allowed_operation_types = _allowed(method)
        if not self.allow_queries_via_get and method == "GET":
            allowed_operation_types = allowed_operation_types - {OperationType.QUERY}
        if direct and self.direct is not None:
            result = await self.direct.execute(
                query,
                request_data.variables,
                context,
                request_data.operation_name,
                allowed_operation_types,
                request_data.extensions,
            )
            if result is not None:
                return result
        try:
            return await self.schema.execute(
                query,
                root_value=None,
                variable_values=request_data.variables,
                context_value=context,
                operation_name=request_data.operation_name,
                allowed_operation_types=allowed_operation_types,
                operation_extensions=request_data.extensions,
            )
        except CannotGetOperationTypeError as e:
            raise HTTPException(400, e.as_http_error_reason()) from e
        except InvalidOperationTypeError as e:
            raise HTTPException(400, e.as_http_error_reason(method)) from e
        except MissingQueryError as e:
            raise HTTPException(400, "No GraphQL query found in the request") from e

    async def respond_json(self, request: Request, request_data: GraphQLRequestData) -> Answer:
        """What `run` answers to a POST of one JSON operation (strawberry's own steps in its
        order: sub-response, context, execution, result), as raw ASGI parts; an
        HTTPException is raised as `run` raises it."""
        # `get_sub_response`, without its note on the request (`request.state` makes an
        # object per request): the result is shaped here
        sub_response = SubResponse.of(request)
        context = await self.get_context(request, sub_response)
        result = await self.execute_request("POST", request_data, context, direct=True)
        body = self.encode_json(await self.shaped(result, sub_response))
        media_type = sub_response.media_type or accept.JSON
        headers = [
            (b"content-length", str(len(body)).encode("latin-1")),
            (b"content-type", media_type.encode("latin-1")),
            *sub_response.raw_headers,
        ]
        return Answer(sub_response.status_code or 200, headers, body)

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        return await self.shaped(result, request.state.sub_response)

    async def shaped(self, result: ExecutionResult, sub_response: Response) -> GraphQLHTTPResponse:
        """The response's JSON for a result (`process_result`, given its sub-response)."""
        if isinstance(result, Refused) and result.refusal is not None:
            sub_response.status_code = result.refusal.status
            return result.refusal.payload  # type: ignore[return-value]
        response = process_result(result)
        if sub_response.media_type == accept.GRAPHQL_RESPONSE_JSON and isinstance(
            result, PreExecutionError
        ):
            # GraphQL over HTTP: under this media type a request that did not execute (it
            # did not parse, validate, or pass a limit) has no `data`, and a 4xx status
            response.pop("data", None)
            sub_response.status_code = sub_response.status_code or 400
        return response

    def create_response(
        self,
        response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse],
        sub_response: Response,
    ) -> Response:
        response = super().create_response(response_data, sub_response)
        if sub_response.media_type == accept.GRAPHQL_RESPONSE_JSON:
            response.headers["content-type"] = accept.GRAPHQL_RESPONSE_JSON
        return response

    def should_render_graphql_ide(self, request: Any) -> bool:
        """A GET without a query, from a browser; not one naming a persisted query by
        `extensions` alone (a client's Accept may well include */*)."""
        return super().should_render_graphql_ide(request) and (
            request.query_params.get("extensions") is None
        )

    async def render_graphql_ide(self, request: Request) -> Response:
        return HTMLResponse(graphiql_html("/graphql"))

    def encode_json(self, data: object) -> bytes:
        # orjson: several times faster than json.dumps on a 20-moment feed page
        return orjson.dumps(data)


class SubResponse(Response):
    """What strawberry's `get_sub_response` makes (a Response with no status, headers or
    body yet), without the work of Response's constructor for the body it does not have."""

    def __init__(self, media_type: str) -> None:  # Response.__init__ not called: see above
        self.status_code = None  # type: ignore[assignment]
        self.background = None
        self.body = b""
        self.raw_headers = []
        self.media_type = media_type

    @classmethod
    def of(cls, request: Request | WebSocket) -> SubResponse:
        """A request's: of the JSON media type it prefers (server/http/accept.py)."""
        return cls(accept.preferred(first_header(request.scope, b"accept")))


@lru_cache(maxsize=8)
def _allowed(method: str) -> frozenset[OperationType]:
    """The operation types an HTTP method may run (strawberry's `OperationType.from_http`,
    once per method)."""
    return frozenset(OperationType.from_http(method))  # type: ignore[arg-type]


async def _close(socket: WebSocket, reason: str) -> None:
    try:
        await socket.close(code=CLOSE_TOKEN_REVOKED, reason=reason)
    except RuntimeError:  # closed already (by the hub's end of a subscription, or the client)
        pass
