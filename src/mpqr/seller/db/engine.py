"""The async engine and the one way to open a unit of work.

SQLite (aiosqlite, WAL) serialises writers itself, but a read that later turns into a write fails
with ``database is locked`` when another connection wrote in between; so on SQLite every unit of
work takes one in-process lock; pure reads (:meth:`Database.read`) do not. PostgreSQL (asyncpg)
runs them concurrently and relies on row locks.

The hot paths use :meth:`Database.unit` / :meth:`Database.read_unit` instead: the same async
repository code, but on SQLite the whole unit runs on a worker thread over the plain driver (one
hand-over to that thread per unit; aiosqlite makes about four per statement). The hottest of all,
the inbox writer's batch, is a :meth:`Database.driver_unit`: its statements go straight to
``sqlite3`` or ``asyncpg``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from importlib import resources
from typing import Any, Concatenate, ParamSpec, TypeAlias, TypeVar

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.util import greenlet_spawn

from mpqr.seller.db.lock import WriteLock

__all__ = ["Conn", "Database", "ThreadConn", "async_url", "plain_postgres_dsn"]

P = ParamSpec("P")
T = TypeVar("T")


def async_url(url: str) -> str:
    """``sqlite:///x.db`` → ``sqlite+aiosqlite:///x.db``; ``postgresql://`` → ``+asyncpg``."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        raise ValueError("database URL must look like sqlite:///path or postgresql://host/db")
    base = scheme.split("+", 1)[0]
    if base == "sqlite":
        return f"sqlite+aiosqlite://{rest}"
    if base in {"postgresql", "postgres"}:
        return f"postgresql+asyncpg://{rest}"
    raise ValueError(f"unsupported database {base!r}: use sqlite or postgresql")


def plain_postgres_dsn(url: str) -> str:
    """The libpq-style DSN asyncpg.connect understands (for LISTEN/NOTIFY)."""
    return "postgresql://" + url.partition("://")[2]


class ThreadConn:
    """A plain (sync) connection with :class:`AsyncConnection`'s face, for a unit of work that
    runs whole on a worker thread (:meth:`Database.unit`): its awaits never suspend."""

    __slots__ = ("sync",)

    def __init__(self, sync: sa.Connection) -> None:
        self.sync = sync

    @property
    def dialect(self) -> sa.Dialect:
        return self.sync.dialect

    async def execute(
        self, statement: sa.Executable, parameters: Any = None
    ) -> sa.CursorResult[Any]:
        return self.sync.execute(statement, parameters)

    async def run_sync(
        self, fn: Callable[Concatenate[sa.Connection, P], T], *args: P.args, **kw: P.kwargs
    ) -> T:
        return fn(self.sync, *args, **kw)


Conn: TypeAlias = AsyncConnection | ThreadConn
"""What repository functions take: the async connection, or a unit's thread connection."""

Unit = Callable[Concatenate[Conn, P], Coroutine[Any, Any, T]]


def _drive(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine that never suspends (its only awaits are a :class:`ThreadConn`'s)."""
    try:
        coro.send(None)
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]
    coro.close()
    raise RuntimeError("a unit of work on the database thread awaited something else")


class Database:
    """One async engine plus :meth:`transaction` (commit on success) and :meth:`migrate`.

    >>> db = Database("sqlite:///./mpqr.db")   # doctest: +SKIP
    >>> async with db.transaction() as conn: ...  # doctest: +SKIP
    """

    def __init__(self, url: str, pool_size: int = 10) -> None:
        self.url = url
        self.engine: AsyncEngine = create_async_engine(
            async_url(url), **_engine_options(url, pool_size)
        )
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        self._write_lock = WriteLock() if self.is_sqlite else None
        self._sync_engine: sa.Engine | None = None  # SQLite: for the units on worker threads
        if self.is_sqlite:
            sa.event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
            self._sync_engine = _sync_sqlite_engine(url)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncConnection]:
        """A unit of work: committed when the block ends, rolled back if it raises."""
        if self._write_lock is None:
            async with self.engine.begin() as conn:
                yield conn
            return
        async with self._write_lock.hold(), self.engine.begin() as conn:
            yield conn

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncConnection]:
        """Reads only: no write lock on SQLite (WAL lets readers run beside the writer); what
        the block sees is committed data, and nothing it does is committed."""
        async with self.engine.connect() as conn:
            yield conn

    async def unit(self, fn: Unit[P, T], *args: P.args, **kw: P.kwargs) -> T:
        """``await fn(conn, *args)`` as one unit of work, committed before this returns (rolled
        back if it raises). ``fn`` may await only ``conn``: on SQLite the whole unit runs on a
        worker thread with a plain connection (one hand-over instead of several per statement);
        on PostgreSQL it runs on the async engine as :meth:`transaction` does."""
        if self._write_lock is None:
            async with self.engine.begin() as conn:
                return await fn(conn, *args, **kw)
        async with self._write_lock.hold():
            return await _off_loop(self._sync_unit, lambda c: _drive(fn(c, *args, **kw)))

    async def read_unit(self, fn: Unit[P, T], *args: P.args, **kw: P.kwargs) -> T:
        """Like :meth:`unit` for reads only, as :meth:`read` (no write lock, nothing committed)."""
        if self._write_lock is None:
            async with self.engine.connect() as conn:
                return await fn(conn, *args, **kw)
        return await asyncio.to_thread(self._sync_read, lambda c: _drive(fn(c, *args, **kw)))

    async def driver_unit(
        self, fn: Callable[Concatenate[Any, P], T], *args: P.args, **kw: P.kwargs
    ) -> T:
        """``fn(driver, *args)`` as one urgent unit of work on the driver's own connection,
        committed before this returns (rolled back if it raises): for the hottest statements,
        without SQLAlchemy's execution machinery. SQLite: ``driver`` is the ``sqlite3``
        connection, on a worker thread; PostgreSQL: the ``asyncpg`` connection, and ``fn`` runs
        in a greenlet on the event loop, waiting for its coroutines with
        :func:`sqlalchemy.util.await_only`."""
        if self._write_lock is None:
            return await self._asyncpg_unit(lambda raw: fn(raw, *args, **kw))
        async with self._write_lock.hold(urgent=True):
            work = lambda c: fn(c.sync.connection.driver_connection, *args, **kw)  # noqa: E731
            return await _off_loop(self._sync_unit, work)

    async def _asyncpg_unit(self, work: Callable[[Any], T]) -> T:
        async with self.engine.connect() as conn:
            raw: Any = (await conn.get_raw_connection()).driver_connection
            try:
                await raw.execute(_BEGIN_DRIVER_UNIT)
                result = await greenlet_spawn(work, raw)
                await raw.execute("COMMIT")
                return result
            except BaseException as exc:
                await _end_failed_unit(conn, raw, exc)
                raise

    def _sync_unit(self, work: Callable[[ThreadConn], T]) -> T:
        assert self._sync_engine is not None
        with self._sync_engine.begin() as conn:
            return work(ThreadConn(conn))

    def _sync_read(self, work: Callable[[ThreadConn], T]) -> T:
        assert self._sync_engine is not None
        with self._sync_engine.connect() as conn:
            try:
                return work(ThreadConn(conn))
            finally:
                conn.rollback()

    async def migrate(self) -> None:
        """Bring the schema to the newest Alembic revision (runs on every start)."""
        async with self.transaction() as conn:
            await conn.run_sync(_upgrade)

    async def ping(self) -> None:
        async with self.engine.connect() as conn:
            await conn.execute(sa.text("SELECT 1"))

    async def dispose(self) -> None:
        await self.engine.dispose()
        if self._sync_engine is not None:
            self._sync_engine.dispose()


