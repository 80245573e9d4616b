"""A member's data, to take away (GDPR article 20): a signed, expiring link to it (`sign`,
`verify`) and the zip it downloads (`write_zip`): `data.json`, everything the member made
(README, "Leaving"), and `photos/<key>`, the renditions of their moments', avatar's and
uploads' photos, as stored.

A link is `<user id>.<expiry, epoch seconds>.<HMAC-SHA256>`, signed with SECRET_KEY over
the purpose, the id, the expiry and the member's username: it names one account, cannot be
stretched, and dies with the account (an id a database hands out again after a deletion
has another username, or the held one is not free yet). Memory stays bounded: the zip is
written to a temporary file that spills to disk, one photo at a time."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import tempfile
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import IO, Any

import orjson
from tortoise.queryset import QuerySet

from media.store import Store, is_key
from models import (
    Block,
    Comment,
    Follow,
    FollowRequest,
    Like,
    Mute,
    Notification,
    Playlist,
    PlaylistItem,
    Postcard,
    Report,
    Track,
    Upload,
    User,
)
from resolvers import tracks
from resolvers.links import Link

FORMAT = "soundpost-export"
VERSION = 1
# Zips up to this size stay in memory; larger ones are written to a temporary file.
IN_MEMORY = 8 * 1024 * 1024
GlobalId = Callable[[str, int], str]


def _now() -> float:
    """The clock a link's expiry is read against (tests move it)."""
    return time.time()


def _mac(key: bytes, user_id: int, expires: int, username: str) -> str:
    message = f"export\n{user_id}\n{expires}\n{username}".encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def sign(user: User, key: bytes, ttl: timedelta) -> tuple[str, datetime]:
    """A download token for the member's export, and when it expires."""
    expires = int(_now() + ttl.total_seconds())
    token = f"{user.id}.{expires}.{_mac(key, user.id, expires, user.username)}"
    return token, datetime.fromtimestamp(expires, UTC)


async def verify(token: str, key: bytes) -> User | None:
    """The member a token is for; None when it is malformed, expired, tampered with or
    signed for no current account (the caller cannot tell which: nothing is leaked)."""
    user_id, _, rest = token.partition(".")
    expires, _, mac = rest.partition(".")
    if not (_number(user_id, 19) and _number(expires, 12) and mac):
        return None
    if int(expires) <= _now():
        return None
    user = await User.get_or_none(id=int(user_id))
    if user is None:
        return None
    expected = _mac(key, user.id, int(expires), user.username)
    return user if hmac.compare_digest(expected.encode(), mac.encode()) else None


def _number(text: str, digits: int) -> bool:
    """ASCII digits only (str.isdigit takes other scripts' digits too), at most `digits`."""
    return 0 < len(text) <= digits and text.isascii() and text.isdigit()


# --- data.json ---------------------------------------------------------------------------


