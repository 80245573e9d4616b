"""Batch functions behind the per-request DataLoaders: one SQL statement per call, results
in key order (None where a key has no row).

They run on every page, so their SQL is written out rather than built through the query
builder each time (building was most of their cost), in SQL that SQLite and PostgreSQL read
alike, with every value sent as a parameter (`Params`). Rows still become model instances
as a queryset would make them (`Joined`)."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache, lru_cache
from operator import itemgetter
from typing import Any, TypeVar

import orjson
from tortoise.fields import DatetimeField
from tortoise.fields.data import parse_datetime
from tortoise.models import Model
from tortoise.timezone import get_default_timezone, get_use_tz

from models import Comment, Follow, Like, Postcard, Track, User
from resolvers.pagination import Cursors, Page

M = TypeVar("M", bound=Model)


class Params:
    """A statement's values, sent apart from its text: each hot statement then has one
    text whatever the viewer, page or cursor, so PostgreSQL (through asyncpg's statement
    cache) prepares it once per connection instead of parsing and planning it on every
    request, and SQLite's statement cache compiles it once. Placeholders are numbered,
    `$1` on PostgreSQL and `?1` on SQLite, so a value can appear twice."""

    def __init__(self, model: type[Model]) -> None:
        self.postgres = model._meta.db.capabilities.dialect == "postgres"
        self.values: list[Any] = []

    def add(self, value: Any) -> str:
        """The placeholder of a new value."""
        self.values.append(value)
        return f"${len(self.values)}" if self.postgres else f"?{len(self.values)}"

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


def columns(model: type[Model]) -> list[str]:
    """Every column of the model, foreign keys' included: what a queryset selects and
    `_init_from_db` reads. Known once tortoise is initialised."""
    return list(model._meta.fields_db_projection.values())


@cache
def select_all(model: type[Model]) -> str:
    """`SELECT "col", … FROM "table"`: every column, as a queryset of the model selects."""
    listed = ",".join(f'"{column}"' for column in columns(model))
    return f'SELECT {listed} FROM "{model._meta.db_table}"'


@cache
def aliased(model: type[Model], alias: str) -> str:
    """`a."col" AS "a.col", …`: every column of the model under a table alias, so one
    statement can carry several models' rows side by side (see `Joined`)."""
    return ", ".join(f'{alias}."{column}" AS "{alias}.{column}"' for column in columns(model))


@dataclass(frozen=True)
class _Plan:
    """How one model's instance is read from a row: every attribute's raw value at once
    (`take`, C speed), then the few that need converting."""

    attributes: tuple[str, ...]
    take: Callable[[Any], tuple[Any, ...]]
    # (attribute, column position, converter, convert None too)
    converted: tuple[tuple[str, int, Any, bool], ...]
    pk: int
    flags: dict[str, Any]


class _Layout:
    """What a statement's columns are (their names, in order) and the plans made for it:
    worked out once per statement text, not per request. Plans assume, as the app does,
    one database per process (tortoise's kinds of field depend on its driver)."""

    def __init__(self, names: tuple[str, ...], json: bool) -> None:
        self.position = {name: i for i, name in enumerate(names)}
        self.json = json
        self.plans: dict[tuple[type[Model], str], _Plan] = {}

    def plan(self, model: type[Model], alias: str) -> _Plan:
        found = self.plans.get((model, alias))
        if found is not None:
            return found
        meta = model._meta

        def spot(column: str) -> int:
            return self.position[f"{alias}.{column}" if alias else column]

        # tortoise's three kinds of field: the driver's value as is; the field's type
        # applied to a non-null value; the field's own conversion, null or not
        native = [(attr, spot(key)) for key, attr, _ in meta.db_native_fields]
        converted = [
            (attr, spot(key), _converter(f), True)
            for key, attr, f in meta.db_native_fields
            if self.json and isinstance(f, DatetimeField)
        ]
        converted += [
            (attr, spot(key), f.field_type, False) for key, attr, f in meta.db_default_fields
        ]
        converted += [
            (attr, spot(key), _converter(f), True) for key, attr, f in meta.db_complex_fields
        ]
        every = native + [(attr, i) for attr, i, _, _ in converted]
        positions = [i for _, i in every]
        take = itemgetter(*positions) if len(positions) > 1 else lambda row: (row[positions[0]],)
        found = self.plans[(model, alias)] = _Plan(
            attributes=tuple(attr for attr, _ in every),
            take=take,
            converted=tuple(converted),
            pk=spot(meta.db_pk_column),
            flags={
                "_partial": False,
                "_saved_in_db": True,
                "_custom_generated_pk": meta.db_pk_column not in meta.generated_db_fields,
            },
        )
        return found


@lru_cache(maxsize=256)
def _layout(names: tuple[str, ...], json: bool) -> _Layout:
    return _Layout(names, json)


