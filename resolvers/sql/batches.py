"""Batch functions behind the per-request DataLoaders: one SQL statement per call, results
in key order (None where a key has no row).

They run on every page, so their SQL is written out rather than built through the query
builder each time (building was most of their cost), in SQL that SQLite and PostgreSQL read
alike, with every value sent as a parameter (`Params`). Rows still become model instances
as a queryset would make them (`Joined`)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any, TypeVar

from tortoise.models import Model

from models import Follow, Like, Postcard, Track, TrackLink, User
from resolvers.sql.hydrate import Joined, aliased, attach, query_rows, select_all
from resolvers.sql.params import Params

M = TypeVar("M", bound=Model)


@cache
def postcard_columns() -> str:
    """The columns of moments side by side with their author's and track's (aliases p, u
    and t; see `POSTCARD_JOINS` and `postcard_of`)."""
    return ", ".join(
        aliased(model, alias) for alias, model in (("p", Postcard), ("u", User), ("t", Track))
    )


POSTCARD_JOINS = "postcards p JOIN users u ON u.id = p.author_id JOIN tracks t ON t.id = p.track_id"


def postcard_of(made: Joined, row: Any) -> Postcard:
    """The moment of a `postcard_columns` row, its author and track attached as
    `select_related` would: nearly every client shows them."""
    postcard = made.make(Postcard, "p", row)
    attach(postcard, "author", made.make(User, "u", row, once=True))
    attach(postcard, "track", made.make(Track, "t", row, once=True))
    return postcard


def postcards_of(made: Joined, rows: Sequence[Any]) -> list[Postcard]:
    """`postcard_of` for every row of a statement, each maker looked up once."""
    if not rows:
        return []
    moment = made.maker(Postcard, "p")
    author, track = made.maker(User, "u", once=True), made.maker(Track, "t", once=True)
    found = []
    for row in rows:
        postcard = moment(row)
        attach(postcard, "author", author(row))
        attach(postcard, "track", track(row))
        found.append(postcard)
    return found


async def fetch(model: type[M], sql: str, params: Params) -> list[M]:
    """Model instances of `sql`'s rows (every column of the model, and maybe more)."""
    found = await query_rows(model, sql, params.values)
    made = Joined(found)
    return [made.make(model, "", row) for row in found]


async def fetch_column(model: type[Model], sql: str, params: Params) -> list[Any]:
    """The first column of `sql`'s rows, as the driver returns it."""
    return [row[0] for row in await query_rows(model, sql, params.values)]


async def rows_by_id(model: type[M], ids: Sequence[int]) -> list[M | None]:
    if not ids:
        return []
    params = Params(model)
    found = await fetch(model, f"{select_all(model)} WHERE {params.ids('id', ids)}", params)
    by_id = {row.pk: row for row in found}
    return [by_id.get(key) for key in ids]


async def postcards_by_id(ids: Sequence[int]) -> list[Postcard | None]:
    """Like `rows_by_id`, with each moment's author and track joined."""
    if not ids:
        return []
    params = Params(Postcard)
    sql = f"SELECT {postcard_columns()} FROM {POSTCARD_JOINS} WHERE {params.ids('p.id', ids)}"
    found = await query_rows(Postcard, sql, params.values)
    by_id = {row.pk: row for row in postcards_of(Joined(found), found)}
    return [by_id.get(key) for key in ids]


async def liked_by_viewer(viewer_id: int, postcard_ids: Sequence[int]) -> list[bool]:
    return await _marked(Like, "likes", "user_id", "postcard_id", viewer_id, postcard_ids)


async def followed_by_viewer(viewer_id: int, user_ids: Sequence[int]) -> list[bool]:
    return await _marked(Follow, "follows", "follower_id", "followee_id", viewer_id, user_ids)


async def _marked(
    model: type[Model], table: str, by: str, of: str, viewer_id: int, keys: Sequence[int]
) -> list[bool]:
    """For each key, whether the viewer has a row (a like, a follow) for it."""
    if not keys:
        return []
    params = Params(model)
    sql = (
        f"SELECT {of} FROM {table} WHERE {by} = {params.add(viewer_id)} AND {params.ids(of, keys)}"
    )
    found = set(await fetch_column(model, sql, params))
    return [key in found for key in keys]


async def links_by_track(
    track_ids: Sequence[int],
) -> list[tuple[int, str | None, int | None, str | None, str | None]]:
    """(track id, its Spotify id, link id, provider, url) of each track's links, a row with
    no link for a track that has none (resolvers/tracks.py `links_of` makes them links)."""
    params = Params(Track)
    sql = (
        "SELECT t.id, t.spotify_id, l.id, l.provider, l.url FROM tracks t"
        " LEFT JOIN track_links l ON l.track_id = t.id"
        f" WHERE {params.ids('t.id', track_ids)}"
    )
    return [tuple(row) for row in await query_rows(TrackLink, sql, params.values)]
