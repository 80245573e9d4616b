"""Charts of songs (README, "Charts"): the tracks shared by the most distinct members in a
window (the last day, week or month), among everyone or among the people the viewer
follows. Only moments the viewer may see count, by the rules of explore (blocks either way,
private accounts they do not follow, suspensions, members they mute), so a chart never
counts a share the viewer could not find; its sample sharers are members who count.

Rank is the competition rank: 1 + the number of tracks with more sharers ("1, 2, 2, 4");
tracks with as many sharers come in the order they first came to Soundpost (track id).
A chart is computed when asked (one statement a page), so it may move between two pages."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from tortoise.timezone import now

from models import Postcard, Track, User
from resolvers import visibility
from resolvers.pagination import BadCursor, Cursors, Page, check_first, decode_cursor
from resolvers.sql.hydrate import Joined, aliased, query_rows
from resolvers.sql.params import Params

MAX_SAMPLE = 10


class Window(StrEnum):
    DAY = "DAY"
    WEEK = "WEEK"
    MONTH = "MONTH"

    @property
    def span(self) -> timedelta:
        return {"DAY": timedelta(days=1), "WEEK": timedelta(days=7)}.get(
            self.value, timedelta(days=30)
        )


class Scope(StrEnum):
    EVERYONE = "EVERYONE"
    FRIENDS = "FRIENDS"


@dataclass(frozen=True)
class Chart:
    """What a chart's moments are: the window, the scope, whose eyes (FRIENDS needs a
    viewer)."""

    viewer: User | None
    window: Window
    scope: Scope

    def moments(self, params: Params, alias: str, user: str) -> str:
        """The condition on moments `alias` (their author's `users` row `user`) that count."""
        since = params.time(now() - self.window.span)
        condition = f"{alias}.created_at > {since}"
        viewer_id = self.viewer.id if self.viewer else None
        shown = visibility.shown_sql(viewer_id, params, f"{alias}.author_id", user)
        condition += f" AND {shown}"
        if self.scope is Scope.FRIENDS:
            assert self.viewer is not None
            condition += (
                f" AND {alias}.author_id IN (SELECT f.followee_id FROM follows f"
                f" WHERE f.follower_id = {params.add(int(self.viewer.id))})"
            )
        return condition


@dataclass(frozen=True)
class Entry:
    """A track at its place in a chart."""

    track: Track
    rank: int
    sharers: int

    @property
    def id(self) -> int:
        return int(self.track.id)


def _cursor_of(after: str) -> tuple[int, int]:
    sharers, track_id = decode_cursor(after, is_time=False)
    if isinstance(sharers, bool) or not isinstance(sharers, int):
        raise BadCursor("`after` is not a valid cursor for this list.")
    return sharers, track_id


async def top_tracks(chart: Chart, first: int | None, after: str | None) -> Page[Entry]:
    """A page of the chart: tracks by distinct sharers, most first, then by track id."""
    size = check_first(first)
    params = Params(Postcard)
    later = ""
    if after:
        sharers, track_id = _cursor_of(after)
        more, same, beyond = params.add(sharers), params.add(sharers), params.add(track_id)
        later = f" WHERE r.sharers < {more} OR (r.sharers = {same} AND r.track_id > {beyond})"
    sql = (
        f"WITH counted AS (SELECT p.track_id, count(DISTINCT p.author_id) AS sharers"
        f" FROM postcards p JOIN users u ON u.id = p.author_id"
        f" WHERE {chart.moments(params, 'p', 'u')} GROUP BY p.track_id),"
        f" ranked AS (SELECT c.track_id, c.sharers,"
        f" rank() OVER (ORDER BY c.sharers DESC) AS chart_rank FROM counted c)"
        f" SELECT {aliased(Track, 't')}, r.sharers AS sharers, r.chart_rank AS chart_rank"
        f" FROM ranked r JOIN tracks t ON t.id = r.track_id{later}"
        f" ORDER BY r.sharers DESC, r.track_id LIMIT {params.add(size + 1)}"
    )
    found = await query_rows(Postcard, sql, params.values)
    made = Joined(found)
    entries = [
        Entry(
            track=made.make(Track, "t", row),
            rank=int(made.value(row, "chart_rank")),
            sharers=int(made.value(row, "sharers")),
        )
        for row in found
    ]
    kept = entries[:size]
    return Page(
        rows=kept,
        cursors=Cursors([(entry.sharers, entry.id) for entry in kept]),
        has_next=len(entries) > size,
        has_previous=bool(after),
    )


async def sample_sharers(chart: Chart, keys: Sequence[tuple[int, int]]) -> list[list[User]]:
    """For each (track id, n): the chart's n latest sharers of the track (members who
    count in it), latest first. One statement for every key."""
    if not keys:
        return []
    most = min(max(n for _, n in keys), MAX_SAMPLE)
    params = Params(User)
    tracks = params.ids("p.track_id", [track_id for track_id, _ in keys])
    sql = (
        f"SELECT x.track_id AS track_id, {aliased(User, 'u')} FROM (SELECT p.track_id,"
        f" p.author_id, row_number() OVER (PARTITION BY p.track_id"
        f" ORDER BY max(p.created_at) DESC, p.author_id) AS nth"
        f" FROM postcards p JOIN users w ON w.id = p.author_id"
        f" WHERE {tracks} AND {chart.moments(params, 'p', 'w')}"
        f" GROUP BY p.track_id, p.author_id) x JOIN users u ON u.id = x.author_id"
        f" WHERE x.nth <= {params.add(most)} ORDER BY x.track_id, x.nth"
    )
    found = await query_rows(User, sql, params.values)
    made = Joined(found)
    by_track: dict[int, list[User]] = {}
    for row in found:
        by_track.setdefault(int(made.value(row, "track_id")), []).append(made.make(User, "u", row))
    return [by_track.get(track_id, [])[: max(n, 0)] for track_id, n in keys]


async def share_counts(track_ids: Sequence[int]) -> list[int]:
    """How many distinct members shared each track, of every moment there is (like
    `likeCount`, a count whoever the sharers are), from the (track_id, author_id, …) index."""
    if not track_ids:
        return []
    params = Params(Postcard)
    sql = (
        f"SELECT p.track_id AS track_id, count(DISTINCT p.author_id) AS n FROM postcards p"
        f" WHERE {params.ids('p.track_id', track_ids)} GROUP BY p.track_id"
    )
    counts = {
        int(row["track_id"]): int(row["n"])
        for row in await query_rows(Postcard, sql, params.values)
    }
    return [counts.get(int(track_id), 0) for track_id in track_ids]
