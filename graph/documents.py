"""Work done once per parsed document: a bounded cache keyed by the document's identity
(validation and cost, graph/limits.py; compiled plans, graph/plan/)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from graphql.language import Node


class ByDocument:
    """What is worked out once per parsed document or operation (and a few hashable things
    beside it), the last `size` of them. Keyed by the node's identity, which the parse
    cache keeps for the same text (graph/limits.py): graphql-core's nodes hash by their
    whole structure, 17 us for explore's document, on every request when its validation
    and cost were `lru_cache`d. An entry holds its node, so its id is not reused
    meanwhile."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._entries: OrderedDict[tuple[int, Any], tuple[Node, Any]] = OrderedDict()

    def get(self, document: Node, extra: Any, make: Callable[[], Any]) -> Any:
        key = (id(document), extra)
        entry = self._entries.get(key)
        if entry is not None and entry[0] is document:
            self._entries.move_to_end(key)
            return entry[1]
        value = make()
        self._entries[key] = (document, value)
        if len(self._entries) > self._size:
            self._entries.popitem(last=False)
        return value
