"""Playlists over GraphQL: the documents, the helpers that build and read playlists, the
reference model of a Spotify-style move, and the edits every version and permission test
tries."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tests.support.api import Api, User

PLAYLIST_PARTS = """
fragment PlaylistParts on Playlist {
  id title description isPublic version itemCount createdAt updatedAt
  owner { username }
  items(first: 100) {
    edges { node { id position track { id title } postcard { id } addedBy { username } } }
  }
}
"""


CREATE_PLAYLIST = (
    """
mutation ($input: CreatePlaylistInput!) {
  createPlaylist(input: $input) { playlist { ...PlaylistParts } errors { field message code } }
}
"""
    + PLAYLIST_PARTS
)


UPDATE_PLAYLIST = (
    """
mutation ($input: UpdatePlaylistInput!) {
  updatePlaylist(input: $input) { playlist { ...PlaylistParts } errors { field message code } }
}
"""
    + PLAYLIST_PARTS
)


DELETE_PLAYLIST = """
mutation ($input: DeletePlaylistInput!) {
  deletePlaylist(input: $input) { deletedPlaylistId errors { field message code } }
}
"""


ADD_TO_PLAYLIST = (
    """
mutation ($input: AddToPlaylistInput!) {
  addToPlaylist(input: $input) { playlist { ...PlaylistParts } errors { field message code } }
}
"""
    + PLAYLIST_PARTS
)


REMOVE_FROM_PLAYLIST = (
    """
mutation ($input: RemoveFromPlaylistInput!) {
  removeFromPlaylist(input: $input) { playlist { ...PlaylistParts } errors { field message code } }
}
"""
    + PLAYLIST_PARTS
)


MOVE_PLAYLIST_ITEMS = (
    """
mutation ($input: MovePlaylistItemsInput!) {
  movePlaylistItems(input: $input) { playlist { ...PlaylistParts } errors { field message code } }
}
"""
    + PLAYLIST_PARTS
)


PLAYLIST = (
    """
