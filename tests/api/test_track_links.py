"""Provider-neutral songs (issue 15 item 6): a track input takes a link on any supported
service and an ISRC; the same song arriving through two services is one Track whose links
accumulate; addTrackLink adds one (idempotent); a link already on another track resolves to
that track; anything else is refused and writes nothing. Links of a page of tracks come in
one statement."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from tortoise.exceptions import IntegrityError

from models import Track, TrackLink, TrackProvider
from tests.support.api import Api
from tests.support.sql import count_sql
from tests.support.tables import snapshot

TRACK = "track { id title isrc spotifyUri spotifyUrl links { provider url } }"
CREATE = f"""mutation ($input: CreatePostcardInput!) {{ createPostcard(input: $input) {{
  postcard {{ {TRACK} }} errors {{ field code }} }} }}"""
ADD_LINK = f"""mutation ($input: AddTrackLinkInput!) {{ addTrackLink(input: $input) {{
  {TRACK} errors {{ field message code }} }} }}"""
SONG = {"title": "Never Gonna Give You Up", "artist": "Rick Astley"}
SPOTIFY_ID = "4uLU6hMCjMI75M1A2tKUQC"
SPOTIFY = f"https://open.spotify.com/track/{SPOTIFY_ID}"
APPLE = "https://music.apple.com/us/song/1440857781"
APPLE_SHARED = "https://music.apple.com/us/album/never-gonna-give-you-up/1440857777?i=1440857781"
YOUTUBE = "https://youtube.com/watch?v=dQw4w9WgXcQ"
DEEZER = "https://deezer.com/track/3135556"


async def share(api: Api, token: str, track: dict[str, Any]) -> dict[str, Any]:
    """The track of a new moment of `track`."""
    payload = await api.mutate("createPostcard", CREATE, {"track": track}, token)
    return payload["postcard"]["track"]  # type: ignore[no-any-return]


async def add_link(api: Api, token: str, track_id: str, url: str) -> dict[str, Any]:
    body = await api.ok(ADD_LINK, {"input": {"trackId": track_id, "url": url}}, token)
    return body["addTrackLink"]  # type: ignore[no-any-return]


def links(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    return [{"provider": provider, "url": url} for provider, url in pairs]


@pytest.mark.parametrize(
    ("link", "provider", "canonical"),
    [
        (APPLE_SHARED, "APPLE_MUSIC", APPLE),
        ("https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=42s", "YOUTUBE", YOUTUBE),
        ("https://youtu.be/dQw4w9WgXcQ?si=Qx7", "YOUTUBE", YOUTUBE),
        ("https://music.youtube.com/watch?v=dQw4w9WgXcQ&feature=share", "YOUTUBE", YOUTUBE),
        ("https://www.deezer.com/fr/track/3135556?utm_source=deezer", "DEEZER", DEEZER),
        ("https://tidal.com/browse/track/77646170/u", "TIDAL", "https://tidal.com/track/77646170"),
        (
            "https://listen.tidal.com/track/77646170",
            "TIDAL",
            "https://tidal.com/track/77646170",
        ),
        (
            "https://m.soundcloud.com/Rick-Astley-Official/never-gonna-give-you-up-4?si=x",
            "SOUNDCLOUD",
            "https://soundcloud.com/rick-astley-official/never-gonna-give-you-up-4",
        ),
        (
            "https://nilsfrahm.bandcamp.com/track/says/",
            "BANDCAMP",
            "https://nilsfrahm.bandcamp.com/track/says",
        ),
    ],
)
async def test_a_moment_takes_a_link_on_any_supported_service(
    api: Api, link: str, provider: str, canonical: str
) -> None:
    maya = await api.sign_up("maya")
    track = await share(api, maya.token, {**SONG, "link": link})
    assert track["links"] == links((provider, canonical))
    assert (track["spotifyUri"], track["spotifyUrl"], track["isrc"]) == (None, None, None)
    assert await TrackLink.all().values_list("provider", "url") == [(provider, canonical)]


async def test_a_spotify_link_given_as_link_is_the_tracks_spotify_id(api: Api) -> None:
    maya = await api.sign_up("maya")
    track = await share(api, maya.token, {**SONG, "link": f"{SPOTIFY}?si=abc"})
    assert track["spotifyUri"] == f"spotify:track:{SPOTIFY_ID}"
    assert track["links"] == links(("SPOTIFY", SPOTIFY))
    assert await TrackLink.all().count() == 0  # Spotify's link is the track's spotify_id
    again = await share(api, maya.token, {**SONG, "spotifyUri": f"spotify:track:{SPOTIFY_ID}"})
    assert again == track


async def test_the_same_song_through_two_services_is_one_track_whose_links_accumulate(
    api: Api,
) -> None:
    maya, kofi, lena = (
        await api.sign_up("maya"),
        await api.sign_up("kofi"),
        await api.sign_up("lena"),
    )
    # given: maya shares it from Spotify
    first = await share(api, maya.token, {**SONG, "spotifyUrl": SPOTIFY})
    # when: kofi shares it from Apple Music (same title and artist, in other case and spacing),
    # lena from YouTube with its ISRC
    second = await share(
        api,
        kofi.token,
        {"title": "never gonna  give you up", "artist": "RICK ASTLEY", "link": APPLE_SHARED},
    )
    third = await share(api, lena.token, {**SONG, "link": YOUTUBE, "isrc": "GB-AYE-87-00033"})
    # then: one track, with every link and the ISRC
    assert first["id"] == second["id"] == third["id"]
    assert third["links"] == links(
        ("SPOTIFY", SPOTIFY), ("APPLE_MUSIC", APPLE), ("YOUTUBE", YOUTUBE)
    )
    assert third["isrc"] == "GBAYE8700033"
    assert third["title"] == "Never Gonna Give You Up"  # the first sharer's spelling stays
    assert await Track.all().count() == 1
    # and the ISRC alone now finds it, whatever the title says
    fourth = await share(
        api, maya.token, {"title": "NGGYU (Remaster)", "artist": "Rick", "isrc": "gbaye8700033"}
    )
    assert fourth["id"] == first["id"]
    # and so does its link alone
    fifth = await share(api, maya.token, {"title": "Other", "artist": "Other", "link": DEEZER})
    assert fifth["id"] != first["id"]
    assert await Track.all().count() == 2


async def test_a_link_on_another_track_makes_the_moment_that_tracks(api: Api) -> None:
    maya = await api.sign_up("maya")
    apple = await share(
        api, maya.token, {"title": "Harvest Moon", "artist": "Neil Young", "link": APPLE}
    )
    # a different title, but the link names the song
    again = await share(
        api, maya.token, {"title": "Harvest moon (live)", "artist": "N.Y.", "link": APPLE_SHARED}
    )
    assert again == apple
    assert await Track.all().count() == 1


async def test_another_spotify_id_or_isrc_is_another_recording(api: Api) -> None:
    maya = await api.sign_up("maya")
    album = await share(api, maya.token, {**SONG, "spotifyUrl": SPOTIFY, "isrc": "GBAYE8700033"})
    single = await share(
        api,
        maya.token,
        {**SONG, "spotifyUrl": "https://open.spotify.com/track/7GhIk7Il098yCjg4BQjzvb"},
    )
    assert single["id"] != album["id"]
    # another ISRC is not the album's recording: the single's, which had none
    remaster = await share(api, maya.token, {**SONG, "isrc": "GBARL1200001"})
    assert (remaster["id"], remaster["isrc"]) == (single["id"], "GBARL1200001")
    # and a third one is a track of its own
    live = await share(api, maya.token, {**SONG, "isrc": "USRC17607839"})
    assert live["id"] not in (album["id"], single["id"])
    # a title-only share is the first of them
    plain = await share(api, maya.token, SONG)
    assert plain["id"] == album["id"]
    assert await Track.all().count() == 3


@pytest.mark.parametrize(
    ("track", "errors"),
    [
        (
            {**SONG, "link": "https://music.apple.com/us/album/x/1440857777"},
            [(["track", "link"], "UNSUPPORTED_LINK")],
        ),
        (
            {**SONG, "link": "https://music.apple.com.evil.test/us/song/x/1"},
            [(["track", "link"], "UNSUPPORTED_LINK")],
        ),
        (
            {**SONG, "link": "https://www.youtube.com/playlist?list=PL1"},
            [(["track", "link"], "UNSUPPORTED_LINK")],
        ),
        ({**SONG, "link": "  "}, [(["track", "link"], "REQUIRED")]),
        ({**SONG, "isrc": "GB-AYE-87-0003"}, [(["track", "isrc"], "INVALID")]),
        (
            {
                **SONG,
                "spotifyUrl": SPOTIFY,
                "link": "https://open.spotify.com/track/7GhIk7Il098yCjg4BQjzvb",
            },
            [(["track"], "INVALID")],
        ),
        (
            {"title": "", "artist": "x", "link": "https://soundcloud.com/someone", "isrc": "x"},
            [
                (["track", "link"], "UNSUPPORTED_LINK"),
                (["track", "isrc"], "INVALID"),
                (["track", "title"], "REQUIRED"),
            ],
        ),
        ({"trackId": "VHJhY2s6OTk5", "link": DEEZER}, [(["track"], "INVALID")]),
    ],
)
async def test_bad_links_and_isrcs_are_refused_and_nothing_is_written(
    api: Api, track: dict[str, Any], errors: list[tuple[list[str], str]]
) -> None:
    maya = await api.sign_up("maya")
    before = await snapshot()
    body = await api.ok(CREATE, {"input": {"track": track}}, maya.token)
    assert body["createPostcard"]["postcard"] is None
    assert [(e["field"], e["code"]) for e in body["createPostcard"]["errors"]] == errors
    assert await snapshot() == before


async def test_add_track_link_adds_once(api: Api) -> None:
    maya, kofi = await api.sign_up("maya"), await api.sign_up("kofi")
    track = await share(api, maya.token, {**SONG, "spotifyUrl": SPOTIFY})
    # when: kofi adds its Deezer and Apple Music links
    added = await add_link(api, kofi.token, track["id"], "https://www.deezer.com/en/track/3135556/")
    assert added["errors"] == []
    assert added["track"]["links"] == links(("SPOTIFY", SPOTIFY), ("DEEZER", DEEZER))
    added = await add_link(api, kofi.token, track["id"], APPLE_SHARED)
    assert added["track"]["links"] == links(
        ("SPOTIFY", SPOTIFY), ("APPLE_MUSIC", APPLE), ("DEEZER", DEEZER)
    )
    # then: adding one again, in any of its forms, is a no-op
    before = await snapshot()
    for again in (APPLE, APPLE_SHARED, DEEZER, SPOTIFY, f"spotify:track:{SPOTIFY_ID}"):
        same = await add_link(api, maya.token, track["id"], again)
        assert same == added
    assert await snapshot() == before


async def test_add_track_link_of_a_link_on_another_track_answers_that_track(api: Api) -> None:
    maya = await api.sign_up("maya")
    rick = await share(api, maya.token, {**SONG, "link": YOUTUBE})
    other = await share(api, maya.token, {"title": "Harvest Moon", "artist": "Neil Young"})
    before = await snapshot()
    answer = await add_link(api, maya.token, other["id"], "https://youtu.be/dQw4w9WgXcQ")
    assert answer == {"track": rick, "errors": []}
    assert await snapshot() == before


async def test_add_track_link_sets_a_missing_spotify_link_and_refuses_a_second(api: Api) -> None:
    maya = await api.sign_up("maya")
    track = await share(api, maya.token, {**SONG, "link": DEEZER})
    added = await add_link(api, maya.token, track["id"], f"{SPOTIFY}?si=x")
    assert added["track"]["spotifyUrl"] == SPOTIFY
    assert added["track"]["links"] == links(("SPOTIFY", SPOTIFY), ("DEEZER", DEEZER))
    before = await snapshot()
    second = await add_link(
        api, maya.token, track["id"], "https://open.spotify.com/track/7GhIk7Il098yCjg4BQjzvb"
    )
    assert second == {
        "track": None,
        "errors": [
            {
                "field": ["url"],
                "message": f"This track has its Spotify link already: {SPOTIFY}.",
                "code": "CONFLICT",
            }
        ],
    }
    assert await snapshot() == before


@pytest.mark.parametrize(
    ("track_id", "url", "errors"),
    [
        (None, "https://www.deezer.com/album/302127", [(["url"], "UNSUPPORTED_LINK")]),
        (
            None,
            "https://soundcloud.com/rick-astley-official/sets/hits",
            [(["url"], "UNSUPPORTED_LINK")],
        ),
        (None, "https://deezer.com.evil.test/track/1", [(["url"], "UNSUPPORTED_LINK")]),
        (None, "", [(["url"], "REQUIRED")]),
        ("VHJhY2s6OTk5", DEEZER, [(["trackId"], "NOT_FOUND")]),
        ("VXNlcjox", DEEZER, [(["trackId"], "NOT_FOUND")]),  # a User's id
        # the link is checked before the track is looked for; an id of no Track, together
        ("VHJhY2s6OTk5", "https://example.com/", [(["url"], "UNSUPPORTED_LINK")]),
        (
            "VXNlcjox",
            "https://example.com/",
            [(["url"], "UNSUPPORTED_LINK"), (["trackId"], "NOT_FOUND")],
        ),
    ],
)
async def test_add_track_link_refusals_write_nothing(
    api: Api, track_id: str | None, url: str, errors: list[tuple[list[str], str]]
) -> None:
    maya = await api.sign_up("maya")
    track = await share(api, maya.token, SONG)
    before = await snapshot()
    answer = await add_link(api, maya.token, track_id or track["id"], url)
    assert answer["track"] is None
    assert [(e["field"], e["code"]) for e in answer["errors"]] == errors
    assert await snapshot() == before


async def test_add_track_link_needs_a_token(api: Api) -> None:
    maya = await api.sign_up("maya")
    track = await share(api, maya.token, SONG)
    body = await api.raw(ADD_LINK, {"input": {"trackId": track["id"], "url": DEEZER}})
    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["UNAUTHENTICATED"]
    assert await TrackLink.all().count() == 0


async def test_a_track_has_at_most_twenty_links(api: Api) -> None:
    maya = await api.sign_up("maya")
    track = await share(api, maya.token, SONG)
    for n in range(20):
        assert (await add_link(api, maya.token, track["id"], f"https://deezer.com/track/{n + 1}"))[
            "errors"
        ] == []
    before = await snapshot()
    full = await add_link(api, maya.token, track["id"], DEEZER)
    assert [(e["field"], e["code"]) for e in full["errors"]] == [(["url"], "LIMIT_REACHED")]
    assert await snapshot() == before


async def test_the_database_keeps_a_link_one_tracks(app: object) -> None:
    one = await Track.create(title="a", artist="b", dedupe_key="a\x1fb", song_key="a\x1fb")
    two = await Track.create(title="c", artist="d", dedupe_key="c\x1fd", song_key="c\x1fd")
    await TrackLink.create(track=one, provider=TrackProvider.DEEZER, url=DEEZER)
    with pytest.raises(IntegrityError):
        await TrackLink.create(track=two, provider=TrackProvider.DEEZER, url=DEEZER)
    await Track.create(title="e", artist="f", dedupe_key="e", isrc="GBAYE8700033")
    with pytest.raises(IntegrityError):
        await Track.create(title="g", artist="h", dedupe_key="g", isrc="GBAYE8700033")


SEARCH = '{ searchTracks(query: "Song", first: 50) { edges { node { title links { url } } } } }'


async def test_links_of_a_page_of_tracks_take_one_statement(api: Api) -> None:
    maya = await api.sign_up("maya")
    counts = {}
    for size in (2, 12):
        while len(await Track.all()) < size:
            n = await Track.all().count()
            await share(
                api,
                maya.token,
                {"title": f"Song {n}", "artist": "A", "link": f"https://deezer.com/track/{n + 1}"},
            )
        with count_sql() as sql:
            page = await api.ok(SEARCH)
        assert [len(edge["node"]["links"]) for edge in page["searchTracks"]["edges"]] == [1] * size
        counts[size] = len([text for text in sql.texts if "track_links" in text])
    assert counts == {2: 1, 12: 1}


async def test_the_same_new_song_shared_at_once_is_one_track_with_one_link(api: Api) -> None:
    # given: five members sharing a song nobody shared yet, at the same moment, from Apple
    # Music and under spellings of their own
    members = [await api.sign_up(f"fan{n}") for n in range(5)]
    spellings = ["Never Gonna Give You Up", "never gonna give you up", "NEVER GONNA GIVE YOU UP"]
    shares = [
        share(
            api,
            who.token,
            {"title": spellings[n % 3], "artist": "Rick Astley", "link": APPLE_SHARED},
        )
        for n, who in enumerate(members)
    ]
    # when
    tracks = await asyncio.gather(*shares)
    # then: one track, one link (a lost race takes the winner's track)
    assert len({track["id"] for track in tracks}) == 1
    assert await Track.all().count() == 1
    assert await TrackLink.all().values_list("provider", "url") == [("APPLE_MUSIC", APPLE)]
