"""Song links (resolvers/links.py): every form each service is accepted in, the one
canonical link it becomes, and the near misses (albums, playlists, artist pages, other and
lookalike hosts) that are no song's; ISRCs; and what a link resolver's answer names."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models import TrackProvider
from resolvers.errors import InputError
from resolvers.link_resolver import Found, ResolverError, read_answer
from resolvers.links import Link, clean_isrc, parse, song_link, spotify_track_id

SPOTIFY_ID = "4uLU6hMCjMI75M1A2tKUQC"
SPOTIFY = f"https://open.spotify.com/track/{SPOTIFY_ID}"
APPLE = "https://music.apple.com/us/song/1440857781"
YOUTUBE = "https://youtube.com/watch?v=dQw4w9WgXcQ"
DEEZER = "https://deezer.com/track/3135556"
TIDAL = "https://tidal.com/track/77646170"
SOUNDCLOUD = "https://soundcloud.com/rick-astley-official/never-gonna-give-you-up-4"
BANDCAMP = "https://nilsfrahm.bandcamp.com/track/says"

ACCEPTED = [
    # (as a member pastes it, the provider, the canonical link)
    (SPOTIFY, "SPOTIFY", SPOTIFY),
    (f"https://open.spotify.com/track/{SPOTIFY_ID}?si=1a2b3c", "SPOTIFY", SPOTIFY),
    (f"https://open.spotify.com/intl-de/track/{SPOTIFY_ID}", "SPOTIFY", SPOTIFY),
    (f"http://OPEN.SPOTIFY.COM/track/{SPOTIFY_ID}/", "SPOTIFY", SPOTIFY),
    (f"spotify:track:{SPOTIFY_ID}", "SPOTIFY", SPOTIFY),
    (
        "https://music.apple.com/us/album/never-gonna-give-you-up/1440857777?i=1440857781",
        "APPLE_MUSIC",
        APPLE,
    ),
    ("https://music.apple.com/us/song/never-gonna-give-you-up/1440857781", "APPLE_MUSIC", APPLE),
    (
        "https://music.apple.com/US/album/x/1440857777?i=1440857781&l=en&ls=1&at=1000lHKX",
        "APPLE_MUSIC",
        APPLE,
    ),
    # how song.link answers
    (
        "https://geo.music.apple.com/us/album/_/1440857777?i=1440857781&mt=1&app=music&ls=1",
        "APPLE_MUSIC",
        APPLE,
    ),
    (
        "https://music.apple.com/gb/album/x/1440857777?i=1440857781",
        "APPLE_MUSIC",
        "https://music.apple.com/gb/song/1440857781",
    ),
    ("https://www.youtube.com/watch?v=dQw4w9WgXcQ", "YOUTUBE", YOUTUBE),
    ("https://youtube.com/watch?v=dQw4w9WgXcQ&t=42s&list=PL1234&si=abc", "YOUTUBE", YOUTUBE),
    ("https://m.youtube.com/watch?v=dQw4w9WgXcQ", "YOUTUBE", YOUTUBE),
    ("https://youtu.be/dQw4w9WgXcQ?si=Qx7", "YOUTUBE", YOUTUBE),
    ("https://music.youtube.com/watch?v=dQw4w9WgXcQ&feature=share", "YOUTUBE", YOUTUBE),
    ("https://www.deezer.com/track/3135556", "DEEZER", DEEZER),
    ("https://deezer.com/fr/track/3135556?utm_source=deezer&utm_medium=share", "DEEZER", DEEZER),
    ("https://www.deezer.com/pt-br/track/3135556/", "DEEZER", DEEZER),
    ("https://tidal.com/track/77646170", "TIDAL", TIDAL),
    ("https://tidal.com/browse/track/77646170/u", "TIDAL", TIDAL),
    ("https://listen.tidal.com/track/77646170", "TIDAL", TIDAL),
    ("https://www.tidal.com/browse/track/77646170?play=true", "TIDAL", TIDAL),
    (SOUNDCLOUD, "SOUNDCLOUD", SOUNDCLOUD),
    (
        "https://m.soundcloud.com/Rick-Astley-Official/Never-Gonna-Give-You-Up-4/?si=abc&utm_source=x",
        "SOUNDCLOUD",
        SOUNDCLOUD,
    ),
    (
        "https://soundcloud.com/someone/a-demo/s-AbC123xyz",
        "SOUNDCLOUD",
        "https://soundcloud.com/someone/a-demo/s-AbC123xyz",
    ),
    (BANDCAMP, "BANDCAMP", BANDCAMP),
    ("http://NilsFrahm.Bandcamp.com/track/says/?from=embed#t=1", "BANDCAMP", BANDCAMP),
    ("  https://www.nilsfrahm.bandcamp.com/track/says  ", "BANDCAMP", BANDCAMP),
]


@pytest.mark.parametrize(("text", "provider", "canonical"), ACCEPTED)
def test_every_accepted_form_becomes_its_one_canonical_link(
    text: str, provider: str, canonical: str
) -> None:
    link = parse(text)
    assert link is not None
    assert (link.provider, link.url) == (TrackProvider(provider), canonical)
    assert parse(canonical) == link  # the canonical form is a fixed point


REFUSED = [
    # albums, playlists, artists: not one song
    f"https://open.spotify.com/album/{SPOTIFY_ID}",
    f"https://open.spotify.com/playlist/{SPOTIFY_ID}",
    f"https://open.spotify.com/artist/{SPOTIFY_ID}",
    "https://open.spotify.com/track/tooShort",
    f"spotify:album:{SPOTIFY_ID}",
    "https://spotify.link/abc123",
    "https://music.apple.com/us/album/never-gonna-give-you-up/1440857777",
    "https://music.apple.com/us/album/x/1440857777?i=",
    "https://music.apple.com/us/album/x/1440857777?i=abc",
    "https://music.apple.com/us/artist/rick-astley/669771",
    "https://music.apple.com/us/playlist/pure-80s/pl.u-abc",
    "https://music.apple.com/album/x/1440857777?i=1440857781",  # no storefront
    "https://itunes.apple.com/us/album/x/id1440857777?i=1440857781",
    "https://www.youtube.com/playlist?list=PL1234567890",
    "https://www.youtube.com/@RickAstleyYT",
    "https://www.youtube.com/channel/UCuAXFkgsw1L7xaCfnd5JJOw",
    "https://www.youtube.com/watch?v=short",
    "https://www.youtube.com/watch?v=dQw4w9WgXcQ&v=aaaaaaaaaaa",
    "https://www.youtube.com/watch",
    "https://youtu.be/",
    "https://youtu.be/dQw4w9WgXcQ/extra",
    "https://www.deezer.com/album/302127",
    "https://www.deezer.com/playlist/1313621735",
    "https://www.deezer.com/artist/27",
    "https://link.deezer.com/s/30abc",
    "https://tidal.com/browse/album/77646168",
    "https://tidal.com/browse/playlist/3c3a2d4b",
    "https://listen.tidal.com/browse/track/77646170",
    "https://soundcloud.com/rick-astley-official",
    "https://soundcloud.com/rick-astley-official/sets/greatest-hits",
    "https://soundcloud.com/rick-astley-official/tracks",
    "https://soundcloud.com/rick-astley-official/likes",
    "https://soundcloud.com/discover/sets",
    "https://soundcloud.com/you/likes",
    "https://on.soundcloud.com/AbCdE",
    "https://nilsfrahm.bandcamp.com/album/says",
    "https://nilsfrahm.bandcamp.com",
    "https://bandcamp.com/track/says",
    "https://daily.bandcamp.com/track/says",
    # other and lookalike hosts
    "https://music.apple.com.evil.test/us/song/x/1440857781",
    "https://evilmusic.apple.com/us/song/x/1440857781",
    "https://open.spotify.com.evil.test/track/" + SPOTIFY_ID,
    "https://youtube.com.evil.test/watch?v=dQw4w9WgXcQ",
    "https://notyoutube.com/watch?v=dQw4w9WgXcQ",
    "https://youtu.be.evil.test/dQw4w9WgXcQ",
    "https://deezer.com.evil.test/track/3135556",
    "https://evil.test/tidal.com/track/77646170",
    "https://soundcloud.com.evil.test/a/b",
    "https://nilsfrahm.bandcamp.com.evil.test/track/says",
    "https://music.apple.com@evil.test/us/song/x/1440857781",
    "https://user:pw@music.apple.com/us/song/x/1440857781",
    "https://music.apple.com:notaport/us/song/x/1440857781",
    "https://music.apple.com./us/song/x/1440857781",
    "https://www.last.fm/music/Rick+Astley/_/Never+Gonna+Give+You+Up",
    # not links at all
    "ftp://open.spotify.com/track/" + SPOTIFY_ID,
    "javascript:alert(1)",
    "open.spotify.com/track/" + SPOTIFY_ID,
    "Never Gonna Give You Up",
    "",
    "https://",
    "http://[::1",
    "https://youtube.com/watch?v=" + "a" * 3000,
]


@pytest.mark.parametrize("text", REFUSED)
def test_near_misses_are_no_songs_link(text: str) -> None:
    assert parse(text) is None


def test_an_input_field_refuses_them_as_unsupported_links() -> None:
    with pytest.raises(InputError) as refused:
        song_link("https://music.apple.com/us/album/x/1440857777", ("track", "link"))
    [problem] = refused.value.problems
    assert (problem.field, problem.code) == (("track", "link"), "UNSUPPORTED_LINK")
    with pytest.raises(InputError) as empty:
        song_link("  ", "url")
    assert [(p.field, p.code) for p in empty.value.problems] == [(("url",), "REQUIRED")]
    assert song_link(f" {DEEZER} ", "url") == Link(TrackProvider.DEEZER, DEEZER, "3135556")


def test_a_spotify_field_takes_spotify_links_only() -> None:
    assert spotify_track_id(f"spotify:track:{SPOTIFY_ID}", "spotifyUrl") == SPOTIFY_ID
    with pytest.raises(InputError) as refused:
        spotify_track_id(DEEZER, "spotifyUrl")
    assert [p.code for p in refused.value.problems] == ["UNSUPPORTED_LINK"]


@pytest.mark.parametrize(
    ("text", "isrc"),
    [
        ("USRC17607839", "USRC17607839"),
        ("US-RC1-76-07839", "USRC17607839"),
        ("usrc17607839", "USRC17607839"),
        (" gb-aye-87-00033 ", "GBAYE8700033"),
        ("", None),
        (None, None),
    ],
)
def test_an_isrc_is_kept_upper_case_without_dashes(text: str | None, isrc: str | None) -> None:
    assert clean_isrc(text, "isrc") == isrc


@pytest.mark.parametrize(
    "text",
    ["USRC1760783", "USRC176078391", "U1RC17607839", "USRC1A607839", "US-RC1-76-0783X", "US_RC1"],
)
def test_a_malformed_isrc_is_invalid(text: str) -> None:
    with pytest.raises(InputError) as refused:
        clean_isrc(text, ("track", "isrc"))
    assert [(p.field, p.code) for p in refused.value.problems] == [(("track", "isrc"), "INVALID")]


def test_a_resolver_answer_names_the_links_it_can_read_each_once() -> None:
    answer = b"""{
      "entityUniqueId": "SPOTIFY_SONG::4uLU6hMCjMI75M1A2tKUQC",
      "linksByPlatform": {
        "spotify": {"url": "https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC"},
        "appleMusic": {"url": "https://geo.music.apple.com/us/album/_/1440857777?i=1440857781&mt=1"},
        "itunes": {"url": "https://geo.itunes.apple.com/us/album/_/1440857777?i=1440857781"},
        "youtube": {"url": "https://www.youtube.com/watch?v=dQw4w9WgXcQ"},
        "youtubeMusic": {"url": "https://music.youtube.com/watch?v=dQw4w9WgXcQ"},
        "deezer": {"url": "https://www.deezer.com/track/3135556"},
        "tidal": {"url": "https://listen.tidal.com/track/77646170"},
        "amazonMusic": {"url": "https://music.amazon.com/albums/B01?trackAsin=B02"},
        "soundcloud": {"url": "https://soundcloud.com/rick-astley-official/sets/hits"},
        "bandcamp": {"url": 42},
        "napster": "not an object"
      },
      "entitiesByUniqueId": {
        "A": {"id": "1", "title": "Never Gonna Give You Up", "isrc": "not one"},
        "B": {"id": "2", "isrc": "gb-aye-87-00033"}
      }
    }"""
    assert read_answer(answer) == Found(
        [parse(SPOTIFY), parse(APPLE), parse(YOUTUBE), parse(DEEZER), parse(TIDAL)],  # type: ignore[list-item]
        "GBAYE8700033",
    )


@pytest.mark.parametrize(
    ("body", "found"),
    [
        (b"{}", Found()),
        (b'{"linksByPlatform": []}', Found()),
        (b'{"linksByPlatform": {"x": {"url": "https://example.com/"}}}', Found()),
        (b'{"entitiesByUniqueId": {"a": {"isrc": 7}}}', Found()),
    ],
)
def test_an_answer_without_usable_links_names_nothing(body: bytes, found: Found) -> None:
    assert read_answer(body) == found


@pytest.mark.parametrize("body", [b"<html>502 Bad Gateway</html>", b"[1, 2]", b'"x"', b""])
def test_garbage_is_no_answer(body: bytes) -> None:
    with pytest.raises(ResolverError):
        read_answer(body)


LINKISH = st.from_regex(
    r"\A(https?|HTTP|spotify|ftp)(://|:)(www\.|m\.|geo\.)?"
    r"(music\.apple\.com|youtube\.com|youtu\.be|deezer\.com|tidal\.com|listen\.tidal\.com|"
    r"soundcloud\.com|[a-z]{1,5}\.bandcamp\.com|open\.spotify\.com|evil\.test)"
    r"(/[A-Za-z0-9_%?=&.:@-]{0,20}){0,5}\Z"
)


@settings(max_examples=400, deadline=None)
@given(st.one_of(LINKISH, st.text(max_size=200)))
def test_reading_any_text_never_fails_and_a_canonical_link_reads_as_itself(text: str) -> None:
    link = parse(text)
    if link is not None:
        assert link.url.startswith("https://") and len(link.url) <= 300
        assert parse(link.url) == link
