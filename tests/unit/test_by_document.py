"""graph/documents.py's per-document cache: by the parsed document's identity (graphql-core's
nodes hash by their whole structure), bounded, holding its documents."""

from __future__ import annotations

from graphql import parse

from graph.documents import ByDocument


def test_a_document_is_worked_out_once_and_an_equal_other_one_again() -> None:
    cache, made = ByDocument(size=2), []
    first, twin = parse("{ a }"), parse("{ a }")

    def make(name: str):  # type: ignore[no-untyped-def]
        return lambda: made.append(name) or name

    assert cache.get(first, "x", make("first")) == "first"
    assert cache.get(first, "x", make("again")) == "first"
    assert cache.get(first, "y", make("other extra")) == "other extra"
    assert cache.get(twin, "x", make("twin")) == "twin"  # equal, not the same object
    assert made == ["first", "other extra", "twin"]


def test_the_oldest_document_goes_first() -> None:
    cache, made = ByDocument(size=2), []
    documents = [parse("{ a }"), parse("{ b }"), parse("{ c }")]
    for document in documents:
        cache.get(document, None, lambda: made.append(1))
    cache.get(documents[2], None, lambda: made.append(2))  # kept
    cache.get(documents[0], None, lambda: made.append(3))  # gone: made again
    assert made == [1, 1, 1, 3]