async def _off_loop(
    run: Callable[[Callable[[ThreadConn], T]], T], work: Callable[[ThreadConn], T]
) -> T:
    """``run(work)`` on a worker thread. A caller cancelled meanwhile still waits for the thread
    to end (then raises): the write lock it holds must not pass on while its unit still runs."""
    done = asyncio.ensure_future(asyncio.to_thread(run, work))
    try:
        return await asyncio.shield(done)
    except asyncio.CancelledError:
        await asyncio.wait([done])
        raise


# One round trip. Plans made for each run's values: asyncpg prepares each statement once per
# connection, and after five runs PostgreSQL may keep one generic plan for good; made while the
# inbox was young (a new database, the first minute of a burst) that plan read the whole table
# and went on doing so as it grew (the writer's lookup: 4 ms at 3,000 rows, 35 ms at 18,000).
# Only here, for the few statements of a hot unit: set for every statement of the seller, it
# took the server's CPU per sale created from 0.9-1.8 ms to 3.5-4.5 ms.
_BEGIN_DRIVER_UNIT = "BEGIN; SET LOCAL plan_cache_mode = force_custom_plan"


async def _end_failed_unit(conn: AsyncConnection, raw: Any, exc: BaseException) -> None:
    """Roll back after an error of the server's (the connection is fine); after any other
    (dropped, cancelled mid-statement) the connection is closed, not put back into the pool."""
    import asyncpg

    if not raw.is_closed() and isinstance(exc, asyncpg.PostgresError):
        try:
            if raw.is_in_transaction():
                await raw.execute("ROLLBACK")
        except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError):
            pass
        else:
            return
    await conn.invalidate()


def _engine_options(url: str, pool_size: int) -> dict[str, Any]:
    """One connection per unit of work, never two: no unit of work waits for a second connection
    while holding one, so a full pool makes requests queue, not deadlock.

    No ``pool_pre_ping`` on PostgreSQL: it cost a round trip (about a third of a short unit's
    CPU) on every checkout. A connection the server dropped fails its next statement instead;
    SQLAlchemy sees the disconnect and discards every pooled connection opened before it, so one
    unit of work fails (a 500, or a background step retried) and the next ones reconnect."""
    if url.startswith("sqlite"):
        return {"connect_args": {"timeout": 30}}
    return {"pool_size": pool_size, "max_overflow": pool_size}


def _sync_sqlite_engine(url: str) -> sa.Engine:
    """The same file through the plain driver, for units on worker threads."""
    engine = sa.create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
    sa.event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # FULL: a commit is on disk before it returns, so a 200 survives a power cut, not only a crash
    # of this process (NORMAL would). Group commit (the inbox writer) shares the fsync.
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def alembic_config() -> Config:
    """An Alembic config built in code; the scripts live inside the package."""
    cfg = Config()
    location = resources.files("mpqr.seller.db").joinpath("migrations")
    cfg.set_main_option("script_location", str(location))
    return cfg


def _upgrade(sync_conn: sa.Connection) -> None:
    cfg = alembic_config()
    cfg.attributes["connection"] = sync_conn
    command.upgrade(cfg, "head")
