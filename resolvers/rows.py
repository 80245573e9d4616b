"""Inserting a row that a unique constraint may already hold."""

from __future__ import annotations

from typing import Any, TypeVar

from tortoise.exceptions import IntegrityError
from tortoise.models import Model
from tortoise.transactions import in_transaction

M = TypeVar("M", bound=Model)


async def create_once(model: type[M], **values: Any) -> M | None:
    """The new row, or None when a unique constraint says it exists already. The insert runs
    in a savepoint: on PostgreSQL a failed insert would otherwise abort the caller's
    transaction, and the caller goes on after a duplicate."""
    try:
        async with in_transaction():
            return await model.create(**values)
    except IntegrityError:
        return None
