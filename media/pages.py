"""The picture a web page names for itself: its OpenGraph image, as link previews use.

Read with the standard library's forgiving HTML parser, which copes with the broken markup
real pages have and unescapes attribute values (`&amp;` in an Instagram image URL)."""

from __future__ import annotations

from html.parser import HTMLParser

__all__ = ["PICTURE_PROPERTIES", "named_picture"]

# Where a page names its picture, in the order asked: OpenGraph's own property, then the
# properties pages use beside it or instead of it.
PICTURE_PROPERTIES = ("og:image", "og:image:url", "og:image:secure_url", "twitter:image")


def named_picture(page: str) -> str | None:
    """The URL (maybe relative) the page's first picture property names, or None."""
    metas = _Metas()
    metas.feed(page)
    metas.close()
    for name in PICTURE_PROPERTIES:
        if name in metas.found:
            return metas.found[name]
    return None


class _Metas(HTMLParser):
    """The first non-empty `content` of each `<meta property|name=...>` asked for."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "meta":
            return
        values = dict(attrs)
        # OpenGraph says `property`; many pages (and Twitter's cards) write `name`.
        name = (values.get("property") or values.get("name") or "").strip().lower()
        content = (values.get("content") or "").strip()
        if name in PICTURE_PROPERTIES and content:
            self.found.setdefault(name, content)
