"""Playlists: ordered items with Spotify-style moves and optimistic concurrency.

Every change locks the playlist row (PostgreSQL; SQLite serializes transactions anyway),
checks `expected_version`, and bumps `version`, so two clients editing at once never
interleave half-applied moves."""

from __future__ import annotations

from typing import TypeVar

from tortoise.expressions import F
from tortoise.transactions import in_transaction

from models import Playlist, PlaylistItem, Track, User
from resolvers import visibility
from resolvers.errors import Code, Collector, not_found, problem
from resolvers.pagination import NEWEST_FIRST, Order, Page, keyset_page
from resolvers.validate import clean_text

T = TypeVar("T")
MAX_ITEMS = 10_000
BY_POSITION = Order("position", descending=False)


def visible(playlist: Playlist | None, viewer: User | None) -> Playlist | None:
    """Private playlists exist only for their owner; to anyone else they are not there."""
    if playlist is None:
        return None
    if playlist.is_public or (viewer is not None and playlist.owner_id == viewer.id):
        return playlist
    return None


def _fields(
    title: str | None, description: str | None, is_public: bool | None, errors: Collector
) -> dict[str, object]:
    changes: dict[str, object] = {}
    if title is not None:
        changes["title"] = errors.check(clean_text, title, "title", min_len=1, max_len=100)
    if description is not None:
        changes["description"] = errors.check(
            clean_text, description, "description", max_len=1000, multiline=True
        )
    if is_public is not None:
        changes["is_public"] = is_public
    return changes


async def create(
    viewer: User, title: str, description: str | None, is_public: bool | None
) -> Playlist:
    errors = Collector()
    fields = _fields(title, description, is_public, errors)
    errors.raise_if_any()
    return await Playlist.create(owner_id=viewer.id, **fields)  # type: ignore[arg-type]


async def _locked_own(
    viewer: User, playlist_id: int | None, expected_version: int | None
) -> Playlist:
    """Call inside a transaction."""
    playlist = None
    if playlist_id is not None:
        playlist = await Playlist.select_for_update().get_or_none(id=playlist_id)
    if visible(playlist, viewer) is None:
        raise not_found("playlistId", "playlist")
    assert playlist is not None
    if playlist.owner_id != viewer.id:
        raise problem("playlistId", "Only the owner can change this playlist.", Code.FORBIDDEN)
    if expected_version is not None and expected_version != playlist.version:
        raise problem(
            "expectedVersion",
            f"The playlist changed: it is at version {playlist.version}, "
            f"not {expected_version}. Refetch it and try again.",
            Code.CONFLICT,
        )
    return playlist


async def _bump(playlist: Playlist, **changes: object) -> Playlist:
    playlist.update_from_dict({**changes, "version": playlist.version + 1})
    await playlist.save(update_fields=[*changes, "version", "updated_at"])
    return playlist


async def update(
    viewer: User,
    playlist_id: int | None,
    *,
    title: str | None,
    description: str | None,
    is_public: bool | None,
    expected_version: int | None,
) -> Playlist:
    errors = Collector()
    changes = _fields(title, description, is_public, errors)
    errors.raise_if_any()
    async with in_transaction():
        playlist = await _locked_own(viewer, playlist_id, expected_version)
        return await _bump(playlist, **changes)


async def delete(viewer: User, playlist_id: int | None, expected_version: int | None) -> int:
    async with in_transaction():
        playlist = await _locked_own(viewer, playlist_id, expected_version)
        await playlist.delete()
    return playlist.id


def _check_position(value: int, limit: int, field: str) -> None:
    if not 0 <= value <= limit:
        raise problem(field, f"Must be between 0 and {limit}.", Code.OUT_OF_RANGE)


async def add(
    viewer: User,
    playlist_id: int | None,
    *,
    postcard_id: int | None,
    track_id: int | None,
    postcard_given: bool,
    track_given: bool,
    position: int | None,
    expected_version: int | None,
) -> Playlist:
    """Insert a track (or a postcard's track, remembering the postcard) at `position`,
    default the end. `*_given` say which id the client sent (an unreadable id is None)."""
    if postcard_given == track_given:
        raise problem(None, "Give exactly one of postcardId and trackId.", Code.INVALID)
    async with in_transaction():
        playlist = await _locked_own(viewer, playlist_id, expected_version)
        if postcard_given:
            postcard = await visibility.reachable_postcard(viewer, postcard_id, "postcardId")
            track_id = postcard.track_id
        elif track_id is None or not await Track.exists(id=track_id):
            raise not_found("trackId", "track")
        if playlist.item_count >= MAX_ITEMS:
            raise problem(
                "playlistId", f"A playlist holds at most {MAX_ITEMS} items.", Code.INVALID
            )
        at = playlist.item_count if position is None else position
        _check_position(at, playlist.item_count, "position")
        await PlaylistItem.filter(playlist_id=playlist.id, position__gte=at).update(
            position=F("position") + 1
        )
        await PlaylistItem.create(
            playlist_id=playlist.id,
            position=at,
            track_id=track_id,
            postcard_id=postcard_id,
            added_by_id=viewer.id,
        )
        return await _bump(playlist, item_count=playlist.item_count + 1)


