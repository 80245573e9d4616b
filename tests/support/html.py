"""An HTML page as a browser's parser reads it (html.parser): its elements with their
attributes and text, its `<meta>` tags in order, for exact assertions on share pages."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str | None]
    text: str = ""
    children: list[Element] = field(default_factory=list)

    @property
    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())


class Page(HTMLParser):
    def __init__(self, markup: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self.open: list[Element] = []
        self.feed(markup)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, dict(attrs))
        self.elements.append(element)
        if self.open:
            self.open[-1].children.append(element)
        if tag not in VOID:
            self.open.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID and self.open and self.open[-1].tag == tag:
            self.open.pop()

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.open) - 1, -1, -1):
            if self.open[index].tag == tag:
                del self.open[index:]
                return

    def handle_data(self, data: str) -> None:
        for element in self.open:
            element.text += data

    # --- what tests ask -------------------------------------------------------------------

    def all(self, tag: str, class_: str | None = None) -> list[Element]:
        return [
            e for e in self.elements if e.tag == tag and (class_ is None or class_ in e.classes)
        ]

    def one(self, tag: str, class_: str | None = None) -> Element:
        [found] = self.all(tag, class_)
        return found

    def meta(self) -> list[tuple[str, str | None]]:
        """(property or name, content) of each `<meta property|name=…>`, in order."""
        return [
            (e.attrs.get("property") or e.attrs["name"] or "", e.attrs.get("content"))
            for e in self.all("meta")
            if "property" in e.attrs or "name" in e.attrs
        ]

    def cards(self) -> list[tuple[str, str | None]]:
        """The link-preview tags alone (og:, music:, profile:, twitter:)."""
        prefixes = ("og:", "music:", "profile:", "twitter:")
        return [(name, content) for name, content in self.meta() if name.startswith(prefixes)]

    def text(self, tag: str, class_: str | None = None) -> str:
        return self.one(tag, class_).text.strip()
