"""Tortoise models, one module per domain. Tortoise discovers the models exported here."""

from models.event import FeedEvent
from models.media import UnusedFile, Upload
from models.notification import Notification, NotificationKind
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
from models.track import Track
from models.user import AccessToken, User

__all__ = [
    "AccessToken",
    "Block",
    "Comment",
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
    "UnusedFile",
    "Upload",
    "User",
]
