"""What the share pages show (server/share/): a moment or a profile as anyone on the web sees
it, that is an anonymous viewer, under the rules of resolvers/visibility.py, whoever asks.

A moment is shown when its author is neither private nor suspended; a deleted or removed
moment is gone. A profile is shown unless its member is suspended; a private member's
profile comes without its moments (what an anonymous `user(username:)` shows). Each lookup
is one statement (a profile's moments, a second one)."""

from __future__ import annotations

from dataclasses import dataclass

from models import Postcard, Track, TrackProvider, User
from resolvers import tracks, users, visibility

# How many of a member's latest moments their profile page shows.
PROFILE_MOMENTS = 24
# The largest primary key a page looks up (BIGINT).
MAX_ID = 2**63 - 1


def moment_path(postcard_id: int) -> str:
    """A moment's share page, from the app's root: the primary key, short and stable."""
    return f"/m/{postcard_id}"


def profile_path(username: str) -> str:
    return f"/u/{username}"


def share_url(public_url: str, postcard_id: int) -> str:
    """The absolute URL of a moment's share page (`public_url`: PUBLIC_URL)."""
    return public_url + moment_path(postcard_id)


def profile_url(public_url: str, username: str) -> str:
    return public_url + profile_path(username)


# How a page names each service.
PROVIDER_NAMES = {
    TrackProvider.SPOTIFY: "Spotify",
    TrackProvider.APPLE_MUSIC: "Apple Music",
    TrackProvider.YOUTUBE: "YouTube",
    TrackProvider.DEEZER: "Deezer",
    TrackProvider.TIDAL: "Tidal",
    TrackProvider.SOUNDCLOUD: "SoundCloud",
    TrackProvider.BANDCAMP: "Bandcamp",
}


async def song_links(track: Track) -> list[tuple[str, str]]:
    """(service, URL) of each service that opens the song, as `Track.links` lists them
    (Spotify's first): one statement."""
    (links,) = await tracks.links_of([track.id])
    return [(PROVIDER_NAMES[link.provider], link.url) for link in links]


@dataclass(frozen=True, slots=True)
class Shared:
    """A moment looked up for the web: `postcard` (its author and track joined) when anyone
    may see it; otherwise None, with `private` telling a moment of a private account
    (oEmbed answers it 401) from one that does not exist, was deleted, or whose author is
    suspended."""

    postcard: Postcard | None
    private: bool = False


NOT_SHARED = Shared(None)


async def moment(postcard_id: int) -> Shared:
    """The moment `postcard_id` as an anonymous viewer may see it: one statement."""
    if not 0 < postcard_id <= MAX_ID:
        return NOT_SHARED
    row = await Postcard.filter(id=postcard_id).select_related("author", "track").first()
    if row is None:
        return NOT_SHARED
    author: User = row.author
    if visibility.sees_content(None, author, visibility.NONE):
        return Shared(row)
    return Shared(None, private=author.suspended_at is None and author.is_private)


@dataclass(frozen=True, slots=True)
class Profile:
    """A member's profile for the web; `moments` (newest first, their tracks joined) is None
    when the member is private: their moments are for their followers."""

    user: User
    moments: list[Postcard] | None


async def profile(username: str) -> Profile | None:
    """The member's profile and latest moments as an anonymous viewer sees them; None for
    no such member, or a suspended one. Two statements at most."""
    user = await users.by_username(username)
    if user is None or user.suspended_at is not None:
        return None
    if not visibility.sees_content(None, user, visibility.NONE):
        return Profile(user, None)
    latest = (
        Postcard.filter(author_id=user.id)
        .select_related("track")
        .order_by("-created_at", "-id")
        .limit(PROFILE_MOMENTS)
    )
    return Profile(user, list(await latest))
