"""The schema: Query and Mutation roots, each field one delegating line."""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import GraphQLError, NoSchemaIntrospectionCustomRule, specified_rules
from strawberry.extensions import DisableIntrospection, ParserCache, ValidationCache

from graph import queries
from graph.config import Config
from graph.errors import ShapeErrors, log_if_unexpected
from graph.execution import Direct
from graph.limits import limit_extensions, limit_rules
from graph.live.fields import Subscription
from graph.live.sharing import SharingExecutor
from graph.mutations import (
    auth,
    leaving,
    moderation,
    notifications,
    playlists,
    postcards,
    safety,
    social,
    tracks,
    uploads,
)
from graph.rate_limits import Budgets
from graph.relay import Connection, Node
from graph.types.discovery import TrackChartConnection
from graph.types.moderation import ModerationAction
from graph.types.place import PlaceConnection
from graph.types.playlist import Playlist
from graph.types.postcard import Postcard
from graph.types.rate_limit import RateLimit, rate_limit
from graph.types.report import Report
from graph.types.search import SearchResult
from graph.types.track import Track
from graph.types.user import User


@strawberry.type(description="Everything a client can read.")
class Query:
    viewer: User | None = strawberry.field(
        resolver=queries.viewer,
        description="The signed-in member; null when anonymous.",
    )
    user: User | None = strawberry.field(
        resolver=queries.user, description="A member by username (any case)."
    )
    postcard: Postcard | None = strawberry.field(
        resolver=queries.postcard, description="A moment by its global ID."
    )
    playlist: Playlist | None = strawberry.field(
        resolver=queries.playlist,
        description="A playlist by its global ID; null when private and not yours.",
    )
    node: Node | None = strawberry.field(
        resolver=queries.node, description="Any object by its global ID."
    )
    nodes: list[Node | None] = strawberry.field(
        resolver=queries.nodes, description="Several objects by global ID (at most 100), in order."
    )
    feed: Connection[Postcard] = strawberry.field(
        resolver=queries.feed,
        description="Moments of the people you follow and your own, newest first, or with "
        "`order: RANKED` the last 72 hours by score x affinity to the author (see "
        "FeedOrder.RANKED). Needs a token.",
    )
    explore: Connection[Postcard] = strawberry.field(
        resolver=queries.explore, description="All moments, newest first."
    )
    nearby: Connection[Postcard] = strawberry.field(
        resolver=queries.nearby,
        description="Moments shared at places within `radiusMeters` of the point, newest "
        "first (but those hidden from you, as in explore). A radius or coordinate out of "
        "range is a top-level BAD_USER_INPUT.",
    )
    nearby_places: PlaceConnection = strawberry.field(
        resolver=queries.nearby_places,
        description="Places within `radiusMeters` of the point, nearest first (ties by id), "
        "each edge with its `distanceMeters`; only places with a moment you may see. A radius "
        "or coordinate out of range is a top-level BAD_USER_INPUT.",
    )
    search: Connection[SearchResult] = strawberry.field(
        resolver=queries.search,
        description="Members, tracks, moments and places matching every word of the query, "
        "the most relevant first (README, Search): an exact username, then a username "
        "beginning with it, then titles, names, artists, places, then any other match; on "
        "PostgreSQL names close to the query (typos) come last. Moments hidden from you "
        "(blocks, mutes, private accounts, suspensions) are left out, and places where you "
        "may see no moment; a private member's profile is found. An empty query finds "
        "nothing.",
    )
    trending: Connection[Postcard] = strawberry.field(
        resolver=queries.trending,
        description="Moments of the last 48 hours that at least 2 members other than the "
        "author liked or commented on, best first by (likes + 2 * comments) / (age in hours + "
        "2)^1.8, at most 3 per author; scores are recomputed every minute into a snapshot that "
        "a cursor pins (no repeat, no gap while you page). Moments you may not see, and those "
        "of members you mute, are left out. A cursor older than 15 minutes may have expired: "
        "then a BAD_USER_INPUT error asks you to start again without `after`.",
    )
    top_tracks: TrackChartConnection = strawberry.field(
        resolver=queries.top_tracks,
        description="Songs by how many distinct members shared them in the window, most "
        "first (ties in the order the songs came to Soundpost). Only moments you may see "
        "count, as in explore; with scope FRIENDS only those of the people you follow.",
    )
    search_users: Connection[User] = strawberry.field(
        resolver=queries.search_users,
        description="Members whose username or display name has words beginning with the "
        "query's, ranked as `search` ranks them; every member, newest first, for an empty "
        "query.",
    )
    search_tracks: Connection[Track] = strawberry.field(
        resolver=queries.search_tracks,
        description="Tracks whose title, artist or album has words beginning with the query's, "
        "ranked as `search` ranks them; every track, newest first, for an empty query.",
    )
    rate_limit: RateLimit = strawberry.field(
        resolver=rate_limit,
        description="Your query-point budget, and what this query cost.",
    )
    reports: Connection[Report] = strawberry.field(
        resolver=queries.reports,
        description="Reports in a status, oldest first. Moderators only: for anyone else a "
        "top-level error with extensions.code FORBIDDEN.",
    )
    moderation_log: Connection[ModerationAction] = strawberry.field(
        resolver=queries.moderation_log,
        description="The audit log of moderator actions and roles granted, newest first. "
        "Admins only: for anyone else a top-level error with extensions.code FORBIDDEN.",
    )


