from tests.support.api import Api


async def test_sign_up_and_viewer(api: Api) -> None:
    alice = await api.sign_up("Alice")
    data = await api.ok("{ viewer { username followerCount } }", token=alice.token)
    assert data == {"viewer": {"username": "alice", "followerCount": 0}}
