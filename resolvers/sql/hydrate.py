"""Rows of hand-written statements made into model instances, as tortoise's querysets make
them, and the other facts about models that such statements need (tables, columns, fields,
the connection and its dialect).

The one module that reads tortoise's internals (`Model._meta`, how `_init_from_db` fills an
instance, where a fetched relation is kept): tests/unit/test_compat.py says clearly what an
upgrade broke. Everything else asks here."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache, lru_cache
from typing import Any, TypeVar

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.fields import DatetimeField, Field, JSONField
from tortoise.fields import data as tortoise_data
from tortoise.fields.data import CharEnumFieldInstance, parse_datetime
from tortoise.indexes import Index
from tortoise.models import Model
from tortoise.timezone import get_default_timezone, get_use_tz

M = TypeVar("M", bound=Model)
R = TypeVar("R")


def connection(model: type[Model]) -> BaseDBAsyncClient:
    """The connection the model's table lives on."""
    return model._meta.db


def is_postgres(model: type[Model]) -> bool:
    return connection(model).capabilities.dialect == "postgres"


def table(model: type[Model]) -> str:
    return model._meta.db_table


def field(model: type[Model], name: str) -> Field[Any]:
    """The model's field called `name` (its Python name)."""
    return model._meta.fields_map[name]


async def query_rows(model: type[Model], sql: str, values: Sequence[Any]) -> list[Any]:
    """The rows of a statement on the model's connection, as the driver returns them."""
    _, found = await connection(model).execute_query(sql, list(values))
    return list(found)


def columns(model: type[Model]) -> list[str]:
    """Every column of the model, foreign keys' included: what a queryset selects and
    `_init_from_db` reads. Known once tortoise is initialised."""
    return list(model._meta.fields_db_projection.values())


# Columns the written-out statements leave out: a password's hash is read only where a
# password is checked (resolvers/accounts.py, through the query builder) and for the
# signed-in viewer (resolvers/tokens.py), never in a page of members or moments.
UNREAD = {"users": frozenset({"password_hash"})}


def shown_columns(model: type[Model]) -> list[str]:
    """The model's columns but those `UNREAD` keeps out: what `select_all` and `aliased`
    select. Instances made without them are partial (tortoise then refuses to save them
    but for named fields)."""
    unread = UNREAD.get(model._meta.db_table, frozenset())
    return [column for column in columns(model) if column not in unread]


def declared_indexes(model: type[Model]) -> list[tuple[str, ...]]:
    """The column lists of the indexes the model declares (`indexes`, `unique_together`)."""
    meta = model._meta
    projection = meta.fields_db_projection
    together = [
        tuple(projection.get(name, projection.get(f"{name}_id", name)) for name in names)
        for names in meta.unique_together
    ]
    declared: list[tuple[str, ...]] = [
        tuple(index.fields) if isinstance(index, Index) else tuple(index) for index in meta.indexes
    ]
    return declared + together


@cache
def select_all(model: type[Model]) -> str:
    """`SELECT "col", … FROM "table"`: every column, as a queryset of the model selects."""
    listed = ",".join(f'"{column}"' for column in shown_columns(model))
    return f'SELECT {listed} FROM "{model._meta.db_table}"'


@cache
def aliased(model: type[Model], alias: str) -> str:
    """`a."col" AS "a.col", …`: every column of the model under a table alias, so one
    statement can carry several models' rows side by side (see `Joined`)."""
    return ", ".join(f'{alias}."{column}" AS "{alias}.{column}"' for column in shown_columns(model))


@dataclass(frozen=True)
class _Plan:
    """How one model's instance is read from a row: `make`, a function written for this
    model and statement (every attribute's value by its column's position, the few that
    need converting converted, the instance's `__dict__` built at once, as one dict
    display: a third of the time of filling it attribute by attribute)."""

    make: Callable[[Any], Any]
    pk: int


