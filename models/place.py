"""Places: where moments happen, one row per venue (README, "Places and nearby").

The dedupe rules live with the model because the migration that backfills places from
older moments applies them too (models/migrations may not import resolvers/): one Place
per Foursquare venue id when one is given, else per normalized name (`name_key`) within
`SAME_PLACE_METERS` of where it was first shared."""

from __future__ import annotations

import math
import unicodedata

from tortoise import fields
from tortoise.models import Model

# The sphere of PostgreSQL's earthdistance (`earth()`): both databases measure on it, so a
# distance is the same number on either.
EARTH_RADIUS_M = 6378168.0
SAME_PLACE_METERS = 100.0


class Place(Model):
    """A venue or spot. Its moments carry a copy of its name and coordinates
    (`postcards.place_*`), so a page of moments needs no join to show them."""

    id = fields.BigIntField(primary_key=True)
    # A plain column, as typed by the first moment shared there (search indexes it).
    name = fields.CharField(max_length=200)
    # `name_key(name)`: what the name dedupe compares.
    name_key = fields.CharField(max_length=200)
    latitude = fields.FloatField(null=True)
    longitude = fields.FloatField(null=True)
    foursquare_venue_id = fields.CharField(max_length=64, null=True, unique=True)
    # Every moment shared here, whoever shared it (only F() updates, in the writing
    # transaction of each moment added, moved or deleted).
    postcard_count = fields.IntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "places"
        # the name dedupe: same key, then a latitude band around the new spot
        indexes = (("name_key", "latitude"),)


def name_key(name: str) -> str:
    """A name as the dedupe compares it: case, accents, punctuation and whitespace gone
    ("Ronnie Scott's" and "ronnie  scotts" are one key). A name of punctuation only keeps
    its casefolded self."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    kept = "".join(ch for ch in decomposed if ch.isalnum())
    return kept[:200] or " ".join(name.casefold().split())[:200]


def distance_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in metres (haversine, on the sphere of EARTH_RADIUS_M)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))