@strawberry.type(description="Everything a client can change. Each takes one `input`.")
class Mutation:
    sign_up = strawberry.mutation(resolver=auth.sign_up, description="Create an account.")
    log_in = strawberry.mutation(resolver=auth.log_in, description="Get a bearer token.")
    log_out = strawberry.mutation(
        resolver=auth.log_out, description="Revoke the token this request was sent with."
    )
    update_profile = strawberry.mutation(
        resolver=auth.update_profile, description="Change your profile."
    )
    follow = strawberry.mutation(resolver=social.follow, description="Follow a member.")
    unfollow = strawberry.mutation(resolver=social.unfollow, description="Stop following.")
    block = strawberry.mutation(
        resolver=safety.block,
        description="Block a member: follows and requests both ways end, and neither of you "
        "sees or reaches the other's content while it stands. Idempotent.",
    )
    unblock = strawberry.mutation(
        resolver=safety.unblock, description="Lift your block (follows stay ended). Idempotent."
    )
    mute = strawberry.mutation(
        resolver=safety.mute,
        description="Mute a member: their moments and notifications vanish for you only, "
        "maybe until a time. They are not told.",
    )
    unmute = strawberry.mutation(resolver=safety.unmute, description="Lift your mute.")
    accept_follow_request = strawberry.mutation(
        resolver=safety.accept_follow_request,
        description="Accept a request to follow your private account: the follow is made and "
        "the requester told (FOLLOW_ACCEPTED).",
    )
    reject_follow_request = strawberry.mutation(
        resolver=safety.reject_follow_request,
        description="Reject a request to follow you (the requester is not told).",
    )
    cancel_follow_request = strawberry.mutation(
        resolver=safety.cancel_follow_request,
        description="Withdraw your request to follow a private account. Idempotent.",
    )
    create_postcard = strawberry.mutation(
        resolver=postcards.create_postcard, description="Share a music moment."
    )
    update_postcard = strawberry.mutation(
        resolver=postcards.update_postcard, description="Edit your moment."
    )
    delete_postcard = strawberry.mutation(
        resolver=postcards.delete_postcard, description="Delete your moment."
    )
    like_postcard = strawberry.mutation(
        resolver=postcards.like_postcard, description="Like a moment (idempotent)."
    )
    unlike_postcard = strawberry.mutation(
        resolver=postcards.unlike_postcard, description="Take a like back (idempotent)."
    )
    add_comment = strawberry.mutation(
        resolver=postcards.add_comment, description="Comment on a moment."
    )
    delete_comment = strawberry.mutation(
        resolver=postcards.delete_comment,
        description="Delete a comment: yours, or any on your moment.",
    )
    add_track_link = strawberry.mutation(
        resolver=tracks.add_track_link,
        description="Add where a song can be played: its link on another music service. "
        "Idempotent; a link already on another track changes nothing, and that track is the "
        "answer. A track has one Spotify link (another is a CONFLICT), and at most 20 links.",
    )
    create_playlist = strawberry.mutation(
        resolver=playlists.create_playlist, description="Create a playlist."
    )
    update_playlist = strawberry.mutation(
        resolver=playlists.update_playlist, description="Change a playlist's details."
    )
    delete_playlist = strawberry.mutation(
        resolver=playlists.delete_playlist, description="Delete your playlist."
    )
    add_to_playlist = strawberry.mutation(
        resolver=playlists.add_to_playlist, description="Add a song to your playlist."
    )
    remove_from_playlist = strawberry.mutation(
        resolver=playlists.remove_from_playlist, description="Remove an item."
    )
    move_playlist_items = strawberry.mutation(
        resolver=playlists.move_playlist_items, description="Reorder items (Spotify semantics)."
    )
    upload_photo = strawberry.mutation(
        resolver=uploads.upload_photo,
        description="Upload a photo (a GraphQL multipart request): it is checked, turned "
        "upright, stripped of every metadata (GPS included) and stored as renditions.",
    )
    report = strawberry.mutation(
        resolver=moderation.report,
        description="Report a member, a moment or a comment to the moderators. Nobody but "
        "the moderators learns who reported it.",
    )
    resolve_report = strawberry.mutation(
        resolver=moderation.resolve_report,
        description="Resolve an open report: dismiss it, remove the content, or suspend the "
        "account. Moderators only.",
    )
    mark_notifications_read = strawberry.mutation(
        resolver=notifications.mark_notifications_read,
        description="Mark your notifications read, up to and including one of them.",
    )
    delete_account = strawberry.mutation(
        resolver=leaving.delete_account,
        description="Delete your account and everything you made, at once and for good: "
        "moments, comments, likes, follows, playlists, notifications, photos. Reports you "
        "made stay, without your name. Your username stays taken for 30 days (a setting).",
    )
    export_my_data = strawberry.mutation(
        resolver=leaving.export_my_data,
        description="A short-lived link to download everything you made (GDPR article 20).",
    )


