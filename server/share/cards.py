"""What a share page says about a moment or a profile: plain values for the templates, and
the OpenGraph and Twitter card tags link previews read (ogp.me, developer.x.com's cards).

Every URL in a tag is absolute, from PUBLIC_URL: a photo kept on local disk is served at
`/media/<key>` here, which a crawler could not resolve from the tag alone. Only photos kept
by this app are shown (their renditions are in the media store, which the pages' CSP
allows); a moment older than stored photos, or an avatar that is only a link, is shown
without its picture rather than loading one from a third party."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from media.store import Store
from models import Postcard, Track, User
from resolvers import photos, share

SITE = "Soundpost"
# The renditions each picture is shown at (resolvers/photos.py: 1080, 640, 320 for a
# moment, squares of 400, 200, 80 for an avatar).
PAGE_WIDTH = 1080
EMBED_WIDTH = 640
GRID_WIDTH = 320
AVATAR_SIDE = 200
AVATAR_CARD_SIDE = 400


@dataclass(frozen=True, slots=True)
class Picture:
    """One rendition of a stored photo: `src` as a page loads it (the store's URL),
    `absolute` for a card's tags."""

    src: str
    absolute: str
    width: int
    height: int
    alt: str


@dataclass(frozen=True, slots=True)
class Song:
    title: str
    artist: str
    album: str | None
    duration_seconds: int | None
    spotify_id: str | None
    links: list[tuple[str, str]]  # (provider, URL): the template's `song_links` block


@dataclass(frozen=True, slots=True)
class Author:
    username: str
    name: str  # the display name, else the username
    url: str


@dataclass(frozen=True, slots=True)
class MomentCard:
    id: int
    url: str  # the share page
    embed_url: str
    caption: str
    place: str | None
    author: Author
    song: Song
    picture: Picture | None  # at PAGE_WIDTH
    embed_picture: Picture | None  # at EMBED_WIDTH
    thumbnail: Picture | None  # at GRID_WIDTH
    renditions: list[Picture] = field(default_factory=list)  # every one, widest first

    @property
    def title(self) -> str:
        return f"{self.song.title} by {self.song.artist}"

    @property
    def description(self) -> str:
        return self.caption or f"A moment shared by @{self.author.username}"

    def meta(self) -> list[tuple[str, str, str]]:
        """The card's tags, in order: (attribute, name, content) of each `<meta>`."""
        tags = [
            ("property", "og:site_name", SITE),
            ("property", "og:type", "music.song"),
            ("property", "og:title", self.title),
            ("property", "og:description", self.description),
            ("property", "og:url", self.url),
            *picture_tags(self.picture),
            ("property", "music:musician", self.song.artist),
        ]
        if self.song.duration_seconds is not None:
            tags.append(("property", "music:duration", str(self.song.duration_seconds)))
        return tags + twitter_tags(self.title, self.description, self.picture, large=True)


@dataclass(frozen=True, slots=True)
class ProfileCard:
    url: str
    username: str
    name: str
    bio: str
    private: bool
    follower_count: int
    following_count: int
    postcard_count: int
    avatar: Picture | None  # the AVATAR_SIDE square
    card_avatar: Picture | None  # the AVATAR_CARD_SIDE square, for the tags
    moments: list[MomentCard] | None  # None when private

    @property
    def title(self) -> str:
        return f"{self.name} (@{self.username})"

    @property
    def description(self) -> str:
        return self.bio or f"Music moments shared by @{self.username} on {SITE}"

    def meta(self) -> list[tuple[str, str, str]]:
        return [
            ("property", "og:site_name", SITE),
            ("property", "og:type", "profile"),
            ("property", "og:title", self.title),
            ("property", "og:description", self.description),
            ("property", "og:url", self.url),
            *picture_tags(self.card_avatar),
            ("property", "profile:username", self.username),
            *twitter_tags(self.title, self.description, self.card_avatar, large=False),
        ]


def picture_tags(picture: Picture | None) -> list[tuple[str, str, str]]:
    if picture is None:
        return []
    return [
        ("property", "og:image", picture.absolute),
        ("property", "og:image:type", "image/jpeg"),
        ("property", "og:image:width", str(picture.width)),
        ("property", "og:image:height", str(picture.height)),
        ("property", "og:image:alt", picture.alt),
    ]


def twitter_tags(
    title: str, description: str, picture: Picture | None, *, large: bool
) -> list[tuple[str, str, str]]:
    """A large-image card when there is a picture to show large, else a summary card."""
    card = "summary_large_image" if large and picture is not None else "summary"
    tags = [
        ("name", "twitter:card", card),
        ("name", "twitter:title", title),
        ("name", "twitter:description", description),
    ]
    if picture is not None:
        tags.append(("name", "twitter:image", picture.absolute))
        tags.append(("name", "twitter:image:alt", picture.alt))
    return tags


class Cards:
    """Makes cards from rows: the public URL and the media store given."""

    def __init__(self, public_url: str, store: Store) -> None:
        self.public_url = public_url
        self.store = store

    def picture(self, stored: Mapping[str, Any] | None, width: int, alt: str) -> Picture | None:
        """The rendition `Photo.url(width:)` would give, described by its own alt text or
        else `alt`."""
        if not stored:
            return None
        return self.rendition(photos.rendition(stored, width), stored.get("alt") or alt)

    def rendition(self, rendition: Mapping[str, Any], alt: str) -> Picture:
        src = self.store.url(str(rendition["key"]))
        return Picture(
            src=src,
            # the app's own /media/<key> lives under PUBLIC_URL, path included
            absolute=self.public_url + src if src.startswith("/") else src,
            width=int(rendition["width"]),
            height=int(rendition["height"]),
            alt=alt,
        )

    def author(self, user: User) -> Author:
        return Author(
            username=user.username,
            name=user.display_name or user.username,
            url=share.profile_url(self.public_url, user.username),
        )

    def moment(
        self, row: Postcard, author: User, track: Track, links: list[tuple[str, str]] | None = None
    ) -> MomentCard:
        """`links`: the song's (service, URL) pairs, for the page that lists them."""
        stored: Mapping[str, Any] = row.photo or {}
        alt = stored.get("alt") or f"A photo shared by @{author.username}"
        url = share.share_url(self.public_url, row.id)
        return MomentCard(
            id=row.id,
            url=url,
            embed_url=f"{url}/embed",
            caption=row.caption,
            place=row.place_name or None,
            author=self.author(author),
            song=song(track, links or []),
            picture=self.picture(stored, PAGE_WIDTH, alt),
            embed_picture=self.picture(stored, EMBED_WIDTH, alt),
            thumbnail=self.picture(stored, GRID_WIDTH, alt),
            renditions=[self.rendition(each, alt) for each in stored.get("renditions", ())],
        )

    def profile(self, found: share.Profile) -> ProfileCard:
        user = found.user
        moments = None
        if found.moments is not None:
            moments = [self.moment(row, user, row.track) for row in found.moments]
        alt = f"The profile picture of @{user.username}"
        return ProfileCard(
            url=share.profile_url(self.public_url, user.username),
            username=user.username,
            name=user.display_name or user.username,
            bio=user.bio,
            private=user.is_private,
            follower_count=user.follower_count,
            following_count=user.following_count,
            postcard_count=user.postcard_count,
            avatar=self.picture(user.avatar, AVATAR_SIDE, alt),
            card_avatar=self.picture(user.avatar, AVATAR_CARD_SIDE, alt),
            moments=moments,
        )


def song(track: Track, links: list[tuple[str, str]]) -> Song:
    duration = track.duration_ms
    return Song(
        title=track.title,
        artist=track.artist,
        album=track.album,
        duration_seconds=round(duration / 1000) if duration else None,
        spotify_id=track.spotify_id,
        links=links,
    )