query ($id: ID!) { playlist(id: $id) { ...PlaylistParts } }
"""
    + PLAYLIST_PARTS
)


NODE = """
query ($id: ID!) {
  node(id: $id) {
    __typename id
    ... on Playlist { title }
    ... on PlaylistItem { position track { title } }
  }
}
"""


NODES = """
query ($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }
"""


USER_PLAYLISTS = """
query ($username: String!) {
  user(username: $username) { playlists(first: 10) { edges { node { title isPublic } } } }
}
"""


PLAYLIST_ITEMS_PAGE = """
query ($id: ID!, $after: String) {
  playlist(id: $id) {
    items(first: 2, after: $after) {
      edges { node { position track { title } } }
      pageInfo { hasNextPage endCursor }
    }
  }
}
"""


CREATE_POSTCARD = """
mutation ($input: CreatePostcardInput!) {
  createPostcard(input: $input) { postcard { id track { id title } } errors { field message code } }
}
"""


# ---------------------------------------------------------------- helpers


def error(field: str | None, message: str, code: str) -> dict[str, Any]:
    return {"field": [field] if field else None, "message": message, "code": code}


def not_found(field: str, what: str) -> dict[str, Any]:
    return error(field, f"No {what} with this id.", "NOT_FOUND")


STALE = "The playlist changed: it is at version {current}, not {stale}. Refetch it and try again."


def conflict(current: int, stale: int) -> dict[str, Any]:
    return error("expectedVersion", STALE.format(current=current, stale=stale), "CONFLICT")


async def create_playlist(api: Api, owner: User, title: str = "Road trip", **fields: Any) -> Any:
    payload = await api.mutate(
        "createPlaylist", CREATE_PLAYLIST, {"title": title, **fields}, owner.token
    )
    return payload["playlist"]


async def share(api: Api, author: User, title: str) -> tuple[str, str]:
    """Post a moment with a song; returns (postcard id, track id)."""
    payload = await api.mutate(
        "createPostcard",
        CREATE_POSTCARD,
        {"track": {"title": title, "artist": "Band"}},
        author.token,
    )
    postcard = payload["postcard"]
    return postcard["id"], postcard["track"]["id"]


async def playlist_with(api: Api, owner: User, titles: list[str], **fields: Any) -> Any:
    """A playlist holding one item per title, in that order."""
    playlist = await create_playlist(api, owner, **fields)
    for title in titles:
        _postcard_id, track_id = await share(api, owner, title)
        playlist = await add(api, owner, playlist["id"], trackId=track_id)
    return playlist


async def add(api: Api, owner: User, playlist_id: str, **fields: Any) -> Any:
    payload = await api.mutate(
        "addToPlaylist", ADD_TO_PLAYLIST, {"playlistId": playlist_id, **fields}, owner.token
    )
    return payload["playlist"]


async def read(api: Api, viewer: User, playlist_id: str) -> Any:
    return (await api.ok(PLAYLIST, {"id": playlist_id}, viewer.token))["playlist"]


def moment(text: str) -> datetime:
    return datetime.fromisoformat(text)


def titles(playlist: Any) -> list[str]:
    return [edge["node"]["track"]["title"] for edge in playlist["items"]["edges"]]


def item_ids(playlist: Any) -> list[str]:
    return [edge["node"]["id"] for edge in playlist["items"]["edges"]]


def positions(playlist: Any) -> list[int]:
    return [edge["node"]["position"] for edge in playlist["items"]["edges"]]


# ---------------------------------------------------------------- the reference model of a move


def spotify_reorder(order: list[Any], range_start: int, insert_before: int, length: int) -> list:
    """Reference, written from Spotify's description rather than from the implementation:
    take the range out, then put it back just before the item that was at `insert_before`
    (at the end when that is past the last item). Needs distinct items."""
    block = order[range_start : range_start + length]
    anchor = order[insert_before] if insert_before < len(order) else None
    if anchor in block:
        return list(order)  # inserting a range before itself leaves it where it is
    rest = [item for item in order if item not in block]
    at = rest.index(anchor) if anchor is not None else len(rest)
    return rest[:at] + block + rest[at:]


SONGS = ["A", "B", "C", "D", "E"]

MOVES = [
    # (rangeStart, insertBefore, rangeLength)
    (0, 5, 1),  # first to the end
    (4, 0, 1),  # last to the front
    (0, 2, 1),  # Spotify's own example: first before the third
    (2, 0, 2),  # middle pair to the front
    (0, 5, 2),  # first pair to the end
    (1, 4, 2),  # forward, not to the end
    (3, 1, 2),  # backward into the middle
    (0, 5, 4),  # all but the last, after the last
    (1, 0, 4),  # all but the first, to the front
]
NO_OP_MOVES = [
    # insert before the range itself, inside it, or right after it
    (0, 0, 1),
    (2, 2, 1),
    (2, 3, 1),
    (1, 3, 2),
    (0, 5, 5),
    (1, 2, 3),
    (1, 3, 3),
    (2, 3, 3),
    (0, 3, 5),
]


# ---------------------------------------------------------------- edits at an expected version


async def edit_update(api: Api, user: User, playlist: Any, version: int) -> Any:
    input = {"playlistId": playlist["id"], "title": "Changed", "expectedVersion": version}
    return (await api.ok(UPDATE_PLAYLIST, {"input": input}, user.token))["updatePlaylist"]


async def edit_delete(api: Api, user: User, playlist: Any, version: int) -> Any:
    input = {"playlistId": playlist["id"], "expectedVersion": version}
    return (await api.ok(DELETE_PLAYLIST, {"input": input}, user.token))["deletePlaylist"]


async def edit_add(api: Api, user: User, playlist: Any, version: int) -> Any:
    track_id = playlist["items"]["edges"][0]["node"]["track"]["id"]
    input = {"playlistId": playlist["id"], "trackId": track_id, "expectedVersion": version}
    return (await api.ok(ADD_TO_PLAYLIST, {"input": input}, user.token))["addToPlaylist"]


async def edit_remove(api: Api, user: User, playlist: Any, version: int) -> Any:
    input = {
        "playlistId": playlist["id"],
        "itemId": item_ids(playlist)[0],
        "expectedVersion": version,
    }
    return (await api.ok(REMOVE_FROM_PLAYLIST, {"input": input}, user.token))["removeFromPlaylist"]


async def edit_move(api: Api, user: User, playlist: Any, version: int) -> Any:
    input = {
        "playlistId": playlist["id"],
        "rangeStart": 0,
        "insertBefore": 3,
        "expectedVersion": version,
    }
    return (await api.ok(MOVE_PLAYLIST_ITEMS, {"input": input}, user.token))["movePlaylistItems"]


EDITS = [edit_update, edit_add, edit_remove, edit_move]
EDIT_IDS = ["update", "add", "remove", "move"]
