"""The ``mpqr`` command. Each part registers its own subcommand module; they load lazily."""

from __future__ import annotations

import importlib
from typing import Any

import click

from mpqr._version import __version__

# subcommand name -> "module:attribute" of a click.Command
_COMMANDS: dict[str, str] = {
    "sandbox": "mpqr.sandbox.cli:command",
    "serve": "mpqr.seller.cli:serve_command",
    "demo": "mpqr.demo:command",
    "bench": "mpqr.bench:command",
    "chaos": "mpqr.chaos.cli:command",
    "qr": "mpqr.qr.cli:command",
}


class _LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(name for name in _COMMANDS if self._load(name) is not None)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return self._load(cmd_name)

    @staticmethod
    def _load(name: str) -> click.Command | None:
        target = _COMMANDS.get(name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name and module_name.startswith(exc.name):
                return None  # that part is not built yet
            raise
        command: Any = getattr(module, attr)
        return command if isinstance(command, click.Command) else None


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="mpqr")
def main() -> None:
    """mpqr: Mercado Pago in-store QR payments — client, sandbox, seller server, demo."""
