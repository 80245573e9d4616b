"""Counting the SQL statements a block of code runs (tortoise's debug log): those of the
task running the block and of the tasks it starts (loaders' batches), not of the app's
periodic work that happens to run meanwhile (a prune of the feed's log landed in counts on a
busy machine)."""

from __future__ import annotations

import logging
from contextlib import contextmanager
from contextvars import ContextVar

from graph import plan

# the counters of the blocks a statement runs in (tasks started inside them inherit them)
_counting: ContextVar[tuple[SqlCounter, ...]] = ContextVar("counting_sql", default=())


class SqlCounter(logging.Handler):
    """Counts SQL statements through tortoise's `tortoise.db_client` debug log."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.statements: list[str] = []
        self.texts: list[str] = []  # the statements without their parameters

    def emit(self, record: logging.LogRecord) -> None:
        if self not in _counting.get():
            return
        if record.msg == "%s: %s" or record.msg.lstrip().upper().startswith(("SELECT", "INSERT")):
            self.statements.append(record.getMessage())
            self.texts.append(str(record.args[0]) if record.msg == "%s: %s" else record.msg)  # type: ignore[index]


@contextmanager
def count_sql():  # type: ignore[no-untyped-def]
    logger = logging.getLogger("tortoise.db_client")
    counter = SqlCounter()
    previous = logger.level
    logger.setLevel(logging.DEBUG)
    logger.addHandler(counter)
    token = _counting.set((*_counting.get(), counter))
    try:
        # the statements of the plans that serve, without graphql-core's second opinion
        with plan.unchecked():
            yield counter
    finally:
        _counting.reset(token)
        logger.removeHandler(counter)
        logger.setLevel(previous)
