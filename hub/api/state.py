"""Database access of the API (always as hub_api) and the published state, re-read at most once per second."""

from __future__ import annotations

import asyncio
import atexit
import threading
import time
from dataclasses import dataclass

import psycopg
from psycopg_pool import AsyncConnectionPool, ConnectionPool

from hub.db.connect import conninfo
from hub.errors import DatabaseError, HubError, M, QueryTimeout
from hub.settings import db_settings

# The API role cannot read meta.*: pub.published_datasets (migration 0009, owned by hub_owner) exposes what the API
# needs of meta.published and meta.published_collection, one row per published collection.
STATE_SQL = ("SELECT collection, version, published_at, row_count, bbox, interval_start, interval_end, load_id, "
             "dataset_id, time_kind FROM pub.published_datasets ORDER BY collection")
CHECK_INTERVAL_S = 1.0


def session_options() -> str:
    """Session settings of every API connection. JIT off: the API runs short, selective queries (JIT compilation
    cost 0.3-1 s on any plan above jit_above_cost, e.g. a count or an OFFSET over 1M rows). Read-only and the
    statement timeout come from the startup packet too, which outranks role settings: a role that altered its own
    settings (issue 16 item 10) cannot loosen the server's sessions, guard library or not."""
    return (f"-c jit=off -c default_transaction_read_only=on "
            f"-c statement_timeout={db_settings().api_statement_timeout_ms}")


def api_conninfo() -> str:
    """The hub_api conninfo with the API's session options appended to any the URL already sets."""
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    info = conninfo("api")
    options = conninfo_to_dict(info).get("options")
    mine = session_options()
    return make_conninfo(info, options=f"{options} {mine}" if options else mine)


@dataclass(frozen=True)
class Published:
    """What is recorded about one published collection (its dataset's version, its own figures)."""

    collection: str
    version: int
    published_at: object
    row_count: int
    bbox: tuple | None
    interval_start: object  # timestamptz (dates: the start of their first day, UTC)
    interval_end: object  # timestamptz (dates: the end of their last day, UTC)
    load_id: int
    dataset_id: str = ""
    time_kind: str | None = None

    def interval_text(self) -> tuple[str | None, str | None]:
        """The time span as RFC 3339 text: dates for date columns, instants for timestamps."""
        def text(v, end: bool) -> str | None:
            if v is None:
                return None
            if self.time_kind == "date":
                return v.date().isoformat()
            return v.isoformat().replace("+00:00", "Z")
        return text(self.interval_start, False), text(self.interval_end, True)


def _rows_to_state(rows) -> dict[str, Published]:
    """Rows of STATE_SQL keyed by collection id."""
    return {r[0]: Published(r[0], r[1], r[2], r[3], tuple(r[4]) if r[4] else None, r[5], r[6], r[7], r[8], r[9])
            for r in rows}


def token(state: dict[str, Published]) -> str:
    """A short fingerprint of every published version (changes whenever anything is republished)."""
    return ",".join(f"{k}:{v.version}" for k, v in sorted(state.items())) or "empty"


def by_dataset(state: dict[str, Published]) -> dict[str, list[Published]]:
    """Published collections grouped by dataset id."""
    out: dict[str, list[Published]] = {}
    for pub in state.values():
        out.setdefault(pub.dataset_id, []).append(pub)
    return out


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
            atexit.register(_SYNC_POOL.close, timeout=1.0)  # its worker threads end before the interpreter does
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

