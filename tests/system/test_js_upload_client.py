"""A real JavaScript client uploads a photo (issue 13): Apollo Client with
apollo-upload-client's link, on Node, against a real `soundpost serve`.

The JS project is tests/js/ (package.json, its lock, upload.mjs). `npm ci` installs it once
per lock into a cache outside the checkout (JS_CACHE), so later runs need no network. No
node or npm on PATH, a Node older than the pinned packages want, or a registry out of reach
for the first install: skipped, saying which."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.api import Api
from tests.support.photos import GPS, jpeg, picture
from tests.support.servers import soundpost_serve

pytestmark = pytest.mark.system

JS = Path(__file__).resolve().parents[1] / "js"
JS_CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "soundpost-js"
NODE_AT_LEAST = (20, 9)  # apollo-upload-client 19's engines
NPM_CI = [
    "ci",
    "--ignore-scripts",
    "--prefer-offline",
    "--no-audit",
    "--no-fund",
    "--loglevel=error",
    "--fetch-retries=1",
]
NPM_WAIT = 300.0
NODE_WAIT = 30.0
# npm's codes for a registry it could not reach (`npm error code ENOTFOUND`, ...)
UNREACHABLE = re.compile(
    r"\b(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH"
    r"|ERR_SOCKET_TIMEOUT)\b|npm error network"
)


@pytest.fixture(scope="module")
def node() -> str:
    """node's path, once npm is on PATH too and node is recent enough; else a skip."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if not (node and npm):
        pytest.skip("node and npm are needed to run apollo-upload-client: not on PATH")
    version = subprocess.run(
        [node, "--version"], capture_output=True, text=True, check=True, timeout=10
    ).stdout.strip()
    found = tuple(int(n) for n in version.lstrip("v").split(".")[:2])
    if found < NODE_AT_LEAST:
        wanted = ".".join(map(str, NODE_AT_LEAST))
        pytest.skip(f"the pinned JS packages need Node >= {wanted}; this is {version}")
    return node


def _installed() -> Path:
    """tests/js's dependencies, installed by `npm ci` into JS_CACHE/<digest of the lock>
    the first time; the folder holding their node_modules."""
    digest = hashlib.sha256()
    for name in ("package.json", "package-lock.json"):
        digest.update((JS / name).read_bytes())
    target = JS_CACHE / digest.hexdigest()[:16]
    if (target / "node_modules").is_dir():
        return target
    JS_CACHE.mkdir(parents=True, exist_ok=True)
    # installed apart, then renamed: a run that stops half-way leaves no half install
    staging = Path(tempfile.mkdtemp(prefix="installing-", dir=JS_CACHE))
    try:
        for name in ("package.json", "package-lock.json"):
            shutil.copy(JS / name, staging / name)
        npm = shutil.which("npm")
        assert npm
        try:
            done = subprocess.run(
                [npm, *NPM_CI],
                cwd=staging,
                capture_output=True,
                text=True,
                timeout=NPM_WAIT,
                env={**os.environ, "npm_config_update_notifier": "false"},
            )
        except subprocess.TimeoutExpired:
            pytest.skip(f"npm ci took over {NPM_WAIT:.0f} s: is the npm registry reachable?")
        output = done.stdout + done.stderr
        if done.returncode != 0:
            if UNREACHABLE.search(output):
                lines = output.strip().splitlines()
                why = next((line for line in lines if "FetchError" in line), lines[0])
                pytest.skip(
                    f"npm ci could not reach the npm registry: {why.removeprefix('npm error ')}"
                )
            pytest.fail(f"npm ci failed ({done.returncode}):\n{output[-4000:]}")
        try:
            staging.rename(target)
        except OSError:  # another run installed it meanwhile
            assert (target / "node_modules").is_dir()
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


@pytest.fixture
def client(node: str, tmp_path: Path) -> Path:
    """A folder with upload.mjs beside the cached node_modules, as node resolves them."""
    folder = tmp_path / "client"
    folder.mkdir()
    shutil.copy(JS / "upload.mjs", folder / "upload.mjs")
    (folder / "node_modules").symlink_to(_installed() / "node_modules")
    return folder


async def finished(process: asyncio.subprocess.Process, wait: float) -> tuple[bytes, bytes]:
    """Its stdout and stderr once it exits; killed if it runs over `wait` seconds."""
    try:
        return await asyncio.wait_for(process.communicate(), wait)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise


