"""Tracks: resolving a postcard's track input to one deduplicated row, and track search."""

from __future__ import annotations

from dataclasses import dataclass

from models import Postcard, Track
from resolvers import search as search_engine
from resolvers.errors import Code, Collector, not_found, problem
from resolvers.pagination import Order, Page, keyset_page
from resolvers.rows import create_once
from resolvers.validate import (
    clean_optional_text,
    clean_text,
    clean_url,
    spotify_track_id,
    track_dedupe_key,
)

BY_TITLE = Order("title", descending=False)
MAX_DURATION_MS = 3 * 60 * 60 * 1000


@dataclass(frozen=True)
class TrackInput:
    """Either an existing `track_id`, or the song's metadata (title and artist required),
    optionally with a Spotify link."""

    track_id: int | None = None
    spotify: str | None = None
    title: str | None = None
    artist: str | None = None
    album: str | None = None
    duration_ms: int | None = None
    artwork_url: str | None = None
    track_id_given: bool = False


def _clean_metadata(data: TrackInput) -> dict[str, object]:
    errors = Collector()
    path = ("track",)
    spotify_id = (
        errors.check(spotify_track_id, data.spotify, (*path, "spotifyUrl"))
        if data.spotify
        else None
    )
    title = errors.check(clean_text, data.title, (*path, "title"), min_len=1, max_len=300)
    artist = errors.check(clean_text, data.artist, (*path, "artist"), min_len=1, max_len=300)
    album = errors.check(clean_optional_text, data.album, (*path, "album"), max_len=300)
    artwork = errors.check(clean_url, data.artwork_url, (*path, "artworkUrl"))
    if data.duration_ms is not None and not 0 < data.duration_ms <= MAX_DURATION_MS:
        errors.add((*path, "durationMs"), "Must be between 1 ms and 3 hours.", Code.OUT_OF_RANGE)
    errors.raise_if_any()
    return {
        "spotify_id": spotify_id,
        "title": title,
        "artist": artist,
        "album": album,
        "artwork_url": artwork,
        "duration_ms": data.duration_ms,
    }


def validate_track_input(data: TrackInput) -> dict[str, object] | int:
    """Check a track input without touching the database: an id, or clean metadata."""
    has_metadata = any(v is not None for v in (data.spotify, data.title, data.artist, data.album))
    if data.track_id_given:
        if has_metadata:
            raise problem(
                ("track",), "Give either trackId or the track's details, not both.", Code.INVALID
            )
        if data.track_id is None:
            raise not_found(("track", "trackId"), "track")
        return data.track_id
    if not has_metadata:
        raise problem(("track",), "Give a trackId or the track's details.", Code.REQUIRED)
    return _clean_metadata(data)


async def upsert(clean: dict[str, object] | int) -> Track:
    """The one Track for this input, creating it when new. Call inside a transaction."""
    if isinstance(clean, int):
        track = await Track.get_or_none(id=clean)
        if track is None:
            raise not_found(("track", "trackId"), "track")
        return track
    key = track_dedupe_key(str(clean["title"]), str(clean["artist"]), clean["spotify_id"])  # type: ignore[arg-type]
    existing = await Track.get_or_none(dedupe_key=key)
    if existing is not None:
        return existing
    # a concurrent insert of the same song may win the race: then take that one
    created = await create_once(Track, dedupe_key=key, **clean)
    return created or await Track.get(dedupe_key=key)


async def search(query: str, first: int | None, after: str | None) -> Page[Track]:
    """Tracks found by the query, best first (resolvers/search.py); an empty query lists
    every track, newest first."""
    return await search_engine.page(
        query, None, [search_engine.Kind.TRACK], first, after, everything_when_empty=True
    )


async def postcards(track_id: int, first: int | None, after: str | None) -> Page[Postcard]:
    query = Postcard.filter(track_id=track_id).select_related("author", "track")
    return await keyset_page(query, first=first, after=after)
