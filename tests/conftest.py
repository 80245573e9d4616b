"""One app per test session, on SQLite by default or on the PostgreSQL database named by
DATABASE_URL; every test starts from empty tables."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from tortoise import Tortoise
from tortoise.contrib.test import truncate_all_models
from tortoise.migrations.api import migrate

from graph import plan
from resolvers.accounts import Hashing
from server.app import create_app
from server.settings import Settings
from tests.support.api import Api
from tests.support.limits import client_of


@pytest.fixture(scope="session", autouse=True)
def _plans_checked() -> Iterator[plan.Checks]:
    """Every query the suite executes on a compiled plan (graph/plan/) is also executed by
    graphql-core, and the two answers must be the same JSON bytes (issue 16): the
    differential test over every test's queries (`_same_as_graphql_core`)."""
    with plan.checking() as checks:
        yield checks


@pytest.fixture(autouse=True)
def _same_as_graphql_core(_plans_checked: plan.Checks) -> Iterator[None]:
    before = len(_plans_checked.mismatches)
    yield
    differences = _plans_checked.mismatches[before:]
    assert not differences, f"the plan answered otherwise than graphql-core: {differences}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        return url
    path: Path = tmp_path_factory.mktemp("db") / "test.sqlite3"
    return f"sqlite://{path}"


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    # The shared app must never trip the rate limits (one "IP" signs up hundreds of users);
    # tests/api/test_limits.py checks them on apps of its own. `extensions.cost` is left out
    # here because several tests compare whole response bodies.
    return Settings(
        database_url=database_url,
        broadcast_url=os.environ.get("BROADCAST_URL", "memory://"),
        rate_limit_points=1_000_000_000,
        rate_limit_anonymous_points=1_000_000_000,
        rate_limit_sign_up="1000000 per minute",
        rate_limit_log_in_username="1000000 per minute",
        rate_limit_log_in_ip="1000000 per minute",
        rate_limit_exports="1000000 per minute",
        rate_limit_key_prefix=f"test-{uuid.uuid4().hex}",
        cost_in_response=False,
        # argon2 at its minimum: the suite signs up hundreds of members
        password_hashing=Hashing.FASTEST,
        # tests recompute trending themselves (resolvers/trending.py): a background run
        # must not land between a test's steps
        trending_interval_seconds=0,
    )


@pytest.fixture(scope="session")
async def app(settings: Settings) -> AsyncIterator[Starlette]:
    await migrate(config=settings.tortoise_config)
    await Tortoise.close_connections()
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture(autouse=True)
async def _empty_tables(app: Starlette) -> None:
    await truncate_all_models()
    await app.state.hub.reset()


@pytest.fixture
async def http(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    async with client_of(app) as client:
        yield client


@pytest.fixture
def api(http: httpx.AsyncClient) -> Api:
    return Api(http)


@pytest.fixture
def is_postgres(database_url: str) -> bool:
    return database_url.startswith("postgres")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """How much of the suite the differential check covered (and why the rest ran on
    graphql-core)."""
    checks = plan.last_checks
    if checks is None:
        return
    reasons = ", ".join(f"{why}: {n}" for why, n in plan.stats.unplanned.most_common(8))
    terminalreporter.write_line(
        f"compiled plans: {checks.compared} executions compared with graphql-core, "
        f"{len(checks.mismatches)} different; on graphql-core: {reasons}"
    )
