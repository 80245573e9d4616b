"""media/images.py: what it accepts and refuses, what its renditions hold (and do not), and
that it runs off the event loop, at most `concurrency` at a time. Every input is made here,
with Pillow and pillow-heif."""

from __future__ import annotations

import asyncio
import hashlib
import io
import struct
import threading
from typing import Any

import pytest
from PIL import ExifTags, Image, ImageCms, ImageDraw, ImageFile

from media import images
from media.images import AVATAR, Code, Limits, MediaError, Processed, Processor, process
from tests.support.photos import png_header_bomb

LIMITS = Limits()
RED = (255, 0, 0)
BLUE = (20, 60, 200)


def encoded(image: Image.Image, fmt: str, **options: Any) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def marked(size: tuple[int, int]) -> Image.Image:
    """Blue, with a red square in its top-left corner (a quarter of the shorter side)."""
    image = Image.new("RGB", size, BLUE)
    side = min(size) // 4
    ImageDraw.Draw(image).rectangle((0, 0, side - 1, side - 1), fill=RED)
    return image


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def near(color: tuple[int, ...], wanted: tuple[int, int, int], within: int = 12) -> bool:
    return all(abs(a - b) <= within for a, b in zip(color[:3], wanted, strict=True))


def widths(processed: Processed) -> list[tuple[int, int]]:
    return [(r.width, r.height) for r in processed.renditions]


async def refused(data: bytes, limits: Limits = LIMITS) -> Code:
    with pytest.raises(MediaError) as caught:
        await process(data, limits)
    assert caught.value.message
    return caught.value.code


# What is accepted, and what comes out


async def test_no_metadata_survives_in_any_rendition() -> None:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Phone"
    exif[ExifTags.Base.ImageDescription] = "at home"
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (48.0, 51.0, 24.0),
        ExifTags.GPS.GPSLongitudeRef: "E",
        ExifTags.GPS.GPSLongitude: (2.0, 21.0, 3.0),
    }
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF/></x:xmpmeta>'
    data = encoded(
        marked((1600, 1200)), "JPEG", exif=exif, icc_profile=icc, xmp=xmp, comment=b"secret"
    )
    source = opened(data)
    assert source.getexif().get_ifd(ExifTags.IFD.GPSInfo) != {}
    assert {"exif", "icc_profile", "xmp", "comment"} <= source.info.keys()

    processed = await process(data, LIMITS)

    assert widths(processed) == [(1080, 810), (640, 480), (320, 240)]
    for rendition in processed.renditions:
        out = opened(rendition.data)
        assert out.format == "JPEG"
        assert rendition.content_type == "image/jpeg"
        assert dict(out.getexif()) == {}
        assert out.info.keys() & {"exif", "icc_profile", "xmp", "comment", "photoshop"} == set()
        assert b"secret" not in rendition.data
        assert b"Exif" not in rendition.data


async def test_orientation_6_comes_out_upright() -> None:
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6  # shown turned a quarter clockwise
    data = encoded(marked((400, 300)), "JPEG", exif=exif, quality=95)

    processed = await process(data, LIMITS)

    assert (processed.width, processed.height) == (300, 400)
    assert widths(processed) == [(300, 400)]
    out = opened(processed.renditions[0].data).convert("RGB")
    # The stored top-left corner is shown top-right.
    assert near(out.getpixel((300 - 20, 20)), RED)
    assert near(out.getpixel((20, 20)), BLUE)
    assert near(out.getpixel((20, 400 - 20)), BLUE)
    assert near(out.getpixel((300 - 20, 400 - 20)), BLUE)


async def test_heic_is_accepted() -> None:
    data = encoded(marked((800, 600)), "HEIF", quality=90)
    assert data[4:12] == b"ftypheic"

    processed = await process(data, LIMITS)

    assert (processed.width, processed.height) == (800, 600)
    assert widths(processed) == [(800, 600), (640, 480), (320, 240)]
    out = opened(processed.renditions[0].data).convert("RGB")
    assert near(out.getpixel((20, 20)), RED)
    assert near(out.getpixel((780, 580)), BLUE)


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
async def test_png_and_webp_are_accepted(fmt: str) -> None:
    processed = await process(encoded(marked((700, 350)), fmt), LIMITS)

    assert widths(processed) == [(700, 350), (640, 320), (320, 160)]
    assert all(opened(r.data).format == "JPEG" for r in processed.renditions)


