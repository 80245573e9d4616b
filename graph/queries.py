"""Root query resolvers: argument parsing and wrapping, the meaning lives in resolvers/."""

from __future__ import annotations

import asyncio
from typing import Annotated

import strawberry

import models
from graph.context import Info
from graph.errors import bad_input
from graph.nodes import MAX_NODES, resolve_node
from graph.relay import (
    After,
    Connection,
    First,
    Node,
    connection,
    decode_id,
)
from graph.selection import first_comment_sizes, first_page_ahead
from graph.types.discovery import (
    ChartScope,
    ChartWindow,
    FeedOrder,
    TrackChartConnection,
    chart_connection,
)
from graph.types.moderation import ModerationAction
from graph.types.place import PlaceConnection, places_connection
from graph.types.playlist import Playlist, shown_playlist
from graph.types.postcard import Postcard, postcards_connection, shown_postcard
from graph.types.report import Report, ReportStatus
from graph.types.search import SearchResult, SearchType, search_result
from graph.types.track import Track
from graph.types.user import User, load_user
from resolvers import charts, moderation, places, postcards, ranked_feed, tracks, users
from resolvers import feed as feeds
from resolvers import search as search_engine
from resolvers import trending as trends

Words = Annotated[
    str,
    strawberry.argument(
        description="What to look for: words, each matched as the beginning of a word "
        "(any case, any accents); at most 100 characters are read."
    ),
]
Types = Annotated[
    list[SearchType] | None,  # type: ignore[valid-type]
    strawberry.argument(description="The kinds of results wanted; every kind when absent."),
]
GlobalId = Annotated[strawberry.ID, strawberry.argument(description="Global ID.")]


def viewer(info: Info) -> User | None:
    if info.context.token_rejected:
        info.context.require_viewer()
    row = info.context.viewer
    if row is not None and info.context.viewer_cached:  # seconds old: read it afresh
        return load_user(info, row.id)  # type: ignore[return-value]
    return User.from_row(row) if row else None


async def user(
    info: Info,
    username: Annotated[str, strawberry.argument(description="Username, any case.")],
) -> User | None:
    # a profile: the member's first page of moments read in the same statement
    ahead = first_page_ahead(info, "postcards")
    if ahead is None:
        row = await users.by_username(username)
    else:
        viewer = info.context.viewer
        row = await users.by_username_with_moments(
            username,
            rows=ahead,
            viewer_id=viewer.id if viewer is not None else None,
            comments=max(first_comment_sizes(info, to=("postcards", "edges", "node")), default=0),
        )
    return User.from_row(row) if row else None


async def postcard(info: Info, id: GlobalId) -> Postcard | None:
    pk = decode_id(id, "Postcard")
    if pk is None:
        return None
    # one statement: the moment, its author and track, the viewer's like and the first
    # comments it asks for
    viewer = info.context.viewer
    row = await postcards.one(
        pk,
        viewer_id=viewer.id if viewer is not None else None,
        comments=max(first_comment_sizes(info, to=()), default=0),
    )
    if row is not None:
        info.context.loaders.postcard_by_id.prime(pk, row)
    row = await shown_postcard(info, row)
    return Postcard.from_row(row) if row else None


async def playlist(info: Info, id: GlobalId) -> Playlist | None:
    pk = decode_id(id, "Playlist")
    row = await info.context.loaders.playlist_by_id.load(pk) if pk else None
    row = await shown_playlist(info, row)
    return Playlist.from_row(row) if row else None


async def node(info: Info, id: GlobalId) -> Node | None:
    return await resolve_node(info, id)


async def nodes(
    info: Info,
    ids: Annotated[list[strawberry.ID], strawberry.argument(description="Global IDs.")],
) -> list[Node | None]:
    if len(ids) > MAX_NODES:
        raise bad_input(f"At most {MAX_NODES} ids at once, got {len(ids)}.")
    # gathered, so the loaders batch every id of one type into one query
    return list(await asyncio.gather(*(resolve_node(info, global_id) for global_id in ids)))