class Joined:
    """Model instances from the rows of one statement, which may carry several models'
    columns side by side (`aliased`; alias "" for a model's own column names).

    An instance is made as tortoise's `_init_from_db` makes it (the same attributes and the
    same conversions: tests/test_perf_batch.py compares them), from a plan worked out once
    per statement text: columns read by position (SQLite's rows find a column by name with
    a scan of every name, and a page has sixty), all at once, and the instance's
    `__dict__` filled at once. A feed page makes about 120 instances."""

    def __init__(
        self, rows: Sequence[Any], *, names: Sequence[str] = (), json: bool = False
    ) -> None:
        """`names`: the columns' names, for rows that do not carry them (lists decoded from
        JSON, with `json`: their times come as text, whatever the database)."""
        self._layout = _layout(tuple(names or (rows[0].keys() if rows else ())), json)
        self._made: dict[tuple[type[Model], Any], Model] = {}

    def value(self, row: Any, name: str) -> Any:
        return row[self._layout.position[name]]

    def make(self, model: type[M], alias: str, row: Any, *, once: bool = False) -> M:
        """The row's instance of `model`; with `once`, one instance per primary key
        however many rows of the statement repeat it (a page's authors, say)."""
        plan = self._layout.plan(model, alias)
        if once:
            pk = row[plan.pk]
            if (found := self._made.get((model, pk))) is not None:
                return found  # type: ignore[return-value]
        instance = model.__new__(model)
        values = instance.__dict__
        values.update(plan.flags)
        values["_await_when_save"] = {}
        values.update(zip(plan.attributes, plan.take(row), strict=True))
        for attr, i, convert, always in plan.converted:
            value = row[i]
            if always or value is not None:
                values[attr] = convert(value)
        if once:
            self._made[(model, pk)] = instance
        return instance


def _converter(field: Any) -> Any:
    """The field's conversion of a database value. A time's is tortoise's own, with what
    it looks up on every call (the USE_TZ and TIMEZONE settings, the zone) looked up once:
    a feed page converts about 140 times, and tortoise's took a tenth of the request."""
    if not isinstance(field, DatetimeField) or not get_use_tz():
        return field.to_python_value
    zone = get_default_timezone()
    if hasattr(zone, "localize"):  # a pytz zone: tortoise's own path
        return field.to_python_value
    slow = field.to_python_value

    def convert(value: Any) -> Any:
        if value is None:
            return None
        if type(value) is str:
            value = parse_datetime(value)
        elif not isinstance(value, datetime):
            return slow(value)
        if value.utcoffset() is None:
            return value.replace(tzinfo=zone)
        return value.astimezone(zone)

    return convert


def attach(row: Model, relation: str, value: Model) -> None:
    """Set a fetched foreign-key relation, as `select_related` would: `row.<relation>`
    then answers without a query."""
    object.__setattr__(row, f"_{relation}", value)


@cache
def postcard_columns() -> str:
    """The columns of moments side by side with their author's and track's (aliases p, u
    and t; see `POSTCARD_JOINS` and `postcard_of`)."""
    return ", ".join(
        aliased(model, alias) for alias, model in (("p", Postcard), ("u", User), ("t", Track))
    )


POSTCARD_JOINS = "postcards p JOIN users u ON u.id = p.author_id JOIN tracks t ON t.id = p.track_id"


def postcard_of(made: Joined, row: Any) -> Postcard:
    """The moment of a `postcard_columns` row, its author and track attached as
    `select_related` would: nearly every client shows them."""
    postcard = made.make(Postcard, "p", row)
    attach(postcard, "author", made.make(User, "u", row, once=True))
    attach(postcard, "track", made.make(Track, "t", row, once=True))
    return postcard


async def fetch(model: type[M], sql: str, params: Params) -> list[M]:
    """Model instances of `sql`'s rows (every column of the model, and maybe more)."""
    _, rows = await model._meta.db.execute_query(sql, params.values)
    made = Joined(rows)
    return [made.make(model, "", row) for row in rows]


async def fetch_column(model: type[Model], sql: str, params: Params) -> list[Any]:
    """The first column of `sql`'s rows, as the driver returns it."""
    _, rows = await model._meta.db.execute_query(sql, params.values)
    return [row[0] for row in rows]


async def rows_by_id(model: type[M], ids: Sequence[int]) -> list[M | None]:
    if not ids:
        return []
    params = Params(model)
    found = await fetch(model, f"{select_all(model)} WHERE {params.ids('id', ids)}", params)
    rows = {row.pk: row for row in found}
    return [rows.get(key) for key in ids]


async def postcards_by_id(ids: Sequence[int]) -> list[Postcard | None]:
    """Like `rows_by_id`, with each moment's author and track joined."""
    if not ids:
        return []
    params = Params(Postcard)
    sql = f"SELECT {postcard_columns()} FROM {POSTCARD_JOINS} WHERE {params.ids('p.id', ids)}"
    _, found = await Postcard._meta.db.execute_query(sql, params.values)
    made = Joined(found)
    rows = {row.pk: row for row in (postcard_of(made, found_row) for found_row in found)}
    return [rows.get(key) for key in ids]


async def liked_by_viewer(viewer_id: int, postcard_ids: Sequence[int]) -> list[bool]:
    return await _marked(Like, "likes", "user_id", "postcard_id", viewer_id, postcard_ids)


