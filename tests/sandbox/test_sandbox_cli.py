"""``mpqr sandbox`` as a user runs it: a subprocess on a free loopback port, then stopped."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from click.testing import CliRunner

from mpqr.cli import main


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _start(port: int, state: Path) -> tuple[subprocess.Popen[str], dict[str, str]]:
    cmd = [
        sys.executable,
        "-m",
        "mpqr",
        "sandbox",
        "--port",
        str(port),
        "--seed",
        "3",
        "--state",
        str(state),
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # noqa: S603
    info: dict[str, str] = {}
    assert proc.stdout is not None
    for line in proc.stdout:
        if ":" in line and line.startswith("  "):
            key, value = line.strip().split(":", 1)
            info[key.strip()] = value.strip()
        if line.strip().startswith("customer app"):
            break
    return proc, info


def _get(url: str, token: str) -> dict[str, object]:
    deadline = time.monotonic() + 15
    req = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    while True:
        try:
            with urllib.request.urlopen(req, timeout=5) as resp:
                body: dict[str, object] = json.loads(resp.read())
                return body
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _stop(proc: subprocess.Popen[str]) -> None:
    proc.terminate()
    proc.wait(timeout=15)


def test_cli_runs_and_restarts_from_its_state(tmp_path: Path) -> None:
    port, state = _free_port(), tmp_path / "state.json"
    proc, info = _start(port, state)
    try:
        token = info["access token"]
        user_id = info["user id"].split()[0]
        assert info["customer app"].startswith(f"http://127.0.0.1:{port}/customer/")
        me = _get(f"http://127.0.0.1:{port}/users/me", token)
        assert str(me["id"]) == user_id
    finally:
        _stop(proc)
    proc, again = _start(port, state)
    try:
        assert again["access token"] == token  # the seller from the state file is reused
        assert again["customer app"] == info["customer app"]
        pos_list = _get(f"http://127.0.0.1:{port}/pos", token)
        assert pos_list["paging"] == {"total": 1, "offset": 0, "limit": 50}
    finally:
        _stop(proc)


def test_cli_help_lists_the_options() -> None:
    result = CliRunner().invoke(main, ["sandbox", "--help"])
    assert result.exit_code == 0
    for option in ("--host", "--port", "--state", "--seed", "--notify-profile", "--allow-host"):
        assert option in result.output


def test_cli_accepts_the_documented_switches() -> None:
    """``--notify-profile mp`` is documented, so it is accepted (it used to be refused)."""
    wrong = CliRunner().invoke(main, ["sandbox", "--notify-profile", "bogus"])
    assert wrong.exit_code == 2
    assert "'fast', 'mp', 'mp-ipn', 'mp-webhooks'" in wrong.output
    wrong = CliRunner().invoke(main, ["sandbox", "--fee", "MLA:credit_card=abc"])
    assert wrong.exit_code == 2
    assert "SITE:TYPE=RATE[/DAYS]" in wrong.output
    help_text = CliRunner().invoke(main, ["sandbox", "--help"]).output
    for option in ("--qr-signature", "--ipn-resource-host", "--time-zone", "--fee", "--sign-ipn"):
        assert option in help_text