async def remove(
    viewer: User, playlist_id: int | None, item_id: int | None, expected_version: int | None
) -> Playlist:
    async with in_transaction():
        playlist = await _locked_own(viewer, playlist_id, expected_version)
        item = None
        if item_id is not None:
            item = await PlaylistItem.get_or_none(id=item_id, playlist_id=playlist.id)
        if item is None:
            raise not_found("itemId", "item in this playlist")
        await item.delete()
        await PlaylistItem.filter(playlist_id=playlist.id, position__gt=item.position).update(
            position=F("position") - 1
        )
        return await _bump(playlist, item_count=playlist.item_count - 1)


def is_no_op_move(range_start: int, insert_before: int, length: int) -> bool:
    """Inserting before the range's own first item, inside it, or right after it leaves
    the order as it is."""
    return range_start <= insert_before <= range_start + length


def moved_order(ids: list[T], range_start: int, insert_before: int, length: int) -> list[T]:
    """Spotify's reorder: move `length` items from `range_start` to before the item that
    was at `insert_before` (positions counted before the move; `len(ids)` means the end)."""
    if is_no_op_move(range_start, insert_before, length):
        return list(ids)
    block = ids[range_start : range_start + length]
    rest = ids[:range_start] + ids[range_start + length :]
    at = insert_before if insert_before < range_start else insert_before - length
    return rest[:at] + block + rest[at:]


def _check_range(count: int, range_start: int, insert_before: int, range_length: int) -> None:
    if count == 0:
        raise problem(
            "rangeStart", "The playlist is empty: there is nothing to move.", Code.OUT_OF_RANGE
        )
    errors = Collector()
    if not 0 <= range_start < count:
        errors.add("rangeStart", f"Must be between 0 and {count - 1}.", Code.OUT_OF_RANGE)
    if range_length < 1:
        errors.add("rangeLength", "Must be at least 1.", Code.OUT_OF_RANGE)
    elif 0 <= range_start < count and range_start + range_length > count:
        errors.add(
            "rangeLength",
            f"The range runs past the end: at most {count - range_start} items start at "
            f"position {range_start}.",
            Code.OUT_OF_RANGE,
        )
    errors.check(_check_position, insert_before, count, "insertBefore")
    errors.raise_if_any()


async def move(
    viewer: User,
    playlist_id: int | None,
    *,
    range_start: int,
    insert_before: int,
    range_length: int,
    expected_version: int | None,
) -> Playlist:
    async with in_transaction():
        playlist = await _locked_own(viewer, playlist_id, expected_version)
        _check_range(playlist.item_count, range_start, insert_before, range_length)
        if is_no_op_move(range_start, insert_before, range_length):
            return playlist  # already in place: nothing changes, the version stays
        # Only the items between the range and the insertion point move.
        low = min(range_start, insert_before)
        high = max(range_start + range_length, insert_before)
        window = await PlaylistItem.filter(
            playlist_id=playlist.id, position__gte=low, position__lt=high
        ).order_by("position")
        by_id = {item.id: item for item in window}
        order = moved_order(
            [item.id for item in window], range_start - low, insert_before - low, range_length
        )
        changed = []
        for offset, item_id in enumerate(order):
            item = by_id[item_id]
            if item.position != low + offset:
                item.position = low + offset
                changed.append(item)
        await PlaylistItem.bulk_update(changed, fields=["position"], batch_size=500)
        return await _bump(playlist)


async def items(playlist_id: int, first: int | None, after: str | None) -> Page[PlaylistItem]:
    return await keyset_page(
        PlaylistItem.filter(playlist_id=playlist_id), first=first, after=after, order=BY_POSITION
    )


async def by_owner(
    owner_id: int, viewer: User | None, first: int | None, after: str | None
) -> Page[Playlist]:
    rows = Playlist.filter(owner_id=owner_id)
    if viewer is None or viewer.id != owner_id:
        rows = rows.filter(is_public=True)
    return await keyset_page(rows, first=first, after=after, order=NEWEST_FIRST)
