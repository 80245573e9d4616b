"""Writing a generated plan: ids reserved up front, then `bulk_create` in chunks, inside the
caller's transaction (see the package's docstring for tortoise's `bulk_create`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar

from rich.progress import Progress
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import F
from tortoise.models import Model

from models import (
    Comment,
    FeedEvent,
    Follow,
    Like,
    Place,
    Playlist,
    PlaylistItem,
    Postcard,
    Track,
    User,
)
from models.place import name_key
from resolvers.sql.hydrate import table
from resolvers.validate import song_key
from server.seed.pictures import Kept, chosen
from server.seed.plan import Plan, PostcardRow

M = TypeVar("M", bound=Model)
R = TypeVar("R")

CHUNK = 5_000


def _at(ts: int) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


@dataclass(slots=True)
class Ids:
    user: int
    follow: int
    postcard: int
    feed_event: int
    like: int
    comment: int
    playlist: int
    item: int
    track: list[int]  # per local track index: the new id, or the existing track's id
    # per local place index: the new id, or the id of the place seeded with its venue id
    place: list[int]
    new_places: list[int]  # the local indexes of the places to insert


async def reserve_all_ids(conn: BaseDBAsyncClient, plan: Plan, known_tracks: dict[str, int]) -> Ids:
    track_ids = [known_tracks.get(t.key, 0) for t in plan.tracks]
    new_tracks = sorted(
        (i for i, t in enumerate(plan.tracks) if t.key not in known_tracks),
        key=lambda i: plan.tracks[i].created,
    )
    first_track = await _reserve_ids(conn, Track, len(new_tracks))
    for offset, index in enumerate(new_tracks):
        track_ids[index] = first_track + offset
    return Ids(
        user=await _reserve_ids(conn, User, len(plan.users)),
        follow=await _reserve_ids(conn, Follow, len(plan.follows)),
        postcard=await _reserve_ids(conn, Postcard, len(plan.postcards)),
        feed_event=await _reserve_ids(conn, FeedEvent, len(plan.postcards)),
        like=await _reserve_ids(conn, Like, len(plan.likes)),
        comment=await _reserve_ids(conn, Comment, len(plan.comments)),
        playlist=await _reserve_ids(conn, Playlist, len(plan.playlists)),
        item=await _reserve_ids(conn, PlaylistItem, len(plan.items)),
        track=track_ids,
        **await _reserve_places(conn, plan),
    )


async def _reserve_places(conn: BaseDBAsyncClient, plan: Plan) -> dict[str, list[int]]:
    """Ids for the plan's places: a venue id seeded before is that place (a unique column)."""
    known = dict(
        await Place.filter(foursquare_venue_id__not_isnull=True)
        .using_db(conn)
        .values_list("foursquare_venue_id", "id")
    )
    place_ids = [int(known.get(p.foursquare_id, 0)) for p in plan.places]
    new = [i for i, p in enumerate(plan.places) if p.foursquare_id not in known]
    first = await _reserve_ids(conn, Place, len(new))
    for offset, index in enumerate(new):
        place_ids[index] = first + offset
    return {"place": place_ids, "new_places": new}


async def _reserve_ids(conn: BaseDBAsyncClient, model: type[Model], count: int) -> int:
    """The first of `count` consecutive free ids of the model's table.

    Ids only ever move forward (feed-event ids are the cursor live clients resume from).
    PostgreSQL: the block is taken from the sequence, which keeps later (and concurrent)
    inserts from colliding; it stays taken if the seed rolls back. SQLite: AUTOINCREMENT's
    high-water mark in sqlite_sequence is respected, and advances by itself when explicit
    ids are inserted."""
    name = table(model)
    dialect = conn.capabilities.dialect
    if dialect == "postgres":
        if count == 0:
            return 1
        sequence = f"pg_get_serial_sequence('{name}', 'id')"
        rows = await conn.execute_query_dict(
            f"SELECT setval({sequence}, GREATEST(nextval({sequence}),"
            f' (SELECT COALESCE(MAX(id), 0) + 1 FROM "{name}")) + {count - 1}) AS last'
        )
        return int(rows[0]["last"]) - count + 1
    rows = await conn.execute_query_dict(f'SELECT COALESCE(MAX(id), 0) AS last FROM "{name}"')
    last = int(rows[0]["last"])
    if dialect == "sqlite" and await conn.execute_query_dict(
        "SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'"
    ):
        rows = await conn.execute_query_dict(
            "SELECT seq FROM sqlite_sequence WHERE name = ?", [name]
        )
        last = max([last, *(int(r["seq"]) for r in rows)])
    return last + 1


