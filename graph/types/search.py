"""Search results: a union of the kinds `search` finds (resolvers/search.py)."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry

import models
from graph import compat
from graph.types.place import Place
from graph.types.postcard import Postcard
from graph.types.track import Track
from graph.types.user import User
from resolvers.search import Kind

SearchType = compat.describe_values(
    strawberry.enum(Kind, name="SearchType", description="A kind of thing `search` finds."),
    {
        "USER": "Members, by username and display name.",
        "TRACK": "Tracks, by title, artist and album.",
        "POSTCARD": "Moments, by caption and place name.",
        "PLACE": "Places, by name (those where you may see a moment).",
    },
)

SearchResult = Annotated[
    User | Track | Postcard | Place,
    strawberry.union(
        "SearchResult", description="What `search` found: a member, a track, a moment or a place."
    ),
]


def search_result(row: Any) -> User | Track | Postcard | Place:
    if isinstance(row, models.User):
        return User.from_row(row)
    if isinstance(row, models.Track):
        return Track.from_row(row)
    if isinstance(row, models.Place):
        return Place.from_row(row)
    return Postcard.from_row(row)
