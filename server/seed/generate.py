"""Generating the demo data in memory: plain rows with local 0-based indices (`Plan`),
drawn from `server/seed/data.py` with a seeded random generator (`Generator`)."""

from __future__ import annotations

import hashlib
import math
import random
import re
import unicodedata
from bisect import bisect
from collections.abc import Callable, Sequence
from itertools import accumulate

from rich.progress import Progress

from models import PhotoSource
from resolvers.validate import track_dedupe_key
from server.seed import data
from server.seed.plan import (
    PlaceRow,
    Plan,
    PlaylistRow,
    PostcardRow,
    SeedSizes,
    TrackRow,
    UserRow,
)

DAY = 86_400
BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


class Generator:
    """Draws a whole plan from one seeded random generator: the same seed, the same data."""

    def __init__(
        self, sizes: SeedSizes, rng: random.Random, now: int, taken: set[str], bar: Progress
    ) -> None:
        self.sizes = sizes
        self.rng = rng
        self.now = now
        self.taken = set(taken)
        self.bar = bar
        self.next_suffix: dict[str, int] = {}
        # Filled by the steps of run(), in order.
        self.users: list[UserRow] = []
        self.followers_of: list[list[int]] = []
        self.following_of: list[list[int]] = []
        self.follows: list[tuple[int, int, int]] = []
        self.tracks: list[TrackRow] = []
        self.postcards: list[PostcardRow] = []
        self.postcards_of: list[list[int]] = []
        self.likes: list[tuple[int, int, int]] = []
        self.comments: list[tuple[int, int, str, int]] = []
        self.playlists: list[PlaylistRow] = []
        self.items: list[tuple[int, int, int, int | None, int]] = []
        self.places: list[PlaceRow] = []
        self.place_popularity: list[float] = []

    def run(self) -> Plan:
        steps: list[tuple[str, Callable[[], None]]] = [
            ("users", self.make_users),
            ("follow graph", self.make_follows),
            ("track catalogue", self.make_catalogue),
            ("places", self.make_places),
            ("postcards", self.make_postcards),
            ("likes", self.make_likes),
            ("comments", self.make_comments),
            ("playlists", self.make_playlists),
            ("track dates", self.date_tracks),
        ]
        task = self.bar.add_task("Generating", total=len(steps))
        for name, step in steps:
            self.bar.update(task, description=f"Generating {name}")
            step()
            self.bar.advance(task)
        self.bar.update(task, description="Generated")
        return Plan(
            self.users,
            self.tracks,
            self.follows,
            self.postcards,
            self.likes,
            self.comments,
            self.playlists,
            self.items,
            self.places,
        )

    # -- helpers

    def around(self, mean: float, sigma: float) -> int:
        """A skewed non-negative integer with the given mean (lognormal, stochastic rounding)."""
        if mean <= 0:
            return 0
        x = self.rng.lognormvariate(math.log(mean) - sigma * sigma / 2, sigma)
        return int(x + self.rng.random())

    def between(self, lo: int, hi: int) -> int:
        return lo + self.rng.randrange(max(hi - lo, 0) + 1)

    def soon_after(self, ts: int, mean_delay: float) -> int:
        return min(self.now, ts + int(self.rng.expovariate(1 / mean_delay)))

    def zipf_cumulative(self, n: int, alpha: float) -> list[float]:
        """Cumulative weights of a Zipf popularity over a shuffled order (rank ≠ index)."""
        order = list(range(n))
        self.rng.shuffle(order)
        weights = [0.0] * n
        for rank, index in enumerate(order):
            weights[index] = 1 / (rank + 1) ** alpha
        return list(accumulate(weights))

    def pick(self, cumulative: Sequence[float]) -> int:
        return bisect(cumulative, self.rng.random() * cumulative[-1])

    def distinct(self, k: int, n: int, exclude: int, draw: Callable[[], int]) -> list[int]:
        """k distinct values of range(n) other than `exclude`, drawn with `draw`; when the
        draws keep repeating (a small population), the rest is filled uniformly."""
        k = min(k, n - 1 if 0 <= exclude < n else n)
        chosen: dict[int, None] = {}
        attempts = 0
        while len(chosen) < k and attempts < 4 * k + 16:
            attempts += 1
            value = draw()
            if value != exclude:
                chosen[value] = None
        if len(chosen) < k:
            rest = [v for v in range(n) if v != exclude and v not in chosen]
            chosen.update(dict.fromkeys(self.rng.sample(rest, k - len(chosen))))
        return list(chosen)

    def unique_username(self, base: str) -> str:
        base = base[:30].strip("._")
        if len(base) < 3:
            base = (base + "000")[:3]
        name = base
        while name in self.taken:
            suffix = self.next_suffix.get(base, 2)
            self.next_suffix[base] = suffix + 1
            name = base[: 30 - len(str(suffix))] + str(suffix)
        self.taken.add(name)
        return name

    def random_username(self) -> str:
        return self.users[self.rng.randrange(len(self.users))].username

    # -- steps

    def make_users(self) -> None:
        rng = self.rng
        users = []
        for _ in range(self.sizes.users):
            first, last = rng.choice(data.FIRST_NAMES), rng.choice(data.LAST_NAMES)
            base, display = self.username_pattern(first, last)
            username = self.unique_username(base)
            bio = rng.choice(data.BIOS).format(
                city=rng.choice(data.CITIES), artist=rng.choice(data.ARTISTS)
            )
            avatar = self.picture(self.sizes.avatars, 0.85)
            # Most members joined before the 90-day postcard window, some during it.
            age = (
                rng.randrange(DAY, 90 * DAY)
                if rng.random() < 0.15
                else rng.randrange(90 * DAY, 3 * 365 * DAY)
            )
            user = UserRow(username, first, display, bio, self.now - age, avatar)
            user.avatar_alt = avatar is not None and rng.random() < 0.2
            users.append(user)
        users.sort(key=lambda u: u.created)  # ids in sign-up order, like production
        self.users = users

    def username_pattern(self, first: str, last: str) -> tuple[str, str]:
        rng = self.rng
        f, la = _ascii_slug(first), _ascii_slug(last)
        full = f"{first} {last}"
        r = rng.random()
        if r < 0.25:
            return f"{f}.{la}", full
        if r < 0.37:
            return f"{f}_{la}", full
        if r < 0.47:
            return f"{f}{la}", full
        if r < 0.55:
            return f"{f}.{la[0]}", f"{first} {last[0]}."
        if r < 0.63:
            return f"dj_{f}", f"DJ {first}"
        if r < 0.73:
            sep = rng.choice("._")
            return f"{f}{sep}{rng.choice(data.NICK_SUFFIXES)}", first
        if r < 0.80:
            sep = rng.choice(("", ".", "_"))
            return f"{rng.choice(data.NICK_PREFIXES)}{sep}{f}", first
        if r < 0.90:
            return f"{f}{rng.randrange(70, 100)}", full
        return f"{la}.{f}", full

    def make_follows(self) -> None:
        n = len(self.users)
        popularity = self.zipf_cumulative(n, 0.8)
        rng = self.rng

        def draw() -> int:
            # Mostly by popularity (a few members followed by many), partly anyone at all.
            return self.pick(popularity) if rng.random() < 0.7 else rng.randrange(n)

        follows = []
        for u, user in enumerate(self.users):
            for v in self.distinct(self.around(self.sizes.follows_per_user, 0.9), n, u, draw):
                lo = max(user.created, self.users[v].created)
                follows.append((u, v, self.between(lo, self.now)))
        follows.sort(key=lambda f: f[2])
        self.followers_of = [[] for _ in range(n)]
        self.following_of = [[] for _ in range(n)]
        for u, v, _ in follows:
            self.followers_of[v].append(u)
            self.following_of[u].append(v)
        for i, user in enumerate(self.users):
            user.follower_count = len(self.followers_of[i])
            user.following_count = len(self.following_of[i])
        self.follows = follows

    def make_catalogue(self) -> None:
        rng = self.rng
        albums = {
            artist: [self.album_title() for _ in range(rng.randint(1, 3))]
            for artist in data.ARTISTS
        }
        tracks: list[TrackRow] = []
        keys: set[str] = set()
        attempts = 0
        while len(tracks) < self.sizes.tracks and attempts < 20 * self.sizes.tracks:
            attempts += 1
            artist = rng.choice(data.ARTISTS)
            title = self.track_title(artist)
            spotify_id = _spotify_id(title, artist)
            key = track_dedupe_key(title, artist, spotify_id)
            if key in keys:
                continue
            keys.add(key)
            album = rng.choice(albums[artist]) if rng.random() < 0.85 else None
            slug = f"{_ascii_slug(artist)}-{_ascii_slug(album or title)}"
            artwork = f"https://picsum.photos/seed/{slug}/640/640" if rng.random() < 0.95 else None
            duration = int(rng.triangular(120_000, 420_000, 210_000))
            tracks.append(TrackRow(title, artist, album, duration, artwork, spotify_id, key))
        self.tracks = tracks

    def track_title(self, artist: str) -> str:
        rng = self.rng
        r = rng.random()
        if r < 0.45:
            title = f"{rng.choice(data.TITLE_ADJECTIVES)} {rng.choice(data.TITLE_NOUNS)}"
        elif r < 0.85:
            title = rng.choice(data.TITLE_PHRASES)
        else:
            title = rng.choice(data.TITLE_NOUNS + data.TITLE_ADJECTIVES)
        if rng.random() < 0.12:
            other = rng.choice([a for a in data.ARTISTS if a != artist])
            title += rng.choice(data.TITLE_DECORATIONS).format(other=other)
        return title

    def album_title(self) -> str:
        rng = self.rng
        return rng.choice(data.ALBUM_PATTERNS).format(
            adj=rng.choice(data.TITLE_ADJECTIVES),
            noun=rng.choice(data.TITLE_NOUNS),
            noun2=rng.choice(data.TITLE_NOUNS),
            city=rng.choice(data.CITIES),
            num=rng.randint(2, 4),
        )

    def make_places(self) -> None:
        """The landmarks of data.PLACES, and everyday places clustered around the cities
        (normally spread, a few kilometres from each centre); popularity Zipf-like, so a
        few places hold many moments and most hold a handful. Drawn from a generator of
        their own, so the rest of a seed's content is what it was before places."""
        rng = random.Random(self.rng.getstate()[1][0])
        for name, lat, lng, has_fsq in data.PLACES:
            fsq = hashlib.sha1(name.encode()).hexdigest()[:24] if has_fsq else None
            self.places.append(PlaceRow(name, lat, lng, fsq))
        everyday = max(self.sizes.places, self.sizes.postcards // 40)
        for n in range(everyday):
            city, lat, lng, spread_km = rng.choice(data.CITY_CENTRES)
            north_km, east_km = rng.gauss(0, spread_km), rng.gauss(0, spread_km)
            lat = max(-89.9, min(89.9, lat + north_km / 111.2))
            lng += east_km / (111.2 * math.cos(math.radians(lat)))
            lng = (lng + 180) % 360 - 180
            name = f"{rng.choice(data.VENUE_WORDS)} {rng.choice(data.VENUE_KINDS)}, {city}"
            fsq = (
                hashlib.sha1(f"{name}:{n}".encode()).hexdigest()[:24]
                if rng.random() < 0.6
                else None
            )
            self.places.append(PlaceRow(name, round(lat, 6), round(lng, 6), fsq))
        self.place_popularity = self.zipf_cumulative(len(self.places), 1.0)

    def make_postcards(self) -> None:
        rng, now = self.rng, self.now
        self.postcards_of = [[] for _ in self.users]
        if not self.users or not self.tracks:
            return
        activity = list(accumulate(rng.lognormvariate(0, 1.1) for _ in self.users))
        hits = self.zipf_cumulative(len(self.tracks), 0.9)
        window_start = now - 90 * DAY
        postcards = []
        for _ in range(self.sizes.postcards):
            author = self.pick(activity)
            created = self.between(max(self.users[author].created, window_start), now)
            postcards.append(PostcardRow(author, self.pick(hits), created))
        postcards.sort(key=lambda p: p.created)
        for i, postcard in enumerate(postcards):
            self.users[postcard.author].postcard_count += 1
            self.postcards_of[postcard.author].append(i)
            self.decorate(postcard)
        self.postcards = postcards

    def decorate(self, postcard: PostcardRow) -> None:
        rng = self.rng
        if rng.random() < 0.72:
            postcard.place = self.pick(self.place_popularity)
            self.places[postcard.place].postcard_count += 1
        self.photograph(postcard)
        if rng.random() < 0.15:
            return
        track = self.tracks[postcard.track]
        place = (
            self.places[postcard.place].name.split(",")[0]
            if postcard.place is not None
            else rng.choice(data.CITIES)
        )
        caption = rng.choice(data.CAPTIONS).format(
            track=track.title, artist=track.artist, place_short=place, friend=self.random_username()
        )
        if rng.random() < 0.3:
            caption += " " + rng.choice(data.EMOJIS)
        if rng.random() < 0.2:
            caption += " " + " ".join(rng.sample(data.CAPTION_EXTRAS, rng.randint(1, 4)))
        postcard.caption = _clip(caption, 500)

    def picture(self, count: int, share: float) -> int | None:
        """One of `count` pictures for `share` of the rows (None for the others)."""
        if not count or self.rng.random() >= share:
            return None
        return self.rng.randrange(count)

    def photograph(self, postcard: PostcardRow) -> None:
        """Most moments have a photo, mostly their author's upload, else imported from an
        Instagram post or a web picture (whose link the moment keeps): a stored copy all
        the same. Some have their picture's description for alt text."""
        rng = self.rng
        postcard.photo = self.picture(self.sizes.photos, 0.87)
        if postcard.photo is None:
            return
        postcard.photo_alt = rng.random() < 0.4
        r = rng.random()
        if r < 0.63:
            postcard.photo_source = PhotoSource.UPLOAD
        elif r < 0.86:
            code = "".join(rng.choices(BASE62 + "_-", k=11))
            postcard.photo_source = PhotoSource.INSTAGRAM
            postcard.photo_url = f"https://www.instagram.com/p/{code}/"
        else:
            photo = f"{rng.randrange(10**12, 10**13)}-{rng.randbytes(6).hex()}"
            postcard.photo_source = PhotoSource.WEB
            postcard.photo_url = f"https://images.unsplash.com/photo-{photo}?w=1080&q=80"

    def make_likes(self) -> None:
        rng, n = self.rng, len(self.users)
        weights = [
            rng.lognormvariate(0, 0.75) * math.sqrt(self.users[p.author].follower_count + 1)
            for p in self.postcards
        ]
        likes = []
        counts = self.scaled_counts(weights, self.sizes.likes_per_postcard)
        for i, (postcard, count) in enumerate(zip(self.postcards, counts, strict=True)):
            followers = self.followers_of[postcard.author]

            def draw(followers: list[int] = followers) -> int:
                if followers and rng.random() < 0.7:
                    return followers[rng.randrange(len(followers))]
                return rng.randrange(n)

            likers = self.distinct(count, n, postcard.author, draw)
            postcard.like_count = len(likers)
            for u in likers:
                start = max(postcard.created, self.users[u].created)
                likes.append((u, i, self.soon_after(start, 8 * 3600)))
        likes.sort(key=lambda like: like[2])
        self.likes = likes

    def make_comments(self) -> None:
        rng, n = self.rng, len(self.users)
        weights = [
            rng.lognormvariate(0, 1.0) * (self.users[p.author].follower_count + 1) ** 0.3
            for p in self.postcards
        ]
        comments = []
        counts = self.scaled_counts(weights, self.sizes.comments_per_postcard)
        for i, (postcard, count) in enumerate(zip(self.postcards, counts, strict=True)):
            followers = self.followers_of[postcard.author]
            at = postcard.created
            for _ in range(count):
                r = rng.random()
                if r < 0.12:
                    author = postcard.author  # replying under their own postcard
                elif followers and r < 0.7:
                    author = followers[rng.randrange(len(followers))]
                else:
                    author = rng.randrange(n)
                at = self.soon_after(max(at, self.users[author].created), 6 * 3600)
                comments.append((i, author, self.comment_body(postcard), at))
            postcard.comment_count = count
        comments.sort(key=lambda c: c[3])
        self.comments = comments

    def comment_body(self, postcard: PostcardRow) -> str:
        rng = self.rng
        body = rng.choice(data.COMMENTS).format(
            friend=self.random_username(), artist=self.tracks[postcard.track].artist
        )
        if rng.random() < 0.1:
            body += " " + " ".join(rng.sample(data.COMMENT_EXTRAS, rng.randint(1, 3)))
        return _clip(body, 1000)

    def scaled_counts(self, weights: list[float], mean: float) -> list[int]:
        """Per-row counts proportional to `weights` whose expected mean is `mean`."""
        total = sum(weights)
        if not total or mean <= 0:
            return [0] * len(weights)
        scale = mean * len(weights) / total
        return [int(w * scale + self.rng.random()) for w in weights]

    def make_playlists(self) -> None:
        rng, now = self.rng, self.now
        if not self.users or not self.tracks:
            return
        activity = list(accumulate(rng.lognormvariate(0, 0.8) for _ in self.users))
        playlists = []
        for _ in range(round(len(self.users) * self.sizes.playlists_per_user)):
            owner = self.pick(activity)
            created = self.between(self.users[owner].created, now)
            playlists.append(PlaylistRow(owner, created))
        playlists.sort(key=lambda p: p.created)
        self.playlists = playlists
        hits = self.zipf_cumulative(len(self.tracks), 0.7)
        for index, playlist in enumerate(playlists):
            first_name = self.users[playlist.owner].first_name
            city, artist = rng.choice(data.CITIES), rng.choice(data.ARTISTS)
            playlist.title = _clip(
                rng.choice(data.PLAYLIST_TITLES).format(first=first_name, city=city), 100
            )
            playlist.description = rng.choice(data.PLAYLIST_DESCRIPTIONS).format(
                artist=artist, city=city
            )
            playlist.is_public = rng.random() < 0.8
            self.fill_playlist(index, playlist, hits)

    def fill_playlist(self, index: int, playlist: PlaylistRow, hits: list[float]) -> None:
        rng = self.rng
        size = min(self.around(self.sizes.items_per_playlist, 0.6), 100, len(self.tracks))
        friends_with_posts = [f for f in self.following_of[playlist.owner] if self.postcards_of[f]]
        used: set[int] = set()
        at = playlist.created
        for position in range(size):
            source: int | None = None
            track: int | None = None
            if self.postcards and rng.random() < 0.35:
                if friends_with_posts and rng.random() < 0.7:
                    posts = self.postcards_of[rng.choice(friends_with_posts)]
                    source = posts[rng.randrange(len(posts))]
                else:
                    source = rng.randrange(len(self.postcards))
                track = self.postcards[source].track
                if track in used:
                    source = track = None
            if track is None:
                track = self.pick(hits)
                while track in used:
                    track = rng.randrange(len(self.tracks))
            used.add(track)
            # Spread the additions over the playlist's life so far, not all at its start.
            gap = max(60, (self.now - at) // (size - position + 1))
            at += rng.randrange(60, 2 * gap + 1)
            if source is not None:
                at = max(at, self.postcards[source].created + rng.randrange(60, DAY))
            at = min(at, self.now)
            self.items.append((index, position, track, source, at))
        playlist.item_count = size
        playlist.updated = at

    def date_tracks(self) -> None:
        """A track row appears when it is first shared or added to a playlist; tracks nobody
        used yet were imported before the postcard window."""
        first_use: dict[int, int] = {}
        uses = [(p.track, p.created) for p in self.postcards]
        uses += [(track, at) for _, _, track, _, at in self.items]
        for index, at in uses:
            first_use[index] = min(first_use.get(index, at), at)
        for index, track in enumerate(self.tracks):
            unused_since = self.now - self.rng.randrange(91 * DAY, 365 * DAY)
            track.created = first_use.get(index, unused_since)


def _ascii_slug(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", folded.lower())


def _spotify_id(title: str, artist: str) -> str | None:
    """A stable fake Spotify id (22 base62 chars) for most songs, derived from the song
    itself, so the same song always gets the same id whatever the rng seed."""
    digest = hashlib.sha256(f"{artist}\x1f{title}".encode()).digest()
    if digest[-1] < 256 * 0.15:
        return None
    number = int.from_bytes(digest[:17])
    chars = []
    for _ in range(22):
        number, rest = divmod(number, 62)
        chars.append(BASE62[rest])
    return "".join(chars)


def _clip(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0] + "…"
