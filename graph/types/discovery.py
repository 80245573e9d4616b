"""Discovery beyond one's friends (README, "Discovery"): the ranked feed's order, and the
charts of songs."""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum
from functools import partial
from typing import Annotated

import strawberry

import models
from graph import compat
from graph.loaders import SharedLoader
from graph.relay import PageInfo
from graph.types.track import Track
from graph.types.user import User
from resolvers import charts, ranked_feed
from resolvers.pagination import BadPageSize, Page

RANKED_DESCRIPTION = (
    "The last 72 hours of your feed, best first by score x affinity: score = (likes + 2 * "
    "comments) / (age in hours + 2)^1.8, counting other members' likes and comments than the "
    "author's; affinity = 1 + ln(1 + n), n = how many likes and comments you gave the "
    "author's moments in the last 30 days. Ties newest first; no author more than "
    f"{ranked_feed.IN_A_ROW} times in a row while another's moment is left. The order is "
    "a snapshot your cursors pin (no repeat, no gap while you page), made again by a first "
    "page a minute later."
)


@strawberry.enum(description="The order of the feed.")
class FeedOrder(Enum):
    CHRONOLOGICAL = strawberry.enum_value(
        "CHRONOLOGICAL", description="Newest first, everything (the default)."
    )
    RANKED = strawberry.enum_value("RANKED", description=RANKED_DESCRIPTION)


ChartWindow = compat.describe_values(
    strawberry.enum(
        charts.Window, name="ChartWindow", description="How far back a chart counts shares."
    ),
    {
        "DAY": "The last 24 hours.",
        "WEEK": "The last 7 days.",
        "MONTH": "The last 30 days.",
    },
)
ChartScope = compat.describe_values(
    strawberry.enum(charts.Scope, name="ChartScope", description="Whose shares a chart counts."),
    {
        "EVERYONE": "Every member's moments you may see.",
        "FRIENDS": "The moments of the people you follow (not yours). Needs a token.",
    },
)


@strawberry.type(description="A song at its place in a chart, with its cursor.")
class TrackChartEdge:
    cursors: strawberry.Private[Sequence[str]]
    index: strawberry.Private[int]
    samples: strawberry.Private[SharedLoader[tuple[int, int], list[models.User]]]
    node: Track = strawberry.field(description="The song.")
    rank: int = strawberry.field(
        description="1 + the number of songs with more sharers: songs shared by as many "
        "members have the same rank (1, 2, 2, 4)."
    )
    sharers: int = strawberry.field(
        description="How many distinct members shared it in the window (moments you may see)."
    )

    @strawberry.field(description="Opaque position of this song in the chart.")
    def cursor(self) -> str:
        return self.cursors[self.index]

    @strawberry.field(
        description="Some of the members counted in `sharers`, who shared it latest first."
    )
    async def sample_sharers(
        self,
        first: Annotated[
            int,
            strawberry.argument(description=f"How many: 0 to {charts.MAX_SAMPLE}, default 3."),
        ] = 3,
    ) -> list[User]:
        if not 0 <= first <= charts.MAX_SAMPLE:
            raise BadPageSize(f"`first` must be between 0 and {charts.MAX_SAMPLE}, got {first}.")
        rows = await self.samples.load((self.node.row.id, first))
        return [User.from_row(row) for row in rows]


@strawberry.type(description="A page of a chart of songs, the most shared first.")
class TrackChartConnection:
    edges: list[TrackChartEdge] = strawberry.field(description="The songs of this page.")
    page_info: PageInfo = strawberry.field(description="Cursors and whether more pages exist.")


def chart_connection(chart: charts.Chart, page: Page[charts.Entry]) -> TrackChartConnection:
    """A page of a chart; the sample sharers of all its songs load in one batch."""
    samples = SharedLoader(partial(charts.sample_sharers, chart))
    cursors = page.cursors
    return TrackChartConnection(
        edges=[
            TrackChartEdge(
                cursors=cursors,
                index=i,
                samples=samples,
                node=Track.from_row(entry.track),
                rank=entry.rank,
                sharers=entry.sharers,
            )
            for i, entry in enumerate(page.rows)
        ],
        page_info=PageInfo(
            has_next_page=page.has_next, has_previous_page=page.has_previous, cursors=cursors
        ),
    )
