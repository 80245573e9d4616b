"""`node(id:)`: any object by its global ID, with the same visibility rules as elsewhere."""

from __future__ import annotations

from graph.context import Info
from graph.relay import Node, from_global_id
from graph.types.notification import Notification
from graph.types.place import Place
from graph.types.playlist import Playlist, PlaylistItem, shown_playlist
from graph.types.postcard import Comment, Postcard, shown_comment, shown_postcard
from graph.types.report import Report
from graph.types.safety import FollowRequest
from graph.types.track import Track
from graph.types.upload import PhotoUpload
from graph.types.user import User
from resolvers import moderation, notifications, safety, uploads

MAX_NODES = 100


async def resolve_node(info: Info, global_id: str) -> Node | None:
    parsed = from_global_id(global_id)
    if parsed is None:
        return None
    type_name, pk = parsed
    loaders = info.context.loaders
    viewer = info.context.viewer
    if type_name == "User":
        user = await loaders.user_by_id.load(pk)
        return User.from_row(user) if user else None
    if type_name == "Track":
        track = await loaders.track_by_id.load(pk)
        return Track.from_row(track) if track else None
    if type_name == "Postcard":
        postcard = await shown_postcard(info, await loaders.postcard_by_id.load(pk))
        return Postcard.from_row(postcard) if postcard else None
    if type_name == "Place":  # seen through one of its moments only
        place = await loaders.place_by_id.load(pk)
        if place is None or not await loaders.place_shown_by_id.load(pk):
            return None
        return Place.from_row(place)
    if type_name == "Comment":
        comment = await shown_comment(info, await loaders.comment_by_id.load(pk))
        return Comment.from_row(comment) if comment else None
    if type_name == "Notification":  # its recipient's only
        notification = await loaders.notification_by_id.load(pk)
        if notification is None or not notifications.visible(notification, viewer):
            return None
        return Notification.from_row(notification)
    if type_name == "PhotoUpload":  # its owner's only
        upload = await uploads.own_upload(viewer, pk)
        return PhotoUpload.from_row(upload) if upload else None
    if type_name == "Report":  # moderators' only
        report = await moderation.report_for(viewer, pk)
        return Report.from_row(report) if report else None
    if type_name == "Playlist":
        playlist = await shown_playlist(info, await loaders.playlist_by_id.load(pk))
        return Playlist.from_row(playlist) if playlist else None
    if type_name == "PlaylistItem":
        item = await loaders.playlist_item_by_id.load(pk)
        if item is None:
            return None
        if await shown_playlist(info, await loaders.playlist_by_id.load(item.playlist_id)) is None:
            return None
        return PlaylistItem.from_row(item)
    if type_name == "FollowRequest":  # its two members' only
        request = await safety.request_of(viewer, pk)
        return FollowRequest.from_row(request) if request else None
    return None