def _maker(
    model: type[Model],
    flags: dict[str, Any],
    values: list[tuple[str, int, Any, bool]],
) -> Callable[[Any], Any]:
    """The function `row -> instance` of `_Plan.make`. `values`: (attribute, column
    position, converter or None, convert None too), in `_init_from_db`'s order; an
    attribute listed twice keeps its first place and its last value."""
    spelled: dict[str, str] = {}
    # object's __setattr__: tortoise's own (Model.__setattr__) would run for `__dict__`
    namespace: dict[str, Any] = {"_new": model.__new__, "_model": model, "_set": object.__setattr__}
    for n, (attr, i, convert, always) in enumerate(values):
        if convert is None:
            spelled[attr] = f"row[{i}]"
            continue
        namespace[f"_c{n}"] = convert
        call = f"_c{n}(row[{i}])"
        spelled[attr] = call if always else f"({call} if row[{i}] is not None else None)"
    entries = [f"{name!r}: {value!r}" for name, value in flags.items()]
    entries.append("'_await_when_save': {}")
    entries += [f"{attr!r}: {value}" for attr, value in spelled.items()]
    source = (
        "def make(row):\n"
        "    instance = _new(_model)\n"
        f"    _set(instance, '__dict__', {{{', '.join(entries)}}})\n"
        "    return instance\n"
    )
    exec(source, namespace)  # our own text: attribute names and positions
    return namespace["make"]


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
        unread = UNREAD.get(meta.db_table, frozenset())

        def spot(column: str) -> int:
            return self.position[f"{alias}.{column}" if alias else column]

        def read(fields: list[tuple[str, str, Any]]) -> list[tuple[str, str, Any]]:
            # a column left out on purpose (`UNREAD`) is not read; any other one missing
            # from the statement is an error (`spot`)
            return [
                (key, attr, f)
                for key, attr, f in fields
                if key not in unread or (f"{alias}.{key}" if alias else key) in self.position
            ]

        natives, defaults, complexes = (
            read(meta.db_native_fields),
            read(meta.db_default_fields),
            read(meta.db_complex_fields),
        )
        partial = len(natives) + len(defaults) + len(complexes) < len(meta.fields_db_projection)
        # tortoise's three kinds of field: the driver's value as is; the field's type
        # applied to a non-null value; the field's own conversion, null or not
        native = [(attr, spot(key), None, False) for key, attr, _ in natives]
        converted = [
            (attr, spot(key), _converter(f), True)
            for key, attr, f in natives
            if self.json and isinstance(f, DatetimeField)
        ]
        converted += [(attr, spot(key), f.field_type, False) for key, attr, f in defaults]
        converted += [(attr, spot(key), _converter(f), True) for key, attr, f in complexes]
        flags = {
            "_partial": partial,
            "_saved_in_db": True,
            "_custom_generated_pk": meta.db_pk_column not in meta.generated_db_fields,
        }
        found = self.plans[(model, alias)] = _Plan(
            make=_maker(model, flags, native + converted), pk=spot(meta.db_pk_column)
        )
        return found


@lru_cache(maxsize=256)
def _layout(names: tuple[str, ...], json: bool) -> _Layout:
    return _Layout(names, json)


class Joined:
    """Model instances from the rows of one statement, which may carry several models'
    columns side by side (`aliased`; alias "" for a model's own column names).

    An instance is made as tortoise's `_init_from_db` makes it (the same attributes and the
    same conversions: tests/api/test_perf_batch.py compares them), from a plan worked out once
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
        self._makers: dict[tuple[type[Model], str, bool], Callable[[Any], Any]] = {}

    def value(self, row: Any, name: str) -> Any:
        return row[self._layout.position[name]]

    def maker(self, model: type[M], alias: str, *, once: bool = False) -> Callable[[Any], M]:
        """`make` for one model and alias, as a function of the row: for a loop over a
        statement's rows (the plan looked up once, not per row; and once per statement, not
        per loop: a page's moments each read their comments with the same two)."""
        known = self._makers.get((model, alias, once))
        if known is not None:
            return known
        plan = self._layout.plan(model, alias)
        make: Callable[[Any], M] = plan.make
        if not once:
            self._makers[(model, alias, once)] = make
            return make
        made, pk = self._made, plan.pk

        def make_once(row: Any) -> M:
            key = (model, row[pk])
            found = made.get(key)
            if found is None:
                found = made[key] = make(row)
            return found  # type: ignore[return-value]

        self._makers[(model, alias, once)] = make_once
        return make_once

    def make(self, model: type[M], alias: str, row: Any, *, once: bool = False) -> M:
        """The row's instance of `model`; with `once`, one instance per primary key
        however many rows of the statement repeat it (a page's authors, say)."""
        plan = self._layout.plan(model, alias)
        if once:
            pk = row[plan.pk]
            if (found := self._made.get((model, pk))) is not None:
                return found  # type: ignore[return-value]
        instance = plan.make(row)
        if once:
            self._made[(model, pk)] = instance
        return instance


