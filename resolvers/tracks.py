"""Tracks: resolving a track input to one deduplicated row, a song's links on the music
services (accumulated on that row), and track search.

The same song is one Track whichever service it arrives through. A track input finds its
track by the first of: its Spotify id, its link (a link is one track's), its ISRC, then
its normalized title and artist (`song_key`) — but not a track whose Spotify id or ISRC
differs from the input's, which is another recording. What the input brings that the
track lacks is added to it: the Spotify id, the ISRC, the link. A link already on another
track stays there, and the input resolves to that track (the link names the song)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from models import Postcard, Track, TrackLink, TrackProvider
from resolvers import search as search_engine
from resolvers.errors import Code, Collector, not_found, problem
from resolvers.links import Link, clean_isrc, parse, song_link, spotify_track_id, spotify_url
from resolvers.pagination import Order, Page, keyset_page
from resolvers.rows import create_once
from resolvers.sql.batches import links_by_track
from resolvers.validate import (
    clean_optional_text,
    clean_text,
    clean_url,
    song_key,
    track_dedupe_key,
)

BY_TITLE = Order("title", descending=False)
MAX_DURATION_MS = 3 * 60 * 60 * 1000
# Links one track may carry (every service's together, Spotify's included): members add
# them, so a track cannot be buried under them.
MAX_LINKS = 20
# Tracks of the same title and artist looked at for one that fits the input.
CANDIDATES = 20


@dataclass(frozen=True)
class TrackInput:
    """Either an existing `track_id`, or the song's metadata (title and artist required),
    optionally with a Spotify link, a link on another service and an ISRC."""

    track_id: int | None = None
    spotify: str | None = None
    title: str | None = None
    artist: str | None = None
    album: str | None = None
    duration_ms: int | None = None
    artwork_url: str | None = None
    track_id_given: bool = False
    link: str | None = None
    isrc: str | None = None


@dataclass(frozen=True)
class Song:
    """A track input's details, clean: a new Track's columns and what names the song."""

    title: str
    artist: str
    album: str | None = None
    duration_ms: int | None = None
    artwork_url: str | None = None
    spotify_id: str | None = None
    isrc: str | None = None
    link: Link | None = None  # on a service other than Spotify

    def fits(self, track: Track) -> bool:
        """Whether `track` may be this song: no Spotify id or ISRC of its own that differs."""
        return not (
            (self.spotify_id and track.spotify_id and track.spotify_id != self.spotify_id)
            or (self.isrc and track.isrc and track.isrc != self.isrc)
        )

    def links(self) -> list[Link]:
        spotify = self.spotify_id and Link(
            TrackProvider.SPOTIFY, spotify_url(self.spotify_id), self.spotify_id
        )
        return [link for link in (spotify, self.link) if link]


@dataclass
class Placed:
    """The track an input resolved to, and the links it gained from the input."""

    track: Track
    gained: list[Link] = field(default_factory=list)


def _spotify_of(data: TrackInput, errors: Collector) -> tuple[str | None, Link | None]:
    """The input's Spotify id (spotifyUrl/spotifyUri, or a Spotify `link`) and its link on
    another service."""
    path = ("track",)
    spotify_id = (
        errors.check(spotify_track_id, data.spotify, (*path, "spotifyUrl"))
        if data.spotify
        else None
    )
    link = errors.check(song_link, data.link, (*path, "link")) if data.link is not None else None
    if link is None or link.provider is not TrackProvider.SPOTIFY:
        return spotify_id, link
    if spotify_id is not None and spotify_id != link.id:
        errors.add(path, "spotifyUrl and link name two Spotify tracks.", Code.INVALID)
    return link.id, None


def _clean_metadata(data: TrackInput) -> Song:
    errors = Collector()
    path = ("track",)
    spotify_id, link = _spotify_of(data, errors)
    isrc = errors.check(clean_isrc, data.isrc, (*path, "isrc"))
    title = errors.check(clean_text, data.title, (*path, "title"), min_len=1, max_len=300)
    artist = errors.check(clean_text, data.artist, (*path, "artist"), min_len=1, max_len=300)
    album = errors.check(clean_optional_text, data.album, (*path, "album"), max_len=300)
    artwork = errors.check(clean_url, data.artwork_url, (*path, "artworkUrl"))
    if data.duration_ms is not None and not 0 < data.duration_ms <= MAX_DURATION_MS:
        errors.add((*path, "durationMs"), "Must be between 1 ms and 3 hours.", Code.OUT_OF_RANGE)
    errors.raise_if_any()
    assert title is not None and artist is not None
    return Song(title, artist, album, data.duration_ms, artwork, spotify_id, isrc, link)


def validate_track_input(data: TrackInput) -> Song | int:
    """Check a track input without touching the database: an id, or clean metadata."""
    details = (data.spotify, data.link, data.isrc, data.title, data.artist, data.album)
    has_metadata = any(v is not None for v in details)
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


async def owner_of(link: Link) -> Track | None:
    """The track the link is on, if any."""
    if link.provider is TrackProvider.SPOTIFY:
        return await Track.get_or_none(spotify_id=link.id)
    row = await TrackLink.get_or_none(provider=link.provider, url=link.url)
    return await Track.get_or_none(id=row.track_id) if row is not None else None


async def _find(song: Song) -> Track | None:
    for link in song.links():
        if (owner := await owner_of(link)) is not None:
            return owner
    if song.isrc and (track := await Track.get_or_none(isrc=song.isrc)) is not None:
        return track
    same = Track.filter(song_key=song_key(song.title, song.artist)).order_by("id")
    return next((track for track in await same.limit(CANDIDATES) if song.fits(track)), None)


async def upsert(clean: Song | int) -> Placed:
    """The one Track for this input, created when new, with what the input brings that it
    lacked (see the module). Call inside a transaction."""
    if isinstance(clean, int):
        track = await Track.get_or_none(id=clean)
        if track is None:
            raise not_found(("track", "trackId"), "track")
        return Placed(track)
    track = await _find(clean)
    if track is None:
        key = track_dedupe_key(clean.title, clean.artist, clean.spotify_id, clean.isrc)
        # a concurrent insert of the same song may win the race: then take that one
        created = await create_once(
            Track,
            dedupe_key=key,
            song_key=song_key(clean.title, clean.artist),
            title=clean.title,
            artist=clean.artist,
            album=clean.album,
            duration_ms=clean.duration_ms,
            artwork_url=clean.artwork_url,
            spotify_id=clean.spotify_id,
            isrc=clean.isrc,
        )
        if created is None:
            return Placed(await _find(clean) or await Track.get(dedupe_key=key))
        track = created
        fresh = [link for link in clean.links() if link.provider is TrackProvider.SPOTIFY]
    else:
        fresh = []
    return Placed(
        track, fresh + await _attach(track, clean.links(), clean.isrc, only_missing=False)
    )


async def _set_once(track: Track, column: str, value: str) -> bool:
    """Give the track its Spotify id or ISRC, unless it has one or another track has this
    one (a unique column: the failed update runs in a savepoint)."""
    try:
        async with in_transaction():
            changed = await Track.filter(id=track.id, **{column: None}).update(**{column: value})
    except IntegrityError:
        return False
    if changed:
        setattr(track, column, value)
    return bool(changed)


async def _attach(
    track: Track, links: Sequence[Link], isrc: str | None, *, only_missing: bool
) -> list[Link]:
    """Add to the track those of `links` no track has yet (with `only_missing`, only on
    services it has no link on), at most MAX_LINKS in all, and `isrc` when it has none.
    The links added, in order."""
    gained: list[Link] = []
    if isrc and track.isrc is None:
        await _set_once(track, "isrc", isrc)
    if not links:
        return gained
    (have,) = await links_of([track.id])
    known = {(link.provider, link.url) for link in have}
    providers = {link.provider for link in have}
    for link in links:
        if (link.provider, link.url) in known or (only_missing and link.provider in providers):
            continue
        if len(have) + len(gained) >= MAX_LINKS:
            break
        if link.provider is TrackProvider.SPOTIFY:
            added = track.spotify_id is None and await _set_once(track, "spotify_id", link.id)
        else:
            values = {"track_id": track.id, "provider": link.provider, "url": link.url}
            added = await create_once(TrackLink, **values) is not None
        if added:
            gained.append(link)
            providers.add(link.provider)
    return gained


async def add_link(track_id: int | None, url: str) -> Placed:
    """addTrackLink: the link on the track. Adding one it has is a no-op; a link already on
    another track is left there, and that track is the answer (the link names that song);
    a second Spotify link is a CONFLICT (a track has one Spotify id)."""
    errors = Collector()
    link = errors.check(song_link, url, "url")
    if track_id is None:
        errors.add("trackId", "No track with this id.", Code.NOT_FOUND)
    errors.raise_if_any()
    assert link is not None
    async with in_transaction():
        track = await Track.get_or_none(id=track_id)
        if track is None:
            raise not_found("trackId", "track")
        owner = await owner_of(link)
        if owner is not None:
            return Placed(owner)
        if link.provider is TrackProvider.SPOTIFY and track.spotify_id is not None:
            raise problem(
                "url",
                f"This track has its Spotify link already: {spotify_url(track.spotify_id)}.",
                Code.CONFLICT,
            )
        gained = await _attach(track, [link], None, only_missing=False)
        if gained:
            return Placed(track, gained)
    # not added: the track is full, or a concurrent request put the link somewhere
    owner = await owner_of(link)
    if owner is not None:
        return Placed(owner)
    raise problem("url", f"A track has at most {MAX_LINKS} links.", Code.LIMIT_REACHED)


async def fill(track_id: int, links: Sequence[Link], isrc: str | None) -> list[Link]:
    """What a link resolver found for the track (resolvers/link_resolver.py): its links on
    the services it has none on yet, and its ISRC if it has none. A link on another track
    stays there. The links added."""
    async with in_transaction():
        track = await Track.get_or_none(id=track_id)
        if track is None:  # gone meanwhile
            return []
        return await _attach(track, links, isrc, only_missing=True)


async def links_of(track_ids: Sequence[int]) -> list[list[Link]]:
    """Each track's links, in key order: Spotify's first, then by service (in
    TrackProvider's order) and age. One statement, whatever the number of tracks."""
    if not track_ids:
        return []
    rank = {provider: number for number, provider in enumerate(TrackProvider)}
    spotify: dict[int, str] = {}
    stored: dict[int, list[tuple[int, int, Link]]] = {}
    for track_id, spotify_id, link_id, provider, url in await links_by_track(track_ids):
        if spotify_id:
            spotify[track_id] = spotify_id
        if link_id is not None and provider and url:
            kind = TrackProvider(provider)
            link = parse(url) or Link(kind, url, url)
            stored.setdefault(track_id, []).append((rank[kind], link_id, link))
    listed: list[list[Link]] = []
    for key in track_ids:
        links = [link for _, _, link in sorted(stored.get(key, []), key=lambda e: e[:2])]
        if spotify_id := spotify.get(key):
            links.insert(0, Link(TrackProvider.SPOTIFY, spotify_url(spotify_id), spotify_id))
        listed.append(links)
    return listed


async def search(query: str, first: int | None, after: str | None) -> Page[Track]:
    """Tracks found by the query, best first (resolvers/search.py); an empty query lists
    every track, newest first."""
    return await search_engine.page(
        query, None, [search_engine.Kind.TRACK], first, after, everything_when_empty=True
    )


async def postcards(track_id: int, first: int | None, after: str | None) -> Page[Postcard]:
    query = Postcard.filter(track_id=track_id).select_related("author", "track")
    return await keyset_page(query, first=first, after=after)
