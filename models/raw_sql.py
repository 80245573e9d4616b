"""Raw SQL in migrations, one list of statements per database: what tortoise cannot express
(virtual tables, triggers, extensions, expression indexes). Each statement is sent whole:
the SQLite schema editor's own `RunSQL` splits a script at every `;`, which cuts a
trigger's body apart. Under `tortoise sqlmigrate` the statements are collected, not run
(the schema editor's `collect_sql` / `collected_sql`)."""

from __future__ import annotations

from typing import Any

from tortoise.migrations import operations as ops

Statements = dict[str, list[str]]  # dialect ("sqlite", "postgres") -> its statements


async def run(editor: Any, statements: Statements) -> None:
    """The statements of the editor's database, in order."""
    for sql in statements.get(editor.client.capabilities.dialect, []):
        if editor.collect_sql:
            editor.collected_sql.append(sql)
        else:
            await editor.client.execute_query(sql)


def per_dialect(forward: Statements, backward: Statements) -> ops.RunPython:
    """A migration step running `forward` (and, migrating down, `backward`)."""

    async def forwards(apps: Any, editor: Any) -> None:
        await run(editor, forward)

    async def backwards(apps: Any, editor: Any) -> None:
        await run(editor, backward)

    return ops.RunPython(forwards, backwards)