async def feed(
    info: Info,
    first: First = None,
    after: After = None,
    order: Annotated[
        FeedOrder,
        strawberry.argument(
            description="CHRONOLOGICAL (newest first, the default) or RANKED (see the value)."
        ),
    ] = FeedOrder.CHRONOLOGICAL,
) -> Connection[Postcard]:
    viewer = info.context.require_viewer()
    if order is FeedOrder.RANKED:
        return postcards_connection(info, await ranked_feed.page(viewer, first, after))
    # the first comments the page's moments ask for come in the page's own statement
    sizes = first_comment_sizes(info)
    page = await feeds.page(viewer, first, after, comments=max(sizes, default=0))
    return postcards_connection(info, page)


async def explore(info: Info, first: First = None, after: After = None) -> Connection[Postcard]:
    comments = max(first_comment_sizes(info), default=0)  # brought in the page's statement
    page = await postcards.explore(info.context.viewer, first, after, comments)
    return postcards_connection(info, page)


Latitude = Annotated[float, strawberry.argument(description="Latitude of the point, -90 to 90.")]
Longitude = Annotated[
    float, strawberry.argument(description="Longitude of the point, -180 to 180.")
]
Radius = Annotated[
    float,
    strawberry.argument(
        description=f"How far from the point, in metres: at least {places.MIN_RADIUS_M}, at most "
        f"{places.MAX_RADIUS_M:,}."
    ),
]


async def nearby(
    info: Info,
    latitude: Latitude,
    longitude: Longitude,
    radius_meters: Radius,
    first: First = None,
    after: After = None,
) -> Connection[Postcard]:
    where = places.circle(latitude, longitude, radius_meters)
    return postcards_connection(info, await places.nearby(info.context.viewer, where, first, after))


async def nearby_places(
    info: Info,
    latitude: Latitude,
    longitude: Longitude,
    radius_meters: Radius,
    first: First = None,
    after: After = None,
) -> PlaceConnection:
    where = places.circle(latitude, longitude, radius_meters)
    return places_connection(await places.nearby_places(info.context.viewer, where, first, after))


async def search(
    info: Info, query: Words, types: Types = None, first: First = None, after: After = None
) -> Connection[SearchResult]:
    if types is not None and not types:
        raise bad_input("Give at least one type in `types`, or leave it out.")
    kinds = list(dict.fromkeys(types or search_engine.Kind))
    page = await search_engine.page(query, info.context.viewer, kinds, first, after)
    return connection(page, wrap=search_result)


async def trending(info: Info, first: First = None, after: After = None) -> Connection[Postcard]:
    return postcards_connection(info, await trends.page(info.context.viewer, first, after))


async def top_tracks(
    info: Info,
    window: Annotated[
        ChartWindow,  # type: ignore[valid-type]
        strawberry.argument(description="How far back: DAY, WEEK (the default) or MONTH."),
    ] = charts.Window.WEEK,
    scope: Annotated[
        ChartScope,  # type: ignore[valid-type]
        strawberry.argument(
            description="EVERYONE (the default) or FRIENDS (the people you follow; needs a token)."
        ),
    ] = charts.Scope.EVERYONE,
    first: First = None,
    after: After = None,
) -> TrackChartConnection:
    viewer = info.context.viewer
    if scope is charts.Scope.FRIENDS:
        viewer = info.context.require_viewer()
    chart = charts.Chart(viewer, window, scope)
    return chart_connection(chart, await charts.top_tracks(chart, first, after))


async def search_users(
    info: Info, query: Words, first: First = None, after: After = None
) -> Connection[User]:
    page = await users.search(query, info.context.viewer, first, after)
    return connection(page, wrap=User.from_row)


async def search_tracks(
    query: Words, first: First = None, after: After = None
) -> Connection[Track]:
    return connection(await tracks.search(query, first, after), wrap=Track.from_row)


async def reports(
    info: Info,
    status: Annotated[
        ReportStatus,  # type: ignore[valid-type]
        strawberry.argument(
            description="Which reports: OPEN (the default), DISMISSED or ACTIONED."
        ),
    ] = models.ReportStatus.OPEN,
    first: First = None,
    after: After = None,
) -> Connection[Report]:
    viewer = info.context.require_viewer()
    page = await moderation.reports(viewer, status, first, after)
    return connection(page, wrap=Report.from_row)


async def moderation_log(
    info: Info, first: First = None, after: After = None
) -> Connection[ModerationAction]:
    viewer = info.context.require_viewer()
    return connection(await moderation.log(viewer, first, after), wrap=ModerationAction.from_row)
