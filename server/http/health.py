"""`/healthz` (the process answers) and `/readyz` (it can serve: the database answers; the
broker's state is reported, its outage only degrades live feeds)."""

from __future__ import annotations

import logging

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from tortoise import Tortoise

from subscriptions.hub import Hub

log = logging.getLogger("soundpost")


async def healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> Response:
    """503 when the database is unreachable. A broker outage leaves the app ready but
    degraded: live feeds fall back to reading the event log."""
    hub: Hub | None = getattr(request.app.state, "hub", None)
    broker = hub.state if hub else "stopped"
    try:
        await Tortoise.get_connection("default").execute_query("SELECT 1")
    except Exception as error:  # any failure means not ready; the reason goes to the log
        log.warning("readiness check failed: %r", error)
        body = {"status": "unavailable", "database": "down", "broker": broker}
        return JSONResponse(body, status_code=503)
    status = "ok" if broker == "up" else "degraded"
    return JSONResponse({"status": status, "database": "up", "broker": broker})
