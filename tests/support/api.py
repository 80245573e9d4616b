"""A GraphQL client over real HTTP (the ASGI app through httpx), and the members it signs up."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx


class Api:
    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def raw(
        self, query: str, variables: dict[str, Any] | None = None, token: str | None = None
    ) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = await self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        assert response.status_code == 200, response.text
        return response.json()

    async def ok(
        self, query: str, variables: dict[str, Any] | None = None, token: str | None = None
    ) -> dict[str, Any]:
        """Data of a query that must succeed with no top-level errors."""
        body = await self.raw(query, variables, token)
        assert "errors" not in body, body["errors"]
        return body["data"]

    async def mutate(
        self, name: str, query: str, input: dict[str, Any], token: str | None = None
    ) -> dict[str, Any]:
        """The payload of a mutation taking `$input`; asserts it has no UserErrors."""
        payload = (await self.ok(query, {"input": input}, token))[name]
        assert payload["errors"] == [], payload["errors"]
        return payload

    async def sign_up(self, username: str, password: str = "correct horse") -> User:
        payload = await self.mutate("signUp", SIGN_UP, {"username": username, "password": password})
        return User(id=payload["user"]["id"], username=username, token=payload["token"])


@dataclass(frozen=True)
class User:
    id: str
    username: str
    token: str


SIGN_UP = """
mutation ($input: SignUpInput!) {
  signUp(input: $input) { token user { id username } errors { field message code } }
}
"""