def _time(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value is not None else None


@dataclass
class _Files:
    """The photo files the zip will hold, by key, in the order first named."""

    keys: dict[str, None]

    def photo(self, photo: dict[str, Any] | None) -> dict[str, Any] | None:
        if photo is None:
            return None
        renditions = []
        for rendition in photo.get("renditions", ()):
            key = rendition.get("key")
            if is_key(key):
                self.keys[key] = None
            renditions.append(
                {
                    "width": rendition["width"],
                    "height": rendition["height"],
                    "file": f"photos/{key}",
                }
            )
        return {
            "width": photo.get("width"),
            "height": photo.get("height"),
            "blurhash": photo.get("blurhash"),
            "dominantColor": photo.get("dominant_color"),
            "alt": photo.get("alt"),
            "importedFrom": photo.get("imported_from"),
            "renditions": renditions,
        }


def _track(track: Track, links: dict[int, list[Link]]) -> dict[str, Any]:
    return {
        "title": track.title,
        "artist": track.artist,
        "album": track.album,
        "durationMs": track.duration_ms,
        "spotifyId": track.spotify_id,
        "isrc": track.isrc,
        "links": [{"provider": k.provider.value, "url": k.url} for k in links.get(track.id, [])],
        "artworkUrl": track.artwork_url,
    }


async def gather(user: User, global_id: GlobalId) -> tuple[dict[str, Any], list[str]]:
    """Everything the member made, as data.json holds it, and the keys of the photo files
    to go beside it. Ids are the API's global IDs; other members are named by username."""
    files = _Files({})
    uid = user.id
    made: dict[str, QuerySet[Any]] = {
        "moments": Postcard.filter(author_id=uid).select_related("track"),
        "comments": Comment.filter(author_id=uid),
        "likes": Like.filter(user_id=uid),
        "playlists": Playlist.filter(owner_id=uid),
        "items": PlaylistItem.filter(playlist__owner_id=uid).select_related("track"),
        "notifications": Notification.filter(recipient_id=uid).select_related("actor"),
        "reports": Report.filter(reporter_id=uid),
        "uploads": Upload.filter(owner_id=uid),
    }
    # the other member of each row, for their username
    made |= {
        "following": Follow.filter(follower_id=uid).select_related("followee"),
        "followers": Follow.filter(followee_id=uid).select_related("follower"),
        "requests": FollowRequest.filter(requester_id=uid).select_related("target"),
        "blocks": Block.filter(blocker_id=uid).select_related("blocked"),
        "mutes": Mute.filter(muter_id=uid).select_related("muted"),
    }
    rows = {name: await query.order_by("id") for name, query in made.items()}
    moments, comments, likes = rows["moments"], rows["comments"], rows["likes"]
    following, followers, requests = rows["following"], rows["followers"], rows["requests"]
    playlists, items, notifications = rows["playlists"], rows["items"], rows["notifications"]
    blocks, mutes = rows["blocks"], rows["mutes"]
    reports, uploads = rows["reports"], rows["uploads"]
    track_ids = sorted({m.track_id for m in moments} | {i.track_id for i in items})
    links = dict(zip(track_ids, await tracks.links_of(track_ids), strict=True))

    def moment_id(pk: int | None) -> str | None:
        return global_id("Postcard", pk) if pk is not None else None

    by_playlist: dict[int, list[PlaylistItem]] = {}
    for item in sorted(items, key=lambda i: (i.playlist_id, i.position)):
        by_playlist.setdefault(item.playlist_id, []).append(item)
    data = {
        "format": FORMAT,
        "version": VERSION,
        "exportedAt": _time(datetime.fromtimestamp(_now(), UTC)),
        "profile": {
            "id": global_id("User", user.id),
            "username": user.username,
            "displayName": user.display_name,
            "bio": user.bio,
            "avatarUrl": user.avatar_url,
            "avatar": files.photo(user.avatar),
            "isPrivate": user.is_private,
            "createdAt": _time(user.created_at),
        },
        "moments": [
            {
                "id": global_id("Postcard", m.id),
                "createdAt": _time(m.created_at),
                "updatedAt": _time(m.updated_at),
                "caption": m.caption,
                "track": _track(m.track, links),
                "place": None
                if m.place_name is None
                else {
                    "id": global_id("Place", m.place_id) if m.place_id else None,
                    "name": m.place_name,
                    "latitude": m.place_latitude,
                    "longitude": m.place_longitude,
                    "foursquareVenueId": m.place_foursquare_id,
                },
                "photoSource": m.photo_source.value if m.photo_source else None,
                "photoUrl": m.photo_url,
                "photo": files.photo(m.photo),
                "likeCount": m.like_count,
                "commentCount": m.comment_count,
            }
            for m in moments
        ],
        "comments": [
            {
                "id": global_id("Comment", c.id),
                "momentId": moment_id(c.postcard_id),
                "body": c.body,
                "createdAt": _time(c.created_at),
            }
            for c in comments
        ],
        "likes": [
            {"momentId": moment_id(x.postcard_id), "createdAt": _time(x.created_at)} for x in likes
        ],
        "following": [
            {"username": f.followee.username, "since": _time(f.created_at)} for f in following
        ],
        "followers": [
            {"username": f.follower.username, "since": _time(f.created_at)} for f in followers
        ],
        "followRequests": [
            {"username": r.target.username, "since": _time(r.created_at)} for r in requests
        ],
        "playlists": [
            {
                "id": global_id("Playlist", p.id),
                "title": p.title,
                "description": p.description,
                "isPublic": p.is_public,
                "createdAt": _time(p.created_at),
                "updatedAt": _time(p.updated_at),
                "items": [
                    {
                        "position": i.position,
                        "track": _track(i.track, links),
                        "momentId": moment_id(i.postcard_id),
                        "addedAt": _time(i.added_at),
                    }
                    for i in by_playlist.get(p.id, [])
                ],
            }
            for p in playlists
        ],
        "notifications": [
            {
                "id": global_id("Notification", n.id),
                "kind": n.kind.name,
                "actor": n.actor.username,
                "momentId": moment_id(n.postcard_id),
                "commentId": global_id("Comment", n.comment_id) if n.comment_id else None,
                "createdAt": _time(n.created_at),
                "readAt": _time(n.read_at),
            }
            for n in notifications
        ],
        "blocks": [{"username": b.blocked.username, "since": _time(b.created_at)} for b in blocks],
        "mutes": [
            {
                "username": m.muted.username,
                "since": _time(m.created_at),
                "until": _time(m.expires_at),
            }
            for m in mutes
        ],
        "reports": [
            {
                "subject": {"kind": r.subject_kind.value, "id": _subject_id(r, global_id)},
                "reason": r.reason.value,
                "note": r.note,
                "status": r.status.value,
                "createdAt": _time(r.created_at),
                "resolvedAt": _time(r.resolved_at),
            }
            for r in reports
        ],
        "uploads": [
            {
                "id": global_id("PhotoUpload", u.id),
                "createdAt": _time(u.created_at),
                "photo": files.photo(
                    {
                        "width": u.width,
                        "height": u.height,
                        "blurhash": u.blurhash,
                        "dominant_color": u.dominant_color,
                        "alt": u.alt,
                        "renditions": u.renditions,
                    }
                ),
            }
            for u in uploads
        ],
    }
    return data, list(files.keys)


SUBJECT_TYPES = {"USER": "User", "POSTCARD": "Postcard", "COMMENT": "Comment"}


def _subject_id(report: Report, global_id: GlobalId) -> str:
    return global_id(SUBJECT_TYPES[report.subject_kind.value], report.subject_id)


# --- the zip -----------------------------------------------------------------------------


async def write_zip(user: User, store: Store, global_id: GlobalId) -> IO[bytes]:
    """The member's export as a zip in a temporary file (rewound; the caller closes it):
    data.json, then each photo file still stored (a file the sweep took is left out)."""
    data, keys = await gather(user, global_id)
    out = tempfile.SpooledTemporaryFile(max_size=IN_MEMORY)
    try:
        archive = zipfile.ZipFile(out, "w")
        document = orjson.dumps(data, option=orjson.OPT_INDENT_2)
        await asyncio.to_thread(
            archive.writestr, "data.json", document, compress_type=zipfile.ZIP_DEFLATED
        )
        for key in keys:
            try:
                photo = await store.get(key)
            except KeyError:
                continue
            # JPEGs are compressed already: stored as they are
            await asyncio.to_thread(archive.writestr, f"photos/{key}", photo, zipfile.ZIP_STORED)
        await asyncio.to_thread(archive.close)
        out.seek(0)
    except BaseException:
        out.close()
        raise
    return out
