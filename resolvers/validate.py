"""Input cleaning shared by every mutation: text, URLs, links and coordinates (a song's
links: resolvers/links.py)."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit

from resolvers.errors import Code, problem

USERNAME_RE = re.compile(r"^[a-z0-9_.]{3,30}$")
INSTAGRAM_PATH_RE = re.compile(r"^/(?:p|reel|reels)/[A-Za-z0-9_-]{5,40}/?$")
INSTAGRAM_HOSTS = {"instagram.com", "www.instagram.com"}
MAX_URL = 2048


def strip_controls(value: str, *, multiline: bool = False) -> str:
    """Drop control, format, surrogate and unassigned characters (category C), keeping
    newlines and tabs where allowed. NUL and lone surrogates would make PostgreSQL refuse
    the statement, so nothing a client typed reaches a query without passing here."""
    allowed = {"\n", "\t"} if multiline else set()
    return "".join(
        ch for ch in value if ch in allowed or not unicodedata.category(ch).startswith("C")
    )


def clean_text(
    value: str | None,
    field: str | tuple[str, ...],
    *,
    max_len: int,
    min_len: int = 0,
    multiline: bool = False,
) -> str:
    """Strip control characters (keeping newlines where allowed) and outer whitespace,
    then check the length in characters."""
    text = strip_controls(value or "", multiline=multiline)
    text = unicodedata.normalize("NFC", text).strip()
    if len(text) < min_len:
        if min_len == 1:
            raise problem(field, "Must not be empty.", Code.REQUIRED)
        raise problem(field, f"Must be at least {min_len} characters.", Code.TOO_SHORT)
    if len(text) > max_len:
        raise problem(field, f"Must be at most {max_len} characters.", Code.TOO_LONG)
    return text


def clean_lookup(value: str, *, max_len: int) -> str:
    """Text a client looks something up by (a username, a search): never refused, only
    cleaned, whitespace-collapsed and cut to `max_len` characters."""
    text = strip_controls(value[: max_len * 4])
    return " ".join(unicodedata.normalize("NFC", text).split())[:max_len]


def clean_optional_text(
    value: str | None, field: str | tuple[str, ...], *, max_len: int
) -> str | None:
    text = clean_text(value, field, max_len=max_len)
    return text or None


def clean_username(value: str, field: str = "username") -> str:
    name = clean_text(value, field, max_len=30).lower()
    if not USERNAME_RE.match(name):
        raise problem(
            field,
            "Use 3 to 30 characters: lowercase letters, digits, '_' and '.'.",
            Code.INVALID,
        )
    return name


def lookup_username(value: str) -> str | None:
    """The username a client looks a member up by (any case), or None when no username
    could look like it: longer ones would fail the column's length check in the query."""
    name = clean_lookup(value, max_len=64).lower()
    return name if USERNAME_RE.match(name) else None


def clean_url(value: str | None, field: str | tuple[str, ...]) -> str | None:
    """An absolute http(s) URL, or None when empty."""
    text = clean_text(value, field, max_len=MAX_URL)
    if not text:
        return None
    try:
        parts = urlsplit(text)
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise problem(field, "Must be an http(s) URL.", Code.INVALID)
    return text


def is_instagram(url: str) -> bool:
    """Whether the link is on Instagram (to tell an import's source when none is given)."""
    try:
        host = urlsplit(url.strip()).hostname
    except ValueError:
        return False
    return (host or "").lower() in INSTAGRAM_HOSTS


def instagram_url(value: str | None, field: str | tuple[str, ...]) -> str:
    """An Instagram post or reel link (instagram.com/p/<code> or /reel/<code>)."""
    url = clean_url(value, field)
    if url is None:
        raise problem(field, "An Instagram photo needs its post URL.", Code.REQUIRED)
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if host not in INSTAGRAM_HOSTS or not INSTAGRAM_PATH_RE.match(parts.path):
        raise problem(
            field,
            "Must be an Instagram post link like https://www.instagram.com/p/<code>/.",
            Code.UNSUPPORTED_LINK,
        )
    return url


def coordinate(value: float, field: str, limit: float) -> float:
    if value != value or not -limit <= value <= limit:  # NaN fails the first test
        raise problem(field, f"Must be between -{limit:g} and {limit:g}.", Code.OUT_OF_RANGE)
    return value


def normalize_key(text: str) -> str:
    return " ".join(text.casefold().split())


def song_key(title: str, artist: str) -> str:
    """The normalized title and artist: how the same song is told apart from others when
    nothing else names it (models/migrations/0009_track_links.py filled it in)."""
    return f"{normalize_key(title)}\x1f{normalize_key(artist)}"


def track_dedupe_key(
    title: str, artist: str, spotify_id: str | None, isrc: str | None = None
) -> str:
    """A new Track's unique key: its Spotify id when known, else its ISRC, else its
    normalized title and artist."""
    if spotify_id:
        return f"spotify:{spotify_id}"
    if isrc:
        return f"isrc:{isrc}"
    return song_key(title, artist)
