"""Who sees whose content: the one place the rules of blocks, mutes, private accounts and
suspensions are written (README, "Safety and privacy").

For a viewer V and a member X other than V:
- X's content (moments, playlists, followers, following, likes) is hidden from V when
  either has blocked the other, when X is suspended, or when X is private and V does not
  follow X. V's own content is always V's.
- X's moments and notifications also vanish from V's feed, explore and notifications
  while V mutes X (until the mute expires); X notices nothing.
- A profile itself (username, names, avatar, counts, isPrivate) stays visible, so that a
  client can show the right screen.

Lists apply the rules inside their one statement (`hidden_authors`, `Q` filters) so a page
costs no statement more; single objects ask `relations`, one statement for a batch."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tortoise.expressions import Q, Subquery
from tortoise.timezone import now

from models import Block, Follow, Mute, Postcard, User
from resolvers.errors import Code, InputError, not_found, problem
from resolvers.sql.hydrate import query_rows
from resolvers.sql.params import Params


@dataclass(frozen=True, slots=True)
class Relation:
    """The viewer's relation to one member."""

    blocks: bool = False  # the viewer blocks them
    blocked_by: bool = False  # they block the viewer
    follows: bool = False  # the viewer follows them
    mutes: bool = False  # the viewer mutes them (an unexpired mute)
    requested: bool = False  # the viewer asked to follow them (pending)

    @property
    def blocked(self) -> bool:
        """Either has blocked the other."""
        return self.blocks or self.blocked_by


NONE = Relation()


def sees_content(viewer_id: int | None, member: User, relation: Relation) -> bool:
    """Whether the viewer may see the member's moments and lists."""
    if viewer_id is not None and member.id == viewer_id:
        return True
    if relation.blocked or member.suspended_at is not None:
        return False
    return not member.is_private or relation.follows


async def relations(viewer_id: int | None, user_ids: Sequence[int]) -> list[Relation]:
    """The viewer's relation to each member, in order: one statement."""
    if viewer_id is None or not user_ids:
        return [NONE for _ in user_ids]
    params = Params(User)
    me, moment = params.add(viewer_id), params.time(now())
    bigint = "::bigint" if params.postgres else ""

    def exists(table: str, mine: str, theirs: str, extra: str = "") -> str:
        return (
            f"EXISTS (SELECT 1 FROM {table} x WHERE x.{mine} = {me}{bigint}"
            f" AND x.{theirs} = k.value{extra})"
        )

    unexpired = f" AND (x.expires_at IS NULL OR x.expires_at > {moment})"
    sql = (
        f"SELECT k.value AS id,"
        f" {exists('blocks', 'blocker_id', 'blocked_id')} AS blocks,"
        f" EXISTS (SELECT 1 FROM blocks x WHERE x.blocker_id = k.value"
        f" AND x.blocked_id = {me}{bigint}) AS blocked_by,"
        f" {exists('follows', 'follower_id', 'followee_id')} AS follows,"
        f" {exists('mutes', 'muter_id', 'muted_id', unexpired)} AS mutes,"
        f" {exists('follow_requests', 'requester_id', 'target_id')} AS requested"
        f" FROM {params.id_rows(user_ids)}"
    )
    found = {
        int(row["id"]): Relation(
            blocks=bool(row["blocks"]),
            blocked_by=bool(row["blocked_by"]),
            follows=bool(row["follows"]),
            mutes=bool(row["mutes"]),
            requested=bool(row["requested"]),
        )
        for row in await query_rows(User, sql, params.values)
    }
    return [found.get(int(user_id), NONE) for user_id in user_ids]


async def relation(viewer_id: int | None, user_id: int) -> Relation:
    return (await relations(viewer_id, [user_id]))[0]


# --- in list statements -------------------------------------------------------------------


def _q(name: str, value: Any) -> Q:
    """`Q(name=value)` for a field name made at run time."""
    return Q(**{name: value})


def blocked_ids(viewer_id: int) -> tuple[Subquery, Subquery]:
    """Members the viewer blocks, and members who block the viewer (as `__in` subqueries)."""
    blocking = Block.filter(blocker_id=viewer_id).values("blocked_id")
    blockers = Block.filter(blocked_id=viewer_id).values("blocker_id")
    return Subquery(blocking), Subquery(blockers)


def unexpired() -> Q:
    """Mutes in force now: without an expiry, or expiring later (to the second)."""
    return Q(expires_at=None) | Q(expires_at__gt=now())


def muted_ids(viewer_id: int) -> Subquery:
    """Members the viewer mutes now (as an `__in` subquery)."""
    return Subquery(Mute.filter(Q(muter_id=viewer_id) & unexpired()).values("muted_id"))


