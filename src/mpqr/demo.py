"""``mpqr demo``: the sandbox and the seller server together, ready to sell, in one process.

Both run under uvicorn on 127.0.0.1 in one asyncio loop. The first run creates a sandbox seller,
a cashier login, an API key, a store and two cashboxes (through the seller's own HTTP API) and
keeps what it must print again in ``<data-dir>/demo.json``; later runs reuse all of it: the
sandbox state file, the seller's SQLite database and that file live in the data directory.

    $ mpqr demo
    mpqr demo is running (Ctrl-C stops it)
      cashier:      http://127.0.0.1:8000/ui/  user: cajero  password: ...
      customer app: http://127.0.0.1:8080/customer/123456  (Caja 1)
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import signal
import socket
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import click

__all__ = ["Demo", "DemoConfig", "DemoInfo", "command"]

STORE: Final = {"external_id": "SUC001", "name": "Sucursal Demo"}
CASHBOXES: Final = (("CAJA1", "Caja 1"), ("CAJA2", "Caja 2"))
USERNAME: Final = "cajero"
SITE: Final = "MLA"


@dataclass(frozen=True)
class DemoConfig:
    """Where the demo keeps its data and which ports it asks for (``None``: a default port,
    or any free port if that one is busy; ``0``: any free port)."""

    data_dir: Path
    sandbox_port: int | None = None
    port: int | None = None
    host: str = "127.0.0.1"


@dataclass(frozen=True)
class DemoInfo:
    """What the demo prints: where things are and how to sign in."""

    seller_url: str
    sandbox_url: str
    username: str
    password: str = field(repr=False)
    api_key: str = field(repr=False)
    customer_urls: dict[str, str]  # cashbox external_id -> customer app URL
    cashbox_names: dict[str, str] = field(default_factory=dict)  # external_id -> name

    @property
    def cashier_url(self) -> str:
        return f"{self.seller_url}/ui/"


def bind(host: str, port: int | None, default: int) -> socket.socket:
    """A listening-ready socket: ``port`` exactly, or ``default`` falling back to a free port."""
    wanted = default if port is None else port
    try:
        return _bound(host, wanted)
    except OSError:
        if port is not None:
            raise
        return _bound(host, 0)


def _bound(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


def load_saved(data_dir: Path) -> dict[str, Any]:
    path = data_dir / "demo.json"
    if not path.exists():
        return {}
    saved: dict[str, Any] = json.loads(path.read_text())
    return saved


def save(data_dir: Path, values: dict[str, Any]) -> None:
    """Write ``demo.json`` readable by its owner only (it holds the login and the tokens)."""
    path = data_dir / "demo.json"
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        json.dump(values, out, indent=2)
    tmp.replace(path)


def _prepare_dir(data_dir: Path) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    ignore = data_dir / ".gitignore"
    if not ignore.exists():  # credentials must never be committed by accident
        ignore.write_text("*\n")


class Demo:
    """Runs the sandbox and the seller server until ``stop`` is set; :attr:`ready` is set (and
    :attr:`info` filled) once both serve and the cashboxes exist."""

    def __init__(self, config: DemoConfig, *, echo: Callable[[str], None] = click.echo) -> None:
        self.config = config
        self.echo = echo
        self.ready = asyncio.Event()
        self.info: DemoInfo | None = None
        self.seller_app: Any = None

    async def run(self, stop: asyncio.Event) -> None:
        data = self.config.data_dir
        _prepare_dir(data)
        saved = load_saved(data)
        sandbox_sock = bind(self.config.host, self.config.sandbox_port, 8080)
        seller_sock = bind(self.config.host, self.config.port, 8000)
        sandbox_url = _url(sandbox_sock)
        seller_url = _url(seller_sock)
        sandbox_app, seller_info = _sandbox(data, sandbox_url, saved)
        saved = {**saved, **seller_info}
        saved.setdefault("username", USERNAME)
        saved.setdefault("password", secrets.token_urlsafe(9))
        saved.setdefault("api_key", "mpqr_demo_" + secrets.token_urlsafe(24))
        save(data, saved)
        seller_app = self.seller_app = _seller(data, seller_url, sandbox_url, saved)
        servers = [_server(sandbox_app), _server(seller_app)]
        tasks = [
            asyncio.create_task(servers[0].serve(sockets=[sandbox_sock])),
            asyncio.create_task(servers[1].serve(sockets=[seller_sock])),
        ]
        try:
            await _started(servers, tasks)
            boxes = await _setup(seller_app, seller_url, saved)
            self.info = DemoInfo(
                seller_url, sandbox_url, saved["username"], saved["password"], saved["api_key"],
                {key: f"{sandbox_url}/customer/{box['mp_pos_id']}" for key, box in boxes.items()},
                {key: box["name"] for key, box in boxes.items()},
            )  # fmt: skip
            self._announce(self.info)
            self.ready.set()
            await _until(stop, tasks)
        finally:
            from mpqr.seller.web import close_streams

            close_streams(seller_app)
            for server in reversed(servers):
                server.should_exit = True
            await asyncio.gather(*tasks, return_exceptions=True)

    def _announce(self, info: DemoInfo) -> None:
        lines = [
            "mpqr demo is running (Ctrl-C stops it)",
            f"  cashier:      {info.cashier_url}  user: {info.username}  password: {info.password}",
            *(
                f"  customer app: {url}  ({info.cashbox_names.get(key, key)})"
                for key, url in info.customer_urls.items()
            ),
            f"  seller API:   {info.seller_url}/docs  (Authorization: Bearer {info.api_key})",
            f"  sandbox:      {info.sandbox_url}/docs  (state: {info.sandbox_url}/_sandbox/state)",
            f"  data:         {self.config.data_dir}",
        ]
        self.echo("\n".join(lines))


def _url(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://{host}:{port}"


def _sandbox(data: Path, url: str, saved: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    """The sandbox app (state in ``sandbox.json``, fast notifications) and its demo seller."""
    from mpqr.sandbox.app import create_app

    app = create_app(
        state_file=data / "sandbox.json", notify_profile="fast", base_url=url, seed=None
    )
    state = app.state.sandbox
    seller = state.data.sellers.get(saved.get("sandbox_user_id"))
    if seller is None:
        seller = state.create_seller(SITE, nickname="DEMO_SELLER")
        seller.business_name = "Tienda Demo"
        app.state.runtime.save()
    return app, {
        "sandbox_user_id": seller.id,
        "access_token": seller.access_token,
        "webhook_secret": seller.webhook_secret,
    }


def _seller(data: Path, url: str, sandbox_url: str, saved: dict[str, Any]) -> Any:
    from mpqr.seller.app import create_app
    from mpqr.seller.settings import Settings

    settings = Settings(
        database_url=f"sqlite:///{(data / 'seller.db').resolve()}",
        mp_base_url=sandbox_url,
        mp_access_token=saved["access_token"],
        public_url=url,
        api_key=saved["api_key"],
        webhook_secrets=(saved["webhook_secret"],),
        port=int(url.rsplit(":", 1)[1]),
    )
    return create_app(settings, announce=lambda _text: None)


def _server(app: Any) -> Any:
    """A uvicorn server without its own signal handling: the demo stops both servers itself."""
    import uvicorn

    class Quiet(uvicorn.Server):
        @contextlib.contextmanager
        def capture_signals(self) -> Generator[None, None, None]:
            yield

    config = uvicorn.Config(
        app,
        log_level="warning",
        access_log=False,
        lifespan="on",
        proxy_headers=False,  # no proxy in front: X-Forwarded-For must not pick the client IP
        timeout_graceful_shutdown=2,  # an open live screen (SSE) must not hold the exit
    )
    return Quiet(config)


async def _started(servers: list[Any], tasks: list[asyncio.Task[None]]) -> None:
    """Wait until both servers accept connections; fail if one of them stopped instead."""
    while not all(s.started for s in servers):
        for task in tasks:
            if task.done():
                task.result()
                raise click.ClickException("a server stopped while starting")
        await asyncio.sleep(0.02)


async def _until(stop: asyncio.Event, tasks: list[asyncio.Task[None]]) -> None:
    stopper = asyncio.create_task(stop.wait())
    try:
        await asyncio.wait([stopper, *tasks], return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopper.cancel()


async def _setup(app: Any, seller_url: str, saved: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The login, the store and the cashboxes (created once); returns the cashboxes by id."""
    import aiohttp

    from mpqr.seller.web.users import password_hash, set_password

    ctx = app.state.ctx
    if await password_hash(ctx.db, saved["username"]) is None:
        await set_password(ctx.db, saved["username"], saved["password"], ctx.now())
    headers = {"Authorization": f"Bearer {saved['api_key']}"}
    async with aiohttp.ClientSession(seller_url, headers=headers) as http:
        boxes = await _cashboxes(http)
        if len(boxes) < len(CASHBOXES):
            await _post(http, "/api/stores", dict(STORE), ok=(201, 409))
            for external_id, name in CASHBOXES:
                if external_id not in boxes:
                    body = {"external_id": external_id, "name": name,
                            "store_external_id": STORE["external_id"]}  # fmt: skip
                    await _post(http, "/api/cashboxes", body, ok=(201, 409))
            boxes = await _cashboxes(http)
    return {key: box for key, box in boxes.items() if box.get("mp_pos_id")}


