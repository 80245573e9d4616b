"""Sign up, log in, log out and what a token does."""

from __future__ import annotations

from models import AccessToken, User
from tests.support.api import SIGN_UP, Api

LOG_IN = """
mutation ($input: LogInInput!) {
  logIn(input: $input) { token user { username } errors { field message code } }
}
"""
LOG_OUT = "mutation { logOut { revoked errors { code } } }"
VIEWER = "{ viewer { username displayName } }"
UPDATE_PROFILE = """
mutation ($input: UpdateProfileInput!) {
  updateProfile(input: $input) {
    user { displayName bio avatarUrl } errors { field message code }
  }
}
"""


async def test_sign_up_returns_a_working_token(api: Api) -> None:
    # when
    payload = (
        await api.ok(SIGN_UP, {"input": {"username": "Maya.Rivera", "password": "s3cret-pass"}})
    )["signUp"]
    # then
    assert payload["errors"] == []
    assert payload["user"]["username"] == "maya.rivera"
    data = await api.ok(VIEWER, token=payload["token"])
    assert data == {"viewer": {"username": "maya.rivera", "displayName": "maya.rivera"}}
    token = await AccessToken.get(user__username="maya.rivera")
    assert token.token_hash != payload["token"] and len(token.token_hash) == 64


async def test_username_is_unique_ignoring_case(api: Api) -> None:
    await api.sign_up("dj_kofi")
    payload = (
        await api.ok(SIGN_UP, {"input": {"username": "DJ_Kofi", "password": "another-pass"}})
    )["signUp"]
    assert payload == {
        "token": None,
        "user": None,
        "errors": [{"field": ["username"], "message": "This username is taken.", "code": "TAKEN"}],
    }
    assert await User.all().count() == 1


async def test_sign_up_reports_every_problem_and_writes_nothing(api: Api) -> None:
    payload = (await api.ok(SIGN_UP, {"input": {"username": "no spaces!", "password": "short"}}))[
        "signUp"
    ]
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [
        (["username"], "INVALID"),
        (["password"], "TOO_SHORT"),
    ]
    assert payload["token"] is None
    assert await User.all().count() == 0
    assert await AccessToken.all().count() == 0


async def test_username_length_limits(api: Api) -> None:
    for name in ("ab", "a" * 31):
        payload = (await api.ok(SIGN_UP, {"input": {"username": name, "password": "long-enough"}}))[
            "signUp"
        ]
        assert payload["errors"][0]["field"] == ["username"]
    assert await User.all().count() == 0


async def test_log_in_with_any_case_and_wrong_password(api: Api) -> None:
    await api.sign_up("lena", password="right-password")
    good = (await api.ok(LOG_IN, {"input": {"username": "LENA", "password": "right-password"}}))[
        "logIn"
    ]
    assert good["errors"] == [] and good["user"] == {"username": "lena"}
    for username, password in (("lena", "wrong-password"), ("nobody", "right-password")):
        bad = (await api.ok(LOG_IN, {"input": {"username": username, "password": password}}))[
            "logIn"
        ]
        assert bad == {
            "token": None,
            "user": None,
            "errors": [
                {
                    "field": None,
                    "message": "Wrong username or password.",
                    "code": "INVALID_CREDENTIALS",
                }
            ],
        }
    assert await AccessToken.all().count() == 2  # sign-up and the one good log-in


async def test_log_out_revokes_only_that_token(api: Api) -> None:
    lena = await api.sign_up("lena", password="right-password")
    second = (await api.ok(LOG_IN, {"input": {"username": "lena", "password": "right-password"}}))[
        "logIn"
    ]["token"]
    assert await api.ok(LOG_OUT, token=lena.token) == {"logOut": {"revoked": True, "errors": []}}
    body = await api.raw(VIEWER, token=lena.token)
    assert body["data"] == {"viewer": None}
    assert body["errors"][0]["extensions"] == {"code": "UNAUTHENTICATED"}
    assert (await api.ok(VIEWER, token=second))["viewer"]["username"] == "lena"


async def test_viewer_is_null_when_anonymous_and_an_error_with_a_bad_token(api: Api) -> None:
    assert await api.ok(VIEWER) == {"viewer": None}
    body = await api.raw(VIEWER, token="not-a-token")
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert "expired" in body["errors"][0]["message"]


async def test_mutations_that_need_a_viewer_refuse_anonymous_callers(api: Api) -> None:
    body = await api.raw(UPDATE_PROFILE, {"input": {"bio": "hi"}})
    assert body["data"] is None
    assert body["errors"][0]["extensions"] == {"code": "UNAUTHENTICATED"}
    assert body["errors"][0]["path"] == ["updateProfile"]


async def test_update_profile(api: Api) -> None:
    maya = await api.sign_up("maya")
    payload = await api.mutate(
        "updateProfile",
        UPDATE_PROFILE,
        {
            "displayName": "  Maya R. \u0007",
            "bio": "Vinyl & velvet.\nLisbon",
            "avatarUrl": "https://img.example/maya.png",
        },
        maya.token,
    )
    assert payload["user"] == {
        "displayName": "Maya R.",
        "bio": "Vinyl & velvet.\nLisbon",
        "avatarUrl": "https://img.example/maya.png",
    }
    # omitted fields stay; an explicit null removes the avatar
    payload = await api.mutate("updateProfile", UPDATE_PROFILE, {"avatarUrl": None}, maya.token)
    assert payload["user"] == {
        "displayName": "Maya R.",
        "bio": "Vinyl & velvet.\nLisbon",
        "avatarUrl": None,
    }


async def test_update_profile_bad_input_changes_nothing(api: Api) -> None:
    maya = await api.sign_up("maya")
    payload = (
        await api.ok(
            UPDATE_PROFILE,
            {
                "input": {
                    "displayName": "x" * 101,
                    "bio": "fine",
                    "avatarUrl": "javascript:alert(1)",
                }
            },
            maya.token,
        )
    )["updateProfile"]
    assert payload["user"] is None
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [
        (["displayName"], "TOO_LONG"),
        (["avatarUrl"], "INVALID"),
    ]
    row = await User.get(username="maya")
    assert (row.display_name, row.bio, row.avatar_url) == ("maya", "", None)