async def migrated(database_url: str) -> None:
    """A fresh database of the test's own, migrated as `soundpost migrate` does."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "server.cli",
        "migrate",
        env={**os.environ, "DATABASE_URL": database_url},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await finished(process, 60)
    assert process.returncode == 0, output.decode(errors="replace")


async def run_client(node: str, client: Path, *args: str) -> dict[str, Any]:
    """upload.mjs's JSON, once node exits 0."""
    process = await asyncio.create_subprocess_exec(
        node,
        "upload.mjs",
        *args,
        cwd=client,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await finished(process, NODE_WAIT)
    assert process.returncode == 0, stderr.decode(errors="replace")
    return json.loads(stdout)  # type: ignore[no-any-return]


def assert_sent_as_the_spec_says(request: dict[str, Any], url: str, photo: bytes) -> None:
    """uploadPhoto went as a GraphQL multipart request: `operations` with the file nulled,
    `map` naming where it goes, then the file itself, named and typed."""
    assert (request["method"], request["url"]) == ("POST", url)
    assert request["headers"]["authorization"] == "Bearer TOKEN"
    assert re.fullmatch(r"multipart/form-data; boundary=\S+", request["headers"]["content-type"])
    operations, mapping, file = request["parts"]
    assert [part["headers"] for part in request["parts"]] == [
        ['Content-Disposition: form-data; name="operations"'],
        ['Content-Disposition: form-data; name="map"'],
        [
            'Content-Disposition: form-data; name="1"; filename="IMG_0001.jpg"',
            "Content-Type: image/jpeg",
        ],
    ]
    sent = json.loads(operations["text"])
    assert sent["operationName"] == "Upload"
    assert sent["variables"] == {"input": {"file": None, "alt": "The pier at dusk"}}
    assert json.loads(mapping["text"]) == {"1": ["variables.input.file"]}
    assert (file["size"], file["sha256"]) == (len(photo), hashlib.sha256(photo).hexdigest())


async def test_apollo_upload_client_uploads_a_photo_a_moment_then_shows(
    node: str, client: Path, tmp_path: Path
) -> None:
    # given: a phone's photo, with its GPS position, and a member of a real server
    photo = tmp_path / "IMG_0001.jpg"
    photo.write_bytes(jpeg((1600, 1200)))
    assert picture(photo.read_bytes()).getexif().get_ifd(GPS)
    database_url = f"sqlite://{tmp_path / 'js.sqlite3'}"
    await migrated(database_url)
    media = tmp_path / "media"
    media.mkdir()
    environment = {
        "MEDIA_URL": f"file://{media}",
        "MEDIA_PUBLIC_URL": "",  # renditions at /media/ on this server, whatever the env says
        "PASSWORD_HASHING": "fastest",
        "MEDIA_SWEEP_INTERVAL_SECONDS": "0",
    }
    async with (
        soundpost_serve("memory://", database_url, env=environment) as served,
        httpx.AsyncClient(base_url=served.base) as http,
    ):
        maya = await Api(http).sign_up("maya")
        graphql = f"{served.base}/graphql"

        # when: the app uploads it, shares it, reads its feed
        result = await run_client(node, client, graphql, maya.token, str(photo))

        # then: it went as the multipart spec says (and the rest as plain JSON) ...
        upload_request, share_request, feed_request = result["requests"]
        assert_sent_as_the_spec_says(upload_request, graphql, photo.read_bytes())
        for request, name in ((share_request, "Share"), (feed_request, "Feed")):
            assert request["headers"]["content-type"] == "application/json"
            assert (request["parts"], request["json"]["operationName"]) == (None, name)
        # ... and was stored, attached, and is shown in the feed
        uploaded = result["uploadPhoto"]
        assert uploaded["errors"] == []
        assert (uploaded["upload"]["width"], uploaded["upload"]["height"]) == (1600, 1200)
        assert result["createPostcard"]["errors"] == []
        [edge] = result["feed"]["edges"]
        assert edge["node"]["id"] == result["createPostcard"]["postcard"]["id"]
        shown = edge["node"]["photo"]
        assert (shown["width"], shown["height"], shown["blurhash"]) == (
            1600,
            1200,
            uploaded["upload"]["blurhash"],
        )
        # three renditions, served as JPEG, with no metadata left (GPS included)
        urls = {name: shown[name] for name in ("url", "medium", "small")}
        assert len(set(urls.values())) == 3
        sizes = {}
        for name, url in urls.items():
            response = await http.get(url)
            assert response.status_code == 200, (url, response.text)
            assert response.headers["content-type"] == "image/jpeg"
            assert b"Exif" not in response.content
            image = picture(response.content)
            sizes[name] = image.size
            assert dict(image.getexif()) == {}
            assert not {"exif", "icc_profile", "xmp", "comment"} & set(image.info)
        assert sizes == {"url": (1080, 810), "medium": (640, 480), "small": (320, 240)}
