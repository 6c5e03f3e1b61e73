"""Where checkpoints live: SQLite in the workspace by default, or Postgres from a URL.

Both hold the LangGraph checkpoints (one thread per run) and the decision claims; the
workspace folder keeps traces, reports and run locks either way.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

from graphs.workspace import Workspace

# Creating tables from several processes at once can collide in Postgres' catalogue: whoever
# creates them first holds this advisory lock, the others wait and then find them made. Waiters
# poll with short statements rather than block inside one, because the checkpointer's
# `CREATE INDEX CONCURRENTLY` waits for every open transaction (a blocked waiter would deadlock).
SETUP_LOCK = 0x6761746572  # "gater"
POLL_S = 0.05
TRY_LOCK = "SELECT pg_try_advisory_lock(%s) AS ok"


def _got(row: Any) -> bool:
    return bool(row["ok"] if isinstance(row, dict) else row[0])


def setup_lock(conn: Any) -> None:
    """Hold the schema lock on a Postgres connection for the rest of its session."""
    while not _got(conn.execute(TRY_LOCK, (SETUP_LOCK,)).fetchone()):
        time.sleep(POLL_S)


async def _async_setup_lock(conn: Any) -> None:
    while True:  # the lock is held by another process: there is no event to wait on
        if _got(await (await conn.execute(TRY_LOCK, (SETUP_LOCK,))).fetchone()):
            return
        await asyncio.sleep(POLL_S)


def setup_unlock(conn: Any) -> None:
    """Release the schema lock."""
    conn.execute("SELECT pg_advisory_unlock(%s)", (SETUP_LOCK,))


@asynccontextmanager
async def async_saver(workspace: Workspace) -> AsyncIterator[BaseCheckpointSaver]:
    """The checkpointer of this workspace, for driving runs."""
    if workspace.database_url is None:
        workspace.ensure()
        async with AsyncSqliteSaver.from_conn_string(str(workspace.database)) as saver:
            yield saver
        return
    workspace.ensure()  # traces, reports and locks still live in the folder
    from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver

    async with AsyncPostgresSaver.from_conn_string(workspace.database_url) as saver:
        await _async_setup_lock(saver.conn)
        try:
            await saver.setup()
        finally:
            await saver.conn.execute("SELECT pg_advisory_unlock(%s)", (SETUP_LOCK,))
        yield saver


@contextmanager
def saver(workspace: Workspace) -> Iterator[BaseCheckpointSaver]:
    """The checkpointer of this workspace, for reading runs."""
    if workspace.database_url is None:
        with SqliteSaver.from_conn_string(str(workspace.database)) as sqlite_saver:
            yield sqlite_saver
        return
    from langgraph.checkpoint.postgres import PostgresSaver

    with PostgresSaver.from_conn_string(workspace.database_url) as pg_saver:
        setup_lock(pg_saver.conn)
        try:
            pg_saver.setup()
        finally:
            setup_unlock(pg_saver.conn)
        yield pg_saver


def thread_ids(checkpointer: BaseCheckpointSaver) -> list[str]:
    """Every run (thread) with a checkpoint."""
    query = "SELECT DISTINCT thread_id FROM checkpoints WHERE checkpoint_ns = ''"
    if isinstance(checkpointer, SqliteSaver):
        try:
            rows = checkpointer.conn.execute(query).fetchall()
        except sqlite3.OperationalError:  # no checkpoint table yet: no run was ever saved
            return []
        return [r[0] for r in rows]
    with checkpointer.conn.cursor() as cur:  # type: ignore[attr-defined]
        cur.execute(query)
        return [r["thread_id"] for r in cur.fetchall()]