async def test_transparency_is_flattened_onto_white() -> None:
    image = Image.new("RGBA", (200, 100), (0, 0, 0, 0))
    ImageDraw.Draw(image).rectangle((0, 0, 49, 49), fill=(*RED, 255))
    for data in (encoded(image, "PNG"), encoded(image.convert("P"), "PNG")):
        out = opened((await process(data, LIMITS)).renditions[0].data).convert("RGB")
        assert near(out.getpixel((150, 70)), (255, 255, 255))
        assert near(out.getpixel((10, 10)), RED)


@pytest.mark.parametrize(
    ("mode", "fmt", "wanted"),
    [
        ("I;16", "PNG", "#000000"),
        ("1", "PNG", "#000000"),
        ("LA", "PNG", "#ffffff"),  # transparent black: white once flattened
        ("L", "JPEG", "#000000"),
        ("CMYK", "JPEG", "#ffffff"),  # no ink
    ],
)
async def test_other_pixel_modes_become_rgb(mode: str, fmt: str, wanted: str) -> None:
    processed = await process(encoded(Image.new(mode, (50, 40)), fmt), LIMITS)

    assert widths(processed) == [(50, 40)]
    assert opened(processed.renditions[0].data).mode == "RGB"
    assert processed.dominant_color == wanted


def swapped_profile() -> bytes:
    """An ICC v2 RGB profile whose red is sRGB's green and whose green is sRGB's red (its
    colourants swapped): a colour space that is not sRGB, whose pure red shows green."""

    def fixed(*values: float) -> bytes:
        return b"".join(struct.pack(">i", round(v * 65536)) for v in values)

    red, green, blue = (0.4361, 0.2225, 0.0139), (0.3851, 0.7169, 0.0971), (0.1431, 0.0606, 0.7141)
    curve = b"curv" + b"\0" * 4 + struct.pack(">IH", 1, round(2.2 * 256)) + b"\0\0"
    tags = [
        (b"wtpt", b"XYZ " + b"\0" * 4 + fixed(0.9642, 1.0, 0.8249)),
        (b"rXYZ", b"XYZ " + b"\0" * 4 + fixed(*green)),
        (b"gXYZ", b"XYZ " + b"\0" * 4 + fixed(*red)),
        (b"bXYZ", b"XYZ " + b"\0" * 4 + fixed(*blue)),
        (b"rTRC", curve),
        (b"gTRC", curve),
        (b"bTRC", curve),
    ]
    offset = 128 + 4 + 12 * len(tags)
    table, body = b"", b""
    for signature, payload in tags:
        table += signature + struct.pack(">II", offset + len(body), len(payload))
        body += payload + b"\0" * (-len(payload) % 4)
    size = offset + len(body)
    header = (
        struct.pack(">I", size)
        + b"\0" * 4
        + struct.pack(">I", 0x02100000)
        + b"mntrRGB XYZ "
        + b"\0" * 12
        + b"acsp"
        + b"\0" * 24
        + struct.pack(">I", 0)
        + fixed(0.9642, 1.0, 0.8249)
        + b"\0" * 48
    )
    assert len(header) == 128
    return header + struct.pack(">I", len(tags)) + table + body


async def test_colours_are_converted_to_srgb_by_their_profile() -> None:
    image = Image.new("RGB", (64, 64), RED)
    tagged = encoded(image, "PNG", icc_profile=swapped_profile())
    assert opened(tagged).info["icc_profile"] == swapped_profile()

    out = opened((await process(tagged, LIMITS)).renditions[0].data).convert("RGB")
    untagged = opened((await process(encoded(image, "PNG"), LIMITS)).renditions[0].data)

    assert near(out.getpixel((32, 32)), (0, 255, 0), within=24)
    assert near(untagged.convert("RGB").getpixel((32, 32)), RED)


