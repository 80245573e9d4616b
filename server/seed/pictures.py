"""The demo data's pictures: a few dozen drawn (server/seed/scenes.py), each made into
renditions ONCE by the upload pipeline (media/images.py: a moment's photo, an avatar) and
kept in the media store; the seeded rows share them, as many moments as there are.

Drawing and processing run in a pool of threads (Pillow lets go of the GIL while it
resizes and encodes); each picture has a generator of its own, seeded from the seed's
number and its index, so the pictures are the same whatever order the threads finish in.

What they cost here (2 cores): a moment's picture ~135 ms of CPU (drawing ~45, the
pipeline ~90, of which its pure-Python blurhash ~40 holding the GIL), an avatar ~35 ms;
the default 20 + 12 take 3 s of CPU. The count, not the size, is what costs: 1080-wide
originals only saved a tenth."""

from __future__ import annotations

import functools
import io
import os
import random
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from rich.progress import Progress
from tortoise.backends.base.client import BaseDBAsyncClient

from media import images
from media.store import Store
from resolvers.photos import Photo, keep, keep_avatar
from server.seed import scenes


@dataclass(frozen=True)
class Picture:
    made: images.Processed
    description: str  # a short alt text, for the rows that give one


@dataclass(frozen=True)
class Pictures:
    photos: list[Picture]
    avatars: list[Picture]


@dataclass(frozen=True)
class Kept:
    """Each stored picture's photo twice: without alt text, and with its description (the
    rows share these mappings, however many they are)."""

    photos: list[tuple[Photo, Photo]]
    avatars: list[tuple[Photo, Photo]]


def chosen(kept: list[tuple[Photo, Photo]], index: int | None, alt: bool) -> Photo | None:
    return None if index is None else kept[index][1 if alt else 0]


def make(rng_seed: int, bar: Progress, photos: int, avatars: int) -> Pictures:
    """Draw and process the pictures (blocking: run it in a thread)."""
    task = bar.add_task("Drawing pictures", total=photos + avatars)

    def one(job: tuple[images.Kind, str]) -> Picture:
        made = picture(*job)
        bar.advance(task)
        return made

    jobs = [(images.PHOTO, f"{rng_seed}:photo:{i}") for i in range(photos)]
    jobs += [(images.AVATAR, f"{rng_seed}:avatar:{i}") for i in range(avatars)]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        done = list(pool.map(one, jobs))
    return Pictures(done[:photos], done[photos:])


@functools.lru_cache(maxsize=256)
def picture(kind: images.Kind, name: str) -> Picture:
    """One picture, drawn from a generator seeded with its `name`, and processed. The same
    name always gives the same picture: a process that seeds again (the tests do, a few
    dozen times) draws it once."""
    draw = scenes.avatar if kind is images.AVATAR else scenes.photo
    image, description = draw(random.Random(name))
    source = io.BytesIO()
    image.save(source, "JPEG", quality=92)
    return Picture(images.process_sync(source.getvalue(), images.Limits(), kind), description)


async def store(conn: BaseDBAsyncClient, pictures: Pictures, media: Store) -> Kept:
    """Their renditions stored, inside the seed's transaction (as every photo is kept)."""

    async def both(picture: Picture, kind: images.Kind) -> tuple[Photo, Photo]:
        stored = keep_avatar if kind is images.AVATAR else keep
        photo = await stored(conn, picture.made, media, None)
        return photo, {**photo, "alt": picture.description}

    return Kept(
        [await both(p, images.PHOTO) for p in pictures.photos],
        [await both(p, images.AVATAR) for p in pictures.avatars],
    )