async def followed_by_viewer(viewer_id: int, user_ids: Sequence[int]) -> list[bool]:
    return await _marked(Follow, "follows", "follower_id", "followee_id", viewer_id, user_ids)


async def _marked(
    model: type[Model], table: str, by: str, of: str, viewer_id: int, keys: Sequence[int]
) -> list[bool]:
    """For each key, whether the viewer has a row (a like, a follow) for it."""
    if not keys:
        return []
    params = Params(model)
    sql = (
        f"SELECT {of} FROM {table} WHERE {by} = {params.add(viewer_id)} AND {params.ids(of, keys)}"
    )
    found = set(await fetch_column(model, sql, params))
    return [key in found for key in keys]


async def first_comments(keys: Sequence[tuple[int, int]]) -> list[Page[Comment]]:
    """The first `n` comments (oldest first) of each postcard, for keys `(postcard_id, n)`,
    with their authors joined, in one statement whatever the number of postcards: a short
    walk down each postcard's (postcard_id, created_at) index, `n + 1` entries long however
    many comments it has (a window over every comment of the page grew with them; on
    SQLite it also took twice as long at the bench's size)."""
    if not keys:
        return []
    params = Params(Comment)
    postcards = params.id_rows(pid for pid, _ in keys)
    limit = params.add(max(n for _, n in keys) + 1)
    first = (
        f"FROM comments x WHERE x.postcard_id = k.value ORDER BY x.created_at, x.id LIMIT {limit}"
    )
    if params.postgres:
        listed = ", ".join(f'x."{column}"' for column in columns(Comment))
        comments = f"{postcards} CROSS JOIN LATERAL (SELECT {listed} {first}) c"
    else:
        comments = f"{postcards} JOIN comments c ON c.id IN (SELECT x.id {first})"
    _, found = await Comment._meta.db.execute_query(
        f"SELECT {aliased(Comment, 'c')}, {aliased(User, 'u')} FROM {comments}"
        " JOIN users u ON u.id = c.author_id ORDER BY c.postcard_id, c.created_at, c.id",
        params.values,
    )
    grouped: dict[int, list[Comment]] = defaultdict(list)
    made = Joined(found)
    for found_row in found:
        comment = comment_of(made, found_row, "u")
        grouped[comment.postcard_id].append(comment)
    return [first_page(grouped.get(postcard_id, []), n) for postcard_id, n in keys]


def comment_of(made: Joined, row: Any, author: str) -> Comment:
    """The comment of a row with its columns under alias "c" and its author's under
    `author`, the author attached (made once per person)."""
    comment = made.make(Comment, "c", row)
    attach(comment, "author", made.make(User, author, row, once=True))
    return comment


def first_page(comments: list[Comment], n: int) -> Page[Comment]:
    """The first `n` of a moment's first comments, oldest first (`comments`: `n + 1` or
    more of them when there are more)."""
    rows = comments[:n]
    return Page(
        rows=rows,
        cursors=Cursors([(row.created_at, row.id) for row in rows]),
        has_next=len(comments) > n,
        has_previous=False,
    )


@cache
def _comment_names() -> tuple[list[str], list[str]]:
    """The columns of a comment and its author, as SQL and as `Joined` names."""
    pairs = [
        (alias, column)
        for alias, model in (("c", Comment), ("a", User))
        for column in columns(model)
    ]
    return [f'{alias}."{column}"' for alias, column in pairs], [f"{a}.{c}" for a, c in pairs]


def first_comments_column(postcard_id: str, n: int, params: Params) -> str:
    """A column of a statement of moments: the first `n + 1` comments (oldest first) of
    the moment whose id is `postcard_id`, each with its author's columns, as one JSON
    list (`comments_of` reads it). A page of moments then brings its first comments along
    instead of a second statement asking for them (`first_comments`)."""
    listed = ", ".join(_comment_names()[0])
    aggregate = (
        f"json_agg(json_build_array({listed}))"
        if params.postgres
        else f"json_group_array(json_array({listed}))"
    )
    first = (
        f"SELECT x.* FROM comments x WHERE x.postcard_id = {postcard_id}"
        f" ORDER BY x.created_at, x.id LIMIT {params.add(n + 1)}"
    )
    return f"(SELECT {aggregate} FROM ({first}) c JOIN users a ON a.id = c.author_id)"


def comment_rows() -> Joined:
    """The maker of `comments_of`'s instances, one per statement: authors are made once."""
    return Joined((), names=_comment_names()[1], json=True)


def comments_of(made: Joined, value: str | None) -> list[Comment]:
    """The comments of a `first_comments_column` value, oldest first, authors attached."""
    found = []
    for row in orjson.loads(value) if value else ():
        found.append(comment_of(made, row, "a"))
    # neither database promises an aggregate's order without ORDER BY inside it (SQLite
    # 3.40 has none); sorted here, a few at a time
    found.sort(key=lambda comment: (comment.created_at, comment.id))
    return found
