-- The peer's own objects in the bench database: schema `peer` and two computed columns
-- beside Soundpost's tables, which PostGraphile v4 exposes as they are (bench/peer.py runs this before each start;
-- every statement is idempotent). The functions mirror what Soundpost answers.
CREATE SCHEMA IF NOT EXISTS peer;

-- The viewer, from the JWT PostGraphile verified (claim `user_id`).
CREATE OR REPLACE FUNCTION peer.viewer_id() RETURNS bigint
LANGUAGE sql STABLE AS $$
  SELECT nullif(current_setting('jwt.claims.user_id', true), '')::bigint
$$;

-- Soundpost's explore: everyone's moments newest first, but those of private or
-- suspended members.
CREATE OR REPLACE FUNCTION peer.explore(page_size int) RETURNS SETOF public.postcards
LANGUAGE sql STABLE AS $$
  SELECT p.* FROM public.postcards p JOIN public.users u ON u.id = p.author_id
  WHERE NOT u.is_private AND u.suspended_at IS NULL
  ORDER BY p.created_at DESC, p.id DESC LIMIT page_size
$$;

-- Soundpost's feed page selection (resolvers/feed.py): the newest moments of each member
-- the viewer follows (but muted or suspended ones) and their own, newest first.
CREATE OR REPLACE FUNCTION peer.feed(page_size int) RETURNS SETOF public.postcards
LANGUAGE sql STABLE AS $$
  SELECT p.* FROM (
    SELECT f.followee_id AS a FROM public.follows f JOIN public.users u ON u.id = f.followee_id
    WHERE f.follower_id = peer.viewer_id() AND u.suspended_at IS NULL
      AND f.followee_id NOT IN (
        SELECT m.muted_id FROM public.mutes m
        WHERE m.muter_id = peer.viewer_id() AND (m.expires_at IS NULL OR m.expires_at > now()))
    UNION SELECT peer.viewer_id()
  ) people CROSS JOIN LATERAL (
    SELECT r.id, r.created_at FROM public.postcards r WHERE r.author_id = people.a
    ORDER BY r.created_at DESC, r.id DESC LIMIT page_size
  ) x JOIN public.postcards p ON p.id = x.id
  ORDER BY x.created_at DESC, x.id DESC LIMIT page_size
$$;

-- Computed columns live in their table's schema (PostGraphile's rule).
-- User.latestMoments: a member's last moments, newest first.
DROP FUNCTION IF EXISTS peer.profile_moments(public.users, int);
CREATE OR REPLACE FUNCTION public.users_latest_moments(u public.users, page_size int)
RETURNS SETOF public.postcards LANGUAGE sql STABLE AS $$
  SELECT p.* FROM public.postcards p WHERE p.author_id = u.id
  ORDER BY p.created_at DESC, p.id DESC LIMIT page_size
$$;

-- Postcard.viewerHasLiked, a computed column.
CREATE OR REPLACE FUNCTION public.postcards_viewer_has_liked(p public.postcards) RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT EXISTS (SELECT 1 FROM public.likes l WHERE l.postcard_id = p.id AND l.user_id = peer.viewer_id())
$$;

-- What no API shows.
COMMENT ON COLUMN public.users.password_hash IS E'@omit';
