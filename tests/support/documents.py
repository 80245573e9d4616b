"""GraphQL documents that several test files send. A file that needs another selection
keeps its own document (the name then says what it selects)."""

from __future__ import annotations

# --- mutations ----------------------------------------------------------------------------

CREATE = """
mutation ($input: CreatePostcardInput!) {
  createPostcard(input: $input) { postcard { id } errors { code } }
}
"""
FOLLOW = "mutation ($input: FollowInput!) { follow(input: $input) { errors { code } } }"
LIKE = "mutation ($input: PostcardIdInput!) { likePostcard(input: $input) { errors { code } } }"
COMMENT = "mutation ($input: AddCommentInput!) { addComment(input: $input) { errors { code } } }"
DELETE_POSTCARD = """
mutation ($input: PostcardIdInput!) {
  deletePostcard(input: $input) { deletedPostcardId errors { field message code } }
}
"""
LOG_IN = "mutation ($input: LogInInput!) { logIn(input: $input) { token errors { code } } }"

# --- subscriptions ------------------------------------------------------------------------

FRIEND_MOMENTS = """
subscription ($after: String) {
  friendMoments(after: $after) {
    __typename
    ... on PostcardPosted { cursor postcard { id caption author { username } likeCount } }
    ... on PostcardDeleted { cursor postcardId }
    ... on FeedResyncRequired { reason }
  }
}
"""
NOTIFICATIONS = """
subscription {
  notifications {
    kind actor { username } postcard { caption } comment { body } readAt
  }
}
"""
ACTIVITY = """
subscription ($id: ID!) {
  postcardActivity(postcardId: $id) { postcardId likeCount commentCount comment { body author { username } } }
}
"""
