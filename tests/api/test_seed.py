"""The demo-data seeder: sizes, exact counters, valid content, stored pictures, determinism,
ids after seeding, nothing written by a failed seed.

Self-contained: a fresh temporary SQLite file (its pictures in a folder beside it), or the
PostgreSQL database in DATABASE_URL (and the bucket of MEDIA_URL, when it names one)."""

import io
import os
import re
from collections import Counter, defaultdict
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from tortoise import Tortoise
from tortoise.contrib.test import TortoiseContext, truncate_all_models
from tortoise.functions import Count
from tortoise.migrations.api import migrate
from tortoise.models import Model

from media.store import Store
from models import (
    Comment,
    FeedEvent,
    Follow,
    Like,
    PhotoSource,
    Place,
    Playlist,
    PlaylistItem,
    Postcard,
    Track,
    User,
)
from resolvers.validate import track_dedupe_key
from server.app import close_media, media_store, open_media
from server.database import tortoise_config
from server.seed import SeedSizes, database_is_empty, pictures, seed
from server.settings import Settings

SIZES = SeedSizes(users=60, postcards=300, tracks=80, playlists_per_user=0.5, photos=6, avatars=4)
USERNAME = re.compile(r"[a-z0-9_.]{3,30}")
BASE62_22 = re.compile(r"[0-9A-Za-z]{22}")
COLOUR = re.compile(r"#[0-9a-f]{6}")
# What a JPEG can carry besides its pixels: none of it survives the pipeline.
METADATA = {"exif", "icc_profile", "xmp", "comment", "photoshop", "adobe"}