def _is_pydantic(field: JSONField[Any]) -> bool:
    """Whether tortoise makes a JSON field's values pydantic models (its
    `_PydanticModelMetaclass` check in `JSONField.to_python_value`)."""
    metaclass = getattr(tortoise_data, "_PydanticModelMetaclass", None)
    return metaclass is not None and isinstance(field.field_type, metaclass)


MAX_SEEN_TIMES = 50_000  # per time column of a statement's plan: a few MB at most


def _converter(field: Any) -> Any:
    """The field's conversion of a database value. A time's is tortoise's own, with what
    it looks up on every call (the USE_TZ and TIMEZONE settings, the zone) looked up once:
    a feed page converts about 140 times, and tortoise's took a tenth of the request."""
    if isinstance(field, CharEnumFieldInstance):
        # tortoise's `enum_type(value)`, by a lookup: Enum's call took a microsecond
        members = {member.value: member for member in field.enum_type}
        slow_enum = field.to_python_value
        return lambda value: members[value] if value in members else slow_enum(value)
    if isinstance(field, JSONField) and not _is_pydantic(field):
        # tortoise's own decode of text, without its checks for a pydantic model type (none
        # here); a value it would refuse goes to it, for its error
        decode, slow_json = field.decoder, field.to_python_value

        def convert_json(value: Any) -> Any:
            if type(value) is str:
                try:
                    return decode(value)
                except Exception:
                    return slow_json(value)
            return slow_json(value)

        return convert_json
    if not isinstance(field, DatetimeField) or not get_use_tz():
        return field.to_python_value
    zone = get_default_timezone()
    if hasattr(zone, "localize"):  # a pytz zone: tortoise's own path
        return field.to_python_value
    slow = field.to_python_value
    # text -> its time: the same comments and authors come back page after page, and a
    # datetime is immutable (emptied when full, not evicted one by one)
    seen: dict[str, datetime] = {}

    def convert(value: Any) -> Any:
        if value is None:
            return None
        if type(value) is str:
            found = seen.get(value)
            if found is not None:
                return found
            text, value = value, parse_datetime(value)
            made = (
                value.replace(tzinfo=zone) if value.utcoffset() is None else value.astimezone(zone)
            )
            if len(seen) >= MAX_SEEN_TIMES:
                seen.clear()
            seen[text] = made
            return made
        if not isinstance(value, datetime):
            return slow(value)
        if value.utcoffset() is None:
            return value.replace(tzinfo=zone)
        return value.astimezone(zone)

    return convert


def attach(row: Model, relation: str, value: Model) -> None:
    """Set a fetched foreign-key relation, as `select_related` would: `row.<relation>`
    then answers without a query."""
    object.__setattr__(row, f"_{relation}", value)


def joined(row: Any, relation: str, model: type[R]) -> R | None:
    """The row's `relation` when the row was fetched with it (`select_related`, or
    `attach`), else None; an unfetched relation is a lazy query."""
    found = row.__dict__.get(f"_{relation}")
    return found if isinstance(found, model) else None


def copy_row(row: M) -> M:
    """A copy of an instance that may be changed (and saved) without touching the original."""
    clone = type(row).__new__(type(row))
    clone.__dict__.update(row.__dict__)
    clone.__dict__["_await_when_save"] = {}
    return clone