async def _cashboxes(http: Any) -> dict[str, dict[str, Any]]:
    async with http.get("/api/cashboxes") as resp:
        if resp.status != 200:
            raise click.ClickException(f"GET /api/cashboxes failed: {resp.status}")
        return {box["external_id"]: box for box in await resp.json()}


async def _post(http: Any, path: str, body: dict[str, Any], ok: tuple[int, ...]) -> None:
    async with http.post(path, json=body) as resp:
        if resp.status not in ok:
            raise click.ClickException(f"POST {path} failed: {resp.status} {await resp.text()}")


async def _main(config: DemoConfig) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await Demo(config).run(stop)
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
    click.echo("mpqr demo stopped")


@click.command("demo")
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("./mpqr-demo"),
    show_default=True,
    help="Sandbox state, seller database and demo.json (login, tokens) live here.",
)
@click.option("--sandbox-port", type=int, default=None, help="Default 8080, or a free port.")
@click.option("--port", type=int, default=None, help="Seller server port. Default 8000, or free.")
def command(data_dir: Path, sandbox_port: int | None, port: int | None) -> None:
    """Run the sandbox and the seller server together, ready to sell (Ctrl-C stops both)."""
    try:
        asyncio.run(_main(DemoConfig(data_dir, sandbox_port, port)))
    except OSError as exc:
        raise click.ClickException(f"cannot start: {exc}") from None