@pytest.mark.parametrize(
    ("size", "wanted"),
    [
        ((2000, 1000), [(1080, 540), (640, 320), (320, 160)]),
        ((1080, 1350), [(1080, 1350), (640, 800), (320, 400)]),
        ((640, 480), [(640, 480), (320, 240)]),
        ((500, 400), [(500, 400), (320, 256)]),
        ((320, 100), [(320, 100)]),
        ((100, 300), [(100, 300)]),
    ],
)
async def test_photo_widths_are_never_upscaled(
    size: tuple[int, int], wanted: list[tuple[int, int]]
) -> None:
    processed = await process(encoded(marked(size), "PNG"), LIMITS)

    assert (processed.width, processed.height) == size
    assert widths(processed) == wanted
    assert [opened(r.data).size for r in processed.renditions] == wanted


@pytest.mark.parametrize(
    ("size", "wanted"),
    [
        ((1000, 600), [400, 200, 80]),
        ((600, 1000), [400, 200, 80]),
        ((150, 300), [150, 80]),
        ((50, 60), [50]),
    ],
)
async def test_avatars_are_centred_squares(size: tuple[int, int], wanted: list[int]) -> None:
    image = Image.new("RGB", size, BLUE)
    centre = (size[0] // 2, size[1] // 2)
    ImageDraw.Draw(image).rectangle(
        (centre[0] - 5, centre[1] - 5, centre[0] + 5, centre[1] + 5), fill=RED
    )

    processed = await process(encoded(image, "PNG"), LIMITS, kind=AVATAR)

    assert widths(processed) == [(side, side) for side in wanted]
    largest = opened(processed.renditions[0].data).convert("RGB")
    assert near(largest.getpixel((wanted[0] // 2, wanted[0] // 2)), RED, within=40)


async def test_sha256_names_the_bytes() -> None:
    processed = await process(encoded(marked((1200, 800)), "JPEG"), LIMITS)

    assert len(processed.renditions) == 3
    for rendition in processed.renditions:
        assert rendition.sha256 == hashlib.sha256(rendition.data).hexdigest()
    assert len({r.sha256 for r in processed.renditions}) == 3


async def test_blurhash_and_dominant_colour() -> None:
    base83 = set(
        "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz#$%*+,-.:;=?@[]^_{|}~"
    )
    red_png = await process(encoded(Image.new("RGB", (300, 200), RED), "PNG"), LIMITS)
    red_jpeg = await process(encoded(Image.new("RGB", (300, 200), RED), "JPEG"), LIMITS)
    photo = await process(encoded(marked((900, 600)), "JPEG"), LIMITS)

    for processed in (red_png, red_jpeg, photo):
        # size, largest AC value, DC (4 characters), 2 for each of the 15 AC components
        assert len(processed.blurhash) == 1 + 1 + 4 + 2 * (4 * 4 - 1) == 36
        assert processed.blurhash[0] == "U"  # (4 - 1) + (4 - 1) * 9 = 30, in base 83
        assert set(processed.blurhash) <= base83
    assert red_png.dominant_color == "#ff0000"
    color = tuple(int(red_jpeg.dominant_color[i : i + 2], 16) for i in (1, 3, 5))
    assert near(color, RED, within=8)
    assert photo.dominant_color != red_png.dominant_color
    assert photo.blurhash != red_png.blurhash


# What is refused, and why


async def test_a_text_file_named_photo_jpg_is_unsupported() -> None:
    # The pipeline is given no name nor content type: only the bytes count.
    assert await refused(b"not a photo at all\n" * 10) == Code.UNSUPPORTED_MEDIA


@pytest.mark.parametrize(
    "data",
    [
        encoded(Image.new("RGB", (64, 64), RED), "GIF"),
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n",
        encoded(Image.new("RGB", (64, 64), RED), "BMP"),
        encoded(Image.new("RGB", (64, 64), RED), "TIFF"),
        b"",
    ],
    ids=["gif", "pdf", "bmp", "tiff", "empty"],
)
async def test_other_formats_are_unsupported(data: bytes) -> None:
    assert await refused(data) == Code.UNSUPPORTED_MEDIA


async def test_a_truncated_jpeg_is_invalid() -> None:
    data = encoded(marked((800, 600)), "JPEG")
    assert await refused(data[: len(data) // 2]) == Code.INVALID


async def test_corrupt_headers_are_invalid() -> None:
    png = encoded(marked((80, 60)), "PNG")
    assert await refused(png[:8] + b"\0" * 40) == Code.INVALID
    assert await refused(b"\xff\xd8\xff" + b"\0" * 100) == Code.INVALID


async def test_more_bytes_than_the_limit_are_refused_before_decoding(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    small = encoded(marked((64, 64)), "JPEG")
    padded = small + b"\0" * (20_000_000 - len(small))  # a valid JPEG, then junk

    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("opened")

    monkeypatch.setattr(Image, "open", never)
    assert await refused(padded) == Code.TOO_LARGE
    assert await refused(small, Limits(max_bytes=len(small) - 1)) == Code.TOO_LARGE


async def test_a_png_bomb_is_refused_from_its_header(monkeypatch: pytest.MonkeyPatch) -> None:
    bomb = png_header_bomb(20_000)
    assert len(bomb) < 100_000
    headless = png_header_bomb(20_000, body=False)

    def never(self: Image.Image) -> None:
        raise AssertionError("decoded")

    monkeypatch.setattr(Image.Image, "load", never)
    monkeypatch.setattr(ImageFile.ImageFile, "load", never)
    assert await refused(bomb) == Code.TOO_LARGE
    # Its pixels would not even decode: the refusal came from the header.
    assert await refused(headless) == Code.TOO_LARGE
    # Under Pillow's own guard, the limit refuses first.
    assert await refused(png_header_bomb(200), Limits(max_pixels=200 * 200 - 1)) == Code.TOO_LARGE


# Off the event loop, bounded


async def test_one_at_a_time_with_concurrency_one() -> None:
    events: list[tuple[str, int]] = []
    lock = threading.Lock()
    loop_thread = threading.get_ident()

    def work(data: bytes, limits: Limits, kind: images.Kind) -> Processed:
        assert threading.get_ident() != loop_thread
        with lock:
            events.append(("enter", len(data)))
        try:
            return images.process_sync(data, limits, kind)
        finally:
            with lock:
                events.append(("exit", len(data)))

    processor = Processor(concurrency=1, work=work)
    first = encoded(marked((2400, 1600)), "PNG")
    second = encoded(marked((2000, 1500)), "JPEG")

    results = await asyncio.gather(
        processor.process(first, LIMITS), processor.process(second, LIMITS)
    )

    assert [r.width for r in results] == [2400, 2000]
    assert [kind for kind, _ in events] == ["enter", "exit", "enter", "exit"]
    assert events[0][1] == events[1][1] and events[2][1] == events[3][1]


async def test_the_event_loop_keeps_ticking_while_a_large_photo_is_processed() -> None:
    large = Image.merge(
        "RGB",
        [
            Image.linear_gradient("L").resize((6000, 4000)),
            Image.effect_noise((6000, 4000), 40),
            Image.radial_gradient("L").resize((6000, 4000)),
        ],
    )
    data = encoded(large, "JPEG", quality=90)
    assert len(data) < LIMITS.max_bytes
    ticks = 0

    task = asyncio.create_task(process(data, LIMITS))
    while not task.done():
        await asyncio.sleep(0)
        ticks += 1
    processed = await task

    assert ticks > 0
    assert (processed.width, processed.height) == (6000, 4000)
    assert widths(processed) == [(1080, 720), (640, 427), (320, 213)]


def test_concurrency_is_at_least_one() -> None:
    with pytest.raises(ValueError):
        Processor(concurrency=0)