class SoundpostSchema(strawberry.Schema):
    # its operations without strawberry's extension runner (graph/execution.py); None for
    # the bare schema
    direct: Direct | None = None

    def process_errors(self, errors: list[GraphQLError], execution_context=None) -> None:
        log_if_unexpected(errors)


def build_schema(config: Config | None = None) -> SoundpostSchema:
    """The schema as the server runs it, with its limits; without a `config`, the bare
    schema (its SDL is the same)."""
    extensions: list[Any] = [ShapeErrors]
    rules: tuple[Any, ...] = tuple(specified_rules)
    if config is None:
        extensions += [ParserCache, ValidationCache]
    else:
        if not config.introspection:
            extensions.append(DisableIntrospection)
            rules += (NoSchemaIntrospectionCustomRule,)
        # Tokens, depth, aliases and cost (graph/limits.py), then the budgets.
        own_rules = limit_rules(config)
        rules += own_rules
        extensions += [*limit_extensions(config, own_rules), lambda: Budgets(config)]
    built = SoundpostSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        extensions=extensions,
        # Live events shared by many subscribers are executed once (graph/live/sharing.py).
        execution_context_class=SharingExecutor,
    )
    if config is not None:
        built.direct = Direct(built, config, rules)
    return built


schema = build_schema()
