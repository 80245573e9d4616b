"""A statement's values, sent apart from its text (`Params`)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from tortoise.fields import DatetimeField
from tortoise.models import Model

from resolvers.sql.hydrate import is_postgres

# How every DatetimeField converts a time for the database (timezone, precision).
DATETIME = DatetimeField()


class Params:
    """A statement's values, sent apart from its text: each hot statement then has one
    text whatever the viewer, page or cursor, so PostgreSQL (through asyncpg's statement
    cache) prepares it once per connection instead of parsing and planning it on every
    request, and SQLite's statement cache compiles it once. Placeholders are numbered,
    `$1` on PostgreSQL and `?1` on SQLite, so a value can appear twice."""

    def __init__(self, model: type[Model]) -> None:
        self.model = model
        self.postgres = is_postgres(model)
        self.values: list[Any] = []

    def add(self, value: Any) -> str:
        """The placeholder of a new value."""
        self.values.append(value)
        return f"${len(self.values)}" if self.postgres else f"?{len(self.values)}"

    def time(self, value: datetime) -> str:
        """The placeholder of a time, compared as the driver stores times (SQLite compares
        the stored text)."""
        stored = DATETIME.to_db_value(value, self.model)
        assert isinstance(stored, datetime)
        if self.postgres:
            return f"{self.add(stored)}::timestamptz"
        return self.add(stored.isoformat(" "))

    def id_rows(self, keys: Iterable[int]) -> str:
        """`keys` as a table `k` of one column, `value`."""
        listed = self._listed(keys)
        return (
            f"unnest({listed}::bigint[]) AS k(value)"
            if self.postgres
            else f"json_each({listed}) AS k"
        )

    def ids(self, column: str, keys: Iterable[int]) -> str:
        """`column` is one of `keys`."""
        listed = self._listed(keys)
        if self.postgres:
            return f"{column} = ANY({listed}::bigint[])"
        return f"{column} IN (SELECT value FROM json_each({listed}))"

    def _listed(self, keys: Iterable[int]) -> str:
        """One value holding `keys` (integers, duplicates dropped): an array on PostgreSQL, a
        JSON list on SQLite."""
        distinct = [int(key) for key in dict.fromkeys(keys)]
        return self.add(distinct if self.postgres else json.dumps(distinct))
