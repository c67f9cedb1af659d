"""Benchmarks: the canned server (:mod:`.canned`) and the client measurements (:mod:`.client`).

``mpqr bench`` will be the command that runs them; until it exists, ``command`` is ``None`` so the
``mpqr`` command line lists no ``bench`` subcommand.
"""

from __future__ import annotations

import click

__all__ = ["command"]

command: click.Command | None = None
