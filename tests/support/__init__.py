"""Helpers shared by the test folders (no test module imports another): `api` (the GraphQL
client over HTTP), `sql` (statement counts), `documents` (GraphQL documents several files
send), `ws` (websocket clients, `until`), `servers` (real servers and processes),
`photos` (multipart uploadPhoto requests, phone- and camera-like JPEGs)."""

from tests.support.api import SIGN_UP, Api, User
from tests.support.sql import count_sql

__all__ = ["SIGN_UP", "Api", "User", "count_sql"]
