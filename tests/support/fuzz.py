"""The schema fuzz's machinery: the values it tries, a generator of operations built from an
introspection of the live schema (`fuzz_operation(seed, ...)` rebuilds the exact request of a
seed), the small world it runs against, and the checks of each response. Used by
tests/api/test_schema_fuzz.py and tests/api/test_input_fuzz.py."""

from __future__ import annotations

import base64
import json
import random
from dataclasses import dataclass, field
from typing import Any

import httpx
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLUnionType,
)

import models
from graph.relay import decode_id, to_global_id
from resolvers import comments, likes, playlists, postcards, safety, tracks, users
from resolvers.pagination import encode_cursor
from resolvers.photos import UploadRef
from tests.support.api import Api
from tests.support.photos import jpeg, uploaded

MAX_DEPTH = 4
# Words that only an internal error (a trace, a SQL statement, a driver message) would leak.
LEAKS_EXACT = ("Traceback", "SELECT ", "INSERT ")
LEAKS_ANY_CASE = ("sqlite", "asyncpg", "tortoise")
# Client errors another layer may answer with; not failures of the API.
ACCEPTABLE_CODES = {
    None,
    "BAD_USER_INPUT",
    "UNAUTHENTICATED",
    "FORBIDDEN",
    "RATE_LIMITED",
    "QUERY_TOO_COMPLEX",
    "PAYLOAD_TOO_LARGE",
    "GRAPHQL_VALIDATION_FAILED",
}

# ---------------------------------------------------------------------------------------
# Values

SPOTIFY_ID = "4uLU6hMCjMI75M1A2tKUQC"
TEXTS = [
    "",
    " ",
    "a",
    "maya",
    "MAYA",
    "ma",
    "kofi.k",
    "Never Gonna Give You Up",
    "🎵🎶 ünïcödé ✓",
    "e\u0301",  # combining accent
    "\u202eevil\u202c",  # right-to-left override
    "\u200b\u200d\ufeff",  # zero-width characters
    "\x00",
    "nul\x00inside",
    "\x01\x02\x1b[31mred\x7f",
    "line\nbreak\r\ttab",
    "\ud800",  # a lone surrogate (only reachable through JSON variables)
    "\udfff\ud83d",
    "' OR '1'='1' --",
    "%",
    "_%\\",
    "Robert'); DROP TABLE users;--",
    '{"$gt": ""}',
    "<script>alert(1)</script>",
    "../../etc/passwd",
    "https://open.spotify.com/track/" + SPOTIFY_ID,
    "https://open.spotify.com/intl-de/track/" + SPOTIFY_ID + "?si=x",
    "spotify:track:" + SPOTIFY_ID,
    "spotify:track:\x00" + SPOTIFY_ID,
    "https://www.instagram.com/p/C0dEx4mPl3/",
    "javascript:alert(1)",
    "http://[::1",  # urlsplit raises on this one
    "http://\x00host/",
    "https://exa mple.com/ x",
    "correct horse",
    "9" * 40,
    "-1",
    "NaN",
]
INTS = [0, 1, -1, 2, 3, 7, 20, 99, 100, 101, 1000, 2**31 - 1, -(2**31)]
TOO_BIG = [2**31, 2**63, -(2**63)]  # not a GraphQL Int: refused by validation
FLOATS = [0.0, -0.0, 1.5, -90.0, 90.0, 90.0001, -180.5, 180.0, 1e308, -1e308, 5e-324, 34.0083]


def huge_text(rng: random.Random) -> str:
    unit = rng.choice(["a", "é", "🎵", "\x00", " ", "a\u0301", "\ud800", "%"])
    # mostly under the request size limit, so the resolvers see them; sometimes over it
    return unit * rng.choice([301, 1001, 5000, 12_000, 12_000, 70_000])


