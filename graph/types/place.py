"""Places (README, "Places and nearby"): a Place node, and the connection of places near a
point, whose edges carry their distance."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated

import strawberry

import models
from graph.context import Info
from graph.relay import After, Connection, First, Node, PageInfo, to_global_id
from graph.types.user import loaded
from resolvers import places
from resolvers.pagination import Page

if TYPE_CHECKING:
    from graph.types.postcard import Postcard

LazyPostcard = Annotated["Postcard", strawberry.lazy("graph.types.postcard")]


@strawberry.type(
    description="Where moments happen: one Place per venue. Moments with the same Foursquare "
    "venue id are one place, wherever they say they are; without one, moments whose place "
    "names match (ignoring case, accents, punctuation and spaces) within 100 m of where the "
    "place was first shared are one place."
)
class Place(Node):
    pk: strawberry.Private[int]
    # the places row when read (a nearby list, node(id:)); a moment's copy has none
    row: strawberry.Private[models.Place | None]
    name: str = strawberry.field(description="Name of the place, as first shared.")
    latitude: float | None = strawberry.field(description="Latitude, -90 to 90.")
    longitude: float | None = strawberry.field(description="Longitude, -180 to 180.")
    foursquare_venue_id: str | None = strawberry.field(description="Foursquare venue id.")

    @classmethod
    def from_row(cls, row: models.Place) -> Place:
        return cls(
            id=to_global_id("Place", row.id),
            pk=row.id,
            row=row,
            name=row.name,
            latitude=row.latitude,
            longitude=row.longitude,
            foursquare_venue_id=row.foursquare_venue_id,
        )

    @classmethod
    def of_postcard(cls, row: models.Postcard) -> Place | None:
        """A moment's place, from the moment's own copy of it (no join)."""
        if row.place_id is None or row.place_name is None:
            return None
        return cls(
            id=to_global_id("Place", row.place_id),
            pk=row.place_id,
            row=None,
            name=row.place_name,
            latitude=row.place_latitude,
            longitude=row.place_longitude,
            foursquare_venue_id=row.place_foursquare_id,
        )

    @strawberry.field(
        description="How many moments were shared here, whoever shared them (like likeCount: "
        "`postcards` lists only those you may see, so it may hold fewer)."
    )
    def postcard_count(self, info: Info) -> int:
        if self.row is not None:
            return self.row.postcard_count
        loader = info.context.loaders.place_by_id
        found = loaded(loader, self.pk)
        if found is not None:
            return found.postcard_count
        return self._count(info)  # type: ignore[return-value]

    async def _count(self, info: Info) -> int:
        found = await info.context.loaders.place_by_id.load(self.pk)
        return found.postcard_count if found is not None else 0

    @strawberry.field(
        description="Moments shared here, newest first (but those hidden from you, as in explore)."
    )
    async def postcards(
        self, info: Info, first: First = None, after: After = None
    ) -> Connection[LazyPostcard]:
        from graph.types.postcard import postcards_connection

        page = await places.postcards_at(info.context.viewer, self.pk, first, after)
        return postcards_connection(info, page)


@strawberry.type(description="A place near the point asked about, with its cursor.")
class PlaceEdge:
    cursors: strawberry.Private[Sequence[str]]
    index: strawberry.Private[int]
    node: Place = strawberry.field(description="The place.")
    distance_meters: float = strawberry.field(
        description="Great-circle distance from the point asked about, in metres (on a "
        "sphere of radius 6,378,168 m, as PostgreSQL's earthdistance measures)."
    )

    @strawberry.field(description="Opaque position of this place in its list.")
    def cursor(self) -> str:
        return self.cursors[self.index]


@strawberry.type(description="A page of places, nearest first.")
class PlaceConnection:
    edges: list[PlaceEdge] = strawberry.field(description="The places of this page.")
    page_info: PageInfo = strawberry.field(description="Cursors and whether more pages exist.")


def places_connection(page: Page[places.NearPlace]) -> PlaceConnection:
    cursors = page.cursors
    return PlaceConnection(
        edges=[
            PlaceEdge(
                cursors=cursors,
                index=i,
                node=Place.from_row(near.place),
                distance_meters=near.distance_m,
            )
            for i, near in enumerate(page.rows)
        ],
        page_info=PageInfo(
            has_next_page=page.has_next, has_previous_page=page.has_previous, cursors=cursors
        ),
    )