def shown(viewer: User | None, member: str, *, relation: str | None = None) -> Q:
    """A queryset filter: rows whose `member` (a user id field, e.g. "author_id") the viewer
    may see the content of. `relation` names the member's relation on the queryset (e.g.
    "author"), for its `is_private` and `suspended_at`."""
    prefix = f"{relation}__" if relation else ""
    condition = _q(f"{prefix}suspended_at", None)
    if viewer is None:
        return condition & _q(f"{prefix}is_private", False)
    followed = Subquery(Follow.filter(follower_id=viewer.id).values("followee_id"))
    public = _q(f"{prefix}is_private", False) | _q(f"{member}__in", followed)
    return _q(member, viewer.id) | (condition & public & not_blocked(viewer, member))


def not_muted(viewer: User | None, member: str) -> Q:
    if viewer is None:
        return Q()
    return ~_q(f"{member}__in", muted_ids(viewer.id))


def not_blocked(viewer: User | None, member: str) -> Q:
    """Rows whose `member` and the viewer have not blocked each other."""
    if viewer is None:
        return Q()
    blocking, blockers = blocked_ids(viewer.id)
    return ~_q(f"{member}__in", blocking) & ~_q(f"{member}__in", blockers)


async def reachable_postcard(viewer: User, postcard_id: int | None, field: str) -> Postcard:
    """A moment the viewer may act on (like, comment, collect): NOT_FOUND when it does not
    exist or is hidden from them (a private account they do not follow, a suspension),
    FORBIDDEN when either has blocked the other."""
    postcard = None
    if postcard_id is not None:
        postcard = await Postcard.get_or_none(id=postcard_id).select_related("author")
    if postcard is None:
        raise not_found(field, "postcard")
    refusal = await _refusal(viewer, postcard, field)
    if refusal is not None:
        raise refusal
    return postcard


async def may_act_on(viewer: User, postcard: Postcard) -> bool:
    """Whether `reachable_postcard` would hand the viewer this moment (its author loaded)."""
    return await _refusal(viewer, postcard, "postcardId") is None


async def _refusal(viewer: User, postcard: Postcard, field: str) -> InputError | None:
    if postcard.author_id == viewer.id:
        return None
    known = await relation(viewer.id, postcard.author_id)
    if known.blocked:
        message = "You cannot reach this moment: one of you has blocked the other."
        return problem(field, message, Code.FORBIDDEN)
    if not sees_content(viewer.id, postcard.author, known):
        return not_found(field, "postcard")
    return None


# --- in written-out statements ------------------------------------------------------------
# The same rules for hand-written statements (the feed's, nearby's, search's, the ranked
# lists'): conditions on a member's id column and the alias of their joined `users` row.
# Subqueries use aliases of their own (vf, vb, vm), which no outer statement uses.


def not_blocked_sql(me: str, member: str, account: str) -> str:
    """SQL: `member` (a user id column, `account` the alias of its users row) and the viewer
    (the placeholder `me`) have not blocked each other; a member in no block at all
    (`block_count` 0) needs no lookup."""
    return (
        f"({account}.block_count = 0 OR (NOT EXISTS (SELECT 1 FROM blocks vb"
        f" WHERE vb.blocker_id = {me} AND vb.blocked_id = {member})"
        f" AND NOT EXISTS (SELECT 1 FROM blocks vb"
        f" WHERE vb.blocker_id = {member} AND vb.blocked_id = {me})))"
    )


def shown_sql(
    viewer_id: int | None, params: Params, member: str, user: str, *, mutes: bool = True
) -> str:
    """`shown(viewer, member) & not_muted(viewer, member)` (what explore keeps): the viewer
    may see the content of `member` and does not mute them; the viewer's own content
    always. Without `mutes`, `shown(viewer, member)` alone (a muted member's likes are
    listed). The viewer's id goes into `params`."""
    public = f"{user}.suspended_at IS NULL"
    if viewer_id is None:
        return f"({public} AND NOT {user}.is_private)"
    me = params.add(int(viewer_id))
    followed = (
        f"EXISTS (SELECT 1 FROM follows vf WHERE vf.follower_id = {me}"
        f" AND vf.followee_id = {member})"
    )
    unmuted = ""
    if mutes:
        unmuted = (
            f" AND NOT EXISTS (SELECT 1 FROM mutes vm WHERE vm.muter_id = {me}"
            f" AND vm.muted_id = {member}"
            f" AND (vm.expires_at IS NULL OR vm.expires_at > {params.time(now())}))"
        )
    return (
        f"({member} = {me} OR ({public} AND (NOT {user}.is_private OR {followed})"
        f" AND {not_blocked_sql(me, member, user)}{unmuted}))"
    )


def profile_shown_sql(params: Params, viewer_id: int | None, account: str) -> str:
    """SQL: the member whose users row is `account` appears in lists of members for the
    viewer: not suspended, and no block either way (a private profile is listed)."""
    condition = f"{account}.suspended_at IS NULL"
    if viewer_id is None:
        return condition
    return f"{condition} AND {not_blocked_sql(params.add(viewer_id), f'{account}.id', account)}"
