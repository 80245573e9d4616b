"""What the generator makes: plain rows with local 0-based indices, and their sizes."""

from __future__ import annotations

from dataclasses import dataclass

from models import PhotoSource


@dataclass(frozen=True)
class SeedSizes:
    users: int = 200
    postcards: int = 2_000
    follows_per_user: int = 30  # mean; followees are drawn from a Zipf-like popularity
    likes_per_postcard: int = 5  # mean
    comments_per_postcard: int = 2  # mean
    playlists_per_user: float = 0.5
    items_per_playlist: int = 8  # mean
    tracks: int = 400  # catalogue size; fewer if an existing track has the same dedupe key
    photos: int = 20  # distinct pictures the moments share (server/seed/pictures.py)
    avatars: int = 12  # distinct pictures the members' avatars share
    # everyday places clustered around cities, beside the landmarks of data.PLACES; at
    # least one per 40 moments (2,500 for the bench's 100,000)
    places: int = 0


@dataclass(slots=True)
class UserRow:
    username: str
    first_name: str
    display_name: str
    bio: str
    created: int
    avatar: int | None = None  # a picture's index in the seed's avatars
    avatar_alt: bool = False  # whether the avatar has its description for alt text
    follower_count: int = 0
    following_count: int = 0
    postcard_count: int = 0


@dataclass(slots=True)
class TrackRow:
    title: str
    artist: str
    album: str | None
    duration_ms: int
    artwork_url: str | None
    spotify_id: str | None
    key: str
    created: int = 0


@dataclass(slots=True)
class PostcardRow:
    author: int
    track: int
    created: int
    caption: str = ""
    photo: int | None = None  # a picture's index in the seed's photos
    photo_alt: bool = False  # whether the photo has its description for alt text
    photo_source: PhotoSource | None = None
    photo_url: str | None = None  # where an imported photo came from
    place: int | None = None  # a place's index in the plan's places
    like_count: int = 0
    comment_count: int = 0


@dataclass(slots=True)
class PlaceRow:
    name: str
    latitude: float
    longitude: float
    foursquare_id: str | None
    postcard_count: int = 0


@dataclass(slots=True)
class PlaylistRow:
    owner: int
    created: int
    title: str = ""
    description: str = ""
    is_public: bool = True
    item_count: int = 0
    updated: int = 0


@dataclass(slots=True)
class Plan:
    users: list[UserRow]
    tracks: list[TrackRow]
    follows: list[tuple[int, int, int]]  # follower, followee, created
    postcards: list[PostcardRow]  # in created order, so ids follow time
    likes: list[tuple[int, int, int]]  # user, postcard, created
    comments: list[tuple[int, int, str, int]]  # postcard, author, body, created
    playlists: list[PlaylistRow]
    items: list[tuple[int, int, int, int | None, int]]  # playlist, position, track, postcard, at
    places: list[PlaceRow]
