"""Discovery beyond one's friends (README, "Discovery"): the ranked feed's order, and the
charts of songs."""

from __future__ import annotations

from enum import Enum

import strawberry

from resolvers import ranked_feed

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
