"""Share pages (README, "Share pages and oEmbed"): a moment's page with its link-preview
card and player (`/m/<id>`), the player alone for other sites' iframes (`/m/<id>/embed`),
a member's profile (`/u/<username>`) and the oEmbed endpoint (`/oembed`).

pages.py renders them from templates/ (Jinja2), cards.py says what a card holds, oembed.py
answers oEmbed consumers, policy.py sets the pages' Content-Security-Policy and caching.
What they show comes from resolvers/share.py: what anyone on the web may see."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from media.store import Store
from server.share.oembed import OEmbed
from server.share.pages import Pages

__all__ = ["share_routes"]


def share_routes(public_url: str, store: Store) -> list[BaseRoute]:
    """The pages' routes (GET, and HEAD with them), for PUBLIC_URL and the media store."""
    pages = Pages(public_url, store)
    return [
        Route("/m/{postcard_id}", pages.moment, methods=["GET"], name="share-moment"),
        Route("/m/{postcard_id}/embed", pages.embed, methods=["GET"], name="share-embed"),
        Route("/u/{username}", pages.profile, methods=["GET"], name="share-profile"),
        Route("/oembed", OEmbed(public_url, pages.cards).endpoint, methods=["GET"], name="oembed"),
    ]