@pytest.fixture(scope="module")
async def seed_database(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    """Our own Tortoise context: an app that a conftest may run for the whole session keeps
    its context and connections, and gets them back after this module."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        url = f"sqlite://{Path(tmp_path_factory.mktemp('seed')) / 'seed.sqlite3'}"
    config = tortoise_config(url)
    async with TortoiseContext():
        await migrate(config=config)
        # migrate() initialises Tortoise without connections, which leaves querysets unusable.
        await Tortoise.init(config=config)
        yield url


@pytest.fixture(scope="module")
async def store(seed_database: str) -> AsyncIterator[Store]:
    """The store `soundpost seed` would use for this database (MEDIA_URL's, if set)."""
    media = media_store(Settings(database_url=seed_database))
    await open_media(media)
    yield media
    close_media(media)


@pytest.fixture
async def seed_counts(seed_database: str, store: Store) -> dict[str, int]:
    # Seeded per test: a conftest may empty all tables before every test.
    await truncate_all_models()
    assert await database_is_empty()
    counts = await seed(SIZES, store=store, rng_seed=11, progress=False)
    assert not await database_is_empty()
    return counts


async def _grouped(model: type[Model], key: str) -> dict[int, int]:
    rows = await model.annotate(n=Count("id")).group_by(key).values_list(key, "n")
    return {k: n for k, n in rows}


# --- one seed per test ----------------------------------------------------------------------


async def test_row_counts_match_sizes_and_the_returned_counts(seed_counts: dict[str, int]) -> None:
    assert await User.all().count() == SIZES.users == seed_counts["users"]
    assert await Postcard.all().count() == SIZES.postcards == seed_counts["postcards"]
    assert await FeedEvent.all().count() == SIZES.postcards == seed_counts["feed_events"]
    assert await Track.all().count() == SIZES.tracks == seed_counts["tracks"]
    assert await Playlist.all().count() == round(SIZES.users * SIZES.playlists_per_user)
    tables = {
        "follows": Follow,
        "likes": Like,
        "comments": Comment,
        "playlists": Playlist,
        "playlist_items": PlaylistItem,
    }
    for name, model in tables.items():
        assert await model.all().count() == seed_counts[name] > 0, name


async def test_user_counters_equal_their_rows(seed_counts: dict[str, int]) -> None:
    followers = await _grouped(Follow, "followee_id")
    following = await _grouped(Follow, "follower_id")
    postcards = await _grouped(Postcard, "author_id")
    users = await User.all().values_list(
        "id", "follower_count", "following_count", "postcard_count"
    )
    for user_id, follower_count, following_count, postcard_count in users:
        assert follower_count == followers.get(user_id, 0)
        assert following_count == following.get(user_id, 0)
        assert postcard_count == postcards.get(user_id, 0)
    assert sum(u[1] for u in users) == seed_counts["follows"]


async def test_postcard_and_playlist_counters_equal_their_rows(
    seed_counts: dict[str, int],
) -> None:
    likes = await _grouped(Like, "postcard_id")
    comments = await _grouped(Comment, "postcard_id")
    for postcard_id, like_count, comment_count in await Postcard.all().values_list(
        "id", "like_count", "comment_count"
    ):
        assert like_count == likes.get(postcard_id, 0)
        assert comment_count == comments.get(postcard_id, 0)
    items = await _grouped(PlaylistItem, "playlist_id")
    for playlist_id, item_count, version in await Playlist.all().values_list(
        "id", "item_count", "version"
    ):
        assert item_count == items.get(playlist_id, 0)
        assert version == item_count + 1


async def test_playlist_positions_are_dense_and_ordered_in_time(
    seed_counts: dict[str, int],
) -> None:
    by_playlist: dict[int, list[tuple[int, datetime]]] = defaultdict(list)
    for playlist_id, position, added_at in await PlaylistItem.all().values_list(
        "playlist_id", "position", "added_at"
    ):
        by_playlist[playlist_id].append((position, added_at))
    for entries in by_playlist.values():
        entries.sort()
        assert [p for p, _ in entries] == list(range(len(entries)))
        assert [a for _, a in entries] == sorted(a for _, a in entries)
    assert await PlaylistItem.filter(postcard_id__isnull=False).exists()
    assert await Playlist.filter(is_public=False).exists()


async def test_follow_graph_is_skewed_without_self_follows(seed_counts: dict[str, int]) -> None:
    pairs = await Follow.all().values_list("follower_id", "followee_id")
    assert all(a != b for a, b in pairs)
    assert len(set(pairs)) == len(pairs)
    counts = sorted(await User.all().values_list("follower_count", flat=True))
    assert counts[-1] >= 2 * counts[len(counts) // 2]  # a popular few


async def test_usernames_and_profiles_look_real(seed_counts: dict[str, int]) -> None:
    users = await User.all().values("username", "display_name", "avatar_url", "password_hash")
    usernames = [u["username"] for u in users]
    assert len(set(usernames)) == len(usernames)
    assert all(USERNAME.fullmatch(name) for name in usernames), usernames
    assert all(u["display_name"] for u in users)
    assert len({u["password_hash"] for u in users}) == 1
    assert users[0]["password_hash"].startswith("$argon2")
    assert all(u["avatar_url"] is None for u in users)  # no link to a picture elsewhere


async def test_tracks_have_spotify_ids_and_dedupe_keys(seed_counts: dict[str, int]) -> None:
    tracks = await Track.all().values("title", "artist", "spotify_id", "dedupe_key", "duration_ms")
    with_spotify = [t for t in tracks if t["spotify_id"]]
    assert len(with_spotify) > len(tracks) / 2
    for t in tracks:
        assert t["dedupe_key"] == track_dedupe_key(t["title"], t["artist"], t["spotify_id"])
        assert 120_000 <= t["duration_ms"] <= 420_000
    assert all(BASE62_22.fullmatch(t["spotify_id"]) for t in with_spotify)


async def test_postcards_have_varied_content_and_kept_timestamps(
    seed_counts: dict[str, int],
) -> None:
    postcards = await Postcard.all().values()
    now = datetime.now(UTC)
    sources = Counter(p["photo_source"] for p in postcards)
    assert {PhotoSource.UPLOAD, PhotoSource.INSTAGRAM, PhotoSource.WEB, None} <= set(sources)
    for p in postcards:
        assert len(p["caption"]) <= 500
        assert now - timedelta(days=90, minutes=5) <= p["created_at"] <= now
        assert p["updated_at"] == p["created_at"]  # not the moment of the bulk insert
        assert (p["photo"] is None) == (p["photo_source"] is None)
        if p["photo_source"] in (PhotoSource.UPLOAD, None):
            assert p["photo_url"] is None
        if p["photo_source"] == PhotoSource.INSTAGRAM:
            assert re.fullmatch(r"https://www\.instagram\.com/p/[\w-]{11}/", p["photo_url"])
        if p["photo_source"] == PhotoSource.WEB:
            assert p["photo_url"].startswith("https://images.unsplash.com/photo-")
        if p["place_name"] is None:
            assert p["place_latitude"] is None and p["place_foursquare_id"] is None
        else:
            assert -90 <= p["place_latitude"] <= 90 and -180 <= p["place_longitude"] <= 180
        if p["place_foursquare_id"]:
            assert re.fullmatch(r"[0-9a-f]{24}", p["place_foursquare_id"])
    assert any(p["caption"] == "" for p in postcards)
    assert any(p["place_name"] is None for p in postcards)
    assert any(p["place_foursquare_id"] for p in postcards)
    created = [p["created_at"] for p in postcards]
    assert max(created) - min(created) > timedelta(days=30)
    assert all(len(b) <= 1000 for b in await Comment.all().values_list("body", flat=True))


async def test_moments_are_at_places_whose_counts_and_copies_are_exact(
    seed_counts: dict[str, int],
) -> None:
    places = {place.id: place for place in await Place.all()}
    assert len(places) == seed_counts["places"] >= 40
    counted = await _grouped(Postcard, "place_id")
    assert {pk: place.postcard_count for pk, place in places.items()} == {
        pk: counted.get(pk, 0) for pk in places
    }
    for row in await Postcard.filter(place_id__not_isnull=True).values(
        "place_id", "place_name", "place_latitude", "place_longitude", "place_foursquare_id"
    ):
        place = places[row["place_id"]]
        assert (place.name, place.latitude, place.longitude, place.foursquare_venue_id) == (
            row["place_name"],
            row["place_latitude"],
            row["place_longitude"],
            row["place_foursquare_id"],
        )
    assert await Postcard.filter(place_id=None, place_name__not_isnull=True).count() == 0


async def test_feed_events_follow_postcards_in_time_order(seed_counts: dict[str, int]) -> None:
    events = (
        await FeedEvent.all()
        .order_by("id")
        .values_list("kind", "postcard_id", "author_id", "created_at")
    )
    postcards = {
        p[0]: p[1:] for p in await Postcard.all().values_list("id", "author_id", "created_at")
    }
    assert {e[1] for e in events} == set(postcards)
    for kind, postcard_id, author_id, created_at in events:
        assert kind == "POSTED"
        assert (author_id, created_at) == postcards[postcard_id]
    times = [e[3] for e in events]
    assert times == sorted(times)


async def test_related_rows_never_predate_what_they_refer_to(seed_counts: dict[str, int]) -> None:
    postcard_at = dict(await Postcard.all().values_list("id", "created_at"))
    user_at = dict(await User.all().values_list("id", "created_at"))
    for user_id, postcard_id, at in await Like.all().values_list(
        "user_id", "postcard_id", "created_at"
    ):
        assert at >= postcard_at[postcard_id] and at >= user_at[user_id]
    for author_id, created_at in await Postcard.all().values_list("author_id", "created_at"):
        assert created_at >= user_at[author_id]


def _rendition_sizes(photo: dict[str, Any]) -> list[tuple[int, int]]:
    return [(r["width"], r["height"]) for r in photo["renditions"]]


async def _check_stored(photo: dict[str, Any], store: Store) -> None:
    """Its renditions are in the store, metadata-free JPEGs of the sizes it says."""
    # 4x4 components: 36 characters
    assert len(photo["blurhash"]) == 36 and COLOUR.fullmatch(photo["dominant_color"])
    for rendition in photo["renditions"]:
        data = await store.get(rendition["key"])
        with Image.open(io.BytesIO(data)) as image:
            assert image.format == "JPEG"
            assert image.size == (rendition["width"], rendition["height"])
            assert not image.getexif()
            assert not METADATA & set(image.info), image.info.keys()


async def test_moments_have_stored_photos_shared_by_many(
    seed_counts: dict[str, int], store: Store
) -> None:
    postcards = await Postcard.all().values("photo", "photo_source", "photo_url")
    photos = [p["photo"] for p in postcards if p["photo"]]
    assert len(photos) > 0.8 * len(postcards)  # most moments have one
    sources = Counter(p["photo_source"] for p in postcards if p["photo"])
    assert sources[PhotoSource.UPLOAD] > sources[PhotoSource.INSTAGRAM] + sources[PhotoSource.WEB]
    assert sources[PhotoSource.INSTAGRAM] > 0 and sources[PhotoSource.WEB] > 0
    pictures = {photo["renditions"][0]["key"]: photo for photo in photos}
    assert 1 < len(pictures) <= SIZES.photos  # a few pictures, reused
    for photo in pictures.values():
        width, height = photo["width"], photo["height"]
        assert width >= 1080 and height >= 1080  # originals as a phone takes them
        sizes = _rendition_sizes(photo)
        assert [w for w, _ in sizes] == [1080, 640, 320]
        assert all(abs(h - height * w / width) <= 1 for w, h in sizes)
        await _check_stored(photo, store)
    alts = [photo["alt"] for photo in photos]
    assert None in alts
    described = [alt for alt in alts if alt]
    assert described and all(3 < len(alt) <= 80 for alt in described)


async def test_most_members_have_stored_square_avatars(
    seed_counts: dict[str, int], store: Store
) -> None:
    avatars = await User.all().values_list("avatar", flat=True)
    stored = [avatar for avatar in avatars if avatar]
    assert 0.7 * len(avatars) < len(stored) < len(avatars)
    pictures = {avatar["renditions"][0]["key"]: avatar for avatar in stored}
    assert 1 < len(pictures) <= SIZES.avatars
    for avatar in pictures.values():
        assert _rendition_sizes(avatar) == [(400, 400), (200, 200), (80, 80)]
        assert (avatar["width"], avatar["height"]) == (400, 400)
        await _check_stored(avatar, store)


# --- several seeds per test ----------------------------------------------------------------


async def test_same_seed_gives_the_same_data_and_another_seed_does_not(
    seed_database: str, store: Store
) -> None:
    async def usernames_after_fresh_seed(rng_seed: int) -> list[str]:
        await truncate_all_models()
        pictures.picture.cache_clear()  # drawn again, not remembered
        await seed(SIZES, store=store, rng_seed=rng_seed, progress=False)
        return [name for (name,) in await User.all().order_by("id").values_list("username")]

    async def stored() -> tuple[list[Any], list[Any]]:
        photos = await Postcard.all().order_by("id").values_list("photo", flat=True)
        avatars = await User.all().order_by("id").values_list("avatar", flat=True)
        return photos, avatars

    first = await usernames_after_fresh_seed(3)
    captions = await Postcard.all().order_by("id").values_list("caption", flat=True)
    first_pictures = await stored()
    assert await usernames_after_fresh_seed(3) == first
    assert await Postcard.all().order_by("id").values_list("caption", flat=True) == captions
    assert await stored() == first_pictures  # the same pixels, so the same keys
    assert await usernames_after_fresh_seed(4) != first
    keys = {photo["renditions"][0]["key"] for photo in (await stored())[0] if photo}
    assert keys.isdisjoint(photo["renditions"][0]["key"] for photo in first_pictures[0] if photo)


class BrokenStore:
    """A store that keeps a few files, then fails."""

    def __init__(self, store: Store, puts: int) -> None:
        self.store, self.puts = store, puts

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        if self.puts == 0:
            raise OSError("disk full")
        self.puts -= 1
        await self.store.put(key, data, content_type)


async def test_a_failed_seed_writes_no_row(seed_database: str, store: Store) -> None:
    await truncate_all_models()
    with pytest.raises(OSError, match="disk full"):
        await seed(SIZES, store=BrokenStore(store, puts=5), progress=False)  # type: ignore[arg-type]
    assert await database_is_empty()
    for model in (Track, Postcard, FeedEvent, Follow):
        assert not await model.exists()


async def test_ordinary_inserts_work_after_seeding(seed_database: str, store: Store) -> None:
    await truncate_all_models()
    await seed(SIZES, store=store, progress=False)
    last_seeded_event = await FeedEvent.all().order_by("-id").first()
    assert last_seeded_event is not None
    user = await User.create(username="afterseed", password_hash="x")
    track = await Track.create(title="t", artist="a", dedupe_key="t\x1fa")
    postcard = await Postcard.create(author=user, track=track)
    event = await FeedEvent.create(kind="POSTED", postcard_id=postcard.id, author_id=user.id)
    assert event.id > last_seeded_event.id  # the resume cursor keeps moving forward
    await Follow.create(follower=user, followee_id=last_seeded_event.author_id)
    await Like.create(user=user, postcard=postcard)
    await Comment.create(author=user, postcard=postcard, body="first")
    playlist = await Playlist.create(owner=user, title="p")
    await PlaylistItem.create(playlist=playlist, position=0, track=track, added_by=user)


async def test_seeding_a_non_empty_database_adds_to_it(seed_database: str, store: Store) -> None:
    await truncate_all_models()
    first = await seed(SIZES, store=store, progress=False)
    max_event = await FeedEvent.all().order_by("-id").first().values_list("id", flat=True)
    second = await seed(
        SIZES, store=store, progress=False
    )  # same seed: same names and the same catalogue
    assert second["tracks"] == 0  # every track reused by its dedupe key
    assert await User.all().count() == first["users"] + second["users"]
    usernames = [name for (name,) in await User.all().values_list("username")]
    assert len(set(usernames)) == len(usernames)
    assert all(USERNAME.fullmatch(name) for name in usernames)
    assert await FeedEvent.filter(id__gt=max_event).count() == second["feed_events"]
    followers = await _grouped(Follow, "followee_id")
    for user_id, follower_count in await User.all().values_list("id", "follower_count"):
        assert follower_count == followers.get(user_id, 0)
    await User.create(username="afterseed2", password_hash="x")