def random_text(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.55:
        return rng.choice(TEXTS)
    if roll < 0.7:
        return huge_text(rng)
    length = rng.randint(0, 40)
    alphabet = [
        (0x00, 0x20),
        (0x20, 0x7F),
        (0x7F, 0xA0),
        (0xA0, 0x2FF),
        (0x0590, 0x06FF),
        (0x2000, 0x206F),
        (0x1F300, 0x1F6FF),
        (0xD800, 0xDFFF),
        (0xE000, 0xE0FF),
        (0xFFF0, 0xFFFF),
    ]
    chars = []
    for _ in range(length):
        low, high = rng.choice(alphabet)
        chars.append(chr(rng.randint(low, high - 1)))
    return "".join(chars)


def encodable(value: Any) -> bool:
    try:
        json.dumps(value, ensure_ascii=False).encode()
    except UnicodeEncodeError:
        return False
    return True


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def random_cursor(rng: random.Random, world: World) -> str:
    roll = rng.random()
    if roll < 0.3 and world.cursors:
        return rng.choice(world.cursors)
    candidates = [
        "",
        "not a cursor",
        "====",
        "\x00",
        "🎵",
        b64(b"[]"),
        b64(b"[1]"),
        b64(b"null"),
        b64(b'{"a": 1}'),
        b64(b'["2024-01-01T00:00:00", 1]'),
        b64(b'["2024-01-01T00:00:00+00:00", 99999999999999999999999]'),
        b64(b'["0001-01-01T00:00:00+01:00", 1]'),
        b64(b'["9999-12-31T23:59:59-01:00", 1]'),
        b64(b'["a\\u0000b", 1]'),
        b64(b'["\\ud800", 1]'),
        b64(b"[99999999999999999999999, 1]"),
        b64(b"[-1, -1]"),
        b64(b"[true, true]"),
        b64(b"[1e999, 1]"),
        b64(b"[[1], 1]"),
        b64(b"[" * 500 + b"]" * 500),
        b64(b"\xff\xfe\xfd"),
        b64(rng.randbytes(rng.randint(1, 30))),
        encode_cursor("maya", 1),
        encode_cursor(2**40, 2**40),
        "A" * 5000,
        encode_cursor("x" * 40, 1),  # longer than a username column
        encode_cursor(2**40, 1),  # beyond a 32-bit position column
    ]
    return rng.choice(candidates)


def random_id(rng: random.Random, world: World) -> Any:
    roll = rng.random()
    if roll < 0.45 and world.ids:
        return rng.choice(world.ids)
    type_name = rng.choice(
        ["User", "Postcard", "Track", "Comment", "Playlist", "PlaylistItem", "Notification"]
    )
    candidates: list[Any] = [
        to_global_id(type_name, rng.randint(1, 50)),
        to_global_id(type_name, 2**63 - 1),
        b64(f"{type_name}:0".encode()),
        b64(f"{type_name}:-1".encode()),
        b64(f"{type_name}:{2**64}".encode()),
        b64(f"{type_name}:1.5".encode()),
        b64(f"{type_name}:\u0661".encode()),  # an Arabic-Indic digit one
        b64(f"{type_name}:²".encode()),
        b64(f"{type_name}:".encode()),
        b64(b"Nope:1"),
        b64(b":1"),
        b64(b"\xff\xfe:1"),
        b64(rng.randbytes(12)),
        "",
        "1",
        "User:1",
        "VXNlcjox===",
        "!!!!",
        "\x00",
        "\ud800",
        "A" * 10_000,
        rng.randint(-(2**31), 2**31 - 1),  # IDs may be sent as ints
    ]
    return rng.choice(candidates)


# ---------------------------------------------------------------------------------------
# Operations


@dataclass
class World:
    """What the fuzz runs against: a few members with moments, comments, likes, follows,
    playlists and notifications; their ids and cursors seed the generator."""

    tokens: list[str] = field(default_factory=list)
    users: list[models.User] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    cursors: list[str] = field(default_factory=list)


@dataclass
class Operation:
    query: str
    variables: dict[str, Any]
    mutation: bool


class Builder:
    def __init__(self, schema: GraphQLSchema, rng: random.Random, world: World) -> None:
        self.schema = schema
        self.rng = rng
        self.world = world
        self.variables: dict[str, Any] = {}
        self.declarations: list[str] = []

    # values ------------------------------------------------------------------------------
    def value(self, type_: Any, name: str, depth: int = 0) -> Any:
        """A Python value for `type_` (mostly valid, sometimes wrong), or None."""
        rng = self.rng
        if isinstance(type_, GraphQLNonNull):
            if rng.random() < 0.01:
                return None  # a null where none is allowed
            return self.value(type_.of_type, name, depth)
        if rng.random() < 0.04:
            return None
        if isinstance(type_, GraphQLList):
            count = rng.choice([0, 1, 2, 3, 5, 101]) if depth < 2 else rng.randint(0, 2)
            return [self.value(type_.of_type, name, depth + 1) for _ in range(count)]
        if isinstance(type_, GraphQLInputObjectType):
            result = {}
            for field_name, input_field in type_.fields.items():
                required = isinstance(input_field.type, GraphQLNonNull)
                if required or rng.random() < 0.6:
                    result[field_name] = self.value(input_field.type, field_name, depth + 1)
            if rng.random() < 0.01:
                result["noSuchField"] = 1
            return result
        if isinstance(type_, GraphQLEnumType):
            values = list(type_.values)
            return rng.choice(values) if rng.random() < 0.9 else rng.choice(["NOPE", "upload", ""])
        return self.scalar(type_, name)

    def scalar(self, type_: GraphQLScalarType, name: str) -> Any:
        rng = self.rng
        if rng.random() < 0.015:  # the wrong kind of scalar altogether
            return rng.choice(["x", 1, 1.5, True, [], {}])
        if type_.name == "ID" or name.endswith("Id") or name in {"id", "ids", "upTo"}:
            return random_id(rng, self.world)
        if name == "after":
            return random_cursor(rng, self.world)
        if type_.name == "String":
            return random_text(rng)
        if type_.name == "Int":
            if name == "first" and rng.random() < 0.6:
                return rng.choice([0, 1, 2, 5, 20, 100])
            if rng.random() < 0.03:
                return rng.choice(TOO_BIG)
            return rng.choice(INTS) if rng.random() < 0.7 else rng.randint(-50, 50)
        if type_.name == "Float":
            return rng.choice(FLOATS) if rng.random() < 0.7 else rng.uniform(-200, 200)
        if type_.name == "Boolean":
            return rng.random() < 0.5
        return random_text(rng)

    def literal(self, value: Any) -> str:
        """GraphQL literal syntax for a value (enum values are left bare when they look
        like names)."""
        if value is None:
            return "null"
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float):
            return repr(value) if isinstance(value, int) else repr(float(value))
        if isinstance(value, str):
            return json.dumps(value)
        if isinstance(value, list):
            return "[" + ", ".join(self.literal(v) for v in value) + "]"
        if isinstance(value, dict):
            return "{" + ", ".join(f"{k}: {self.literal(v)}" for k, v in value.items()) + "}"
        raise TypeError(value)

    def enum_literal(self, type_: Any, value: Any) -> str:
        named = type_
        while isinstance(named, GraphQLNonNull | GraphQLList):
            named = named.of_type
        if isinstance(named, GraphQLEnumType) and isinstance(value, str) and value.isidentifier():
            return value
        return self.literal(value)

    def arguments(self, args: dict[str, Any]) -> str:
        parts = []
        for arg_name, arg in args.items():
            required = isinstance(arg.type, GraphQLNonNull)
            if not required and self.rng.random() < 0.5:
                continue
            if required and self.rng.random() < 0.01:
                continue  # a missing required argument
            value = self.value(arg.type, arg_name)
            # lone surrogates cannot be written in a GraphQL document (a syntax error):
            # mostly send those through variables, where JSON can carry them
            inline_ok = encodable(value) or self.rng.random() < 0.1
            if not inline_ok or self.rng.random() < 0.5:  # a variable, typed as the schema says
                var = f"v{len(self.variables)}"
                self.variables[var] = value
                self.declarations.append(f"${var}: {arg.type}")
                parts.append(f"{arg_name}: ${var}")
            else:
                try:
                    parts.append(f"{arg_name}: {self.enum_literal(arg.type, value)}")
                except TypeError:
                    continue
        return "(" + ", ".join(parts) + ")" if parts else ""

    # selections ---------------------------------------------------------------------------
    def selection(self, type_: GraphQLNamedType, depth: int) -> str:
        rng = self.rng
        if isinstance(type_, GraphQLUnionType | GraphQLInterfaceType):
            possible = self.schema.get_possible_types(type_)
            parts = ["__typename"]
            if isinstance(type_, GraphQLInterfaceType):
                parts.append("id")
            for member in rng.sample(possible, k=min(len(possible), rng.randint(1, 3))):
                parts.append(f"... on {member.name} {self.selection(member, depth)}")
            return "{ " + " ".join(parts) + " }"
        assert isinstance(type_, GraphQLObjectType)
        fields = list(type_.fields.items())
        chosen = rng.sample(fields, k=min(len(fields), rng.randint(1, 6)))
        parts = []
        for name, gql_field in chosen:
            named = gql_field.type
            while isinstance(named, GraphQLNonNull | GraphQLList):
                named = named.of_type
            is_leaf = isinstance(named, GraphQLScalarType | GraphQLEnumType)
            if not is_leaf and depth >= MAX_DEPTH:
                continue
            alias = f"a{rng.randint(0, 9999)}: " if rng.random() < 0.1 else ""
            part = f"{alias}{name}{self.arguments(gql_field.args)}"
            if not is_leaf:
                part += " " + self.selection(named, depth + 1)
            parts.append(part)
        return "{ " + " ".join(parts or ["__typename"]) + " }"

    def operation(self) -> Operation:
        rng = self.rng
        mutation = rng.random() < 0.45
        root = self.schema.mutation_type if mutation else self.schema.query_type
        assert root is not None
        names = rng.sample(list(root.fields), k=1 if mutation else rng.randint(1, 3))
        parts = []
        for index, name in enumerate(names):
            root_field = root.fields[name]
            named = root_field.type
            while isinstance(named, GraphQLNonNull | GraphQLList):
                named = named.of_type
            part = f"f{index}: {name}{self.arguments(root_field.args)}"
            if not isinstance(named, GraphQLScalarType | GraphQLEnumType):
                part += " " + self.selection(named, 1)
            parts.append(part)
        declared = f"({', '.join(self.declarations)})" if self.declarations else ""
        keyword = "mutation" if mutation else "query"
        return Operation(
            query=f"{keyword} Fuzz{declared} {{ {' '.join(parts)} }}",
            variables=self.variables,
            mutation=mutation,
        )


