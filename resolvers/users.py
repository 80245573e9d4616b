"""Profiles, the follow graph and user search."""

from __future__ import annotations

from tortoise.expressions import F, Q
from tortoise.transactions import in_transaction

from models import Follow, FollowRequest, User
from resolvers import notifications, photos, safety, visibility
from resolvers import search as search_engine
from resolvers.errors import Code, Collector
from resolvers.pagination import Order, Page, keyset_page
from resolvers.postcards import FirstMoments
from resolvers.rows import create_once
from resolvers.sql import moments as moments_sql
from resolvers.sql.batches import fetch
from resolvers.sql.hydrate import select_all
from resolvers.sql.params import Params
from resolvers.validate import clean_text, clean_url, lookup_username
from subscriptions.events import Publish, publish_nothing

BY_USERNAME = Order("username", descending=False)
UNSET = object()


async def get(user_id: int) -> User:
    return await User.get(id=user_id)


async def by_username(username: str) -> User | None:
    name = lookup_username(username)
    if not name:
        return None
    params = Params(User)  # written out: a profile's first statement, on every visit
    found = await fetch(User, f"{select_all(User)} WHERE username = {params.add(name)}", params)
    return found[0] if found else None


async def by_username_with_moments(
    username: str, *, rows: int, viewer_id: int | None, comments: int
) -> User | None:
    """`by_username`, the member's newest `rows` moments read in the same statement
    (resolvers/sql/moments.py `member_with_moments`) and kept on the member as
    `first_moments` (`postcards.by_author` answers a first page of that many rows, for
    that viewer and those first comments, from them): a profile is one statement."""
    name = lookup_username(username)
    if not name:
        return None
    member, shared = await moments_sql.member_with_moments(name, viewer_id, rows, comments)
    if member is not None:
        object.__setattr__(member, "first_moments", FirstMoments(rows, viewer_id, comments, shared))
    return member


async def update_profile(
    viewer: User,
    *,
    display_name: str | None = None,
    bio: str | None = None,
    avatar_url: object = UNSET,
    avatar_upload: photos.UploadRef | object | None = UNSET,
    is_private: bool | None = None,
    media: photos.Media | None = None,
    publish: Publish = publish_nothing,
) -> User:
    """Change the given fields; `None` leaves a field as it is, except the avatar: an
    explicit null (or empty `avatar_url`) removes it. `avatar_upload` makes one of the
    viewer's uploads the avatar (square renditions), and uses the upload up. Going private
    keeps the followers; going public accepts every pending follow request."""
    errors = Collector()
    changes: dict[str, object] = {}
    if display_name is not None:
        changes["display_name"] = errors.check(
            clean_text, display_name, "displayName", min_len=1, max_len=100
        )
    if bio is not None:
        changes["bio"] = errors.check(clean_text, bio, "bio", max_len=500, multiline=True)
    if avatar_url is not UNSET and avatar_upload is not UNSET:
        errors.add(None, "Give avatarUrl or avatarUploadId, not both.", Code.INVALID)
    elif avatar_url is not UNSET:
        changes["avatar_url"] = errors.check(clean_url, avatar_url, "avatarUrl")
        changes["avatar"] = None
    elif avatar_upload is None:
        changes.update(avatar_url=None, avatar=None)
    errors.raise_if_any()
    if is_private is not None:
        changes["is_private"] = is_private
    upload = square = None
    if isinstance(avatar_upload, photos.UploadRef):
        upload = await photos.attachable(viewer.id, avatar_upload.id, ("avatarUploadId",))
        if media is None:
            raise RuntimeError("an avatar needs the media store")
        square = await photos.avatar_of(upload, media, "avatarUploadId")
    accepted = []
    if changes or upload:
        async with in_transaction() as conn:
            if is_private is False:  # (the viewer row may be seconds old: ask the table)
                accepted = await safety.go_public(conn, viewer)
            if upload is not None and square is not None and media is not None:
                avatar = await photos.keep_avatar(conn, square, media.store, upload.alt)
                changes.update(avatar_url=None, avatar=avatar)
                await photos.attach(conn, upload, ("avatarUploadId",))
            await User.filter(id=viewer.id).using_db(conn).update(**changes)
        viewer.update_from_dict(changes)
    for notification in accepted:
        await notifications.announce(notification, publish)
    if accepted:  # its follower count grew
        viewer = await User.get(id=viewer.id)
    return viewer


async def follow(
    viewer: User, user_id: int | None, publish: Publish = publish_nothing
) -> tuple[User, FollowRequest | None]:
    """Idempotent: following someone you already follow (or asked to) changes nothing. A
    private account is asked instead (the pending request is returned); a block either way
    refuses. After commit, the followed (or asked) member's notification (at most one per
    pair, ever)."""
    target = await safety.other_member(viewer, user_id, "follow")
    await safety.refuse_if_blocked(viewer.id, target.id, "userId", "follow this member")
    request = None
    async with in_transaction():
        if await Follow.exists(follower_id=viewer.id, followee_id=target.id):
            return target, None
        if target.is_private:
            request, notification = await safety.request_follow(viewer, target)
        else:
            if await create_once(Follow, follower_id=viewer.id, followee_id=target.id) is None:
                return target, None
            await User.filter(id=target.id).update(follower_count=F("follower_count") + 1)
            await User.filter(id=viewer.id).update(following_count=F("following_count") + 1)
            notification = await notifications.record_follow(viewer, target)
    await notifications.announce(notification, publish)
    return await User.get(id=target.id), request


async def unfollow(viewer: User, user_id: int | None) -> User:
    """Idempotent: unfollowing someone you do not follow changes nothing (a pending request
    is withdrawn with cancelFollowRequest)."""
    target = await safety.other_member(viewer, user_id, "follow")
    async with in_transaction() as conn:
        await safety.unfollow_rows(conn, viewer.id, target.id)
    return await User.get(id=target.id)


async def followers(
    user_id: int, viewer: User | None, first: int | None, after: str | None
) -> Page[Follow]:
    """Follow rows whose followee is the user, newest first (but members blocked either
    way with the viewer)."""
    rows = Follow.filter(Q(followee_id=user_id) & visibility.not_blocked(viewer, "follower_id"))
    return await keyset_page(rows, first=first, after=after)


async def following(
    user_id: int, viewer: User | None, first: int | None, after: str | None
) -> Page[Follow]:
    rows = Follow.filter(Q(follower_id=user_id) & visibility.not_blocked(viewer, "followee_id"))
    return await keyset_page(rows, first=first, after=after)


async def search(
    query: str, viewer: User | None, first: int | None, after: str | None
) -> Page[User]:
    """Members found by the query, best first (resolvers/search.py): but members blocked
    either way with the viewer, and suspended ones. An empty query lists every member,
    newest first."""
    return await search_engine.page(
        query, viewer, [search_engine.Kind.USER], first, after, everything_when_empty=True
    )
