"""Tortoise models, one module per domain. Tortoise discovers the models exported here."""

from models.event import FeedEvent
from models.media import UnusedFile, Upload
from models.notification import Notification, NotificationKind
from models.playlist import Playlist, PlaylistItem
from models.postcard import Comment, Like, PhotoSource, Postcard
from models.social import Follow
from models.track import Track
from models.user import AccessToken, User

__all__ = [
    "AccessToken",
    "Comment",
    "FeedEvent",
    "Follow",
    "Like",
    "Notification",
    "NotificationKind",
    "PhotoSource",
    "Playlist",
    "PlaylistItem",
    "Postcard",
    "Track",
    "UnusedFile",
    "Upload",
    "User",
]
