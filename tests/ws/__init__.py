"""Websockets against a real uvicorn: both protocols, limits, live subscriptions."""