async def write(
    conn: BaseDBAsyncClient,
    plan: Plan,
    ids: Ids,
    known_tracks: dict[str, int],
    kept: Kept,
    password_hash: str,
    bar: Progress,
) -> None:
    uid, pid, tid = ids.user, ids.postcard, ids.track

    async def insert(model: type[M], rows: Sequence[R], build: Callable[[int, R], M]) -> None:
        task = bar.add_task(f"Writing {table(model)}", total=len(rows))
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start : start + CHUNK]
            objs = [build(start + i, row) for i, row in enumerate(chunk)]
            await model.bulk_create(objs, batch_size=CHUNK, using_db=conn)
            bar.advance(task, len(chunk))

    new_tracks = [(tid[i], t) for i, t in enumerate(plan.tracks) if t.key not in known_tracks]
    await insert(
        Track,
        sorted(new_tracks, key=lambda pair: pair[0]),
        lambda _, pair: Track(
            id=pair[0],
            title=pair[1].title,
            artist=pair[1].artist,
            album=pair[1].album,
            duration_ms=pair[1].duration_ms,
            artwork_url=pair[1].artwork_url,
            spotify_id=pair[1].spotify_id,
            dedupe_key=pair[1].key,
            song_key=song_key(pair[1].title, pair[1].artist),
            created_at=_at(pair[1].created),
        ),
    )
    await insert(
        User,
        plan.users,
        lambda i, u: User(
            id=uid + i,
            username=u.username,
            display_name=u.display_name,
            bio=u.bio,
            avatar=chosen(kept.avatars, u.avatar, u.avatar_alt),
            password_hash=password_hash,
            created_at=_at(u.created),
            follower_count=u.follower_count,
            following_count=u.following_count,
            postcard_count=u.postcard_count,
        ),
    )
    await insert(
        Follow,
        plan.follows,
        lambda i, f: Follow(
            id=ids.follow + i, follower_id=uid + f[0], followee_id=uid + f[1], created_at=_at(f[2])
        ),
    )
    await insert(
        Place,
        [(ids.place[i], plan.places[i]) for i in ids.new_places],
        lambda _, pair: Place(
            id=pair[0],
            name=pair[1].name,
            name_key=name_key(pair[1].name),
            latitude=pair[1].latitude,
            longitude=pair[1].longitude,
            foursquare_venue_id=pair[1].foursquare_id,
            postcard_count=pair[1].postcard_count,
        ),
    )
    inserted = set(ids.new_places)
    for i, place in enumerate(plan.places):  # places seeded before: their new moments
        if i not in inserted and place.postcard_count:
            await (
                Place.filter(id=ids.place[i])
                .using_db(conn)
                .update(postcard_count=F("postcard_count") + place.postcard_count)
            )
    await insert(
        Postcard,
        plan.postcards,
        lambda i, p: _postcard(pid + i, p, uid, tid, ids.place, plan, kept),
    )
    await insert(
        FeedEvent,
        plan.postcards,
        lambda i, p: FeedEvent(
            id=ids.feed_event + i,
            kind="POSTED",
            postcard_id=pid + i,
            author_id=uid + p.author,
            created_at=_at(p.created),
        ),
    )
    await insert(
        Like,
        plan.likes,
        lambda i, x: Like(
            id=ids.like + i, user_id=uid + x[0], postcard_id=pid + x[1], created_at=_at(x[2])
        ),
    )
    await insert(
        Comment,
        plan.comments,
        lambda i, c: Comment(
            id=ids.comment + i,
            postcard_id=pid + c[0],
            author_id=uid + c[1],
            body=c[2],
            created_at=_at(c[3]),
        ),
    )
    await insert(
        Playlist,
        plan.playlists,
        lambda i, p: Playlist(
            id=ids.playlist + i,
            owner_id=uid + p.owner,
            title=p.title,
            description=p.description,
            is_public=p.is_public,
            version=1 + p.item_count,  # one bump per added item
            item_count=p.item_count,
            created_at=_at(p.created),
        ),
    )
    await insert(
        PlaylistItem,
        plan.items,
        lambda i, x: PlaylistItem(
            id=ids.item + i,
            playlist_id=ids.playlist + x[0],
            position=x[1],
            track_id=tid[x[2]],
            postcard_id=None if x[3] is None else pid + x[3],
            added_by_id=uid + plan.playlists[x[0]].owner,
            added_at=_at(x[4]),
        ),
    )
    # bulk_create stamps auto_now fields with the current time whatever the object holds.
    if plan.postcards:
        last = pid + len(plan.postcards) - 1
        await conn.execute_query(
            f"UPDATE postcards SET updated_at = created_at WHERE id BETWEEN {pid} AND {last}"
        )
    if plan.playlists:
        first, last = ids.playlist, ids.playlist + len(plan.playlists) - 1
        await conn.execute_query(
            "UPDATE playlists SET updated_at = COALESCE((SELECT MAX(added_at) FROM"
            " playlist_items WHERE playlist_items.playlist_id = playlists.id), created_at)"
            f" WHERE id BETWEEN {first} AND {last}"
        )


def _postcard(
    id_: int, p: PostcardRow, uid: int, tid: list[int], place_ids: list[int], plan: Plan, kept: Kept
) -> Postcard:
    place = plan.places[p.place] if p.place is not None else None
    return Postcard(
        id=id_,
        author_id=uid + p.author,
        track_id=tid[p.track],
        caption=p.caption,
        photo=chosen(kept.photos, p.photo, p.photo_alt),
        photo_url=p.photo_url,
        photo_source=p.photo_source,
        place_id=place_ids[p.place] if p.place is not None else None,
        place_name=place.name if place else None,
        place_latitude=place.latitude if place else None,
        place_longitude=place.longitude if place else None,
        place_foursquare_id=place.foursquare_id if place else None,
        created_at=_at(p.created),
        like_count=p.like_count,
        comment_count=p.comment_count,
    )
