"""Search: members, tracks, moments and places found by what people type, ranked by relevance, as
ONE statement per page over the full-text index (models/migrations/0011_search.py: FTS5
tables on SQLite, tsvector tables with GIN indexes and pg_trgm on PostgreSQL).

What is matched: every word of the query, as a word prefix, in a member's username and
display name, a track's title, artist and album, a moment's caption and place name, a
place's name —
letters compared without case or diacritics. On PostgreSQL a member's or track's name
(or a place's name) that is close enough to the whole query (pg_trgm word similarity, at
least 0.6) matches
too, below every exact match: "never gona" finds "Never Gonna Give You Up".

Ranking: each row gets a tier from the query and that row alone (the table above
`BRANCHES`), never from statistics of the whole index (bm25, ts_rank): so ranks are the
same on both databases, and a row's rank moves only when that row changes. The page order
is the rank, then the newest first; the rank also encodes the kind (`rank = tier * SLOTS +
slot`), so `(rank, id)` is unique and a cursor is a keyset over it: paging through never
repeats a row, whatever others write meanwhile (an edited row may move, as in any keyset
list). Each kind ranks its newest `CANDIDATES` matches only, the bound of a broad query's
cost; a new match may push the oldest of them out between two pages.

Each kind is one `Branch` (its table, index, tier and visibility): a new kind is one
Branch more and one index more in the migration."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

from models import Place, Track, User
from resolvers import places, visibility
from resolvers.pagination import BadCursor, Cursors, Page, check_first, decode_cursor
from resolvers.sql.batches import postcard_columns, postcard_of
from resolvers.sql.hydrate import Joined, aliased, query_rows
from resolvers.sql.params import Params
from resolvers.validate import clean_lookup

MAX_QUERY = 100  # characters of a query looked at (longer ones are cut, never refused)
MAX_WORDS = 8
WORD = re.compile(r"[^\W_]+")  # letters and digits: nothing of FTS5's or tsquery's syntax
CONFIG = "'soundpost_search'::regconfig"  # PostgreSQL's text search configuration (0011)


class Kind(IntEnum):
    """What a result is. The value is its slot in a rank, the higher first at equal tiers."""

    USER = 3
    TRACK = 2
    POSTCARD = 1
    PLACE = 0


SLOTS = 4
MAX_RANK = 101 * SLOTS  # tiers are 0 to 100
# Each kind ranks at most its newest CANDIDATES matches: a one-letter query matches half
# the moments, and ranking them all would cost ten explore pages.
CANDIDATES = 2000
FUZZY_FROM = 4  # characters typed before PostgreSQL also looks for names close to them


@dataclass(frozen=True)
class Terms:
    """A query as the statement uses it."""

    words: tuple[str, ...]  # lowercased, without diacritics: what the index is asked
    typed: str  # the query lowercased, as typed (but a leading @): what names are compared with
    handle: str  # `typed` without spaces: what usernames are compared with


def _folded(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


def terms(query: str) -> Terms:
    text = clean_lookup(query, max_len=MAX_QUERY)
    typed = text.lower().lstrip("@")
    words = tuple(dict.fromkeys(WORD.findall(_folded(text))))[:MAX_WORDS]
    return Terms(words=words, typed=typed, handle=typed.replace(" ", ""))


def fts5_query(words: Sequence[str]) -> str:
    """Every word as a quoted prefix (`"word"*`), all of them required: a word is letters
    and digits only, so nothing in it is FTS5 syntax."""
    return " ".join(f'"{word}"*' for word in words)


def tsquery(words: Sequence[str]) -> str:
    """The same for PostgreSQL's `to_tsquery`: `'word':* & …`."""
    return " & ".join(f"'{word}':*" for word in words)


@dataclass
class Statement:
    """One page statement's values: each is sent once, when a branch first uses it (an
    unused placeholder would be an error on both databases)."""

    params: Params
    terms: Terms
    viewer_id: int | None
    _used: dict[str, str] = field(default_factory=dict)

    @property
    def postgres(self) -> bool:
        return self.params.postgres

    def value(self, name: str, value: Any) -> str:
        if name not in self._used:
            self._used[name] = self.params.add(value)
        return self._used[name]

    def match(self) -> str:
        words = self.terms.words
        return self.value("match", tsquery(words) if self.postgres else fts5_query(words))

    def typed(self) -> str:
        return self.value("typed", self.terms.typed)

    def starts(self, column: str, what: str = "typed") -> str:
        """SQL: the column, lowercased, begins with the typed query (or the handle)."""
        text = getattr(self.terms, what)
        return (
            f"substr(lower({column}), 1, {self.value(f'{what}_len', len(text))})"
            f" = {self.value(what, text)}"
        )


