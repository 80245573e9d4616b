"""Tortoise models, one module per domain. Tortoise discovers the models exported here."""

from models.event import DepartedFollower, FeedEvent
from models.media import UnusedFile, Upload
from models.notification import Notification, NotificationKind
from models.place import Place
from models.playlist import Playlist, PlaylistItem
from models.postcard import Comment, Like, PhotoSource, Postcard
from models.ranking import RankingEntry, RankingSnapshot
from models.safety import (
    Block,
    FollowRequest,
    ModerationAction,
    ModerationKind,
    Mute,
    Report,
    ReportReason,
    ReportStatus,
    ReportSubject,
    RetiredUsername,
    Role,
)
from models.social import Follow
from models.track import Track, TrackLink, TrackProvider
from models.user import AccessToken, User

__all__ = [
    "AccessToken",
    "Block",
    "Comment",
    "DepartedFollower",
    "FeedEvent",
    "Follow",
    "FollowRequest",
    "Like",
    "ModerationAction",
    "ModerationKind",
    "Mute",
    "Notification",
    "NotificationKind",
    "PhotoSource",
    "Place",
    "Playlist",
    "PlaylistItem",
    "Postcard",
    "RankingEntry",
    "RankingSnapshot",
    "Report",
    "ReportReason",
    "ReportStatus",
    "ReportSubject",
    "RetiredUsername",
    "Role",
    "Track",
    "TrackLink",
    "TrackProvider",
    "UnusedFile",
    "Upload",
    "User",
]
