"""A song's link on a music service, read and put in its one canonical form; and ISRCs.

Pure: no database, no network. `parse` reads a link (or None: not a song on a service we
know); `song_link` is the same for an input field, refusing anything else as
UNSUPPORTED_LINK. What is accepted, and what it becomes (README, "Song links"):

- Spotify: `open.spotify.com[/intl-xx]/track/<22 base62>`, `spotify:track:<id>`
  -> `https://open.spotify.com/track/<id>`
- Apple Music: `music.apple.com/<cc>/album/<slug>/<albumId>?i=<trackId>` and
  `/<cc>/song/[<slug>/]<trackId>` (also `geo.music.apple.com`, as song.link answers)
  -> `https://music.apple.com/<cc>/song/<trackId>`
- YouTube: `youtube.com/watch?v=<id>`, `youtu.be/<id>`, `music.youtube.com/watch?v=<id>`
  -> `https://youtube.com/watch?v=<id>`
- Deezer: `deezer.com[/<lang>]/track/<id>` -> `https://deezer.com/track/<id>`
- Tidal: `tidal.com[/browse]/track/<id>`, `listen.tidal.com/track/<id>` (a share link's
  `/u` after the id too) -> `https://tidal.com/track/<id>`
- SoundCloud: `soundcloud.com/<user>/<slug>[/s-<secret>]`
  -> `https://soundcloud.com/<user>/<slug>[/s-<secret>]`
- Bandcamp: `<artist>.bandcamp.com/track/<slug>` -> `https://<artist>.bandcamp.com/track/<slug>`

http or https; hosts in any case, with or without `www.` or `m.`; a trailing slash, a
fragment and every query parameter but the one naming the song (`v`, `i`) dropped. Hosts
are compared whole, so `music.apple.com.evil.test` is nobody's. Albums, playlists, artist
pages, short links that need a lookup (`spotify.link`, `on.soundcloud.com`, `link.deezer.com`)
and every other host are refused."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from models import TrackProvider
from resolvers.errors import Code, problem
from resolvers.validate import MAX_URL, clean_text

MAX_LINK = 300  # the longest canonical link (TrackLink.url)
SPOTIFY_URI_RE = re.compile(r"^spotify:track:([0-9A-Za-z]{22})$")
SPOTIFY_PATH_RE = re.compile(r"^/(?:intl-[a-z]{2}(?:-[a-z]{2})?/)?track/([0-9A-Za-z]{22})$", re.I)
APPLE_ALBUM_RE = re.compile(r"^/([a-z]{2})/album/[^/]+/(\d{1,15})$", re.I)
APPLE_SONG_RE = re.compile(r"^/([a-z]{2})/song/(?:[^/]+/)?(\d{1,15})$", re.I)
DIGITS_RE = re.compile(r"^\d{1,15}$")
YOUTUBE_ID_RE = re.compile(r"^[A-Za-z0-9_-]{11}$")
DEEZER_PATH_RE = re.compile(r"^(?:/[a-z]{2}(?:-[a-z]{2})?)?/track/(\d{1,15})$", re.I)
TIDAL_PATH_RE = re.compile(r"^(?:/browse)?/track/(\d{1,15})(?:/u)?$", re.I)
LISTEN_TIDAL_PATH_RE = re.compile(r"^/track/(\d{1,15})(?:/u)?$", re.I)
NAME = r"[a-z0-9](?:[a-z0-9_-]{0,98}[a-z0-9_])?"
SOUNDCLOUD_PATH_RE = re.compile(rf"^/({NAME})/({NAME})(?:/(s-[A-Za-z0-9]{{1,40}}))?$", re.I)
BANDCAMP_HOST_RE = re.compile(r"^([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)\.bandcamp\.com$")
BANDCAMP_PATH_RE = re.compile(r"^/track/([a-z0-9](?:[a-z0-9-]{0,198}[a-z0-9])?)$", re.I)
# SoundCloud's own pages, not members: /discover, /you/likes, /charts/top ...
SOUNDCLOUD_PAGES = frozenset(
    {"discover", "search", "stream", "you", "upload", "charts", "pages", "settings", "tags",
     "people", "messages", "notifications", "terms-of-use", "mobile", "jobs", "imprint",
     "popular", "connect", "signin", "signup", "login", "logout", "feed", "home", "playlists"}
)  # fmt: skip
# A member's own lists, not a track: /<user>/sets, /<user>/likes ...
SOUNDCLOUD_LISTS = frozenset(
    {"sets", "tracks", "albums", "likes", "reposts", "followers", "following", "comments",
     "popular-tracks", "spotlight", "toptracks", "playlists", "stations"}
)  # fmt: skip
BANDCAMP_RESERVED = frozenset({"www", "m", "daily", "bandcamp", "blog", "merch", "help"})
ISRC_RE = re.compile(r"^([A-Z]{2})-?([A-Z0-9]{3})-?([0-9]{2})-?([0-9]{5})$")


@dataclass(frozen=True)
class Link:
    """A song on a service: `url` is its canonical link, `id` what names the song there
    (Spotify's 22-character id, Apple's track number, YouTube's video id ...)."""

    provider: TrackProvider
    url: str
    id: str


@dataclass(frozen=True)
class _Parts:
    host: str  # lower case, without www. or m.
    path: str  # without a trailing slash
    query: dict[str, list[str]]


def _parts(text: str) -> _Parts | None:
    try:
        split = urlsplit(text)
        host = (split.hostname or "").lower()
        split.port  # noqa: B018 - a port that is no number raises here
    except ValueError:
        return None
    if split.scheme.lower() not in ("http", "https") or split.username or split.password:
        return None
    for prefix in ("www.", "m."):
        host = host.removeprefix(prefix)
    path = split.path.rstrip("/") if split.path != "/" else ""
    return _Parts(host, path, parse_qs(split.query))


def _one(query: dict[str, list[str]], name: str) -> str | None:
    values = query.get(name)
    return values[0] if values and len(values) == 1 else None


def _spotify(parts: _Parts) -> Link | None:
    if parts.host != "open.spotify.com":
        return None
    match = SPOTIFY_PATH_RE.match(parts.path)
    return _spotify_link(match.group(1)) if match else None


def _spotify_link(spotify_id: str) -> Link:
    url = f"https://open.spotify.com/track/{spotify_id}"
    return Link(TrackProvider.SPOTIFY, url, spotify_id)


def _apple(parts: _Parts) -> Link | None:
    if parts.host not in ("music.apple.com", "geo.music.apple.com"):
        return None
    if match := APPLE_SONG_RE.match(parts.path):
        country, track = match.groups()
    elif match := APPLE_ALBUM_RE.match(parts.path):
        country, track = match.group(1), _one(parts.query, "i") or ""
        if not DIGITS_RE.match(track):
            return None  # an album, not one of its songs
    else:
        return None
    country = country.lower()
    return Link(TrackProvider.APPLE_MUSIC, f"https://music.apple.com/{country}/song/{track}", track)


def _youtube(parts: _Parts) -> Link | None:
    if parts.host in ("youtube.com", "music.youtube.com") and parts.path == "/watch":
        video = _one(parts.query, "v")
    elif parts.host == "youtu.be" and parts.path.count("/") == 1:
        video = parts.path[1:]
    else:
        return None
    if video is None or not YOUTUBE_ID_RE.match(video):
        return None
    return Link(TrackProvider.YOUTUBE, f"https://youtube.com/watch?v={video}", video)


def _numbered(provider: TrackProvider, host: str, match: re.Match[str] | None) -> Link | None:
    if match is None:
        return None
    number = match.group(1)
    return Link(provider, f"https://{host}/track/{number}", number)


def _deezer(parts: _Parts) -> Link | None:
    if parts.host != "deezer.com":
        return None
    return _numbered(TrackProvider.DEEZER, "deezer.com", DEEZER_PATH_RE.match(parts.path))


def _tidal(parts: _Parts) -> Link | None:
    if parts.host == "tidal.com":
        match = TIDAL_PATH_RE.match(parts.path)
    elif parts.host == "listen.tidal.com":
        match = LISTEN_TIDAL_PATH_RE.match(parts.path)
    else:
        return None
    return _numbered(TrackProvider.TIDAL, "tidal.com", match)


def _soundcloud(parts: _Parts) -> Link | None:
    if parts.host != "soundcloud.com":
        return None
    match = SOUNDCLOUD_PATH_RE.match(parts.path)
    if match is None:
        return None
    user, slug, secret = match.group(1).lower(), match.group(2).lower(), match.group(3)
    if user in SOUNDCLOUD_PAGES or slug in SOUNDCLOUD_LISTS:
        return None
    path = f"{user}/{slug}" + (f"/{secret}" if secret else "")
    return Link(TrackProvider.SOUNDCLOUD, f"https://soundcloud.com/{path}", path)


def _bandcamp(parts: _Parts) -> Link | None:
    host = BANDCAMP_HOST_RE.match(parts.host)
    path = BANDCAMP_PATH_RE.match(parts.path)
    if host is None or path is None or host.group(1) in BANDCAMP_RESERVED:
        return None
    name = f"{host.group(1)}.bandcamp.com/track/{path.group(1).lower()}"
    return Link(TrackProvider.BANDCAMP, f"https://{name}", name)


READERS: tuple[Callable[[_Parts], Link | None], ...] = (
    _spotify,
    _apple,
    _youtube,
    _deezer,
    _tidal,
    _soundcloud,
    _bandcamp,
)


def parse(text: str) -> Link | None:
    """The song `text` links to, in canonical form; None when it is not a song's link on a
    service above (surrounding whitespace is ignored)."""
    text = text.strip()
    if len(text) > MAX_URL:
        return None
    if match := SPOTIFY_URI_RE.match(text):
        return _spotify_link(match.group(1))
    parts = _parts(text)
    if parts is None:
        return None
    for read in READERS:
        if (link := read(parts)) is not None:
            return link if len(link.url) <= MAX_LINK else None
    return None


SUPPORTED = (
    "Must be a link to one song on Spotify, Apple Music, YouTube, Deezer, Tidal, SoundCloud "
    "or Bandcamp (not an album, a playlist or an artist)."
)


def song_link(value: str | None, field: str | tuple[str, ...]) -> Link:
    """The input's song link, or UNSUPPORTED_LINK (REQUIRED when empty)."""
    text = clean_text(value, field, max_len=MAX_URL)
    if not text:
        raise problem(field, "A song's link is needed here.", Code.REQUIRED)
    link = parse(text)
    if link is None:
        raise problem(field, SUPPORTED, Code.UNSUPPORTED_LINK)
    return link


def spotify_track_id(value: str, field: str | tuple[str, ...]) -> str:
    """The 22-character track id of a Spotify link (open.spotify.com URL, with or without
    `?si=` or an `intl-xx/` segment) or URI (`spotify:track:<id>`)."""
    link = parse(clean_text(value, field, max_len=MAX_URL))
    if link is None or link.provider is not TrackProvider.SPOTIFY:
        raise problem(
            field,
            "Must be a Spotify track link (https://open.spotify.com/track/<id>) "
            "or URI (spotify:track:<id>).",
            Code.UNSUPPORTED_LINK,
        )
    return link.id


def spotify_url(spotify_id: str) -> str:
    return _spotify_link(spotify_id).url


def clean_isrc(value: str | None, field: str | tuple[str, ...]) -> str | None:
    """An ISRC (`CC-XXX-YY-NNNNN`: country, registrant, year, designation; dashes optional,
    any case) as 12 upper-case characters without dashes; None when empty."""
    text = clean_text(value, field, max_len=20).upper()
    if not text:
        return None
    match = ISRC_RE.match(text)
    if match is None:
        raise problem(
            field,
            "Must be an ISRC: 12 characters, like USRC17607839 or US-RC1-76-07839.",
            Code.INVALID,
        )
    return "".join(match.groups())