@dataclass(frozen=True)
class Branch:
    """One kind's part of the statement: `SELECT score, id` of its matching rows (aliased
    `alias`), and how the page's outer statement brings the rows it picked."""

    kind: Kind
    table: str
    alias: str
    tiers: Callable[[Statement], str]  # SQL CASE: the tier of a row the index matched
    fuzzy: str | None  # PostgreSQL: the text a trigram index covers, for typos
    shown: Callable[[Statement], str | None]  # SQL: the viewer may see the row
    columns: Callable[[], str]  # the outer statement's columns of a result of this kind
    joins: str  # ... and its joins (`r` is the page: score, id)
    make: Callable[[Joined, Any], Any]  # a result of this kind from a row of the page
    also: str = ""  # more joins inside the branch

    def sql(self, q: Statement) -> str:
        a, slot = self.alias, int(self.kind)
        source, conditions, tier = f"{self.table} {a}{self.also}", [], "0"
        if q.terms.words:
            tier = self.tiers(q)
            if q.postgres:
                index, asked = f"{self.table}_search", f"to_tsquery({CONFIG}, {q.match()})"
                candidates = (
                    f"SELECT s.id FROM {index} s WHERE s.words @@ {asked}"
                    f" ORDER BY s.id DESC LIMIT {CANDIDATES}"
                )
                if self.fuzzy and len(q.terms.typed) >= FUZZY_FROM:
                    mine = f"s.id = {a}.id AND s.words @@ {asked}"
                    found = f"EXISTS (SELECT 1 FROM {index} s WHERE {mine})"
                    similar = f"CAST(floor(word_similarity({q.typed()}, {self.fuzzy}) * 10) AS int)"
                    tier = f"CASE WHEN {found} THEN {tier} ELSE 10 + {similar} END"
                    # `+ 0`: every close name from the trigram index, then the newest
                    close = (
                        f"SELECT {a}.id FROM {self.table} {a} WHERE {q.typed()} <% ({self.fuzzy})"
                        f" ORDER BY {a}.id + 0 DESC LIMIT {CANDIDATES}"
                    )
                    candidates = f"({candidates}) UNION ({close})"
            else:
                index = f"{self.table}_search"
                candidates = (
                    f"SELECT rowid AS id FROM {index} WHERE {index} MATCH {q.match()}"
                    f" ORDER BY rowid DESC LIMIT {CANDIDATES}"
                )
            source = f"({candidates}) c JOIN {self.table} {a} ON {a}.id = c.id{self.also}"
        shown = self.shown(q)
        if shown:
            conditions.append(shown)
        where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
        return f"SELECT ({tier}) * {SLOTS} + {slot} AS score, {a}.id AS id FROM {source}{where}"


def _user_tiers(q: Statement) -> str:
    exact = f"u.username = {q.value('handle', q.terms.handle)}"
    return (
        f"CASE WHEN {exact} THEN 100 WHEN {q.starts('u.username', 'handle')} THEN 90"
        f" WHEN {q.starts('u.display_name')} THEN 80 ELSE 60 END"
    )


def _track_tiers(q: Statement) -> str:
    return (
        f"CASE WHEN lower(k.title) = {q.typed()} THEN 85 WHEN {q.starts('k.title')} THEN 75"
        f" WHEN {q.starts('k.artist')} THEN 70 ELSE 50 END"
    )


def _postcard_tiers(q: Statement) -> str:
    place = q.starts("coalesce(p.place_name, '')")
    return f"CASE WHEN {place} THEN 45 ELSE 40 END"


def _place_tiers(q: Statement) -> str:
    return (
        f"CASE WHEN lower(w.name) = {q.typed()} THEN 85 WHEN {q.starts('w.name')} THEN 75"
        " ELSE 55 END"
    )


def _slot(kind: Kind) -> str:
    return f"r.score % {SLOTS} = {int(kind)}"


