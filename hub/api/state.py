"""Database access of the API (always as hub_api) and the published state, re-read at most once per second."""

from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import dataclass

import psycopg
from psycopg_pool import AsyncConnectionPool, ConnectionPool

from hub.db.connect import conninfo
from hub.errors import M, DatabaseError, HubError, QueryTimeout
from hub.settings import db_settings

# The API role cannot read meta.*: this view (owned by hub_owner) exposes what the API needs of meta.published.
# The lead's migration should create it; `hub publish` and the test fixture create it when missing.
PUBLISHED_VIEW = "pub.published_datasets"
# pub.published_datasets comes from migration 0007.
STATE_SQL = ("SELECT dataset_id, version, published_at, row_count, bbox, interval_start, interval_end, load_id "
             "FROM pub.published_datasets ORDER BY dataset_id")
CHECK_INTERVAL_S = 1.0
# Session settings of every API connection: JIT off (the API runs short, selective queries; JIT compilation cost
# 0.3-1 s on any plan above jit_above_cost, e.g. a count or an OFFSET over 1M rows).
SESSION_OPTIONS = "-c jit=off"


def api_conninfo() -> str:
    """The hub_api conninfo with the API's session options appended to any the URL already sets."""
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    info = conninfo("api")
    options = conninfo_to_dict(info).get("options")
    return make_conninfo(info, options=f"{options} {SESSION_OPTIONS}" if options else SESSION_OPTIONS)


@dataclass(frozen=True)
class Published:
    """What meta.published records about one dataset."""

    dataset_id: str
    version: int
    published_at: object
    row_count: int
    bbox: tuple | None
    interval_start: object
    interval_end: object
    load_id: int


def _rows_to_state(rows) -> dict[str, Published]:
    """Rows of STATE_SQL keyed by dataset id."""
    return {r[0]: Published(r[0], r[1], r[2], r[3], tuple(r[4]) if r[4] else None, r[5], r[6], r[7]) for r in rows}


def token(state: dict[str, Published]) -> str:
    """A short fingerprint of every published version (changes whenever anything is republished)."""
    return ",".join(f"{k}:{v.version}" for k, v in sorted(state.items())) or "empty"


def db_error(exc: BaseException) -> HubError:
    """Map a driver error to the hub hierarchy; the driver text goes to `internal` only."""
    if isinstance(exc, HubError):
        return exc
    if isinstance(exc, psycopg.errors.QueryCanceled):
        return QueryTimeout(M("api.timeout"), internal=str(exc))
    return DatabaseError(M("api.unavailable"), internal=f"{type(exc).__name__}: {exc}")


class AsyncState:
    """Per-worker async pool plus the cached published state."""

    def __init__(self) -> None:
        """Create the (not yet opened) pool: autocommit connections, so a single read is one round trip."""
        self.pool = AsyncConnectionPool(api_conninfo(), min_size=1, max_size=db_settings().api_pool_max,
                                        open=False, timeout=10, kwargs={"autocommit": True})
        self.state: dict[str, Published] = {}
        self.checked = 0.0
        self.lock = asyncio.Lock()
        self.opened = False

    async def open(self) -> None:
        """Open the pool once."""
        if not self.opened:
            await self.pool.open(wait=False)
            self.opened = True

    async def fetchone(self, stmt, params) -> tuple | None:
        """One row (binary format: bytea arrives as bytes) from the pool as hub_api; failures become DatabaseError."""
        await self.open()
        try:
            async with self.pool.connection() as conn:
                return await (await conn.execute(stmt, params, binary=True)).fetchone()
        except psycopg.Error as exc:
            raise db_error(exc) from exc

    async def close(self) -> None:
        """Close the pool."""
        if self.opened:
            await self.pool.close()
            self.opened = False

    async def current(self) -> dict[str, Published]:
        """The published state, re-read from the database at most once per CHECK_INTERVAL_S."""
        if time.monotonic() - self.checked < CHECK_INTERVAL_S:
            return self.state
        async with self.lock:
            if time.monotonic() - self.checked >= CHECK_INTERVAL_S:
                await self.open()
                try:
                    async with self.pool.connection() as conn:
                        cur = await conn.execute(STATE_SQL)
                        self.state = _rows_to_state(await cur.fetchall())
                except (psycopg.Error, OSError) as exc:
                    self.checked = 0.0
                    raise db_error(exc) from exc
                self.checked = time.monotonic()
        return self.state


_SYNC_POOL: ConnectionPool | None = None
_SYNC_LOCK = threading.Lock()
_SYNC_STATE: tuple[float, dict[str, Published]] = (0.0, {})


def sync_pool() -> ConnectionPool:
    """The per-process synchronous pool used by pygeoapi plugins (provider, records, processes)."""
    global _SYNC_POOL
    with _SYNC_LOCK:
        if _SYNC_POOL is None:
            _SYNC_POOL = ConnectionPool(api_conninfo(), min_size=0, max_size=db_settings().api_pool_max,
                                        open=True, timeout=10)
        return _SYNC_POOL


def published_sync() -> dict[str, Published]:
    """The published state for synchronous callers (cached for CHECK_INTERVAL_S)."""
    global _SYNC_STATE
    at, state = _SYNC_STATE
    if time.monotonic() - at < CHECK_INTERVAL_S:
        return state
    try:
        with sync_pool().connection() as conn:
            state = _rows_to_state(conn.execute(STATE_SQL).fetchall())
    except (psycopg.Error, OSError) as exc:
        raise db_error(exc) from exc
    _SYNC_STATE = (time.monotonic(), state)
    return state


def published_direct(conn: psycopg.Connection) -> dict[str, Published]:
    """The published state read on a caller's connection (CLI rendering)."""
    return _rows_to_state(conn.execute(STATE_SQL).fetchall())
