"""``mpqr demo`` as a user runs it: a subprocess, its printed URLs, Ctrl-C, and a second run."""

from __future__ import annotations

import json
import re
import signal
import socket
import stat
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from mpqr.demo import bind

pytestmark = pytest.mark.timeout(90)


@contextmanager
def demo(data_dir: Path) -> Iterator[tuple[subprocess.Popen[str], dict[str, str]]]:
    """Start ``mpqr demo`` on free ports; yield the process and what it printed."""
    proc = subprocess.Popen(  # noqa: S603 - our own CLI with fixed arguments
        [sys.executable, "-m", "mpqr", "demo", "--data-dir", str(data_dir), "--port", "0",
         "--sandbox-port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        yield proc, _read_banner(proc)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)


def _read_banner(proc: subprocess.Popen[str]) -> dict[str, str]:
    assert proc.stdout is not None
    text = ""
    while "data:" not in text:
        line = proc.stdout.readline()
        if not line:
            assert proc.stderr is not None
            raise AssertionError(f"demo exited early: {text}\n{proc.stderr.read()}")
        text += line
    found = re.search(r"cashier:\s+(\S+)/ui/\s+user: (\S+)\s+password: (\S+)", text)
    assert found, text
    customers = re.findall(r"customer app: (\S+)/customer/(\d+)\s+\((.+)\)", text)
    api_key = re.search(r"Bearer (\S+)\)", text)
    assert api_key, text
    return {
        "seller": found.group(1),
        "username": found.group(2),
        "password": found.group(3),
        "sandbox": customers[0][0],
        "api_key": api_key.group(1),
        **{f"pos:{name}": pos for _, pos, name in customers},
    }


def _stop(proc: subprocess.Popen[str], sig: signal.Signals) -> str:
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0
    assert "Traceback" not in err  # open live screens end cleanly, nothing is cancelled
    return out


@contextmanager
def _live_screen(printed: dict[str, str]) -> Iterator[str]:
    """Sign in, send a sale and hold its event stream open; yields the first line."""
    with httpx.Client(base_url=printed["seller"], timeout=10) as client:
        token = re.findall(r'name="csrf" value="([^"]+)"', client.get("/ui/login").text)[0]
        client.post(
            "/ui/login",
            data={"csrf": token, "username": printed["username"], "password": printed["password"]},
        )
        form = client.get("/ui/cashboxes/CAJA1/sell").text
        token = re.findall(r'name="csrf" value="([^"]+)"', form)[0]
        sale = client.post("/ui/cashboxes/CAJA1/sell", data={"csrf": token, "amount": "5"})
        with client.stream("GET", sale.headers["location"] + "/events") as stream:
            yield next(stream.iter_lines())


def _cashboxes(printed: dict[str, str]) -> list[str]:
    headers = {"Authorization": f"Bearer {printed['api_key']}"}
    boxes = httpx.get(f"{printed['seller']}/api/cashboxes", headers=headers, timeout=10).json()
    return sorted(f"{b['external_id']}={b['mp_pos_id']}" for b in boxes)


def test_demo_runs_stops_on_ctrl_c_and_reuses_its_data(tmp_path: Path) -> None:
    data = tmp_path / "demo-data"
    with demo(data) as (proc, printed):
        assert httpx.get(f"{printed['seller']}/healthz", timeout=10).json() == {"status": "ok"}
        for name in ("Caja 1", "Caja 2"):
            customer = f"{printed['sandbox']}/customer/{printed[f'pos:{name}']}"
            assert httpx.get(customer, timeout=10).status_code == 200
        login = httpx.get(f"{printed['seller']}/ui/login", timeout=10)
        assert login.status_code == 200
        first_boxes = _cashboxes(printed)
        assert len(first_boxes) == 2
        with _live_screen(printed) as events:
            assert events.startswith("retry:")  # a cashier is watching a sale, live
            assert "mpqr demo stopped" in _stop(proc, signal.SIGINT)

    saved = json.loads((data / "demo.json").read_text())
    assert stat.S_IMODE((data / "demo.json").stat().st_mode) == 0o600
    assert (data / ".gitignore").read_text() == "*\n"
    assert saved["password"] == printed["password"]
    assert (data / "seller.db").exists()
    assert (data / "sandbox.json").exists()

    with demo(data) as (proc, again):
        assert again["password"] == printed["password"]
        assert again["username"] == printed["username"]
        assert _cashboxes(again) == first_boxes  # the same cashboxes, the same POS
        _stop(proc, signal.SIGTERM)


def test_a_busy_default_port_falls_back_but_an_asked_one_does_not() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with bind("127.0.0.1", None, port) as fallback:
            assert fallback.getsockname()[1] not in (0, port)
        with pytest.raises(OSError):
            bind("127.0.0.1", port, 8000)


# ---- `make demo` installs the runtime dependencies only: the demo must not need anything else ----

_RECORD_IMPORTS = """
import atexit, json, sys
out = sys.argv.pop(1)
atexit.register(lambda: json.dump(sorted(sys.modules), open(out, "w")))
from mpqr.cli import main
sys.argv[0] = "mpqr"
main()
"""


# imported when present, never required: the demo runs without them
OPTIONAL = {
    "setuptools": "its .pth hook (_distutils_hack) loads in any venv that has setuptools",
    "pygments": "Mako (under Alembic) highlights template tracebacks with it if installed",
}


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _runtime_closure() -> set[str]:
    """The distributions `pip install mpqr` brings (no extra of mpqr; the extras it asks of its
    dependencies, such as ``sqlalchemy[asyncio]``, included)."""
    from importlib import metadata

    from packaging.requirements import Requirement

    visited: set[tuple[str, frozenset[str]]] = set()
    todo = [("mpqr", frozenset[str]())]
    while todo:
        name, extras = todo.pop()
        if (_norm(name), extras) in visited:
            continue
        visited.add((_norm(name), extras))
        for raw in metadata.distribution(name).requires or ():
            req = Requirement(raw)
            markers = [{"extra": extra} for extra in extras or {""}]
            if req.marker is None or any(req.marker.evaluate(m) for m in markers):
                todo.append((req.name, frozenset(req.extras)))
    return {name for name, _ in visited}


def _distributions_of(modules: list[str]) -> set[str]:
    from importlib import metadata

    mapping = metadata.packages_distributions()
    found: set[str] = set()
    for module in modules:
        for dist in mapping.get(module.partition(".")[0], ()):
            found.add(_norm(dist))
    return found


def test_the_demo_needs_only_the_runtime_dependencies(tmp_path: Path) -> None:
    """Everything the running demo imports (start, pages, QR images, posters, Ctrl-C) comes from
    mpqr's runtime dependencies, so `make demo` can skip the test extra."""
    out = tmp_path / "modules.json"
    proc = subprocess.Popen(  # noqa: S603 - our own CLI with fixed arguments
        [sys.executable, "-c", _RECORD_IMPORTS, str(out), "demo", "--data-dir",
         str(tmp_path / "d"), "--port", "0", "--sandbox-port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        printed = _read_banner(proc)
        sandbox = printed["sandbox"]
        pos = httpx.get(f"{sandbox}/_sandbox/state", timeout=10).json()["pos"]
        for p in pos.values():
            for path in (f"/customer/{p['id']}", f"/qr/{p['id']}/{p['uuid']}.png",
                         f"/qr/{p['id']}/template_{p['uuid']}.pdf"):  # fmt: skip
                assert httpx.get(sandbox + path, timeout=30).status_code == 200, path
        assert httpx.get(f"{sandbox}/", timeout=10).status_code == 200
        assert httpx.get(f"{printed['seller']}/ui/login", timeout=10).status_code == 200
        with _live_screen(printed) as events:
            assert events.startswith("retry:")
            _stop(proc, signal.SIGINT)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
    imported = _distributions_of(json.loads(out.read_text()))
    outside = sorted(imported - _runtime_closure() - set(OPTIONAL))
    assert outside == [], f"the demo imports {outside}: add them to [project] dependencies"