# The tiers, best first (README, "Search"):
# 100 the username is the query; 90 it begins with it; 85 a track's title or a place's
# name is the query; 80 a display name begins with it; 75 a title or a place's name begins
# with it; 70 an artist begins with it; 60 any other member, 55 any other place, 50 any
# other track, 45 a moment whose place begins with the query, 40 any other moment; 16-20
# (PostgreSQL) a name close to the query: 10 + its similarity x 10; 0 everything, for an
# empty query (searchUsers and searchTracks only).
BRANCHES: dict[Kind, Branch] = {
    Kind.USER: Branch(
        Kind.USER,
        "users",
        "u",
        _user_tiers,
        "u.username || ' ' || u.display_name",
        lambda q: visibility.profile_shown_sql(q.params, q.viewer_id, "u"),
        columns=lambda: aliased(User, "v"),
        joins=f"LEFT JOIN users v ON {_slot(Kind.USER)} AND v.id = r.id",
        make=lambda made, row: made.make(User, "v", row),
    ),
    Kind.TRACK: Branch(
        Kind.TRACK,
        "tracks",
        "k",
        _track_tiers,
        "k.title || ' ' || k.artist",
        lambda q: None,
        columns=lambda: aliased(Track, "k"),
        joins=f"LEFT JOIN tracks k ON {_slot(Kind.TRACK)} AND k.id = r.id",
        make=lambda made, row: made.make(Track, "k", row),
    ),
    Kind.POSTCARD: Branch(
        Kind.POSTCARD,
        "postcards",
        "p",
        _postcard_tiers,
        None,
        lambda q: visibility.shown_sql(q.viewer_id, q.params, "p.author_id", "a"),
        columns=postcard_columns,
        joins=(
            f"LEFT JOIN postcards p ON {_slot(Kind.POSTCARD)} AND p.id = r.id"
            " LEFT JOIN users u ON u.id = p.author_id LEFT JOIN tracks t ON t.id = p.track_id"
        ),
        make=postcard_of,
        also=" JOIN users a ON a.id = p.author_id",
    ),
    # a place is found only by whoever may see one of its moments, as in nearbyPlaces
    Kind.PLACE: Branch(
        Kind.PLACE,
        "places",
        "w",
        _place_tiers,
        "w.name",
        lambda q: places.seen_here(q.viewer_id, q.params, "w.id"),
        columns=lambda: aliased(Place, "pw"),
        joins=f"LEFT JOIN places pw ON {_slot(Kind.PLACE)} AND pw.id = r.id",
        make=lambda made, row: made.make(Place, "pw", row),
    ),
}


def _cursor(after: str | None) -> tuple[int, int] | None:
    if not after:
        return None
    score, row_id = decode_cursor(after, is_time=False)
    if not isinstance(score, int) or isinstance(score, bool) or not 0 <= score < MAX_RANK:
        raise BadCursor("`after` is not a valid cursor for this list.")
    if row_id <= 0:
        raise BadCursor("`after` is not a valid cursor for this list.")
    return score, row_id


def page_sql(q: Statement, kinds: Sequence[Kind], rows: int, cursor: tuple[int, int] | None) -> str:
    """The page's statement: the best `rows` of every kind asked, after the cursor, then
    each one's row (a moment with its author and track), in one statement."""
    branches = [BRANCHES[kind] for kind in sorted(kinds, reverse=True)]
    union = " UNION ALL ".join(branch.sql(q) for branch in branches)
    after = ""
    if cursor is not None:
        score, row_id = q.params.add(cursor[0]), q.params.add(cursor[1])
        after = f" WHERE x.score < {score} OR (x.score = {score} AND x.id < {row_id})"
    limit = q.params.add(rows)
    picked = (
        f"SELECT x.score, x.id FROM ({union}) x{after}"
        f" ORDER BY x.score DESC, x.id DESC LIMIT {limit}"
    )
    columns = ", ".join(branch.columns() for branch in branches)
    joins = " ".join(branch.joins for branch in branches)
    return (
        f"SELECT r.score AS score, r.id AS id, {columns} FROM ({picked}) r {joins}"
        " ORDER BY r.score DESC, r.id DESC"
    )


async def page(
    query: str,
    viewer: User | None,
    kinds: Sequence[Kind],
    first: int | None,
    after: str | None,
    *,
    everything_when_empty: bool = False,
) -> Page[Any]:
    """A page of results of the given kinds, best first. A query with no word in it finds
    nothing, or (`everything_when_empty`: searchUsers, searchTracks) every row, newest
    first."""
    size, cursor = check_first(first), _cursor(after)
    found = terms(query)
    if not found.words and not everything_when_empty:
        return Page(rows=[], cursors=[], has_next=False, has_previous=bool(after))
    q = Statement(Params(User), found, viewer.id if viewer else None)
    sql = page_sql(q, kinds, size + 1, cursor)
    fetched = await query_rows(User, sql, q.params.values)
    made = Joined(fetched)
    results, keys = [], []
    for row in fetched[:size]:
        score, row_id = int(made.value(row, "score")), int(made.value(row, "id"))
        results.append(BRANCHES[Kind(score % SLOTS)].make(made, row))
        keys.append((score, row_id))
    return Page(
        rows=results,
        cursors=Cursors(keys),
        has_next=len(fetched) > size,
        has_previous=bool(after),
    )