def fuzz_operation(seed: int, schema: GraphQLSchema, world: World) -> Operation:
    return Builder(schema, random.Random(seed), world).operation()


# ---------------------------------------------------------------------------------------
# The world and the checks


async def build_world(api: Api) -> World:
    world = World()
    maya = await api.sign_up("maya")
    kofi = await api.sign_up("kofi")
    world.tokens = [maya.token, kofi.token]
    world.users = [await models.User.get(username="maya"), await models.User.get(username="kofi")]
    m, k = world.users
    await users.follow(k, m.id)
    await users.follow(m, k.id)
    cards = []
    for index, (author, member) in enumerate([(m, maya), (k, kofi)] * 2 + [(m, maya)]):
        upload = await uploaded(api.http, member, jpeg((64 + index, 48)))
        card, _ = await postcards.create(
            author,
            tracks.TrackInput(title=f"Song {index % 3}", artist="Band"),
            f"moment {index}",
            postcards.PhotoInput(upload=UploadRef(decode_id(upload["id"], "PhotoUpload"))),
            postcards.PlaceInput(name="Pier", latitude=1.0, longitude=2.0),
        )
        cards.append(card)
    comment = await comments.add(k, cards[0].id, "nice")
    await comments.add(m, cards[1].id, "thanks")
    await likes.like(k, cards[0].id)
    await likes.like(m, cards[1].id)
    public = await playlists.create(m, "Summer", "songs", True)
    private = await playlists.create(m, "Secret", None, False)
    for playlist in (public, private):
        for card in cards[:3]:
            await playlists.add(
                m,
                playlist.id,
                postcard_id=card.id,
                track_id=None,
                postcard_given=True,
                track_given=False,
                position=None,
                expected_version=None,
            )
    # a private account with a moment nobody approved, and a block: the fuzz reads them too
    pia = await models.User.create(username="pia", password_hash="-", is_private=True)
    pias, _ = await postcards.create(
        pia, tracks.TrackInput(title="Hidden", artist="Band"), "private", None, None
    )
    ben = await models.User.create(username="ben", password_hash="-")
    await safety.block(m, ben.id)
    bens, _ = await postcards.create(
        ben, tracks.TrackInput(title="Song 0", artist="Band"), "blocked", None, None
    )
    await comments.add(ben, cards[1].id, "from across a block")
    rows: list[tuple[str, Any]] = [
        ("User", m),
        ("User", k),
        ("User", pia),
        ("User", ben),
        ("Postcard", pias),
        ("Postcard", bens),
        *(("Postcard", c) for c in cards),
        ("Comment", comment),
        ("Playlist", public),
        ("Playlist", private),
        *(("Track", t) for t in await models.Track.all()),
        *(("PlaylistItem", i) for i in await models.PlaylistItem.all()),
        *(("Notification", n) for n in await models.Notification.all()),
    ]
    world.ids = [to_global_id(type_name, row.id) for type_name, row in rows]
    # a wrong-type id for every object: the right number under another type's name
    world.ids += [to_global_id("Track", row.id) for _, row in rows[:4]]
    page = await postcards.explore(None, 2, None)
    world.cursors = list(page.cursors) + list((await users.search("", None, 1, None)).cursors)
    return world


def leaks(text: str) -> list[str]:
    lowered = text.lower()
    return [w for w in LEAKS_EXACT if w in text] + [w for w in LEAKS_ANY_CASE if w in lowered]


async def send(
    http: httpx.AsyncClient, operation: Operation, token: str | None
) -> tuple[httpx.Response, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    body = {"query": operation.query, "variables": operation.variables}
    # strict JSON would refuse lone surrogates: send them as the \ud800 escapes a client would
    response = await http.post(
        "/graphql",
        content=json.dumps(body, ensure_ascii=True),
        headers={**headers, "Content-Type": "application/json"},
    )
    try:
        payload = response.json()
    except ValueError:
        payload = None
    return response, payload


def problems_of(response: httpx.Response, payload: Any) -> list[str]:
    found = []
    if response.status_code >= 500:
        found.append(f"HTTP {response.status_code}")
    if leaks(response.text):
        found.append(f"leaks {leaks(response.text)}")
    if isinstance(payload, dict):
        for error in payload.get("errors") or []:
            code = (error.get("extensions") or {}).get("code")
            if code not in ACCEPTABLE_CODES:
                found.append(f"{code}: {error.get('message')} at {error.get('path')}")
    return found
