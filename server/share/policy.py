"""The headers of the share pages: a Content-Security-Policy that lets a page load its own
photos, its one stylesheet and Spotify's player frame, and nothing else (no script at all,
ours or anyone's); and a short public cache.

server/http/security_headers.py adds the app's other headers (nosniff, no-referrer) and
keeps these, since the endpoint set them; a page that allows framing (`embeddable`) also
goes without its `X-Frame-Options: DENY`."""

from __future__ import annotations

import base64
import hashlib
from urllib.parse import urlsplit

from media.store import Store

# Spotify's embed player: the one frame a page holds (open.spotify.com/embed/track/<id>).
PLAYER_ORIGIN = "https://open.spotify.com"
# Public pages change rarely, but a moment deleted or an account gone private must drop out
# of shared caches soon: a minute.
CACHE_CONTROL = "public, max-age=60"
# A key of the right shape, to ask the store where its files are served from.
_ANY_KEY = "0" * 64 + ".jpg"


def style_hash(css: str) -> str:
    """The CSP source allowing exactly this inline `<style>` text."""
    digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
    return f"'sha256-{digest}'"


def media_origin(store: Store) -> str | None:
    """The origin photos are served from when it is not this app's (an S3 bucket, a CDN in
    MEDIA_PUBLIC_URL); None for the app's own /media/."""
    parts = urlsplit(store.url(_ANY_KEY))
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None


def content_security_policy(css: str, store: Store, *, embeddable: bool) -> str:
    images = " ".join(filter(None, ["'self'", media_origin(store)]))
    return "; ".join(
        [
            "default-src 'none'",
            f"img-src {images}",
            f"style-src {style_hash(css)}",
            f"frame-src {PLAYER_ORIGIN}",
            "base-uri 'none'",
            "form-action 'none'",
            # the embed is made to be framed by any site; the pages by none
            "frame-ancestors " + ("*" if embeddable else "'none'"),
        ]
    )


def headers(css: str, store: Store, *, embeddable: bool) -> dict[str, str]:
    """A page's headers (the app's wrapper adds the others)."""
    return {
        "Content-Security-Policy": content_security_policy(css, store, embeddable=embeddable),
        "Cache-Control": CACHE_CONTROL,
    }
